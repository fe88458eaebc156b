"""Run every declared rule over a result and collect all findings.

Nothing stops at the first finding, and a rule that crashes becomes a Problem
(stage `validate`) instead of taking the others down with it.
"""

from __future__ import annotations

from typing import Optional

from pydantic import BaseModel, Field

from extractor.rules.docview import DocView
from extractor.rules.findings import Draft
from extractor.rules.registry import DEFAULT_RULES, Rule
from schemas import ExtractionResult, Finding, Problem, ValidationOptions


class Validation(BaseModel):
    findings: list[Finding] = Field(default_factory=list)
    problems: list[Problem] = Field(default_factory=list)


def _run(rule: Rule, view: DocView) -> tuple[list[tuple[Rule, Draft]], list[Problem]]:
    try:
        drafts = list(rule.check(view))
    except Exception as error:  # noqa: BLE001 - one broken rule must not lose the others' findings
        return [], [Problem(stage="validate", message=f"规则 {rule.name} 出错: {type(error).__name__}: {error}")]
    wrong = [d for d in drafts if d.rule not in rule.emits]
    problems = [Problem(stage="validate", message=f"规则 {rule.name} 报告了未声明的 {d.rule}") for d in wrong]
    return [(rule, d) for d in drafts if d.rule in rule.emits], problems


def check(
    result: ExtractionResult, rules: tuple[Rule, ...] = DEFAULT_RULES, options: Optional[ValidationOptions] = None
) -> Validation:
    """All findings of all rules, numbered f1… in rule order, then each rule's own order."""
    options = options or ValidationOptions()
    rules = tuple(rule for rule in rules if rule.name not in options.skip_rules)
    try:
        view = DocView(result, options)
    except Exception as error:  # noqa: BLE001 - a malformed table must not crash the pipeline
        return Validation(
            problems=[Problem(stage="validate", message=f"无法读取表格结构: {type(error).__name__}: {error}")]
        )
    drafts: list[tuple[Rule, Draft]] = []
    problems: list[Problem] = []
    for rule in rules:
        found, failed = _run(rule, view)
        drafts.extend(found)
        problems.extend(failed)
    seen: set[tuple] = set()
    findings: list[Finding] = []
    for rule, draft in drafts:
        if draft.key() in seen:
            continue
        seen.add(draft.key())
        findings.append(
            Finding(
                id=f"f{len(findings) + 1}",
                rule=draft.rule,
                severity=options.severity.get(draft.rule) or draft.severity or rule.severity,
                message=draft.message,
                refs=list(draft.refs),
                expected=draft.expected,
                found=draft.found,
            )
        )
    return Validation(findings=findings, problems=problems)


def validate(result: ExtractionResult, options: Optional[ValidationOptions] = None) -> list[Finding]:
    """The findings of every rule (problems of crashing rules are in `check(result).problems`)."""
    return check(result, options=options).findings


def apply_validation(result: ExtractionResult, options: Optional[ValidationOptions] = None) -> ExtractionResult:
    """The result with its findings set and any rule problems appended to its problems."""
    validation = check(result, options=options)
    return result.model_copy(
        update={"findings": validation.findings, "problems": [*result.problems, *validation.problems]}
    )
