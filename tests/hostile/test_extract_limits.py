"""Hostile files through `extract_limited`: each ends in bounded time and memory with its reason."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from extractor.errors import InputError
from extractor.sandbox import FailureKind, Limits, SandboxFailure, extract_limited, run_limited
from schemas import ExtractOptions, ReadLimits
from tests.corpus import MISSING_REAL
from tests.hostile import files
from tests.store.files import REAL

LIMITS = Limits(timeout_s=120, memory_mb=2048)
REPO = Path(__file__).resolve().parents[2]


def _refused(path: Path, options: ExtractOptions | None = None) -> str:
    with pytest.raises(InputError) as caught:
        extract_limited(path, options, LIMITS)
    assert caught.value.path.name == path.name
    return caught.value.reason


def test_form_xobject_fan_out_is_refused_before_drawing(tmp_path: Path) -> None:
    reason = _refused(files.fanout_pdf(tmp_path / "fanout.pdf", depth=40))
    assert "没有一页能读取" in reason and "Form XObjects draw more than" in reason


def test_a_form_that_draws_itself_still_reads(tmp_path: Path) -> None:
    result = extract_limited(files.recursive_form_pdf(tmp_path / "self.pdf"), None, LIMITS)
    assert result.document.pages == 1


def test_png_bomb_is_refused_by_the_pixel_budget(tmp_path: Path) -> None:
    reason = _refused(files.png_bomb(tmp_path / "bomb.png", side=13_000))
    assert "页面图像过大" in reason and "13000×13000" in reason


def test_document_pixel_budget_counts_every_page(tmp_path: Path) -> None:
    """Two 20×20 pages fit a budget of 800 pixels, the third does not: a partial document, page 3 listed."""
    path = files.many_page_tiff(tmp_path / "pages.tiff", pages=3)
    options = ExtractOptions(limits=ReadLimits(max_document_pixels=20 * 20 * 2))
    result = extract_limited(path, options, LIMITS)
    assert [(problem.page, "文档图像总量过大" in problem.message) for problem in result.problems] == [(3, True)]


def test_too_many_pages_is_a_clear_refusal(tmp_path: Path) -> None:
    tiff = files.many_page_tiff(tmp_path / "pages.tiff", pages=12)
    assert "页数过多 (12 pages, the limit is 10)" in _refused(tiff, ExtractOptions(limits=ReadLimits(max_pages=10)))
    pdf = files.text_pdf(tmp_path / "pages.pdf", pages=12)
    assert "页数过多 (12 pages" in _refused(pdf, ExtractOptions(limits=ReadLimits(max_pages=10)))


def test_sheet_with_a_million_rows_is_refused_before_parsing(tmp_path: Path) -> None:
    reason = _refused(files.xlsx_huge_sheet(tmp_path / "rows.xlsx", rows=1_048_576))
    assert "工作表过大" in reason


def test_padding_under_the_ratio_gate_meets_the_total_budget(tmp_path: Path) -> None:
    # 4 MB of sheet padded with 1 MB of random bytes: the ratio stays low, the total does not.
    path = files.xlsx_huge_sheet(tmp_path / "padded.xlsx", rows=100_000, padding=1024 * 1024)
    options = ExtractOptions(limits=ReadLimits(max_unpacked_bytes=2 * 1024 * 1024, max_sheet_cells=10**9))
    assert "压缩包解压后过大 (archive unpacks to" in _refused(path, options)


def test_one_long_shared_string_in_many_cells_meets_the_text_budget(tmp_path: Path) -> None:
    path = files.xlsx_long_shared_string(tmp_path / "long.xlsx", length=200_000, cells=1000)
    assert path.stat().st_size < 20_000
    assert "文本过多" in _refused(path)


def test_entity_declaration_in_a_part_not_named_xml_is_refused(tmp_path: Path) -> None:
    assert "unsafe XML" in _refused(files.xlsx_unsafe_part(tmp_path / "unsafe.xlsx"))


def test_docx_with_a_pdf_marker_in_its_first_kb_is_read_as_docx(tmp_path: Path) -> None:
    path = files.docx_with_pdf_marker(tmp_path / "marker.docx")
    assert b"%PDF-" in path.read_bytes()[:1024]
    assert extract_limited(path, None, LIMITS).document.kind == "docx"


def test_truncated_pdf_says_so(tmp_path: Path) -> None:
    source = files.text_pdf(tmp_path / "whole.pdf", pages=5)
    result = extract_limited(files.truncated_pdf(tmp_path / "cut.pdf", source), None, LIMITS)
    assert any("截断" in problem.message for problem in result.problems)


def _sleep_forever() -> None:
    import time

    while True:
        time.sleep(1)


def _allocate() -> bytes:
    return b"x" * (4 * 1024 * 1024 * 1024)


def _big_answer() -> bytes:
    return b"x" * (3 * 1024 * 1024)


def _crash() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.parametrize(
    ("function", "limits", "kind"),
    [
        (_sleep_forever, Limits(timeout_s=0.5), FailureKind.timeout),
        (_allocate, Limits(memory_mb=512), FailureKind.memory),
        (_big_answer, Limits(output_mb=1), FailureKind.output),
        (_crash, Limits(), FailureKind.crashed),
    ],
)
def test_each_way_a_child_can_fail_has_its_reason(function, limits: Limits, kind: FailureKind) -> None:
    with pytest.raises(SandboxFailure) as caught:
        run_limited(function, limits, name="f.pdf")
    assert caught.value.kind is kind
    assert str(caught.value).startswith("f.pdf: ")


def test_cli_extract_prints_one_line_and_exits_1(tmp_path: Path) -> None:
    path = files.fanout_pdf(tmp_path / "fanout.pdf")
    done = subprocess.run(
        [sys.executable, "-m", "extractor.cli", "extract", str(path), "--timeout", "60", "--memory-limit", "1024"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0
    assert done.stderr.startswith("error: fanout.pdf: ")


def test_an_engine_out_of_memory_on_one_page_fails_the_document(tmp_path: Path, monkeypatch) -> None:
    """ONNX Runtime reports a failed allocation as its own RuntimeException (`std::bad_alloc`): that
    must end the document as out-of-memory, not become a page problem of an empty `done` document."""
    import extractor.backends.pdf as pdf_backend
    from extractor.pipeline import extract

    def bad_alloc(*_args: object) -> None:
        raise RuntimeError(
            "[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : Exception during initialization: std::bad_alloc"
        )

    monkeypatch.setattr(pdf_backend, "_scanned", bad_alloc)
    with pytest.raises(MemoryError):
        extract(files.scan_pdf(tmp_path / "scan.pdf", side=600))


def test_a_page_the_engine_cannot_read_beside_good_pages_is_listed(tmp_path: Path, monkeypatch) -> None:
    """partial: the other pages' content is kept, the unreadable page is a problem with its number."""
    import extractor.backends.pdf as pdf_backend
    from extractor.pipeline import extract

    original = pdf_backend.page_content

    def fails_on_page_2(page, *rest):  # type: ignore[no-untyped-def]
        if page.number == 1:
            raise ValueError("unreadable content stream")
        return original(page, *rest)

    monkeypatch.setattr(pdf_backend, "page_content", fails_on_page_2)
    result = extract(files.text_pdf(tmp_path / "three.pdf", "Page", pages=3))
    assert [(problem.page, "unreadable" in problem.message) for problem in result.problems] == [(2, True)]
    assert result.document.pages == 3


REAL_XLS = REAL / "budget_template.xls"


@pytest.mark.skipif(not REAL_XLS.is_file(), reason=MISSING_REAL)
def test_legacy_xls_sheets_are_bounded_before_they_are_visited(tmp_path: Path) -> None:
    from extractor.pipeline import extract

    assert extract(REAL_XLS).document.kind == "xls"
    with pytest.raises(InputError) as caught:
        extract(REAL_XLS, ExtractOptions(limits=ReadLimits(max_sheet_cells=10)))
    assert "工作表过大" in caught.value.reason
