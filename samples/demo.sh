#!/usr/bin/env bash
# make demo: the three jobs of rdcheck on the samples, as a user would run them, then a two-round season.
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
step "   2015版“研发支出”辅助账与附件5归集表：samples/layouts/official-2015.xlsx"
"$RD" check samples/layouts/official-2015.xlsx
step "1. 会计软件多栏账（用友导出，原样提交）：rdcheck check samples/erp/研发支出多栏账-2024.xlsx --info samples/erp/企业信息.yaml"
"$RD" check samples/erp/研发支出多栏账-2024.xlsx --info samples/erp/企业信息.yaml
step "   转为标准模板（每行保留来源单元格）→ $OUT/多栏账-标准模板.xlsx"
"$RD" convert samples/erp/研发支出多栏账-2024.xlsx --info samples/erp/企业信息.yaml -o "$OUT/多栏账-标准模板.xlsx"

step "2. 科技局批量检查：rdcheck batch samples/district-2024 -o $OUT/batch"
"$RD" batch samples/district-2024 -o "$OUT/batch" || exit 1

step "3. 全区汇总：rdcheck rollup $OUT/batch/results.jsonl --district samples/district-2024.yaml"
"$RD" rollup "$OUT/batch/results.jsonl" --district samples/district-2024.yaml \
  --roster samples/district-2024/roster.csv -o "$OUT/rollup" || exit 1

REG="$OUT/淮阴区-2024.sqlite"
rm -f "$REG" "$REG-wal" "$REG-shm"  # a fresh season each time the demo runs
step "4. 本季第1轮（登记簿）：rdcheck batch samples/district-2024 -o $OUT/round1 --register $REG --roster …"
"$RD" batch samples/district-2024 -o "$OUT/round1" --register "$REG" --roster samples/district-2024/roster.csv -q || exit 1
step "5. 科技局认可企业的说明：rdcheck waive $REG --uscc 91320804121150187M --rule T01 --reason …"
"$RD" waive "$REG" --uscc 91320804121150187M --rule T01 --year 2024 --reason "电话确认：统计数据已于3月补报" || exit 1
step "6. 第2轮：江苏恒瑞钢结构撤回了报送，其余文件不变（相同文件沿用上轮结果）"
rm -rf "$OUT/round2-in" && cp -Rp samples/district-2024 "$OUT/round2-in" && rm "$OUT/round2-in/10-江苏恒瑞钢结构有限公司.xlsx"
"$RD" batch "$OUT/round2-in" -o "$OUT/round2" --register "$REG" --roster samples/district-2024/roster.csv -q || exit 1
step "7. 登记簿：rdcheck register $REG --export $OUT/登记簿.xlsx"
"$RD" register "$REG" --export "$OUT/登记簿.xlsx" | head -8
step "8. 汇总、规划目标对照与公开版：rdcheck rollup $OUT/round2 --district samples/district-2024-plan.yaml --publish"
"$RD" rollup "$OUT/round2" --district samples/district-2024-plan.yaml -o "$OUT/season-rollup" --publish 2>/dev/null \
  | sed -n '/规划目标对照/,$p' || exit 1

step "输出 outputs: $OUT/"
ls -R "$OUT" | head -40
# `check` exits 1 when it finds errors — that is its job, not a demo failure
exit 0
