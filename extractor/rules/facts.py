"""Labelled figures of a document, as cross-references compare them.

A `Fact` is a table cell (row label, column header) or an amount in a sentence (its
label, the list it belongs to). `KeyIndex` finds the facts whose labels name the same
thing (equal keys, one key ending the other, 支出合计 / 合计) without comparing every
label with every other.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Optional

from rapidfuzz import fuzz, process

from extractor.facts.labels import (
    clean_label,
    context_of,
    contexts_conflict,
    is_comparative,
    is_context_only,
    match_key,
)
from extractor.facts.numbers import Mention
from extractor.facts.prose import stated_lists
from extractor.facts.tolerance import Printed, parse_printed, same_figure
from extractor.forms.lexicon import lexicon
from extractor.rules.docview import DocView
from extractor.rules.grid import header_leaf
from extractor.rules.sums import header_name, row_label

_YEAR = re.compile(r"((?:19|20)\d{2})")
_WORDS = lexicon().fact_words
"""The lexicon's fact words, read once (the lexicon is immutable)."""
BARE_TOTALS = tuple(_WORDS.bare_totals)
MIN_SUFFIX = 4
FUZZY_MIN = 6
FUZZY_LABEL = 88
MONEY_UNITS = tuple(_WORDS.money_units)


@dataclass(frozen=True)
class Fact:
    """A labelled figure: a table cell or a narrative amount."""

    key: str
    label: str
    value: Printed
    context: Optional[str]
    year: Optional[int]
    ref: str
    group: str
    """The column (table.block.col) or sentence it belongs to: what corroboration is counted over."""
    where: str
    parent: Optional[tuple[str, Printed]] = None
    """For an amount listed after 其中: its parent's key and figure."""
    flow: Optional[str] = None
    """收入 or 支出, for a table cell whose title or header says which."""
    scope: Optional[str] = None
    """The funds a table cell counts (一般公共预算, 财政拨款 …), from its header or else its table's title."""

    def signature(self) -> tuple:
        """What `compatible` reads: two facts with equal signatures are compatible with the same facts."""
        return (self.parent, self.year, self.flow, self.context, self.scope)


def _scope(text: str) -> Optional[str]:
    return next((scope for scope in _WORDS.scopes if scope in text), None)


def _flow(text: str) -> Optional[str]:
    """The one flow word (收入 / 支出) the text names; None when it names none or several."""
    named = [flow for flow in _WORDS.flows if flow in text]
    return named[0] if len(named) == 1 else None


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
                context, year = context_of(header), _year(header) or _year(table.table.title or "")
                flow = _flow(header) or _flow(table.table.title or "")
                scope = _scope(header_leaf(header)) or _scope(table.table.title or "")
                for row in block.body_rows:
                    text = block.grid.text(row, col)
                    value = parse_printed(text)
                    if value is None or not text.strip() or (value.exact and value.value == 0):
                        continue
                    label = row_label(block, row, label_col)
                    facts.append(
                        Fact(
                            match_key(label),
                            label,
                            value,
                            context,
                            year,
                            view.ref(table.table.id, row, col),
                            f"{table.table.id}.{b}.{col}",
                            f"{table.name}「{label}」{header_name(block, col)}",
                            flow=flow,
                            scope=scope,
                        )
                    )
    return facts


def _context(mention: Mention, parent: Optional[Mention]) -> Optional[str]:
    own = context_of(clean_label(mention.prefix))
    if parent is not None and (own is None or lexicon().labels.context_groups.get(own) == "budget"):
        return context_of(clean_label(parent.prefix)) or own
    return own


def sentence_facts(view: DocView) -> list[Fact]:
    facts = []
    for sentence in view.sentences:
        lists = view.memo("lists", (sentence.source, sentence.index), partial(stated_lists, sentence))
        parents = {id(m): stated.parent for stated in lists for m in stated.parts}
        sentence_year = sentence.years[0] if len(set(sentence.years)) == 1 else None
        for mention in sentence.mentions:
            if mention.unit not in MONEY_UNITS or is_comparative(mention.prefix):
                continue
            label = clean_label(mention.prefix)
            if len(label) < 2 or is_context_only(label):
                continue  # 全年预算为2.23万元: names a budget column, not an item
            parent = parents.get(id(mention))
            facts.append(
                Fact(
                    match_key(label),
                    label,
                    mention.value,
                    _context(mention, parent),
                    _year(mention.prefix) or sentence_year,
                    sentence.source,
                    f"{sentence.source}#{sentence.index}",
                    f"正文「{label}」",
                    (match_key(clean_label(parent.prefix)), parent.value) if parent is not None else None,
                )
            )
    return facts


