"""A round against the previous round of the same year: changes.json, its sheet in summary.xlsx, its terminal line.

Each enterprise (统一社会信用代码) counted in this round falls in one list: `new` (no submission in the previous
round), `fixed` (failed then, not now), `new_failures` (passed or warned then, fails now), `still_failing`,
`unchanged` (the same bytes, sha256, and not failing) or `changed` (resubmitted, failing neither time). `missing`
holds the enterprises of the previous round or of the roster that this round lacks. Every item carries the
rule ids that appeared or went away and the key figures that moved.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from ..model import json_value
from .plan import RosterEntry, normalise_uscc
from .register import FIGURES, key_figures

LISTS = ("new", "fixed", "new_failures", "still_failing", "unchanged", "changed", "missing")
LIST_NAMES = {
    "zh": {
        "new": "新报送",
        "fixed": "已改正",
        "new_failures": "新增不通过",
        "still_failing": "仍不通过",
        "unchanged": "未变",
        "changed": "已更新",
        "missing": "缺报",
    },
    "en": {k: k.replace("_", " ") for k in LISTS},
}
FIGURE_NAMES = {
    "zh": {
        "rd_spending": "107-2第7行 研发费用合计",
        "intramural": "研发经费内部支出-估算",
        "intramural_reported": "研发经费内部支出-报送",
        "deduction_base": "A107012第40行",
        "deduction": "A107012第51行",
        "basic_research": "基础研究",
    },
    "en": {
        "rd_spending": "107-2 line 7",
        "intramural": "intramural (ledger)",
        "intramural_reported": "intramural (reported)",
        "deduction_base": "A107012 line 40",
        "deduction": "A107012 line 51",
        "basic_research": "basic research",
    },
}


def _int_year(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def counted_by_enterprise(results: Iterable[dict[str, Any]], year: int | None) -> dict[str, dict[str, Any]]:
    """The results a round counts for `year`: readable, not superseded, with a code; by 统一社会信用代码."""
    out: dict[str, dict[str, Any]] = {}
    for r in results:
        ent = r.get("enterprise")
        if r.get("status") in ("error", "superseded") or not isinstance(ent, dict):
            continue
        code = normalise_uscc(ent.get("uscc"))
        if code and _int_year(ent.get("year")) == year:
            out[code] = r
    return out


def round_year(results: Iterable[dict[str, Any]]) -> int | None:
    """The year most of the round's readable submissions are for (the later on a tie)."""
    years = Counter(
        _int_year((r.get("enterprise") or {}).get("year"))
        for r in results
        if r.get("status") not in ("error", "superseded") and isinstance(r.get("enterprise"), dict)
    )
    years.pop(None, None)
    if not years:
        return None
    return max(years.items(), key=lambda kv: (kv[1], kv[0]))[0]


def _rules(result: dict[str, Any]) -> set[str]:
    return {
        str(f.get("rule"))
        for f in result.get("findings") or []
        if isinstance(f, dict) and not f.get("waived") and f.get("rule")
    }


