"""Safety checks shared by the Office backends (DOCX, XLSX).

python-docx and openpyxl parse with lxml; before handing a file to them, every
XML part is parsed once with defusedxml, which refuses DTDs and entity
declarations (billion laughs, external entities), and the archive's unpacked
size is bounded (zip bombs).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import defusedxml.ElementTree as SafeTree
from defusedxml import DefusedXmlException

from extractor.errors import InputError

MAX_UNPACKED_BYTES = 512 * 1024 * 1024
MAX_RATIO = 200


def check_office_archive(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            unpacked = sum(info.file_size for info in infos)
            packed = max(1, sum(info.compress_size for info in infos))
            if unpacked > MAX_UNPACKED_BYTES or unpacked / packed > MAX_RATIO:
                raise InputError(path, "压缩包解压后过大，疑似压缩炸弹 (archive expands too much)")
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    SafeTree.fromstring(archive.read(info), forbid_dtd=True)
    except zipfile.BadZipFile as error:
        raise InputError(path, "Office 文件已损坏 (corrupt ZIP container)") from error
    except DefusedXmlException as error:
        raise InputError(path, f"Office 文件含有不安全的 XML 声明 (unsafe XML: {type(error).__name__})") from error
    except SafeTree.ParseError as error:
        raise InputError(path, f"Office 文件的 XML 已损坏 (corrupt XML: {error})") from error
