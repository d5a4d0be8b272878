"""The workbooks print as designed (issue 13 points 9-11): converted to PDF by LibreOffice, page counts asserted.

Every sheet is set to A4 one page wide; a sheet that spilled sideways would add pages. One soffice run converts
all four workbooks (it takes seconds to start). Skipped, saying why, where LibreOffice is not installed
(.ci/run installs it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from test_report import write_book

from rdcheck.api import check
from rdcheck.report.xlsx import write_annotated
from rdcheck.template import write_template

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFINFO = shutil.which("pdfinfo")
pytestmark = pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("RDCHECK_REQUIRE_SOFFICE"),
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui (.ci/run does)",
)


def _pdf_pages(pdf: Path) -> int:
    if PDFINFO:
        out = subprocess.run([PDFINFO, str(pdf)], capture_output=True, text=True, check=True).stdout
        return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))
    return pdf.read_bytes().count(b"/Type /Page") - pdf.read_bytes().count(b"/Type /Pages")


def _convert(tmp_path: Path, books: list[Path]) -> dict[str, int]:
    assert SOFFICE is not None, "RDCHECK_REQUIRE_SOFFICE is set but soffice is not installed"
    out = tmp_path / "pdf"
    profile = (tmp_path / "lo-profile").as_uri()  # its own profile: parallel runs never share a lock
    cmd = [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(out)]
    subprocess.run([*cmd, *map(str, books)], capture_output=True, timeout=300, check=False)
    return {p.stem: _pdf_pages(out / f"{p.stem}.pdf") for p in books}


def _district(tmp_path: Path) -> tuple[Path, Path]:
    from click.testing import CliRunner

    from rdcheck.cli import main

    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        write_book(src / f"e{i}.xlsx", {"企业信息": {"统计研究开发费用合计": None}} if i else None)
    (src / "broken.xlsx").write_bytes(b"PK\x03\x04 not really")
    district = tmp_path / "d.yaml"
    district.write_text(
        "district: 测试区\nyear: 2024\ngdp: 100\ntargets: {rd_spending: 1, intensity: 1, basic_research: 0.1}\n"
        "regions: [王营街道, 高新区]\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    assert runner.invoke(main, ["batch", str(src), "-o", str(tmp_path / "b"), "-q", "-j", "1"]).exit_code == 0
    args = ["rollup", str(tmp_path / "b"), "--district", str(district), "-o", str(tmp_path / "r"), "-q"]
    assert runner.invoke(main, args).exit_code == 0
    return tmp_path / "b" / "summary.xlsx", tmp_path / "r" / "rollup.xlsx"


def test_feedback_summary_rollup_and_template_print_one_page_wide(tmp_path: Path) -> None:
    book = write_book(
        tmp_path / "ledger.xlsx", {"辅助账明细": {"set": {3: {"费用类别": "人工"}, 4: {"账载金额": "八万元"}}}}
    )
    feedback = write_annotated(check(book), tmp_path / "feedback.xlsx")
    template = tmp_path / "template.xlsx"
    write_template(template)
    summary, rollup = _district(tmp_path)
    pages = _convert(tmp_path, [feedback, summary, rollup, template])
    # feedback: letter 1, 检查结果 1, 企业信息 1, 研发项目 1, 辅助账明细 1, 汇总表 1, A107012 (52 lines) 2,
    # 汇总表(计算) 1, 统计口径 1, 三表比对 1
    assert pages["feedback"] == 11
    assert pages["summary"] == 2  # 汇总 and 规则统计, one page each
    assert pages["rollup"] == 6  # 概览 with its four charts, 按区域, 按行业, 按类型, 跟进名单, 企业明细
    # 填表说明 (4 pages of instructions and the category table), then the six sheets, one page each
    assert pages["template"] == 9
