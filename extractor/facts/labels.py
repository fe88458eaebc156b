"""Labels of stated figures, cleaned so that one figure named twice compares equal.

"其中人员 " → "人员"; "人员经费执行" → "人员经费" (context 执行); "基本支出预算" → "基本支出"
(context 预算); "2022年本局支出年初预算" → "本局支出" (context 年初预算). `match_key` drops
the generic tails 经费/资金/费用 as well, so "人员经费" and "人员" meet.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from extractor.text.join import squeeze

QIZHONG = re.compile(r"^其中[：:]?")
_BRACKETED = re.compile(r"[（(][^）)]*[）)]$")
NUMBERING = (
    (re.compile(r"^[一二三四五六七八九十]+[、.．]"), 1),
    (re.compile(r"^[（(][一二三四五六七八九十]+[）)]"), 2),
    (re.compile(r"^\d+[、.．](?!\d)"), 3),
    (re.compile(r"^[（(]\d+[）)]"), 4),
    (re.compile(r"^[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]"), 5),
)


@lru_cache(maxsize=4096)  # pure: rules compare the same labels many times
def label_key(label: str) -> str:
    """Label without whitespace, 其中, list numbering and a trailing bracketed note."""
    text = QIZHONG.sub("", squeeze(label))
    for pattern, _ in NUMBERING:
        text = pattern.sub("", text)
    return _BRACKETED.sub("", text)


CONTEXT_WORDS = (
    "调整后预算",
    "全年预算",
    "年初预算",
    "预算执行",
    "实际支出",
    "实际执行",
    "决算",
    "预算",
    "执行",
    "实际",
)
_YEAR_WORDS = re.compile(r"(?:19|20)\d{2}\s*年度?|[本上去今同]年度?|年末|年初(?!预算)|全年(?!预算)|截至")
_LEAD = re.compile(
    r"^(其中[：:]?|主要用于|主要包括|包括|以及|及|和|与|另|同时|经复核|共有|共|分别为|分别|为|达|的|中|是)+"
)
_TAIL = re.compile(r"(为|达到|达|是|约|共计|共|了|已|合计为|总额为|分别为|的)+$")
_NOTE = re.compile(r"[（(][^（）()]{1,6}[）)]")
_PUNCT = re.compile(r"[\s，,。；;：:、“”\"'‘’（）()《》【】\[\]]+")
_GENERIC_TAIL = re.compile(r"(经费|资金|费用|金额|数)$")
_COMPARATIVE = re.compile(
    r"较|(?<![占对])比(?![重例率值])|同比|环比|相比|增加(?!值)|减少|增长|下降|提高|降低|增幅|降幅|上升"
)
_TOTAL = re.compile(r"(合计|总计|小计|共计|总额|总资金)$")
FUZZY_LABEL = 88


@lru_cache(maxsize=4096)  # pure: a sentence's prefixes are cleaned again by every rule that reads it
def clean_label(prefix: str) -> str:
    """The words naming a stated figure, without years, connectives, verbs and punctuation."""
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
    r"^(当年|本年|上年|全年|年初|年度|调整后|支出|当年预算|" + "|".join(CONTEXT_WORDS) + r"|数|额)+$"
)


def is_context_only(label: str) -> bool:
    """全年预算, 当年预算执行数, 支出决算: words that name a budget column but no item."""
    return bool(_CONTEXT_ONLY.match(label))


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
    groups = {
        "年初预算": "initial",
        "全年预算": "adjusted",
        "调整后预算": "adjusted",
        "决算": "actual",
        "实际支出": "actual",
        "实际执行": "actual",
        "执行": "actual",
        "预算执行": "actual",
        "实际": "actual",
        "预算": "budget",
    }
    group_a, group_b = groups.get(a), groups.get(b)
    if "budget" in (group_a, group_b):
        return "actual" in (group_a, group_b)
    return group_a != group_b