def compatible(a: Fact, b: Fact) -> bool:
    """Not different years, not different budget columns, not parts of two different totals."""
    return parents_agree(a.parent, b.parent) and compatible_apart_from_parent(a, b)


def parents_agree(a: Optional[tuple[str, Printed]], b: Optional[tuple[str, Printed]]) -> bool:
    """Two amounts listed under 其中 belong to one total: same parent label, or the same parent figure."""
    return a is None or b is None or a[0] == b[0] or same_figure(a[1], b[1])


def compatible_apart_from_parent(a: Fact, b: Fact) -> bool:
    if a.year is not None and b.year is not None and a.year != b.year:
        return False
    if a.flow is not None and b.flow is not None and a.flow != b.flow:
        return False
    return a.context is None or b.context is None or not contexts_conflict(a.context, b.context)


def same_key(a: str, b: str) -> bool:
    """Equal keys; or one ends the other (按科目分类年度工资福利支出 / 工资福利支出); or 支出合计 / 合计."""
    if a == b:
        return len(a) >= 2
    short, long = sorted((a, b), key=len)
    if short in BARE_TOTALS:
        return long.endswith(short)
    return len(short) >= MIN_SUFFIX and long.endswith(short)


@dataclass
class Bucket:
    """Facts of one group that are alike for comparison: same compatibility fields, same rounding."""

    sample: Fact
    first: int
    """Position of the bucket's first fact in `matching()` order (which fact a mismatch names)."""
    facts: list[Fact] = field(default_factory=list)
    _sorted: Optional[list[Fact]] = None
    _values: Optional[list[float]] = None

    def add(self, fact: Fact) -> None:
        self.facts.append(fact)
        self._sorted = self._values = None

    def sorted_facts(self) -> list[Fact]:
        if self._sorted is None:
            self._sorted = sorted(self.facts, key=lambda f: f.value.value)
        return self._sorted

    def nearest(self, value: float) -> Fact:
        """The fact whose figure is closest to `value` (a repeated label's likeliest counterpart)."""
        values = self.values()
        at = bisect.bisect_left(values, value)
        candidates = [i for i in (at - 1, at) if 0 <= i < len(values)]
        return self.sorted_facts()[min(candidates, key=lambda i: abs(values[i] - value))]

    def values(self) -> list[float]:
        if self._values is None:
            self._values = [f.value.value for f in self.sorted_facts()]
        return self._values


@dataclass
class Cluster:
    """Facts of one figure and one signature apart from their parent, by parent (for `parents_agree`)."""

    sample: Fact
    rest_id: int
    orphans: list[str] = field(default_factory=list)
    """Groups of facts listed under no total: compatible with any parent."""
    by_parent_label: dict[str, list[str]] = field(default_factory=dict)
    by_parent_figure: list[tuple[float, Printed, list[str]]] = field(default_factory=list)
    _sorted: bool = True
    _keys: list[float] = field(default_factory=list)
    _widest: float = 0.0

    def add(self, fact: Fact) -> None:
        if fact.parent is None:
            self.orphans.append(fact.group)
            return
        label, figure = fact.parent
        self.by_parent_label.setdefault(label, []).append(fact.group)
        self.by_parent_figure.append((figure.value, figure, [fact.group]))
        self._sorted = False

    def every(self) -> list[str]:
        return self.orphans + [group for groups in self.by_parent_label.values() for group in groups]

    def under(self, parent: Optional[tuple[str, Printed]]) -> list[str]:
        """Groups of the facts whose parent agrees with `parent` (same label, or same figure)."""
        if parent is None:
            return self.every()
        if not self._sorted:
            self.by_parent_figure.sort(key=lambda item: item[0])
            self._keys = [item[0] for item in self.by_parent_figure]
            self._widest = max((item[1].half_unit for item in self.by_parent_figure), default=0.0)
            self._sorted = True
        label, figure = parent
        found = self.orphans + self.by_parent_label.get(label, [])
        reach = max(self._widest, figure.half_unit) + 1e-6 * max(1.0, abs(figure.value))
        low = bisect.bisect_left(self._keys, figure.value - reach)
        high = bisect.bisect_right(self._keys, figure.value + reach)
        for _, their_figure, groups in self.by_parent_figure[low:high]:
            if same_figure(their_figure, figure):
                found.extend(groups)  # a group may come twice (label and figure agree): a set takes it
        return found


