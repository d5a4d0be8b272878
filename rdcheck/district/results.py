"""results.jsonl: the JSON reports of many files, written and read (spec §5, §6).

One JSON report a line, then one closing record that states the file is complete:
``{"rdcheck_results": "complete", "files": N, "run": "…", "finished": "…"}``. The file is written to a temporary
and moved into place (rdcheck.outfile), so a finished batch's file always ends with it; a file cut short (a
copy interrupted, a disk that filled, a hand edit) does not, or its count does not match, and reading it is
refused unless the caller allows an incomplete file. The closing record has no `file` or `status`: it is not a
report.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from typing import Any

from ..errors import ConfigError
from ..outfile import replacing

END_KEY = "rdcheck_results"
END_VALUE = "complete"


class IncompleteResults(ConfigError):
    """A results.jsonl without its closing record, or with fewer reports than the record says."""


def results_line(result: dict[str, Any]) -> dict[str, Any]:
    """Return what results.jsonl holds for one file: its §6 JSON report, without the in-memory `_` keys."""
    return {k: v for k, v in result.items() if not k.startswith("_")}


def end_record(count: int, run: str | None = None) -> dict[str, Any]:
    """The closing record of a results.jsonl holding `count` reports."""
    record: dict[str, Any] = {END_KEY: END_VALUE, "files": count}
    if run:
        record["run"] = run
    record["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    return record


def is_end_record(item: Any) -> bool:
    return isinstance(item, dict) and item.get(END_KEY) == END_VALUE


def write_results_jsonl(
    results: Iterable[dict[str, Any]], path: str | os.PathLike[str], run: str | None = None
) -> None:
    """Write one JSON report a line (UTF-8, no BOM, LF line ends) and the closing record, atomically."""
    with replacing(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        count = 0
        for r in results:
            fh.write(json.dumps(results_line(r), ensure_ascii=False, allow_nan=False, default=str))
            fh.write("\n")
            count += 1
        fh.write(json.dumps(end_record(count, run), ensure_ascii=False))
        fh.write("\n")


def read_results_jsonl(path: str | os.PathLike[str], allow_incomplete: bool = False) -> list[dict[str, Any]]:
    """Read a batch's results.jsonl; raise ConfigError naming the line that is not a JSON report.

    A file that does not end with its closing record, or whose count does not match, raises IncompleteResults
    unless allow_incomplete (then the reports it has are returned).
    """
    results = []
    end: dict[str, Any] | None = None
    try:
        with open(path, encoding="utf-8-sig") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                except json.JSONDecodeError as exc:
                    if not line.endswith("\n"):  # the last line, cut short
                        end = None
                        if allow_incomplete:
                            break
                        _check_complete(path, results, None)
                    raise ConfigError(
                        f"{path}: 第 {n} 行不是 JSON：{exc.msg}", f"{path}: line {n} is not JSON: {exc.msg}"
                    ) from None
                if is_end_record(item):
                    end = item
                    continue
                if end is not None or not isinstance(item, dict) or "file" not in item or "status" not in item:
                    raise ConfigError(
                        f"{path}: 第 {n} 行不是 rdcheck 检查结果", f"{path}: line {n} is not an rdcheck report"
                    )
                results.append(item)
    except OSError as exc:
        raise ConfigError(f"无法读取 {path}：{exc.strerror}", f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path} 不是 UTF-8 文本", f"{path} is not UTF-8 text") from None
    if not allow_incomplete:
        _check_complete(path, results, end)
    return results


def _check_complete(path: str | os.PathLike[str], results: list[dict[str, Any]], end: dict[str, Any] | None) -> None:
    hint_zh = "请重新运行 rdcheck batch，或加 --allow-incomplete 按现有内容汇总"
    hint_en = "run rdcheck batch again, or add --allow-incomplete to use what it holds"
    if end is None:
        raise IncompleteResults(
            f"{path} 不完整（缺少结束记录，只有 {len(results)} 份检查结果，可能被截断或不是一次完整的批量检查）；{hint_zh}",
            f"{path} is incomplete (no closing record; {len(results)} reports; cut short or not a finished batch); "
            f"{hint_en}",
        )
    expected = end.get("files")
    if expected != len(results):
        raise IncompleteResults(
            f"{path} 不完整（结束记录为 {expected} 份，实际 {len(results)} 份）；{hint_zh}",
            f"{path} is incomplete (its closing record says {expected} reports, it holds {len(results)}); {hint_en}",
        )


__all__ = [
    "END_KEY",
    "IncompleteResults",
    "end_record",
    "is_end_record",
    "read_results_jsonl",
    "results_line",
    "write_results_jsonl",
]
