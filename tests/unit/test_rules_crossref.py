"""cross_reference_mismatch scales with the lines it reads, not with their square.

Counted in comparisons (compatibility and figure checks the index makes), never in seconds.
"""

from __future__ import annotations

from extractor.rules.crossref import _between_tables
from extractor.rules.docview import DocView
from extractor.rules.facts import KeyIndex, table_facts
from schemas import ExtractionResult
from tests.rules_factories import DocumentBuilder, findings_of


def _two_tables(lines: int, *, typo_at: int | None = None) -> ExtractionResult:
    """A summary and a detail table whose lines all share one label (其他支出)."""
    doc = DocumentBuilder(kind="pdf_digital", year=2024)
    for title in ("支出决算总表", "支出决算明细表"):
        table = doc.table(title)
        table.row(["项目", "2024年决算数"])
        for index in range(lines):
            figure = f"{100 + index}.25"
            if title.endswith("明细表") and index == typo_at:
                figure = f"{100 + index}.35"
            table.row(["其他支出", figure])
    return doc.build()


def _comparisons(result: ExtractionResult) -> int:
    facts = table_facts(DocView(result))
    index = KeyIndex(facts)
    list(_between_tables(facts, index, set()))
    return index.comparisons


def test_comparisons_grow_linearly_with_lines_that_share_one_label():
    small, large = _comparisons(_two_tables(200)), _comparisons(_two_tables(800))
    assert small > 0
    # Four times the lines: linear (with a log factor for the binary search) stays far below the 16× of pairs.
    assert large <= 6 * small, (small, large)


def test_a_mistyped_line_among_lines_sharing_one_label_is_still_found():
    result = _two_tables(30, typo_at=7)
    found = findings_of(result, "cross_reference_mismatch")
    # The mistyped line is paired with the closest figure of the lines sharing its label, not the first one.
    assert [sorted((f.found, f.expected)) for f in found] == [[107.25, 107.35]]
    assert findings_of(_two_tables(30), "cross_reference_mismatch") == []
