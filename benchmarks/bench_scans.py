"""Scanned pages: seconds per page for the whole scanned-page reader next to bare RapidOCR.

    python benchmarks/bench_scans.py [--pages 12] [--long 50] [--no-memory]

1. Speed, in CPU seconds (time.process_time: all threads of this process; the machine is shared,
   so wall time would measure the neighbours). Seed pages (fixtures/seeds, else ../shared/real),
   half of them table pages and half prose pages (by the born-digital page's ruling lines), are
   rendered as 200 dpi skewed scans (fixtures/scans.py) and, page by page and in alternating
   order, read by
   - our reader (`read_page_image`: orientation, deskew, layout, lines, grid, cell recognition,
     text outside tables, blocks), and
   - RapidOCR's own full-page OCR (det → cls → rec, its default configuration, same model files),
   in the same run, so the ratio does not depend on the machine. Ratios are printed for table
   pages and prose pages separately (issue 13's target: ≤ 0.4 on table pages).
   Tesseract (`tesseract-ocr-chi-sim`) is timed as a peer where it is installed.
2. Memory. A `--long`-page scanned PDF goes through `extract` in a fresh process; its resident
   memory is sampled while it runs and printed at each quarter of the run, next to a 10-page
   document's peak: flat means pages are read one at a time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _corpus import real_pdfs  # noqa: E402  (benchmarks/ is not a package)

from extractor.backends.scanned import read_page_image  # noqa: E402
from extractor.pdflib import pymupdf  # noqa: E402  (PyMuPDF as the extractor loads it)
from extractor.pipeline import extract  # noqa: E402
from extractor.vision.model_files import verified_model_paths  # noqa: E402
from extractor.vision.ocr import quiet_logging  # noqa: E402
from fixtures.scans import STYLES, render_page, render_scan  # noqa: E402
from schemas import ExtractOptions  # noqa: E402

DPI = 200


def source_pdfs() -> list[Path]:
    seeds = sorted((ROOT / "fixtures" / "seeds").glob("*/*.pdf"))
    return seeds or real_pdfs()


def scanned_pages(limit: int) -> list[tuple[np.ndarray, bool]]:
    """Up to `limit` scans, half of pages with a ruled table and half without; (image, is_table)."""
    from extractor.backends.pdf import page_rules
    from extractor.tables.grid import build_grids

    style = STYLES["skewed200"]
    wanted = {True: (limit + 1) // 2, False: limit // 2}
    pages: list[tuple[np.ndarray, bool]] = []
    for path in source_pdfs():
        with pymupdf.open(path) as document:
            for page in document:
                is_table = bool(build_grids(page_rules(page)))
                if wanted[is_table] == 0:
                    continue
                wanted[is_table] -= 1
                pages.append((render_page(page, style, np.random.default_rng(len(pages))), is_table))
                if not any(wanted.values()):
                    return pages
    return pages


def bare_rapidocr():
    """RapidOCR exactly as a user would run it, pointed at the wheel's (sha256-checked) files."""
    paths = verified_model_paths("rapidocr")
    with quiet_logging():
        from rapidocr import RapidOCR

        return RapidOCR(
            params={
                "Global.log_level": "error",
                "Det.model_path": str(paths["det"]),
                "Cls.model_path": str(paths["cls"]),
                "Rec.model_path": str(paths["rec"]),
            }
        )


def tesseract_available() -> bool:
    if shutil.which("tesseract") is None:
        return False
    listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True)
    return "chi_sim" in listed.stdout


def time_tesseract(page: np.ndarray, folder: Path) -> float:
    import cv2

    path = folder / "page.png"
    cv2.imwrite(str(path), page)
    start = time.perf_counter()
    subprocess.run(
        ["tesseract", str(path), "stdout", "-l", "chi_sim", "--dpi", str(DPI)], capture_output=True, check=True
    )
    return time.perf_counter() - start


