"""Field confidence = recognition × the reader's certainty about the cell's role (extractor.confidence)."""

from __future__ import annotations

import pytest

from extractor.confidence import RoleCertainty, combine, with_role_certainty
from extractor.review.summary import LOW_CONFIDENCE
from schemas import Cell, ColumnReading, DocumentInfo, ExtractionResult, Indicator, Source, Table


def _result(evidence: dict[int, str], ocr: float) -> ExtractionResult:
    """One indicator row: score read from column 2 and weight from column 1, with the given evidence."""
    table = Table(
        id="t1",
        n_rows=2,
        n_cols=3,
        cells=[Cell(row=1, col=col, text=text, confidence=ocr) for col, text in enumerate(["数量", "10", "9"])],
        columns=[
            ColumnReading(col=col, role=role, evidence=evidence.get(col, ""))
            for col, role in enumerate(["name", "weight", "score"])
        ],
    )
    indicator = Indicator(
        id="i1",
        section="s1",
        name="数量",
        weight=10,
        score=9,
        source=Source(table="t1", row=1, cells={"weight": [(1, 1)], "score": [(1, 2)]}),
        confidence={"weight": ocr, "score": ocr},
    )
    info = DocumentInfo(file="x.pdf", sha256="0" * 64, kind="pdf_scanned")
    return ExtractionResult(document=info, tables=[table], indicators=[indicator])


def test_role_certainty_orders_lexicon_over_head_word_over_content() -> None:
    certainty = RoleCertainty()
    lexicon, head, content = certainty.of("lexicon:得分"), certainty.of("head:得分"), certainty.of("content:number")
    assert lexicon is not None and head is not None and content is not None
    assert lexicon > head > content > certainty.none
    assert certainty.of("") is None and certainty.of("guess:x") == certainty.none
    assert combine(0.9, None) == 0.9
    assert combine(0.9, 0.5) == pytest.approx(0.45)


def test_a_digital_field_is_as_sure_as_its_role_and_a_scanned_one_multiplies_in_its_ocr() -> None:
    digital = with_role_certainty(_result({1: "lexicon:分值", 2: "content:number"}, ocr=1.0)).indicators[0]
    assert digital.confidence["weight"] == 1.0
    assert digital.confidence["score"] == RoleCertainty().content
    assert digital.confidence["score"] < LOW_CONFIDENCE, "a role told from content alone is worth a look"
    scanned = with_role_certainty(_result({1: "head:分值", 2: "lexicon:得分"}, ocr=0.95)).indicators[0]
    assert scanned.confidence["weight"] == pytest.approx(0.95 * RoleCertainty().head)
    assert scanned.confidence["score"] == pytest.approx(0.95)


def test_without_recorded_evidence_the_confidence_is_left_alone() -> None:
    result = _result({}, ocr=0.87)
    assert with_role_certainty(result) == result
    no_columns = result.model_copy(update={"tables": [result.tables[0].model_copy(update={"columns": []})]})
    assert with_role_certainty(no_columns) is no_columns


def test_a_printed_figure_the_parser_could_not_read_lowers_the_confidence() -> None:
    from extractor.confidence import UNPARSED, parsing_certainty
    from schemas import Value

    assert parsing_certainty(Value(raw="≥45条", op=">=", value=45, unit="条")) == 1.0
    assert parsing_certainty(Value(raw="2023年12月", qualitative=True)) == 1.0
    assert parsing_certainty(Value(raw="—")) == 1.0  # a blank marker holds no figure
    assert parsing_certainty(Value(raw="约3成5")) == UNPARSED
    assert parsing_certainty(9.5) == 1.0
