"""cross_reference_mismatch: one figure printed in two places with different values.

A narrative figure is tied to a table line (or another sentence) by its label, and
two labels alone prove little, so a pairing is trusted when
1. the same sentence has other figures that agree with the same table column (or the other
   sentence) at least as often as they differ: "工资福利支出1567.51万元，…，资本性支出10.80万元"
   lines up with the 2022年 column of 基本支出对比表, where 资本性支出 is 1.08;
2. or the label names a table's total outright (收入支出总计 ↔ 收入支出决算总表 / 总计);
3. or the two figures look like one mistyped (254.03 / 254.04, 10.80 / 1.08) under the same label.
Different years, different budget columns (年初预算 vs 决算) and parts of two different totals
are never paired.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Optional

from rapidfuzz.distance import OSA

from extractor.facts.labels import label_key
from extractor.facts.tolerance import Printed, same_figure
from extractor.forms.lexicon import lexicon
from extractor.forms.statements.structure import is_total_label
from extractor.rules.docview import DocView
from extractor.rules.facts import Bucket, ByParent, Fact, KeyIndex, compatible, sentence_facts, table_facts
from extractor.rules.findings import Draft
from extractor.rules.grid import squeeze
from schemas.records import Severity

_TITLE_TAIL = lexicon().layout_words.table_title_tail


@lru_cache(maxsize=4096)
def _digits(shown: str) -> str:
    return re.sub(r"\D", "", shown).strip("0")


def typo_like(a: Printed, b: Printed) -> bool:
    """254.03 / 254.04, 10.80 / 1.08, 1958.52 / 1985.52: one figure mistyped, not two figures."""
    digits_a, digits_b = _digits(a.show()), _digits(b.show())
    if not digits_a or not digits_b:
        return False
    if digits_a == digits_b:
        return True
    return len(digits_a) == len(digits_b) and a.decimals == b.decimals and OSA.distance(digits_a, digits_b) == 1


def _draft(fact: Fact, other: Fact, extra: tuple[str, ...] = (), severity: Severity = "error") -> Draft:
    return Draft(
        "cross_reference_mismatch",
        severity,
        f"{fact.where}为{fact.value.show()}，而{other.where}为{other.value.show()}，同一数字前后不一致",
        tuple(dict.fromkeys((fact.ref, other.ref, *extra))),
        expected=other.value.value,
        found=fact.value.value,
    )


def _aligned(
    stated: list[Fact], index: KeyIndex, own_group: str, least: int = 1, skip: str = "\0", same_scope: bool = False
) -> list[tuple[Fact, Fact]]:
    """Mismatches inside the group (table column or sentence) the stated figures line up with best.

    The best group agrees on the most figures, then covers the most labels; its mismatches
    count only when at least `least` and at least as many of the sentence's figures agree with it
    as disagree (two sentences about two projects share a round 10.00 by chance, rarely two figures).
    """

    def accept(group: str) -> bool:
        return group != own_group and not group.startswith(skip)

    # A group can only be the best one with `least` agreeing figures: find those groups first through
    # the figures' binary search, then tally only them (sentences sharing labels stay near-linear).
    support: dict[str, int] = {}
    for mine in stated:
        for group in index.agreeing_groups(mine, accept, same_scope):
            support[group] = support.get(group, 0) + 1
    eligible = {group for group, count in support.items() if count >= least}
    agreeing: dict[str, int] = dict.fromkeys(eligible, 0)
    differing: dict[str, list[tuple[Fact, Fact]]] = {group: [] for group in eligible}
    for mine in stated:
        grouped = index.grouped(mine.key)
        for group in eligible:
            buckets = grouped.get(group)
            if not buckets:
                continue
            fitting = [b for b in buckets if index.compatible_in(b, mine, same_scope)]
            if not fitting:
                continue
            if any(index.agrees_in(b, mine) for b in fitting):
                agreeing[group] += 1
            else:
                differing[group].append((mine, _counterpart(fitting, mine)))
    best: list[tuple[Fact, Fact]] = []
    best_rank = (0, 0)
    for group in sorted(agreeing):
        agree, wrong = agreeing[group], differing[group]
        rank = (agree, agree + len(wrong))
        if agree >= least and rank > best_rank:
            best, best_rank = (wrong if agree >= len(wrong) else []), rank
    return best


def _counterpart(buckets: list[Bucket], mine: Fact) -> Fact:
    """The other side of a mismatch: the only fact, or among lines sharing the label the closest figure."""
    if len(buckets) == 1 and len(buckets[0].facts) == 1:
        return buckets[0].sample
    near = [b.nearest(mine.value.value) for b in buckets]
    return min(near, key=lambda f: abs(f.value.value - mine.value.value))


def cross_references(view: DocView) -> Iterator[Draft]:
    tables = table_facts(view)
    mentions = sentence_facts(view)
    order = {id(f): i for i, f in enumerate(mentions)}
    table_index, sentence_index, every = KeyIndex(tables), KeyIndex(mentions), KeyIndex(mentions + tables)

    def agreeing(fact: Fact) -> list[Fact]:
        return [
            f for f in every.matching(fact.key) if every.compatible_pair(f, fact) and same_figure(f.value, fact.value)
        ]

    by_sentence: dict[str, list[Fact]] = {}
    for fact in mentions:
        by_sentence.setdefault(fact.group, []).append(fact)
    reported: set[tuple[str, str]] = set()
    for group, stated in by_sentence.items():
        for mine, theirs in _aligned(stated, table_index, group):
            if (mine.ref, mine.label) not in reported:
                reported.add((mine.ref, mine.label))
                yield _draft(mine, theirs)
        for mine, theirs in _aligned(stated, sentence_index, group, least=2):
            mine_support, their_support = len(agreeing(mine)), len(agreeing(theirs))
            if mine_support > their_support or (mine_support == their_support and order[id(mine)] < order[id(theirs)]):
                continue  # the other sentence is the odd one; it is reported from its side
            if (mine.ref, mine.label) not in reported:
                reported.add((mine.ref, mine.label))
                yield _draft(mine, theirs, tuple(f.ref for f in agreeing(theirs)))
    yield from _between_tables(tables, table_index, reported)
    yield from _totals(view, mentions, tables, reported)
    yield from _typos(mentions, sentence_index, reported)


def _between_tables(tables: list[Fact], index: KeyIndex, reported: set) -> Iterator[Draft]:
    """A summary table's line against the same line of its detail table (another table; same funds, flow, year).

    Trusted only where two or more lines of the two columns agree and they agree at least twice as
    often as they differ; each pair is reported once, against the earlier table.
    """
    by_column: dict[str, list[Fact]] = {}
    for fact in tables:
        by_column.setdefault(fact.group, []).append(fact)
    for group, stated in by_column.items():
        table_id = group.split(".")[0] + "."
        pairs = _aligned(stated, index, group, least=2, skip=table_id, same_scope=True)
        agreeing_lines = len(stated) - len(pairs)
        if not pairs or agreeing_lines < 2 * len(pairs):
            continue
        for mine, theirs in pairs:
            if (
                theirs.group < mine.group
                or (mine.ref, mine.label) in reported
                or (theirs.ref, theirs.label) in reported
            ):
                continue  # reported from the later table's side only
            reported.add((mine.ref, mine.label))
            yield _draft(theirs, mine)


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
        facts = [f for f in named[fitting[0]] if compatible(f, mine)]
        values = {f.value.value for f in facts}
        if facts and len(values) == 1 and not same_figure(mine.value, facts[0].value):
            reported.add((mine.ref, mine.label))
            yield _draft(mine, facts[0])


def _typos(mentions: list[Fact], index: KeyIndex, reported: set) -> Iterator[Draft]:
    """Two sentences giving one item's figure with a digit changed (254.03 / 254.04), no other pairing needed.

    Only between sentences: a table line of the same name may count another scope (三公经费 in the
    text, 基本支出's 公务接待费 in the table). The odd figure is reported once, against the others.
    """
    listed: dict[str, list[Fact]] = {}
    order = {id(f): i for i, f in enumerate(mentions)}
    for fact in mentions:
        listed.setdefault(fact.key, []).append(fact)
    by_key = {key: ByParent(facts) for key, facts in listed.items()}
    for mine in mentions:
        if (mine.ref, mine.label) in reported or len(mine.key) < 2 or _significant(mine.value) < 3:
            continue
        # Amounts listed under another total (其中 人员经费 of another project) are never compatible: left out.
        others = [f for f in by_key[mine.key].under(mine.parent) if f.group != mine.group]
        others.sort(key=lambda f: order[id(f)])
        # A mistyped twin is rare: look for one first (digits only), then judge compatibility and agreement;
        # a twin printing the same figure agrees, it is no typo.
        twins = [f for f in others if typo_like(f.value, mine.value) and not same_figure(f.value, mine.value)]
        if not twins:
            continue
        my_id = index.signature_id(mine)

        def fits(other: Fact, my_id: int = my_id, mine: Fact = mine) -> bool:
            return index.compatible_ids(index.signature_id(other), other, my_id, mine)

        if any(same_figure(f.value, mine.value) and fits(f) for f in others):
            continue
        typos = [f for f in twins if _significant(f.value) >= 3 and fits(f)]
        if not typos:
            continue
        same = [f for f in others if any(same_figure(f.value, t.value) for t in typos) and fits(f)]
        support = {id(f): sum(1 for g in same if same_figure(g.value, f.value)) for f in typos}
        majority = max(typos, key=lambda f: support[id(f)])
        if (
            support[id(majority)] == 1
            and (majority.ref, majority.label) not in reported
            and order[id(majority)] > order[id(mine)]
        ):
            continue  # one against one: reported once, from the later sentence
        reported.add((mine.ref, mine.label))
        yield _draft(mine, majority, tuple(f.ref for f in typos if f is not majority), severity="warning")


def _significant(value: Printed) -> int:
    return len(re.sub(r"\D", "", value.show()).strip("0"))
