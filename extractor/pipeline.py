"""The data path from a file to the SPEC result, one typed stage after another.

    file ─► sniff kind ─► backend → Layout ─► stitch tables → Layout
         ─► interpret form → records ─► [propose scores] ─► validate → findings ─► ExtractionResult

Each stage only sees the previous stage's object; no stage reopens the file.
"""

from __future__ import annotations

from pathlib import Path

from extractor.backends import read_layout
from extractor.confidence import with_reading_certainty
from extractor.digest import file_sha256  # re-exported: callers import it from here too
from extractor.errors import InputError
from extractor.forms.interpret import interpret
from extractor.sniff import sniff_kind
from extractor.tables.stitch import stitch_blocks, stitch_tables
from schemas import DocumentInfo, ExtractionResult, ExtractOptions, Layout, PageInfo


def layout_of(path: Path | str, options: ExtractOptions | None = None) -> Layout:
    """Backend + stitching: the file as ordered paragraphs and whole tables."""
    path = Path(path)
    options = options or ExtractOptions()
    kind = sniff_kind(path)
    if kind == "pdf":
        from extractor.backends.pdf import read_pdf

        # stitched as the pages arrive: a page's blocks are gone once joined to the table they continue
        return read_pdf(path, options, arrange=stitch_blocks)
    return stitch_tables(read_layout(path, kind, options))


def page_infos(layout: Layout) -> list[PageInfo]:
    """What the review page needs to draw boxes on page images: each page's size in the points of
    every bbox on it, and how a scanned page was turned upright (so its image is turned the same way)."""
    pages = []
    for number, (width, height) in sorted(layout.page_sizes.items()):
        turns, skew = layout.scan_turns.get(number, (0, 0.0))
        scanned = number in layout.scan_turns
        pages.append(
            PageInfo(n=number, width=width, height=height, scanned=scanned, quarter_turns=turns, skew_degrees=skew)
        )
    return pages


def extract(path: Path | str, options: ExtractOptions | None = None) -> ExtractionResult:
    """Read one file into the SPEC result. Raises InputError for unreadable files."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "文件不存在 (file not found)")
    if path.is_dir():
        raise InputError(path, "是目录而不是文件 (is a directory)")
    options = options or ExtractOptions()
    if options.table_engine == "vl":
        # A missing or altered model is the run's configuration error, not a page's Problem: fail before reading.
        from extractor.tables.vl_tables import require_model

        require_model(options)
    layout = layout_of(path, options)
    info = DocumentInfo(file=path.name, sha256=file_sha256(path), kind=layout.kind, pages=layout.page_count)
    pages = page_infos(layout)
    interpreted = interpret(layout, info)
    del layout  # the page layout is not needed past interpretation: scoring and validation read the result
    result = with_reading_certainty(interpreted).model_copy(update={"pages": pages})
    del interpreted
    if options.score_profile is not None:
        from extractor.scoring.stage import score_result  # late: scoring is an optional stage

        result = score_result(result, options.score_profile)
    if options.validate_records:
        from extractor.rules import apply_validation  # imported late: rules are optional for pure extraction

        result = apply_validation(result, options.validation)  # a rule that crashes becomes a Problem on the result
    return result
