"""Look at a file before calamine opens it: refuse what is not a workbook, is encrypted, or is hostile (spec §7).

``preflight(path, limits)`` returns the file's kind (``xlsx``, ``xlsm`` or ``xls``) or raises
:class:`~rdcheck.errors.ReadError` with a one-line reason in Chinese and English. It reads the file's first bytes,
the zip central directory (or the OLE2 directory) and, for xlsx, each XML part's prolog and the sheets that will be
read; it never inflates more than the declared sizes allow.

Decisions, each backed by a test in ``tests/test_hostile.py``:

- **Zip bombs.** Refused from the central directory alone, before anything is inflated: any member whose declared
  size exceeds ``max_member_bytes``, a declared total above ``max_total_bytes``, or a member above ``ratio_floor``
  bytes compressed more than ``max_ratio`` times. A header that *lies* (declares a small size and inflates to
  more) is stopped by calamine's zip reader itself ("File is larger than its declared uncompressed size") and by
  Python's zipfile in our own scan, so declared sizes bound what is ever inflated.
- **XML entities.** Legitimate OOXML parts never carry a DTD. Every ``.xml``/``.rels`` part's prolog (the bytes
  before its root element, at most ``max_prolog_bytes``) is inflated and a ``<!DOCTYPE`` or ``<!ENTITY`` refused.
  (calamine 0.9 does not expand entities; it fails on them — we refuse first, with a clear message.)
- **Allocation bombs.** calamine allocates a dense grid spanning the sheet's first to last cell, whatever the
  ``<dimension>`` says: a 2-cell sheet with a cell at XFD1048576 asks for 512 GiB and aborts the process (not a
  Python exception). So each sheet rdcheck reads is scanned (streamed, bounded by its declared size) for the row
  and column of every ``<row>``/``<c>`` tag, and refused over ``max_rows``, ``max_cols`` or ``max_cells``
  (rows × columns of the grid calamine would allocate). The same pass collects the cells that hold an error
  (``t="e"``: ``#REF!``, ``#DIV/0!``, ``#N/A``), which calamine returns as empty strings.
- **Macros and links.** ``.xlsm`` is read as data; ``vbaProject.bin`` and external-link parts are never opened.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from ..errors import ReadError
from ..text import one_line
from .ole import open_compound, workbook_extent_problem

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30

ZIP_MAGIC = b"PK"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Limits:
    """What rdcheck agrees to read; the engine's config may pass its own (``limits:``)."""

    max_file_bytes: int = 512 * MiB  # the file on disk
    max_members: int = 10_000  # entries in the zip directory
    max_member_bytes: int = 1 * GiB  # one part, declared uncompressed size
    max_total_bytes: int = 1 * GiB  # all parts together, declared uncompressed size
    max_ratio: float = 200.0  # compression ratio allowed for a part larger than ratio_floor
    ratio_floor: int = 8 * MiB
    max_small_part_bytes: int = 32 * MiB  # workbook.xml and its relationships, parsed whole
    max_prolog_bytes: int = 64 * KiB  # bytes before an XML part's root element
    max_rows: int = 1_048_576  # rows of one sheet (Excel's own limit)
    max_cols: int = 16_384  # columns of one sheet (XFD)
    max_cells: int = 25_000_000  # rows × columns of the grid a sheet spans (calamine allocates it densely)

    @classmethod
    def from_mapping(cls, values: dict[str, object] | None) -> Limits:
        """Build limits from a config mapping; unknown keys are ignored, values must be numbers."""
        if not values:
            return cls()
        known = {k: v for k, v in values.items() if k in cls.__dataclass_fields__ and isinstance(v, (int, float))}
        return cls(**known)  # type: ignore[arg-type]


DEFAULT_LIMITS = Limits()


@dataclass
class SheetScan:
    """What the scan of one sheet part found."""

    rows: int = 0  # highest row number any tag reaches (1-based)
    cols: int = 0  # highest column number any cell reaches (1-based)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col), 1-based -> "#DIV/0!"
    merged: bool = False  # the sheet declares merged ranges (<mergeCell>)
    text_head: bool = False  # row 1 exists and holds only text or empty cells (the Arrow reader relies on it)


