"""Score rules over records: totals, 一级 subtotals, score > weight, blanks, duplicates.

A form's 总分 / 自评得分 is the sum of its indicator scores, plus the 预算执行 score where
the form scores budget execution. Both readings are tried: a total that agrees with
either one is fine; one that agrees with neither is reported with both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Optional, Union

from extractor.facts.tolerance import Printed, decimals_of, exceeds, format_number, sum_agrees
from extractor.forms.figures import is_blank
from extractor.forms.lexicon import lexicon
from extractor.rules.docview import DocView
from extractor.rules.findings import Draft, figure
from extractor.rules.grid import squeeze
from extractor.rules.hierarchy import cut_reach, has_children
from schemas import BudgetLine, Indicator, ScoreSummary


def _key(label: str) -> str:
    """产出指标(50分) → 产出; 满意度效益指标 → 满意度效益; 效果 → 效益 (lexicon `score_lines`)."""
    lex = lexicon()
    text = re.sub(r"[（(][^）)]*[）)]", "", lex.full_mark.sub("", squeeze(label)))
    for suffix in lex.score_lines.group_suffixes:
        text = text.removesuffix(suffix)
    return lex.score_lines.group_synonyms.get(text, text)


def weighted_indicators(view: DocView, section: Optional[str]) -> list[Indicator]:
    """The indicators a summary speaks of: its section's, or the only weighted form's.

    A summary table printed in the report text (一级指标 / 指标分值 / 自评得分) belongs to no form, or
    to whichever form came before it; its figures are those of the one form that has weights.
    """
    own = [i for i in view.result.indicators if i.section == section] if section is not None else []
    if any(i.weight is not None for i in own):
        return own
    sections = {i.section for i in view.result.indicators if i.weight is not None}
    if len(sections) == 1:
        return [i for i in view.result.indicators if i.section in sections]
    return []


@dataclass
class BudgetPart:
    """The 预算执行 part of a form's total: weight, score and where they are printed."""

    weight: Optional[Printed]
    score: Optional[Printed]
    refs: tuple[str, ...]
    label: str


def budget_part(view: DocView, summary: ScoreSummary, form_section: Optional[str] = None) -> Optional[BudgetPart]:
    """The 预算执行 score printed beside the summary (same table first), or the form's scored budget line."""
    sections = {summary.section, form_section}
    budget = lexicon().score_lines.budget
    candidates = [
        s for s in view.result.scores if s.section in sections and s.id != summary.id and _key(s.label) in budget
    ]
    candidates.sort(key=lambda s: (s.source.table != summary.source.table, s.section != summary.section))
    for other in candidates:
        return BudgetPart(
            view.printed_field(other, "weight"), view.printed_field(other, "score"), (f"{other.id}.score",), other.label
        )
    lines: list[BudgetLine] = [
        b for b in view.result.budget_lines if b.section in sections and b.section is not None and b.weight is not None
    ]
    if lines:
        line = lines[0]
        return BudgetPart(
            view.printed_field(line, "weight"), view.printed_field(line, "score"), (f"{line.id}.score",), line.item
        )
    return None


def _printed_all(view: DocView, records: list, name: str) -> Optional[list[Printed]]:
    values = [view.printed_field(r, name) for r in records]
    present = [v for v in values if v is not None]
    return present if len(present) == len(values) else None


def _agrees(parts: Optional[list[Printed]], total: Optional[Printed]) -> Optional[bool]:
    if parts is None or total is None:
        return None
    return sum_agrees(parts, total)


def _fmt(parts: list[Printed]) -> str:
    return format_number(sum(p.value for p in parts), decimals_of(parts))


