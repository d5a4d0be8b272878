"""Build the hostile-input corpus (spec §7) into a folder: every case is generated, nothing is downloaded.

``python tests/hostile/make_corpus.py OUTDIR`` writes every case; the tests call :func:`build` into a tmp folder.
Each case is ``Case(name, filename, build, expect)`` where ``expect`` is ``"book"`` (read_book must return a Book),
``"error"`` (it must raise ReadError) or ``"either"``; ``words`` are substrings the Chinese message must contain.
The OLE2 files (an encrypted workbook, an old .xls, a Word file) are written by a tiny compound-file writer below,
so no binary fixture needs committing.
"""

from __future__ import annotations

import struct
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

# ---------------------------------------------------------------- a standard workbook

ENTERPRISE_ROWS = [
    ("项目", "值"),
    ("统一社会信用代码", "91320800MA1XXXXX0X"),
    ("企业名称", "淮安某某科技有限公司"),
    ("所属年度", 2024),
    ("行业代码", "C3976"),
    ("所在区域", "高新区"),
    ("高新技术企业", "是"),
    ("科技型中小企业", "否"),
    ("规模以上企业", "是"),
    ("集成电路或工业母机企业", "否"),
    ("营业收入(元)", 50_000_000),
]
PROJECT_HEADER = [
    "项目编号",
    "项目名称",
    "研发形式",
    "研究类型",
    "立项日期",
    "立项文号",
    "开始日期",
    "结束日期",
    "项目状态",
    "支出类型",
]
PROJECT_ROW = ["RD01", "新型传感器研发", "自主研发", "试验发展", "2024-01-05", "研字1号", "2024-01-05", "2024-12-31"]
PROJECT_ROW += ["进行中", "费用化"]
LEDGER_HEADER = ["日期", "凭证号", "项目编号", "摘要", "费用类别", "明细项目", "账载金额(元)", "可加计金额(元)"]
LEDGER_HEADER += ["支出类型"]


def ledger_row(i: int) -> list[object]:
    return [
        "2024-03-05",
        f"记-{i:04d}",
        "RD01",
        "研发人员工资",
        "1 人员人工费用",
        "1.1 工资薪金",
        1000 + i,
        None,
        "费用化",
    ]


