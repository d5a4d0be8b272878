"""Render the layout table and the rule catalogue as Markdown, for the README (kept in sync by a test)."""

from __future__ import annotations

from .workbook.layout import AMOUNT, CATEGORIES, SHEETS


def layout_markdown() -> str:
    """Return the sheets, their columns or keys, English aliases and units as Markdown tables."""
    out: list[str] = []
    for sheet in SHEETS:
        names = " / ".join((sheet.alias, *sheet.aliases))
        need = "必需 required" if sheet.required else "可选 optional"
        out.append(f"**{sheet.name}** (`{names}`, {need}) — {sheet.doc}\n")
        out.append("| 名称 name | alias | 必填 | 单位 unit | 其他名称 also read |")
        out.append("|---|---|---|---|---|")
        for f in sheet.fields:
            unit = f.unit or ("元" if f.kind == AMOUNT else "")
            also = ", ".join(f.aliases)
            out.append(f"| {f.name} | `{f.alias}` | {'是' if f.required else ''} | {unit} | {also} |")
        out.append("")
    out.append("**费用类别 / 明细项目** (spec §2.4)\n")
    out.append("| 类别 | 明细项目 (code name → A107012 line) |")
    out.append("|---|---|")
    for n, (name, subs) in CATEGORIES.items():
        items = "; ".join(f"{code} {sub}" + (f" → {line}" if line else "") for code, (sub, line) in subs.items())
        out.append(f"| {n} {name} | {items} |")
    return "\n".join(out) + "\n"


def rules_markdown() -> str:
    """Return the rule catalogue as a Markdown table: id, pillar, default severity, title, basis."""
    from .engine import load_catalogue

    pillars = {"F": "F 文件", "B": "B 应建尽建", "C": "C 应提尽提", "T": "T 应统尽统"}
    out = ["| id | 类别 pillar | 默认 severity | 检查 check | 依据 basis |", "|---|---|---|---|---|"]
    for rule in load_catalogue():
        basis = rule.basis.replace("|", "\\|")
        out.append(
            f"| {rule.id} | {pillars[rule.pillar]} | {rule.severity} | {rule.title['zh']} ({rule.title['en']}) | {basis} |"
        )
    return "\n".join(out) + "\n"