def _check_total(view: DocView, summary: ScoreSummary, indicators: list[Indicator], field: str) -> Iterator[Draft]:
    weights = _printed_all(view, indicators, "weight")
    scores = _printed_all(view, indicators, field)
    if field == "review_score" and scores is None:
        return
    total_weight = view.printed_field(summary, "weight")
    total_score = view.printed_field(summary, field)
    budget = budget_part(view, summary, indicators[0].section)
    readings: list[tuple[str, Optional[list[Printed]], Optional[list[Printed]]]] = [("", weights, scores)]
    if budget is not None:
        with_weight = weights + [budget.weight] if weights is not None and budget.weight is not None else None
        with_score = scores + [budget.score] if scores is not None and budget.score is not None else None
        readings.insert(0, (budget.label, with_weight, with_score))
        if budget.score is None and scores is not None:
            return  # the budget score is unreadable (#DIV/0!): the total cannot be judged
    outcomes = [(name, w, s, _agrees(w, total_weight), _agrees(s, total_score)) for name, w, s in readings]
    if any(ok_w is not False and ok_s is not False for _, _, _, ok_w, ok_s in outcomes):
        return
    failing = [[f for f, ok in (("weight", ok_w), (field, ok_s)) if ok is False] for _, _, _, ok_w, ok_s in outcomes]
    described = []
    for name, w, s, _, _ in outcomes:
        parts = [f"分值{_fmt(w)}" if w is not None else "", f"得分{_fmt(s)}" if s is not None else ""]
        described.append(("含" + name if name else "仅计指标") + "：" + "、".join(p for p in parts if p))
    found = "、".join(
        p
        for p in (
            f"分值{total_weight.show()}" if total_weight else "",
            f"得分{total_score.show()}" if total_score else "",
        )
        if p
    )
    message = f"「{summary.label}」{found}与{len(indicators)}项指标不能同时成立（" + "；".join(described) + "）"
    crossed = len(failing) == 2 and len(failing[0]) == len(failing[1]) == 1 and failing[0] != failing[1]
    fields = ["weight", field] if crossed else failing[0]
    if crossed:
        expected: Union[float, str, None] = "；".join(described)
        found_figure: Union[float, str, None] = found
    else:
        name, w, s, _, _ = outcomes[0]
        figures = w if fields[0] == "weight" else s
        expected = figure(sum(p.value for p in figures), decimals_of(figures)) if figures else None
        printed = total_weight if fields[0] == "weight" else total_score
        found_figure = printed.value if printed else None
    refs = tuple(f"{summary.id}.{f}" for f in fields) + tuple(f"{i.id}.{fields[-1]}" for i in indicators)
    yield Draft("sum_mismatch", "error", message, refs, expected=expected, found=found_figure)


def score_totals(view: DocView) -> Iterator[Draft]:
    for summary in view.result.scores:
        if _key(summary.label) not in lexicon().score_lines.totals or has_children(view, summary):
            continue  # a total with linked children is checked along the hierarchy (hierarchy.py)
        indicators = weighted_indicators(view, summary.section)
        if indicators and any(i.weight is not None for i in indicators):
            for field in ("score", "review_score"):
                if getattr(summary, field) is not None or (field == "score" and summary.review_score is None):
                    yield from _check_total(view, summary, indicators, field)


def _groups(indicators: list[Indicator]) -> dict[str, list[Indicator]]:
    groups: dict[str, list[Indicator]] = {}
    for indicator in indicators:
        for level in (indicator.level1, indicator.level2):
            if level:
                groups.setdefault(_key(level), []).append(indicator)
    return groups


def _match_group(label: str, groups: dict[str, list[Indicator]]) -> Optional[str]:
    key = _key(label)
    if key in groups:
        return key
    contained = [g for g in groups if g and (g in key or key in g)]
    return max(contained, key=len) if contained and key else None


def level_totals(view: DocView) -> Iterator[Draft]:
    by_section: dict[str, list[Indicator]] = {}
    for indicator in view.result.indicators:
        by_section.setdefault(indicator.section, []).append(indicator)
    for indicators in by_section.values():
        yield from _marked_weights(view, indicators)
    lines = lexicon().score_lines
    for summary in view.result.scores:
        key = _key(summary.label)
        if key in lines.totals or key in lines.budget or has_children(view, summary):
            continue
        groups = _groups(weighted_indicators(view, summary.section))
        group = _match_group(summary.label, groups)
        if group is None:
            continue
        members = groups[group]
        for name in ("weight", "score", "review_score"):
            total = view.printed_field(summary, name)
            parts = _printed_all(view, members, name)
            if total is None or parts is None or sum_agrees(parts, total):
                continue
            cut = cut_reach(view, summary, name, parts, total)
            # The document stops inside this level: the rows it no longer prints can make up the difference.
            open_end = cut is not None and (cut.room is None or not cut.exceeded)
            what = {"weight": "分值", "score": "得分", "review_score": "复核得分"}[name]
            yield Draft(
                "sum_mismatch",
                "info" if open_end else "error",
                f"「{summary.label}」{what}{total.show()}，而其{len(members)}项指标{what}合计{_fmt(parts)}"
                + ("；表格在此截止，其余各项未列出，无法核对" if open_end else ""),
                (f"{summary.id}.{name}", *(f"{i.id}.{name}" for i in members)),
                expected=figure(sum(p.value for p in parts), decimals_of(parts)),
                found=total.value,
            )


def _marked_weights(view: DocView, indicators: list[Indicator]) -> Iterator[Draft]:
    """产出指标(50分): the weight printed in the 一级 label against its indicators' weights."""
    seen: dict[tuple[Optional[str], str], list[Indicator]] = {}
    for indicator in indicators:
        if indicator.parent is not None:
            continue  # the reader turned the label's marks into the parent summary's weight
        if indicator.level1 and lexicon().full_mark.search(indicator.level1):
            seen.setdefault((indicator.source.table, indicator.level1), []).append(indicator)
    for (_, level1), members in seen.items():
        mark = lexicon().full_mark.search(level1)
        assert mark is not None  # only labels that matched were kept above
        marked = float(mark.group(1))
        parts = _printed_all(view, members, "weight")
        total = Printed(marked, 0, exact=True, text=format_number(marked, 0))
        if parts is None or sum_agrees(parts, total):
            continue
        yield Draft(
            "sum_mismatch",
            "error",
            f"一级指标「{level1}」标注{total.show()}分，其下{len(members)}项指标分值合计{_fmt(parts)}",
            (f"{members[0].id}.level1", *(f"{i.id}.weight" for i in members)),
            expected=figure(sum(p.value for p in parts), decimals_of(parts)),
            found=marked,
        )