class ByParent:
    """Facts by the total they are listed under, answering `under(parent)` without a scan of unrelated totals."""

    def __init__(self, facts: list[Fact]) -> None:
        self.orphans = [f for f in facts if f.parent is None]
        self.by_label: dict[str, list[Fact]] = {}
        listed = sorted(
            (f for f in facts if f.parent is not None), key=lambda f: f.parent[1].value if f.parent else 0.0
        )
        for fact in listed:
            assert fact.parent is not None  # sorted from facts with a parent
            self.by_label.setdefault(fact.parent[0], []).append(fact)
        self.listed = listed
        self.keys = [f.parent[1].value for f in listed if f.parent is not None]
        self.widest = max((f.parent[1].half_unit for f in listed if f.parent is not None), default=0.0)

    def under(self, parent: Optional[tuple[str, Printed]]) -> list[Fact]:
        """Facts whose parent agrees with `parent` (`parents_agree`), in no particular order, without repeats."""
        if parent is None:
            return self.orphans + self.listed
        label, figure = parent
        found = {id(f): f for f in self.by_label.get(label, [])}
        reach = max(self.widest, figure.half_unit) + 1e-6 * max(1.0, abs(figure.value))
        low, high = (
            bisect.bisect_left(self.keys, figure.value - reach),
            bisect.bisect_right(self.keys, figure.value + reach),
        )
        for fact in self.listed[low:high]:
            if fact.parent is not None and same_figure(fact.parent[1], figure):
                found.setdefault(id(fact), fact)
        return self.orphans + list(found.values())


