"""The validator: one pure function per rule id, a registry, and a runner."""

from __future__ import annotations

from schemas import ExtractionResult, Finding


def validate(result: ExtractionResult) -> list[Finding]:
    """Placeholder until the rules land: no findings."""
    return []
