"""Safety checks shared by the Office backends (DOCX, XLSX), run before any parser sees the file.

python-docx and openpyxl parse with lxml and build the whole document in memory. Before handing a
file to them the archive is bounded: the unpacked size of all parts against a total budget (a
ratio-only gate is beaten by padding the archive with incompressible bytes), each XML part against a
size budget, and every part that is XML — whatever its name says — is streamed once through
defusedxml, which refuses DTDs and entity declarations (billion laughs, external entities). While
streaming, the rows and cells of each worksheet are counted, so a sheet too large to hold is refused
with a clear message instead of being parsed into memory.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import IO

import defusedxml.ElementTree as SafeTree
from defusedxml import DefusedXmlException

from extractor.errors import InputError
from schemas import ReadLimits

MAX_RATIO = 200
_SNIFF_BYTES = 64
_WORKSHEETS = "xl/worksheets/"
_CELL_OR_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:c|row)[\s/>]")
_TAIL = 32
"""Bytes kept between chunks: longer than any `<prefix:row ` tag start."""


def _looks_like_xml(head: bytes) -> bool:
    """XML whatever the part's name: a text part starting with `<` (after a BOM or blanks)."""
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            return True
    return head.lstrip(b" \t\r\n").startswith(b"<")


def _check_prolog(handle: IO[bytes]) -> None:
    """Parse the part up to its root element with defusedxml: DTDs and entity declarations can only
    appear before it, so a part that gets there safely has no entity to expand (billion laughs,
    external entities). The rest is left to the parser proper, which reports a corrupt part itself."""
    for _event, _element in SafeTree.iterparse(handle, events=("start",), forbid_dtd=True):
        return


def _count_cells(handle: IO[bytes], limit: int) -> int:
    """Rows plus cells of a worksheet part, counted on the bytes (fast), stopping past `limit`."""
    count = 0
    tail = b""
    while chunk := handle.read(1 << 20):
        data = tail + chunk
        # A tag cut by the chunk boundary is counted in the next round: the tail is never counted twice
        # because only complete matches ending before the tail's start are counted here.
        cut = max(0, len(data) - _TAIL)
        count += sum(1 for match in _CELL_OR_ROW.finditer(data) if match.start() < cut)
        tail = data[cut:]
        if count > limit:
            return count
    return count + len(_CELL_OR_ROW.findall(tail))


def _check_sizes(path: Path, infos: list[zipfile.ZipInfo], limits: ReadLimits) -> None:
    unpacked = sum(info.file_size for info in infos)
    packed = max(1, sum(info.compress_size for info in infos))
    if unpacked > limits.max_unpacked_bytes:
        raise InputError(
            path,
            f"压缩包解压后过大 (archive unpacks to {unpacked / 1e6:.0f} MB, "
            f"the limit is {limits.max_unpacked_bytes / 1e6:.0f} MB)",
        )
    if unpacked / packed > MAX_RATIO:
        raise InputError(path, "压缩包解压后过大，疑似压缩炸弹 (archive expands too much)")
    sheets = [info for info in infos if info.filename.startswith(_WORKSHEETS) and info.filename.endswith(".xml")]
    if len(sheets) > limits.max_sheets:
        raise InputError(path, f"工作表过多 ({len(sheets)} sheets, the limit is {limits.max_sheets})")


class TextBudget:
    """Characters read from one document so far; InputError once they pass the limit."""

    def __init__(self, path: Path, limits: ReadLimits) -> None:
        self.path = path
        self.limit = limits.max_text_chars
        self.used = 0

    def take(self, text: str) -> str:
        self.used += len(text)
        if self.used > self.limit:
            raise InputError(self.path, f"文本过多 (more than {self.limit} characters of text)")
        return text


def check_office_archive(path: Path, limits: ReadLimits | None = None) -> None:
    """InputError unless the archive is within `limits` and every XML part in it is safe to parse."""
    limits = limits or ReadLimits()
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            _check_sizes(path, infos, limits)
            for info in infos:
                if info.is_dir():
                    continue
                with archive.open(info) as handle:
                    if not _looks_like_xml(handle.read(_SNIFF_BYTES)):
                        continue
                if info.file_size > limits.max_part_bytes:
                    raise InputError(
                        path,
                        f"文件部件过大 ({info.filename}: {info.file_size / 1e6:.0f} MB, "
                        f"the limit is {limits.max_part_bytes / 1e6:.0f} MB)",
                    )
                with archive.open(info) as handle:
                    _check_prolog(handle)
                if not info.filename.startswith(_WORKSHEETS):
                    continue
                with archive.open(info) as handle:
                    cells = _count_cells(handle, limits.max_sheet_cells)
                if cells > limits.max_sheet_cells:
                    raise InputError(
                        path,
                        f"工作表过大 ({info.filename}: more than {limits.max_sheet_cells} rows and cells)",
                    )
    except zipfile.BadZipFile as error:
        raise InputError(path, f"Office 文件已损坏 (corrupt ZIP container: {error})") from error
    except DefusedXmlException as error:
        raise InputError(path, f"Office 文件含有不安全的 XML 声明 (unsafe XML: {type(error).__name__})") from error
    except SafeTree.ParseError as error:
        raise InputError(path, f"Office 文件的 XML 已损坏 (corrupt XML: {error})") from error
    except EOFError as error:
        raise InputError(path, "Office 文件被截断 (truncated file)") from error
