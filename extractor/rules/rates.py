"""rate_mismatch in tables: a printed rate against its own numerator and denominator.

Which columns a rate is the ratio of is the reader's reading (`tables[].regions[].rates`,
forms/statements/rates.py): from the headers (执行率 over 执行数 and 调整后/全年预算 …) or, with
no header reading, from a pair of columns the lines confirm. This rule only checks the figures
of each stored relation on every line; a header reading makes a mismatch an error, a reading
from the lines alone a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Optional

from extractor.facts.tolerance import (
    Printed,
    parse_printed,
    percent_text,
    product_agrees,
    ratio,
    ratio_agrees,
    truncated_agrees,
)
from extractor.forms.figures import half_width
from extractor.forms.lexicon import lexicon
from extractor.forms.statements.rates import rate_lines
from extractor.rules.docview import DocView, TableBlocks
from extractor.rules.findings import Draft, figure
from extractor.rules.grid import Block, squeeze
from extractor.rules.scores import _key
from extractor.rules.sums import header_name, row_label
from schemas import BudgetLine, Indicator, RateRelation, ScoreSummary
from schemas.records import Severity


def table_rates(view: DocView) -> Iterator[Draft]:
    for table in view.tables:
        for block in table.blocks:
            for relation in block.rates:
                yield from _report(view, table, block, relation)


def _report(view: DocView, table: TableBlocks, block: Block, relation: RateRelation) -> Iterator[Draft]:
    table_id = table.table.id
    rate_col, numerator, denominator = relation.rate, relation.numerator, relation.denominator
    for row, num, den, rate in rate_lines(block, rate_col, numerator, denominator):
        if ratio_agrees(num, den, rate) or view.read_as_other(table_id, [row], rate_col, "rate"):
            continue  # agrees, or the reader read that cell as another field (得分(20分*执行率) is a score)
        if as_fraction(rate) and (ratio_agrees(num, den, rate, scale=1) or truncated_agrees(num, den, rate, scale=1)):
            continue  # 执行率 printed as a share of one (0.958 for 95.8%): same figure, other scale
        computed = ratio(num, den)
        truncated = truncated_agrees(num, den, rate)
        severity: Severity = "info" if truncated else ("error" if relation.evidence == "header" else "warning")
        label = row_label(block, row, block.label_column(numerator))
        message = (
            f"{table.name}「{label}」{header_name(block, rate_col)}印为{rate.show()}，"
            f"按{header_name(block, numerator)}{num.show()} ÷ {header_name(block, denominator)}"
            f"{den.show()}应为{computed:.2f}%" + ("（截尾而非四舍五入）" if truncated else "")
        )
        refs = (
            view.ref(table_id, row, rate_col),
            view.ref(table_id, row, numerator),
            view.ref(table_id, row, denominator),
        )
        yield Draft("rate_mismatch", severity, message, refs, expected=figure(computed, 2), found=rate.value)


def _total_line(view: DocView, section: Optional[str]) -> Optional[BudgetLine]:
    lines = [b for b in view.result.budget_lines if b.section == section and section is not None and b.rate is not None]
    return lines[0] if lines else None


def _computed_rate(view: DocView, record: BudgetLine | ScoreSummary) -> Optional[Printed]:
    """执行率 from the line's own amounts (全年执行数 ÷ 调整后/全年预算数), capped at 100%."""
    if not isinstance(record, BudgetLine):
        return None
    actual = view.printed_field(record, "actual")
    planned = view.printed_field(record, "adjusted") or view.printed_field(record, "initial")
    if actual is None or planned is None:
        return None
    value = ratio(actual, planned)
    return None if value is None else Printed(min(value, 100.0), 6)


def as_fraction(rate: Printed) -> bool:
    """A rate printed without % at most 1 (0.958): some forms print 执行率 as a share of one."""
    return not rate.percent and 0 < rate.value <= 1 and rate.decimals >= 2


def _score_check(view: DocView, record: BudgetLine | ScoreSummary, rate: Printed, what: str) -> Iterator[Draft]:
    weight = view.printed_field(record, "weight")
    score = view.printed_field(record, "score")
    if weight is None or score is None:
        return
    if as_fraction(rate):
        rate = Printed(rate.value * 100, max(rate.decimals - 2, 0), percent=True, text=f"{rate.value * 100:g}")
    capped = Printed(min(rate.value, 100.0), rate.decimals, percent=True, exact=rate.exact)
    if product_agrees(weight, rate, score) or product_agrees(weight, capped, score):
        return
    computed = _computed_rate(view, record)
    if computed is not None and product_agrees(weight, computed, score):
        return  # the score follows the amounts; the printed rate is the odd one (table_rates reports it)
    expected = weight.value * min(rate.value, 100.0) / 100
    # The score does not follow from the form's scoring rule (得分 = 分值 × 执行率): score_inconsistent, as for an
    # indicator whose score does not follow from target vs actual; the rate itself is judged by table_rates.
    yield Draft(
        "score_inconsistent",
        "warning",
        f"{what}得分{score.show()}，按分值{weight.show()} × 执行率{percent_text(rate)}应为{expected:.2f}",
        (f"{record.id}.score", f"{record.id}.weight"),
        expected=figure(expected, 2),
        found=score.value,
    )


