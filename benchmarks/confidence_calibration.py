"""Does confidence mean something? Error rate per confidence band against hand-checked extractions.

    python benchmarks/confidence_calibration.py [--real ../shared/real_forms] [--seeds fixtures/seeds]

Every record field that carries a confidence is compared with the golden value (seeds: golden.json,
real forms: `<key>.json`, where target/actual are the printed text), records aligned by name / item /
label as extractor.eval does. A useful confidence puts most wrong fields under the review threshold
(extractor.review.summary.LOW_CONFIDENCE): the last line says which share of the errors it catches.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from _corpus import real_forms_dir  # benchmarks/ is not a package: its folder is on sys.path as the script's
from pydantic import BaseModel

from extractor.eval import align, same
from extractor.review.summary import LOW_CONFIDENCE
from schemas import ExtractionResult
from schemas.options import ExtractOptions

BANDS = (0.0, 0.5, 0.7, 0.8, 0.9, 0.999, 1.01)
KEYS = {"indicators": "name", "budget_lines": "item", "scores": "label"}
REPO = Path(__file__).resolve().parents[1]
REAL_FORMS = real_forms_dir()
"""$EXTRACTOR_SHARED_DIR/real_forms (default ../shared/real_forms)."""


class Band(BaseModel):
    low: float
    high: float
    fields: int = 0
    wrong: int = 0


def _text(value: Any) -> Any:
    return re.sub(r"\s+", "", value) if isinstance(value, str) else value


def _correct(expected: Any, found: Any) -> bool:
    """A golden Value is a dict (seeds) or the printed text (real forms); compare what both have."""
    if isinstance(found, dict):
        if isinstance(expected, dict):
            return all(same(expected.get(name), found.get(name)) for name in ("raw", "value", "unit", "op"))
        return _text(expected) == _text(found.get("raw")) or same(expected, found.get("value"))
    return same(expected, found)


def fields_of(result: ExtractionResult, golden: dict[str, Any]) -> list[tuple[float, bool]]:
    """(confidence, correct) for every field of an aligned record that has both a golden value and a confidence."""
    found_all = result.model_dump(mode="json")
    pairs: list[tuple[float, bool]] = []
    for kind, key in KEYS.items():
        expected, found = golden.get(kind) or [], found_all.get(kind) or []
        for i, j in align([str(r.get(key) or "") for r in expected], [str(r.get(key) or "") for r in found]):
            for field, confidence in found[j].get("confidence", {}).items():
                if field in expected[i]:
                    pairs.append((float(confidence), _correct(expected[i][field], found[j].get(field))))
    return pairs


def documents(seeds: Path, real: Path) -> list[tuple[Path, dict[str, Any]]]:
    pairs = []
    for path in sorted(seeds.glob("*/*")):
        if path.suffix in (".pdf", ".docx", ".xlsx") and (path.parent / "golden.json").is_file():
            pairs.append((path, json.loads((path.parent / "golden.json").read_text(encoding="utf-8"))))
    for path in sorted(real.glob("*.pdf")):
        if path.with_suffix(".json").is_file():
            pairs.append((path, json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))))
    return pairs


def calibrate(pairs: list[tuple[float, bool]]) -> list[Band]:
    bands = [Band(low=low, high=high) for low, high in zip(BANDS, BANDS[1:])]
    for confidence, correct in pairs:
        band = next(b for b in bands if b.low <= confidence < b.high)
        band.fields += 1
        band.wrong += not correct
    return bands


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=Path, default=REPO / "fixtures" / "seeds")
    parser.add_argument("--real", type=Path, default=REAL_FORMS)
    args = parser.parse_args()
    from extractor.pipeline import extract

    for name, folder in (
        ("seeds", (args.seeds, Path("/nonexistent"))),
        ("real forms", (Path("/nonexistent"), args.real)),
    ):
        pairs: list[tuple[float, bool]] = []
        for path, golden in documents(*folder):
            pairs += fields_of(extract(path, ExtractOptions(validate_records=False)), golden)
        bands = calibrate(pairs)
        wrong = sum(b.wrong for b in bands)
        caught = sum(b.wrong for b in bands if b.high <= LOW_CONFIDENCE)
        print(f"\n{name}: {len(pairs)} fields, {wrong} wrong")
        for band in bands:
            rate = f"{band.wrong / band.fields:.1%}" if band.fields else "—"
            print(
                f"  [{band.low:.2f}, {min(band.high, 1.0):.2f}{']' if band.high > 1 else ')'}  {band.fields:5d} fields  {band.wrong:4d} wrong  {rate}"
            )
        share = f"{caught / wrong:.0%}" if wrong else "—"
        print(f"  under {LOW_CONFIDENCE}: {caught} of {wrong} wrong fields ({share})")


if __name__ == "__main__":
    main()
