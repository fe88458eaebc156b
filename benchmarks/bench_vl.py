"""The vision-language table engine: seconds per page, next to the classical engines on the same pages.

    EXTRACTOR_VL_MODEL=DIR python benchmarks/bench_vl.py [--pages 4] [--batch-size 1] [--max-new-tokens 2048]
    python benchmarks/bench_vl.py --tiny     # a tiny random model built here: the plumbing's own cost

Seed PDFs (fixtures/seeds, else ../shared/real) are read page by page with `table_engine="auto"` and with
`table_engine="vl"`, alternately, in the same run; the report gives seconds per page for each, the tables the
model was asked about, and how many answers were unusable (kept the classical table, with a Problem).
Without a model directory (no $EXTRACTOR_VL_MODEL and no --tiny) it says so and stops.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _corpus import real_pdfs  # noqa: E402  (benchmarks/ is not a package)

from extractor.pipeline import extract  # noqa: E402
from schemas import ExtractOptions  # noqa: E402


def source_pdfs() -> list[Path]:
    seeds = sorted((ROOT / "fixtures" / "seeds").glob("*/*.pdf"))
    return seeds or real_pdfs()


def timed(pdf: Path, options: ExtractOptions) -> tuple[float, int, int]:
    """Seconds, pages read and vl Problems of one extraction."""
    started = time.perf_counter()
    result = extract(pdf, options)
    seconds = time.perf_counter() - started
    pages = min(result.document.pages, options.max_pages or result.document.pages)
    return seconds, pages, sum(1 for p in result.problems if p.stage == "tables")


def tiny_model(directory: Path) -> Path:
    from extractor.vision.vl import write_manifest
    from tests.vl_tiny import build_tiny_model

    write_manifest(build_tiny_model(directory))
    return directory


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiny", action="store_true", help="use a tiny random model built in a temporary folder")
    parser.add_argument("--pages", type=int, default=4, help="pages to read (from the first PDFs, 1 page each)")
    parser.add_argument("--batch-size", type=int, default=1)
    parser.add_argument("--max-new-tokens", type=int, default=2048)
    parser.add_argument("--page-seconds", type=float, default=120.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        if args.tiny:
            model = tiny_model(Path(scratch) / "tiny")
            label = "tiny random PaddleOCR-VL (plumbing cost; its answers are noise and fall back)"
        elif os.environ.get("EXTRACTOR_VL_MODEL", "").strip():
            model = Path(os.environ["EXTRACTOR_VL_MODEL"])
            label = str(model)
        else:
            print("vl engine: no model directory configured (set EXTRACTOR_VL_MODEL=DIR, or --tiny); nothing measured")
            return 0
        pdfs = source_pdfs()[: args.pages]
        if not pdfs:
            print("no seed PDFs found")
            return 1
        vl = ExtractOptions(
            table_engine="vl",
            vl_model=model,
            validate_records=False,
            max_pages=1,
            vl={
                "batch_size": args.batch_size,
                "max_new_tokens": args.max_new_tokens,
                "page_seconds": args.page_seconds,
            },
        )
        classical = ExtractOptions(validate_records=False, max_pages=1)
        load_started = time.perf_counter()
        from extractor.tables.vl_tables import require_model

        require_model(vl)
        load = time.perf_counter() - load_started
        extract(pdfs[0], classical)  # warm the classical path's imports too
        rows = []
        for pdf in pdfs:
            base, pages, _ = timed(pdf, classical)
            with_vl, _, unusable = timed(pdf, vl)
            tables = len(extract(pdf, classical).tables)
            rows.append((pdf.name, pages, base / pages, with_vl / pages, tables, unusable))
    print(f"model: {label}; manifest check + load {load:.1f} s")
    print(f"{'file':<14}{'pages':>6}{'auto s/page':>13}{'vl s/page':>11}{'tables':>8}{'unusable':>10}")
    for name, pages, base, with_vl, tables, unusable in rows:
        print(f"{name:<14}{pages:>6}{base:>13.2f}{with_vl:>11.2f}{tables:>8}{unusable:>10}")
    print(
        f"median: auto {statistics.median(r[2] for r in rows):.2f} s/page, "
        f"vl {statistics.median(r[3] for r in rows):.2f} s/page"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