def _scoring(view: DocView, line: BudgetLine) -> tuple:
    return tuple(view.printed_field(line, name) for name in ("weight", "rate", "score", "adjusted", "actual"))


def budget_scores(view: DocView) -> Iterator[Draft]:
    """得分 = 分值 × 执行率 on budget lines, and the form's 预算执行 score against its 执行率.

    A 其中 line that repeats its total's amounts, 分值, 执行率 and 得分 repeats one scoring: it is
    reported once, citing both lines.
    """
    drafts: dict[tuple, Draft] = {}
    for line in view.result.budget_lines:
        rate = view.printed_field(line, "rate")
        if rate is not None and line.weight is not None:
            for draft in _score_check(view, line, rate, f"「{line.item}」"):
                key = (line.section, _scoring(view, line))
                first = drafts.get(key)
                drafts[key] = draft if first is None else replace(first, refs=first.refs + draft.refs)
    yield from drafts.values()
    for summary in view.result.scores:
        if _key(summary.label) not in lexicon().score_lines.budget:
            continue
        total = _total_line(view, summary.section)
        if total is None or total.weight is not None:
            continue  # a line that carries its own score was checked above
        rate = view.printed_field(total, "rate")
        if rate is not None:
            for draft in _score_check(view, summary, rate, f"「{summary.label}」"):
                yield Draft(
                    draft.rule,
                    draft.severity,
                    draft.message,
                    draft.refs + (f"{total.id}.rate",),
                    draft.expected,
                    draft.found,
                )


_FIGURE_IN_TEXT = re.compile(r"[-−]?\d[\d,]*(?:\.\d+)?%?")


def _execution_words() -> tuple[str, ...]:
    """Indicator names that state the budget's execution rate (lexicon `indicator_words.budget_execution_rates`)."""
    return tuple(lexicon().indicator_words.budget_execution_rates)


def _execution_line(view: DocView, indicator: Indicator) -> Optional[BudgetLine]:
    """The form's own budget line with an executed and a planned amount (its first: the total).

    Read from the indicator's own table: a report's other budget tables (三公经费) count other funds.
    """
    for line in view.result.budget_lines:
        if line.source.table != indicator.source.table or line.source.table is None:
            continue
        planned = view.printed_field(line, "adjusted") or view.printed_field(line, "initial")
        if view.printed_field(line, "actual") is not None and planned is not None and planned.value > 0:
            return line
    return None


def _printed_rate(raw: str, value: float) -> Optional[Printed]:
    for match in _FIGURE_IN_TEXT.finditer(half_width(raw)):
        printed = parse_printed(match.group())
        if printed is not None and abs(printed.value - value) < 1e-9:
            return printed
    return None


def indicator_rates(view: DocView) -> Iterator[Draft]:
    """An indicator reporting the budget execution rate (预算执行率 | 95% | =98%) against the rate the
    form's own budget lines give (实际支付数 ÷ 预算数)."""
    words = _execution_words()
    for indicator in view.result.indicators:
        actual = indicator.actual
        name = squeeze(indicator.name)
        if actual.unit != "%" or actual.value is None or actual.op in ("<", "<=") or not name.endswith(words):
            continue
        line = _execution_line(view, indicator)
        rate = _printed_rate(actual.raw or "", actual.value)
        if line is None or rate is None:
            continue
        executed = view.printed_field(line, "actual")
        planned_field = "adjusted" if view.printed_field(line, "adjusted") is not None else "initial"
        planned = view.printed_field(line, planned_field)
        assert executed is not None and planned is not None  # _execution_line picked a line printing both
        computed = ratio(executed, planned)
        if computed is None or ratio_agrees(executed, planned, rate) or (computed >= 100 and rate.value == 100):
            continue
        truncated = truncated_agrees(executed, planned, rate)
        yield Draft(
            "rate_mismatch",
            "info" if truncated else "warning",
            f"指标「{indicator.name}」实际完成值{actual.raw}，而本表「{line.item}」{executed.show()} ÷ "
            f"{planned.show()}应为{computed:.2f}%",
            (f"{indicator.id}.actual", f"{line.id}.actual", f"{line.id}.{planned_field}"),
            expected=figure(computed, 2),
            found=rate.value,
        )