def _moved(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    a, b = key_figures(before), key_figures(after)
    moved = {}
    for key in FIGURES:
        if a[key] != b[key] and not (a[key] is not None and b[key] is not None and Decimal(a[key]) == Decimal(b[key])):
            moved[key] = {
                "before": None if a[key] is None else json_value(Decimal(a[key])),
                "after": None if b[key] is None else json_value(Decimal(b[key])),
            }
    return moved


def _item(code: str, now: dict[str, Any] | None, then: dict[str, Any] | None) -> dict[str, Any]:
    ent = (now or then or {}).get("enterprise") or {}
    after = _rules(now) if now else set()
    before = _rules(then) if then else set()
    return {
        "uscc": code,
        "name": ent.get("name"),
        "file": (now or {}).get("file"),
        "status": (now or {}).get("status"),
        "previous_status": (then or {}).get("status"),
        "rules_added": sorted(after - before),
        "rules_removed": sorted(before - after),
        "figures": _moved(then, now) if then and now else {},
    }


def compare(
    current: dict[str, dict[str, Any]],
    previous: dict[str, dict[str, Any]] | None,
    roster: Sequence[RosterEntry] | None = None,
    previous_round: int | None = None,
    year: int | None = None,
) -> dict[str, Any]:
    """changes.json (without `round`, which the register numbers): current and previous are uscc → §6 JSON."""
    lists: dict[str, list[dict[str, Any]]] = {k: [] for k in LISTS}
    prev = previous or {}
    for code in sorted(current):
        now, then = current[code], prev.get(code)
        item = _item(code, now, then)
        if then is None:
            lists["new"].append(item)
            continue
        failed_then, failed_now = then.get("status") == "fail", now.get("status") == "fail"
        if failed_then and failed_now:
            lists["still_failing"].append(item)
        elif failed_then:
            lists["fixed"].append(item)
        elif failed_now:
            lists["new_failures"].append(item)
        elif now.get("sha256") and now.get("sha256") == then.get("sha256"):
            lists["unchanged"].append(item)
        else:
            lists["changed"].append(item)
    missing: dict[str, dict[str, Any]] = {}
    for code in sorted(prev):
        if code not in current:
            item = _item(code, None, prev[code])
            item["why"] = "previous_round"
            missing[code] = item
    for entry in roster or ():
        if entry.uscc not in current and entry.uscc not in missing:
            missing[entry.uscc] = {
                "uscc": entry.uscc,
                "name": entry.name,
                "file": None,
                "status": None,
                "previous_status": None,
                "rules_added": [],
                "rules_removed": [],
                "figures": {},
                "why": "roster",
            }
    lists["missing"] = [missing[k] for k in sorted(missing)]
    return {"round": None, "year": year, "previous_round": previous_round, **lists}


def counts(changes: dict[str, Any]) -> dict[str, int]:
    return {k: len(changes.get(k) or []) for k in LISTS}


def summary_line(changes: dict[str, Any], lang: str = "zh") -> str:
    """The terminal's line: how many enterprises are in each list."""
    n = counts(changes)
    names = LIST_NAMES["en" if lang == "en" else "zh"]
    year, number = changes.get("year"), changes.get("round")
    if lang == "en":
        head = f"round {number} of {year}" if number else "round"
        against = "against the previous round" if changes.get("previous_round") else "(the year's first round)"
        return f"{head} {against}: " + ", ".join(f"{names[k]} {n[k]}" for k in LISTS)
    head = f"{year} 年第 {number} 轮" if number else "本轮"
    against = "对比上一轮" if changes.get("previous_round") else "（本年度第一轮）"
    return f"{head}{against}：" + "，".join(f"{names[k]} {n[k]}" for k in LISTS)


def sheet_writer(changes: dict[str, Any]) -> Any:
    """A summary.xlsx hook adding the 本轮变化 sheet: one row per enterprise in each list."""

    def write(wb: Any, header: Any, lang: str) -> None:
        en = lang == "en"
        names = LIST_NAMES["en" if en else "zh"]
        figure_names = FIGURE_NAMES["en" if en else "zh"]
        ws = wb.add_worksheet("changes" if en else "本轮变化")
        heads = (
            ("list", "统一社会信用代码", "企业名称", "status", "previous status", "rules added", "rules gone",
             "figures moved", "file")
            if en
            else ("类别", "统一社会信用代码", "企业名称", "本轮结论", "上轮结论", "新出现的规则", "消失的规则",
                  "变动的数字（上轮 → 本轮）", "文件")
        )  # fmt: skip
        for c, (text, width) in enumerate(zip(heads, (12, 21, 28, 10, 10, 16, 16, 60, 40), strict=True)):
            ws.write_string(0, c, text, header)
            ws.set_column(c, c, width)
        r = 0
        for key in LISTS:
            for item in changes.get(key) or []:
                r += 1
                moved = "；".join(
                    f"{figure_names.get(k, k)} {v['before']} → {v['after']}" for k, v in item["figures"].items()
                )
                values = (
                    names[key],
                    item["uscc"],
                    item.get("name"),
                    item.get("status"),
                    item.get("previous_status"),
                    " ".join(item["rules_added"]),
                    " ".join(item["rules_removed"]),
                    moved,
                    item.get("file"),
                )
                for c, value in enumerate(values):
                    if value is not None and value != "":
                        ws.write_string(r, c, str(value))
        ws.write_string(r + 2, 0, summary_line(changes, lang))
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(r, 1), len(heads) - 1)

    return write


__all__ = ["LISTS", "compare", "counted_by_enterprise", "counts", "round_year", "sheet_writer", "summary_line"]
