"""Reading a reviewer's text into a field, writing it into the result, and re-applying it later."""

from __future__ import annotations

import pytest

from extractor.review.corrections import CorrectionError, apply, cell_at, format_like, prepare, resolve
from extractor.review.records import with_corrections
from models import Correction
from schemas import ExtractionResult


def _indicator(result: ExtractionResult, record_id: str):  # type: ignore[no-untyped-def]
    return next(i for i in result.indicators if i.id == record_id)


def test_a_value_is_re_parsed_and_its_cell_rewritten(seed_001: ExtractionResult) -> None:
    change = prepare(seed_001, "i2.actual", "不低于5期")
    assert change.before["raw"] == "658.82 万元"
    assert change.after == {"raw": "不低于5期", "op": ">=", "value": 5.0, "unit": "期", "qualitative": False}
    corrected = apply(seed_001, change.ref, change.after)
    indicator = _indicator(corrected, "i2")
    assert (indicator.actual.op, indicator.actual.value, indicator.actual.unit) == (">=", 5.0, "期")
    assert indicator.confidence["actual"] == 1.0
    row = [cell.text for cell in corrected.tables[0].cells if cell.row == indicator.source.row]
    assert "不低于5期" in row and "658.82 万元" not in row
    assert _indicator(seed_001, "i2").actual.raw == "658.82 万元", "the input result is not changed"


def test_numbers_keep_the_printed_form_of_their_cell(seed_001: ExtractionResult) -> None:
    change = prepare(seed_001, "c1.score", "88")
    assert (change.before, change.after) == (98.0, 88.0)
    corrected = apply(seed_001, "c1.score", change.after)
    summary = corrected.scores[0]
    assert summary.score == 88.0 and summary.confidence["score"] == 1.0
    assert cell_at(corrected.tables[0], summary.source.row or 0, 7).text == "88"  # type: ignore[union-attr]
    assert prepare(seed_001, "b1.rate", "96.30%").after == 96.3
    assert prepare(seed_001, "b1.rate", "——").after is None
    assert (
        format_like(97.5, "96.30%") == "97.50%" and format_like(88.0, "98") == "88" and format_like(1.25, "3") == "1.25"
    )


def test_cells_and_document_fields(seed_001: ExtractionResult) -> None:
    corrected = apply(seed_001, "t1.r21c7", prepare(seed_001, "t1.r21c7", " 88 ").after)
    assert cell_at(corrected.tables[0], 21, 7).text == "88"  # type: ignore[union-attr]
    assert prepare(seed_001, "document.year", "2024").after == 2024
    assert apply(seed_001, "document.department", "某某局").document.department == "某某局"


@pytest.mark.parametrize(
    "ref,text,message",
    [
        ("i99.actual", "1", "没有记录"),
        ("i1.source", "1", "不是可更正的字段"),
        ("i1.confidence", "1", "不是可更正的字段"),
        ("i1.actual.value", "1", "只能更正整个字段"),
        ("i1", "1", "不是字段引用"),
        ("document.sha256", "x", "不可更正"),
        ("c1.score", "九十八分左右", "不是数字"),
        ("document.year", "2023.5", "不是整数"),
        ("i1.name", "  ", "不能为空"),
        ("t1.r99c0", "x", "没有这个单元格"),
    ],
)
def test_what_cannot_be_corrected_says_why(seed_001: ExtractionResult, ref: str, text: str, message: str) -> None:
    with pytest.raises(CorrectionError, match=message):
        prepare(seed_001, ref, text)


def test_re_applying_stored_corrections_gives_the_same_result(seed_001: ExtractionResult) -> None:
    first = prepare(seed_001, "i2.actual", "5期")
    once = apply(seed_001, first.ref, first.after)
    second = prepare(once, "c1.score", "88")
    twice = apply(once, second.ref, second.after)
    stored = [
        Correction(id=1, document_id=1, who="a", ref=first.ref, before=first.before, after=first.after),
        Correction(id=2, document_id=1, who="a", ref=second.ref, before=second.before, after=second.after),
        Correction(id=3, document_id=1, who="a", ref="i77.actual", before=None, after={"raw": "x"}),
    ]
    replayed = with_corrections(seed_001, stored)
    assert replayed.indicators == twice.indicators and replayed.scores == twice.scores
    assert replayed.tables == twice.tables
    assert [p.stage for p in replayed.problems] == ["review"] and "i77.actual" in replayed.problems[0].message
    assert resolve(seed_001, "i2.actual.raw").ref == "i2.actual"


