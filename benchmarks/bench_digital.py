"""Born-digital seconds per page, one core, on the fixtures and on ../shared/real.

Prints, per corpus: pages, seconds per page for the whole `extract` (backend, stitching,
interpretation, validation), and beside it the bare PyMuPDF text extraction of the same
pages measured in the same run, so the ratio is independent of the machine's speed.
The issue's target is <= 0.04 s/page on ../shared/real (a peer tool reads and rule-checks
those files at about 0.04 s/page on this machine).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pymupdf

from extractor.pipeline import extract

ROOT = Path(__file__).resolve().parents[1]
CORPORA = {
    "fixtures": sorted((ROOT / "fixtures" / "seeds").glob("*/*.pdf")),
    "real": sorted((ROOT.parent / "shared" / "real").glob("*.pdf")),
}
REPEATS = 3


def _best_of(func, repeats: int = REPEATS) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def _bare_text(paths: list[Path]) -> None:
    for path in paths:
        with pymupdf.open(path) as document:
            for page in document:
                page.get_text("words")


def _pipeline(paths: list[Path]) -> None:
    for path in paths:
        extract(path)


def main() -> int:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the target says
    print(f"{'corpus':10s} {'files':>5s} {'pages':>6s} {'s/page':>8s} {'bare s/page':>12s} {'ratio':>6s}")
    for name, paths in CORPORA.items():
        if not paths:
            print(f"{name:10s} (no files)")
            continue
        pages = sum(pymupdf.open(p).page_count for p in paths)
        ours = _best_of(lambda paths=paths: _pipeline(paths)) / pages
        bare = _best_of(lambda paths=paths: _bare_text(paths)) / pages
        print(f"{name:10s} {len(paths):5d} {pages:6d} {ours:8.4f} {bare:12.4f} {ours / bare:6.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
