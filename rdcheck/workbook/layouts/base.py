"""What a layout reader returns for one sheet (the contract is in the package docstring)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..values import Invalid


@dataclass
class Fact:
    """One value a sheet states, with the cell it came from."""

    value: Any
    cell: str | None = None
    row: int | None = None


@dataclass
class Line:
    """One ledger line: standard 辅助账明细 columns → parsed value, each with its source cell."""

    row: int  # Excel row of the source sheet
    values: dict[str, Any] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)
    invalid: dict[str, Invalid] = field(default_factory=dict)


@dataclass
class ProjectFact:
    """One project as a sheet states it: 研发项目 canonical columns → value, with source cells."""

    row: int
    values: dict[str, Any] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)


@dataclass
class SummaryRow:
    """One row of an official 汇总表: project, 支出类型 and its amounts by official column code."""

    row: int
    project: str | None
    expense: str | None  # 费用化 / 资本化 (2021); the 2015 资本化、费用化支出选项
    amounts: dict[str, Decimal | None] = field(default_factory=dict)  # "1".."6", "7.1", …, "total"
    cells: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # code → the header text as printed
    name: str | None = None


@dataclass
class Tie:
    """A place where a sheet does not agree with itself: what it shows against what its lines add up to."""

    row: int
    cell: str | None
    column: str  # the header text as printed
    shown: Decimal
    read: Decimal
    kind: str = "total"  # "total": lines vs the 合计/本年累计 row; "row": a row's categories vs its eligible total


@dataclass
class SheetRead:
    """Everything one sheet in a foreign layout holds, as rdcheck uses it."""

    layout: str
    sheet: str
    lines: list[Line] = field(default_factory=list)
    projects: list[ProjectFact] = field(default_factory=list)
    enterprise: dict[str, Fact] = field(default_factory=dict)
    summary: list[SummaryRow] = field(default_factory=list)
    summary_edition: str | None = None
    ties: list[Tie] = field(default_factory=list)
    carries: frozenset[str] = frozenset()
    notes: list[dict[str, str]] = field(default_factory=list)


__all__ = ["Fact", "Line", "ProjectFact", "SheetRead", "SummaryRow", "Tie"]
