"""`python -m fixtures.scans`: one file per style, named `<stem>.<style>.<ext>`, into --out, source untouched."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pymupdf

from tests.corpus import REPO


def _one_page_pdf(path: Path) -> Path:
    document = pymupdf.open()
    page = document.new_page(width=595, height=842)
    page.insert_text((72, 72), "scan me")
    document.save(path)
    return path


def test_styles_get_their_own_names_beside_the_source_which_is_left_alone(tmp_path: Path) -> None:
    source = _one_page_pdf(tmp_path / "form.pdf")
    before = source.read_bytes()
    command = [sys.executable, "-m", "fixtures.scans", str(source), "--out", str(tmp_path)]
    command += ["--style", "skewed200", "--style", "rotated150"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["form.pdf", "form.rotated150.tif", "form.skewed200.pdf"]
    assert source.read_bytes() == before
    assert done.stdout.split() == [str(tmp_path / "form.skewed200.pdf"), str(tmp_path / "form.rotated150.tif")]


def test_a_missing_source_is_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "fixtures.scans", str(tmp_path / "none.pdf"), "--out", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and done.stderr.strip() == f"error: {tmp_path / 'none.pdf'}: no such file"
    assert list(tmp_path.iterdir()) == []
