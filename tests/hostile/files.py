"""Hostile and broken input files, generated small into a tmp dir (nothing large is committed)."""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from pathlib import Path


def _pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF from numbered object bodies (1-based), with a correct xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref))
    return out.getvalue()


def _stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def fanout_pdf(path: Path, depth: int = 40) -> Path:
    """Form XObjects that each draw the next one twice: 2**depth draws from a 10 KB file."""
    # 1 catalog, 2 pages, 3 page, 4 page content, 5.. forms
    first_form = 5
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /XObject << /X %d 0 R >> >> >>" % first_form,
        _stream(b"", b"q /X Do Q"),
    ]
    for level in range(depth):
        number = first_form + level
        if level == depth - 1:
            body = b"0 0 m 10 10 l S BT /F1 1 Tf (x) Tj ET"
            resources = b""
        else:
            body = b"q /N Do Q q 1 0 0 1 0.01 0 cm /N Do Q"
            resources = b"/Resources << /XObject << /N %d 0 R >> >>" % (number + 1)
        objects.append(_stream(b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] " + resources, body))
    path.write_bytes(_pdf(objects))
    return path


def recursive_form_pdf(path: Path) -> Path:
    """A Form XObject that draws itself: a stack overflow for a naive renderer."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /XObject << /X 5 0 R >> >> >>",
        _stream(b"", b"q /X Do Q"),
        _stream(
            b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /XObject << /X 5 0 R >> >>",
            b"q /X Do Q 0 0 m 5 5 l S",
        ),
    ]
    path.write_bytes(_pdf(objects))
    return path


def text_pdf(path: Path, text: str = "Hello", *, media_box: tuple[float, float] = (595, 842), pages: int = 1) -> Path:
    """A plain digital PDF (via PyMuPDF), optionally with an absurd MediaBox or many pages."""
    import pymupdf

    document = pymupdf.open()
    for index in range(pages):
        page = document.new_page(width=media_box[0], height=media_box[1])
        page.insert_text((72, 72), f"{text} {index + 1}")
    document.save(path)
    document.close()
    return path


def truncated_pdf(path: Path, source: Path) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _png(width: int, height: int, row: bytes | None = None) -> bytes:
    """A greyscale PNG whose rows compress to almost nothing (a decompression bomb when large)."""
    raw_row = b"\x00" + (row if row is not None else b"\xff" * width)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(raw_row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def png_bomb(path: Path, side: int = 13_000) -> Path:
    path.write_bytes(_png(side, side))
    return path


def _xlsx_parts(sheet_xml: bytes, shared: bytes | None = None) -> dict[str, bytes]:
    rels_types = (
        b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        b'<Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        + (
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            if shared is not None
            else b""
        )
        + b"</Types>"
    )
    parts = {
        "[Content_Types].xml": rels_types,
        "_rels/.rels": b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        + (
            b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            if shared is not None
            else b""
        )
        + b"</Relationships>",
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    if shared is not None:
        parts["xl/sharedStrings.xml"] = shared
    return parts


def _write_zip(path: Path, parts: dict[str, bytes], stored: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
        for name, data in (stored or {}).items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_STORED)
    return path


_SHEET_HEAD = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
_SHEET_TAIL = b"</sheetData></worksheet>"


def xlsx_huge_sheet(path: Path, rows: int, *, padding: int = 0) -> Path:
    """A sheet of `rows` rows that deflates to little, optionally padded with stored random bytes so the
    ratio stays under a ratio-only zip-bomb gate."""
    body = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(1, rows + 1))
    stored = {"docProps/padding.bin": random.Random(0).randbytes(padding)} if padding else None
    return _write_zip(path, _xlsx_parts(_SHEET_HEAD + body + _SHEET_TAIL), stored)


def xlsx_long_shared_string(path: Path, *, length: int = 200_000, cells: int = 1000) -> Path:
    """One long shared string used by many cells: tiny file, pathological text for the rules."""
    text = ("项目绩效目标完成情况良好，" * (length // 13 + 1))[:length].encode("utf-8")
    shared = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'count="%d" uniqueCount="1"><si><t>' % cells + text + b"</t></si></sst>"
    )
    rows = b"".join(b'<row r="%d"><c r="A%d" t="s"><v>0</v></c></row>' % (n, n) for n in range(1, cells + 1))
    return _write_zip(path, _xlsx_parts(_SHEET_HEAD + rows + _SHEET_TAIL, shared))


def xlsx_unsafe_part(path: Path) -> Path:
    """An entity declaration hidden in a part whose name does not end in .xml."""
    parts = _xlsx_parts(_SHEET_HEAD + b'<row r="1"><c r="A1"><v>1</v></c></row>' + _SHEET_TAIL)
    parts["customXml/item1.dat"] = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    return _write_zip(path, parts)


def docx_with_pdf_marker(path: Path) -> Path:
    """A valid DOCX whose first KB contains `%PDF-` (in a stored part's name)."""
    import docx

    document = docx.Document()
    document.add_paragraph("正文")
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("%PDF-marker.txt", b"%PDF-1.7")
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def many_page_tiff(path: Path, pages: int) -> Path:
    from PIL import Image

    frames = [Image.new("L", (20, 20), 255) for _ in range(pages)]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    return path


def scan_pdf(path: Path, side: float = 10_000) -> Path:
    """One page with an image and no text layer: read as a scan, rendered at the OCR resolution."""
    import pymupdf

    document = pymupdf.open()
    page = document.new_page(width=side, height=side)
    page.insert_image(page.rect, stream=_png(16, 16, b"\x80" * 16))
    document.save(path)
    document.close()
    return path
