"""Born-digital extraction in process, against the bare PyMuPDF floor, per file and per corpus.

For every PDF: CPU seconds of the whole `extract()` (backend, stitching, interpretation,
validation) and, measured in the same run, of the floor — PyMuPDF opening the file and reading
every page's words and drawings, the input any born-digital table reader needs. The ratio is
independent of the machine's speed. CPU time (time.process_time), best of REPEATS, because the
machine is shared and wall time measures the neighbours.

Targets (issue 13): ≤ 2.5× the floor over ../shared/real, no file above 4×.

    PYTHONPATH=$PWD python benchmarks/bench_digital.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _corpus import ROOT, real_pdfs  # noqa: E402  (benchmarks/ is not a package)

from extractor.pdflib import pymupdf  # noqa: E402  (the project's PyMuPDF, as extract() uses it)
from extractor.pipeline import extract  # noqa: E402

CORPORA = {
    "fixtures": sorted((ROOT / "fixtures" / "seeds").glob("*/*.pdf")),
    "real": real_pdfs(),
}


def best_cpu(func: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        func()
        best = min(best, time.process_time() - start)
    return best


def bare_floor(path: Path) -> None:
    with pymupdf.open(path) as document:
        for page in document:
            page.get_text("words", sort=False)
            page.get_drawings()


def main() -> int:
    parser = argparse.ArgumentParser(description="extract() vs bare PyMuPDF words + drawings, CPU time")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    for path in CORPORA["fixtures"][:1]:
        extract(path)  # warm-up: lazy imports, lexicon, model classes
    print(f"{'file':44s} {'pages':>5s} {'ours s/p':>9s} {'floor s/p':>9s} {'ratio':>6s}")
    for name, paths in CORPORA.items():
        if not paths:
            print(f"{name}: no files")
            continue
        total_ours = total_bare = 0.0
        total_pages = 0
        worst = 0.0
        for path in paths:
            with pymupdf.open(path) as document:
                pages = document.page_count
            ours = best_cpu(lambda path=path: extract(path), args.repeats)
            bare = best_cpu(lambda path=path: bare_floor(path), args.repeats)
            total_ours, total_bare, total_pages = total_ours + ours, total_bare + bare, total_pages + pages
            worst = max(worst, ours / bare)
            print(f"{path.name[:42]:44s} {pages:5d} {ours / pages:9.4f} {bare / pages:9.4f} {ours / bare:6.2f}")
        print(
            f"{'= ' + name:44s} {total_pages:5d} {total_ours / total_pages:9.4f} {total_bare / total_pages:9.4f} "
            f"{total_ours / total_bare:6.2f}  (worst file {worst:.2f}×; targets ≤ 2.5×, no file > 4×)\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
