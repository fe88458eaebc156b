"""A PDF is read page by page into stitching: the same layout as reading every page first, and the
stitcher sees each page's blocks before the next page is read."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from extractor.backends import pdf as pdf_backend
from extractor.backends.pdf import read_pdf
from extractor.pdflib import pymupdf
from extractor.tables.stitch import stitch_blocks, stitch_tables
from schemas import Block, ExtractOptions

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"


def _annex(path: Path, pages: int) -> Path:
    """A long annex: every page a title and a ruled 3 × 3 table whose figures change per page."""
    document = pymupdf.open()
    for number in range(pages):
        page = document.new_page(width=595, height=842)
        page.insert_text((72, 60), f"附表{number + 1}  项目支出预算表", fontname="china-s", fontsize=12)
        for row in range(4):
            page.draw_line((72, 120 + row * 24), (522, 120 + row * 24))
        for col in range(4):
            page.draw_line((72 + col * 150, 120), (72 + col * 150, 192))
        texts = [["项目", "年初预算数", "执行数"], [f"支出{number}", f"{number + 0.25:.2f}", f"{number + 0.5:.2f}"]]
        texts.append(["合计", f"{number + 0.25:.2f}", f"{number + 0.5:.2f}"])
        for row, line in enumerate(texts):
            for col, text in enumerate(line):
                page.insert_text((76 + col * 150, 136 + row * 24), text, fontname="china-s", fontsize=10)
    document.save(path)
    return path


@pytest.mark.parametrize("pages", [3, 2 * pdf_backend.PAGE_WINDOW + 5])
def test_streamed_stitching_equals_stitching_the_whole_layout(tmp_path: Path, pages: int) -> None:
    """Across the document's reopenings (every PAGE_WINDOW pages) too."""
    path = _annex(tmp_path / "annex.pdf", pages)
    streamed = read_pdf(path, ExtractOptions(), arrange=stitch_blocks)
    whole = stitch_tables(read_pdf(path, ExtractOptions()))
    assert streamed == whole
    assert len(streamed.page_sizes) == pages


def test_seed_with_a_table_over_a_page_break(tmp_path: Path) -> None:
    path = SEEDS / "004" / "004.pdf"
    assert read_pdf(path, ExtractOptions(), arrange=stitch_blocks) == stitch_tables(read_pdf(path, ExtractOptions()))


def test_the_stitcher_gets_a_page_before_the_next_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _annex(tmp_path / "annex.pdf", 4)
    read: list[int] = []
    seen: list[tuple[int, int]] = []  # (page of the block, pages read when the stitcher got it)
    one_page = pdf_backend._one_page

    def counting(document, index, options, budget, state):  # the backend's page reader, counting its calls
        read.append(index)
        return one_page(document, index, options, budget, state)

    def arrange(blocks: Iterable[Block]) -> list[Block]:
        def watched() -> Iterator[Block]:
            for block in blocks:
                seen.append((block.pages[0] if block.type == "table" else block.page, len(read)))
                yield block

        return stitch_blocks(watched())

    monkeypatch.setattr(pdf_backend, "_one_page", counting)
    read_pdf(path, ExtractOptions(), arrange=arrange)
    assert {page for page, _ in seen} == {1, 2, 3, 4}
    assert all(page == pages_read for page, pages_read in seen)
