#!/usr/bin/env bash
# make demo: the three jobs of rdcheck on the samples, as a user would run them.
set -uo pipefail
BIN=${1:-.venv/bin}
OUT=${2:-demo-out}
RD="$BIN/rdcheck"
mkdir -p "$OUT"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. 企业自查：rdcheck check samples/ledgers/clean.xlsx"
"$RD" check samples/ledgers/clean.xlsx
step "1. 企业自查（有问题的账）：rdcheck check samples/ledgers/flaw_project_missing.xlsx"
"$RD" check samples/ledgers/flaw_project_missing.xlsx
step "   带批注的反馈工作簿 → $OUT/flaw_project_missing-反馈.xlsx"
"$RD" check samples/ledgers/flaw_project_missing.xlsx --format xlsx -o "$OUT/flaw_project_missing-反馈.xlsx"
"$RD" template -o "$OUT/研发支出辅助账模板.xlsx" && echo "模板 → $OUT/研发支出辅助账模板.xlsx"

step "1. 税务机关样式（2021版辅助账+汇总表）：rdcheck check samples/layouts/official-2021.xlsx"
"$RD" check samples/layouts/official-2021.xlsx
step "   混合工作簿（企业信息、研发项目 + 2021版辅助账 + 汇总表）：samples/layouts/mixed-2021.xlsx"
"$RD" check samples/layouts/mixed-2021.xlsx --format xlsx -o "$OUT/mixed-2021-反馈.xlsx" && echo "→ $OUT/mixed-2021-反馈.xlsx"
step "1. 会计软件多栏账（用友导出，原样提交）：rdcheck check samples/erp/研发支出多栏账-2024.xlsx"
"$RD" check samples/erp/研发支出多栏账-2024.xlsx
step "   转为标准模板（每行保留来源单元格）→ $OUT/多栏账-标准模板.xlsx"
"$RD" convert samples/erp/研发支出多栏账-2024.xlsx -o "$OUT/多栏账-标准模板.xlsx"

step "2. 科技局批量检查：rdcheck batch samples/district-2024 -o $OUT/batch"
"$RD" batch samples/district-2024 -o "$OUT/batch" || exit 1

step "3. 全区汇总：rdcheck rollup $OUT/batch/results.jsonl --district samples/district-2024.yaml"
"$RD" rollup "$OUT/batch/results.jsonl" --district samples/district-2024.yaml \
  --roster samples/district-2024/roster.csv -o "$OUT/rollup" || exit 1

step "输出 outputs: $OUT/"
ls -R "$OUT" | head -40
# `check` exits 1 when it finds errors — that is its job, not a demo failure
exit 0
