"""cross_reference_mismatch: one figure printed in two places with different values.

A narrative figure is tied to a table line (or another sentence) by its label, and
two labels alone prove little, so a pairing is trusted when
1. the same sentence has another figure that agrees with the same table column (or the
   other sentence): "工资福利支出1567.51万元，…，资本性支出10.80万元" lines up with the
   2022年 column of 基本支出对比表, where 资本性支出 is 1.08;
2. or the label names a table's total outright (收入支出总计 ↔ 收入支出决算总表 / 总计);
3. or the two figures look like one mistyped (254.03 / 254.04, 10.80 / 1.08) under the same label.
Different years or different budget columns (年初预算 vs 决算) are never paired.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Optional

from rapidfuzz.distance import OSA

from extractor.rules.docview import DocView
from extractor.rules.findings import Draft
from extractor.rules.grid import squeeze
from extractor.rules.labels import clean_label, context_of, contexts_conflict, is_comparative, match_key
from extractor.rules.numbers import Mention, Sentence
from extractor.rules.prose import stated_lists
from extractor.rules.structure import is_total_label, label_key
from extractor.rules.sums import header_name, row_label
from extractor.rules.tolerance import Printed, parse_printed, same_figure

_TITLE_TAIL = re.compile(r"(决算|预算)?(总表|明细表|汇总表|情况表|表)$")
_YEAR = re.compile(r"((?:19|20)\d{2})")


@dataclass(frozen=True)
class Fact:
    """A labelled figure: a table cell or a narrative mention."""

    key: str
    label: str
    value: Printed
    context: Optional[str]
    year: Optional[int]
    ref: str
    group: str
    """The column (table.block.col) or sentence it belongs to: what corroboration is counted over."""
    where: str


def _year(text: str) -> Optional[int]:
    years = {int(y) for y in _YEAR.findall(text)}
    return years.pop() if len(years) == 1 else None


def table_facts(view: DocView) -> list[Fact]:
    facts = []
    for table in view.tables:
        for b, block in enumerate(table.blocks):
            if block.is_indicator_block:
                continue
            for col in block.numeric_columns():
                if block.columns[col].kind != "number":
                    continue
                label_col = block.label_column(col)
                header = block.columns[col].header
                for row in block.body_rows:
                    value = parse_printed(block.grid.text(row, col))
                    label = row_label(block, row, label_col)
                    if value is None or value.exact and value.value == 0 and not block.grid.text(row, col).strip():
                        continue
                    facts.append(Fact(match_key(label), label, value, context_of(header), _year(header),
                                      view.ref(table.table.id, row, col), f"{table.table.id}.{b}.{col}",
                                      f"{table.name}「{label}」{header_name(block, col)}"))
    return facts


def _context(mention: Mention, parent: Optional[Mention]) -> Optional[str]:
    own = context_of(clean_label(mention.prefix))
    if parent is not None and own in (None, "预算"):
        return context_of(clean_label(parent.prefix)) or own
    return own


def sentence_facts(view: DocView) -> list[Fact]:
    facts = []
    for sentence in view.sentences:
        parents = {id(m): stated.parent for stated in stated_lists(sentence) for m in stated.parts}
        sentence_year = sentence.years[0] if len(set(sentence.years)) == 1 else None
        for mention in sentence.mentions:
            if mention.unit not in ("万元", "万", "亿元", "元") or is_comparative(mention.prefix):
                continue
            label = clean_label(mention.prefix)
            if len(label) < 2:
                continue
            year = _year(mention.prefix) or sentence_year
            facts.append(Fact(match_key(label), label, mention.value, _context(mention, parents.get(id(mention))),
                              year, sentence.source, f"{sentence.source}#{sentence.index}", f"正文「{label}」"))
    return facts


def _compatible(a: Fact, b: Fact) -> bool:
    if a.year is not None and b.year is not None and a.year != b.year:
        return False
    return not contexts_conflict(a.context, b.context)


_BARE_TOTALS = ("合计", "总计", "小计", "共计")


def _same_key(a: str, b: str) -> bool:
    """Equal keys; or one ends the other (按科目分类年度工资福利支出 / 工资福利支出); or 支出合计 / 合计."""
    if a == b:
        return len(a) >= 2
    short, long = sorted((a, b), key=len)
    if short in _BARE_TOTALS:
        return long.endswith(short)
    return len(short) >= 4 and long.endswith(short)


def typo_like(a: Printed, b: Printed) -> bool:
    """254.03 / 254.04, 10.80 / 1.08, 1958.52 / 1985.52: one figure mistyped, not two figures."""
    digits_a = re.sub(r"\D", "", a.show()).strip("0")
    digits_b = re.sub(r"\D", "", b.show()).strip("0")
    if not digits_a or not digits_b:
        return False
    if digits_a == digits_b:
        return True
    return len(digits_a) == len(digits_b) and a.decimals == b.decimals and OSA.distance(digits_a, digits_b) == 1


def _draft(fact: Fact, other: Fact, extra: tuple[str, ...] = ()) -> Draft:
    return Draft("cross_reference_mismatch", "error",
                 f"{fact.where}为{fact.value.show()}，而{other.where}为{other.value.show()}，同一数字前后不一致",
                 tuple(dict.fromkeys((fact.ref, other.ref, *extra))), expected=other.value.value, found=fact.value.value)


def _aligned(stated: list[Fact], candidates: list[Fact]) -> Iterator[tuple[Fact, Fact]]:
    """Mismatches inside the group (table column or sentence) the stated figures line up with best.

    The best group agrees on the most figures, then covers the most labels; its mismatches
    count only when at least as many of the sentence's figures agree with it as disagree.
    """
    by_group: dict[str, list[Fact]] = {}
    for fact in candidates:
        by_group.setdefault(fact.group, []).append(fact)
    best: list[tuple[Fact, Fact]] = []
    best_rank = (0, 0)
    for facts in by_group.values():
        agreeing, differing = 0, []
        for mine in stated:
            theirs = [f for f in facts if _same_key(f.key, mine.key) and _compatible(f, mine)]
            if not theirs:
                continue
            if any(same_figure(f.value, mine.value) for f in theirs):
                agreeing += 1
            else:
                differing.append((mine, theirs[0]))
        rank = (agreeing, agreeing + len(differing))
        if agreeing and rank > best_rank:
            best, best_rank = (differing if agreeing >= len(differing) else []), rank
    yield from best


def cross_references(view: DocView) -> Iterator[Draft]:
    tables = table_facts(view)
    mentions = sentence_facts(view)
    order = {id(f): i for i, f in enumerate(mentions)}
    by_key: dict[str, list[Fact]] = {}
    for fact in mentions + tables:
        by_key.setdefault(fact.key, []).append(fact)

    def agreeing(fact: Fact) -> list[Fact]:
        return [f for f in by_key.get(fact.key, []) if _compatible(f, fact) and same_figure(f.value, fact.value)]

    by_sentence: dict[str, list[Fact]] = {}
    for fact in mentions:
        by_sentence.setdefault(fact.group, []).append(fact)
    reported: set[tuple[str, str]] = set()
    for group, stated in by_sentence.items():
        for mine, theirs in _aligned(stated, tables):
            if (mine.ref, mine.label) not in reported:
                reported.add((mine.ref, mine.label))
                yield _draft(mine, theirs)
        others = [f for f in mentions if f.group != group]
        for mine, theirs in _aligned(stated, others):
            mine_support, their_support = len(agreeing(mine)), len(agreeing(theirs))
            if mine_support > their_support or (mine_support == their_support and order[id(mine)] < order[id(theirs)]):
                continue  # the other sentence is the odd one; it is reported from its side
            if (mine.ref, mine.label) not in reported:
                reported.add((mine.ref, mine.label))
                yield _draft(mine, theirs, tuple(f.ref for f in agreeing(theirs)))
    yield from _totals(view, mentions, tables, reported)
    yield from _typos(mentions, tables, reported)


def _title_subject(title: Optional[str]) -> str:
    return _TITLE_TAIL.sub("", squeeze(title or "")) if title else ""


def _totals(view: DocView, mentions: list[Fact], tables: list[Fact], reported: set) -> Iterator[Draft]:
    """收入支出总计 in the text against the 总计 of 收入支出决算总表."""
    named: dict[str, list[Fact]] = {}
    for table in view.tables:
        subject = _title_subject(table.table.title)
        if len(subject) < 2:
            continue
        for fact in tables:
            if fact.group.startswith(f"{table.table.id}.") and is_total_label(fact.label):
                named.setdefault(subject + label_key(fact.label), []).append(fact)
    for mine in mentions:
        if (mine.ref, mine.label) in reported:
            continue
        label = squeeze(mine.label)
        fitting = sorted((name for name in named if label.endswith(name)), key=len, reverse=True)
        if not fitting:
            continue
        facts = [f for f in named[fitting[0]] if _compatible(f, mine)]
        values = {f.value.value for f in facts}
        if facts and len(values) == 1 and not same_figure(mine.value, facts[0].value):
            reported.add((mine.ref, mine.label))
            yield _draft(mine, facts[0])


def _typos(mentions: list[Fact], tables: list[Fact], reported: set) -> Iterator[Draft]:
    everything = mentions + tables
    by_key: dict[str, list[Fact]] = {}
    for fact in everything:
        by_key.setdefault(fact.key, []).append(fact)
    for mine in mentions:
        if (mine.ref, mine.label) in reported or len(mine.key) < 2:
            continue
        same = [f for f in by_key.get(mine.key, []) if f.ref != mine.ref and _compatible(f, mine)]
        if not same or any(same_figure(f.value, mine.value) for f in same):
            continue
        typos = [f for f in same if typo_like(f.value, mine.value)]
        if typos:
            majority = max(typos, key=lambda f: sum(1 for g in same if same_figure(g.value, f.value)))
            reported.add((mine.ref, mine.label))
            draft = _draft(mine, majority, tuple(f.ref for f in typos if f is not majority))
            yield Draft(draft.rule, "warning", draft.message, draft.refs, draft.expected, draft.found)