@dataclass
class Preflight:
    """The result of :func:`inspect`: the kind and, for xlsx, what the sheet scans found, by sheet title.

    ``refused`` holds the sheets that could not be bounded (over the limits, damaged), by title, with the reason,
    when :func:`inspect` was asked to collect them rather than refuse the file.
    """

    kind: str
    sheets: dict[str, SheetScan] = field(default_factory=dict)
    refused: dict[str, ReadError] = field(default_factory=dict)


def is_interrupt(exc: BaseException) -> bool:
    """Whether an exception is a stop (Ctrl-C, exit), never a file's fault.

    Everything else a native reader raises is the file's: python-calamine turns a Rust panic (a date-styled cell
    holding -1e20, say) into ``PanicException``, which derives from BaseException and so escapes
    ``except Exception``. Readers catch BaseException, re-raise when this says so, and make the rest a ReadError.
    """
    return isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit))


@contextmanager
def native_stderr_quiet() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null while native code reads: a Rust panic writes its message (and, with
    RUST_BACKTRACE set, a backtrace) there before Python sees the exception, which becomes a one-line ReadError."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no descriptor 2 (a service): nothing to quieten
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _fail(zh: str, en: str) -> ReadError:
    return ReadError(zh, en)


def preflight(
    path: str | os.PathLike[str],
    limits: Limits | None = None,
    wanted: Callable[[str], bool] | None = None,
) -> str:
    """Check a file before it is opened; return its kind (``xlsx``, ``xlsm``, ``xls``) or raise ReadError.

    ``wanted(title)`` says which sheets will be read (and so scanned); ``None`` scans every worksheet.
    """
    return inspect(path, limits, wanted).kind


def inspect(
    path: str | os.PathLike[str],
    limits: Limits | None = None,
    wanted: Callable[[str], bool] | None = None,
    collect: bool = False,
) -> Preflight:
    """Like :func:`preflight`, also returning what the sheet scans found (error cells per sheet).

    With ``collect``, a sheet that cannot be bounded does not refuse the file: it is listed in ``refused``
    (the annotated copy leaves such sheets out and says so).
    """
    limits = limits or DEFAULT_LIMITS
    p = Path(path)
    size = _regular_file_size(p)
    if size == 0:
        raise _fail("文件为空（0 字节）", "the file is empty (0 bytes)")
    if size > limits.max_file_bytes:
        raise _fail(
            f"文件过大（{size // MiB} MB，上限 {limits.max_file_bytes // MiB} MB）",
            f"the file is too large ({size // MiB} MB, limit {limits.max_file_bytes // MiB} MB)",
        )
    with open(p, "rb") as fh:
        head = fh.read(4096)
    if head.startswith(OLE_MAGIC):
        return Preflight(_ole_kind(p, limits))
    if head.startswith(ZIP_MAGIC):
        try:
            return _inspect_zip(p, limits, wanted, collect)
        except ReadError:
            raise
        except Exception as exc:  # noqa: BLE001
            # zipfile and ElementTree are pure Python: whatever else they raise on a damaged file (an unknown
            # zip version, an XML part declaring encoding="A0") says the file is damaged
            raise _fail(
                f"文件已损坏或不完整（zip 结构无法读取）：{one_line(exc)}",
                f"the file is damaged or truncated (its zip structure cannot be read): {one_line(exc)}",
            ) from None
    raise _not_a_workbook(head, p.suffix)


_NOT_REGULAR = (
    (stat.S_ISDIR, "是文件夹", "it is a folder"),
    (stat.S_ISFIFO, "是命名管道（FIFO）", "it is a named pipe (FIFO)"),
    (stat.S_ISCHR, "是字符设备", "it is a character device"),
    (stat.S_ISBLK, "是块设备", "it is a block device"),
    (stat.S_ISSOCK, "是套接字", "it is a socket"),
)


