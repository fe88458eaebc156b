"""Field accuracy of the extractor against the seed golden files.

    python -m extractor.eval [FILES...] [--json]

Each file is extracted, its golden.json (in the same folder) loaded, golden and extracted
records aligned per type in document order (indicators by section order + name, budget lines
by item, scores by label, fuzzy with rapidfuzz), and every golden field compared: text with
whitespace removed, numbers within 1e-6. Accuracy = correct fields / golden fields; a golden
record with no partner counts all its fields as wrong, extra records cost nothing (they are
reported as `found` above `expected`).
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Optional

from pydantic import BaseModel, Field, computed_field
from rapidfuzz import fuzz

from schemas.records import ExtractionResult

SEEDS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"
SUFFIXES = (".pdf", ".docx", ".xlsx")
MATCH_THRESHOLD = 0.6
NUMBER_TOLERANCE = 1e-6

DOCUMENT_FIELDS = ("department", "year", "self_score", "review_score")
VALUE_FIELDS = ("raw", "op", "value", "unit", "qualitative")
INDICATOR_FIELDS = (
    "level1",
    "level2",
    "name",
    *(f"target.{name}" for name in VALUE_FIELDS),
    *(f"actual.{name}" for name in VALUE_FIELDS),
    "weight",
    "score",
    "review_score",
    "description",
    "deviation_reason",
)
BUDGET_FIELDS = (
    "item",
    "initial",
    "adjustment",
    "adjusted",
    "actual",
    "rate",
    "unit",
    "weight",
    "score",
    "review_score",
)
SCORE_FIELDS = ("label", "weight", "score", "review_score")
RECORD_FIELDS = {"indicators": INDICATOR_FIELDS, "budget_lines": BUDGET_FIELDS, "scores": SCORE_FIELDS}


class Tally(BaseModel):
    correct: int = 0
    total: int = 0

    # mypy rejects decorators on top of @property; pydantic documents this ignore for computed_field.
    @computed_field  # type: ignore[prop-decorator]
    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 1.0


class RecordCount(BaseModel):
    expected: int
    found: int
    matched: int


class FieldMiss(BaseModel):
    record: str
    """Golden record id (or `document`)."""
    field: str
    expected: Any = None
    found: Any = None


class FileScore(BaseModel):
    file: str
    error: Optional[str] = None
    counts: dict[str, RecordCount] = Field(default_factory=dict)
    by_type: dict[str, Tally] = Field(default_factory=dict)
    """document / indicators / budget_lines / scores → correct and golden fields."""
    by_field: dict[str, Tally] = Field(default_factory=dict)
    """e.g. indicators.target.value → correct and golden fields."""
    misses: list[FieldMiss] = Field(default_factory=list)
    fields_correct: int = 0
    fields_total: int = 0
    accuracy: float = 0.0


def _field(record: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        record = getattr(record, part)
    return record


def same(expected: Any, found: Any) -> bool:
    """Text equal without whitespace (blank = None), numbers within 1e-6, everything else exactly."""
    if isinstance(expected, str) or isinstance(found, str):

        def squeeze(text: Any) -> Any:
            return (re.sub(r"\s+", "", text) or None) if isinstance(text, str) else text

        return squeeze(expected) == squeeze(found)
    if isinstance(expected, bool) or isinstance(found, bool):
        return expected is found
    if isinstance(expected, (int, float)) and isinstance(found, (int, float)):
        return math.isclose(expected, found, rel_tol=0.0, abs_tol=NUMBER_TOLERANCE)
    return expected == found


def align(
    golden: Sequence[str], found: Sequence[str], groups: tuple[Sequence[int], Sequence[int]] | None = None
) -> list[tuple[int, int]]:
    """Order-preserving pairing that maximises total name similarity (pairs below the threshold excluded).

    `groups` optionally restricts pairs to records in the same group (the section ordinal).
    """

    def similarity(i: int, j: int) -> float:
        if groups and groups[0][i] != groups[1][j]:
            return 0.0
        a, b = re.sub(r"\s+", "", golden[i]), re.sub(r"\s+", "", found[j])
        score = 1.0 if a == b else fuzz.ratio(a, b) / 100
        return score if score >= MATCH_THRESHOLD else 0.0

    rows, cols = len(golden), len(found)
    best = [[0.0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        for j in range(cols - 1, -1, -1):
            pair = similarity(i, j)
            best[i][j] = max(best[i + 1][j], best[i][j + 1], (pair + best[i + 1][j + 1]) if pair else 0.0)
    pairs, i, j = [], 0, 0
    while i < rows and j < cols:
        pair = similarity(i, j)
        if pair and math.isclose(best[i][j], pair + best[i + 1][j + 1]):
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif math.isclose(best[i][j], best[i + 1][j]):
            i += 1
        else:
            j += 1
    return pairs


def _section_ordinals(records: Sequence[Any]) -> list[int]:
    """Each record's section as the order in which sections first appear among these records."""
    order: dict[Any, int] = {}
    return [order.setdefault(record.section, len(order)) for record in records]