def speed(limit: int) -> None:
    pages = scanned_pages(limit)
    options = ExtractOptions()
    baseline = bare_rapidocr()
    # Warm both (model loading is not a per-page cost).
    read_page_image(pages[0][0], 1, 72.0 / DPI, options)
    baseline(pages[0][0])
    ours: dict[bool, list[float]] = {True: [], False: []}
    theirs: dict[bool, list[float]] = {True: [], False: []}
    tess = []
    peer = tesseract_available()
    with tempfile.TemporaryDirectory() as folder:
        for number, (page, is_table) in enumerate(pages, start=1):
            order = ("ours", "theirs") if number % 2 else ("theirs", "ours")
            for which in order:
                start = time.process_time()
                if which == "ours":
                    read_page_image(page, number, 72.0 / DPI, options)
                    ours[is_table].append(time.process_time() - start)
                else:
                    baseline(page)
                    theirs[is_table].append(time.process_time() - start)
            if peer:
                tess.append(time_tesseract(page, Path(folder)))
            print(
                f"page {number:3d} ({'table' if is_table else 'prose'}): ours {ours[is_table][-1]:6.2f} s CPU   "
                f"rapidocr full page {theirs[is_table][-1]:6.2f} s CPU"
                + (f"   tesseract chi_sim {tess[-1]:6.2f} s wall" if peer else ""),
                flush=True,
            )
    print(f"\n{len(pages)} scanned pages at {DPI} dpi (skewed200 style), CPU seconds per page")
    for is_table, label, goal in ((True, "table pages", "  (target ≤ 0.4)"), (False, "prose pages", "")):
        if not ours[is_table]:
            continue
        mean_ours, mean_theirs = statistics.mean(ours[is_table]), statistics.mean(theirs[is_table])
        print(
            f"  {label} ({len(ours[is_table])}): ours {mean_ours:6.2f}   bare RapidOCR full page {mean_theirs:6.2f}"
            f"   ratio {mean_ours / mean_theirs:5.2f}{goal}"
        )
    if peer:
        print(f"  tesseract chi_sim (peer)     {statistics.mean(tess):6.2f} s/page")
    else:
        print("  tesseract chi_sim (peer)     not installed (apt-get install tesseract-ocr-chi-sim)")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def sampled_run(path: Path) -> list[float]:
    samples: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append(rss_mb())
            time.sleep(0.2)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    extract(path)
    done.set()
    thread.join()
    return samples


def long_document(pages: int, folder: Path) -> Path:
    """A born-digital PDF of `pages` pages (seed pages repeated), then its skewed200 scan."""
    out = pymupdf.open()
    sources = source_pdfs()
    while out.page_count < pages:
        for path in sources:
            with pymupdf.open(path) as document:
                take = min(document.page_count, pages - out.page_count)
                out.insert_pdf(document, from_page=0, to_page=take - 1)
            if out.page_count >= pages:
                break
    born = folder / f"long{pages}.pdf"
    out.save(born)
    return render_scan(born, STYLES["skewed200"], folder / f"long{pages}.scan")


def child_samples(path: Path) -> list[float]:
    """Run `extract(path)` in a fresh process (models loaded there too) and return its RSS samples."""
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def memory(long_pages: int) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        short_doc, long_doc = long_document(10, folder), long_document(long_pages, folder)
        short = child_samples(short_doc)
        start = time.perf_counter()
        long = child_samples(long_doc)
        elapsed = time.perf_counter() - start
    quarters = [long[min(len(long) - 1, int(len(long) * q))] for q in (0.25, 0.5, 0.75, 1.0)]
    print(
        f"\nPeak resident memory (fresh process each): 10-page scan {max(short):.0f} MB, "
        f"{long_pages}-page scan {max(long):.0f} MB"
    )
    print("  during the long run, at 25/50/75/100 %: " + " / ".join(f"{value:.0f}" for value in quarters) + " MB")
    print(f"  ({long_pages} pages through the whole pipeline in {elapsed:.0f} s, model loading included)")


def main() -> int:
    parser = argparse.ArgumentParser(description="scanned-page speed and memory")
    parser.add_argument("--pages", type=int, default=12)
    parser.add_argument("--long", type=int, default=50)
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(sampled_run(args.child)))
        return 0
    speed(args.pages)
    if not args.no_memory:
        memory(args.long)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
