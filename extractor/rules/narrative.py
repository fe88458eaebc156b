"""Rules over the narrative: stated sums, 较上年 changes, stated rates, units.

Figures are compared as printed (tolerance.py); a base left out of a change sentence
is recovered from the current figure and the change (B = A − C for 增加, A + C for 减少).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Optional

from extractor.facts.labels import clean_label
from extractor.facts.numbers import MONEY_SCALE, Mention, Sentence, unit_family
from extractor.facts.prose import Comparison, comparisons, direction_of, direction_word, stated_lists
from extractor.facts.tolerance import (
    Printed,
    decimals_of,
    difference,
    format_number,
    magnitude,
    ratio,
    ratio_agrees,
    same_figure,
    sum_agrees,
    sum_tolerance,
    truncated_agrees,
)
from extractor.forms.lexicon import lexicon
from extractor.rules.docview import DocView
from extractor.rules.findings import Draft, figure

_WORDS = lexicon().narrative_words
"""The lexicon's narrative words, read once (the lexicon is immutable)."""


def _labelled(mention: Mention, words: list[str]) -> bool:
    label = clean_label(mention.prefix)
    return any(word in label for word in words)


def _rate_label_text(prefix: str) -> str:
    """The cleaned label, with the particle that cleaning drops put back (完成…的 is a rate label)."""
    particle = _WORDS.rate_label_particle
    return clean_label(prefix) + particle * prefix.rstrip().endswith(particle)


def _name(mention: Mention) -> str:
    return clean_label(mention.prefix)


def _show(mention: Optional[Mention]) -> str:
    return f"{mention.value.show()}{mention.unit or ''}" if mention is not None else ""


def lists_of(view: DocView, sentence: Sentence) -> list:
    """The sentence's 其中 / 合计 lists, read once per validation."""
    return view.memo("lists", (sentence.source, sentence.index), lambda: stated_lists(sentence))


def narrative_sums(view: DocView) -> Iterator[Draft]:
    for sentence in view.sentences:
        for stated in lists_of(view, sentence):
            parts = [m.value for m in stated.parts]
            names = "、".join(f"{_name(m)}{_show(m)}" for m in stated.parts)
            computed = format_number(sum(p.value for p in parts), decimals_of(parts))
            if stated.total is not None:
                if not sum_agrees(parts, stated.total.value):
                    yield _sum_draft(
                        sentence,
                        f"正文“{names}”合计{computed}，与所写{_name(stated.total)}{_show(stated.total)}不符",
                        parts,
                        stated.total.value,
                    )
                if stated.parent is not None and not same_figure(stated.parent.value, stated.total.value):
                    yield _sum_draft(
                        sentence,
                        f"正文{_name(stated.parent)}{_show(stated.parent)}与其后所写合计{_show(stated.total)}不符",
                        [stated.total.value],
                        stated.parent.value,
                    )
            elif stated.parent is not None:
                total = stated.parent.value
                excess = sum(p.value for p in parts) - total.value
                if excess > sum_tolerance(parts, total) + 1e-9:
                    yield _sum_draft(
                        sentence,
                        f"正文{_name(stated.parent)}{_show(stated.parent)}，{stated.intro}{names}，"
                        f"各项合计{computed}，超过总数",
                        parts,
                        total,
                    )


def _sum_draft(sentence: Sentence, message: str, parts: list[Printed], total: Printed) -> Draft:
    return Draft(
        "sum_mismatch",
        "error",
        message,
        sentence.refs,
        expected=figure(sum(p.value for p in parts), decimals_of(parts)),
        found=total.value,
    )


def _base(comparison: Comparison) -> Optional[Printed]:
    """The base figure, printed or recovered from the current figure and the change."""
    if comparison.base is not None:
        return comparison.base.value
    a, c = comparison.current, comparison.change
    sign = direction_of(comparison.change_word)
    if a is None or c is None or a.unit != c.unit or sign is None:
        return None
    signed = Printed(sign * abs(c.value.value), c.value.decimals, exact=c.value.exact)
    return difference(a.value, signed)


def _direction(comparison: Comparison) -> Optional[int]:
    """+1, -1 or 0 from the printed current and base figures, None when either is missing."""
    a, b = comparison.current, comparison.base
    if a is None or b is None or a.unit != b.unit:
        return None
    gap = difference(a.value, b.value)
    return 0 if abs(gap.value) <= gap.half_unit else (1 if gap.value > 0 else -1)


