"""Where the tests find what is not in the repository, and how they say it is missing.

The real corpus (published budgets and final accounts) lives in a folder beside the checkout:
`EXTRACTOR_SHARED_DIR` (default `../shared`, relative to the repository), holding `real/`.
A skip for a missing service, browser or corpus starts with MISSING; under `CI=true` the root
conftest turns such a skip into a failure, because CI installs everything.
"""

from __future__ import annotations

from pathlib import Path

from extractor.eval import SHARED_DIR_VARIABLE, shared_dir

REPO = Path(__file__).resolve().parents[1]
SHARED_ENV = SHARED_DIR_VARIABLE
SHARED = shared_dir().resolve()
"""One rule for tests, benchmarks (benchmarks/_corpus.py) and `python -m extractor.eval`."""
REAL = SHARED / "real"
REAL_FILES = sorted(p for p in REAL.glob("*") if p.suffix.lower() in (".pdf", ".xlsx", ".xls")) if REAL.is_dir() else []
SEEDS = REPO / "fixtures" / "seeds"

MISSING = "missing:"
"""How every skip for an absent resource begins (the CI hook looks for it)."""
MISSING_REAL = f"{MISSING} the real corpus is not at {REAL} (set {SHARED_ENV} to the folder that holds real/)"
MISSING_SEEDS = f"{MISSING} the seed fixtures are not generated (python -m fixtures.generate)"


def missing(what: str) -> str:
    """A skip reason for an absent service, browser or corpus."""
    return f"{MISSING} {what}"
