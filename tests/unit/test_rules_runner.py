"""The runner: every finding collected, stable ids, a crashing rule becomes a Problem."""

from __future__ import annotations

from extractor.rules import apply_validation, check, validate
from extractor.rules.findings import Draft
from extractor.rules.registry import DEFAULT_RULES, Rule
from schemas import RULE_IDS
from tests.rules_factories import golden


def test_every_rule_id_of_the_spec_is_declared():
    declared = {rule_id for rule in DEFAULT_RULES for rule_id in rule.emits}
    assert declared == set(RULE_IDS)
    assert len({rule.name for rule in DEFAULT_RULES}) == len(DEFAULT_RULES)


def test_findings_are_numbered_in_rule_order_and_identical_on_a_rerun():
    result = golden("004")
    first, second = validate(result), validate(result)
    assert [f.model_dump() for f in first] == [f.model_dump() for f in second]
    assert [f.id for f in first] == [f"f{i}" for i in range(1, len(first) + 1)]


def test_order_is_rule_order_then_each_rules_own_order():
    def first(view):
        yield Draft("sum_mismatch", "error", "甲", ("t1.r1c1",))
        yield Draft("sum_mismatch", "error", "乙", ("t1.r2c1",))

    def second(view):
        yield Draft("rate_mismatch", "error", "丙", ("t1.r1c2",))

    rules = (Rule("second", ("rate_mismatch",), second, ""), Rule("first", ("sum_mismatch",), first, ""))
    assert [(f.id, f.message) for f in check(golden("000"), rules).findings] == [
        ("f1", "丙"),
        ("f2", "甲"),
        ("f3", "乙"),
    ]


def _boom(view):
    raise ZeroDivisionError("division by zero")
    yield  # pragma: no cover - a generator that fails when run


def test_a_crashing_rule_becomes_a_problem_and_the_others_still_report():
    rules = (Rule("boom", ("sum_mismatch",), _boom, "always fails"), *DEFAULT_RULES)
    result = check(golden("000"), rules)
    assert [f.rule for f in result.findings] == ["spreadsheet_error", "spreadsheet_error"]
    assert len(result.problems) == 1 and "boom" in result.problems[0].message
    assert result.problems[0].stage == "validate"


def test_a_rule_reporting_an_undeclared_id_is_a_problem_not_a_finding():
    def sneaky(view):
        yield Draft("duplicate_indicator", "warning", "重复", ("i1.name",))

    result = check(golden("000"), (Rule("sneaky", ("sum_mismatch",), sneaky, "declares too little"),))
    assert result.findings == [] and len(result.problems) == 1


def test_the_same_finding_twice_is_kept_once():
    def twice(view):
        for _ in range(2):
            yield Draft("sum_mismatch", "error", "合计不符", ("t1.r2c2",), 1.0, 2.0)

    assert len(check(golden("000"), (Rule("twice", ("sum_mismatch",), twice, "repeats"),)).findings) == 1


def test_apply_validation_fills_findings_and_keeps_existing_problems():
    result = golden("000")
    validated = apply_validation(result)
    assert [f.id for f in validated.findings] == ["f1", "f2"]
    assert validated.problems == result.problems
    assert validated.indicators == result.indicators
