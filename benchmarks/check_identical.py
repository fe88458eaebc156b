"""Byte-identical output check for speed work: save every result, change the code, compare.

    PYTHONPATH=<old tree> python benchmarks/check_identical.py save out/before
    PYTHONPATH=$PWD       python benchmarks/check_identical.py compare out/before

Reads every fixture seed (PDF, DOCX, XLSX), every file of ../shared/real, every PDF of
../shared/real_forms, the zoo variants generated into out/zoo (`python -m fixtures.zoo --per-family 2`)
and the seeds printed without vertical rules or without any in out/unruled (`render_pdf(load_source(seed),
path, ruling)` with ruling horizontal and none, path out/unruled/<seed>.<ruling>.pdf: the alignment
engine's input; a missing folder adds nothing) with `extract()` of the tree on PYTHONPATH, writes
`model_dump_json()` per file, and on `compare` names each file whose JSON differs (exit 1). `--scans` adds scanned copies (fixtures.scans, cached in the
repository's git-ignored .cache/scans): each seed in one style (000 skewed200, 001 rotated150,
002 clean300 — the three styles the e2e tests use) and every real form as skewed200; the OCR path
is slow (minutes), so it is asked for, as when a dependency of the scanned reader changes.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _corpus import ROOT, real_dir, real_forms_dir  # noqa: E402  (benchmarks/ is not a package)

SUFFIXES = {".pdf", ".docx", ".xlsx", ".xls"}
SEED_SCANS = {"000": "skewed200", "001": "rotated150", "002": "clean300"}
"""One style per seed, as tests/e2e/test_scans_e2e.py reads them: every style once, 18 pages."""
FORM_SCAN_STYLE = "skewed200"


def corpus(scans: bool = False) -> list[Path]:
    seeds = sorted(p for p in (ROOT / "fixtures" / "seeds").glob("*/*") if p.suffix in SUFFIXES)
    real = sorted(p for p in real_dir().glob("*") if p.suffix in SUFFIXES)
    forms = sorted(real_forms_dir().glob("*.pdf"))
    zoo = sorted(p for p in (ROOT / "out" / "zoo").glob("*/*") if p.suffix in SUFFIXES)
    unruled = sorted((ROOT / "out" / "unruled").glob("*.pdf"))
    return seeds + real + forms + zoo + unruled + (scanned(forms) if scans else [])


def scanned(forms: list[Path]) -> list[Path]:
    """Scans made once into the cache (deterministic: same source, style and render version, same bytes)."""
    from fixtures.scans import cached_scan, seed_scan

    return [seed_scan(seed, style) for seed, style in SEED_SCANS.items()] + [
        cached_scan(form, FORM_SCAN_STYLE) for form in forms
    ]


def result_json(path: Path) -> str:
    from extractor.errors import InputError
    from extractor.pipeline import extract

    try:
        return extract(path).model_dump_json(indent=1)
    except InputError as error:
        return f"InputError: {error}"


def _name(path: Path) -> str:
    """A flat file name that stays unique across folders (seeds share names like golden.json)."""
    tag = hashlib.sha1(str(path.relative_to(path.parents[1])).encode()).hexdigest()[:8]
    return f"{path.name}.{tag}.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("save", "compare"))
    parser.add_argument("directory", type=Path)
    parser.add_argument("--scans", action="store_true", help="also scanned copies of seeds and real forms (slow)")
    args = parser.parse_args()
    args.directory.mkdir(parents=True, exist_ok=True)
    differing = []
    files = corpus(args.scans)
    for path in files:
        text = result_json(path)
        target = args.directory / _name(path)
        if args.mode == "save":
            target.write_text(text, encoding="utf-8")
        elif not target.exists() or target.read_text(encoding="utf-8") != text:
            differing.append(path)
            (args.directory / (target.name + ".new")).write_text(text, encoding="utf-8")
    for path in differing:
        print(f"DIFFERS: {path}")
    print(f"{len(files)} files, {len(differing)} differ" if args.mode == "compare" else f"saved {len(files)}")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
