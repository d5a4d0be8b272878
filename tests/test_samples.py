"""The sample generator: deterministic bytes, committed samples up to date, and books that read back right."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml

from rdcheck.errors import ReadError
from rdcheck.workbook import read_book

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
LEDGERS = sorted((SAMPLES / "ledgers").glob("*.xlsx"))
EXPECTED = yaml.safe_load((SAMPLES / "ledgers" / "expected.yaml").read_text(encoding="utf-8"))
DISTRICT = yaml.safe_load((SAMPLES / "district-2024" / "expected.yaml").read_text(encoding="utf-8"))
GENERATED = ("ledgers", "district-2024", "district-2024.yaml")


def _generate(out: Path) -> None:
    subprocess.run([sys.executable, str(SAMPLES / "make_samples.py"), "--out", str(out)], check=True, timeout=300)


def _files(root: Path) -> dict[str, bytes]:
    out = {}
    for name in GENERATED:
        path = root / name
        for f in [path] if path.is_file() else sorted(path.rglob("*")):
            if f.is_file():
                out[str(f.relative_to(root))] = f.read_bytes()
    return out


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("samples")
    _generate(out)
    return out


def test_generator_is_deterministic(fresh, tmp_path):
    _generate(tmp_path)
    assert _files(fresh) == _files(tmp_path)


def test_committed_samples_equal_a_fresh_generation(fresh):
    committed, generated = _files(SAMPLES), _files(fresh)
    assert sorted(committed) == sorted(generated)
    stale = [name for name in generated if committed[name] != generated[name]]
    assert not stale, f"run `python samples/make_samples.py` to refresh: {stale[:5]}"


def test_samples_stay_small():
    assert sum(len(b) for b in _files(SAMPLES).values()) < 3_000_000


def test_every_flaw_file_has_its_planted_findings_listed():
    assert {p.name for p in LEDGERS} == set(EXPECTED)
    assert EXPECTED["clean.xlsx"] == []
    rules = set()
    for name, planted in EXPECTED.items():
        if name != "clean.xlsx":
            assert planted, name
        for finding in planted:
            assert set(finding) == {"rule", "sheet", "column", "cell", "row"}
            rules.add(finding["rule"])
    assert len(rules) >= 12


@pytest.mark.parametrize("path", LEDGERS, ids=lambda p: p.stem)
def test_ledger_reads_and_rows_point_at_cells(path):
    book = read_book(path)
    planted = {f["rule"] for f in EXPECTED[path.name]}
    assert book.enterprise.missing == []
    for table in book.tables.values():
        if table.present and "F02" not in planted:
            assert table.missing == [], (table.name, table.missing)
    if "F01" in planted:
        return
    ledger = book.ledger
    assert len(ledger) > 300 and ledger.header_row == 1
    wb = openpyxl.load_workbook(path, read_only=True)
    ws = wb["辅助账明细"]
    rows = list(ledger.data.index)
    for row in (rows[0], rows[len(rows) // 3], rows[len(rows) // 2], rows[-1]):
        voucher = ws[f"{ledger.letters['凭证号']}{row}"].value
        assert voucher == ledger.data.at[row, "凭证号"]
        amount = ws[f"{ledger.letters['账载金额']}{row}"].value
        if ledger.data.at[row, "账载金额"] is not None:
            assert Decimal(repr(amount)) == ledger.data.at[row, "账载金额"]
        date = ws[f"{ledger.letters['日期']}{row}"].value
        assert isinstance(date, dt.datetime) and date.date() == ledger.data.at[row, "日期"]
    ent = wb["企业信息"]
    code_row = book.enterprise.rows["统一社会信用代码"]
    assert ent[book.enterprise.cells["统一社会信用代码"]].value == book.enterprise.values["统一社会信用代码"]
    assert ent[f"A{code_row}"].value == "统一社会信用代码"
    wb.close()


@pytest.mark.parametrize("name", [n for n in EXPECTED if EXPECTED[n]], ids=lambda n: n.removesuffix(".xlsx"))
def test_planted_cells_exist_where_expected(name):
    book = read_book(SAMPLES / "ledgers" / name)
    for f in EXPECTED[name]:
        if f["cell"] is None:
            continue
        assert f["cell"].endswith(str(f["row"]))
        if f["sheet"] == "企业信息":
            assert book.enterprise.cells[f["column"]] == f["cell"]
        else:
            table = book.tables[f["sheet"]]
            assert table.cell(f["column"], f["row"]) == f["cell"]
            assert f["row"] in table.data.index


def test_unreadable_values_are_exactly_the_planted_ones():
    for path in LEDGERS:
        book = read_book(path)
        bad = {(t.name, col, row) for t in book.tables.values() for col, rows in t.invalid.items() for row in rows}
        planted = {(f["sheet"], f["column"], f["row"]) for f in EXPECTED[path.name] if f["rule"] in ("F04", "F05")}
        assert bad == planted, path.name
        assert book.enterprise.invalid == {}, path.name


def test_district_submissions():
    files = DISTRICT["files"]
    assert 38 <= len(files) <= 42
    statuses = [f["status"] for f in files]
    assert statuses.count("broken") == 2 and statuses.count("superseded") == 1 and statuses.count("excluded") == 1
    for f in files:
        path = SAMPLES / "district-2024" / f["file"]
        if f["status"] == "broken":
            with pytest.raises(ReadError):
                read_book(path)
            continue
        book = read_book(path)
        assert book.enterprise.values["统一社会信用代码"] == f["uscc"]
        assert book.year == f["year"]
        assert not any(t.missing or t.invalid for t in book.tables.values())
        reported = book.enterprise.values["统计研究开发费用合计"]
        assert (None if reported is None else float(reported)) == f["reported_line7"]
    roster = (SAMPLES / "district-2024" / "roster.csv").read_text(encoding="utf-8").splitlines()
    assert roster[0] == "统一社会信用代码,企业名称,所在区域,规模以上企业"
    assert len(roster) - 1 == len({f["uscc"] for f in files}) + 3


def test_the_newer_submission_is_newer(fresh):
    folder = fresh / "district-2024"
    superseded = next(f for f in DISTRICT["files"] if f["status"] == "superseded")
    newer = next(f for f in DISTRICT["files"] if f["uscc"] == superseded["uscc"] and f["status"] == "ok")
    assert (folder / newer["file"]).stat().st_mtime > (folder / superseded["file"]).stat().st_mtime
