"""Does confidence mean something? Error rate per confidence band, per corpus, against hand-checked readings.

    python benchmarks/confidence_calibration.py [--corpus seeds|zoo|real] [--zoo-dir DIR | --per-family N]
                                                [--real DIR] [--misses]

Corpora: the seed goldens (fixtures/seeds/*/golden.json), the template zoo (`python -m fixtures.zoo`;
generated into a temporary folder unless --zoo-dir names one already generated; every third variant
prints held-out header spellings, so the reader makes real mistakes there) and the real published forms
(`$EXTRACTOR_SHARED_DIR/real_forms`, `<key>.json`, target/actual as printed text).

Every record field that carries a confidence is compared with the golden value, records aligned as
extractor.eval aligns them (indicators by name within a section, budget lines by item, scores by label).
A field counts as wrong when any part the golden states differs (a target is wrong when its raw, op,
value, unit or qualitative flag is). The review threshold is extractor.review.summary.LOW_CONFIDENCE:
per corpus the last lines say how many of the wrong fields fall under it (errors caught) and how many
fields it flags in all (the reviewer's cost). `--misses` lists every wrong field with its confidence
and the doubts the reader recorded.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Optional

from pydantic import BaseModel

from extractor.confidence import FieldReading, assess
from extractor.eval import (
    _KEYS,
    FULL_FIELDS,
    REAL_FORM_FIELDS,
    SEEDS_DIR,
    SUFFIXES,
    FieldSet,
    _field,
    _parent_labels,
    _section_ordinals,
    align,
    golden_for,
    real_form_files,
    real_form_golden,
    real_forms_dir,
    same,
)
from extractor.review.summary import LOW_CONFIDENCE
from schemas import ExtractionResult
from schemas.options import ExtractOptions

BANDS = (0.0, 0.5, 0.7, 0.8, 0.9, 0.999, 1.01)


class Outcome(BaseModel):
    """One field of one aligned record: its confidence and whether it equals the golden value."""

    file: str
    record: str
    field: str
    confidence: float
    correct: bool
    expected: Any = None
    found: Any = None
    doubts: list[str] = []
    missed: bool = False
    """A wrong field that has no confidence (not read from a cell: left blank, or derived like a
    parent): `confidence` is then the lowest of the record's fields, the flag a reviewer sees on that row."""


class Band(BaseModel):
    low: float
    high: float
    fields: int = 0
    wrong: int = 0


def _parts(names: Iterable[str], field: str) -> list[str]:
    """The golden's stated parts of one confidence field: `target` → target.raw, target.value, …"""
    return [name for name in names if name == field or name.startswith(f"{field}.")]


def outcomes(result: ExtractionResult, golden: ExtractionResult, fields: FieldSet, file: str) -> list[Outcome]:
    """(confidence, correct) for every field of an aligned record that the golden states and that has a confidence."""
    golden_parents, found_parents = _parent_labels(golden), _parent_labels(result)
    assessed = assess(result)
    found_all: list[Outcome] = []
    for kind, names in fields.records.items():
        expected, found = getattr(golden, kind), getattr(result, kind)
        key = _KEYS[kind]
        groups = (_section_ordinals(expected), _section_ordinals(found)) if kind == "indicators" else None
        for i, j in align([key(r) for r in expected], [key(r) for r in found], groups):
            want, got = expected[i], found[j]
            lowest = min(got.confidence.values(), default=1.0)
            fields = {part.split(".")[0] for part in names}
            for field in sorted(fields | set(got.confidence)):
                parts = _parts(names, field)
                if not parts:
                    continue
                pairs = [(_field(want, part), _field(got, part)) for part in parts]
                if field == "parent":
                    pairs = [
                        (golden_parents.get(a, a) if a else None, found_parents.get(b, b) if b else None)
                        for a, b in pairs
                    ]
                correct = all(same(a, b) for a, b in pairs)
                missed = field not in got.confidence
                if missed and correct:
                    continue  # a field read from no cell and right (a blank, a carried parent): nothing to flag
                reading = assessed.get(got.id, {}).get(field)
                found_all.append(
                    Outcome(
                        file=file,
                        record=f"{kind}:{key(got)}",
                        field=field,
                        confidence=lowest if missed else float(got.confidence[field]),
                        correct=correct,
                        expected=[a for a, _ in pairs] if len(pairs) > 1 else pairs[0][0],
                        found=[b for _, b in pairs] if len(pairs) > 1 else pairs[0][1],
                        doubts=_reasons(reading),
                        missed=missed,
                    )
                )
    return found_all


def _reasons(reading: Optional[FieldReading]) -> list[str]:
    """The doubts of a field and, where the role was not an exact header, how the role was known."""
    if reading is None:
        return []
    role = reading.role.split(":", 1)[0] + ("~" if reading.role.endswith("~") else "") if reading.role else None
    return [d.kind for d in reading.doubts] + ([f"role:{role}"] if role and role != "lexicon" else [])


