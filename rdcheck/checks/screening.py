"""C: line-level screening for spending the deduction does not cover (issue 12): the sub-item against the
contractor's type (C15), fiscal funds (C16), R&D done for a client (C17) and 摘要 words (C18)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import numpy as np
import pandas as pd

from ..compute.columns import Distinct
from ..workbook.layout import LEDGER, PROJECTS
from .claim import policy_of
from .common import ZERO, dec, key, ledger, line_in, line_is, project_book_sums, projects, tax_year
from .registry import Context, Hit, check

LED, PRJ = LEDGER.name, PROJECTS.name

# 明细项目 of category 7 → the 受托方类型 it stands for (spec §2.4): 7.1 委托境内机构或个人, 7.2 委托境外机构,
# 7.3 委托境外个人.
SUBITEM_CONTRACTORS = {
    "7.1": ("境内研究机构", "境内高等学校", "境内企业", "境内个人"),
    "7.2": ("境外机构",),
    "7.3": ("境外个人",),
}
SUBITEM_NAMES = {"7.1": "委托境内机构或个人", "7.2": "委托境外机构", "7.3": "委托境外个人"}


def _lines_ready(ctx: Context) -> bool:
    return ctx.book.ledger.present and not ctx.book.ledger.data.empty


@check("C15")
def subitem_contractor_mismatch(ctx: Context) -> Iterator[Hit]:
    """A category-7 line whose 受托方类型 contradicts its 明细项目: 7.1 to an 境外 contractor is deducted at 80% with
    no 2/3 cap while 107-2 books it abroad; 7.2 to an 境内 one is capped as overseas (财税〔2018〕64号 一)."""
    if not _lines_ready(ctx):
        return
    lines = ledger(ctx)
    kind = ctx.book.ledger.data["受托方类型"]
    kinds = Distinct(kind)
    for sub, allowed in SUBITEM_CONTRACTORS.items():
        other = kinds.mask(lambda k, allowed=allowed: k.notna() & ~k.isin(allowed))
        wrong = line_is(ctx, "sub", sub) & other & lines["counted"]
        for row in lines.index[wrong.astype(bool)]:
            yield Hit(
                sheet=LED,
                row=int(row),
                column="明细项目",
                value=sub,
                values={"subitem": f"{sub} {SUBITEM_NAMES[sub]}", "contractor_type": kind[row]},
            )


def _summaries(ctx: Context) -> Distinct:
    """The ledger's 摘要, factorized once per run: a 100k-line ledger repeats a few thousand texts at most."""
    return ctx.cached("summaries", lambda: Distinct(ctx.book.ledger.data["摘要"]))


def _summary_text(ctx: Context) -> pd.Series:
    """Each line's 摘要 as text ("" when empty or not text)."""

    def make() -> pd.Series:
        texts = _summaries(ctx)
        shown = np.array([v if isinstance(v, str) else "" for v in texts.values] + [""], dtype=object)
        return pd.Series(shown[texts.codes], index=texts.series.index, dtype=object)

    return ctx.cached("summary_text", make)


def _claimed_lines(ctx: Context) -> pd.Series:
    """Counted lines of categories 1-7 that carry a 可加计金额 other than 0 (a boolean mask)."""

    def make() -> pd.Series:
        lines = ledger(ctx)
        eligible = lines["eligible"].to_numpy(dtype=object)
        if set(map(type, eligible)) <= {Decimal, type(None)}:  # dec(v) is v, or 0 for None: its truth
            nonzero = np.fromiter(map(bool, eligible), dtype=bool, count=len(eligible))
        else:
            nonzero = np.array([dec(v) != 0 for v in eligible], dtype=bool)
        nonzero = pd.Series(nonzero.astype(bool), index=lines.index)
        return (lines["counted"] & line_in(ctx, "cat", range(1, 8)) & nonzero).astype(bool)

    return ctx.cached("claimed_lines", make)


