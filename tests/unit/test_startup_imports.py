"""Start-up cost: a command imports only what it uses (issue 13).

Each check runs in a fresh interpreter, since this test process has long imported everything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("onnxruntime", "pandas", "fastapi", "sqlalchemy", "sqlmodel", "rapidocr", "psutil", "pymupdf4llm")


def _loaded_after(code: str) -> set[str]:
    """Top-level module names present after running `code` in a new interpreter."""
    listing = "sorted({name.split('.')[0] for name, module in sys.modules.items() if module is not None})"
    script = f"{code}\nimport json, sys\nprint(json.dumps({listing}))"  # None entries are blocked imports
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_cli_import_loads_no_heavy_package() -> None:
    loaded = _loaded_after("import extractor.cli")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    assert "pymupdf" not in loaded  # not even PyMuPDF until a PDF is read


def test_born_digital_extract_loads_no_model_runtime() -> None:
    pdf = sorted((ROOT / "fixtures" / "seeds").glob("*/*.pdf"))[0]
    loaded = _loaded_after(f"from extractor.pipeline import extract\nextract({str(pdf)!r})")
    assert "pymupdf" in loaded  # the probe really read a PDF
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
