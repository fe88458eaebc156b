"""Indicator rules: score_inconsistent, deviation_over_30, described_vs_reported.

Only quantitative readings are judged: a target and an actual with numbers in
comparable units (人 with 人, 次 with 家次, % with %). A target that states a change
(同比增长8%, 比重提高3%) is not compared with an actual that states a level (比重17%).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Optional

from rapidfuzz import fuzz, process

from extractor.facts.labels import clean_label
from extractor.facts.numbers import COUNT_UNITS, Mention, comparable_units, split_sentences, years_in
from extractor.facts.tolerance import Printed, from_float, parse_printed, same_figure
from extractor.forms.figures import half_width, is_blank
from extractor.forms.lexicon import lexicon
from extractor.rules.docview import DocView
from extractor.rules.findings import Draft
from schemas import Indicator, Value

_WORDS = lexicon().indicator_words
"""The lexicon's indicator words, read once (the lexicon is immutable)."""
EXACT_COUNT_UNITS = frozenset(u for u in COUNT_UNITS if u not in _WORDS.rounded_units)
NAME_MATCH = 90


@dataclass
class Reading:
    """A quantitative target and actual with their printed precision."""

    op: Optional[str]
    target: Printed
    actual: Printed
    unit: Optional[str]


def _printed(value: Value, unit: Optional[str]) -> Optional[Printed]:
    """The printed figure; a whole count of things (19个, 1837人) is exact, not rounded."""
    if value.value is None:
        return None
    found = _printed_number(value.raw or "", value.value)
    printed = found or from_float(value.value)
    if unit in EXACT_COUNT_UNITS and printed.decimals == 0:
        return Printed(printed.value, 0, exact=True, text=printed.text)
    return printed


_FIGURE_IN_TEXT = re.compile(r"[-−]?\d[\d,]*(?:\.\d+)?%?")


def _printed_number(raw: str, value: float) -> Optional[Printed]:
    """The figure of a target/actual cell as printed (its decimals), the one whose value the reader kept."""
    for match in _FIGURE_IN_TEXT.finditer(half_width(raw)):
        printed = parse_printed(match.group())
        if printed is not None and abs(printed.value - value) < 1e-9:
            return printed
    return None


def _qualifier(raw: str) -> str:
    return _WORDS.qualifier_strip.sub("", raw)


def reading_of(view: DocView, indicator: Indicator) -> Optional[Reading]:
    return view.memo("reading", indicator.id, lambda: reading(indicator))


def reading(indicator: Indicator) -> Optional[Reading]:
    target, actual = indicator.target, indicator.actual
    if target.qualitative or actual.qualitative or target.value is None or actual.value is None:
        return None
    if not comparable_units(target.unit, actual.unit):
        return None
    if (target.unit == "%") != (actual.unit == "%") and None not in (target.unit, actual.unit):
        return None
    target_change = bool(_WORDS.change.search(_qualifier(target.raw or "")) or _WORDS.change.search(indicator.name))
    actual_words = _qualifier(actual.raw or "")
    if actual_words and target_change != bool(_WORDS.change.search(actual_words)):
        return None
    unit = target.unit or actual.unit
    printed_target, printed_actual = _printed(target, unit), _printed(actual, unit)
    if printed_target is None or printed_actual is None:
        return None
    return Reading(target.op, printed_target, printed_actual, unit)


def met(found: Reading) -> bool:
    a, t = found.actual, found.target
    if found.op == "<=":
        return a.low <= t.high
    if found.op == "<":
        return a.low < t.high
    if found.op == ">":
        return a.high > t.low
    return a.high >= t.low  # =, >= and a bare figure: reaching it is meeting it


_SAME_TEXT_IGNORED = re.compile(r"[\s。.．，,；;：:、]+")


def _prints_target_as_actual(indicator: Indicator) -> bool:
    """The actual is the target printed again (完成时间为2022年12月30日 | 完成时间为2022年12月30日): met.

    Spacing and punctuation aside; a blank marker on both sides states nothing.
    """
    target, actual = indicator.target.raw, indicator.actual.raw
    if not target or not actual or is_blank(target) or is_blank(actual):
        return False
    same = _SAME_TEXT_IGNORED.sub("", half_width(target)) == _SAME_TEXT_IGNORED.sub("", half_width(actual))
    return same and bool(_SAME_TEXT_IGNORED.sub("", target))


def _full_rate_without_target(indicator: Indicator) -> bool:
    """A rate reported at 100% where the form sets no target (预算执行率 | — | 100%): nothing is left to reach."""
    target, actual = indicator.target, indicator.actual
    stated = target.value is not None or (target.raw is not None and not is_blank(target.raw))
    return not stated and actual.unit == "%" and actual.value is not None and actual.value >= 100 and actual.op != "<="


def _met_as_printed(indicator: Indicator) -> bool:
    """Met without a quantitative reading: 已完成 / 达标, the target printed again, a full rate with no target."""
    return (
        bool(_WORDS.met.match((indicator.actual.raw or "").strip()))
        or _prints_target_as_actual(indicator)
        or _full_rate_without_target(indicator)
    )


def _full_marks(view: DocView, indicator: Indicator) -> Optional[tuple[Printed, Printed]]:
    weight, score = view.printed_field(indicator, "weight"), view.printed_field(indicator, "score")
    if weight is None or score is None:
        return None
    return weight, score


