"""Small text helpers shared by the readers, writers and the CLI: terminal width and one-line error text."""

from __future__ import annotations

import os
import re
import unicodedata

# What a terminal would act on rather than show: C0 controls but tab and newline (ESC starts OSC and CSI
# sequences, CR rewrites the line), DEL, C1 controls (U+009B is a one-byte CSI), and the bidirectional overrides
# and isolates that reorder what is shown.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SGR = re.compile("\x1b\\[[0-9;]*m")


def display_width(text: str) -> int:
    """Return the columns a string takes on a terminal or in a cell (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def one_line(text: object, limit: int = 200) -> str:
    """Return an error's text on one line, at most ``limit`` characters; an exception with no text gives its type."""
    line = " ".join(str(text).split())[:limit]
    if not line and isinstance(text, BaseException):
        return type(text).__name__
    return line


def terminal_safe(text: object, keep_colour: bool = False) -> str:
    """Return text fit to echo to a terminal: the control characters above removed.

    With keep_colour, the colour sequences (SGR, ``ESC [ … m``) rdcheck adds itself are kept; every other
    escape goes, so an enterprise name holding an OSC sequence cannot retitle a window or plant a link.
    """
    s = str(text)
    if not keep_colour:
        return _CONTROL.sub("", s)
    parts = _SGR.split(s)
    colours = _SGR.findall(s)
    out = [_CONTROL.sub("", parts[0])]
    for colour, part in zip(colours, parts[1:], strict=True):
        out += [colour, _CONTROL.sub("", part)]
    return "".join(out)


def display_path(path: str) -> str:
    """Return a path as text that JSON and Excel can hold.

    A file name that is not UTF-8 (a zip made on a Chinese Windows and unpacked on Linux keeps its GBK bytes)
    reaches Python with surrogate escapes, which no UTF-8 writer accepts: read it as GB18030 when it is that,
    else show the odd bytes as \\xNN.
    """
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        raw = os.fsencode(path)
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace")
