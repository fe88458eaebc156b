"""The accuracy figures of extractor.eval: what counts as right, wrong and missing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from extractor.eval import (
    BUDGET_FIELDS,
    DOCUMENT_FIELDS,
    INDICATOR_FIELDS,
    SCORE_FIELDS,
    SECTION_FIELDS,
    align,
    evaluate,
    evaluate_file,
    golden_for,
    same,
)
from fixtures.generate.run import SEEDS_DIR
from schemas.records import ExtractionResult

SEEDS = ["000", "001", "002", "004"]


def _golden(seed: str) -> ExtractionResult:
    return golden_for(SEEDS_DIR / seed / f"{seed}.pdf")


def _total(golden: ExtractionResult) -> int:
    return (
        len(DOCUMENT_FIELDS)
        + len(golden.sections) * len(SECTION_FIELDS)
        + len(golden.indicators) * len(INDICATOR_FIELDS)
        + len(golden.budget_lines) * len(BUDGET_FIELDS)
        + len(golden.scores) * len(SCORE_FIELDS)
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_golden_against_itself_is_perfect(seed: str) -> None:
    golden = _golden(seed)
    score = evaluate(golden, golden)
    assert score.accuracy == 1.0
    assert score.fields_total == _total(golden)
    assert all(count.matched == count.expected == count.found for count in score.counts.values())
    assert not score.misses


def test_each_wrong_field_costs_one_field() -> None:
    golden = _golden("002")
    result = golden.model_copy(deep=True)
    result.indicators[3].weight = 7.0
    result.indicators[8].target.value = 99.0
    result.budget_lines[2].rate = 99.2
    result.scores[0].review_score = None
    result.document.self_score = 93.0
    score = evaluate(result, golden)
    total = _total(golden)
    assert score.fields_correct == total - 5
    assert score.accuracy == pytest.approx((total - 5) / total)
    wrong = {(miss.record, miss.field) for miss in score.misses}
    assert wrong == {
        ("i4", "weight"),
        ("i9", "target.value"),
        ("b3", "rate"),
        ("c1", "review_score"),
        ("document", "self_score"),
    }


def test_a_missing_record_counts_all_its_fields_wrong() -> None:
    golden = _golden("000")
    result = golden.model_copy(deep=True)
    del result.indicators[4]
    del result.scores[1]
    score = evaluate(result, golden)
    assert score.counts["indicators"].matched == len(golden.indicators) - 1
    assert score.fields_correct == _total(golden) - len(INDICATOR_FIELDS) - len(SCORE_FIELDS)
    assert {miss.record for miss in score.misses} == {"i5", "c2"}


def test_extra_records_and_whitespace_cost_nothing() -> None:
    golden = _golden("001")
    result = golden.model_copy(deep=True)
    result.indicators.insert(2, result.indicators[0].model_copy(update={"id": "x1", "name": "多出来的指标"}))
    result.indicators[0].name = "年度报告 提交\n及时性"
    result.indicators[1].actual.raw = "658.82万元"
    score = evaluate(result, golden)
    assert score.accuracy == 1.0
    assert score.counts["indicators"].found == len(golden.indicators) + 1


def test_records_are_paired_in_document_order_despite_repeated_labels() -> None:
    golden = _golden("000")  # 自评得分 / 预算执行 appear once per form
    result = golden.model_copy(deep=True)
    del result.scores[0]  # the department form's 自评得分 goes missing
    score = evaluate(result, golden)
    assert [miss.record for miss in score.misses if miss.field == "label"] == ["c1"]


def test_same_compares_text_without_whitespace_and_numbers_with_tolerance() -> None:
    assert same("产出指标(50分)", "产出指标\n(50 分)")
    assert same(None, "  ") and not same(None, "0")
    assert same(96.3, 96.3 + 1e-7) and not same(96.3, 96.31)
    assert not same(True, 1) and same(False, False)
    assert not same(None, 0.0)


def test_align_prefers_the_best_order_preserving_pairs() -> None:
    assert align(["合计", "上级", "本级"], ["合计", "本级"]) == [(0, 0), (2, 1)]
    assert align(["自评得分", "预算执行"], ["预算执行", "自评得分", "预算执行"]) == [(0, 1), (1, 2)]
    assert align(["a"], ["b"]) == []


def test_a_file_that_cannot_be_extracted_scores_zero(tmp_path: Path) -> None:
    shutil.copy(SEEDS_DIR / "000" / "golden.json", tmp_path / "golden.json")
    score = evaluate_file(tmp_path / "000.pdf")  # no such file: extraction raises
    assert score.error
    assert score.fields_correct == 0 and score.fields_total == _total(_golden("000"))
