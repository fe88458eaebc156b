"""Numbers stated in prose: "人员经费执行254.03万元", "增幅36.76%", "组建三条产业链".

A `Mention` is one number with its unit, where it sits in its sentence, and the
label printed right before it (the words since the previous number or clause
mark). Sentences split at 。！？ only: a 其中 list may run across ；.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional, overload

from extractor.facts.tolerance import Printed, parse_printed
from extractor.forms.lexicon import lexicon
from extractor.text.join import join_lines

MONEY_SCALE: dict[str, float] = dict(lexicon().money_scale)
"""Money units of prose figures and their scale to 元 (lexicon.yaml `money_scale`)."""
COUNT_UNITS: tuple[str, ...] = tuple(lexicon().count_units)
_UNITS = sorted([*MONEY_SCALE, "%", *COUNT_UNITS], key=len, reverse=True)
_UNIT_PATTERN = "|".join(re.escape(u) for u in _UNITS)
_MENTION = re.compile(
    r"(?<![\d.,A-Za-z第])(?P<number>[-−－]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?![\dA-Za-z])\s*(?P<unit>"
    + _UNIT_PATTERN
    + r")?"
)
_FIGURE_WORDS = lexicon().figure_words
_CN_MEASURES = "".join(_FIGURE_WORDS.chinese_measures)
_CN_MENTION = re.compile(
    r"(?<![第零〇一二两三四五六七八九十百千])(?P<number>[零〇一二两三四五六七八九十百千]+)(?P<unit>["
    + _CN_MEASURES
    + r"])"
)
_SENTENCE_END = re.compile(r"(?<=[。！？!?])|\n+")
_NOTE_BEFORE = re.compile(r"[（(][^（）()]{1,6}[）)]\s*$")
_BOUNDARY = re.compile(r"[，,；;：:、（）()“”\"《》【】]")


@dataclass(frozen=True)
class Mention:
    """One number in a sentence with its unit and the words right before it."""

    value: Printed
    unit: Optional[str]
    start: int
    end: int
    prefix: str
    """Raw text from the previous number or clause mark up to this number."""
    clause_start: int
    """Offset where this number's clause (after the last ，；： mark) starts."""
    chinese: bool = False

    @property
    def is_money(self) -> bool:
        return self.unit in MONEY_SCALE

    @property
    def is_percent(self) -> bool:
        return self.unit == "%"

    def in_yuan(self) -> Optional[float]:
        return self.value.value * MONEY_SCALE[self.unit] if self.unit in MONEY_SCALE else None


@dataclass
class Sentence:
    """A sentence of a narrative paragraph (or of a description cell) with its numbers."""

    text: str
    source: str
    """What to cite: `p12.text`, `i3.description` … (where the sentence starts)."""
    index: int
    mentions: list[Mention] = field(default_factory=list)
    years: tuple[int, ...] = ()
    sources: tuple[str, ...] = ()
    """Every paragraph the sentence runs through, when a page or line break split it."""

    @property
    def refs(self) -> tuple[str, ...]:
        return self.sources or (self.source,)


def _normalise(text: str) -> str:
    return text.replace("％", "%").replace("，", "，").replace("\u3000", " ")


def _clause_start(text: str, position: int) -> int:
    start = 0
    for match in _BOUNDARY.finditer(text, 0, position):
        start = match.end()
    return start


def find_mentions(text: str) -> list[Mention]:
    """Arabic and Chinese numbers with their units, skipping dates (2023年, 12月31日)."""
    text = _normalise(text)
    found: list[tuple[int, int, Printed, Optional[str], bool]] = []
    for match in _MENTION.finditer(text):
        unit = match.group("unit")
        after = text[match.end("number") :]
        if unit is None and _FIGURE_WORDS.date_after.match(after):
            continue
        if unit is None and _FIGURE_WORDS.range_after.match(after):
            unit = None  # a range's first number: keep, it has no unit of its own
        printed = parse_printed(match.group("number").replace("−", "-").replace("－", "-"))
        if printed is None:
            continue
        if unit == "%":
            printed = Printed(printed.value, printed.decimals, percent=True, exact=printed.exact, text=printed.text)
        found.append((match.start(), match.end(), printed, unit, False))
    for match in _CN_MENTION.finditer(text):
        import cn2an  # imported on first use: it costs 0.17 s CPU and most texts print no Chinese numeral

        following = text[match.end() : match.end() + 1]
        if following in _FIGURE_WORDS.chinese_idiom_after:  # 一次性, 一条龙: part of a longer word
            continue
        try:
            number = float(cn2an.cn2an(match.group("number"), "smart"))
        except (ValueError, KeyError):
            continue
        found.append(
            (match.start(), match.end(), Printed(number, 0, exact=True, text=match.group(0)), match.group("unit"), True)
        )
    found.sort(key=lambda item: item[0])
    mentions: list[Mention] = []
    previous_end = 0
    for start, end, printed, unit, chinese in found:
        clause = _clause_start(text, start)
        note = _NOTE_BEFORE.search(text, max(previous_end, 0), start)
        if note is not None and note.end() == start and not text[clause:start].strip("（）() "):
            clause = _clause_start(text, note.start())  # 一般公共服务支出（类）2106.66万元: the label is before （类）
        prefix_start = max(previous_end, clause)
        mentions.append(Mention(printed, unit, start, end, text[prefix_start:start], clause, chinese))
        previous_end = end
    return mentions


