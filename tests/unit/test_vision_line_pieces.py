"""Recognised lines outside ruled tables, prepared for the alignment engine: cut at column gaps, kept to
their ink, and put back together where a cut fell beside a full-width punctuation mark."""

from __future__ import annotations

import numpy as np

from extractor.vision.page_text import inked_sides, rejoin_at_punctuation, split_at_column_gaps, wide_punctuation


def _ink(width: int, height: int, runs: list[tuple[int, int]], top: int = 4, bottom: int = 16) -> np.ndarray:
    """A line's ink mask: solid strokes over the given x ranges, between `top` and `bottom`."""
    ink = np.zeros((height, width), dtype=np.uint8)
    for x0, x1 in runs:
        ink[top:bottom, x0:x1] = 255
    return ink


def test_a_gap_of_two_thirds_of_the_ink_height_cuts_the_line_whatever_the_box_margin() -> None:
    # Ink 12 px high inside a 20 px box: a 9 px gap is three quarters of the ink height, under half the box.
    ink = _ink(120, 20, [(2, 40), (49, 90)])
    assert split_at_column_gaps([(0, 0, 100, 20)], ink) == [[(2, 0, 40, 20), (49, 0, 90, 20)]]


def test_a_gap_between_characters_does_not_cut() -> None:
    ink = _ink(120, 20, [(2, 40), (46, 90)])  # 6 px blank: half the ink height (a punctuation mark's blank)
    assert split_at_column_gaps([(0, 0, 100, 20)], ink) == [[(0, 0, 100, 20)]]


def test_a_box_is_narrowed_to_its_ink_but_keeps_its_height() -> None:
    ink = _ink(120, 20, [(10, 60)])
    assert inked_sides((4, 0, 70, 20), ink) == (10, 0, 60, 20)
    assert inked_sides((80, 0, 100, 20), ink) == (80, 0, 100, 20)  # no ink: unchanged


def test_full_width_punctuation_is_recognised_as_such() -> None:
    assert all(wide_punctuation(mark) for mark in "，。、；：《》（）【】“”")
    assert not any(wide_punctuation(mark) for mark in ",.;:()%-中9")


def test_pieces_cut_beside_a_full_width_mark_are_one_word_again() -> None:
    pieces = [[(0, 0, 40, 20), (46, 0, 80, 20), (86, 0, 120, 20)], [(0, 30, 30, 50), (60, 30, 90, 50)]]
    readings = [("《办法》", 0.9), ("（桂人社发", 0.8), ("35号", 0.95), ("指标得", 0.9), ("完成情况", 0.9)]
    assert rejoin_at_punctuation(pieces, readings) == [
        ((0, 0, 80, 20), "《办法》（桂人社发", 0.8),
        ((86, 0, 120, 20), "35号", 0.95),
        ((0, 30, 30, 50), "指标得", 0.9),  # two cells' texts, no mark beside the gap: stay apart
        ((60, 30, 90, 50), "完成情况", 0.9),
    ]
