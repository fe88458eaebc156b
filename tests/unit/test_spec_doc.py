"""docs/spec.md, the output contract, stays in step with the pydantic schema it describes."""

from __future__ import annotations

import inspect
import re

import pytest
from pydantic import BaseModel

import schemas.records as records
from schemas import RULE_IDS
from tests.corpus import REPO

SPEC = (REPO / "docs" / "spec.md").read_text(encoding="utf-8")
BODY, INDEX = SPEC.split("## Field index", 1)
MODELS = {
    name: model
    for name, model in vars(records).items()
    if inspect.isclass(model)
    and issubclass(model, BaseModel)
    and model.__module__ == records.__name__
    and not name.startswith("_")
}


def _index() -> dict[str, list[str]]:
    found = {}
    for line in INDEX.splitlines():
        match = re.match(r"- `(\w+)`: (.*)$", line)
        if match:
            found[match.group(1)] = re.findall(r"`(\w+)`", match.group(2))
    return found


def _section(heading: str) -> str:
    """The text under `## <heading>` up to the next heading of that level."""
    match = re.search(rf"^## {re.escape(heading)}\b.*?$(.*?)(?=^## |\Z)", BODY, flags=re.M | re.S)
    assert match, f"docs/spec.md has no section '## {heading}'"
    return match.group(1)


def test_the_field_index_names_every_model_and_field_and_nothing_else() -> None:
    index = _index()
    assert set(index) == set(MODELS)
    for name, model in MODELS.items():
        assert index[name] == list(model.model_fields), f"{name}: docs/spec.md ≠ schemas/records.py"


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_field_is_described_outside_the_index(name: str) -> None:
    """Each field name appears in the contract's text (a table row, a JSON shape or a backticked mention)."""
    undescribed = [
        field
        for field in MODELS[name].model_fields
        if not re.search(rf"(\| {field} \||\"{field}\"|`{field}`|\.{field}\b|\b{field}\b`)", BODY)
    ]
    assert not undescribed, f"{name}: fields without a description in docs/spec.md: {undescribed}"


@pytest.mark.parametrize(
    ("heading", "model"),
    [("document", "DocumentInfo"), ("indicators", "Indicator"), ("findings", "Finding")],
)
def test_field_tables_name_only_existing_fields(heading: str, model: str) -> None:
    named = re.findall(r"^\| (\w+) \| [^|]+ \| [^|]+ \|$", _section(heading), flags=re.M)
    named = [name for name in named if name != "field"]
    assert named, heading
    assert set(named) <= set(MODELS[model].model_fields), set(named) - set(MODELS[model].model_fields)


@pytest.mark.parametrize(("heading", "model"), [("budget_lines", "BudgetLine"), ("scores", "ScoreSummary")])
def test_record_shapes_name_only_existing_fields(heading: str, model: str) -> None:
    shape = re.search(r"`\{(.*?)\}`", _section(heading), flags=re.S)
    assert shape, heading
    named = re.findall(r'"(\w+)"', shape.group(1))
    assert set(named) <= set(MODELS[model].model_fields)


def test_top_level_keys_are_the_result_fields() -> None:
    block = re.search(r"## Top level\s+```json\n(.*?)```", BODY, flags=re.S)
    assert block
    keys = re.findall(r'"(\w+)":', block.group(1))
    assert set(keys) <= set(MODELS["ExtractionResult"].model_fields)


def test_the_rule_table_is_the_rule_ids() -> None:
    rules = re.findall(r"^\| `(\w+)` \|", BODY, flags=re.M)
    assert rules == list(RULE_IDS)
