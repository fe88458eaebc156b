"""Decide what a file is from its bytes, not its name."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Literal

from extractor.errors import InputError

FileKind = Literal["pdf", "docx", "xlsx", "xls", "image"]

_IMAGE_MAGIC: tuple[bytes, ...] = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",  # JPEG
    b"II*\x00",  # TIFF little-endian
    b"MM\x00*",  # TIFF big-endian
    b"BM",  # BMP
)
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff_kind(path: Path) -> FileKind:
    """Return the input kind or raise InputError naming why the file is not one we read."""
    try:
        with path.open("rb") as handle:
            head = handle.read(2048)
    except OSError as error:
        raise InputError(path, f"无法读取文件 (cannot read: {error.strerror})") from error
    if not head:
        raise InputError(path, "空文件 (empty file)")
    if head.startswith(b"PK"):  # before the PDF marker: a DOCX may hold `%PDF-` in its first KB
        return _sniff_zip(path)
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(_OLE2_MAGIC):
        return _sniff_ole(path)
    if any(head.startswith(magic) for magic in _IMAGE_MAGIC):
        return "image"
    raise InputError(path, "不支持的文件类型 (unsupported file type: not PDF, DOCX, XLSX, XLS or image)")


def _sniff_zip(path: Path) -> FileKind:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile as error:
        raise InputError(path, "ZIP 容器已损坏 (corrupt Office file)") from error
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "EncryptedPackage" in names:
        raise InputError(path, "文件已加密 (encrypted Office file)")
    raise InputError(path, "不支持的 ZIP 文件 (a ZIP archive that is neither DOCX nor XLSX)")


def _sniff_ole(path: Path) -> FileKind:
    """OLE2 holds legacy .xls, legacy .doc and password-protected OOXML alike."""
    data = path.read_bytes()
    if "EncryptedPackage".encode("utf-16-le") in data:
        raise InputError(path, "文件已加密 (encrypted Office file)")
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return "xls"
    raise InputError(path, "不支持旧版 Word .doc 文件，请另存为 DOCX 或 PDF (legacy .doc is not supported)")
