"""Rewrite the README's generated sections from the code (layout and rule catalogue); a test keeps them in sync."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from rdcheck.docs import layout_markdown, rules_markdown

SECTIONS = {"layout": layout_markdown, "rules": rules_markdown}


def synced(text: str) -> str:
    for name, render in SECTIONS.items():
        begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
        block = f"{begin}\n{render()}{end}"
        text = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _, b=block: b, text, flags=re.S)
    return text


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    path.write_text(synced(path.read_text(encoding="utf-8")), encoding="utf-8")