def _check_change(comparison: Comparison) -> Iterator[Draft]:
    a, b, c = comparison.current, comparison.base, comparison.change
    if a is None or b is None or c is None or a.unit != b.unit or c.unit != a.unit:
        return
    gap = difference(a.value, b.value)
    stated = magnitude(c.value)
    if not same_figure(magnitude(gap), stated):
        word = direction_word(1 if gap.value >= 0 else -1)
        yield Draft(
            "sum_mismatch",
            "error",
            f"正文{_show(a)}较{_show(b)}应{word}{magnitude(gap).show()}，所写{comparison.change_word}{_show(c)}不符",
            comparison.sentence.refs,
            expected=figure(abs(gap.value), gap.decimals),
            found=c.value.value,
        )


def _check_direction(comparison: Comparison) -> Iterator[Draft]:
    a, b, c, d = comparison.current, comparison.base, comparison.change, comparison.rate
    sign = _direction(comparison)
    where = comparison.sentence.refs
    for word, mention in ((comparison.change_word, c), (comparison.rate_word, d), (comparison.trailing_word, None)):
        stated = direction_of(word)
        if stated is None:
            continue
        if sign:
            if stated != sign:
                shown = _show(mention) if mention is not None else ""
                yield Draft(
                    "direction_mismatch",
                    "error",
                    f"正文{_show(a)}较{_show(b)}为{direction_word(sign)}，却写“{word}{shown}”",
                    where,
                    expected=direction_word(sign),
                    found=word,
                )
                return
        elif word == comparison.rate_word and direction_of(comparison.change_word) not in (None, stated):
            yield Draft(
                "direction_mismatch",
                "error",
                f"正文先写“{comparison.change_word}{_show(c) if c else ''}”，又写“{word}{_show(d) if d else ''}”",
                where,
                expected=comparison.change_word,
                found=word,
            )
            return


def _check_rate(comparison: Comparison) -> Iterator[Draft]:
    a, b, c, d = comparison.current, comparison.base, comparison.change, comparison.rate
    base = _base(comparison)
    if d is None or base is None or base.value == 0:
        return
    if a is not None and b is not None and a.unit == b.unit:
        change = magnitude(difference(a.value, b.value))
    elif c is not None:
        change = magnitude(c.value)
    else:
        return
    base = magnitude(base)
    rate = magnitude(d.value)
    if ratio_agrees(change, base, rate):
        return
    expected = ratio(change, base)
    truncated = truncated_agrees(change, base, rate)
    yield Draft(
        "rate_mismatch",
        "info" if truncated else "error",
        f"正文{comparison.rate_word}{_show(d)}，按变动{change.show()} ÷ 基数{base.show()}应为{expected:.2f}%"
        + ("（截尾而非四舍五入）" if truncated else ""),
        comparison.sentence.refs,
        expected=figure(expected, 2),
        found=d.value.value,
    )


def _check_comparison(comparison: Comparison) -> Iterator[Draft]:
    yield from _check_change(comparison)
    yield from _check_direction(comparison)
    yield from _check_rate(comparison)


def narrative_changes(view: DocView) -> Iterator[Draft]:
    previous: Optional[Sentence] = None
    for sentence in view.sentences:
        for comparison in comparisons(sentence, previous):
            yield from _check_comparison(comparison)
        yield from _verdicts(sentence, previous)
        previous = sentence


def _verdicts(sentence: Sentence, previous: Optional[Sentence]) -> Iterator[Draft]:
    """决算数大于预算数 against the 年初预算 and 决算 figures printed just before."""
    match = _WORDS.verdict.search(sentence.text)
    if match is None:
        return
    pool = [
        m
        for s in (previous, sentence)
        if s is not None
        for m in s.mentions
        if m.unit in MONEY_SCALE and m.start < (match.start() if s is sentence else 10**9)
    ]
    budget = next((m for m in reversed(pool) if _labelled(m, _WORDS.verdict_budget_words)), None)
    actual = next((m for m in reversed(pool) if _labelled(m, _WORDS.verdict_actual_words)), None)
    if budget is None or actual is None or budget is actual:
        return
    word = match.group(1)
    difference = actual.value.value - budget.value.value
    close = abs(difference) <= actual.value.half_unit + budget.value.half_unit
    truth = _WORDS.verdict_equal if close else (_WORDS.verdict_greater if difference > 0 else _WORDS.verdict_less)
    stated = _WORDS.verdict_synonyms.get(word, word)
    if _WORDS.verdict_level in stated:
        agrees = abs(difference) <= 0.05 * abs(budget.value.value)
    else:
        agrees = stated == truth
    if not agrees:
        yield Draft(
            "direction_mismatch",
            "error",
            f"正文写“决算数{word}预算数”，但决算{_show(actual)}{truth}预算{_show(budget)}",
            sentence.refs,
            expected=truth,
            found=word,
        )