def _regular_file_size(p: Path) -> int:
    """The size of a regular file; a ReadError saying what the path is otherwise (never opened: a FIFO blocks)."""
    try:
        st = p.stat()
    except FileNotFoundError:
        raise _fail("文件不存在", "no such file") from None  # the caller names the file
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise _fail(f"无法读取文件：{reason}", f"cannot read the file: {reason}") from None
    for test, zh, en in _NOT_REGULAR:
        if test(st.st_mode):
            raise _fail(f"不是普通文件：{zh}，不是 Excel 工作簿", f"not a regular file: {en}, not an Excel workbook")
    if not stat.S_ISREG(st.st_mode):
        raise _fail("不是普通文件", "not a regular file")
    return st.st_size


# ---------------------------------------------------------------- not a workbook


def _not_a_workbook(head: bytes, suffix: str = ".xlsx") -> ReadError:
    text = _as_text(head)
    if suffix.lower() not in (".xlsx", ".xlsm", ".xls", ".xltx", ".xltm", ".et", ""):
        # not renamed: a file of another kind (.md, .pdf, .docx) given by mistake
        kind = "文本文件" if text is not None else "文件"
        return _fail(
            f"不是 Excel 工作簿：这是 {suffix} {kind}，请提交 .xlsx 工作簿",
            f"not an Excel workbook: this is a {suffix} file; submit an .xlsx workbook",
        )
    if text is not None:
        low = text.lstrip("\ufeff \t\r\n").lower()
        if low.startswith(("<html", "<!doctype html", "<table", "<meta")):
            return _fail(
                "不是 Excel 工作簿：文件内容是网页（HTML），可能是改了扩展名，请在 Excel 中另存为 .xlsx",
                "not an Excel workbook: the file is a web page (HTML), perhaps renamed; save it as .xlsx in Excel",
            )
        if low.startswith("<?xml") or low.startswith("<"):
            return _fail(
                "不是 Excel 工作簿：文件内容是 XML 文本，请在 Excel 中另存为 .xlsx",
                "not an Excel workbook: the file is XML text; save it as .xlsx in Excel",
            )
        first = low.splitlines()[0] if low else ""
        if any(sep in first for sep in (",", "\t", ";")):
            return _fail(
                "不是 Excel 工作簿：文件内容是 CSV/文本表格，可能是改了扩展名，请在 Excel 中另存为 .xlsx",
                "not an Excel workbook: the file is CSV/delimited text, perhaps renamed; save it as .xlsx in Excel",
            )
        return _fail(
            "不是 Excel 工作簿：文件内容是纯文本，可能是改了扩展名",
            "not an Excel workbook: the file is plain text, perhaps renamed",
        )
    return _fail(
        "不是 Excel 工作簿：无法识别的文件格式（既不是 .xlsx 也不是 .xls）",
        "not an Excel workbook: unrecognised file format (neither .xlsx nor .xls)",
    )


