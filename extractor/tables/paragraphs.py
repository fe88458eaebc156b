"""Narrative paragraphs from the words outside tables."""

from __future__ import annotations

from extractor.forms.lexicon import lexicon
from extractor.tables.text_lines import line_text, lines_of
from extractor.text.join import join_lines
from schemas import PageContent, ParagraphBlock, Word
from schemas.records import as_bbox

_PAGE_NUMBER = lexicon().layout_words.page_number
_LIST_MARKER = lexicon().layout_words.list_marker
MARGIN_SHARE = 0.08
"""Top and bottom share of the page where lone page numbers are running heads/feet, not text."""


def _bbox(words: list[Word]) -> tuple[float, float, float, float]:
    return (
        min(w.bbox[0] for w in words),
        min(w.bbox[1] for w in words),
        max(w.bbox[2] for w in words),
        max(w.bbox[3] for w in words),
    )


def _is_page_furniture(text: str, bbox: tuple[float, float, float, float], page: PageContent) -> bool:
    in_margin = bbox[3] < page.height * MARGIN_SHARE or bbox[1] > page.height * (1 - MARGIN_SHARE)
    return in_margin and bool(_PAGE_NUMBER.match(text))


def paragraphs_of(words: list[Word], page: PageContent) -> list[ParagraphBlock]:
    """Group lines into paragraphs: a new one after a gap, an indented start, or a short line."""
    boxed = [(line, _bbox(line)) for line in lines_of(words)]  # each line's box once: it is asked four times
    boxed = [(line, box) for line, box in boxed if not _is_page_furniture(line_text(line), box, page)]
    if not boxed:
        return []
    left = min(box[0] for _, box in boxed)
    rights = sorted(box[2] for _, box in boxed)
    right = rights[int(0.8 * (len(rights) - 1))]  # the text's right margin; a few lines overhang it
    paragraphs: list[list[list[Word]]] = []
    previous = None
    for line, box in boxed:
        height = box[3] - box[1]
        starts_new = previous is None
        if previous is not None:
            gap = box[1] - previous[3]
            prev_short = previous[2] < right - 2.5 * height
            indented = box[0] > left + 1.2 * height
            listed = bool(_LIST_MARKER.match(line_text(line)))
            starts_new = gap > 0.8 * height or indented or prev_short or listed
        if starts_new:
            paragraphs.append([line])
        else:
            paragraphs[-1].append(line)
        previous = box
    blocks = []
    for paragraph in paragraphs:
        words_in = [word for line in paragraph for word in line]
        text = join_lines([line_text(line) for line in paragraph])
        bbox = as_bbox(round(v, 2) for v in _bbox(words_in))
        blocks.append(ParagraphBlock(text=text, page=page.number, bbox=bbox))
    return blocks
