"""Peak memory of `extract()` as the page count grows: is it flat in pages?

Generates, in a temporary directory, born-digital PDFs of 50, 200 and 1000 pages: every page
holds a short heading, a sentence and a small ruled table (4 × 3, amounts that change per page),
the shape of a long budget annex. Each file is read by a fresh process (`extract()`, then the JSON
written to a file as `extractor extract --out` writes it, extractor.output) and its peak RSS is read
with os.wait4, so no run inherits another's heap.

Printed per size: peak RSS, and the growth per page between sizes. The result itself grows with
the pages (every table cell is in the output); its JSON size per page is printed beside, so
growth can be told apart from what the output must hold. Target (issue 13): ≤ 0.02 MB/page.

    PYTHONPATH=$PWD python benchmarks/bench_memory.py [--pages 50 200 1000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _corpus import ROOT  # noqa: E402  (benchmarks/ is not a package)

GENERATE = """
import sys
import pymupdf

pages = int(sys.argv[2])
document = pymupdf.open()
for number in range(pages):
    page = document.new_page(width=595, height=842)
    page.insert_text((72, 60), f"附表{number + 1}  项目支出预算表", fontname="china-s", fontsize=14)
    page.insert_text((72, 90), f"本表列示第{number + 1}个项目的年初预算数和执行数。", fontname="china-s", fontsize=10)
    rows, cols, top, left, height, width = 4, 3, 120, 72, 24, 150
    for row in range(rows + 1):
        page.draw_line((left, top + row * height), (left + cols * width, top + row * height))
    for col in range(cols + 1):
        page.draw_line((left + col * width, top), (left + col * width, top + rows * height))
    texts = [["项目", "年初预算数", "执行数"]] + [
        [f"支出{row}", f"{(number * 7 + row) % 1000 + 0.25:.2f}", f"{(number * 5 + row) % 900 + 0.5:.2f}"]
        for row in range(1, rows)
    ]
    for row, line in enumerate(texts):
        for col, text in enumerate(line):
            page.insert_text((left + col * width + 4, top + row * height + 16), text, fontname="china-s", fontsize=10)
document.save(sys.argv[1])
"""

MEASURE = """
import json, os, sys
from extractor.output import write_json
from extractor.pipeline import extract
result = extract(sys.argv[1])
with open(sys.argv[2], "w", encoding="utf-8") as handle:
    write_json(result, handle)
print(json.dumps({"json_bytes": os.path.getsize(sys.argv[2]), "tables": len(result.tables)}))
"""


def peak_of(args: list[str]) -> tuple[float, str]:
    """Peak RSS (MB) of one child process and its stdout.

    This process never imports PyMuPDF or the extractor: a fork starts with its parent's pages
    and Linux keeps the peak across exec, so a small parent keeps each child's peak its own.
    """
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    child = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{args[:3]} failed")
    return usage.ru_maxrss / 1024, output


def main() -> int:
    parser = argparse.ArgumentParser(description="peak RSS of extract() at several page counts")
    parser.add_argument("--pages", type=int, nargs="+", default=[50, 200, 1000])
    args = parser.parse_args()
    import json

    print(f"{'pages':>6s} {'peak RSS MB':>12s} {'MB/page since previous':>23s} {'result JSON KB/page':>20s}")
    rows: list[tuple[int, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for pages in sorted(args.pages):
            pdf = Path(tmp) / f"long_{pages}.pdf"
            subprocess.run([sys.executable, "-c", GENERATE, str(pdf), str(pages)], check=True)
            peak, output = peak_of([sys.executable, "-c", MEASURE, str(pdf), str(pdf.with_suffix(".json"))])
            facts = json.loads(output.strip().splitlines()[-1])
            growth = f"{(peak - rows[-1][1]) / (pages - rows[-1][0]):23.4f}" if rows else " " * 23
            print(f"{pages:6d} {peak:12.1f} {growth} {facts['json_bytes'] / 1024 / pages:20.2f}")
            rows.append((pages, peak))
    if len(rows) >= 2:
        (first_pages, first_peak), (last_pages, last_peak) = rows[0], rows[-1]
        per_page = (last_peak - first_peak) / (last_pages - first_pages)
        print(f"growth {first_pages}→{last_pages} pages: {per_page:.4f} MB/page (target ≤ 0.02)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
