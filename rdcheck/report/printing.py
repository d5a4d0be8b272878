"""How rdcheck's workbooks print: A4, one page wide, landscape where wide, the header row on every page."""

from __future__ import annotations

from typing import Any

A4 = 9


def print_setup(ws: Any, landscape: bool = True, header_rows: int = 1, pages_tall: int = 0) -> None:
    """Set an xlsxwriter worksheet to print on A4 one page wide (``pages_tall`` 0: as many pages as the rows
    need), landscape unless told otherwise, repeating its first ``header_rows`` rows, page numbers at the foot."""
    ws.set_paper(A4)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, pages_tall)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.set_footer("&C&P / &N")
    if header_rows:
        ws.repeat_rows(0, header_rows - 1)
