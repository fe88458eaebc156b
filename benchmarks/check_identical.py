"""Byte-identical output check for speed work: save every result, change the code, compare.

    PYTHONPATH=<old tree> python benchmarks/check_identical.py save out/before
    PYTHONPATH=$PWD       python benchmarks/check_identical.py compare out/before

Reads every fixture seed (PDF, DOCX, XLSX), every file of ../shared/real and every form of
../shared/real_forms with `extract()`,
writes `model_dump_json()` per file, and on `compare` names each file whose JSON differs (exit 1).
Born-digital and office inputs only: the scanned path has its own accuracy tests (tests/e2e).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _corpus import ROOT, real_dir, real_forms_dir  # noqa: E402  (benchmarks/ is not a package)

SUFFIXES = {".pdf", ".docx", ".xlsx", ".xls"}


def corpus() -> list[Path]:
    seeds = sorted(p for p in (ROOT / "fixtures" / "seeds").glob("*/*") if p.suffix in SUFFIXES)
    real = sorted(p for p in real_dir().glob("*") if p.suffix in SUFFIXES)
    forms = sorted(p for p in real_forms_dir().glob("*") if p.suffix in SUFFIXES)
    return seeds + real + forms


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
    args = parser.parse_args()
    args.directory.mkdir(parents=True, exist_ok=True)
    differing = []
    for path in corpus():
        text = result_json(path)
        target = args.directory / _name(path)
        if args.mode == "save":
            target.write_text(text, encoding="utf-8")
        elif not target.exists() or target.read_text(encoding="utf-8") != text:
            differing.append(path)
            (args.directory / (target.name + ".new")).write_text(text, encoding="utf-8")
    for path in differing:
        print(f"DIFFERS: {path}")
    print(f"{len(corpus())} files, {len(differing)} differ" if args.mode == "compare" else f"saved {len(corpus())}")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
