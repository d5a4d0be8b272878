"""Findings and the Report: what checking one workbook produced, as data (spec §3, §6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

SEVERITIES = ("error", "warning", "info")
PILLARS = ("F", "B", "C", "T")
FEN = Decimal("0.01")


def to_fen(amount: Decimal) -> Decimal:
    """Round an amount half-up to the fen, for showing."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def decimal_or_none(value: Any) -> Decimal | None:
    """Return a JSON or workbook figure as an exact Decimal; None when absent, boolean, not a number or not finite."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (ArithmeticError, ValueError):
        return None
    return number if number.is_finite() else None


def json_value(value: Any) -> Any:
    """Return a value as JSON: Decimals as numbers rounded to the fen, dates as ISO text."""
    if isinstance(value, Decimal):
        q = to_fen(value)
        return int(q) if q == q.to_integral_value() else float(q)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    return value


@dataclass
class Finding:
    """One problem found: which rule, where (sheet, Excel row, column, cell) and what it says."""

    rule: str
    severity: str
    pillar: str
    sheet: str | None
    row: int | None
    column: str | None
    cell: str | None
    message: str
    value: Any = None
    basis: str = ""
    waived: str | None = None  # the bureau accepted an explanation: the waiver's reason (rdcheck.district.waivers)
    hint: str = ""  # how to fix it: the allowed values, the expected figure, what to do

    def to_dict(self) -> dict[str, Any]:
        data = {
            "rule": self.rule,
            "severity": self.severity,
            "pillar": self.pillar,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "cell": self.cell,
            "message": self.message,
            "value": json_value(self.value),
            "basis": self.basis,
            "hint": self.hint,
        }
        if self.waived is not None:  # only then: a report without waivers keeps the exact shape of spec §6
            data["waived"] = True
            data["waiver"] = self.waived
        return data


@dataclass
class Report:
    """The result of checking one workbook."""

    file: str
    sha256: str | None
    version: str
    enterprise: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    a107012: dict[str, Any] = field(default_factory=dict)
    tax_saving: Any = None
    stats: dict[str, Any] = field(default_factory=dict)
    reconciliation: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # things the output must say (e.g. 2022 Q4 not modelled)
    calc: Any = None  # the full computation (rdcheck.compute.Computation), for the xlsx and text writers
    book: Any = None  # the Book that was checked, for the annotated copy
    withheld: bool = False  # figures withheld (null): a sheet they depend on does not tie out (B13)

    @property
    def counts(self) -> dict[str, int]:
        """Findings by severity; a waived finding is shown but no longer counts (nor sets the status)."""
        counts = dict.fromkeys(SEVERITIES, 0)
        for f in self.findings:
            if f.waived is None:
                counts[f.severity] = counts.get(f.severity, 0) + 1
        return counts

    @property
    def status(self) -> str:
        counts = self.counts
        if counts["error"]:
            return "fail"
        if counts["warning"]:
            return "warn"
        return "pass"

    def flatten(self, keys: list[str]) -> list[list[Any]]:
        """Return each finding as a list of the named attributes — tests become one-line assertions."""
        return [[getattr(f, k) for k in keys] for f in self.findings]

    def to_dict(self) -> dict[str, Any]:
        """Return the report in the JSON shape of spec §6, exactly (notes go to the text and xlsx reports)."""
        return {
            "file": self.file,
            "sha256": self.sha256,
            "rdcheck": self.version,
            "status": self.status,
            "enterprise": json_value(self.enterprise),
            "counts": self.counts,
            "findings": [f.to_dict() for f in self.findings],
            "a107012": json_value(self.a107012),
            "tax_saving": json_value(self.tax_saving),
            "stats": json_value(self.stats),
            "reconciliation": json_value(self.reconciliation),
            **self._layouts(),
        }

    def _layouts(self) -> dict[str, Any]:
        """``layouts`` (which layout each sheet was read as) and ``withheld``, for a workbook in foreign layouts."""
        foreign = getattr(self.book, "foreign", None)
        if foreign is None:
            return {}
        return {"layouts": foreign.layouts_json(), "withheld": self.withheld}


def error_dict(file: str, reason: str) -> dict[str, Any]:
    """The JSON of a file that cannot be read (spec §6)."""
    return {"file": file, "status": "error", "error": reason}
