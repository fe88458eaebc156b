"""The scoring stage: after interpretation, propose a score for every scored record of every section.

    result ─► per section: its profile ─► indicators (quantitative / qualitative / 评分标准 formula)
           ─► the 预算执行 block (weight × rate) ─► proposed_review_score + deductions per section
           ─► document.proposed_review_score

The stage only fills the optional proposal fields (`expected_score`, `scoring`, `proposed_review_score`,
`deductions`); findings about them come from the `proposed_scores` rule (extractor/scoring/findings.py),
which the validator runs like any other rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from extractor.rules.docview import DocView
from extractor.rules.indicators import reading
from extractor.scoring.criteria import recognise
from extractor.scoring.profiles import Profile, load_profiles, profile_for, profile_named
from extractor.scoring.records import Scored, scored_records
from extractor.scoring.rules import (
    Proposal,
    Quantity,
    budget_score,
    deviation_of,
    number,
    qualitative_score,
    quantitative_score,
    round_to,
    with_deviation,
)
from schemas import BudgetLine, Deduction, ExtractionResult, Indicator, Section


@dataclass(frozen=True)
class Part:
    """One scored record of a section: what the form says and what the profile proposes."""

    record: Scored
    proposal: Proposal

    @property
    def proposed(self) -> Optional[float]:
        """The expected score; undecided: the self-score, kept inside its band where one applies."""
        p, score = self.proposal, self.record.score
        if p.expected is not None:
            return p.expected
        if score is None:
            return None
        if p.high is not None and score > p.high:
            return p.high
        if p.low is not None and score < p.low:
            return p.low
        return score


def section_decimals(view: DocView, section: Section, profile: Profile) -> int:
    """The form's printed precision: the most decimals any of its scores shows (else the profile's)."""
    records: list[Scored] = [
        *(i for i in view.result.indicators if i.section == section.id),
        *(b for b in view.result.budget_lines if b.section == section.id),
        *(s for s in view.result.scores if s.section == section.id),
    ]
    printed = [view.printed_field(r, "score") for r in records if r.score is not None]
    most = max((p.decimals for p in printed if p is not None), default=0)
    return most if most > 0 else profile.decimals


def indicator_proposal(indicator: Indicator, profile: Profile, decimals: int) -> Proposal:
    weight = indicator.weight
    if weight is None:
        return Proposal(None, "未列分值，无法确定得分")
    formula = recognise(indicator.criteria) if profile.follow_criteria else None
    found = reading(indicator)
    if found is not None:
        target = Quantity(found.target.value, found.unit)
        actual = Quantity(found.actual.value, found.unit)
        proposal = quantitative_score(weight, found.op, target, actual, decimals, formula)
        deviation = deviation_of(found.op, target.value, actual.value, profile.deviation)
        return with_deviation(proposal, weight, deviation, profile.deviation, decimals)
    if indicator.actual.qualitative or indicator.target.qualitative:
        return qualitative_score(
            weight, indicator.actual.raw, indicator.target.raw, profile.qualitative_bands, decimals
        )
    if indicator.target.value is not None and indicator.actual.value is not None:
        return Proposal(None, f"目标「{indicator.target.raw}」与实际「{indicator.actual.raw}」口径不同，无法比较")
    return Proposal(None, "缺少指标值或实际完成值，无法确定得分")


def _rate_of(line: BudgetLine) -> Optional[float]:
    if line.rate is not None:
        return line.rate
    if line.actual is not None and line.adjusted:
        return line.actual / line.adjusted * 100
    return None


def narrative_rate(result: ExtractionResult, section: Section, profile: Profile) -> Optional[float]:
    """`预算执行率为77.73%` in the section's (or the unsectioned) narrative."""
    phrases = "|".join(re.escape(p) for p in sorted(profile.budget.rate_phrases, key=len, reverse=True))
    if not phrases:
        return None
    pattern = re.compile(rf"(?:{phrases})[^0-9%％。；;，,]{{0,6}}?(\d+(?:\.\d+)?)\s*[%％]")
    for paragraph in result.narrative:
        if paragraph.section not in (section.id, None):
            continue
        match = pattern.search(paragraph.text)
        if match:
            return float(match.group(1))
    return None


def budget_part(result: ExtractionResult, section: Section, profile: Profile, decimals: int) -> Optional[Part]:
    """The section's 预算执行 block: a budget line printing its own weight; else the 预算执行 score summary
    (its weight, the rate of the total line or the narrative); else a budget line printing a score, weighted
    by the summary's printed weight (预算执行情况(20分)) or the profile's."""
    cap = profile.budget.cap_at_weight
    lines = [b for b in result.budget_lines if b.section == section.id]
    weighted = next((b for b in lines if b.weight is not None), None)
    if weighted is not None:
        return Part(weighted, budget_score(weighted.weight, _rate_of(weighted), decimals, cap))
    labels = profile.budget.summary_labels
    summary = next((s for s in result.scores if s.section == section.id and s.label in labels), None)
    printed_weight = summary.weight if summary is not None else None
    weight = printed_weight if printed_weight is not None else profile.budget.weight
    # a review summary's budget lines are projects with their total scores, not a scored budget row
    scored = next((b for b in lines if b.score is not None), None) if section.kind != "review" else None
    if scored is not None and (summary is None or summary.score is None):
        return Part(scored, budget_score(weight, _rate_of(scored), decimals, cap))
    if summary is None:
        return None
    total = next((b for b in lines if b.item in profile.budget.total_items and _rate_of(b) is not None), None)
    rate = _rate_of(total) if total is not None else narrative_rate(result, section, profile)
    proposal = budget_score(weight, rate, decimals, cap)
    if total is None and rate is not None:
        proposal = Proposal(proposal.expected, f"{proposal.scoring}（执行率取自报告正文）")
    return Part(summary, proposal)


