"""Writing an output file so that it is never half-written, never written through a link, never stale-but-current.

Every output rdcheck writes (results.jsonl, summary.xlsx, feedback workbooks, rollup.json, rollup.xlsx, a check's
JSON or text report) goes through :func:`replacing`: the content is written to a temporary file with a unique name
in the target's own folder, flushed to disk, then moved over the target with ``os.replace`` (atomic on one file
system). When the write fails (a full disk, an interrupt), the temporary is removed and so is the *older* output
under the target's name: an output that was meant to be replaced must not be left looking current.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import RdcheckError

TEMP_PREFIX = ".rdcheck-"


class OutputRefused(RdcheckError):
    """An output path rdcheck will not write (a symbolic link planted where an output goes, or an input)."""


def refuse_link(path: str | os.PathLike[str]) -> None:
    """Raise OutputRefused when path is a symbolic link (writing there would write through it, elsewhere)."""
    if os.path.islink(path):
        raise OutputRefused(
            f"拒绝写入：{path} 是符号链接（输出文件夹中的输出不能是链接，请删除它）",
            f"refused to write: {path} is a symbolic link (an output in the output folder cannot be a link; remove it)",
        )


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def drop_stale(path: str | os.PathLike[str]) -> bool:
    """Remove an older output that could not be replaced; return whether one was removed. Links are left alone."""
    p = Path(path)
    if p.is_symlink() or not p.is_file():
        return False
    try:
        p.unlink()
    except OSError:
        return False
    return True


@contextmanager
def replacing(target: str | os.PathLike[str], keep_old_on_failure: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside target; when the block succeeds, flush it and move it over target.

    On any failure (an exception, a KeyboardInterrupt) the temporary is removed and, unless keep_old_on_failure,
    so is an older file at target. A symbolic link at target is refused before anything is written.
    """
    out = Path(target)
    refuse_link(out)
    fd, name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=out.suffix or ".tmp", dir=out.parent)
    os.close(fd)
    tmp = Path(name)
    done = False
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; an output is an ordinary file
        refuse_link(out)  # planted while we wrote
        os.replace(tmp, out)
        done = True
        _fsync_dir(out.parent)
    finally:
        if not done:
            try:
                tmp.unlink()
            except OSError:
                pass
            if not keep_old_on_failure:
                drop_stale(out)


def write_text(target: str | os.PathLike[str], text: str) -> None:
    """Write text (UTF-8, LF line ends) to target through :func:`replacing`."""
    with replacing(target) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether two paths name one file (the same path, a link to it, a hard link); False when either is missing."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        try:
            return Path(a).resolve() == Path(b).resolve()
        except OSError:
            return False


__all__ = ["OutputRefused", "TEMP_PREFIX", "drop_stale", "refuse_link", "replacing", "same_file", "write_text"]