def _holding(ctx: Context, word: str) -> np.ndarray:
    """Which distinct 摘要 contain ``word`` (by distinct text, the last slot for an empty cell; spread a line's
    with ``_summaries(ctx).codes``), looked for once per distinct text and kept per word."""

    def make() -> np.ndarray:
        texts = _summaries(ctx)
        found = [word in (v if isinstance(v, str) else "") for v in texts.values] + [word in ""]
        return np.array(found, dtype=bool)

    return ctx.cached(f"holding:{word}", make)


def _naming(ctx: Context, words: list[str]) -> pd.Series:
    """The 摘要 of the claimed lines (``_claimed_lines``) that name any of ``words``, indexed by Excel row."""
    return _summary_text(ctx)[_naming_mask(ctx, words)]


def _naming_mask(ctx: Context, words: list[str]) -> np.ndarray:
    """Which ledger lines (by position) are claimed lines whose 摘要 names any of ``words``."""
    texts = _summaries(ctx)
    named = np.zeros(len(texts.values) + 1, dtype=bool)
    for word in words:
        named |= _holding(ctx, word)
    return named[texts.codes] & _claimed_lines(ctx).to_numpy()


@check("C16")
def fiscal_funds(ctx: Context) -> Iterator[Hit]:
    """国家税务总局公告2015年第97号 二（五）: 企业取得作为不征税收入处理的财政性资金用于研发活动所形成的费用或无形
    资产，不得计算加计扣除或摊销. A line whose 摘要 names fiscal funds and still carries a 可加计金额, while
    企业信息 states no 不征税收入用于研发: ask which it is."""
    if not _lines_ready(ctx) or isinstance(key(ctx, "不征税收入用于研发"), Decimal):
        return
    words = policy_of(ctx).fiscal_fund_words(tax_year(ctx))
    if not words:
        return
    for row, line in _naming(ctx, words).items():
        found = next(w for w in words if w in line)  # the first word of the list is the one named
        yield Hit(sheet=LED, row=int(row), column="摘要", value=line, values={"word": found})


@check("C17")
def done_for_client(ctx: Context) -> Iterator[Hit]:
    """受托研发 projects: the client claims (财税〔2015〕119号 二（一） 受托方不得再进行加计扣除); their spending is left
    out of the deduction base and kept in the statistics."""
    if not ctx.book.projects.present or not _lines_ready(ctx):
        return
    p = projects(ctx)
    client = p[p["受托研发"] == True]  # noqa: E712 (None is not True)
    if client.empty:
        return
    sums = project_book_sums(ctx)
    for row, pid in client["项目编号"].items():
        amount = dec(sums.get(pid, ZERO))
        if amount:
            yield Hit(sheet=PRJ, row=int(row), column="受托研发", values={"project": pid, "amount": amount})


@check("C18")
def summary_words(ctx: Context) -> Iterator[Hit]:
    """A line in categories 1-7 with a 可加计金额 whose 摘要 names spending the positive list does not allow or an
    excluded activity (word list: rules/policy.yaml `non_deductible_words`, with the sub-items where a word is normal)."""
    if not _lines_ready(ctx):
        return
    words = policy_of(ctx).non_deductible_words(tax_year(ctx))
    if not words:
        return
    # only the lines naming any of the words are looked at word by word
    at = np.flatnonzero(_naming_mask(ctx, [item["word"] for item in words]))
    text, codes = _summary_text(ctx), _summaries(ctx).codes[at]
    hits: dict[int, dict] = {}
    for item in words:
        found = _holding(ctx, item["word"])[codes] & ~line_in(ctx, "sub", item["except"]).to_numpy()[at]
        for row in text.index[at[found]]:
            hits.setdefault(int(row), item)
    for row in sorted(hits):
        item = hits[row]
        yield Hit(
            sheet=LED,
            row=row,
            column="摘要",
            value=text[row],
            values={"word": item["word"], "reason": item["reason"]},
        )
