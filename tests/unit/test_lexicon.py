"""The lexicon: loaded and validated once, matched exact → head word → fuzzy, cached per text."""

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from extractor.forms.lexicon import Lexicon, classify_header, header_key, lexicon


def test_lexicon_is_loaded_once():
    assert lexicon() is lexicon()


def test_lexicon_rejects_a_head_rule_for_an_unknown_role(tmp_path: Path):
    data = yaml.safe_load(Path("extractor/forms/lexicon.yaml").read_text(encoding="utf-8"))
    data["regions"]["budget"]["heads"].append({"suffix": "金额", "role": "no_such_role"})
    with pytest.raises(ValidationError, match="no_such_role"):
        Lexicon.model_validate(data)


def test_lexicon_rejects_a_head_rule_with_both_sides():
    data = yaml.safe_load(Path("extractor/forms/lexicon.yaml").read_text(encoding="utf-8"))
    data["regions"]["budget"]["heads"].append({"suffix": "数", "prefix": "年", "role": "actual"})
    with pytest.raises(ValidationError):
        Lexicon.model_validate(data)


def test_lexicon_rejects_a_summary_table_missing_a_column_title():
    data = yaml.safe_load(Path("extractor/forms/lexicon.yaml").read_text(encoding="utf-8"))
    data["summary_tables"]["budget_lines"]["columns"].pop()
    with pytest.raises(ValidationError, match="budget_lines"):
        Lexicon.model_validate(data)


def test_lexicon_rejects_a_comparison_pattern_that_does_not_compile():
    data = yaml.safe_load(Path("extractor/forms/lexicon.yaml").read_text(encoding="utf-8"))
    data["prose"]["comparison_base"] = "较|(比"
    with pytest.raises(Exception, match="missing \\)"):
        Lexicon.model_validate(data)


def test_lexicon_names_the_statement_pattern_that_does_not_compile():
    data = yaml.safe_load(Path("extractor/forms/lexicon.yaml").read_text(encoding="utf-8"))
    data["statements"]["total_label"] = "(合计|总计"
    with pytest.raises(ValidationError, match="statements.total_label"):
        Lexicon.model_validate(data)


def test_lexicon_names_the_label_pattern_that_does_not_compile():
    data = yaml.safe_load(Path("extractor/forms/lexicon.yaml").read_text(encoding="utf-8"))
    data["labels"]["numbering_levels"].append("^[（(")
    with pytest.raises(ValidationError, match="labels.numbering_levels"):
        Lexicon.model_validate(data)


def test_prose_words_come_from_the_lexicon():
    """Every change word of lexicon.yaml reads in prose with its direction (增幅 up, 降幅 down)."""
    from extractor.facts.prose import direction_of

    words = lexicon().prose
    assert all(direction_of(word) == 1 for word in words.increase_words)
    assert all(direction_of(word) == -1 for word in words.decrease_words if word not in words.increase_words)


@pytest.mark.parametrize(
    ("printed", "normalised"),
    [
        ("年初目标值(A)", "年初目标值"),
        ("得分(20分*执行率)", "得分"),
        ("执行率(B/A)", "执行率"),
        ("1.指标值", "指标值"),
        ("分值：", "分值"),
    ],
)
def test_header_key_strips_letters_notes_and_numbering(printed, normalised):
    assert header_key(printed) == normalised


@pytest.mark.parametrize(
    ("printed", "role", "evidence"),
    [
        ("三级指标", "name", "lexicon:三级指标"),
        ("年初目标值(A)", "target", "head:目标值"),
        ("计划完成数", "target", "head:计划"),
        ("全年实际完成数", "actual", "head:完成数"),
        ("实际数", "actual", "head:实际"),
        ("项目完成值", "actual", "head:完成值"),
        ("标准分值", "weight", "head:分值"),
        ("指标权重", "weight", "head:权重"),
        ("考核评分", "score", "head:评分"),
        ("复核后得分", "review_score", "head:复核"),
        ("评价标准", "criteria", "lexicon:评价标准"),
        ("指标解释", "explanation", "lexicon:指标解释"),
        ("指标性质", "operator", "lexicon:指标性质"),
        ("计量单位", "unit", "lexicon:计量单位"),
    ],
)
def test_indicator_headers_by_exact_word_or_head_word(printed, role, evidence):
    hit = classify_header(printed, "indicators")
    assert hit is not None
    assert (hit.role, hit.evidence) == (role, evidence)


def test_review_prefix_wins_over_score_suffix():
    assert classify_header("复核自评得分", "indicators").role == "review_score"


def test_exact_outranks_head_outranks_fuzzy():
    exact = classify_header("分值", "indicators")
    head = classify_header("参考权重", "indicators")
    fuzzy = classify_header("完成情况简要描术", "indicators")
    assert exact.rank < head.rank < fuzzy.rank
    assert fuzzy.evidence.endswith("~")


def test_budget_head_words():
    assert classify_header("年初预算安排数", "budget").role == "initial"
    assert classify_header("本年执行数", "budget").role == "actual"
    assert classify_header("资金执行率(%)", "budget").role == "rate"


def test_unknown_header_has_no_role():
    assert classify_header("佐证", "indicators") is None
    assert classify_header("通过开展实体经济常态化调研服务和优化对重点企业的服务", "indicators") is None


def test_matching_is_cached_per_text():
    classify_header.cache_clear()
    classify_header("指标值", "indicators")
    classify_header("指标值", "indicators")
    assert classify_header.cache_info().hits == 1
