"""One backend per input kind, each turning a file into a Layout."""

from __future__ import annotations

from pathlib import Path

from extractor.sniff import FileKind
from schemas import ExtractOptions, Layout


def read_layout(path: Path, kind: FileKind, options: ExtractOptions) -> Layout:
    """Dispatch to the backend for `kind`; backends are imported lazily (OCR is heavy)."""
    if kind == "pdf":
        from extractor.backends.pdf import read_pdf

        return read_pdf(path, options)
    if kind == "docx":
        from extractor.backends.docx import read_docx

        return read_docx(path, options.limits)
    if kind == "xlsx":
        from extractor.backends.xlsx import read_xlsx

        return read_xlsx(path, options.limits)
    if kind == "xls":
        from extractor.backends.xls import read_xls

        return read_xls(path, options.limits)
    from extractor.backends.image import read_image

    return read_image(path, options)
