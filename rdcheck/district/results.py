"""results.jsonl: the JSON reports of many files, written and read (spec §5, §6)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import Any

from ..errors import ConfigError


def results_line(result: dict[str, Any]) -> dict[str, Any]:
    """Return what results.jsonl holds for one file: its §6 JSON report, without the in-memory `_` keys."""
    return {k: v for k, v in result.items() if not k.startswith("_")}


def write_results_jsonl(results: Iterable[dict[str, Any]], path: str | os.PathLike[str]) -> None:
    """Write one JSON report a line (UTF-8, no BOM, LF line ends)."""
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for r in results:
            fh.write(json.dumps(results_line(r), ensure_ascii=False, allow_nan=False, default=str))
            fh.write("\n")


def read_results_jsonl(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read a batch's results.jsonl; raise ConfigError naming the line that is not a JSON report."""
    results = []
    try:
        with open(path, encoding="utf-8-sig") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ConfigError(
                        f"{path}: 第 {n} 行不是 JSON：{exc.msg}", f"{path}: line {n} is not JSON: {exc.msg}"
                    ) from None
                if not isinstance(item, dict) or "file" not in item or "status" not in item:
                    raise ConfigError(
                        f"{path}: 第 {n} 行不是 rdcheck 检查结果", f"{path}: line {n} is not an rdcheck report"
                    )
                results.append(item)
    except OSError as exc:
        raise ConfigError(f"无法读取 {path}：{exc.strerror}", f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path} 不是 UTF-8 文本", f"{path} is not UTF-8 text") from None
    return results


__all__ = ["read_results_jsonl", "results_line", "write_results_jsonl"]
