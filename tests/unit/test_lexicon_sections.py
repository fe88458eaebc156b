"""The lexicon sections the rules read (score_lines, indicator_words, narrative_words, figure_words,
fact_words, cell_words, layout_words): validated on load, and what the code reads from them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from extractor.forms.lexicon import LEXICON_PATH, Lexicon, lexicon


def _data() -> dict[str, Any]:
    return yaml.safe_load(Path(LEXICON_PATH).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("section", "field", "pattern"),
    [
        ("indicator_words", "met", "^(已?完成"),
        ("narrative_words", "verdict", "决算数?(大于"),
        ("figure_words", "year", "((?:19|20)"),
        ("cell_words", "date", "\\d{4}(年"),
        ("layout_words", "continuation", "^[（(续"),
    ],
)
def test_a_pattern_that_does_not_compile_fails_loading_and_names_its_field(section: str, field: str, pattern: str):
    data = _data()
    data[section][field] = pattern
    with pytest.raises(ValidationError, match=f"(?s){section}.*{field}"):
        Lexicon.model_validate(data)


def test_budget_execution_rates_must_be_budget_rate_words():
    data = _data()
    data["indicator_words"]["budget_execution_rates"].append("采购执行率")
    with pytest.raises(ValidationError, match="budget_execution_rates.*采购执行率"):
        Lexicon.model_validate(data)


def test_rounded_units_must_be_count_units():
    data = _data()
    data["indicator_words"]["rounded_units"].append("光年")
    with pytest.raises(ValidationError, match="rounded_units"):
        Lexicon.model_validate(data)


def test_chinese_measures_are_single_characters():
    data = _data()
    data["figure_words"]["chinese_measures"].append("人次")
    with pytest.raises(ValidationError, match="chinese_measures.*人次"):
        Lexicon.model_validate(data)


def test_a_canonical_score_label_must_be_what_its_key_labels_are_read_as():
    data = _data()
    data["score_lines"]["review_score"] = "总分"
    with pytest.raises(ValidationError, match="score_lines.review_score"):
        Lexicon.model_validate(data)


def test_the_parts_intro_is_a_list_intro_word():
    data = _data()
    data["prose"]["parts_intro"] = "另外"
    with pytest.raises(ValidationError, match="parts_intro"):
        Lexicon.model_validate(data)


def test_the_shipped_lexicon_keeps_the_summarys_totals_apart_on_purpose():
    """The 汇总表 reads a unit's own score: its totals are the rules' totals without the reviewer's 复核得分."""
    lines = lexicon().score_lines
    assert set(lines.self_totals) == set(lines.totals) - {lines.review_score}


def test_score_labels_are_matched_through_the_lexicon():
    from extractor.rules.scores import _key

    assert _key("产出指标(50分)") == "产出"
    assert _key("效果指标（30分）") == lexicon().score_lines.group_synonyms["效果"]
    assert all(_key(label) == label for label in lexicon().score_lines.budget)


def test_fact_flows_name_one_flow_or_none():
    from extractor.rules.facts import _flow

    assert _flow("本年收入合计") == "收入"
    assert _flow("支出决算表") == "支出"
    assert _flow("收入支出决算总表") is None
    assert _flow("财政拨款") is None


def test_total_ranks_come_from_the_lexicon():
    from extractor.forms.statements.rows import total_rank

    statements = lexicon().statements
    assert total_rank("总计") == statements.total_ranks["总计"] > total_rank("本年收入合计") > total_rank("小计")
    assert total_rank("本年收入合计") == statements.default_total_rank


def test_execution_rate_names_are_named_not_filtered():
    from extractor.rules.rates import _execution_words

    assert _execution_words() == ("预算执行率", "资金执行率")
    assert "执行率" not in _execution_words()  # bare 执行率 also ends 政府采购执行率, another rate


def test_statement_patterns_are_the_lexicons_patterns_compiled_once():
    data = _data()
    data["statements"]["total_label"] = "(合计|共计)$"
    statements = Lexicon.model_validate(data).statements
    assert statements.patterns is statements.patterns
    assert statements.patterns.total_label.pattern == "(合计|共计)$"
    assert statements.patterns.total_label.search("本年共计") and not statements.patterns.total_label.search("小计")
    rates = statements.patterns.rate_definitions
    assert [r.rate.pattern for r in rates] == [d.rate for d in statements.rate_definitions]


def test_qizhong_words_are_the_one_source_of_the_label_and_header_patterns():
    data = _data()
    data["qizhong"] = ["其中", "内含"]
    loaded = Lexicon.model_validate(data)
    assert re.match(loaded.labels.qizhong, "内含：中央补助") and not re.match(loaded.labels.qizhong, "中央补助")
    assert loaded.statements.patterns.qizhong_header.fullmatch("内含:")
    for section, name in (("labels", "qizhong"), ("statements", "qizhong_header")):
        stated = _data()
        stated[section][name] = "其中"
        with pytest.raises(ValidationError, match=f"{section}.{name} is built from"):
            Lexicon.model_validate(stated)
