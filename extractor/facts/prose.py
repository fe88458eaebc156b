"""Structures stated in prose sentences: 其中 lists, 合计 lines and 较上年 comparisons.

- A list: a parent figure, then 其中/主要用于/包括 and its parts ("8.54万元，…，其中办公费1.32万元、
  印刷费2.05万元…"), optionally closed by an explicit 合计; or parts closed by a 合计 figure
  ("工资福利支出1567.51万元，…，支出合计2834.44万元"). Shares printed after a part (占99.79%) are kept.
- A comparison: current figure A, base B after 较/比/同比, change C after 增加/减少, rate D after
  增幅/降幅, and the direction words used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from extractor.facts.labels import clean_label, is_total
from extractor.facts.numbers import Mention, Sentence, unit_family
from extractor.forms.lexicon import lexicon

_WORDS = lexicon().prose


def _any(words: list[str]) -> str:
    """An alternation of words, in the lexicon's order (a longer word listed first wins)."""
    return "|".join(re.escape(word) for word in words)


_INTRO = re.compile(_any(_WORDS.list_intro))
_BASE = re.compile(f"({_WORDS.comparison_base})")
_PARTICLES = f"({_any(_WORDS.change_particles)})?"
_CHANGE_WORD = re.compile(f"({_any(_WORDS.change_words)}){_PARTICLES}\\s*$")
_RATE_WORD = re.compile(f"({_any(_WORDS.rate_words)}){_PARTICLES}\\s*$")
_INCREASE = re.compile(_any(_WORDS.increase_words))
_DECREASE = re.compile(_any(_WORDS.decrease_words))
_STRONG_INCREASE = re.compile(_any(_WORDS.strong_increase_words))
_CLAUSE_SPLIT = re.compile(r"[，,；;]")
_SHARE = re.compile(_any(_WORDS.share_words))
_TRAILING_CHANGE = re.compile(f"^[^，,；;。]*?({_any(_WORDS.trailing_change_words)})")


def direction_word(sign: int) -> str:
    """The word a finding writes for a direction: the first increase word (增加) or decrease word (减少)."""
    return _WORDS.increase_words[0] if sign > 0 else _WORDS.decrease_words[0]


def direction_of(word: Optional[str]) -> Optional[int]:
    """+1 for 增加/增长/增幅…, -1 for 减少/下降/降幅…, None when no direction is stated."""
    if not word:
        return None
    if _DECREASE.search(word) and not _STRONG_INCREASE.search(word):
        return -1
    if _INCREASE.search(word):
        return 1
    return None


_BRACKETED = re.compile(r"[（(][^（）()]*[）)]")


def _between(sentence: Sentence, a: Mention, b: Mention) -> str:
    """The words between two figures, without a bracketed aside (its own 其中 list)."""
    return _BRACKETED.sub("", sentence.text[a.end : b.start])


def depth(text: str, position: int) -> int:
    """How many brackets are open at a position: a 其中 list in brackets belongs inside them."""
    before = text[:position]
    return max(0, before.count("（") + before.count("(") - before.count("）") - before.count(")"))


def _empty_clause_between(text: str) -> bool:
    """A whole clause without figures sits between two numbers: the list has ended."""
    pieces = _CLAUSE_SPLIT.split(text)
    return len(pieces) > 2 and any(p.strip() and not re.search(r"\d", p) for p in pieces[1:-1])


@dataclass
class StatedList:
    sentence: Sentence
    parent: Optional[Mention]
    parts: list[Mention]
    total: Optional[Mention] = None
    """An explicit 合计/共计 closing the parts."""
    shares: dict[int, Mention] = field(default_factory=dict)
    """Index of a part → the 占X% printed right after it."""
    intro: str = field(default_factory=lambda: _WORDS.parts_intro)


def _opens_list(sentence: Sentence, mention: Mention) -> bool:
    """The figure is followed by its own 其中 before the next figure: it starts a new list."""
    later = [m.start for m in sentence.mentions if m.start > mention.end]
    return _WORDS.parts_intro in sentence.text[mention.end : later[0] if later else None]


def _is_part(sentence: Sentence, previous: Mention, mention: Mention, family: Optional[str]) -> bool:
    between = _between(sentence, previous, mention)
    return (
        unit_family(mention.unit) == family
        and not _empty_clause_between(between)
        and not _BASE.search(mention.prefix)
        and not _INTRO.search(between)
        and not _opens_list(sentence, mention)
    )


def _collect_parts(sentence: Sentence, start: int, family: Optional[str], after: int) -> StatedList:
    stated = StatedList(sentence, None, [])
    previous: Optional[Mention] = None
    level = depth(sentence.text, after)
    for mention in sentence.mentions:
        if mention.start < after:
            continue
        at = depth(sentence.text, mention.start)
        if at > level:
            continue  # a bracketed breakdown of the previous part
        if at < level:
            break  # the bracket that held this list has closed
        if previous is not None and mention.unit == "%" and _SHARE.search(mention.prefix) and stated.parts:
            stated.shares[len(stated.parts) - 1] = mention
            continue
        if previous is not None and not _is_part(sentence, previous, mention, family):
            break
        if previous is None and (
            unit_family(mention.unit) != family
            or _empty_clause_between(_BRACKETED.sub("", sentence.text[after : mention.start]))
        ):
            break
        if is_total(mention.prefix) and stated.parts:
            stated.total = mention
            break
        stated.parts.append(mention)
        previous = mention
    return stated


