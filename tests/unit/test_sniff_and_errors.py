"""Bad input: one line naming the file and the reason, exit 1, never a traceback."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.errors import InputError
from extractor.pipeline import extract
from extractor.sniff import sniff_kind
from tests.corpus import MISSING_REAL, REAL_FILES


def _cli(*args: str) -> subprocess.CompletedProcess:
    """The installed entry point in a process of its own (test_missing_file): what a user's shell runs."""
    return subprocess.run([sys.executable, "-m", "extractor.cli", *args], capture_output=True, text=True)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.pdf", b"", "空文件"),
        ("notes.pdf", "这不是PDF\n".encode(), "不支持的文件类型"),
        ("broken.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", "PDF"),
        ("broken.docx", b"PK\x03\x04garbage", "损坏"),
    ],
)
def test_bad_files_fail_with_one_line(tmp_path: Path, name: str, content: bytes, reason: str):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as error:
        extract(path)
    assert name in str(error.value) and reason in str(error.value)
    # In-process (a CLI process costs ~2.5 s of start-up; test_missing_file runs the real one): an exception
    # escaping the command would show as `result.exception`, where a user would see a traceback.
    completed = CliRunner().invoke(app, ["extract", str(path)])
    assert completed.exit_code == 1 and isinstance(completed.exception, SystemExit), completed.exception
    assert completed.stderr.strip().count("\n") == 0
    assert name in completed.stderr and "Traceback" not in completed.stderr


def test_missing_file(tmp_path: Path):
    completed = _cli("extract", str(tmp_path / "nope.xlsx"))
    assert completed.returncode == 1 and "nope.xlsx" in completed.stderr and "不存在" in completed.stderr


def test_encrypted_pdf(tmp_path: Path):
    import pymupdf

    document = pymupdf.open()
    document.new_page().insert_text((72, 72), "secret")
    path = tmp_path / "locked.pdf"
    document.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="pw", owner_pw="pw")
    with pytest.raises(InputError, match="加密"):
        extract(path)


def test_kind_comes_from_bytes_not_name(tmp_path: Path):
    import openpyxl

    path = tmp_path / "looks_like.pdf"
    workbook = openpyxl.Workbook()
    workbook.active.append(["a", "b"])
    workbook.save(path)
    assert sniff_kind(path) == "xlsx"


def test_zip_that_is_not_office(tmp_path: Path):
    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(InputError, match="ZIP"):
        extract(path)


def test_xml_entity_bomb_is_refused(tmp_path: Path):
    import docx

    path = tmp_path / "bomb.docx"
    docx.Document().save(path)
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["word/document.xml"] = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">&b;</w:document>'
    )
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    with pytest.raises(InputError, match="XML"):
        extract(path)


def test_truncated_real_pdf_is_reported_as_corrupt(tmp_path: Path):
    real = [path for path in REAL_FILES if path.suffix.lower() == ".pdf"]
    if not real:
        pytest.skip(MISSING_REAL)
    for index, source in enumerate(real):
        path = tmp_path / f"cut{index}.pdf"
        path.write_bytes(source.read_bytes()[:1000])
        with pytest.raises(InputError) as error:
            extract(path)
        assert "PDF" in str(error.value) and path.name in str(error.value)
