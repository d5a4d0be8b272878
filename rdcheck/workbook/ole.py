"""OLE2 compound files (old .xls, encrypted .xlsx): what is inside, and whether calamine can read it safely.

Read with bounded loops only: the header, the FAT (via the header's DIFAT and DIFAT sectors), the directory chain
and, for a workbook, its Workbook stream, walked record by record. calamine's .xls reader allocates a dense grid
from each sheet's DIMENSIONS record (first and last row and column: a first row past the last one underflows into
a 300 GB allocation and aborts the process) and from the cells' own positions, so both are bounded here first.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

END = 0xFFFFFFFA  # sector numbers at or above this are markers (free, end of chain, FAT, DIFAT)

# BIFF records that start with the cell's row and column (u16 each)
_CELL_RECORDS = {0x0006, 0x00BD, 0x00BE, 0x00D6, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x0406}
_BOF, _EOF, _DIMENSIONS = (0x0809, 0x0409, 0x0209, 0x0009), 0x000A, 0x0200


@dataclass
class Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    start: int
    size: int


@dataclass
class Compound:
    """The parts of a compound file needed to read its streams."""

    entries: list[Entry]
    read_stream: Callable[[Entry, int], bytes | None]  # (entry, at most bytes) -> the stream, None when broken


def open_compound(path: Path) -> Compound | None:
    """Read a compound file's directory; None when its structure cannot be read."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        return _parse(data)
    except (ValueError, IndexError, struct.error):
        return None


def _parse(data: bytes) -> Compound | None:
    header = data[:512]
    if len(header) < 512:
        return None
    shift = struct.unpack_from("<H", header, 0x1E)[0]
    if shift not in (9, 12):
        return None
    sector = 1 << shift
    mini_shift = struct.unpack_from("<H", header, 0x20)[0]
    mini = 1 << mini_shift if 0 < mini_shift < 16 else 64
    n_fat = struct.unpack_from("<I", header, 0x2C)[0]
    first_dir = struct.unpack_from("<I", header, 0x30)[0]
    cutoff = struct.unpack_from("<I", header, 0x38)[0]
    first_minifat, n_minifat = struct.unpack_from("<II", header, 0x3C)
    first_difat, n_difat = struct.unpack_from("<II", header, 0x44)
    max_sectors = len(data) // sector + 1
    if n_fat > max_sectors:
        return None
    base = 512 if shift == 9 else sector

    def read_sector(i: int) -> bytes:
        if i >= max_sectors:
            raise ValueError("sector out of range")
        return data[base + i * sector : base + (i + 1) * sector]

    fat_sectors = [s for s in struct.unpack_from("<109I", header, 0x4C) if s < END]
    next_difat, seen = first_difat, 0
    while next_difat < END and seen < n_difat and len(fat_sectors) < n_fat:
        entries = struct.unpack(f"<{sector // 4}I", read_sector(next_difat))
        fat_sectors += [s for s in entries[:-1] if s < END]
        next_difat, seen = entries[-1], seen + 1
    fat: list[int] = []
    for s in fat_sectors[:n_fat]:
        fat += struct.unpack(f"<{sector // 4}I", read_sector(s))

    def chain(start: int, limit: int) -> list[int]:
        out, current = [], start
        while current < END:
            if current >= len(fat) or len(out) > limit:
                raise ValueError("broken chain")
            out.append(current)
            current = fat[current]
        return out

    entries: list[Entry] = []
    for s in chain(first_dir, max_sectors):
        block = read_sector(s)
        for off in range(0, len(block) - 127, 128):
            length = struct.unpack_from("<H", block, off + 0x40)[0]
            kind = block[off + 0x42]
            if kind in (1, 2, 5) and 2 <= length <= 64:
                name = block[off : off + length - 2].decode("utf-16-le", "replace")
                start, size = struct.unpack_from("<IQ", block, off + 0x74)
                entries.append(Entry(name, kind, start, size if shift == 12 else size & 0xFFFFFFFF))
    if not entries:
        return None
    root = next((e for e in entries if e.kind == 5), None)

    def read_stream(entry: Entry, limit: int) -> bytes | None:
        size = min(entry.size, limit)
        try:
            if entry.size >= cutoff or root is None:
                sectors = chain(entry.start, size // sector + 1)
                return b"".join(read_sector(s) for s in sectors)[:size]
            # a small stream lives in the mini stream (the root entry's stream), by the mini FAT
            container = b"".join(read_sector(s) for s in chain(root.start, max_sectors))
            minifat: list[int] = []
            for s in chain(first_minifat, n_minifat + 1):
                minifat += struct.unpack(f"<{sector // 4}I", read_sector(s))
            out, current, steps = [], entry.start, 0
            while current < END and steps <= size // mini + 1:
                if current >= len(minifat):
                    return None
                out.append(container[current * mini : (current + 1) * mini])
                current, steps = minifat[current], steps + 1
            return b"".join(out)[:size]
        except (ValueError, IndexError, struct.error):
            return None

    return Compound(entries, read_stream)


def workbook_extent_problem(compound: Compound, max_rows: int, max_cols: int, max_cells: int) -> str | None:
    """Walk the Workbook stream's records; return why a sheet cannot be read safely, or None.

    Refused: a DIMENSIONS record whose first row or column lies past its last, or whose grid is over the limits;
    a cell whose position spans a grid over the limits. The walk stops at a record that runs past the stream
    (calamine reports that itself as a damaged file).
    """
    entry = next((e for e in compound.entries if e.kind == 2 and e.name.lower() in ("workbook", "book")), None)
    if entry is None:
        return None
    stream = compound.read_stream(entry, 1 << 30)
    if stream is None:
        return "工作簿数据流无法读取"
    pos, rows, cols, sheet = 0, 0, 0, 0
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4 : pos + 4 + length]
        pos += 4 + length
        if kind in _BOF:
            sheet, rows, cols = sheet + 1, 0, 0
        elif kind == _DIMENSIONS and len(body) >= 10:
            if len(body) >= 14:
                first_row, last_row, first_col, last_col = struct.unpack_from("<IIHH", body)
            else:
                first_row, last_row, first_col, last_col = struct.unpack_from("<HHHH", body)
            if first_row > last_row or first_col > last_col:
                return f"工作表 {sheet} 的尺寸记录有误（起始行列在结束行列之后）"
            span_rows, span_cols = last_row - first_row, last_col - first_col
            if last_row > max_rows or last_col > max_cols or span_rows * span_cols > max_cells:
                return f"工作表 {sheet} 声明的范围过大（{last_row} 行 × {last_col} 列）"
        elif kind in _CELL_RECORDS and len(body) >= 4:
            row, col = struct.unpack_from("<HH", body)
            if kind in (0x00BD, 0x00BE) and len(body) >= 6:  # MULRK, MULBLANK: the last column ends the record
                col = max(col, struct.unpack_from("<H", body, len(body) - 2)[0])
            rows, cols = max(rows, row + 1), max(cols, col + 1)
            if cols > max_cols or rows * cols > max_cells:
                return f"工作表 {sheet} 的单元格超出范围（第 {row + 1} 行、第 {col + 1} 列）"
    return None


__all__ = ["Compound", "Entry", "open_compound", "workbook_extent_problem"]
