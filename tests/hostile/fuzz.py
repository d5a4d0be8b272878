"""Fuzz the reader, the checks and the annotated copy with mutated workbooks (issue 11).

    python tests/hostile/fuzz.py --count 10000 --jobs 2 [--seed 1] [--keep DIR]

Each case is a small valid workbook mutated at one of three levels — the zip (bytes flipped, cut, members dropped,
duplicated or given lying sizes), the XML (spans cut, doubled or swapped, tags and attributes altered, entities
and bad encodings planted) or the cell (hostile values: -1e20 under a date style, 1e308, NaN, far references,
out-of-range style and shared-string indexes, control characters, huge strings) — and then checked exactly as
`rdcheck batch` checks it: in the fault-isolated worker pool, with the feedback workbook written. Every outcome is
classed:

- clean: a result (pass/warn/fail), or an `error` row whose reason is a ReadError's one line;
- traceback: an unexpected exception in the checker ("内部错误") or in the feedback writer;
- crash: the worker process died (a signal, an abort, a panic that escaped);
- hang: the worker ran past the time limit.

Everything but clean must be 0. Not part of the test suite (tests/hostile/test_fuzz_sample.py runs a small
sample); the run's numbers are reported in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import tempfile
import time
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_corpus import old_xls, standard  # noqa: E402

HOSTILE_NUMBERS = ["-1e20", "1e308", "-1e308", "NaN", "inf", "-0", "2958466", "-1", "1e-320", "99999999999999999999",
                   "0x10", "1,5", " 12 ", "", "1e", "--1", "4.9e-324", "2958465.9999999", "-693594", "60"]  # fmt: skip
HOSTILE_TEXT = ["\x1b]0;pwn\x07", "=cmd|' /C calc'!A0", "\u202e否", "𠀀" * 300, "A" * 40000, "\ud800", "&amp;&lt;",
                "<![CDATA[x]]>", "#REF!", "  ", "是\x00否"]  # fmt: skip
FAR_REFS = ["XFD1048576", "A1048577", "XFE1", "A0", "0", "AAAAA1", "A-1", "ZZ99999999", "", "A1:B2", "$A$1"]


def seeds(folder: Path) -> list[Path]:
    """The valid workbooks every case starts from: standard books with dates and amounts, one with extra sheets, one
    of 2,500 lines (the Arrow path), and an .xls."""
    folder.mkdir(parents=True, exist_ok=True)

    def extra(wb: Any) -> None:
        ws = wb.add_worksheet("备注")
        date = wb.add_format({"num_format": "yyyy-mm-dd"})
        ws.write_number(0, 0, 45000, date)
        ws.write_string(1, 0, "说明")

    out = [
        standard(folder / "s3.xlsx", lines=3),
        standard(folder / "s12.xlsx", lines=12, extra=extra),
        standard(folder / "headers.xlsx", headers_only=True),
        # big enough for the Arrow reader (workbook/arrow.py reads a table sheet of 2,000 rows or more)
        standard(folder / "s2500.xlsx", lines=2500),
    ]
    out.append(old_xls(folder / "old.xls"))
    return out


# ---------------------------------------------------------------- mutations


def _zip_parts(path: Path) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(path) as zf:
        return [(i, zf.read(i)) for i in zf.infolist()]


def _write_zip(dest: Path, parts: list[tuple[zipfile.ZipInfo, bytes]]) -> None:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in parts:
            zi = zipfile.ZipInfo(info.filename, info.date_time)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(zi, data)


def zip_level(src: Path, dest: Path, rng: random.Random) -> str:
    raw = bytearray(src.read_bytes())
    kind = rng.choice(["flip", "cut", "drop", "dup", "sizes", "swap", "zero"])
    if kind == "flip":
        for _ in range(rng.randint(1, 20)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
    elif kind == "cut":
        raw = raw[: rng.randrange(1, len(raw))]
    elif kind == "zero":
        start = rng.randrange(len(raw))
        raw[start : start + rng.randint(1, 512)] = b"\x00" * len(raw[start : start + 512])
    elif kind == "sizes":  # lie in the central directory's sizes
        at = raw.rfind(b"PK\x01\x02")
        while at > 0:
            raw[at + 24 : at + 28] = rng.randrange(2**32).to_bytes(4, "little")
            at = raw.rfind(b"PK\x01\x02", 0, at)
    else:
        parts = _zip_parts(src)
        if kind == "drop":
            parts.pop(rng.randrange(len(parts)))
        elif kind == "dup":
            info, data = rng.choice(parts)
            parts.append((info, data))
        else:
            i, j = rng.randrange(len(parts)), rng.randrange(len(parts))
            parts[i], parts[j] = (parts[i][0], parts[j][1]), (parts[j][0], parts[i][1])
        try:
            _write_zip(dest, parts)
        except (ValueError, OSError):
            dest.write_bytes(bytes(raw))
        return f"zip:{kind}"
    dest.write_bytes(bytes(raw))
    return f"zip:{kind}"


_TAGS = [b'<c r="XFD1048576"><v>1</v></c>', b'<row r="1048577"><c r="A1"><v>1</v></c></row>', b"<c><v>1</v></c>",
         b'<c r="B2" t="e"><v>#DIV/0!</v></c>', b'<c r="C3" t="s"><v>999999</v></c>', b'<c r="D4" s="999"><v>1</v></c>',
         b'<c r="E5" t="d"><v>not-a-date</v></c>', b'<c r="F6" t="b"><v>7</v></c>', b"<mergeCell ref=\"A1:XFD1048576\"/>",
         b'<c r="G7" t="inlineStr"><is><t>\xe2\x80\xae</t></is></c>', b"\xff\xfe", b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
         b'<dimension ref="A1:XFD1048576"/>', b"&a;", b"<row/>", b"</sheetData>"]  # fmt: skip


def xml_level(src: Path, dest: Path, rng: random.Random) -> str:
    parts = _zip_parts(src)
    xml = [k for k, (info, _) in enumerate(parts) if info.filename.endswith((".xml", ".rels"))]
    k = rng.choice(xml)
    info, data = parts[k]
    data = bytearray(data)
    kind = rng.choice(["cut", "dup", "swap", "tag", "attr", "truncate", "encoding"])
    a, b = sorted(rng.randrange(len(data) + 1) for _ in range(2))
    if kind == "cut":
        del data[a:b]
    elif kind == "dup":
        data[b:b] = data[a:b]
    elif kind == "swap":
        c = rng.randrange(len(data) + 1)
        data[a:c] = data[a:c][::-1] if c > a else data[a:c]
    elif kind == "tag":
        data[a:a] = rng.choice(_TAGS)
    elif kind == "attr":
        attrs = [m.start(1) for m in re.finditer(rb'="([^"]*)"', bytes(data))]
        for at in sorted(rng.sample(attrs, min(len(attrs), rng.randint(1, 5))), reverse=True):
            end = data.find(b'"', at)
            if end < 0:
                continue
            data[at:end] = rng.choice([b"XFD1048576", b"-1", b"999999", b"", b"A0", b"1e400", b"\xc3", b"e", b"s"])
    elif kind == "truncate":
        data = data[:a]
    else:
        data = bytearray(
            data.decode("utf-8", "replace").encode(rng.choice(["utf-16", "gb18030", "latin-1"]), "replace")
        )
    parts[k] = (info, bytes(data))
    _write_zip(dest, parts)
    return f"xml:{kind}:{info.filename}"


def cell_level(src: Path, dest: Path, rng: random.Random) -> str:
    parts = _zip_parts(src)
    sheets = [k for k, (info, _) in enumerate(parts) if info.filename.startswith("xl/worksheets/")]
    k = rng.choice(sheets)
    info, data = parts[k]
    text = data.decode("utf-8")
    cells = list(re.finditer(r"<c r=\"([A-Z]+)(\d+)\"([^>]*)>(.*?)</c>", text))
    if not cells:
        return zip_level(src, dest, rng)
    kind = rng.choice(["number", "date", "text", "ref", "style", "shared"])
    for m in rng.sample(cells, min(len(cells), rng.randint(1, 4))):
        col, row, attrs, _ = m.groups()
        if kind == "number":
            new = f'<c r="{col}{row}"><v>{rng.choice(HOSTILE_NUMBERS)}</v></c>'
        elif kind == "date":  # style 1 is a date in the seed books that have one; any style otherwise
            new = f'<c r="{col}{row}" s="{rng.randint(0, 8)}"><v>{rng.choice(HOSTILE_NUMBERS)}</v></c>'
        elif kind == "text":
            value = rng.choice(HOSTILE_TEXT).encode("utf-8", "surrogatepass").decode("utf-8", "replace")
            value = value.replace("&", "&amp;").replace("<", "&lt;").replace("\x00", "&#0;")
            new = f'<c r="{col}{row}" t="inlineStr"><is><t>{value}</t></is></c>'
        elif kind == "ref":
            new = f'<c r="{rng.choice(FAR_REFS)}"{attrs}>{m.group(4)}</c>'
        elif kind == "style":
            new = f'<c r="{col}{row}" s="{rng.choice([-1, 999, 65536, 2**31])}"{attrs}>{m.group(4)}</c>'
        else:
            new = f'<c r="{col}{row}" t="s"><v>{rng.choice([-1, 99999, 2**40, "x"])}</v></c>'
        text = text.replace(m.group(0), new, 1)
    parts[k] = (info, text.encode("utf-8", "surrogatepass"))
    _write_zip(dest, parts)
    return f"cell:{kind}"


def ole_level(src: Path, dest: Path, rng: random.Random) -> str:
    raw = bytearray(src.read_bytes())
    for _ in range(rng.randint(1, 30)):
        raw[rng.randrange(len(raw))] = rng.randrange(256)
    if rng.random() < 0.2:
        raw = raw[: rng.randrange(512, len(raw))]
    dest.write_bytes(bytes(raw))
    return "ole:flip"


MUTATORS: list[Callable[[Path, Path, random.Random], str]] = [zip_level, xml_level, cell_level]


def make_case(seed_books: list[Path], dest: Path, rng: random.Random) -> str:
    src = rng.choice(seed_books)
    if src.suffix == ".xls":
        return ole_level(src, dest, rng)
    mutate = rng.choice(MUTATORS)
    try:
        return mutate(src, dest, rng)
    except (ValueError, IndexError, UnicodeError, zipfile.BadZipFile) as exc:  # the mutator's own limits
        how = zip_level(src, dest, rng)
        return f"{how} (after {mutate.__name__}: {type(exc).__name__})"


# ---------------------------------------------------------------- running and classing


def classify(result: dict[str, Any]) -> str:
    """clean / traceback / crash / hang for one result of the batch pool."""
    if result.get("status") != "error":
        feedback = str(result.get("_feedback_error") or "")
        if feedback and not feedback.startswith(("ReadError", "OutputRefused")):
            return "traceback"
        return "clean"
    reason = str(result.get("error", ""))
    if reason.startswith(("内部错误", "internal error")):
        return "traceback"
    if reason.startswith(("检查进程崩溃", "检查进程异常退出", "the checking process")):
        return "crash"
    if reason.startswith(("检查超时", "timed out")):
        return "hang"
    return "clean"


def run(count: int, seed: int = 1, jobs: int = 2, timeout: float = 60.0, keep: Path | None = None,
        chunk: int = 500, progress: bool = False) -> dict[str, Any]:  # fmt: skip
    """Make and check `count` mutated workbooks; return the counts by outcome, level and example failures."""
    from rdcheck.district.batch import check_files

    rng = random.Random(seed)
    work = Path(tempfile.mkdtemp(prefix="rdcheck-fuzz-"))
    outcomes: Counter[str] = Counter()
    levels: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    failures: list[dict[str, Any]] = []
    started = time.monotonic()
    try:
        warnings.filterwarnings("ignore", "Duplicate name", UserWarning)  # a duplicated part is the mutation
        books = seeds(work / "seeds")
        done = 0
        while done < count:
            batch = work / f"batch-{done}"
            batch.mkdir()
            how: dict[str, str] = {}
            for i in range(done, min(count, done + chunk)):
                src = rng.choice(books)
                dest = batch / f"case{i:06d}{src.suffix}"
                how[str(dest)] = make_case([src], dest, rng)
            paths = sorted(how)
            results = check_files(paths, jobs=jobs, timeout=timeout, feedback_dir=batch / "feedback")
            for path, result in zip(paths, results, strict=True):
                outcome = classify(result)
                outcomes[outcome] += 1
                levels[how[path].split(":")[0]] += 1
                statuses[result.get("status", "?")] += 1
                if outcome != "clean":
                    failures.append({"case": Path(path).name, "how": how[path], "outcome": outcome,
                                     "error": result.get("error") or result.get("_feedback_error")})  # fmt: skip
                    if keep is not None:
                        keep.mkdir(parents=True, exist_ok=True)
                        shutil.copy(path, keep / Path(path).name)
            done += len(paths)
            shutil.rmtree(batch, ignore_errors=True)
            if progress:
                elapsed = time.monotonic() - started
                print(f"{done}/{count} {dict(outcomes)} {elapsed:.0f}s", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "cases": count,
        "seed": seed,
        "seconds": round(time.monotonic() - started, 1),
        "outcomes": dict(outcomes),
        "levels": dict(levels),
        "statuses": dict(statuses),
        "failures": failures[:50],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--keep", type=Path, help="copy every case that is not clean here")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # zipfile's duplicate-name warning is the point of a mutation
    report = run(args.count, args.seed, args.jobs, args.timeout, args.keep, progress=True)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    bad = sum(v for k, v in report["outcomes"].items() if k != "clean")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
