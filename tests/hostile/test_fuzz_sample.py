"""A small sample of the fuzzer (tests/hostile/fuzz.py runs 10,000): mutated workbooks give clean outcomes only."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fuzz import classify, run  # noqa: E402


def test_classify_tells_clean_from_traceback_crash_and_hang() -> None:
    assert classify({"status": "error", "error": "文件已损坏：部件 x 无法解压"}) == "clean"
    assert classify({"status": "pass", "_feedback_error": "ReadError: 无法复制工作簿"}) == "clean"
    assert classify({"status": "pass", "_feedback_error": "KeyError: 'x'"}) == "traceback"
    assert classify({"status": "error", "error": "内部错误：KeyError: 'x'"}) == "traceback"
    assert classify({"status": "error", "error": "检查进程崩溃（信号 SIGABRT）"}) == "crash"
    assert classify({"status": "error", "error": "检查超时（超过 60 秒），已终止"}) == "hang"


def test_a_sample_of_mutated_workbooks_gives_no_traceback_crash_or_hang() -> None:
    report = run(count=24, seed=20261201, jobs=2, timeout=60, chunk=24)
    assert report["outcomes"] == {"clean": 24}, report["failures"]
    assert set(report["levels"]) >= {"zip", "xml", "cell"}
