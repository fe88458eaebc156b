"""The formula an indicator's 评分标准 text states, recognised from a few common shapes (criteria.yaml)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal, Optional

import yaml
from pydantic import BaseModel, ConfigDict

SHAPES_FILE = Path(__file__).with_name("criteria.yaml")
FormulaKind = Literal["binary", "per_unit", "proportional"]


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: FormulaKind
    pattern: str


class Formula(BaseModel):
    """A recognised formula: its kind, and for `per_unit` the step and the points it costs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: FormulaKind
    text: str
    step: Optional[float] = None
    points: Optional[float] = None


@lru_cache(maxsize=1)
def _shapes(path: Path = SHAPES_FILE) -> tuple[tuple[Shape, re.Pattern[str]], ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    shapes = [Shape.model_validate(item) for item in data["shapes"]]
    return tuple((shape, re.compile(shape.pattern)) for shape in shapes)


def recognise(criteria: Optional[str]) -> Optional[Formula]:
    """The first formula shape the text states, or None (then the profile's own rules apply)."""
    if not criteria:
        return None
    text = re.sub(r"\s+", "", criteria)
    for shape, pattern in _shapes():
        match = pattern.search(text)
        if match is None:
            continue
        if shape.kind == "per_unit":
            step, points = float(match["step"]), float(match["points"])
            if step <= 0:
                continue
            return Formula(kind="per_unit", text=match.group(0), step=step, points=points)
        return Formula(kind=shape.kind, text=match.group(0))
    return None
