"""Where the benchmark inputs live: the repository, and the shared corpus beside it.

The shared folder is found by the one rule the tests (tests/corpus.py) and `python -m extractor.eval` use,
`extractor.eval.shared_dir()`: `$EXTRACTOR_SHARED_DIR`, else `../shared` beside the repository (a worktree
outside the checkout's folder sets the variable).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    # appended, not put first: `PYTHONPATH=<other tree>` must win, so that check_identical.py can save an
    # older tree's results over this checkout's corpus folders
    sys.path.append(str(ROOT))

from extractor.eval import SHARED_DIR_VARIABLE, shared_dir  # noqa: E402  (after the repository is on sys.path)


def real_dir() -> Path:
    """The published budgets and final accounts (`real/`)."""
    return shared_dir() / "real"


def real_forms_dir() -> Path:
    """The real 绩效自评 forms with their careful readings (`real_forms/`)."""
    return shared_dir() / "real_forms"


def real_pdfs() -> list[Path]:
    """The real corpus's PDFs; none (with a note on stderr) when the folder is absent."""
    folder = real_dir()
    if not folder.is_dir():
        print(f"note: no real corpus at {folder} (set {SHARED_DIR_VARIABLE})", file=sys.stderr)
        return []
    return sorted(folder.glob("*.pdf"))