def calibrate(pairs: Iterable[Outcome]) -> list[Band]:
    bands = [Band(low=low, high=high) for low, high in zip(BANDS, BANDS[1:])]
    for item in pairs:
        band = next(b for b in bands if b.low <= item.confidence < b.high)
        band.fields += 1
        band.wrong += not item.correct
    return bands


def _read(path: Path) -> ExtractionResult:
    from extractor.pipeline import extract  # late: the pipeline pulls in every backend

    return extract(path, ExtractOptions(validate_records=False))


def seed_outcomes(folder: Path) -> list[Outcome]:
    found: list[Outcome] = []
    for path in sorted(folder.glob("*/*")):
        if path.suffix in SUFFIXES and (path.parent / "golden.json").is_file():
            found += outcomes(_read(path), golden_for(path), FULL_FIELDS, f"{path.parent.name}/{path.name}")
    return found


def zoo_outcomes(folder: Path) -> list[Outcome]:
    found: list[Outcome] = []
    for golden_path in sorted(folder.glob("*/golden.json")):
        golden = golden_for(golden_path)
        for suffix in SUFFIXES:
            path = golden_path.parent / f"{golden_path.parent.name}{suffix}"
            if path.is_file():
                found += outcomes(_read(path), golden, FULL_FIELDS, f"{golden_path.parent.name}/{path.name}")
    return found


def real_outcomes(folder: Path) -> list[Outcome]:
    return [
        item
        for pdf in real_form_files(folder)
        for item in outcomes(_read(pdf), real_form_golden(pdf.with_suffix(".json")), REAL_FORM_FIELDS, pdf.name)
    ]


def report(name: str, found: list[Outcome], misses: bool = False) -> None:
    bands = calibrate(found)
    wrong = sum(b.wrong for b in bands)
    caught = sum(1 for item in found if not item.correct and item.confidence < LOW_CONFIDENCE)
    read = [item for item in found if not item.missed]
    flagged = sum(1 for item in read if item.confidence < LOW_CONFIDENCE)
    missed = [item for item in found if item.missed]
    print(f"\n{name}: {len(read)} fields read, {sum(not i.correct for i in read)} wrong; {len(missed)} not read")
    for band in bands:
        rate = f"{band.wrong / band.fields:6.1%}" if band.fields else "     —"
        bracket = "]" if band.high > 1 else ")"
        print(
            f"  [{band.low:.2f}, {min(band.high, 1.0):.2f}{bracket}  {band.fields:6d} fields  {band.wrong:5d} wrong  {rate}"
        )
    share = f"{caught / wrong:.0%}" if wrong else "—"
    print(f"  errors caught under {LOW_CONFIDENCE}: {caught} of {wrong} ({share})")
    rate = f"{(flagged - caught) / flagged:.0%}" if flagged else "—"
    print(f"  fields flagged under {LOW_CONFIDENCE}: {flagged} of {len(read)} read ({rate} of them right)")
    reasons: dict[str, list[int]] = {}
    for item in read:
        for reason in item.doubts:
            tally = reasons.setdefault(reason, [0, 0, 0])
            tally[0] += 1
            tally[1] += not item.correct
            tally[2] += item.confidence < LOW_CONFIDENCE
    for reason, (count, wrong_count, under) in sorted(reasons.items()):
        print(f"    {reason:16s} {count:6d} fields  {wrong_count:4d} wrong  {under:6d} under {LOW_CONFIDENCE}")
    if misses:
        for item in sorted(found, key=lambda o: (o.confidence, o.file)):
            if not item.correct:
                print(
                    f"    {item.confidence:.3f}{' missed' if item.missed else ''} {item.file} {item.record} {item.field}: "
                    f"expected {item.expected!r} found {item.found!r} {item.doubts}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", action="append", choices=("seeds", "zoo", "real"))
    parser.add_argument("--seeds", type=Path, default=SEEDS_DIR)
    parser.add_argument("--zoo-dir", type=Path, help="zoo variants already generated (python -m fixtures.zoo --out)")
    parser.add_argument("--per-family", type=int, default=9, help="zoo variants per family when generating")
    parser.add_argument(
        "--real", type=Path, default=None, help="real forms (default: $EXTRACTOR_SHARED_DIR/real_forms)"
    )
    parser.add_argument("--misses", action="store_true", help="list every wrong field")
    args = parser.parse_args()
    corpora = args.corpus or ["seeds", "zoo", "real"]
    if "seeds" in corpora:
        report("seeds", seed_outcomes(args.seeds), args.misses)
    if "zoo" in corpora:
        folder = args.zoo_dir
        if folder is None:
            from fixtures.zoo.run import generate  # late: only the zoo needs the fixture generator

            folder = Path(tempfile.mkdtemp(prefix="zoo-"))
            generate(folder, args.per_family)
        report(f"template zoo ({folder})", zoo_outcomes(folder), args.misses)
    if "real" in corpora:
        real = args.real or real_forms_dir()
        if real_form_files(real):
            report(f"real forms ({real})", real_outcomes(real), args.misses)
        else:
            print(f"\nreal forms: skipped, no <key>.pdf + <key>.json in {real}")


if __name__ == "__main__":
    main()
