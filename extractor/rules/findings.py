"""What a rule reports before the runner numbers it: a draft finding."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

from schemas.records import RuleId, Severity

Figure = Union[float, str, None]


@dataclass(frozen=True)
class Draft:
    """A finding without its id; the runner numbers drafts f1… in a stable order."""

    rule: RuleId
    severity: Optional[Severity]
    """None: the severity its rule declares."""
    message: str
    refs: tuple[str, ...]
    expected: Figure = None
    found: Figure = None

    def key(self) -> tuple:
        """Two drafts with this key say the same thing (kept once)."""
        return (self.rule, self.refs[:1], tuple(sorted(self.refs)), str(self.found))


def figure(value: Optional[float], decimals: int = 2) -> Optional[float]:
    """A computed figure rounded for the report (no float noise like 195.85000000000002)."""
    return None if value is None else round(value, max(decimals, 0))


@dataclass
class Collected:
    drafts: list[Draft] = field(default_factory=list)
