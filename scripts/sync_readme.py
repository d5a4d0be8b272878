"""Rewrite the README's generated sections from the code (the workbook layout); a test keeps them in sync."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from rdcheck.workbook.doc import layout_markdown

BEGIN, END = "<!-- layout:begin -->", "<!-- layout:end -->"


def synced(text: str) -> str:
    block = f"{BEGIN}\n{layout_markdown()}{END}"
    return re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    path.write_text(synced(path.read_text(encoding="utf-8")), encoding="utf-8")