def tolerance_of(view: DocView, record: Scored, decimals: int) -> float:
    """How far a self-score may lie from a proposal by rounding alone: half a unit of its printed place
    (a whole score is exact, as the validator reads forms), at least the proposal's own rounding."""
    printed = view.printed_field(record, "score")
    half_unit = printed.half_unit if printed is not None else 0.5 * 10.0**-decimals
    return max(half_unit, 0.5 * 10.0**-decimals) + 1e-9


def deductions_of(view: DocView, parts: list[Part], decimals: int) -> list[Deduction]:
    """A deduction for every part whose self-score is above its proposal beyond rounding."""
    found: list[Deduction] = []
    for part in parts:
        score, proposed = part.record.score, part.proposed
        if score is None or proposed is None:
            continue
        if score - proposed > tolerance_of(view, part.record, decimals):
            points = round_to(score - proposed, decimals)
            found.append(Deduction(ref=f"{part.record.id}.score", points=points, reason=part.proposal.scoring))
    return found


def _apply(record: Scored, proposal: Proposal) -> None:
    record.expected_score = proposal.expected
    record.scoring = proposal.scoring


def score_section(view: DocView, section: Section, profile: Profile) -> Optional[float]:
    """Fill the section's records' proposals and deductions; returns its proposed score (None: nothing scored)."""
    result = view.result
    for record in scored_records(result):
        if record.section == section.id:  # a re-scoring leaves no proposal of a record it no longer scores
            record.expected_score, record.scoring = None, None
    decimals = section_decimals(view, section, profile)
    parts = [
        Part(i, indicator_proposal(i, profile, decimals))
        for i in result.indicators
        if i.section == section.id and (i.weight is not None or i.score is not None)
    ]  # a scored indicator without a printed weight keeps its self-score in the proposal
    budget = budget_part(result, section, profile, decimals)
    if budget is not None:
        parts.append(budget)
    if not parts:
        return None  # nothing this profile scores: the section stays unscored
    for part in parts:
        _apply(part.record, part.proposal)
    section.scoring_profile = profile.name
    section.deductions = deductions_of(view, parts, decimals)
    values = [p.proposed for p in parts if p.proposed is not None]
    section.proposed_review_score = round_to(sum(values), decimals) if values else None
    return section.proposed_review_score


def document_score(result: ExtractionResult) -> Optional[float]:
    """The proposal of the department (or review) form that scores the most records, else of the only
    scored section: a summary table printed in the report text is a section too, but not the form."""
    counts: dict[str, int] = {}
    for record in scored_records(result):
        if record.scoring is not None and record.section is not None:
            counts[record.section] = counts.get(record.section, 0) + 1
    scored = [s for s in result.sections if s.proposed_review_score is not None]
    overall = [s for s in scored if s.kind in ("department", "review")]
    chosen = overall or (scored if len(scored) == 1 else [])
    if not chosen:
        return None
    return max(chosen, key=lambda s: counts.get(s.id, 0)).proposed_review_score


def score_result(
    result: ExtractionResult, profile: Optional[str] = None, profiles: Optional[tuple[Profile, ...]] = None
) -> ExtractionResult:
    """A copy of the result with proposed scores (`profile`: a name, `auto` or None for auto)."""
    scored = result.model_copy(deep=True)
    available = profiles if profiles is not None else load_profiles()
    view = DocView(scored)
    for section in scored.sections:
        chosen = profile_for(section, available, profile)
        if chosen is not None:
            score_section(view, section, chosen)
    scored.document.proposed_review_score = document_score(scored)
    return scored


def rescore(result: ExtractionResult) -> ExtractionResult:
    """Proposals again after a correction, each section under the profile that scored it before; a result
    that was never scored is returned as it is (scoring stays optional)."""
    chosen = {s.id: s.scoring_profile for s in result.sections if s.scoring_profile}
    if not chosen:
        return result
    rescored = result.model_copy(deep=True)
    available = load_profiles()
    view = DocView(rescored)
    for section in rescored.sections:
        name = chosen.get(section.id)
        if name is not None:
            score_section(view, section, profile_named(name, available))
    rescored.document.proposed_review_score = document_score(rescored)
    return rescored


def describe(section: Section) -> str:
    """One line for a summary: the section's proposal and what it takes off."""
    taken = sum(d.points for d in section.deductions)
    score = "—" if section.proposed_review_score is None else number(section.proposed_review_score)
    return f"{section.title}: 建议复核得分 {score}（扣减 {number(taken)} 分，{len(section.deductions)} 项）"