def score_consistency(view: DocView) -> Iterator[Draft]:
    for indicator in view.result.indicators:
        marks = _full_marks(view, indicator)
        if marks is None or marks[0].value <= 0:
            continue
        weight, score = marks
        found = reading_of(view, indicator)
        qualitative_met = _met_as_printed(indicator)
        if found is not None and not met(found) and same_figure(score, weight):
            share = _proportional(found)
            if share is not None and round(weight.value * share, max(score.decimals, 0)) >= weight.value:
                continue  # proportional scoring rounds to full marks (99.93% of 5 is 5.00)
            yield Draft(
                "score_inconsistent",
                "warning",
                f"「{indicator.name}」目标{indicator.target.raw}未完成（实际{indicator.actual.raw}），却得满分{score.show()}",
                (f"{indicator.id}.score", f"{indicator.id}.actual", f"{indicator.id}.target"),
                expected=None,
                found=score.value,
            )
        elif (
            ((found is not None and met(found)) or (found is None and qualitative_met))
            and score.high < weight.low
            and _WORDS.no_reason.match(indicator.deviation_reason or "")
        ):
            yield Draft(
                "score_inconsistent",
                "warning",
                f"「{indicator.name}」已完成目标（实际{indicator.actual.raw}），扣分至{score.show()}/{weight.show()}却未说明原因",
                (f"{indicator.id}.score", f"{indicator.id}.deviation_reason"),
                expected=weight.value,
                found=score.value,
            )


def _proportional(found: Reading) -> Optional[float]:
    a, t = found.actual.value, found.target.value
    if found.op in ("<=", "<"):
        return t / a if a > 0 else None
    return a / t if t > 0 else None


def deviations(view: DocView) -> Iterator[Draft]:
    for indicator in view.result.indicators:
        found = reading_of(view, indicator)
        if found is None or found.target.value == 0:
            continue
        gap = abs(found.actual.value - found.target.value) - found.actual.half_unit - found.target.half_unit
        smallest = gap / (abs(found.target.value) + found.target.half_unit)
        if smallest <= view.options.deviation_limit:
            continue
        share = abs(found.actual.value - found.target.value) / abs(found.target.value)
        direction = "超出" if found.actual.value > found.target.value else "低于"
        yield Draft(
            "deviation_over_30",
            "warning",
            f"「{indicator.name}」目标{indicator.target.raw}，实际{indicator.actual.raw}，{direction}目标{share:.0%}（超过{view.options.deviation_limit:.0%}）",
            (f"{indicator.id}.actual", f"{indicator.id}.target"),
            expected=found.target.value,
            found=found.actual.value,
        )


def _foreign_year(text: str, year: Optional[int]) -> bool:
    years = years_in(text)
    return any(y != year for y in years) if year is not None else bool(years)


def _contradictions(mentions: list[Mention], found: Reading) -> list[Mention]:
    like = [
        m
        for m in mentions
        if m.unit is not None and comparable_units(m.unit, found.unit) and (m.unit == "%") == (found.unit == "%")
    ]
    if not like or any(same_figure(m.value, found.actual) for m in like):
        return []
    return like


def described_vs_reported(view: DocView) -> Iterator[Draft]:
    year = view.result.document.year
    for indicator in view.result.indicators:
        found = reading_of(view, indicator)
        if found is None or found.unit is None:
            continue
        for name in ("description", "deviation_reason"):
            text = getattr(indicator, name)
            if not text:
                continue
            for sentence in split_sentences(text, f"{indicator.id}.{name}"):
                if _foreign_year(sentence.text, year):
                    continue
                contradicting = _contradictions(sentence.mentions, found)
                if contradicting:
                    stated = contradicting[0]
                    yield Draft(
                        "described_vs_reported",
                        "warning",
                        f"「{indicator.name}」实际完成值为{indicator.actual.raw}，而{_field_name(name)}写“{sentence.text}”",
                        (f"{indicator.id}.actual", f"{indicator.id}.{name}"),
                        expected=found.actual.value,
                        found=stated.value.value,
                    )
                    break
    yield from _narrative_statements(view)


def _field_name(name: str) -> str:
    return "完成情况描述" if name == "description" else "偏差原因"


def _named_indicators(label: str, names: dict[str, list], choices: list[str]) -> list[str]:
    """Indicator names a narrative label speaks of: the label ends with the name, or nearly equals it."""
    label = clean_label(label)
    if len(label) < 4:
        return []
    found = [label[start:] for start in range(len(label) - 3) if label[start:] in names]
    best = process.extractOne(label, choices, scorer=fuzz.ratio, score_cutoff=NAME_MATCH)
    if best is not None and len(best[0]) >= 6 and best[0] not in found:
        found.append(best[0])
    return found


def _narrative_statements(view: DocView) -> Iterator[Draft]:
    """A narrative sentence that restates an indicator's actual with another figure."""
    year = view.result.document.year
    names: dict[str, list[tuple[Indicator, Reading]]] = {}
    for indicator in view.result.indicators:
        found = reading_of(view, indicator)
        if found is not None and found.unit:
            names.setdefault(indicator.name, []).append((indicator, found))
    if not names:
        return
    choices = sorted(names)
    for sentence in view.sentences:
        if _foreign_year(sentence.text, year):
            continue
        for mention in sentence.mentions:
            if mention.unit is None or _WORDS.target_stated.search(mention.prefix):
                continue  # no unit, or a target restated (“…项目数≥5个”指标), not the actual
            for name in _named_indicators(mention.prefix, names, choices):
                for indicator, found in names[name]:
                    if not comparable_units(mention.unit, found.unit) or (mention.unit == "%") != (found.unit == "%"):
                        continue
                    if same_figure(mention.value, found.actual) or same_figure(mention.value, found.target):
                        continue
                    yield Draft(
                        "described_vs_reported",
                        "warning",
                        f"正文称「{indicator.name}」为{mention.value.show()}{mention.unit}，而表中实际完成值为{indicator.actual.raw}",
                        (f"{indicator.id}.actual", *sentence.refs),
                        expected=found.actual.value,
                        found=mention.value.value,
                    )