def standard(
    path: Path,
    lines: int = 3,
    *,
    ledger: Callable[[xlsxwriter.Workbook, object], None] | None = None,
    headers_only: bool = False,
    extra: Callable[[xlsxwriter.Workbook], None] | None = None,
) -> Path:
    """Write the three required sheets; ``ledger(wb, ws)`` may write the ledger sheet's body itself."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("企业信息")
    for r, row in enumerate(ENTERPRISE_ROWS):
        ws.write_row(r, 0, row)
    ws = wb.add_worksheet("研发项目")
    ws.write_row(0, 0, PROJECT_HEADER)
    if not headers_only:
        ws.write_row(1, 0, PROJECT_ROW)
    ws = wb.add_worksheet("辅助账明细")
    ws.write_row(0, 0, LEDGER_HEADER)
    if ledger is not None:
        ledger(wb, ws)
    elif not headers_only:
        for i in range(1, lines + 1):
            ws.write_row(i, 0, ledger_row(i))
    if extra is not None:
        extra(wb)
    wb.close()
    return path


def rewrite_zip(path: Path, replace: dict[str, bytes | None], add: dict[str, bytes] | None = None) -> Path:
    """Rewrite a workbook's parts: replace (or drop, with None) some, add others."""
    with zipfile.ZipFile(path) as src:
        items = [(i.filename, src.read(i.filename)) for i in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in items:
            if name in replace:
                if replace[name] is None:
                    continue
                data = replace[name]  # type: ignore[assignment]
            out.writestr(name, data)
        for name, data in (add or {}).items():
            out.writestr(name, data)
    return path


def part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(name)


LEDGER_PART = "xl/worksheets/sheet3.xml"
XML_HEAD = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MAIN_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def patch_ledger(path: Path, old: bytes, new: bytes) -> Path:
    xml = part(path, LEDGER_PART)
    assert old in xml, old
    return rewrite_zip(path, {LEDGER_PART: xml.replace(old, new, 1)})


# ---------------------------------------------------------------- a tiny OLE2 compound-file writer


def write_cfb(path: Path, streams: dict[str, bytes]) -> Path:
    """Write an OLE2 compound file (version 3, 512-byte sectors) holding the given streams.

    Streams are padded to 4096 bytes so that none lives in the mini stream; the directory is a simple chain.
    """
    sector = 512
    end, free, fatsect = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    body = b""
    fat: list[int] = []
    starts: list[tuple[str, int, int]] = []
    for name, data in streams.items():
        data = data.ljust(max(4096, -(-len(data) // sector) * sector), b"\x00")
        n = len(data) // sector
        start = len(fat)
        fat += [start + i + 1 for i in range(n - 1)] + [end]
        starts.append((name, start, len(data)))
        body += data
    entries = [("Root Entry", 5, end, 0)] + [(n, 2, s, size) for n, s, size in starts]
    dir_bytes = b""
    for i, (name, kind, start, size) in enumerate(entries):
        raw = name.encode("utf-16-le") + b"\x00\x00"
        child = 1 if i == 0 and len(entries) > 1 else free
        right = i + 1 if 0 < i < len(entries) - 1 else free
        entry = raw.ljust(64, b"\x00") + struct.pack("<HBBIII", len(raw), kind, 1, free, right, child)
        entry += b"\x00" * 16 + struct.pack("<I", 0) + b"\x00" * 16 + struct.pack("<IQ", start, size)
        dir_bytes += entry
    dir_bytes = dir_bytes.ljust(-(-len(dir_bytes) // sector) * sector, b"\x00")
    dir_start = len(fat)
    n_dir = len(dir_bytes) // sector
    fat += [dir_start + i + 1 for i in range(n_dir - 1)] + [end]
    # FAT sectors: enough to map every sector including themselves
    n_fat = 1
    while (len(fat) + n_fat) > n_fat * (sector // 4):
        n_fat += 1
    fat_start = len(fat)
    fat += [fatsect] * n_fat
    fat += [free] * (n_fat * (sector // 4) - len(fat))
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    difat = [fat_start + i for i in range(n_fat)] + [free] * (109 - n_fat)
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\x00" * 6
    header += struct.pack("<IIIIIIIII", 0, n_fat, dir_start, 0, 4096, end, 0, end, 0)
    header += struct.pack("<109I", *difat)
    path.write_bytes(header + body + dir_bytes + fat_bytes)
    return path


def _rec(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _short_string(text: str) -> bytes:
    raw = text.encode("utf-16-le")
    return struct.pack("<BB", len(text), 1) + raw


def biff8_workbook(sheets: dict[str, list[list[object]]], filepass: bool = False) -> bytes:
    """A minimal BIFF8 workbook stream: globals (BOF, [FILEPASS], CODEPAGE, BOUNDSHEETs, SST, EOF), then sheets."""
    strings: list[str] = []
    for rows in sheets.values():
        for row in rows:
            for v in row:
                if isinstance(v, str) and v not in strings:
                    strings.append(v)
    bof_globals = _rec(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6))
    sst = struct.pack("<II", len(strings), len(strings))
    for s in strings:
        sst += struct.pack("<HB", len(s), 1) + s.encode("utf-16-le")
    head = bof_globals
    if filepass:
        head += _rec(0x002F, struct.pack("<HHH", 1, 1, 1) + b"\x11" * 48)
    head += _rec(0x0042, struct.pack("<H", 1200))
    bound_sizes = [len(_rec(0x0085, struct.pack("<IBB", 0, 0, 0) + _short_string(n))) for n in sheets]
    tail = _rec(0x00FC, sst) + _rec(0x000A)
    offset = len(head) + sum(bound_sizes) + len(tail)
    bounds = b""
    bodies = b""
    for name, rows in sheets.items():
        body = _rec(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 6))
        width = max((len(r) for r in rows), default=0)
        body += _rec(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0))
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if isinstance(v, str):
                    body += _rec(0x00FD, struct.pack("<HHHI", r, c, 0, strings.index(v)))
                elif isinstance(v, (int, float)):
                    body += _rec(0x0203, struct.pack("<HHHd", r, c, 0, float(v)))
        body += _rec(0x000A)
        bounds += _rec(0x0085, struct.pack("<IBB", offset + len(bodies), 0, 0) + _short_string(name))
        bodies += body
    return head + bounds + tail + bodies


def old_xls(path: Path, filepass: bool = False) -> Path:
    sheets = {
        "企业信息": [list(r) for r in ENTERPRISE_ROWS],
        "研发项目": [PROJECT_HEADER, PROJECT_ROW],
        "辅助账明细": [LEDGER_HEADER, [v if v is not None else "" for v in ledger_row(1)]],
    }
    return write_cfb(path, {"Workbook": biff8_workbook(sheets, filepass)})


# ---------------------------------------------------------------- the cases


@dataclass
class Case:
    name: str
    filename: str
    build: Callable[[Path], Path]
    expect: str  # "book" | "error" | "either"
    words: tuple[str, ...] = ()  # the Chinese message must contain each
    isolate: bool = False  # would kill or hang the process without the preflight: run it in a child
    limits: dict[str, int] = field(default_factory=dict)  # Limits overrides for load_sheets


def _corrupt_members(path: Path) -> Path:
    standard(path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(LEDGER_PART)
    start = info.header_offset + 30 + len(info.filename.encode()) + 8
    data[start : start + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    return path


def _corrupt_directory(path: Path) -> Path:
    standard(path)
    data = bytearray(path.read_bytes())
    eocd = data.rfind(b"PK\x05\x06")
    data[eocd + 16 : eocd + 20] = b"\xff\xff\xff\x7f"  # central directory offset past the end
    path.write_bytes(bytes(data))
    return path


def _truncated(path: Path) -> Path:
    standard(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _zip_bomb(path: Path) -> Path:
    """A 64 MiB part of zeros (~64 KiB compressed): its declared size and ratio give it away before inflating."""
    standard(path)
    block = b"\x00" * (1 << 20)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open("xl/media/zeros.bin", "w") as fh:
            for _ in range(64):
                fh.write(block)
    return path


def _lying_header(path: Path) -> Path:
    """The ledger part declares 1 000 bytes but inflates to ~4 MB: the readers must stop at the declared size."""
    standard(path)
    xml = part(path, LEDGER_PART)
    rewrite_zip(path, {LEDGER_PART: xml.replace(b"<sheetData>", b"<sheetData>" + b" " * (4 << 20), 1)})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(LEDGER_PART)
    struct.pack_into("<I", data, info.header_offset + 22, 1000)
    i = data.find(b"PK\x01\x02")
    while i != -1:
        n = struct.unpack_from("<H", data, i + 28)[0]
        if bytes(data[i + 46 : i + 46 + n]) == LEDGER_PART.encode():
            struct.pack_into("<I", data, i + 24, 1000)
        i = data.find(b"PK\x01\x02", i + 1)
    path.write_bytes(bytes(data))
    return path


def _billion_laughs() -> bytes:
    ents = b'<!ENTITY lol "lol">'
    prev = b"lol"
    for i in range(1, 10):
        ents += b'<!ENTITY lol%d "%s">' % (i, (b"&" + prev + b";") * 10)
        prev = b"lol%d" % i
    return b"<!DOCTYPE lolz [" + ents + b"]>"


def _entities_in_strings(path: Path) -> Path:
    standard(path)
    sst = part(path, "xl/sharedStrings.xml")
    head, rest = sst.split(b"<sst", 1)
    rest = rest.replace(b"<t>RD01</t>", b"<t>&lol9;</t>", 1)
    return rewrite_zip(path, {"xl/sharedStrings.xml": head + _billion_laughs() + b"<sst" + rest})


def _entities_in_sheet(path: Path) -> Path:
    standard(path)
    xml = part(path, LEDGER_PART)
    head, rest = xml.split(b"<worksheet", 1)
    return rewrite_zip(
        path, {LEDGER_PART: head + b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + b"<worksheet" + rest}
    )


def _far_cell(path: Path) -> Path:
    """Two cells, A1 … XFD1048576: calamine would allocate a 512 GiB grid and abort the process."""
    standard(path)
    return patch_ledger(path, b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')


def _far_cell_no_refs(path: Path) -> Path:
    """A row of 20 000 cells without references, then a row far down: the grid is counted, not declared."""
    standard(path)
    wide = b"<row>" + b"<c><v>1</v></c>" * 20_000 + b"</row>"
    return patch_ledger(path, b"</sheetData>", wide + b'<row r="900000"><c><v>1</v></c></row></sheetData>')


def _overstated_dimension(path: Path) -> Path:
    standard(path)
    xml = part(path, LEDGER_PART)
    start = xml.index(b"<dimension ref=")
    end = xml.index(b"/>", start)
    return rewrite_zip(path, {LEDGER_PART: xml[:start] + b'<dimension ref="A1:XFD1048576"' + xml[end:]})


def _formulas_cached(path: Path) -> Path:
    def body(wb: xlsxwriter.Workbook, ws: object) -> None:
        for i in range(1, 4):
            row = ledger_row(i)
            ws.write_row(i, 0, row[:6])  # type: ignore[attr-defined]
            ws.write_formula(i, 6, f"=1000+{i}", None, 1000 + i)  # type: ignore[attr-defined]
            ws.write_formula(i, 7, f"=G{i + 1}*0.5", None, (1000 + i) * 0.5)  # type: ignore[attr-defined]
            ws.write(i, 8, row[8])  # type: ignore[attr-defined]

    return standard(path, ledger=body)


def _formulas_uncached(path: Path) -> Path:
    _formulas_cached(path)
    xml = part(path, LEDGER_PART)
    import re

    xml = re.sub(rb"(<f>[^<]*</f>)<v>[^<]*</v>", rb"\1", xml)
    return rewrite_zip(path, {LEDGER_PART: xml})


def _merged_headers(path: Path) -> Path:
    def body(wb: xlsxwriter.Workbook, ws: object) -> None:
        pass

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("企业信息")
    for r, row in enumerate(ENTERPRISE_ROWS):
        ws.write_row(r, 0, row)
    ws = wb.add_worksheet("研发项目")
    ws.merge_range(0, 0, 0, 9, "研发项目清单（2024年度）")
    ws.write_row(1, 0, PROJECT_HEADER)
    ws.write_row(2, 0, PROJECT_ROW)
    ws = wb.add_worksheet("辅助账明细")
    ws.merge_range(0, 0, 1, 8, "研发支出辅助账")
    ws.merge_range(2, 0, 2, 1, "日期")  # a header merged over two columns
    ws.write_row(2, 2, LEDGER_HEADER[2:])
    ws.write_row(3, 0, ledger_row(1))
    wb.close()
    return path


def _hidden_sheets(path: Path) -> Path:
    def extra(wb: xlsxwriter.Workbook) -> None:
        for ws in wb.worksheets():
            if ws.name == "研发项目":
                ws.hide()
        secret = wb.add_worksheet("隐藏")
        secret.write(0, 0, "very hidden")
        secret.very_hidden() if hasattr(secret, "very_hidden") else secret.hide()

    return standard(path, extra=extra)


def _error_cells(path: Path) -> Path:
    def body(wb: xlsxwriter.Workbook, ws: object) -> None:
        rows = [ledger_row(i) for i in (1, 2, 3)]
        for i, row in enumerate(rows, start=1):
            ws.write_row(i, 0, row)  # type: ignore[attr-defined]
        ws.write_formula(1, 6, "=1/0", None, "#DIV/0!")  # type: ignore[attr-defined]
        ws.write_formula(2, 6, "=A1+#REF!", None, "#REF!")  # type: ignore[attr-defined]
        ws.write_formula(3, 0, "=NA()", None, "#N/A")  # type: ignore[attr-defined]

    return standard(path, ledger=body)


def _long_strings(path: Path) -> Path:
    """A 100 000-character 摘要 (past Excel's own 32 767: written into the XML directly) and a 30 000-digit amount."""

    def body(wb: xlsxwriter.Workbook, ws: object) -> None:
        row = ledger_row(1)
        row[3] = "LONG-SUMMARY"
        row[6] = "1" * 30_000
        ws.write_row(1, 0, row)  # type: ignore[attr-defined]

    standard(path, ledger=body)
    sst = part(path, "xl/sharedStrings.xml")
    return rewrite_zip(path, {"xl/sharedStrings.xml": sst.replace(b"LONG-SUMMARY", ("长" * 100_000).encode())})


def _control_chars(path: Path) -> Path:
    def body(wb: xlsxwriter.Workbook, ws: object) -> None:
        row = ledger_row(1)
        row[1] = "记-\x01\x02\x07\x1b[31m0001"
        row[3] = "工资\u202e\u200b\ufeff\x0b\x0c摘要"
        row[6] = "1\x00234"
        ws.write_row(1, 0, row)  # type: ignore[attr-defined]

    return standard(path, ledger=body)


def _mixed_scripts(path: Path) -> Path:
    def body(wb: xlsxwriter.Workbook, ws: object) -> None:
        row = ledger_row(1)
        row[2] = "RD0\u0031"  # plain
        ws.write_row(1, 0, row)  # type: ignore[attr-defined]
        row = ledger_row(2)
        row[2] = "\u0420D01"  # Cyrillic Р: a different project id
        row[4] = "1 人员人工费用"
        row[6] = "１２３４．５"
        ws.write_row(2, 0, row)  # type: ignore[attr-defined]

    def extra(wb: xlsxwriter.Workbook) -> None:
        ws = wb.add_worksheet("l\u0435dger")  # Cyrillic е: not the ledger sheet
        ws.write_row(0, 0, LEDGER_HEADER)

    return standard(path, ledger=body, extra=extra)


EXTERNAL_LINK = (
    XML_HEAD + b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<externalBook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId1">'
    b'<sheetNames><sheetName val="Sheet1"/></sheetNames></externalBook></externalLink>'
)
EXTERNAL_RELS = (
    XML_HEAD + b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'externalLinkPath" Target="http://127.0.0.1:9/evil.xlsx" TargetMode="External"/></Relationships>'
)


def _external_link(path: Path) -> Path:
    def body(wb: xlsxwriter.Workbook, ws: object) -> None:
        row = ledger_row(1)
        ws.write_row(1, 0, row)  # type: ignore[attr-defined]
        ws.write_formula(1, 6, "=[1]Sheet1!A1", None, 4321)  # type: ignore[attr-defined]

    standard(path, ledger=body)
    return rewrite_zip(
        path,
        {},
        {
            "xl/externalLinks/externalLink1.xml": EXTERNAL_LINK,
            "xl/externalLinks/_rels/externalLink1.xml.rels": EXTERNAL_RELS,
        },
    )


def _macro(path: Path) -> Path:
    standard(path)
    ct = part(path, "[Content_Types].xml").replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    ct = ct.replace(
        b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>'
    )
    vba = write_cfb(
        path.with_suffix(".vba"), {"VBA": b'Attribute VB_Name = "x"\nSub Auto_Open()\nShell "calc"\nEnd Sub'}
    )
    data = vba.read_bytes()
    vba.unlink()
    return rewrite_zip(path, {"[Content_Types].xml": ct}, {"xl/vbaProject.bin": data})


def _sheet_only_header(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("辅助账明细").write_row(0, 0, LEDGER_HEADER)
    wb.close()
    return path


def _duplicate_part(path: Path) -> Path:
    standard(path)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(path, "a") as z:
            z.writestr(LEDGER_PART, XML_HEAD + b"<worksheet " + MAIN_NS + b"><sheetData/></worksheet>")
    return path


def _not_workbook_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", XML_HEAD + b"<document/>")
        z.writestr("[Content_Types].xml", XML_HEAD + b"<Types/>")
    return path


def _ods(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", XML_HEAD + b"<office:document-content/>")
    return path


def _text(content: bytes) -> Callable[[Path], Path]:
    def build(path: Path) -> Path:
        path.write_bytes(content)
        return path

    return build


CSV = "日期,凭证号,项目编号,摘要,费用类别,明细项目,账载金额\n2024-03-05,记-0001,RD01,工资,1,1.1,1000\n".encode()
CASES: list[Case] = [
    Case("empty", "empty.xlsx", _text(b""), "error", ("空",)),
    Case("truncated", "truncated.xlsx", _truncated, "error", ("损坏",)),
    Case("corrupt_directory", "corrupt_dir.xlsx", _corrupt_directory, "error", ("损坏",)),
    Case("corrupt_members", "corrupt_members.xlsx", _corrupt_members, "error"),
    Case("csv_renamed", "csv.xlsx", _text(CSV), "error", ("CSV",)),
    Case("csv_gbk_renamed", "csv_gbk.xlsx", _text(CSV.decode().encode("gb18030")), "error", ("CSV",)),
    Case("text_renamed", "text.xlsx", _text("这不是表格，只是一段说明文字。\n".encode()), "error", ("文本",)),
    Case(
        "html_renamed",
        "html.xls",
        _text(b"<html><body><table><tr><td>1</td></tr></table></body></html>"),
        "error",
        ("HTML",),
    ),
    Case("random_bytes", "random.xlsx", _text(bytes(range(256)) * 16), "error", ("不是 Excel",)),
    Case(
        "encrypted_xlsx",
        "encrypted.xlsx",
        lambda p: write_cfb(p, {"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\x00" * 8}),
        "error",
        ("密码",),
    ),
    Case("encrypted_xls", "encrypted.xls", lambda p: old_xls(p, filepass=True), "error", ("密码",)),
    Case("old_xls", "old.xls", old_xls, "either"),
    Case(
        "word_doc_renamed", "word.xls", lambda p: write_cfb(p, {"WordDocument": b"\x00" * 10}), "error", ("不是 Excel",)
    ),
    Case("docx_renamed", "word.xlsx", _not_workbook_zip, "error", ("Word",)),
    Case("ods_renamed", "sheet.xlsx", _ods, "error", ("OpenDocument",)),
    Case("xlsm_macro", "macro.xlsm", _macro, "book"),
    Case("zip_bomb", "bomb.xlsx", _zip_bomb, "error", ("压缩炸弹",), isolate=True),
    Case("lying_header", "lying.xlsx", _lying_header, "error", ("损坏",), isolate=True),
    Case("entities_shared_strings", "laughs.xlsx", _entities_in_strings, "error", ("实体",), isolate=True),
    Case("entities_sheet_xxe", "xxe.xlsx", _entities_in_sheet, "error", ("实体",), isolate=True),
    Case("far_cell", "far.xlsx", _far_cell, "error", ("过大",), isolate=True),
    Case("far_cell_no_refs", "far_norefs.xlsx", _far_cell_no_refs, "error", ("过大",), isolate=True),
    Case("overstated_dimension", "dimension.xlsx", _overstated_dimension, "book"),
    Case("rows_over_limit", "rows.xlsx", lambda p: standard(p, lines=50), "error", ("过大",), limits={"max_rows": 20}),
    Case("formulas_cached", "formulas.xlsx", _formulas_cached, "book"),
    Case("formulas_uncached", "formulas_nocache.xlsx", _formulas_uncached, "book"),
    Case("merged_headers", "merged.xlsx", _merged_headers, "book"),
    Case("hidden_sheets", "hidden.xlsx", _hidden_sheets, "book"),
    Case("error_cells", "errors.xlsx", _error_cells, "book"),
    Case("long_strings", "long.xlsx", _long_strings, "book"),
    Case("control_chars", "control.xlsx", _control_chars, "book"),
    Case("mixed_scripts", "scripts.xlsx", _mixed_scripts, "book"),
    Case("external_link", "extlink.xlsx", _external_link, "book"),
    Case("zero_data_rows", "zero_rows.xlsx", lambda p: standard(p, headers_only=True), "book"),
    Case("sheet_only_header", "header_only.xlsx", _sheet_only_header, "book"),
    Case("duplicate_part", "duplicate.xlsx", _duplicate_part, "error", ("重复",)),
]


def build(out: Path, names: list[str] | None = None) -> dict[str, Path]:
    """Write the cases (all, or those named) into ``out``; return name -> path."""
    out.mkdir(parents=True, exist_ok=True)
    return {c.name: c.build(out / c.filename) for c in CASES if names is None or c.name in names}


if __name__ == "__main__":
    for name, path in build(Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")).items():
        print(f"{name}: {path}")
