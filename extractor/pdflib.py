"""PyMuPDF without its layout add-ons: the one place the project imports `pymupdf` from.

PyMuPDF 2.0 bundles its ONNX layout analyser (`pymupdf.layout`: onnxruntime, networkx) and
PyMuPDF4LLM (`pymupdf4llm`: psutil, tabulate), and `pymupdf/__init__.py` imports both inside
`try: … except ImportError`, i.e. as optional add-ons. They only feed `Page.get_layout()`, the
layout-assisted `find_tables()` and `pymupdf.to_markdown()`/`to_text()`/`to_json()`, none of which
this project calls. Importing them costs about 0.7 s CPU and 55 MB per process, more than half
of a one-page `extractor extract`.

PyMuPDF 2.0 has no switch for this (no environment variable; 2.1 makes the imports lazy), so we
use the import system's documented opt-out: a `None` entry in `sys.modules` makes the import
raise ImportError, which PyMuPDF treats as "add-on not installed".

PyMuPDF4LLM also changed two process-wide MuPDF settings when imported; the results (goldens,
accuracy figures) were all made under them, so we now set them on purpose: quad corrections off
(word boxes are the font's line boxes, not glyph-corrected ones) and MuPDF's own error and warning
lines off stderr (a broken page becomes a Problem on the result instead). With both, every result
is byte-identical to before (benchmarks/check_identical.py).

When something imported PyMuPDF before us (a test or a notebook), the add-on is already
loaded and we leave it alone.
"""

from __future__ import annotations

import sys

ADD_ONS = ("pymupdf.layout", "pymupdf4llm")

if "pymupdf" not in sys.modules:
    for _name in ADD_ONS:
        sys.modules.setdefault(_name, None)  # type: ignore[arg-type]  # None reads as "not installed" to import

import pymupdf  # noqa: E402  (must follow the opt-out above)

pymupdf.TOOLS.unset_quad_corrections(True)
pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)

__all__ = ["pymupdf"]