def stated_lists(sentence: Sentence) -> list[StatedList]:
    found: list[StatedList] = []
    used: set[int] = set()
    for intro in _INTRO.finditer(sentence.text):
        before = [
            m
            for m in sentence.mentions
            if m.end <= intro.start()
            and m.unit is not None
            and m.unit != "%"
            and not _BASE.search(m.prefix)
            and not _word(_CHANGE_WORD, m.prefix)
        ]
        if not before:
            continue
        parent = before[-1]
        for earlier in found:
            if (
                intro.group(0) != _WORDS.parts_intro
                and any(part is parent for part in earlier.parts)
                and earlier.parent is not None
            ):
                parent = earlier.parent  # 主要用于 after a finished 其中 list speaks of the same subject
        stated = _collect_parts(sentence, intro.end(), unit_family(parent.unit), intro.end())
        stated.parent, stated.intro = parent, intro.group(0)
        if len(stated.parts) >= 2 or (stated.parts and stated.total is not None):
            found.append(stated)
            used.update(id(m) for m in stated.parts)
    for index, mention in enumerate(sentence.mentions):
        if not is_total(mention.prefix) or mention.unit in (None, "%") or id(mention) in used:
            continue
        parts: list[Mention] = []
        for previous in reversed(sentence.mentions[:index]):
            later = parts[0] if parts else mention
            if (
                not _is_part(sentence, previous, later, unit_family(mention.unit))
                or is_total(previous.prefix)
                or unit_family(previous.unit) != unit_family(mention.unit)
                or _INTRO.search(previous.prefix)
            ):
                break
            parts.insert(0, previous)
        if len(parts) >= 2 and not any(id(p) in used for p in parts):
            found.append(StatedList(sentence, None, parts, total=mention))
    return found


@dataclass
class Comparison:
    sentence: Sentence
    current: Optional[Mention] = None
    base: Optional[Mention] = None
    change: Optional[Mention] = None
    rate: Optional[Mention] = None
    change_word: Optional[str] = None
    rate_word: Optional[str] = None
    trailing_word: Optional[str] = None
    """A direction stated after the base without a figure (比2021年的93.56%提高幅度较大)."""


def _word(pattern: re.Pattern, text: str) -> Optional[str]:
    """The direction word that ends the text right before a figure (同比下降 → 下降), if any."""
    found = pattern.search(text)
    return found.group(1) if found else None


def comparisons(sentence: Sentence, previous_sentence: Optional[Sentence]) -> list[Comparison]:
    found: list[Comparison] = []
    current: Optional[Comparison] = None
    mentions = sentence.mentions
    for index, mention in enumerate(mentions):
        prefix = mention.prefix
        base_at = _BASE.search(prefix)
        change_word = _word(_CHANGE_WORD, prefix[base_at.end() :] if base_at else prefix)
        if base_at and not change_word and mention.unit is not None:
            earlier = [m for m in mentions[:index] if unit_family(m.unit) == unit_family(mention.unit)]
            current = Comparison(sentence, current=earlier[-1] if earlier else None, base=mention)
            tail = sentence.text[mention.end : mentions[index + 1].start if index + 1 < len(mentions) else None]
            trailing = _TRAILING_CHANGE.search(tail)
            current.trailing_word = trailing.group(1) if trailing else None
            found.append(current)
        elif change_word and mention.unit is not None and mention.unit != "%":
            if current is None or current.change is not None or current.rate is not None:
                current = Comparison(sentence, current=_subject(sentence, previous_sentence, mention, index))
                found.append(current)
            current.change, current.change_word = mention, change_word
        elif mention.unit == "%" and (word := _word(_RATE_WORD, prefix)) and not _SHARE.search(prefix):
            if current is None or current.rate is not None:
                current = Comparison(sentence, current=_subject(sentence, previous_sentence, mention, index))
                found.append(current)
            current.rate, current.rate_word = mention, word
        elif mention.unit is not None:
            current = None
    return [c for c in found if c.base is not None or c.change is not None or c.rate is not None]


def _subject(sentence: Sentence, previous: Optional[Sentence], mention: Mention, index: int) -> Optional[Mention]:
    """The figure a change speaks of: the last plain figure before it, or the one the sentence refers back to."""
    for earlier in reversed(sentence.mentions[:index]):
        if (
            not _BASE.search(earlier.prefix)
            and not _word(_CHANGE_WORD, earlier.prefix)
            and earlier.unit not in (None, "%")
        ):
            return earlier
        if earlier.unit not in (None, "%"):
            return None
    if previous is not None and _WORDS.refers_back.search(sentence.text[: mention.start]):
        label = clean_label(mention.prefix)
        plain = [m for m in previous.mentions if m.unit not in (None, "%")]
        for candidate in plain:
            if clean_label(candidate.prefix) and clean_label(candidate.prefix) in label:
                return candidate
        return plain[0] if plain else None
    return None
