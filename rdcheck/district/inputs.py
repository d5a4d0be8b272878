"""Finding a batch's inputs: every workbook under DIR once, and nothing outside it unless asked (spec §5).

A symbolic link under DIR that leads outside it (to a file or a folder) is not followed: it is reported with its
reason, so that a batch reads only what was put in DIR (``--follow-links`` follows such links, each real file
once, never into a loop). Links that stay inside DIR are followed. Named pipes and devices with a workbook's name
are listed like any file and get their own one-line reason from the preflight.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
FEEDBACK_DIR = "feedback"
RESULTS_NAME = "results.jsonl"
# what a batch or a rollup writes next to its results: never an input of a later run over the same tree
OUTPUT_MARKERS = (RESULTS_NAME, "rollup.json", "rollup-public.json")
OUTPUT_WORKBOOKS = ("summary.xlsx", "rollup.xlsx", "rollup-public.xlsx")


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _outside_reason(path: Path, real: Path) -> tuple[str, str]:
    return (
        f"符号链接指向所查文件夹之外（{real}），已跳过；确需读取请加 --follow-links",
        f"a symbolic link to outside the folder ({real}); skipped (add --follow-links to read it)",
    )


def find_inputs(
    root: str | os.PathLike[str],
    exclude: Iterable[str | os.PathLike[str]] = (),
    follow_links: bool = False,
) -> tuple[list[Path], dict[str, tuple[str, str]]]:
    """Return (every .xlsx/.xlsm/.xls under root sorted by path, each real file once; the links skipped).

    Skipped without a word: Office lock files (~$*) and macOS resource forks (._*); the folders in `exclude`; and
    in a folder holding an earlier batch's or rollup's outputs (results.jsonl, rollup.json), its summary.xlsx,
    rollup.xlsx and feedback/ — annotated copies that would otherwise be checked again and supersede their
    originals. Skipped with a reason (zh, en), by path: links that lead outside root, unless follow_links.
    """
    root = Path(root)
    if not root.is_dir():
        return [root], {}
    top = root.resolve()
    excluded = {Path(p).resolve() for p in exclude}
    found: list[Path] = []
    skipped: dict[str, tuple[str, str]] = {}
    seen: set[Path] = set()
    walked: set[Path] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        here = Path(dirpath)
        real_here = here.resolve()
        if real_here in walked:  # a link back into a folder already walked: no loop, no double
            dirnames[:] = []
            continue
        walked.add(real_here)
        output = any(name in OUTPUT_MARKERS for name in filenames)
        kept = []
        for d in sorted(dirnames):
            sub = here / d
            real = sub.resolve()
            if real in excluded or (output and d == FEEDBACK_DIR):
                continue
            if sub.is_symlink() and not _inside(real, top) and not follow_links:
                skipped[str(sub)] = _outside_reason(sub, real)
                continue
            kept.append(d)
        dirnames[:] = kept
        for name in filenames:
            if name.startswith(("~$", "._")):  # Office lock files and macOS resource forks
                continue
            if output and name in OUTPUT_WORKBOOKS:
                continue
            if Path(name).suffix.lower() not in WORKBOOK_SUFFIXES:
                continue
            path = here / name
            real = path.resolve()
            if not follow_links and not _inside(real, top):
                skipped[str(path)] = _outside_reason(path, real)
                continue
            if real in seen:  # a symbolic link to a file already found: one input, checked once
                continue
            seen.add(real)
            found.append(path)
    return sorted(found, key=str), skipped


def find_workbooks(root: str | os.PathLike[str], exclude: Iterable[str | os.PathLike[str]] = ()) -> list[Path]:
    """The workbooks of :func:`find_inputs` (links leading outside root left out)."""
    return find_inputs(root, exclude)[0]


__all__ = ["WORKBOOK_SUFFIXES", "find_inputs", "find_workbooks"]