def _ratio_candidates(view: DocView, sentence: Sentence, previous: Optional[Sentence], rate: Mention) -> list[Mention]:
    listed = {
        id(m) for s in (previous, sentence) if s is not None for stated in lists_of(view, s) for m in stated.parts
    }
    pool = [m for m in sentence.mentions if m.end <= rate.start]
    if len([m for m in pool if m.unit not in (None, "%")]) < 2 and previous is not None:
        pool = previous.mentions + pool
    return [
        m
        for m in pool
        if m.unit not in (None, "%") and id(m) not in listed and not _WORDS.compared_figure.search(m.prefix)
    ]


def narrative_rates(view: DocView) -> Iterator[Draft]:
    previous: Optional[Sentence] = None
    for sentence in view.sentences:
        for stated in lists_of(view, sentence):
            yield from _shares(stated)
        for mention in sentence.mentions:
            if (
                mention.unit in ("%", _WORDS.multiple_unit)
                and _WORDS.rate_label.search(_rate_label_text(mention.prefix))
                and not _WORDS.not_a_stated_rate.search(mention.prefix)
            ):
                yield from _stated_rate(view, sentence, previous, mention)
        previous = sentence


def _shares(stated) -> Iterator[Draft]:
    base = stated.total.value if stated.total is not None else (stated.parent.value if stated.parent else None)
    if base is None:
        return
    for index, share in stated.shares.items():
        part = stated.parts[index]
        if not ratio_agrees(part.value, base, share.value):
            expected = ratio(part.value, base)
            yield Draft(
                "rate_mismatch",
                "error",
                f"正文{_name(part)}{_show(part)}“占{_show(share)}”，按{part.value.show()} ÷ {base.show()}应为{expected:.2f}%",
                stated.sentence.refs,
                expected=figure(expected, 2),
                found=share.value.value,
            )


def _stated_rate(view: DocView, sentence: Sentence, previous: Optional[Sentence], rate: Mention) -> Iterator[Draft]:
    scale = 1.0 if rate.unit == _WORDS.multiple_unit else 100.0
    pool = _ratio_candidates(view, sentence, previous, rate)
    pairs = [(x, y) for i, x in enumerate(pool) for y in pool[i + 1 :] if unit_family(x.unit) == unit_family(y.unit)]
    if not pairs:
        return
    for x, y in pairs:
        if ratio_agrees(y.value, x.value, rate.value, scale) or ratio_agrees(x.value, y.value, rate.value, scale):
            return
    semantic = [
        (den, num)
        for x, y in pairs
        for den, num in ((x, y), (y, x))
        if _WORDS.rate_denominator.search(clean_label(den.prefix))
        and _WORDS.rate_numerator.search(clean_label(num.prefix))
        and not _WORDS.rate_denominator.search(clean_label(num.prefix))
    ]
    if not semantic:
        return
    den, num = semantic[-1]
    expected = ratio(num.value, den.value, scale)
    if expected is None:
        return
    truncated = truncated_agrees(num.value, den.value, rate.value, scale)
    suffix = "%" if scale == 100 else _WORDS.multiple_unit
    yield Draft(
        "rate_mismatch",
        "info" if truncated else "error",
        f"正文{clean_label(rate.prefix)}{_show(rate)}，按{_name(num)}{_show(num)} ÷ {_name(den)}{_show(den)}"
        f"应为{expected:.2f}{suffix}" + ("（截尾而非四舍五入）" if truncated else ""),
        sentence.refs,
        expected=figure(expected, 2),
        found=rate.value.value,
    )


def unit_mismatches(view: DocView) -> Iterator[Draft]:
    """An amount in 元 whose number is printed as 万元 elsewhere (381.58 元 beside 381.58 万元)."""
    # the units of 10⁴ 元 (万元, 万) and of 元 itself, by their scale (lexicon money_scale)
    wan_units = [unit for unit, scale in MONEY_SCALE.items() if scale == 10_000]
    yuan_units = [unit for unit, scale in MONEY_SCALE.items() if scale == 1]
    wan: dict[str, tuple[Sentence, Mention]] = {}
    for sentence in view.sentences:
        for mention in sentence.mentions:
            if mention.unit in wan_units and mention.value.value != 0:
                wan.setdefault(mention.value.show(), (sentence, mention))
    for sentence in view.sentences:
        for mention in sentence.mentions:
            if mention.unit not in yuan_units or mention.value.value == 0 or mention.value.show() not in wan:
                continue
            other_sentence, other = wan[mention.value.show()]
            refs = tuple(dict.fromkeys((*sentence.refs, *other_sentence.refs)))
            yield Draft(
                "unit_mismatch",
                "error",
                f"正文{_name(mention)}写作{mention.value.show()}元，而同一金额在{_name(other)}处为"
                f"{other.value.show()}万元，单位应为万元",
                refs,
                expected=wan_units[0],
                found=mention.unit,
            )
