"""Where the benchmark inputs live, from the main checkout or from a worktree beside it."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def real_dir() -> Path:
    """../shared/real seen from the checkout; a worktree (/work/wt/<name>) finds it one level further up."""
    for parent in ROOT.parents:
        candidate = parent / "shared" / "real"
        if candidate.is_dir():
            return candidate
    return ROOT.parent / "shared" / "real"


def real_pdfs() -> list[Path]:
    return sorted(real_dir().glob("*.pdf"))
