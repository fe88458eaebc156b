"""Scanned PDFs and images give the records of their born-digital originals.

Scans are made here from born-digital PDFs (fixtures/scans.py, cached between runs) in the three
styles submissions arrive in, and read through the whole pipeline: the same tables, cells and
records must come out, with boxes in page points and a confidence on every cell.
"""

from pathlib import Path

import numpy as np
import pymupdf
import pytest

from extractor.errors import InputError
from extractor.eval import evaluate_file
from extractor.pipeline import extract
from fixtures.scans import STYLES, cached_scan, render_page, seed_scan
from tests.corpus import MISSING_SEEDS
from tests.scan_sample import build_sample_form

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def form(tmp_path_factory) -> Path:
    return build_sample_form(tmp_path_factory.mktemp("form") / "form.pdf")


@pytest.fixture(scope="module")
def born(form):
    return extract(form)


def squeeze(text: str | None) -> str:
    return "".join((text or "").split())


def record_view(result):
    """The records' fields that must agree between a PDF and its scan (ids and boxes aside)."""
    indicators = [
        (
            i.level1,
            i.level2,
            squeeze(i.name),
            squeeze(i.target.raw),
            i.target.value,
            i.target.op,
            squeeze(i.actual.raw),
            i.actual.value,
            i.weight,
            i.score,
            squeeze(i.deviation_reason),
        )
        for i in result.indicators
    ]
    budget = [(b.item, b.initial, b.adjusted, b.actual, b.rate, b.weight, b.score, b.unit) for b in result.budget_lines]
    scores = [(s.label, s.weight, s.score) for s in result.scores]
    return indicators, budget, scores


@pytest.mark.parametrize("style", sorted(STYLES))
def test_scan_of_the_sample_form_reads_like_the_pdf(form, born, style):
    scan = cached_scan(form, style)
    result = extract(scan)
    assert result.document.kind == ("pdf_scanned" if scan.suffix == ".pdf" else "image")
    assert result.document.pages == born.document.pages
    assert not result.problems
    assert born.indicators and born.budget_lines  # the sample really holds records
    assert record_view(result) == record_view(born)
    assert [s.model_dump() for s in result.sections] == [s.model_dump() for s in born.sections]
    assert (result.document.year, result.document.self_score) == (born.document.year, born.document.self_score)
    assert len(result.tables) == len(born.tables)
    for got, want in zip(result.tables, born.tables):
        assert (got.n_rows, got.n_cols, got.pages) == (want.n_rows, want.n_cols, want.pages)
        expected = {(c.row, c.col): c for c in want.cells}
        for cell in got.cells:
            assert squeeze(cell.text) == squeeze(expected[(cell.row, cell.col)].text), (style, cell)
            assert 0.0 < cell.confidence <= 1.0
            # Boxes in points of the upright page: within a few points of the PDF's own
            # (a skewed scan is levelled about the page centre, which moves corners a little).
            assert cell.bbox is not None and np.allclose(cell.bbox, expected[(cell.row, cell.col)].bbox, atol=4.0)
    for got, want in zip(result.indicators, born.indicators):
        assert got.source.page == want.source.page
        assert set(got.confidence) == set(want.confidence)


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_single_page_images(form, born, tmp_path, suffix):
    from PIL import Image

    with pymupdf.open(form) as document:
        pixels = render_page(document[0], STYLES["skewed200"], np.random.default_rng(1))
    path = tmp_path / f"page{suffix}"
    Image.fromarray(pixels[:, :, ::-1]).save(path, dpi=(200, 200), quality=85)
    result = extract(path)
    assert result.document.kind == "image" and result.document.pages == 1
    page_one = [i for i in born.indicators if i.source.page == 1]
    assert record_view(result)[0] == record_view(born)[0][: len(page_one)]
    assert record_view(result)[1] == record_view(born)[1]


def test_mixed_pdf_reads_each_page_its_own_way(form, born, tmp_path):
    """Page 1 born-digital, page 2 a scan: kind pdf_mixed, records of both pages."""
    scan = cached_scan(form, "skewed200")
    mixed = tmp_path / "mixed.pdf"
    with pymupdf.open(form) as digital, pymupdf.open(scan) as scanned:
        out = pymupdf.open()
        out.insert_pdf(digital, from_page=0, to_page=0)
        out.insert_pdf(scanned, from_page=1, to_page=1)
        out.save(mixed)
    result = extract(mixed)
    assert result.document.kind == "pdf_mixed"
    assert record_view(result) == record_view(born)


def test_unreadable_image_is_one_clear_error(tmp_path):
    path = tmp_path / "broken.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    with pytest.raises(InputError) as caught:
        extract(path)
    assert "broken.png" in str(caught.value) and "\n" not in str(caught.value)


# One seed per scan style, scored against the seed's golden file like the born-digital PDF.
SEED_TARGETS = [("000", "skewed200", 0.98), ("001", "rotated150", 0.97), ("002", "clean300", 0.99)]


@pytest.mark.parametrize(("seed", "style", "target"), SEED_TARGETS)
def test_seed_scans_reach_their_field_accuracy(seed, style, target):
    if not (Path(__file__).resolve().parents[2] / "fixtures" / "seeds" / seed / f"{seed}.pdf").exists():
        pytest.skip(MISSING_SEEDS)
    score = evaluate_file(seed_scan(seed, style))
    assert score.error is None
    assert score.accuracy >= target, [m.model_dump() for m in score.misses[:10]]
