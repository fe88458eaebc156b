"""The JSON writer (extractor.output) writes exactly what `model_dump_json` writes, in pieces."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from extractor import output
from extractor.output import STREAMED_LIST, write_json
from extractor.pipeline import extract
from schemas import (
    BudgetLine,
    Cell,
    DocumentInfo,
    ExtractionResult,
    PageInfo,
    Paragraph,
    Problem,
    Source,
    Table,
)

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"


def _long_result(lines: int) -> ExtractionResult:
    """A result whose lists are long enough to be written item by item, nested (a table's cells) and at the
    top (budget lines, pages), with the text a serializer must escape: quotes, backslashes, newlines, CJK."""
    cells = [
        Cell(row=row, col=col, text=f'支出{row}"\\\n{col}' if col == 0 else f"{row * 1.25:.2f}", page=1 + row // 4)
        for row in range(lines)
        for col in range(3)
    ]
    table = Table(id="t1", section="s1", role="budget", pages=[1, 2], n_rows=lines, n_cols=3, cells=cells)
    budget = [
        BudgetLine(
            id=f"b{row}",
            item=f"支出{row}",
            initial=row * 1.25,
            actual=None if row % 3 else float(row),
            source=Source(page=1, table="t1", row=row, bbox=(1.0, 2.5, 3.0, 4.0), cells={"item": [(row, 0)]}),
            confidence={"item": 0.9},
        )
        for row in range(lines)
    ]
    return ExtractionResult(
        document=DocumentInfo(file="长.pdf", sha256="0" * 64, kind="pdf_digital", pages=lines, department="财政局"),
        tables=[table],
        budget_lines=budget,
        narrative=[Paragraph(id="p1", text="第一段\n第二行", page=1)],
        problems=[Problem(stage="pdf", message="a \u2028 line separator")],
        pages=[PageInfo(n=n, width=595.0, height=842.0) for n in range(1, lines + 1)],
    )


def _written(result: ExtractionResult, indent: int | None) -> str:
    handle = io.StringIO()
    write_json(result, handle, indent=indent)
    return handle.getvalue()


@pytest.fixture
def pieces_always(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small results are written whole; these tests make every result be written in pieces, in short runs."""
    monkeypatch.setattr(output, "WHOLE_BELOW", 0)
    monkeypatch.setattr(output, "CHUNK", 5)


@pytest.mark.parametrize("lines", [0, 1, STREAMED_LIST - 1, STREAMED_LIST, 3 * STREAMED_LIST + 1])
@pytest.mark.parametrize("indent", [2, None, 1])
def test_long_lists_written_item_by_item_match_the_whole_dump(
    lines: int, indent: int | None, pieces_always: None
) -> None:
    result = _long_result(lines)
    assert _written(result, indent) == result.model_dump_json(indent=indent)


@pytest.mark.parametrize("seed", ["004/004.pdf", "001/001.xlsx"])
def test_a_read_form_matches_the_whole_dump(seed: str, pieces_always: None) -> None:
    result = extract(SEEDS / seed)
    assert max(len(table.cells) for table in result.tables) >= STREAMED_LIST  # a nested list is really streamed
    assert _written(result, 2) == result.model_dump_json(indent=2)
    assert _written(result, None) == result.model_dump_json()


class _Pieces(io.StringIO):
    """A handle that remembers the longest single write."""

    longest = 0

    def write(self, text: str) -> int:
        self.longest = max(self.longest, len(text))
        return super().write(text)


def test_one_long_table_is_written_in_runs_of_cells() -> None:
    """A document that is one table running over every page (a long annex) is one item of `tables`: runs of
    its cells, not the table, are the pieces (at the sizes the writer uses)."""
    result = _long_result(2000)
    handle = _Pieces()
    write_json(result, handle)
    assert handle.getvalue() == result.model_dump_json(indent=2)
    assert len(handle.getvalue()) > 2_000_000
    assert handle.longest < 200_000


def test_a_small_result_is_one_piece() -> None:
    result = _long_result(20)
    handle = _Pieces()
    write_json(result, handle)
    assert handle.longest == len(result.model_dump_json(indent=2))
