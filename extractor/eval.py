"""Record precision/recall and field accuracy of the extractor against golden files.

    python -m extractor.eval [FILES...] [--json]          seed fixtures (default) or given files
    python -m extractor.eval --zoo [--per-family N]        the template zoo, per family × format
    python -m extractor.eval --real-forms [DIR]            the real published forms, per form

Each file is extracted, its golden.json (in the same folder) loaded, golden and extracted
records aligned per type in document order (indicators by section order + name, budget lines
by item, scores by label, fuzzy with rapidfuzz), and every golden field compared: text with
whitespace removed, numbers within 1e-6, `parent` by the label of the record it names.

Three figures are kept apart, because one number hides what matters:
- record recall = matched / expected and record precision = matched / found, per record type
  (an extra record is a precision loss, a missing one a recall loss);
- field accuracy over the informative fields of matched records: a golden field left blank and
  also blank in the output (`blank_matches`) proves nothing and is counted apart;
- `accuracy` (kept for callers of the seed tests): correct / all golden fields, blank matches and
  the fields of missing records included.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Literal, Optional

from pydantic import BaseModel, Field, computed_field
from rapidfuzz import fuzz

from schemas.records import BudgetLine, DocumentInfo, ExtractionResult, Indicator, Value

REPO_DIR = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_DIR / "fixtures" / "seeds"
SHARED_DIR_VARIABLE = "EXTRACTOR_SHARED_DIR"
"""Environment variable naming the shared corpus folder (holds real_forms/); default ../shared of the repo."""
SUFFIXES = (".pdf", ".docx", ".xlsx")
MATCH_THRESHOLD = 0.6
NUMBER_TOLERANCE = 1e-6

DOCUMENT_FIELDS = ("department", "year", "self_score", "review_score")
SECTION_FIELDS = ("kind", "project_name", "template_family", "implementing_unit")
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
    "criteria",
    "explanation",
    "parent",
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
SCORE_FIELDS = ("label", "weight", "score", "review_score", "parent")
RECORD_FIELDS = {"indicators": INDICATOR_FIELDS, "budget_lines": BUDGET_FIELDS, "scores": SCORE_FIELDS}


class FieldSet(BaseModel):
    """Which fields a golden states: the seed and zoo goldens state every SPEC field, a real form's
    careful reading only some (target/actual as printed strings, no op/value/unit)."""

    document: tuple[str, ...] = DOCUMENT_FIELDS
    sections: tuple[str, ...] = SECTION_FIELDS
    records: dict[str, tuple[str, ...]] = Field(default_factory=lambda: dict(RECORD_FIELDS))


FULL_FIELDS = FieldSet()


class Tally(BaseModel):
    correct: int = 0
    total: int = 0
    blank_matches: int = 0
    """Golden blank and output blank: correct, but proves nothing; included in correct and total."""

    @computed_field
    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 1.0

    @computed_field
    @property
    def informative_accuracy(self) -> float:
        informative = self.total - self.blank_matches
        return (self.correct - self.blank_matches) / informative if informative else 1.0

    def add(self, other: Tally) -> None:
        self.correct += other.correct
        self.total += other.total
        self.blank_matches += other.blank_matches


class RecordCount(BaseModel):
    expected: int
    found: int
    matched: int

    @computed_field
    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 1.0

    @computed_field
    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0


def matched_share(counts: dict[str, RecordCount], of: Literal["found", "expected"]) -> float:
    """Matched records over found ones (precision) or expected ones (recall); 1.0 when there are none."""
    total = sum(getattr(count, of) for count in counts.values())
    return sum(count.matched for count in counts.values()) / total if total else 1.0


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
    """document / sections / indicators / budget_lines / scores → correct and golden fields."""
    by_field: dict[str, Tally] = Field(default_factory=dict)
    """e.g. indicators.target.value → correct and golden fields."""
    misses: list[FieldMiss] = Field(default_factory=list)
    fields_correct: int = 0
    fields_total: int = 0
    blank_matches: int = 0
    accuracy: float = 0.0
    """correct / total over every golden field (blank matches and missing records included)."""
    matched_fields: Tally = Field(default_factory=Tally)
    """The fields of matched records and the document: field accuracy apart from record recall."""

    @computed_field
    @property
    def field_accuracy(self) -> float:
        """Accuracy over informative fields of matched records: blank = blank counted apart."""
        return self.matched_fields.informative_accuracy

    @computed_field
    @property
    def record_precision(self) -> float:
        """Matched / found over every record type the golden states."""
        return matched_share(self.counts, "found")

    @computed_field
    @property
    def record_recall(self) -> float:
        """Matched / expected over every record type the golden states."""
        return matched_share(self.counts, "expected")


def _field(record: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        record = getattr(record, part)
    return record


def is_blank(value: Any) -> bool:
    """Nothing stated: None, blank text, or a false flag (qualitative: false)."""
    return value is None or value is False or (isinstance(value, str) and not value.strip())


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


def _parent_labels(result: Optional[ExtractionResult]) -> dict[str, str]:
    """Score summary id → label: a `parent` is compared by what it names, ids differ between outputs."""
    return {summary.id: summary.label for summary in result.scores} if result else {}


def evaluate(result: ExtractionResult, golden: ExtractionResult, fields: FieldSet = FULL_FIELDS) -> FileScore:
    """Compare one extraction result with its golden result field by field."""
    return _score(result, golden, result.document.file, fields)


def _score(
    result: Optional[ExtractionResult], golden: ExtractionResult, file: str, fields: FieldSet = FULL_FIELDS
) -> FileScore:
    """Field-by-field comparison; `result` None (extraction failed) makes every golden field wrong."""
    score = FileScore(file=file)
    golden_parents, found_parents = _parent_labels(golden), _parent_labels(result)

    def tally(kind: str, field: str, record_id: str, expected: Any, found: Any, present: bool) -> None:
        if field == "parent":
            expected = golden_parents.get(expected, expected) if expected else None
            found = found_parents.get(found, found) if found else None
        ok = present and same(expected, found)
        blank = ok and is_blank(expected) and is_blank(found)
        buckets = [score.by_type.setdefault(kind, Tally()), score.by_field.setdefault(f"{kind}.{field}", Tally())]
        if present:
            buckets.append(score.matched_fields)
        for bucket in buckets:
            bucket.total += 1
            bucket.correct += ok
            bucket.blank_matches += blank
        if not ok:
            score.misses.append(
                FieldMiss(
                    record=record_id, field=field, expected=expected, found=found if present else "<record not found>"
                )
            )

    for field in fields.document:
        tally(
            "document",
            field,
            "document",
            getattr(golden.document, field),
            getattr(result.document, field) if result else None,
            result is not None,
        )
    if fields.sections:
        found_sections = result.sections if result else []
        for index, section in enumerate(golden.sections):
            partner = found_sections[index] if index < len(found_sections) else None
            for field in fields.sections:
                found_value = getattr(partner, field) if partner is not None else None
                tally("sections", field, section.id, getattr(section, field), found_value, partner is not None)
    for kind, names in fields.records.items():
        expected, found = getattr(golden, kind), getattr(result, kind) if result else []
        key = _KEYS[kind]
        groups = (_section_ordinals(expected), _section_ordinals(found)) if kind == "indicators" else None
        pairs = dict(align([key(r) for r in expected], [key(r) for r in found], groups))
        score.counts[kind] = RecordCount(expected=len(expected), found=len(found), matched=len(pairs))
        for index, record in enumerate(expected):
            partner = found[pairs[index]] if index in pairs else None
            for field in names:
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
    score.blank_matches = sum(t.blank_matches for t in score.by_type.values())
    score.accuracy = score.fields_correct / score.fields_total if score.fields_total else 1.0
    return score


def golden_for(path: Path) -> ExtractionResult:
    return ExtractionResult.model_validate_json((path.parent / "golden.json").read_text(encoding="utf-8"))


def _extract(path: Path) -> ExtractionResult:
    from extractor.pipeline import extract  # late: the pipeline pulls in every backend
    from schemas.options import ExtractOptions

    return extract(path, ExtractOptions(validate_records=False))


def evaluate_against(
    path: Path, golden: ExtractionResult, fields: FieldSet = FULL_FIELDS, name: Optional[str] = None
) -> FileScore:
    """Extract `path` and score it; an extraction failure scores every golden field as wrong."""
    try:
        result = _extract(path)
    except Exception as error:  # noqa: BLE001 - any failure is a result to report, not a crash
        failed = _score(None, golden, name or path.name, fields)
        return failed.model_copy(update={"error": f"{type(error).__name__}: {error}"})
    return _score(result, golden, name or path.name, fields)


def evaluate_file(path: Path) -> FileScore:
    """Extract `path` and score it against the golden.json beside it."""
    return evaluate_against(path, golden_for(path))


def default_files() -> list[Path]:
    return sorted(path for path in SEEDS_DIR.glob("*/*") if path.suffix in SUFFIXES)


# -- groups of files: the zoo per family × format, the real forms per form --------------------------


class GroupScore(BaseModel):
    """The figures of several files taken together (one family × format, or one real form)."""

    group: str
    files: int = 0
    errors: int = 0
    counts: dict[str, RecordCount] = Field(default_factory=dict)
    fields: Tally = Field(default_factory=Tally)
    """Fields of matched records and the document."""
    wrong_fields: dict[str, int] = Field(default_factory=dict)
    """kind.field → wrong fields (missing records included), to see what a group still misses."""

    @computed_field
    @property
    def record_precision(self) -> float:
        return matched_share(self.counts, "found")

    @computed_field
    @property
    def record_recall(self) -> float:
        return matched_share(self.counts, "expected")

    @computed_field
    @property
    def field_accuracy(self) -> float:
        return self.fields.informative_accuracy


def group_scores(scores: Iterable[tuple[str, FileScore]]) -> list[GroupScore]:
    groups: dict[str, GroupScore] = {}
    for name, item in scores:
        group = groups.setdefault(name, GroupScore(group=name))
        group.files += 1
        group.errors += item.error is not None
        for kind, count in item.counts.items():
            total = group.counts.setdefault(kind, RecordCount(expected=0, found=0, matched=0))
            total.expected += count.expected
            total.found += count.found
            total.matched += count.matched
        group.fields.add(item.matched_fields)
        for name, tally in item.by_field.items():
            if tally.total > tally.correct:
                group.wrong_fields[name] = group.wrong_fields.get(name, 0) + tally.total - tally.correct
    return [groups[name] for name in sorted(groups)]


def shared_dir() -> Path:
    """The shared corpus folder: $EXTRACTOR_SHARED_DIR, else ../shared beside the repository."""
    configured = os.environ.get(SHARED_DIR_VARIABLE)
    return Path(configured) if configured else REPO_DIR.parent / "shared"


def real_forms_dir() -> Path:
    return shared_dir() / "real_forms"


REAL_FORM_FIELDS = FieldSet(
    document=("department", "year", "self_score"),
    sections=(),
    records={
        "indicators": ("level1", "level2", "name", "target.raw", "actual.raw", "weight", "score"),
        "budget_lines": ("item", "initial", "adjusted", "actual", "rate"),
    },
)


def real_form_golden(path: Path) -> ExtractionResult:
    """A real form's careful reading (<key>.json) as an ExtractionResult holding only what it states."""
    data = json.loads(path.read_text(encoding="utf-8"))
    document = data.get("document") or {}
    indicators = [
        Indicator(
            id=f"i{number}",
            section="s1",
            level1=item.get("level1"),
            level2=item.get("level2"),
            name=item["name"],
            target=Value(raw=item.get("target")),
            actual=Value(raw=item.get("actual")),
            weight=item.get("weight"),
            score=item.get("score"),
        )
        for number, item in enumerate(data.get("indicators", []), 1)
    ]
    budget_lines = [
        BudgetLine(
            id=f"b{number}",
            item=line["item"],
            initial=line.get("initial"),
            adjusted=line.get("adjusted"),
            actual=line.get("actual"),
            rate=line.get("rate"),
        )
        for number, line in enumerate(data.get("budget_lines", []), 1)
    ]
    info = DocumentInfo(
        file=path.with_suffix(".pdf").name,
        sha256="",
        kind="pdf_digital",
        pages=1,
        department=document.get("department"),
        year=document.get("year"),
        self_score=document.get("self_score"),
    )
    return ExtractionResult(document=info, indicators=indicators, budget_lines=budget_lines)


