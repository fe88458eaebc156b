"""Labels of stated figures, cleaned so that one figure named twice compares equal.

"其中人员 " → "人员"; "人员经费执行" → "人员经费" (context 执行); "基本支出预算" → "基本支出"
(context 预算); "2022年本局支出年初预算" → "本局支出" (context 年初预算). `match_key` drops
the generic tails 经费/资金/费用 as well, so "人员经费" and "人员" meet.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from extractor.forms.lexicon import lexicon
from extractor.text.join import squeeze

_WORDS = lexicon().labels
QIZHONG = re.compile(_WORDS.qizhong)
_BRACKETED = re.compile(r"[（(][^）)]*[）)]$")
NUMBERING = tuple((re.compile(pattern), level) for level, pattern in enumerate(_WORDS.numbering_levels, start=1))
"""List numbering patterns with their level (一、 is 1, （一） 2 …), from lexicon.yaml."""


@lru_cache(maxsize=4096)  # pure: rules compare the same labels many times
def label_key(label: str) -> str:
    """Label without whitespace, 其中, list numbering and a trailing bracketed note."""
    text = QIZHONG.sub("", squeeze(label))
    for pattern, _ in NUMBERING:
        text = pattern.sub("", text)
    return _BRACKETED.sub("", text)


CONTEXT_WORDS = tuple(_WORDS.context_words)
_YEAR_WORDS = re.compile(_WORDS.year_words)
_LEAD = re.compile(_WORDS.lead)
_TAIL = re.compile(_WORDS.tail)
_NOTE = re.compile(r"[（(][^（）()]{1,6}[）)]")
_PUNCT = re.compile(r"[\s，,。；;：:、“”\"'‘’（）()《》【】\[\]]+")
_GENERIC_TAIL = re.compile(_WORDS.generic_tail)
_COMPARATIVE = re.compile(_WORDS.comparative)
_TOTAL = re.compile(_WORDS.total)
FUZZY_LABEL = 88


@lru_cache(maxsize=8192)
def clean_label(prefix: str) -> str:
    """The words naming a stated figure, without years, connectives, verbs and punctuation.

    Remembered (a pure function of the text): a document names the same items in many sentences and cells.
    """
    text = _PUNCT.sub("", _NOTE.sub("", prefix))
    text = _YEAR_WORDS.sub("", text)
    previous = None
    while previous != text:
        previous = text
        text = _TAIL.sub("", _LEAD.sub("", text))
    return text


def context_of(label: str) -> Optional[str]:
    """Which column of a budget the label speaks of: 年初预算, 全年预算, 决算, 执行 …"""
    for word in CONTEXT_WORDS:
        if word in label:
            return word
    return None


def strip_context(label: str) -> str:
    text = label
    for word in CONTEXT_WORDS:
        if text.endswith(word) and len(text) > len(word):
            text = text[: -len(word)]
            break
    return _TAIL.sub("", text)


_CONTEXT_ONLY = re.compile(
    "^(" + "|".join([*_WORDS.context_only_before, *CONTEXT_WORDS, *_WORDS.context_only_after]) + ")+$"
)


def is_context_only(label: str) -> bool:
    """全年预算, 当年预算执行数, 支出决算: words that name a budget column but no item."""
    return bool(_CONTEXT_ONLY.match(label))


@lru_cache(maxsize=8192)
def match_key(label: str) -> str:
    """The label reduced for matching: no context word, no numbering, no generic tail."""
    text = label_key(strip_context(clean_label(label)))
    if _TOTAL.search(text):
        return text
    reduced = _GENERIC_TAIL.sub("", text)
    return reduced if len(reduced) >= 2 else text


def is_comparative(prefix: str) -> bool:
    return bool(_COMPARATIVE.search(prefix))


def is_total(label: str) -> bool:
    return bool(_TOTAL.search(clean_label(label)))


def contexts_conflict(a: Optional[str], b: Optional[str]) -> bool:
    """年初预算 against 全年预算 or 决算: two different columns of one budget."""
    if a is None or b is None:
        return False
    groups = _WORDS.context_groups
    group_a, group_b = groups.get(a), groups.get(b)
    if "budget" in (group_a, group_b):
        return "actual" in (group_a, group_b)
    return group_a != group_b


def clear_caches() -> None:
    """Forget remembered labels (benchmarks time a document's first validation)."""
    clean_label.cache_clear()
    match_key.cache_clear()
