"""Where one check's time goes, step by step, in one process (for profiling; `run.py` is the benchmark).

    python bench/phases.py FILE [--xlsx OUT] [--repeat 1]

Prints the wall time of each step — imports, safety scan, calamine read, parsing into the Book, computation,
rules, JSON rendering, the annotated copy — and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

T0 = time.perf_counter()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--xlsx", help="also write the annotated copy here")
    ap.add_argument("--repeat", type=int, default=1, help="repeat the steps after the first (warm) run")
    args = ap.parse_args(argv)
    steps: list[tuple[str, float]] = []
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        steps.append((name, now - t))
        t = now

    import rdcheck.cli  # noqa: F401  (what the command imports before it reads anything)

    lap("import rdcheck.cli")
    from rdcheck.api import check_book, sha256_of
    from rdcheck.engine import Config
    from rdcheck.report import json as json_report
    from rdcheck.workbook import reader, safety

    config = Config.load(None)
    lap("import api/engine, Config.load")
    for i in range(args.repeat):
        tag = "" if i == 0 else f" (#{i + 1})"
        safety.inspect(args.file, None, reader.wanted_sheet)
        lap("safety.inspect" + tag)
        with reader.gc_paused():  # as read_book does
            sheets = reader.load_sheets(args.file)
            lap("load_sheets (incl. inspect)" + tag)
            book = reader.book_from_sheets(sheets, path=args.file)
            del sheets
            lap("book_from_sheets" + tag)
        sha = sha256_of(args.file)
        lap("sha256" + tag)
        report = check_book(book, config=config, sha256=sha)
        lap("check_book (compute + rules)" + tag)
        json_report.render(report)
        lap("json render" + tag)
        if args.xlsx:
            from rdcheck.report.xlsx import write_annotated

            write_annotated(report, args.xlsx)
            lap("write_annotated" + tag)
    width = max(len(n) for n, _ in steps)
    for name, secs in steps:
        print(f"{name:<{width}}  {secs:7.3f} s")
    print(f"{'total (from interpreter start)':<{width}}  {time.perf_counter() - T0:7.3f} s")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