def _as_text(head: bytes) -> str | None:
    """Return the head decoded when it looks like text (UTF-8, UTF-16 with BOM, GB18030), else None."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return head.decode("utf-16")[:2000]
        except UnicodeDecodeError:
            return None
    if b"\x00" in head:
        return None
    for encoding in ("utf-8", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError as exc:
            # a multi-byte character cut at the end of the head is fine
            if exc.start < len(head) - 4:
                continue
            text = head[: exc.start].decode(encoding)
        if all(ch.isprintable() or ch in "\r\n\t\ufeff" for ch in text):
            return text
    return None


# ---------------------------------------------------------------- OLE2 (old .xls, encrypted .xlsx)


def _ole_kind(path: Path, limits: Limits) -> str:
    compound = open_compound(path)
    if compound is None:
        raise _fail(
            "文件已损坏：OLE 复合文档结构无法读取",
            "the file is damaged: its OLE compound-document structure cannot be read",
        )
    lowered = {e.name.lower() for e in compound.entries}
    if {"encryptioninfo", "encryptedpackage"} & lowered:
        raise _fail(
            "工作簿有密码保护，请取消密码后重新提交",
            "the workbook is password-protected; remove the password and submit it again",
        )
    if {"workbook", "book"} & lowered:
        problem = workbook_extent_problem(compound, limits.max_rows, limits.max_cols, limits.max_cells)
        if problem is not None:
            raise _fail(f"文件已损坏或结构异常：{problem}，拒绝读取", f"the file is damaged or abnormal: {problem}")
        return "xls"
    raise _fail(
        "不是 Excel 工作簿：这是其他 Office 文件（如 Word 文档），不含工作表",
        "not an Excel workbook: this is another Office file (e.g. a Word document) with no worksheets",
    )


# ---------------------------------------------------------------- zip (xlsx, xlsm)

_SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$", re.IGNORECASE)


def _inspect_zip(path: Path, limits: Limits, wanted: Callable[[str], bool] | None, collect: bool) -> Preflight:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _fail(
            "文件已损坏或不完整（zip 目录无法读取，可能下载或拷贝未完成）",  # Chinese throughout: no English tail
            f"the file is damaged or truncated (its zip directory cannot be read): {one_line(exc)}",
        ) from None
    with zf:
        infos = zf.infolist()
        _check_directory(infos, limits)
        names = {i.filename for i in infos}
        lowered = {n.lower(): n for n in names}
        if "xl/workbook.bin" in lowered:
            raise _fail(
                "不支持 .xlsb（二进制工作簿）格式，请在 Excel 中另存为 .xlsx",
                "the .xlsb (binary workbook) format is not supported; save it as .xlsx in Excel",
            )
        if "mimetype" in lowered or "content.xml" in lowered:
            raise _fail(
                "不支持 OpenDocument（.ods 等）格式，请另存为 .xlsx",
                "OpenDocument files (.ods …) are not supported; save it as .xlsx",
            )
        if "xl/workbook.xml" not in lowered:
            if "word/document.xml" in lowered:
                detail_zh, detail_en = "这是 Word 文档", "this is a Word document"
            elif "ppt/presentation.xml" in lowered:
                detail_zh, detail_en = "这是 PowerPoint 文档", "this is a PowerPoint document"
            else:
                detail_zh, detail_en = "压缩包中没有 xl/workbook.xml", "the zip has no xl/workbook.xml"
            raise _fail(f"不是 Excel 工作簿：{detail_zh}", f"not an Excel workbook: {detail_en}")
        for info in infos:
            low = info.filename.lower()
            if low.endswith((".xml", ".rels")):
                _check_prolog(zf, info, limits)
        kind = "xlsm" if "xl/vbaproject.bin" in lowered else "xlsx"
        result = Preflight(kind)
        for title, part in _sheet_parts(zf, lowered, limits).items():
            if wanted is not None and not wanted(title):
                continue
            try:
                result.sheets[title] = _scan_sheet(zf, zf.getinfo(part), title, limits)
            except ReadError as exc:
                if not collect:
                    raise
                result.refused[title] = exc
        return result


def _check_directory(infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(infos) > limits.max_members:
        raise _fail(
            f"文件结构异常：压缩包内有 {len(infos)} 个部件（上限 {limits.max_members}）",
            f"abnormal file: the zip holds {len(infos)} parts (limit {limits.max_members})",
        )
    seen: set[str] = set()
    total = 0
    for info in infos:
        key = info.filename.lower()
        if key in seen:
            raise _fail(
                f"文件结构异常：部件 {info.filename} 重复出现",
                f"abnormal file: part {info.filename} appears twice",
            )
        seen.add(key)
        if info.flag_bits & 0x1:
            raise _fail(
                "工作簿有密码保护（压缩包已加密），请取消密码后重新提交",
                "the workbook is password-protected (encrypted zip); remove the password and submit it again",
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _fail(
                f"文件结构异常：部件 {info.filename} 使用了不支持的压缩方式",
                f"abnormal file: part {info.filename} uses an unsupported compression method",
            )
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if (
            info.file_size > limits.max_member_bytes
            or total > limits.max_total_bytes
            or (info.file_size > limits.ratio_floor and ratio > limits.max_ratio)
        ):
            raise _fail(
                f"疑似压缩炸弹：部件 {info.filename} 解压后 {info.file_size // MiB} MB（压缩比 {ratio:.0f}），拒绝读取",
                f"suspected zip bomb: part {info.filename} inflates to {info.file_size // MiB} MB "
                f"(ratio {ratio:.0f}); refused",
            )


_ROOT_START = re.compile(rb"<[^?!]")


def _check_prolog(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> None:
    """Refuse a DTD (entity declarations) in an XML part's prolog, reading only up to its root element."""
    head = b""
    try:
        with zf.open(info) as fh:
            while len(head) < limits.max_prolog_bytes:
                chunk = fh.read(4096)
                if not chunk:
                    break
                head += chunk
                text = _prolog_bytes(head)
                m = _ROOT_START.search(text)
                if m:
                    head = text[: m.start()]
                    break
            else:
                text = _prolog_bytes(head)
                if not _ROOT_START.search(text):
                    raise _fail(
                        f"文件结构异常：XML 部件 {info.filename} 的开头过长",
                        f"abnormal file: the XML part {info.filename} has an overlong prolog",
                    )
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
        raise _damaged(info, exc) from None
    upper = _prolog_bytes(head).upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        raise _fail(
            f"文件含有 XML 实体声明（{info.filename}），可能是恶意文件，拒绝读取",
            f"the file declares XML entities ({info.filename}): possibly hostile; refused",
        )


