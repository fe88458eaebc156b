"""Real input files for ingest tests: good ones from the corpus, bad ones made here.

The hanging PDF is real, not a mock: a 7 KB file whose page draws a form XObject that draws the next
one twice, 40 levels deep — 2^40 drawing operations for any PDF interpreter (MuPDF included), at
constant memory. Without a time limit `extract` never returns on it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pymupdf

REAL = Path(__file__).resolve().parents[3] / "shared" / "real"
if not REAL.is_dir():
    REAL = Path("/work/shared/real")
SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"
GOOD_FILES = ("dept_budget.pdf", "budget_template.xls", "dept_budget.xlsx")
"""Small, quick real documents of three kinds (PDF 23 pages, legacy XLS, XLSX)."""


def copy_good_files(directory: Path, names: tuple[str, ...] = GOOD_FILES) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy(REAL / name, directory / name)) for name in names]


def copy_fixtures(directory: Path) -> list[Path]:
    """The generated seed fixtures (PDF, DOCX, XLSX of each seed, with their golden.json beside them)."""
    shutil.copytree(SEEDS, directory)
    return sorted(path for path in directory.glob("*/*") if path.suffix in {".pdf", ".docx", ".xlsx"})


def pdf_variants(source: Path, directory: Path, count: int) -> list[Path]:
    """Copies of a PDF that differ in one trailing comment line, so each has its own sha256."""
    directory.mkdir(parents=True, exist_ok=True)
    data = source.read_bytes()
    paths = []
    for number in range(count):
        path = directory / f"{source.stem}-{number:04d}.pdf"
        path.write_bytes(data + b"\n%variant " + str(number).encode() + b"\n")
        paths.append(path)
    return paths


def truncated_pdf(source: Path, path: Path, keep: int = 2000) -> Path:
    """The first `keep` bytes of a real PDF: header and no page tree, which MuPDF cannot repair."""
    path.write_bytes(source.read_bytes()[:keep])
    return path


def hanging_pdf(path: Path, depth: int = 16) -> Path:
    """A page that takes minutes to render though every bound before rendering passes: nested Form
    XObjects draw a full-page fill 2^16 times (under the 100,000-draw limit), and an image with no
    text layer sends the page to the OCR path, which renders it."""
    document = pymupdf.open()
    page = document.new_page(width=595, height=842)
    pixmap = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 8, 8), False)
    pixmap.clear_with(128)
    page.insert_image(pymupdf.Rect(50, 50, 100, 100), pixmap=pixmap)
    previous = 0
    for level in range(depth):
        xref = document.get_new_xref()
        resources = f"/Resources << /XObject << /X {previous} 0 R >> >>" if level else ""
        document.update_object(xref, f"<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] {resources} >>")
        document.update_stream(xref, b"/X Do /X Do\n" if level else b"q 0.5 g 0 0 595 842 re f Q\n")
        previous = xref
    kind, value = document.xref_get_key(page.xref, "Resources")
    if kind == "xref":
        document.xref_set_key(int(value.split()[0]), "XObject/Top", f"{previous} 0 R")
    else:
        document.xref_set_key(page.xref, "Resources/XObject/Top", f"{previous} 0 R")
    content = page.get_contents()[0]
    document.update_stream(content, document.xref_stream(content) + b"\n/Top Do\n")
    document.save(path)
    return path


def bad_files(directory: Path) -> dict[str, str]:
    """Make the four bad inputs; returns file name → a fragment its failure reason must contain."""
    directory.mkdir(parents=True, exist_ok=True)
    truncated_pdf(REAL / "上海市财政局25年预算.pdf", directory / "corrupt.pdf")
    (directory / "empty.pdf").write_bytes(b"")
    (directory / "notes-renamed.pdf").write_text("这不是 PDF，只是改了扩展名的文本。\n", encoding="utf-8")
    hanging_pdf(directory / "hanging.pdf")
    return {
        "corrupt.pdf": "PDF 已损坏",
        "empty.pdf": "空文件",
        "notes-renamed.pdf": "不支持的文件类型",
        "hanging.pdf": "超时",
    }


def memory_hungry_pdf(path: Path, lines: int = 1_000_000) -> Path:
    """One page of a million stroked line segments (5 MB compressed): reading its vector graphics
    takes over 2 GB, far beyond a 1 GB worker limit, while each good test file needs well under 1 GB."""
    document = pymupdf.open()
    page = document.new_page(width=595, height=842)
    page.insert_text((50, 50), "lines")
    ops = b"".join(b"%d %d m %d %d l S\n" % (i % 500, (i * 7) % 800, i % 500 + 1, (i * 7) % 800) for i in range(lines))
    document.update_stream(page.get_contents()[0], ops, compress=True)
    document.save(path, deflate=True)
    return path
