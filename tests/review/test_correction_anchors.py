"""Stored corrections keep their anchor (cells and printed text) and are re-applied by it after a
re-extraction that renumbers records, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine

from extractor.review.corrections import cell_at
from extractor.review.records import correct_field
from extractor.review.workflow import undo_correction
from extractor.store import document_result, list_corrections, session_scope
from schemas import ExtractionResult
from tests.review.helpers import store


def _renumbered(result: ExtractionResult) -> ExtractionResult:
    """The same file as a newer reader might number it: indicators in reverse order of ids."""
    renumbered = result.model_copy(deep=True)
    for index, record in enumerate(renumbered.indicators):
        record.id = f"i{len(renumbered.indicators) - index}"
    return renumbered


def _score_read_from(result: ExtractionResult, row: int, col: int) -> tuple[str, float | None]:
    record = next(i for i in result.indicators if [tuple(c) for c in i.source.cells.get("score", [])] == [(row, col)])
    return record.id, record.score


def test_a_stored_correction_follows_its_cell_through_re_extraction(engine: Engine, seed_001: ExtractionResult) -> None:
    i1 = next(i for i in seed_001.indicators if i.id == "i1")
    row, col = i1.source.cells["score"][0]
    document_id = store(engine, seed_001)
    with session_scope(engine) as session:
        correction = correct_field(
            session=session, document_id=document_id, ref="i1.score", value="5", who="张三"
        ).correction
        correction_id = correction.id
    with session_scope(engine) as session:
        (stored,) = list_corrections(session=session, document_id=document_id)
        assert stored.anchor == {"field": "score", "table": "t1", "cells": [{"row": row, "col": col, "text": "6"}]}

    store(engine, _renumbered(seed_001))  # re-extracted by a reader that numbers the rows differently
    with session_scope(engine) as session:
        result = document_result(session=session, document_id=document_id)
    record_id, score = _score_read_from(result, row, col)
    assert record_id != "i1" and score == 5.0
    assert cell_at(result.tables[0], row, col).text == "5"  # type: ignore[union-attr]
    assert next(i for i in result.indicators if i.id == "i1").score != 5.0
    assert not [p for p in result.problems if p.stage == "review"]

    # Undone after the renumbering: the field read from that cell gets its printed 6 back.
    with session_scope(engine) as session:
        undone = undo_correction(session=session, document_id=document_id, correction_id=correction_id or 0, who="李四")
    assert _score_read_from(undone.result, row, col) == (record_id, 6.0)


def test_a_correction_whose_cell_prints_something_else_now_is_a_problem(
    engine: Engine, seed_001: ExtractionResult
) -> None:
    i1 = next(i for i in seed_001.indicators if i.id == "i1")
    row, col = i1.source.cells["score"][0]
    document_id = store(engine, seed_001)
    with session_scope(engine) as session:
        correct_field(session=session, document_id=document_id, ref="i1.score", value="5", who="张三")

    reread = _renumbered(seed_001)
    cell = cell_at(reread.tables[0], row, col)
    assert cell is not None
    cell.text = "4"
    store(engine, reread)
    with session_scope(engine) as session:
        result = document_result(session=session, document_id=document_id)
    problems = [p.message for p in result.problems if p.stage == "review"]
    assert len(problems) == 1 and "i1.score" in problems[0] and f"t1.r{row}c{col}" in problems[0]
    assert not [i for i in result.indicators if i.score == 5.0], "applied nowhere else"