_KEYS: dict[str, Callable[[Any], str]] = {
    "indicators": lambda record: record.name,
    "budget_lines": lambda record: record.item,
    "scores": lambda record: record.label,
}


def evaluate(result: ExtractionResult, golden: ExtractionResult) -> FileScore:
    """Compare one extraction result with its golden result field by field."""
    return _score(result, golden, result.document.file)


def _score(result: Optional[ExtractionResult], golden: ExtractionResult, file: str) -> FileScore:
    """Field-by-field comparison; `result` None (extraction failed) makes every golden field wrong."""
    score = FileScore(file=file)

    def tally(kind: str, field: str, record_id: str, expected: Any, found: Any, present: bool) -> None:
        ok = present and same(expected, found)
        for bucket in (score.by_type.setdefault(kind, Tally()), score.by_field.setdefault(f"{kind}.{field}", Tally())):
            bucket.total += 1
            bucket.correct += ok
        if not ok:
            score.misses.append(
                FieldMiss(
                    record=record_id, field=field, expected=expected, found=found if present else "<record not found>"
                )
            )

    for field in DOCUMENT_FIELDS:
        tally(
            "document",
            field,
            "document",
            getattr(golden.document, field),
            getattr(result.document, field) if result else None,
            result is not None,
        )
    for kind, fields in RECORD_FIELDS.items():
        expected, found = getattr(golden, kind), getattr(result, kind) if result else []
        key = _KEYS[kind]
        groups = (_section_ordinals(expected), _section_ordinals(found)) if kind == "indicators" else None
        pairs = dict(align([key(r) for r in expected], [key(r) for r in found], groups))
        score.counts[kind] = RecordCount(expected=len(expected), found=len(found), matched=len(pairs))
        for index, record in enumerate(expected):
            partner = found[pairs[index]] if index in pairs else None
            for field in fields:
                tally(
                    kind,
                    field,
                    record.id,
                    _field(record, field),
                    _field(partner, field) if partner is not None else None,
                    partner is not None,
                )
    score.fields_total = sum(t.total for t in score.by_type.values())
    score.fields_correct = sum(t.correct for t in score.by_type.values())
    score.accuracy = score.fields_correct / score.fields_total if score.fields_total else 1.0
    return score


def golden_for(path: Path) -> ExtractionResult:
    return ExtractionResult.model_validate_json((path.parent / "golden.json").read_text(encoding="utf-8"))


def evaluate_file(path: Path) -> FileScore:
    """Extract `path` and score it; an extraction failure scores every golden field as wrong."""
    golden = golden_for(path)
    try:
        from extractor.pipeline import extract  # late: the pipeline pulls in every backend
        from schemas.options import ExtractOptions

        result = extract(path, ExtractOptions(validate_records=False))
    except Exception as error:  # noqa: BLE001 - any failure is a result to report, not a crash
        return _score(None, golden, path.name).model_copy(update={"error": f"{type(error).__name__}: {error}"})
    return _score(result, golden, path.name)


def default_files() -> list[Path]:
    return sorted(path for path in SEEDS_DIR.glob("*/*") if path.suffix in SUFFIXES)


def _print_table(scores: list[FileScore]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="records matched/expected and field accuracy against golden.json")
    for header in ("file", "indicators", "budget lines", "scores", "fields", "accuracy", "error"):
        table.add_column(header)
    for item in scores:
        counts = [
            f"{c.matched}/{c.expected} ({c.found} found)" if (c := item.counts.get(kind)) else "-"
            for kind in RECORD_FIELDS
        ]
        table.add_row(
            item.file,
            *counts,
            f"{item.fields_correct}/{item.fields_total}",
            f"{item.accuracy:.4f}",
            (item.error or "")[:50],
        )
    correct = sum(item.fields_correct for item in scores)
    total = sum(item.fields_total for item in scores)
    table.add_row("all", "", "", "", f"{correct}/{total}", f"{correct / total:.4f}" if total else "-", "")
    Console(width=150).print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m extractor.eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="files next to a golden.json (default: all seed files)")
    parser.add_argument("--json", action="store_true", help="print the FileScore objects as a JSON list")
    args = parser.parse_args(argv)
    scores = [evaluate_file(path) for path in (args.files or default_files())]
    if args.json:
        print("[" + ",\n".join(item.model_dump_json() for item in scores) + "]")
    else:
        _print_table(scores)
    return 0


if __name__ == "__main__":
    sys.exit(main())
