"""The accuracy figures of extractor.eval: what counts as right, wrong and missing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from extractor.eval import (
    BUDGET_FIELDS,
    DOCUMENT_FIELDS,
    INDICATOR_FIELDS,
    REAL_FORM_FIELDS,
    SCORE_FIELDS,
    SECTION_FIELDS,
    SHARED_DIR_VARIABLE,
    align,
    evaluate,
    evaluate_file,
    golden_for,
    group_scores,
    is_blank,
    main,
    real_form_golden,
    same,
    shared_dir,
)
from fixtures.generate.run import SEEDS_DIR
from schemas.records import ExtractionResult, Value

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


def test_precision_counts_extra_records_and_recall_missing_ones() -> None:
    golden = _golden("000")
    result = golden.model_copy(deep=True)
    result.indicators.append(result.indicators[0].model_copy(update={"id": "x1", "name": "多出来的指标"}))
    del result.budget_lines[0]
    score = evaluate(result, golden)
    indicators, budget = score.counts["indicators"], score.counts["budget_lines"]
    assert indicators.recall == 1.0 and indicators.precision == pytest.approx(
        len(golden.indicators) / (len(golden.indicators) + 1)
    )
    assert budget.precision == 1.0 and budget.recall == pytest.approx(
        (len(golden.budget_lines) - 1) / len(golden.budget_lines)
    )
    assert score.field_accuracy == 1.0  # a missing record is a recall loss, not a field loss


def test_blank_gold_matched_by_blank_output_is_counted_apart() -> None:
    golden = _golden("000")
    score = evaluate(golden, golden)
    blank = sum(1 for record in golden.indicators for field in INDICATOR_FIELDS if is_blank(_dotted(record, field)))
    assert score.blank_matches >= blank > 0
    assert score.matched_fields.blank_matches == score.blank_matches
    result = golden.model_copy(deep=True)
    result.indicators[0].description = "凭空多出的描述"  # golden blank, output not: wrong, and informative
    assert golden.indicators[0].description is None
    worse = evaluate(result, golden)
    assert worse.blank_matches == score.blank_matches - 1
    informative = worse.matched_fields.total - worse.matched_fields.blank_matches
    assert worse.field_accuracy == pytest.approx((informative - 1) / informative)


def _dotted(record: object, field: str) -> object:
    for part in field.split("."):
        record = getattr(record, part)
    return record


def test_parent_is_compared_by_the_label_it_names_not_by_id() -> None:
    golden = _golden("002")
    golden = golden.model_copy(deep=True)
    golden.scores[1].parent = golden.scores[0].id
    golden.indicators[0].parent = golden.scores[0].id
    result = golden.model_copy(deep=True)
    renamed = {summary.id: f"z{index}" for index, summary in enumerate(result.scores)}
    for summary in result.scores:
        summary.parent = renamed.get(summary.parent) if summary.parent else None
        summary.id = renamed[summary.id]
    for indicator in result.indicators:  # the seed goldens link indicators to their summaries too
        indicator.parent = renamed.get(indicator.parent) if indicator.parent else None
    result.indicators[0].parent = renamed[golden.scores[0].id]
    assert evaluate(result, golden).field_accuracy == 1.0
    result.indicators[0].parent = renamed[golden.scores[2].id]
    misses = evaluate(result, golden).misses
    assert [(miss.record, miss.field) for miss in misses] == [(golden.indicators[0].id, "parent")]


def test_real_form_reading_states_only_what_it_read(tmp_path: Path) -> None:
    reading = {
        "document": {"department": "稷山县医疗保障局", "year": 2020, "self_score": 94},
        "indicators": [
            {
                "level1": "产出指标",
                "level2": "数量指标",
                "name": "全县参合人数",
                "target": "8755",
                "actual": "8676",
                "weight": 15,
                "score": 13,
            }
        ],
        "budget_lines": [{"item": "年度资金总额", "initial": None, "adjusted": 65.66, "actual": 65.07, "rate": 99.0}],
    }
    (tmp_path / "f99_xx_test.json").write_text(json.dumps(reading, ensure_ascii=False), encoding="utf-8")
    golden = real_form_golden(tmp_path / "f99_xx_test.json")
    assert golden.indicators[0].target.raw == "8755" and golden.budget_lines[0].adjusted == 65.66
    result = golden.model_copy(deep=True)
    result.indicators[0].target = Value(raw="8755", value=8755.0)  # op/value/unit are not in the reading
    result.indicators[0].criteria = "不在读数中的字段"
    score = evaluate(result, golden, REAL_FORM_FIELDS)
    assert score.field_accuracy == 1.0
    result.budget_lines[0].rate = 98.0
    assert evaluate(result, golden, REAL_FORM_FIELDS).field_accuracy < 1.0


def test_group_scores_add_files_up() -> None:
    golden = _golden("001")
    result = golden.model_copy(deep=True)
    del result.indicators[0]
    perfect, partial = evaluate(golden, golden), evaluate(result, golden)
    [group] = group_scores([("x", perfect), ("x", partial)])
    assert group.files == 2
    assert group.record_precision == 1.0
    expected = 2 * sum(c.expected for c in perfect.counts.values())
    assert group.record_recall == pytest.approx((expected - 1) / expected)
    assert group.field_accuracy == 1.0


def test_shared_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(SHARED_DIR_VARIABLE, str(tmp_path))
    assert shared_dir() == tmp_path
    assert main(["--real-forms"]) == 0  # no forms there: a skip message, not a crash
