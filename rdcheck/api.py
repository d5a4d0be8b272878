"""The one core: check a workbook, batch many, roll them up. Nothing here prints or exits."""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import __version__
from .model import Report
from .workbook import Book, read_book
from .workbook.layout import SUBITEMS
from .workbook.safety import Limits


def sha256_of(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def enterprise_summary(book: Book) -> dict[str, Any]:
    """The `enterprise` object of the JSON report (spec §6)."""
    e = book.enterprise
    return {
        "uscc": e.values.get("统一社会信用代码"),
        "name": e.values.get("企业名称"),
        "year": e.values.get("所属年度"),
        "region": e.values.get("所在区域"),
        "industry": e.values.get("行业代码"),
        "high_tech": e.values.get("高新技术企业"),
        "tech_sme": e.values.get("科技型中小企业"),
        "above_scale": e.values.get("规模以上企业"),
        # what the bureau's season reads besides (screening, scorecard): revenue, R&D staff, the optional keys
        "revenue": e.values.get("营业收入"),
        "rd_staff": e.values.get("统计研究开发人员"),
        "tech_contracts": e.values.get("技术合同成交额"),
        "rd_institution": e.values.get("研发机构"),
    }


def check_book(book: Book, config: Any = None, lang: str = "zh", sha256: str | None = None) -> Report:
    """Validate a Book and compute its A107012, 107-2 and reconciliation figures."""
    from .compute import compute
    from .engine import Config, run

    config = config if config is not None else Config.load(None)
    calc = compute(book, config.policy)
    findings = run(book, calc, config, lang=lang)
    foreign = book.foreign
    if foreign is not None and foreign.untied:
        return _withheld(book, calc, findings, lang, sha256)
    notes = list(calc.notes_en if lang == "en" else calc.notes)
    if _upper_bound(book):
        notes.insert(0, UPPER_BOUND["en" if lang == "en" else "zh"])
    if _blank_subitem_lines(calc):
        notes.append(NO_SUBITEMS["en" if lang == "en" else "zh"])
    for read in foreign.reads if foreign is not None else ():  # what a layout reader says about one sheet
        for note in read.notes:
            text = note.get("en" if lang == "en" else "zh") or note.get("zh", "")
            notes.append(f"sheet '{read.sheet}': {text}" if lang == "en" else f"工作表“{read.sheet}”：{text}")
    return Report(
        file=book.path,
        sha256=sha256,
        version=__version__,
        enterprise=enterprise_summary(book),
        findings=findings,
        a107012=calc.a107012_json(),
        tax_saving=calc.tax_saving,
        stats=calc.stats_json(),
        reconciliation=calc.reconciliation,
        notes=notes,
        calc=calc,
        book=book,
    )


NO_SUBITEMS = {
    "zh": "辅助账（如2021版样式）有按费用类别归集、未分明细项目的金额：A107012 第3、7、16、19、23、28行按类别填列，"
    "这些类别下的明细行留空（表格允许只填类别合计）",
    "en": "The ledger (e.g. the 2021 official layout) has amounts by category without sub-items: A107012 lines 3, 7, "
    "16, 19, 23 and 28 are filled by category, the sub-item lines under those categories are left blank",
}
# A107012 sub-item lines by category 1-6 (spec §2.4)
SUBITEM_LINES = {
    cat: tuple(line for c, _, line in SUBITEMS.values() if c == cat and line is not None) for cat in range(1, 7)
}


def _blank_subitem_lines(calc: Any) -> bool:
    """Blank the sub-item lines of a category some of whose lines have no sub-item (a 2021 official ledger, a
    generic 其他相关费用N column): their sums would understate what the ledger does not split; the category line
    above them is exact."""
    lines = calc.lines
    if lines.empty:
        return False
    unsplit = set(lines.loc[(lines["category"] <= 6) & lines["subitem"].isna(), "category"])
    for cat in unsplit:
        for n in SUBITEM_LINES[int(cat)]:
            calc.a107012[n] = None
    return bool(unsplit)


UPPER_BOUND = {
    "zh": "辅助账来自会计软件多栏账，只有账载金额：A107012、加计扣除额和减免税额按账载金额计算，是上限（见 F15）",
    "en": "The ledger is an ERP multi-column export with book amounts only: A107012, the deduction and the tax saving "
    "are computed on them and are an upper bound (see F15)",
}


def _upper_bound(book: Book) -> bool:
    """Whether the tax figures are an upper bound: the ledger has 多栏账 lines (book amounts, no eligible ones)."""
    from .workbook.layouts.erp_layout import erp_reads

    return any(r.lines for r in erp_reads(book))


WITHHELD = {
    "zh": "辅助账有工作表不平（见 B13），依赖它的加计扣除和统计金额不予显示；请先更正该表",
    "en": "A ledger sheet does not tie out (see B13): the deduction and statistics figures that depend on it are "
    "withheld; correct the sheet first",
}


def _withheld(book: Book, calc: Any, findings: list, lang: str, sha256: str | None) -> Report:
    """A Report whose figures are withheld (null): a sheet it depends on does not tie (layouts.md §2.5)."""
    return Report(
        file=book.path,
        sha256=sha256,
        version=__version__,
        enterprise=enterprise_summary(book),
        findings=findings,
        a107012={str(n): None for n in range(1, 53)},
        tax_saving=None,
        # what the enterprise reported outside the ledger stays (a rollup ranks an unread ledger by it)
        stats={
            **dict.fromkeys(calc.stats_json(), None),
            "intramural_reported": calc.stats_json()["intramural_reported"],
        },
        reconciliation=[{**row, "computed": None, "difference": None} for row in calc.reconciliation],
        notes=[WITHHELD["en" if lang == "en" else "zh"]],
        calc=None,
        book=book,
        withheld=True,
    )


def load_book(path: str | os.PathLike[str], config: Any = None, info: Any = None, prescan: Any = None) -> Book:
    """Read one workbook into the Book that is checked (and converted); raise ReadError when it cannot be read.

    ``info`` is an :class:`~rdcheck.workbook.Enterprise` (``--info``) for a workbook without 企业信息;
    ``prescan`` the command's :class:`~rdcheck.workbook.prescan.Prescan` of the file, if any.
    """
    book = read_book(path, Limits.from_mapping(getattr(config, "limits", None)), info=info, prescan=prescan)
    from .workbook.layouts.erp_layout import apply_erp_map

    apply_erp_map(book, getattr(config, "erp_map", None))  # ERP 多栏账: the enterprise's own sub-account map
    return book


def check(
    path: str | os.PathLike[str],
    config: Any = None,
    lang: str = "zh",
    info: Any = None,
    on_read: Callable[[Book], Any] | None = None,
    prescan: Any = None,
) -> Report:
    """Read and check one workbook; raise ReadError when it cannot be read.

    ``on_read(book)`` is called once the workbook is read, before it is checked (the annotated copy starts
    reading the file again on the other core: :class:`rdcheck.report.ahead.ReadAhead`). ``prescan`` is the
    command's :class:`~rdcheck.workbook.prescan.Prescan` of the file (its safety scan, run beside the command's
    imports), if it started one.
    """
    warming = _warm_up()
    book = load_book(path, config, info, prescan)
    if on_read is not None:
        on_read(book)
    if warming is not None:
        warming.join()
    return check_book(book, config=config, lang=lang, sha256=sha256_of(path))


def _warm_up() -> threading.Thread | None:
    """Import the checks (pandera) and load the rule catalogue on another core while the workbook is read.

    calamine releases the GIL while it reads a sheet, so in a fresh process the ~0.3 s of imports and YAML
    overlap the read instead of following it. Only the first check of a process does anything: after that (and
    in batch workers, which inherit everything imported) the modules are there. What the reader imports is
    imported first, so the two threads never import the same module. A failure here is ignored: the same
    import or load, repeated by check_book, raises it where it belongs.
    """
    if "rdcheck.checks" in sys.modules:
        return None
    import python_calamine  # noqa: F401  (the reader's own imports, before the thread starts)

    from .workbook import safety  # noqa: F401
    from .workbook.layouts import assemble, layouts

    layouts()  # the layout modules, which both the reader and the checks (F11, B13, B14) import
    del assemble

    thread = threading.Thread(target=_import_checks, name="rdcheck-warm-up", daemon=True)
    thread.start()
    return thread


def _import_checks() -> None:
    try:
        from . import checks  # noqa: F401  (registers every rule; imports pandera)
        from .compute import compute  # noqa: F401
        from .engine import load_catalogue

        load_catalogue()
    except Exception:  # raised again, in the main thread, by check_book
        pass


__all__ = ["check", "check_book", "enterprise_summary", "load_book", "sha256_of", "Path"]