def years_in(text: str) -> tuple[int, ...]:
    return tuple(int(y) for y in _FIGURE_WORDS.year.findall(text))


def split_sentences(text: str, source: str) -> list[Sentence]:
    """Sentences at 。！？ and line breaks, each with its numbers."""
    sentences = []
    for index, part in enumerate(p.strip() for p in _SENTENCE_END.split(_normalise(text))):
        if part:
            sentences.append(Sentence(part, source, index, find_mentions(part), years_in(part)))
    return sentences


_TERMINAL = re.compile(r"[。！？!?：:]\s*$")


def _is_heading(text: str) -> bool:
    return len(text) <= 40 and bool(_FIGURE_WORDS.list_start.match(text)) and not re.search(r"[，,。；;]", text)


MAX_SENTENCE_CHARS = 2000
"""A longer run of text without a sentence end is no sentence a person wrote (a cell pasted a thousand
times, a dump): it is not joined with its neighbours and its numbers are not read, which keeps the
prose rules linear on pathological text."""


def flowing_sentences(paragraphs: list[tuple[str, str]]) -> list[Sentence]:
    """Sentences of the narrative, read across paragraphs that a line or page break cut mid-sentence.

    `paragraphs` are (ref, text). A paragraph that does not end a sentence continues into the
    next one, unless it is a heading (一、收入决算情况说明) or the next one opens a new list item.
    """
    runs: list[tuple[str, list[tuple[int, str]]]] = []
    for ref, text in paragraphs:
        text = _normalise(text).strip()
        if not text:
            continue
        if (
            runs
            and not _TERMINAL.search(runs[-1][0])
            and not _is_heading(runs[-1][1][-1][1])
            and not _FIGURE_WORDS.list_start.match(text)
            and len(runs[-1][0]) + len(text) <= MAX_SENTENCE_CHARS
        ):
            joined, parts = runs[-1]
            runs[-1] = (join_lines([joined, text]), parts + [(len(join_lines([joined, text])) - len(text), ref)])
        else:
            runs.append((text, [(0, ref)]))
    sentences: list[Sentence] = []
    for text, parts in runs:
        offset = 0
        for index, piece in enumerate(_SENTENCE_END.split(text)):
            start, end = offset, offset + len(piece)
            offset = end
            stripped = piece.strip()
            if not stripped:
                continue
            refs = tuple(f"{ref}" for at, ref in parts if at < end and _next_start(parts, at, len(text)) > start)
            mentions = find_mentions(stripped) if len(stripped) <= MAX_SENTENCE_CHARS else []
            sentences.append(Sentence(stripped, refs[0], index, mentions, years_in(stripped), refs))
    return sentences


def _next_start(parts: list[tuple[int, str]], at: int, length: int) -> int:
    later = [other for other, _ in parts if other > at]
    return min(later) if later else length


_UNIT_FAMILY: dict[str, str] = dict(lexicon().unit_families)


def unit_family(unit: Optional[str]) -> Optional[str]:
    """Units that measure the same thing: money, percent, and counts by their measure word."""
    if unit is None:
        return None
    if unit in MONEY_SCALE:
        return "money"
    return _UNIT_FAMILY.get(unit, unit)


def comparable_units(a: Optional[str], b: Optional[str]) -> bool:
    """Like with like: 人 with 人, 次 with 家次, 万元 with 亿元; an unknown unit compares with anything."""
    if a is None or b is None:
        return True
    a, b = normalise_unit(a), normalise_unit(b)
    return a == b or a.endswith(b) or b.endswith(a) or unit_family(a) == unit_family(b) == "money"


@overload
def normalise_unit(unit: str) -> str: ...
@overload
def normalise_unit(unit: None) -> None: ...
@overload
def normalise_unit(unit: Optional[str]) -> Optional[str]: ...
def normalise_unit(unit: Optional[str]) -> Optional[str]:
    if unit is None:
        return None
    unit = unit.replace("％", "%").strip()
    return _FIGURE_WORDS.money_unit_aliases.get(unit, unit)


def scale_to(unit: Optional[str], target_unit: Optional[str]) -> float:
    """Factor turning an amount in `unit` into `target_unit` (1 when either is not money)."""
    a, b = normalise_unit(unit), normalise_unit(target_unit)
    if a in MONEY_SCALE and b in MONEY_SCALE:
        return MONEY_SCALE[a] / MONEY_SCALE[b]
    return 1.0