def real_form_files(folder: Path) -> list[Path]:
    """Each <key>.pdf that has a careful reading <key>.json beside it."""
    return sorted(path for path in folder.glob("*.pdf") if path.with_suffix(".json").exists())


def evaluate_real_forms(folder: Path) -> list[FileScore]:
    return [
        evaluate_against(pdf, real_form_golden(pdf.with_suffix(".json")), REAL_FORM_FIELDS)
        for pdf in real_form_files(folder)
    ]


def evaluate_zoo(folder: Path) -> list[tuple[dict[str, Any], FileScore]]:
    """Every rendered file of every variant under `folder` (as fixtures.zoo writes it), with its meta.json."""
    scored = []
    for meta_path in sorted(folder.glob("*/meta.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        golden = golden_for(meta_path)
        for suffix in SUFFIXES:
            path = meta_path.parent / f"{meta['key']}{suffix}"
            if path.exists():
                scored.append(({**meta, "format": suffix.lstrip(".")}, evaluate_against(path, golden)))
    return scored


def zoo_group(meta: dict[str, Any]) -> str:
    """family × format, held-out-vocabulary variants apart."""
    return f"{meta['family']}{' (held-out)' if meta['held_out'] else ''} × {meta['format']}"


# -- printing ----------------------------------------------------------------------------------------


def _print_files(scores: list[FileScore], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for header in (
        "file",
        "indicators",
        "budget lines",
        "scores",
        "rec precision",
        "rec recall",
        "fields (informative)",
        "field acc",
        "blank=blank",
        "error",
    ):
        table.add_column(header)
    for item in scores:
        counts = [
            f"{c.matched}/{c.expected} ({c.found} found)" if (c := item.counts.get(kind)) else "-"
            for kind in RECORD_FIELDS
        ]
        informative = item.matched_fields.total - item.matched_fields.blank_matches
        table.add_row(
            item.file,
            *counts,
            f"{item.record_precision:.4f}",
            f"{item.record_recall:.4f}",
            f"{item.matched_fields.correct - item.matched_fields.blank_matches}/{informative}",
            f"{item.field_accuracy:.4f}",
            str(item.matched_fields.blank_matches),
            (item.error or "")[:50],
        )
    totals = Tally()
    for item in scores:
        totals.add(item.matched_fields)
    informative = totals.total - totals.blank_matches
    table.add_row(
        "all",
        "",
        "",
        "",
        "",
        "",
        f"{totals.correct - totals.blank_matches}/{informative}",
        f"{totals.informative_accuracy:.4f}",
        str(totals.blank_matches),
        "",
    )
    Console(width=170).print(table)


def _print_groups(groups: list[GroupScore], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for header in (
        "group",
        "files",
        "indicators m/e/f",
        "budget m/e/f",
        "scores m/e/f",
        "rec precision",
        "rec recall",
        "field acc",
        "blank=blank",
        "errors",
    ):
        table.add_column(header)
    for group in groups:
        counts = [
            f"{c.matched}/{c.expected}/{c.found}" if (c := group.counts.get(kind)) else "-" for kind in RECORD_FIELDS
        ]
        table.add_row(
            group.group,
            str(group.files),
            *counts,
            f"{group.record_precision:.4f}",
            f"{group.record_recall:.4f}",
            f"{group.field_accuracy:.4f}",
            str(group.fields.blank_matches),
            str(group.errors),
        )
    Console(width=170).print(table)


def _print_wrong_fields(groups: list[GroupScore], top: int = 6) -> None:
    for group in groups:
        worst = sorted(group.wrong_fields.items(), key=lambda item: (-item[1], item[0]))[:top]
        if worst:
            print(f"{group.group}: " + ", ".join(f"{name} {count}" for name, count in worst))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m extractor.eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="files next to a golden.json (default: all seed files)")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--zoo", action="store_true", help="generate the template zoo and score it per family × format")
    parser.add_argument("--per-family", type=int, default=9, help="zoo variants per family (default 9)")
    parser.add_argument("--zoo-dir", type=Path, help="score the variants already generated in this folder")
    parser.add_argument("--misses", action="store_true", help="with --zoo: the most often wrong fields per group")
    parser.add_argument(
        "--real-forms",
        nargs="?",
        const="",
        metavar="DIR",
        help=f"score the real published forms (default: ${SHARED_DIR_VARIABLE}/real_forms, else ../shared/real_forms)",
    )
    args = parser.parse_args(argv)
    if args.real_forms is not None:
        folder = Path(args.real_forms) if args.real_forms else real_forms_dir()
        if not real_form_files(folder):
            print(f"skipped: no real forms (<key>.pdf + <key>.json) in {folder}; set {SHARED_DIR_VARIABLE}")
            return 0
        scores = evaluate_real_forms(folder)
        if args.json:
            print("[" + ",\n".join(item.model_dump_json() for item in scores) + "]")
        else:
            _print_files(scores, f"real forms in {folder}: records matched/expected, informative field accuracy")
        return 0
    if args.zoo:
        folder = args.zoo_dir
        if folder is None:
            import tempfile

            from fixtures.zoo.run import generate  # late: only the zoo needs the fixture generator

            folder = Path(tempfile.mkdtemp(prefix="zoo-"))
            generate(folder, args.per_family)
        scored = evaluate_zoo(folder)
        groups = group_scores((zoo_group(meta), score) for meta, score in scored)
        if args.json:
            print("[" + ",\n".join(group.model_dump_json() for group in groups) + "]")
        else:
            _print_groups(groups, f"template zoo ({folder}): per family × format")
            if args.misses:
                _print_wrong_fields(groups)
        return 0
    scores = [evaluate_file(path) for path in (args.files or default_files())]
    if args.json:
        print("[" + ",\n".join(item.model_dump_json() for item in scores) + "]")
    else:
        _print_files(scores, "records matched/expected and field accuracy against golden.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