def _prolog_bytes(head: bytes) -> bytes:
    """Return the head as ASCII-compatible bytes (UTF-16 parts are decoded)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        enc = "utf-16-le" if head.startswith(b"\xff\xfe") or head[:1] == b"<" else "utf-16-be"
        return head[: len(head) // 2 * 2].decode(enc, "replace").encode("utf-8", "replace")
    return head


def _damaged(info: zipfile.ZipInfo, exc: BaseException) -> ReadError:
    return _fail(
        f"文件已损坏：部件 {info.filename} 无法解压（{one_line(exc)}）",
        f"the file is damaged: part {info.filename} cannot be inflated ({one_line(exc)})",
    )


_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _sheet_parts(zf: zipfile.ZipFile, lowered: dict[str, str], limits: Limits) -> dict[str, str]:
    """Map sheet titles to their parts via workbook.xml and its relationships; fall back to every sheet part."""
    everything = {n: n for n in lowered.values() if _SHEET_PART.match(n)}
    try:
        book = ElementTree.fromstring(_read_small(zf, lowered["xl/workbook.xml"], limits))
        rels_name = lowered.get("xl/_rels/workbook.xml.rels")
        rels = ElementTree.fromstring(_read_small(zf, rels_name, limits)) if rels_name else None
    except (ElementTree.ParseError, LookupError, ValueError):  # damaged XML, an unknown declared encoding
        return everything
    targets: dict[str, str] = {}
    if rels is not None:
        for rel in rels:
            rid, target = rel.get("Id"), rel.get("Target")
            if rid and target:
                if target.startswith("/"):
                    resolved = target.lstrip("/")
                else:
                    resolved = str(PurePosixPath("xl") / target)
                parts: list[str] = []
                for seg in resolved.split("/"):
                    if seg == "..":
                        if parts:
                            parts.pop()
                    elif seg and seg != ".":
                        parts.append(seg)
                targets[rid] = "/".join(parts)
    found: dict[str, str] = {}
    for el in book.iter():
        if el.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        title = el.get("name")
        rid = el.get(f"{{{_REL_NS}}}id") or next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
        part = lowered.get(targets.get(rid or "", "").lower())
        if title is None or part is None:
            return everything  # something we do not understand: scan every sheet part under a generic title
        found[title] = part
    return found


def _read_small(zf: zipfile.ZipFile, name: str, limits: Limits) -> bytes:
    info = zf.getinfo(name)
    if info.file_size > limits.max_small_part_bytes:
        raise _fail(
            f"文件结构异常：部件 {name} 过大（{info.file_size // MiB} MB）",
            f"abnormal file: part {name} is too large ({info.file_size // MiB} MB)",
        )
    try:
        return zf.read(info)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
        raise _damaged(info, exc) from None


# One <row> or <c> tag (any namespace prefix), its attributes walked one by one (quotes respected) up to `r`.
_TAG = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])"
    rb"(?:\s+(?!r\s*=)[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*"
    rb"(?:\s+r\s*=\s*[\"']\s*([A-Za-z]*)\s*([0-9]*)\s*[\"'])?"
)
_ERROR_CELL = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?c(?=[\s/>])((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>(.*?)</(?:[A-Za-z_][\w.-]*:)?c>",
    re.DOTALL,
)
_ERR_TYPE = re.compile(rb"\st\s*=\s*[\"']e[\"']")
_REF_ATTR = re.compile(rb"\sr\s*=\s*[\"']\s*([A-Za-z]+)([0-9]+)\s*[\"']")
_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v(?:\s[^>]*)?>(.*?)</", re.DOTALL)
CHUNK = 4 * MiB


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper()[:8]:
        n = n * 26 + ch - 64
    return n


def _scan_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, title: str, limits: Limits) -> SheetScan:
    """Stream one sheet part and find the grid it spans (and its error cells) without building it.

    Fast path (what Excel and the libraries write): the sheet declares ``<dimension ref>`` within the limits and
    every cell tag is ``<c r="…">``; then a few regex searches per chunk prove no cell lies outside the dimension.
    Anything else (no dimension, cells without references, prefixes, a cell outside) is scanned tag by tag.
    """
    scan = _scan_fast(zf, info, title, limits)
    return scan if scan is not None else _scan_exact(zf, info, title, limits)


def _chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[tuple[bytes, int]]:
    """Yield the part as ``(buffer, end)``: ``buffer[:end]`` is the next chunk, cut before a ``<row`` tag so that
    no row (and no cell) straddles two chunks. The buffer is not sliced (a copy of megabytes): readers search it
    with ``end`` as their bound."""
    tail = b""
    try:
        with zf.open(info) as fh:
            while True:
                data = fh.read(CHUNK)
                if not data:
                    if tail:
                        yield tail, len(tail)
                    return
                buf = tail + data
                cut = buf.rfind(b"<row")
                # a prefixed row tag after the last plain one (searched only there: a whole chunk otherwise)
                cut = max(cut, buf.rfind(b":row", cut + 1))
                if cut <= 0:
                    cut = buf.rfind(b"<") if len(buf) < 4 * CHUNK else len(buf)
                    cut = cut if cut > 0 else len(buf)
                yield buf, cut
                tail = buf[cut:]
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
        raise _damaged(info, exc) from None


_DIMENSION = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s+ref\s*=\s*[\"']([A-Za-z]*)([0-9]*)(?::([A-Za-z]+)([0-9]+))?[\"']"
)
_PREFIXED_CELL = re.compile(rb":c[\s/>]")
_E_QUOTE = re.compile(rb"e[\"']")  # a one-byte literal prefix: searched ~3x faster than b'"e"' is found
_MERGE = re.compile(rb"mergeCell")
RARE_TRIES = 32  # candidates looked at one by one before a search takes over


def _found(pattern: re.Pattern[bytes], chunk: bytes, end: int) -> bool:
    """``pattern.search(chunk, 0, end)``, for a pattern starting with a byte that sheet XML seldom holds (``:``,
    ``m``): its occurrences are found by ``bytes.find`` (memchr, ~10× faster than a regex or a multi-byte find
    over megabytes) and the pattern tried at each; past RARE_TRIES of them the regex searches the rest."""
    first = pattern.pattern[:1]
    i = chunk.find(first, 0, end)
    for _ in range(RARE_TRIES):
        if i < 0:
            return False
        if pattern.match(chunk, i, end):
            return True
        i = chunk.find(first, i + 1, end)
    return i >= 0 and pattern.search(chunk, i, end) is not None


def _quoted_e(chunk: bytes, end: int) -> bool:
    """``b'"e"' in chunk[:end] or b"'e'" in chunk[:end]``: whether the chunk may hold an error cell (t="e").

    Where "e" is rare (Excel's sheets: shared strings, no text in the cells) each one is looked at; where it is
    not (inline strings: t="inlineStr"), the regex finds each e" or e' instead."""
    i = chunk.find(b"e", 0, end)
    for _ in range(RARE_TRIES):
        if i < 0:
            return False
        if 0 < i and i + 1 < end and chunk[i + 1 : i + 2] in (b'"', b"'") and chunk[i - 1 : i] == chunk[i + 1 : i + 2]:
            return True
        i = chunk.find(b"e", i + 1, end)
    if i < 0:
        return False
    for _ in range(RARE_TRIES):
        m = _E_QUOTE.search(chunk, i, end)
        if m is None:
            return False
        p = m.start()
        if p > 0 and chunk[p - 1 : p] == chunk[p + 1 : p + 2]:
            return True
        i = p + 1
    start = max(i - 1, 0)
    return chunk.find(b'"e"', start, end) >= 0 or chunk.find(b"'e'", start, end) >= 0


def _greater_than(text: str, alphabet: str) -> str:
    """A regex matching the strings of ``alphabet`` (digits or capital letters) that count more than ``text``."""
    first, last = alphabet[0], alphabet[-1]
    cls = f"[{first}-{last}]"
    alts = [f"{cls}{{{len(text) + 1},}}"]
    for i, ch in enumerate(text):
        if ch != last:
            rest = len(text) - i - 1
            alts.append(text[:i] + f"[{chr(ord(ch) + 1)}-{last}]" + (f"{cls}{{{rest}}}" if rest else ""))
    return "(?:" + "|".join(alts) + ")"


def _cell_check(col_text: str, rows: int) -> re.Pattern[bytes]:
    """One search that finds, at a ``<c`` tag, either of what sends a sheet to the exact scan:

    - a cell tag that is not ``<c r="…`` (``<c>``, ``<c/>``, ``<c s="1" r="…">``, a tab before ``r``), and
    - a ``<c r="…`` whose column counts past ``col_text`` or whose row past ``rows`` (or is 0).

    Most cells are plainly inside: a reference with fewer letters than ``col_text`` (or one letter up to it) and
    fewer digits than ``rows`` (or one digit up to it), not starting with 0. A negative look-ahead rejects those
    first, which none of the alternatives after it could match (they need more letters, a letter past the last
    column, a row 0, or as many digits as ``rows``); the search then costs little more than finding each ``<c``.
    """
    outside = (
        f"(?:{_greater_than(col_text, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')}[0-9]"
        f'|[A-Z]+(?:0|{_greater_than(str(rows), "0123456789")})")'
    )
    row_text = str(rows)
    safe_col = f"[A-Z]{{1,{len(col_text) - 1}}}" if len(col_text) > 1 else f"[A-{col_text}]"
    if len(row_text) > 1:
        safe_row = f"[1-9][0-9]{{0,{len(row_text) - 2}}}"
    elif rows >= 1:
        safe_row = f"[1-{row_text}]"
    else:
        safe_row = None
    inside = f'(?!r="{safe_col}{safe_row}")' if safe_row else ""
    return re.compile(f'<c(?:[\\t\\n\\r\\f\\v/>]| {inside}(?:(?!r=")|r="{outside}))'.encode())


def _scan_fast(zf: zipfile.ZipFile, info: zipfile.ZipInfo, title: str, limits: Limits) -> SheetScan | None:
    scan = SheetScan()
    cells: re.Pattern[bytes] | None = None
    for chunk, end in _chunks(zf, info):
        if cells is None:
            m = _DIMENSION.search(chunk, 0, min(end, 64 * KiB))
            if m is None:
                return None
            letters, digits = (m.group(3), m.group(4)) if m.group(3) else (m.group(1), m.group(2))
            if not letters or not digits or not letters.isalpha():
                return None
            scan.rows, scan.cols = int(digits), _col_number(letters)
            if scan.rows > limits.max_rows or scan.cols > limits.max_cols or scan.rows * scan.cols > limits.max_cells:
                return None  # a dimension may overstate the sheet: count what is really there
            scan.text_head = _text_first_row(chunk[:end])
            cells = _cell_check(letters.decode("ascii").upper(), scan.rows)
        if cells.search(chunk, 0, end) or _found(_PREFIXED_CELL, chunk, end):
            return None
        if _quoted_e(chunk, end):
            _collect_errors(chunk, end, scan)
        scan.merged = scan.merged or _found(_MERGE, chunk, end)
    return scan if cells is not None else None


def _scan_exact(zf: zipfile.ZipFile, info: zipfile.ZipInfo, title: str, limits: Limits) -> SheetScan:
    scan = SheetScan()
    row = col = 0  # position of the last tag, for tags without r (calamine counts on from it)
    for chunk, end in _chunks(zf, info):
        for tag, letters, digits in _TAG.findall(chunk, 0, end):
            if tag == b"row":
                row = int(digits) if digits else row + 1
                col = 0
            else:
                if digits:
                    row = max(row, int(digits))
                col = _col_number(letters) if letters else col + 1
            scan.rows, scan.cols = max(scan.rows, row), max(scan.cols, col)
        _check_extent(scan, title, limits)
        if _quoted_e(chunk, end):
            _collect_errors(chunk, end, scan)
        scan.merged = scan.merged or _found(_MERGE, chunk, end)
    return scan


_FIRST_ROW = re.compile(rb'<row r="1"[^>]*?(/?)>')
_ROW_CELL = re.compile(rb'<c r="[A-Z]+1"((?:[^>"/]|"[^"]*")*)(/>|>(.*?)</c>)', re.DOTALL)
_TEXT_TYPE = re.compile(rb'\st="(?:s|str|inlineStr)"')


def _text_first_row(chunk: bytes) -> bool:
    """Whether the sheet's first row is row 1 and every cell in it is text or empty (no number, date, bool, error).

    A conservative look for the Arrow reader (``arrow.py``), which takes row 1 as column names: anything it cannot
    vouch for (another first row, a cell it does not understand, escaped control characters) says False.
    """
    start = chunk.find(b"<row")
    m = _FIRST_ROW.match(chunk, start) if start >= 0 else None
    if m is None or m.group(1):
        return False
    end = chunk.find(b"</row>", m.end())
    if end < 0:
        return False
    body = chunk[m.end() : end]
    if b"_x0000_" in body:
        return False
    pos = 0
    for cell in _ROW_CELL.finditer(body):
        if body[pos : cell.start()].strip():
            return False
        pos = cell.end()
        inner = cell.group(3) or b""
        if (b"<v" in inner or b"<is" in inner or b"<f" in inner) and not _TEXT_TYPE.search(cell.group(1)):
            return False
    return not body[pos:].strip()


def _check_extent(scan: SheetScan, title: str, limits: Limits) -> None:
    if scan.rows > limits.max_rows or scan.cols > limits.max_cols or scan.rows * scan.cols > limits.max_cells:
        raise _fail(
            f"工作表「{title}」过大：{scan.rows} 行 × {scan.cols} 列，超过上限"
            f"（{limits.max_rows} 行、{limits.max_cols} 列、{limits.max_cells} 个单元格）",
            f"sheet '{title}' is too large: {scan.rows} rows x {scan.cols} columns, over the limit "
            f"({limits.max_rows} rows, {limits.max_cols} columns, {limits.max_cells} cells)",
        )


def _collect_errors(chunk: bytes, end: int, scan: SheetScan) -> None:
    for m in _ERROR_CELL.finditer(chunk, 0, end):
        attrs, body = m.group(1), m.group(2)
        if not _ERR_TYPE.search(attrs):
            continue
        ref = _REF_ATTR.search(attrs)
        if ref is None:
            continue
        value = _VALUE.search(body)
        text = value.group(1).decode("utf-8", "replace").strip() if value else ""
        scan.errors[(int(ref.group(2)), _col_number(ref.group(1)))] = text or "#ERROR"


__all__ = [
    "DEFAULT_LIMITS",
    "Limits",
    "Preflight",
    "SheetScan",
    "inspect",
    "is_interrupt",
    "native_stderr_quiet",
    "preflight",
]
