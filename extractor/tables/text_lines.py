"""Words → printed lines: shared by cell text (fill.py) and paragraphs (paragraphs.py)."""

from __future__ import annotations

from schemas import Word


def lines_of(words: list[Word]) -> list[list[Word]]:
    """Group words into text lines (top to bottom), each sorted left to right."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: ((w.bbox[1] + w.bbox[3]) / 2, w.bbox[0])):
        middle = (word.bbox[1] + word.bbox[3]) / 2
        if lines:
            last = lines[-1]
            top = min(w.bbox[1] for w in last)
            bottom = max(w.bbox[3] for w in last)
            if top <= middle <= bottom:
                last.append(word)
                continue
        lines.append([word])
    return [sorted(line, key=lambda w: w.bbox[0]) for line in lines]


def line_text(line: list[Word]) -> str:
    """Words of one printed line, with the spaces that separated them."""
    return " ".join(word.text for word in line)
