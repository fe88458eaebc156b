"""The rules, declared apart from how they run (as pandera declares checks).

Each `Rule` names the rule ids it may report, a short description, and the pure
function `check(view) -> Iterable[Draft]` that finds them. `DEFAULT_RULES` is the
ordered declaration the runner executes; its order is the order of the findings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from extractor.rules import blocks, cells, crossref, hierarchy, indicators, narrative, rates, scores, sums
from extractor.rules.docview import DocView
from extractor.rules.findings import Draft
from extractor.scoring.findings import proposed_scores
from schemas.records import RuleId, Severity

Check = Callable[[DocView], Iterable[Draft]]


@dataclass(frozen=True)
class Rule:
    name: str
    emits: tuple[RuleId, ...]
    check: Check
    description: str
    severity: Severity = "error"
    """What its findings are unless a draft says otherwise (and `ValidationOptions.severity` overrides both)."""


DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(
        "spreadsheet_errors",
        ("spreadsheet_error",),
        cells.spreadsheet_errors,
        "a cell or record field prints #DIV/0!, #REF!, #VALUE!, #N/A …",
    ),
    Rule(
        "table_sums",
        ("sum_mismatch",),
        sums.table_sums,
        "row and column totals of every table, from the table's own structure",
    ),
    Rule(
        "block_sums",
        ("sum_mismatch",),
        blocks.block_sums,
        "a 合计 block of budget lines against the same lines of the blocks listed after it",
    ),
    Rule(
        "score_totals",
        ("sum_mismatch",),
        scores.score_totals,
        "总分 / 自评得分 against indicator scores (plus 预算执行 where the form scores it)",
    ),
    Rule(
        "hierarchy_sums",
        ("sum_mismatch",),
        hierarchy.hierarchy_sums,
        "each summary against its children along the reader's parent links (二级 → 一级 → 总分)",
    ),
    Rule("level_totals", ("sum_mismatch",), scores.level_totals, "一级 weights and subtotals against their indicators"),
    Rule(
        "table_rates",
        ("rate_mismatch",),
        rates.table_rates,
        "执行率 / 控制率 / 得分率 columns against their own numerator and denominator",
    ),
    Rule(
        "budget_scores",
        ("score_inconsistent",),
        rates.budget_scores,
        "budget 得分 = 分值 × 执行率 where the form scores that way",
    ),
    Rule(
        "indicator_rates",
        ("rate_mismatch",),
        rates.indicator_rates,
        "an indicator stating the budget execution rate against the form's own budget amounts",
        "warning",
    ),
    Rule(
        "narrative_sums", ("sum_mismatch",), narrative.narrative_sums, "其中 lists and 合计 sentences in the narrative"
    ),
    Rule(
        "narrative_changes",
        ("sum_mismatch", "rate_mismatch", "direction_mismatch"),
        narrative.narrative_changes,
        "较上年 增加/减少 and 增幅/降幅 sentences",
    ),
    Rule(
        "narrative_rates",
        ("rate_mismatch",),
        narrative.narrative_rates,
        "执行率 / 控制率 / 到位率 stated after their amounts",
    ),
    Rule(
        "score_exceeds_weight",
        ("score_exceeds_weight",),
        scores.score_exceeds_weight,
        "a score above its weight or below zero",
    ),
    Rule(
        "missing_values",
        ("missing_value",),
        scores.missing_values,
        "a weight, score, target or actual the form requires is blank",
        "warning",
    ),
    Rule(
        "duplicate_indicators",
        ("duplicate_indicator",),
        scores.duplicate_indicators,
        "the same indicator twice in one section",
        "warning",
    ),
    Rule(
        "score_consistency",
        ("score_inconsistent",),
        indicators.score_consistency,
        "full marks for a missed target, marks taken off a met target without a reason",
        "warning",
    ),
    Rule(
        "deviations",
        ("deviation_over_30",),
        indicators.deviations,
        "actual more than 30% away from a quantitative target",
        "warning",
    ),
    Rule(
        "described_vs_reported",
        ("described_vs_reported",),
        indicators.described_vs_reported,
        "numbers in the description or narrative that contradict the reported actual",
    ),
    Rule(
        "cross_references",
        ("cross_reference_mismatch",),
        crossref.cross_references,
        "one figure printed in two places with different values",
    ),
    Rule(
        "units",
        ("unit_mismatch",),
        narrative.unit_mismatches,
        "an amount in 元 where the same figure is 万元 elsewhere",
    ),
    Rule(
        "proposed_scores",
        ("score_inconsistent",),
        proposed_scores,
        "self-scores against a scoring profile's proposals (only where the scoring stage ran)",
    ),
)