def score_exceeds_weight(view: DocView) -> Iterator[Draft]:
    records: list = [*view.result.indicators, *view.result.budget_lines, *view.result.scores]
    for record in records:
        weight = view.printed_field(record, "weight")
        name = getattr(record, "name", None) or getattr(record, "item", None) or getattr(record, "label", "")
        for field in ("score", "review_score"):
            score = view.printed_field(record, field)
            if score is None:
                continue
            what = "得分" if field == "score" else "复核得分"
            if score.value < 0:
                yield Draft(
                    "score_exceeds_weight",
                    "error",
                    f"「{name}」{what}{score.show()}为负数",
                    (f"{record.id}.{field}",),
                    expected=0.0,
                    found=score.value,
                )
            elif weight is not None and exceeds(score, weight):
                yield Draft(
                    "score_exceeds_weight",
                    "error",
                    f"「{name}」{what}{score.show()}超过分值{weight.show()}",
                    (f"{record.id}.{field}", f"{record.id}.weight"),
                    expected=weight.value,
                    found=score.value,
                )


def _printed(view: DocView, indicator: Indicator, name: str) -> bool:
    """The form prints something for this field: a value, or a mark such as "-" or #DIV/0!."""
    if _value_present(indicator, name):
        return True
    text = view.cell_text_of(indicator, name)
    return text is not None and bool(text.strip())


def _required(view: DocView, indicators: list[Indicator], name: str) -> bool:
    """A field the form asks for: printed on most of the section's indicators."""
    return sum(1 for i in indicators if _printed(view, i, name)) * 2 > len(indicators)


def _value_present(indicator: Indicator, name: str) -> bool:
    value = getattr(indicator, name)
    return value.raw is not None if name in ("target", "actual") else value is not None


def _not_applicable(view: DocView, group: list[Indicator], name: str) -> bool:
    """The level prints "—" for this field and no value: the field does not apply to its rows.

    (项目决策 / 项目管理 rows of a scoring table have no 指标值: "—" on some, nothing on others.)
    """
    return not any(_states_value(i, name) for i in group) and any(_printed(view, i, name) for i in group)


def _states_value(indicator: Indicator, name: str) -> bool:
    value = getattr(indicator, name)
    if name in ("target", "actual"):
        return value.raw is not None and not is_blank(value.raw)
    return value is not None


def missing_values(view: DocView) -> Iterator[Draft]:
    by_section: dict[str, list[Indicator]] = {}
    for indicator in view.result.indicators:
        by_section.setdefault(indicator.section, []).append(indicator)
    what = {"weight": "分值", "score": "得分", "target": "指标值", "actual": "实际完成值"}
    for indicators in by_section.values():
        levels: dict[Optional[str], list[Indicator]] = {}
        for indicator in indicators:
            levels.setdefault(indicator.level1, []).append(indicator)
        for name in ("target", "actual", "weight", "score"):
            if not _required(view, indicators, name):
                continue
            for indicator in indicators:
                if _printed(view, indicator, name):
                    continue  # a value, or "-", "——", an error: not blank
                if indicator.level1 is not None and _not_applicable(view, levels[indicator.level1], name):
                    continue
                yield Draft(
                    "missing_value",
                    "warning",
                    f"指标「{indicator.name}」未填{what[name]}",
                    (f"{indicator.id}.{name}",),
                    expected=None,
                    found=None,
                )
    for summary in view.result.scores:
        if summary.label == lexicon().score_lines.self_score and summary.score is None and summary.review_score is None:
            printed = view.cell_text_of(summary, "score")
            if not (printed and printed.strip()):
                yield Draft("missing_value", "warning", "自评得分未填", (f"{summary.id}.score",))


def duplicate_indicators(view: DocView) -> Iterator[Draft]:
    seen: dict[tuple[str, str], Indicator] = {}
    for indicator in view.result.indicators:
        key = (indicator.section, re.sub(r"[\s，,。、：:“”\"（）()]", "", indicator.name))
        first = seen.get(key)
        if first is None:
            seen[key] = indicator
            continue
        yield Draft(
            "duplicate_indicator",
            "warning",
            f"指标「{indicator.name}」在同一表中出现两次",
            (f"{indicator.id}.name", f"{first.id}.name"),
            found=indicator.name,
        )
