"""Words → printed lines: shared by cell text (fill.py) and paragraphs (paragraphs.py)."""

from __future__ import annotations

from schemas import Word


def lines_of(words: list[Word]) -> list[list[Word]]:
    """Group words into text lines (top to bottom), each sorted left to right."""
    lines: list[list[Word]] = []
    top = bottom = 0.0  # extent of the last line so far, kept as it grows rather than recomputed per word
    for word in sorted(words, key=lambda w: ((w.bbox[1] + w.bbox[3]) / 2, w.bbox[0])):
        middle = (word.bbox[1] + word.bbox[3]) / 2
        if lines and top <= middle <= bottom:
            lines[-1].append(word)
            top, bottom = min(top, word.bbox[1]), max(bottom, word.bbox[3])
            continue
        lines.append([word])
        top, bottom = word.bbox[1], word.bbox[3]
    return [sorted(line, key=lambda w: w.bbox[0]) for line in lines]


def line_text(line: list[Word]) -> str:
    """Words of one printed line, with the spaces that separated them."""
    return " ".join(word.text for word in line)
