"""Scoring profiles: the rules a reviewer scores a form by, as data (one YAML file per profile).

A profile is validated by `Profile` when it is loaded, so a typo in a YAML file fails at load time
with the file's name, not as a wrong score later. `extractor profiles` lists what is shipped here.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal, Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from schemas import Section

PROFILE_DIR = Path(__file__).with_name("profiles")
AUTO = "auto"


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BudgetRule(_Data):
    """预算执行率 score: weight × execution rate, capped at the weight."""

    weight: float = 10.0
    """Used where the form prints no weight for its budget block."""
    cap_at_weight: bool = True
    total_items: tuple[str, ...] = ("合计",)
    """Budget line items that carry the section's overall rate (the first one found is used)."""
    rate_phrases: tuple[str, ...] = ("预算执行率",)
    """Narrative phrases followed by the rate (`预算执行率为77.73%`) where no table prints it."""
    summary_labels: tuple[str, ...] = ("预算执行",)
    """Score summaries (label) that are the budget block's score."""


class DeviationRule(_Data):
    """Marks off an indicator whose actual is more than `limit` away from its target."""

    enabled: bool = True
    limit: float = 0.30
    deduct_share: float = 0.10
    """Share of the indicator's weight taken off (0.10 of 2 points = 0.20)."""
    when: Literal["exceeded", "missed", "both"] = "exceeded"
    """Over-achievement beyond the limit says the target was set too low; a missed target already
    loses marks in proportion, so by default only exceeding is marked off."""


class Band(_Data):
    """A qualitative grade: the words that place an actual in it and the share of marks it earns."""

    label: str
    words: tuple[str, ...]
    low: float = Field(ge=0, le=1)
    high: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> Band:
        if self.low > self.high:
            raise ValueError(f"band {self.label}: low {self.low} > high {self.high}")
        return self


class Grade(_Data):
    label: str
    min_score: float


class Profile(_Data):
    name: str
    title: str
    description: str = ""
    template_families: tuple[str, ...] = ()
    section_kinds: tuple[Literal["department", "project", "review"], ...] = ()
    decimals: int = Field(2, ge=0, le=4)
    """Precision when the form prints no score with decimals to copy."""
    budget: BudgetRule = Field(default_factory=BudgetRule)
    deviation: DeviationRule = Field(default_factory=DeviationRule)
    qualitative_bands: tuple[Band, ...] = ()
    follow_criteria: bool = True
    """Use the formula an indicator's 评分标准 text states, where one is recognised."""
    grades: tuple[Grade, ...] = ()
    """Highest first: the first grade whose min_score the score reaches."""
    suggestions: dict[str, str] = Field(default_factory=dict)
    """Finding rule id → the improvement a review suggests (复核意见汇总表 改进建议)."""

    def grade(self, score: Optional[float]) -> Optional[str]:
        if score is None:
            return None
        return next((g.label for g in sorted(self.grades, key=lambda g: -g.min_score) if score >= g.min_score), None)


class ProfileError(ValueError):
    """A profile file that does not validate, or a profile name that does not exist."""


def load_profile(path: Path) -> Profile:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        profile = Profile.model_validate(data)
    except (yaml.YAMLError, ValidationError) as error:
        raise ProfileError(f"{path.name}: {error}") from error
    if profile.name != path.stem:
        raise ProfileError(f"{path.name}: name {profile.name!r} differs from the file name")
    return profile


@lru_cache(maxsize=4)
def load_profiles(directory: Path = PROFILE_DIR) -> tuple[Profile, ...]:
    """Every profile in the directory, by name (cached: the files ship with the package)."""
    return tuple(load_profile(path) for path in sorted(directory.glob("*.yaml")))


def profile_named(name: str, profiles: tuple[Profile, ...]) -> Profile:
    for profile in profiles:
        if profile.name == name:
            return profile
    raise ProfileError(f"没有评分方案 {name!r} (profiles: {', '.join(p.name for p in profiles)})")


def profile_for(section: Section, profiles: tuple[Profile, ...], requested: Optional[str] = None) -> Optional[Profile]:
    """The requested profile; else one declaring the section's template family that accepts its kind (or
    declares no kinds); else the first declaring its kind. A family refines the choice, it never puts a
    department form under a project profile because both print 分值 and 得分."""
    if requested and requested != AUTO:
        return profile_named(requested, profiles)
    if section.template_family:
        for profile in profiles:
            accepts = not profile.section_kinds or section.kind in profile.section_kinds
            if section.template_family in profile.template_families and accepts:
                return profile
    return next((p for p in profiles if section.kind in p.section_kinds), None)