def test_of_two_cells_printing_the_same_figure_the_field_s_own_is_rewritten(seed_001: ExtractionResult) -> None:
    indicator = _indicator(seed_001, "i1")
    assert indicator.weight == indicator.score == 6.0  # 分值 6 and 得分 6 side by side
    corrected = apply(seed_001, "i1.score", prepare(seed_001, "i1.score", "5").after)
    row = indicator.source.row or 0
    assert (cell_at(corrected.tables[0], row, 6).text, cell_at(corrected.tables[0], row, 7).text) == ("6", "5")  # type: ignore[union-attr]


def test_a_paragraph_is_corrected_by_its_text(seed_001: ExtractionResult) -> None:
    paragraph = seed_001.narrative[0]
    change = prepare(seed_001, f"{paragraph.id}.text", "更正后的正文")
    assert change.before == paragraph.text
    assert apply(seed_001, change.ref, change.after).narrative[0].text == "更正后的正文"
    with pytest.raises(CorrectionError):
        prepare(seed_001, f"{paragraph.id}.page", "3")


def test_boxes_point_at_the_field_s_cell(seed_001: ExtractionResult) -> None:
    from extractor.review.boxes import field_boxes

    boxes = field_boxes(seed_001)
    summary = seed_001.scores[0]
    score_cell = cell_at(seed_001.tables[0], summary.source.row or 0, 7)
    assert score_cell is not None
    expected = {"page": score_cell.page, "bbox": score_cell.bbox, "table": "t1", "row": score_cell.row, "col": 7}
    assert boxes["c1.score"] == expected
    assert boxes["c1.weight"]["bbox"] != boxes["c1.score"]["bbox"]  # type: ignore[index]
    assert all(ref in boxes for finding in seed_001.findings for ref in finding.refs)


def test_boxes_follow_the_reader_s_cells_when_it_names_them(seed_001: ExtractionResult) -> None:
    """With `source.cells` (the reader's record), the box is those cells' union, not a guess by value."""
    from extractor.review.boxes import box_of, finding_key

    result = seed_001.model_copy(deep=True)
    summary = result.scores[0]
    row = summary.source.row or 0
    summary.source.cells = {"score": [(row, 6), (row, 7)]}
    left, right = cell_at(result.tables[0], row, 6), cell_at(result.tables[0], row, 7)
    assert left is not None and right is not None and left.bbox and right.bbox
    box = box_of(result, "c1.score")
    assert box is not None and (box["row"], box["col"]) == (left.row, left.col)
    assert box["bbox"] == (
        left.bbox[0],
        min(left.bbox[1], right.bbox[1]),
        right.bbox[2],
        max(left.bbox[3], right.bbox[3]),
    )
    # The finding key names cells, so it changes when the cited cells do, and not with finding ids.
    finding = next(f for f in result.findings if "c1.score" in f.refs)
    renumbered = finding.model_copy(update={"id": "f99"})
    assert finding_key(result, finding) == finding_key(result, renumbered)
    elsewhere = result.model_copy(deep=True)
    elsewhere.scores[0].source.cells = {"score": [(row, 0)]}
    assert finding_key(elsewhere, finding) != finding_key(result, finding)


def test_department_follows_a_correction_of_the_cell_it_was_read_from(seed_001: ExtractionResult) -> None:
    from extractor.review.records import follow_scores

    assert seed_001.document.department == "庆城县工业和信息化局"
    change = prepare(seed_001, "t1.r0c2", "庆城县教育和体育局")
    followed = follow_scores(seed_001, apply(seed_001, change.ref, change.after), change.ref)
    assert followed.document.department == "庆城县教育和体育局"
    assert (followed.document.year, followed.document.self_score) == (
        seed_001.document.year,
        seed_001.document.self_score,
    )
    # A department the reviewer set by hand is theirs: a later cell correction does not replace it.
    by_hand = apply(seed_001, "document.department", "县工信局")
    again = follow_scores(by_hand, apply(by_hand, change.ref, change.after), change.ref)
    assert again.document.department == "县工信局"


def test_stored_corrections_replay_the_document_fields_too(seed_001: ExtractionResult) -> None:
    change = prepare(seed_001, "t1.r0c2", "庆城县教育和体育局")
    stored = [Correction(id=1, document_id=1, who="a", ref=change.ref, before=change.before, after=change.after)]
    assert with_corrections(seed_001, stored).document.department == "庆城县教育和体育局"
