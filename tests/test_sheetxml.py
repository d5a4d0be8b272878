"""The copied sheets' rows as streamed sheet XML: the same cells xlsxwriter's per-cell calls write, in order."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import xlsxwriter

from rdcheck.model import Finding, Report
from rdcheck.report.sheetxml import SheetXml, cut_text, escape_text
from rdcheck.report.xlsx import Formats, write_annotated, write_value

OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}

VALUES: list[Any] = [
    "plain",
    "",
    None,
    " leading",
    "trailing\t",
    "a&b<c>d\"e'",
    "line\nbreak",
    "ctl\x01\x1f\rend",
    "_x0041_ literal escape",
    "under_score",
    "non\ufffecharacter\uffff",
    "<r>not rich text</r>",
    "=SUM(A1:A2)",
    "x" * 40_000,
    "😀" * 20_000,  # 40,000 UTF-16 units
    "中文摘要",
    1.5,
    -0.0,
    0.1 + 0.2,
    1e20,
    12345678901234567.0,
    float("nan"),
    float("inf"),
    7,
    10**20,
    True,
    False,
    Decimal("1.005"),
    dt.date(2024, 1, 1),
    dt.date(1900, 1, 15),
    dt.date(1900, 2, 28),
    dt.date(1899, 12, 31),
    dt.datetime(2024, 1, 2, 3, 4, 5),
    dt.datetime(1900, 1, 1, 12),
    dt.time(12, 30),
    dt.timedelta(hours=30, seconds=1),
]
AMOUNT_COL = 3


def _rows() -> list[list[Any]]:
    """Each value in a row of its own, at column B, with an amount column D beside it."""
    return [[None, v, "", 1234.5 if i % 2 else "", "tail"] for i, v in enumerate(VALUES)]


def _reference(path: Path, marks: dict[tuple[int, int], str]) -> None:
    """The rows written cell by cell through xlsxwriter (how the copy was written before)."""
    wb = xlsxwriter.Workbook(str(path), OPTIONS)
    fmts = Formats(wb)
    ws = wb.add_worksheet("s")
    for r, row in enumerate(_rows()):
        for c in sorted({*range(len(row)), *(k[1] for k in marks if k[0] == r)}):
            value = row[c] if c < len(row) else None
            kind = "amount" if c == AMOUNT_COL else None
            write_value(ws, r, c, value, fmts, kind, marks.get((r, c)))
    wb.close()


def _streamed(path: Path, marks: dict[tuple[int, int], str]) -> None:
    wb = xlsxwriter.Workbook(str(path), OPTIONS)
    fmts = Formats(wb)
    ws = wb.add_worksheet("s")
    out = SheetXml(ws, wb, fmts)
    for r, row in enumerate(_rows()):
        row_marks = {c: sev for (mr, c), sev in marks.items() if mr == r}
        if not row_marks:
            out.plain_row(r, row, 0, {AMOUNT_COL})
            continue
        cells = {}
        for c in {*range(len(row)), *row_marks}:
            value = row[c] if c < len(row) else None
            cells[c] = (value, "amount" if c == AMOUNT_COL else None, row_marks.get(c))
        out.cells_row(r, cells)
    out.close(lambda row, col, value, kind, sev: write_value(ws, row, col, value, fmts, kind, sev))
    wb.close()


def _cells(path: Path) -> dict[str, tuple[Any, ...]]:
    ws = openpyxl.load_workbook(path)["s"]
    got = {}
    for row in ws.iter_rows():
        for c in row:
            if c.value is None and c.fill.fgColor.rgb == "00000000":
                continue
            got[c.coordinate] = (c.value, c.data_type, c.number_format, c.fill.fgColor.rgb)
    return got


def test_streamed_rows_read_back_as_the_per_cell_writes(tmp_path: Path) -> None:
    marks = {(0, 1): "error", (5, 2): "warning", (16, 1): "info", (28, 1): "error", (3, 7): "error"}
    for m in ({}, marks):
        _reference(tmp_path / "ref.xlsx", m)
        _streamed(tmp_path / "new.xlsx", m)
        ref, new = _cells(tmp_path / "ref.xlsx"), _cells(tmp_path / "new.xlsx")
        # xlsxwriter takes a text "<r>…</r>" for rich-text XML and writes it raw (it read back empty): now it is text
        assert ref.pop("B12")[0] == "" and new.pop("B12") == ("<r>not rich text</r>", "s", "General", "00000000")
        assert new == ref
        sheet = openpyxl.load_workbook(tmp_path / "new.xlsx")["s"]
        assert sheet.dimensions == openpyxl.load_workbook(tmp_path / "ref.xlsx")["s"].dimensions
    assert ref["B1"][3] == "FFFFC7CE" and ref["H4"][3] == "FFFFC7CE"  # a mark beyond the row's data
    assert new["B15"][0] == "😀" * 16_383  # cut at 32,767 UTF-16 units, never mid-character
    # Excel's escapes, which Excel and LibreOffice read back as the characters (openpyxl shows them as written)
    assert new["B8"][0] == "ctl_x0001__x001F__x000D_end" and new["B9"][0] == "_x005F_x0041_ literal escape"
    assert new["B13"][:2] == ("=SUM(A1:A2)", "s")
    assert new["B29"][2] == "yyyy-mm-dd" and new["D2"][2] == "#,##0.00"


def test_rows_are_in_order_and_the_xml_is_what_excel_reads(tmp_path: Path) -> None:
    _streamed(tmp_path / "new.xlsx", {(3, 7): "error"})
    with zipfile.ZipFile(tmp_path / "new.xlsx") as zf:
        xml = zf.read("xl/worksheets/sheet1.xml").decode()
    rows = [int(n) for n in re.findall(r'<row r="(\d+)"', xml)]
    assert rows == sorted(rows) and len(rows) == len(set(rows)) == len(VALUES)
    assert '<dimension ref="B1:H36"/>' in xml  # column A is empty; the mark at H4 widens the sheet
    assert "<f>" not in xml and "_x0001_" in xml and "_x005F_x0041_" in xml and "a&amp;b&lt;c&gt;d" in xml
    assert 't xml:space="preserve"> leading' in xml


def test_a_rich_text_lookalike_in_the_last_row_is_text(tmp_path: Path) -> None:
    wb = xlsxwriter.Workbook(str(tmp_path / "o.xlsx"), OPTIONS)
    fmts = Formats(wb)
    ws = wb.add_worksheet("s")
    out = SheetXml(ws, wb, fmts)
    out.plain_row(0, ["a", 1.0], 0, set())
    out.plain_row(1, ["<r>last</r>", 2.0], 0, set())  # held for xlsxwriter, which would write it raw
    out.close(lambda row, col, value, kind, sev: write_value(ws, row, col, value, fmts, kind, sev))
    wb.close()
    got = openpyxl.load_workbook(tmp_path / "o.xlsx")["s"]
    assert [[c.value for c in row] for row in got.iter_rows()] == [["a", 1], ["<r>last</r>", 2]]


def test_escaping_and_cutting() -> None:
    assert escape_text("plain 中文") == "plain 中文"
    assert escape_text("a<b>&\x00_x00e9_\ufffe") == "a&lt;b&gt;&amp;_x0000__x005F_x00e9__xFFFE_"
    assert cut_text("a" * 32_767) == "a" * 32_767 and cut_text("a" * 32_768) == "a" * 32_767
    assert cut_text("😀" * 16_384) == "😀" * 16_383


def _book(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("数据")
    ws.write_row(0, 0, ["日期", "金额"])
    for r in range(1, 6):
        ws.write_row(r, 0, [f"记-{r}", r * 1.5])
    wb.add_worksheet("空表")
    wb.close()
    return path


def test_comment_on_the_first_row_marks_past_the_data_and_no_files_left(tmp_path: Path) -> None:
    src = _book(tmp_path / "in.xlsx")
    findings = [
        Finding("F01", "error", "F", "数据", 1, None, "C1", "表头缺列"),
        Finding("F04", "warning", "F", "数据", 9, None, "B9", "空行"),
        Finding("F04", "info", "F", "数据", 3, None, "A3", "第三行"),
    ]
    report = Report(file=str(src), sha256=None, version="t", findings=findings, book=None)
    out_dir = tmp_path / "out"
    out = write_annotated(report, out_dir / "o.xlsx")
    assert [p.name for p in out_dir.iterdir()] == ["o.xlsx"]  # no row-data file of the empty sheet left behind
    wb = openpyxl.load_workbook(out)
    ws = wb["数据"]
    assert ws["C1"].comment.text.startswith("F01") and ws["C1"].fill.fgColor.rgb == "FFFFC7CE"
    assert ws["B9"].comment is not None and ws["B9"].fill.fgColor.rgb == "FFFFE699"
    assert ws["A3"].value == "记-2" and ws["A3"].fill.fgColor.rgb == "FFBDD7EE"
    assert [c.value for c in ws[6]] == ["记-5", 7.5, None] and ws.max_row == 9
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        sheet = next(n for n in names if n.startswith("xl/worksheets/sheet") and "数据" in _title_of(zf, n))
        rows = [int(n) for n in re.findall(r'<row r="(\d+)"', zf.read(sheet).decode())]
    assert rows == [1, 2, 3, 4, 5, 6, 9]
    assert wb["空表"].max_row == 1 and wb["空表"]["A1"].value is None


def _title_of(zf: zipfile.ZipFile, part: str) -> str:
    """The sheet title the workbook gives a worksheet part."""
    rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    target = part.removeprefix("xl/")
    rid = re.search(rf'Id="(rId\d+)"[^>]*Target="{re.escape(target)}"', rels) or re.search(
        rf'Target="{re.escape(target)}"[^>]*Id="(rId\d+)"', rels
    )
    assert rid is not None
    workbook = zf.read("xl/workbook.xml").decode()
    found = re.search(rf'<sheet name="([^"]*)" sheetId="\d+"(?: state="\w+")? r:id="{rid.group(1)}"', workbook)
    return found.group(1) if found else ""


def test_the_copy_scans_the_file_again_only_when_the_check_did_not_read_these_bytes(
    tmp_path: Path, monkeypatch
) -> None:
    import shutil

    import rdcheck.report.xlsx as xlsx_mod
    from rdcheck.api import check

    src = tmp_path / "in.xlsx"
    shutil.copy(Path(__file__).resolve().parent.parent / "samples" / "ledgers" / "clean.xlsx", src)
    report = check(src)
    scans: list[Path] = []
    real = xlsx_mod.inspect

    def counting(path, *args, **kw):
        scans.append(Path(path))
        return real(path, *args, **kw)

    monkeypatch.setattr(xlsx_mod, "inspect", counting)
    first = write_annotated(report, tmp_path / "a.xlsx")
    assert scans == []  # the check's preflight bounded every sheet of these bytes
    _book(src)  # other bytes under the same name: the copy bounds them itself
    write_annotated(report, tmp_path / "b.xlsx")
    assert scans == [src]
    report.sha256 = None  # a hand-made report: nothing is known of the file
    write_annotated(report, tmp_path / "c.xlsx")
    assert len(scans) == 2
    assert openpyxl.load_workbook(first).sheetnames[:2] == ["检查结论", "检查结果"]


def test_the_lighter_report_writes_the_same_copy_without_holding_the_rows(tmp_path: Path) -> None:
    from rdcheck.api import check
    from rdcheck.report.xlsx import for_copy

    src = Path(__file__).resolve().parent.parent / "samples" / "ledgers" / "clean.xlsx"
    report = check(src)
    light = for_copy(report)
    assert list(light.book.ledger.data.columns) == ["日期"] and len(light.book.ledger.data) == len(
        report.book.ledger.data
    )
    assert light.calc.lines is None and report.calc.lines is not None  # the caller's report is left whole
    assert len(report.book.ledger.data.columns) > 1
    full, lean = write_annotated(report, tmp_path / "full.xlsx"), write_annotated(light, tmp_path / "lean.xlsx")
    with zipfile.ZipFile(full) as a, zipfile.ZipFile(lean) as b:
        assert a.namelist() == b.namelist()
        assert [n for n in a.namelist() if n != "docProps/core.xml" and a.read(n) != b.read(n)] == []