class KeyIndex:
    """Facts by label key, answering `matching(key)` through suffix tables instead of a full scan."""

    def __init__(self, facts: list[Fact]) -> None:
        self.by_key: dict[str, list[Fact]] = {}
        for fact in facts:
            self.by_key.setdefault(fact.key, []).append(fact)
        self.ending_with: dict[str, list[str]] = {}
        for key in self.by_key:
            for start in range(1, len(key)):
                suffix = key[start:]
                if len(suffix) >= MIN_SUFFIX or suffix in BARE_TOTALS:
                    self.ending_with.setdefault(suffix, []).append(key)
        self._memo: dict[str, list[Fact]] = {}
        self._keys = sorted(self.by_key)
        self._grouped: dict[str, dict[str, list[Bucket]]] = {}
        self._compatible: dict[tuple[int, int, bool], bool] = {}
        self._signatures: dict[tuple, int] = {}
        self._signature_of: dict[int, int] = {}
        self._by_value: dict[str, tuple[list[float], list[Cluster], float]] = {}
        self._rests: dict[tuple, int] = {}
        self._rest_of: dict[int, int] = {}
        self._rest_compatible_memo: dict[tuple[int, int, bool], bool] = {}
        self.comparisons = 0
        """Figure and compatibility comparisons made so far: what a scaling test counts."""

    def grouped(self, key: str) -> dict[str, list[Bucket]]:
        """`matching(key)` by group, each group's facts bucketed by compatibility and rounding.

        A column of 1000 lines sharing one label is then looked at through a few buckets and a
        binary search per figure, not fact by fact (which made cross-references quadratic).
        """
        if key not in self._grouped:
            by_group: dict[str, dict[tuple, Bucket]] = {}
            for position, fact in enumerate(self.matching(key)):
                buckets = by_group.setdefault(fact.group, {})
                signature = (*fact.signature(), fact.value.half_unit)
                bucket = buckets.get(signature)
                if bucket is None:
                    bucket = buckets[signature] = Bucket(fact, position)
                bucket.add(fact)
            self._grouped[key] = {group: list(buckets.values()) for group, buckets in by_group.items()}
        return self._grouped[key]

    def compatible_in(self, bucket: Bucket, mine: Fact, same_scope: bool) -> bool:
        """Every fact of the bucket is compatible with `mine` (they share the signature that decides it)."""
        self.comparisons += 1
        return self.compatible_pair(bucket.sample, mine, same_scope)

    def signature_id(self, fact: Fact) -> int:
        """A small number per distinct signature, so the compatibility memo hashes ints, not figures."""
        found = self._signature_of.get(id(fact))
        if found is None:
            found = self._signatures.setdefault(fact.signature(), len(self._signatures))
            self._signature_of[id(fact)] = found
        return found

    def compatible_pair(self, theirs: Fact, mine: Fact, same_scope: bool = False) -> bool:
        """`compatible`, remembered per pair of signatures (documents repeat a few years and columns)."""
        return self.compatible_ids(self.signature_id(theirs), theirs, self.signature_id(mine), mine, same_scope)

    def compatible_ids(self, their_id: int, theirs: Fact, my_id: int, mine: Fact, same_scope: bool = False) -> bool:
        """`compatible_pair` for facts whose signature ids the caller already holds (hot loops)."""
        pair = (their_id, my_id, same_scope)
        known = self._compatible.get(pair)
        if known is None:
            # Compatibility depends on the signature only: decided once per pair of signatures.
            known = compatible(theirs, mine) and (not same_scope or theirs.scope == mine.scope)
            self._compatible[pair] = known
        return known

    def agreeing_groups(self, mine: Fact, accept: Callable[[str], bool], same_scope: bool = False) -> set[str]:
        """Groups holding a compatible fact with `mine`'s label and figure, found by binary search on figures.

        Costs the facts within rounding reach of the figure, not every fact sharing the label; facts of
        one figure listed under different totals (其中 人员经费 of sixty projects) are told apart by a
        binary search on their parents' figures, not one by one.
        """
        if mine.key not in self._by_value:
            self._by_value[mine.key] = self._figure_clusters(mine.key)
        values, ordered, widest = self._by_value[mine.key]
        value = mine.value.value
        reach = max(widest, mine.value.half_unit) + 1e-6 * max(1.0, abs(value))
        groups: set[str] = set()
        low, high = bisect.bisect_left(values, value - reach), bisect.bisect_right(values, value + reach)
        rest_id = self._rest_id(mine)
        for cluster in ordered[low:high]:
            self.comparisons += 1
            sample = cluster.sample
            if not same_figure(sample.value, mine.value) or not self._rest_compatible(
                cluster.rest_id, sample, rest_id, mine, same_scope
            ):
                continue
            groups.update(group for group in cluster.under(mine.parent) if accept(group))
        return groups

    def _figure_clusters(self, key: str) -> tuple[list[float], list[Cluster], float]:
        # Facts of one figure, rounding and signature (apart from their parent) decide alike: one cluster.
        clusters: dict[tuple, Cluster] = {}
        for fact in self.matching(key):
            rest_id = self._rest_id(fact)
            cluster_key = (fact.value.value, fact.value.half_unit, rest_id)
            cluster = clusters.get(cluster_key)
            if cluster is None:
                cluster = clusters[cluster_key] = Cluster(fact, rest_id)
            cluster.add(fact)
        ordered = sorted(clusters.values(), key=lambda c: c.sample.value.value)
        widest = max((c.sample.value.half_unit for c in ordered), default=0.0)
        return [c.sample.value.value for c in ordered], ordered, widest

    def _rest_id(self, fact: Fact) -> int:
        found = self._rest_of.get(id(fact))
        if found is None:
            found = self._rests.setdefault(fact.signature()[1:], len(self._rests))
            self._rest_of[id(fact)] = found
        return found

    def _rest_compatible(self, their_id: int, theirs: Fact, my_id: int, mine: Fact, same_scope: bool) -> bool:
        pair = (their_id, my_id, same_scope)
        known = self._rest_compatible_memo.get(pair)
        if known is None:
            known = compatible_apart_from_parent(theirs, mine) and (not same_scope or theirs.scope == mine.scope)
            self._rest_compatible_memo[pair] = known
        return known

    def agrees_in(self, bucket: Bucket, mine: Fact) -> bool:
        """Some fact of the bucket is the same figure as `mine` (binary search on the sorted values)."""
        self.comparisons += 1
        values = bucket.values()
        at = bisect.bisect_left(values, mine.value.value)
        # Within one bucket every fact has the same rounding, so the nearest values on either side decide.
        for index in (at - 1, at):
            if 0 <= index < len(values):
                self.comparisons += 1
                if same_figure(bucket.sorted_facts()[index].value, mine.value):
                    return True
        return False

    def matching(self, key: str) -> list[Fact]:
        """Facts whose label names the same thing: equal or suffix keys, else one near-equal key (rapidfuzz)."""
        if key not in self._memo:
            keys = set(self.ending_with.get(key, []) if len(key) >= MIN_SUFFIX or key in BARE_TOTALS else [])
            if len(key) >= 2:
                keys.add(key)
            for start in range(1, len(key)):
                suffix = key[start:]
                if len(suffix) >= MIN_SUFFIX or suffix in BARE_TOTALS:
                    keys.add(suffix)
            found = [f for k in sorted(keys) if same_key(k, key) for f in self.by_key.get(k, [])]
            if not found and len(key) >= FUZZY_MIN:
                near = process.extractOne(key, self._keys, scorer=fuzz.ratio, score_cutoff=FUZZY_LABEL)
                if near is not None and len(near[0]) >= FUZZY_MIN:
                    found = list(self.by_key[near[0]])  # 对个人与家庭补助支出 / 对个人和家庭的补助支出
            self._memo[key] = found
        return self._memo[key]
