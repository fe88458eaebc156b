"""The template zoo's data and generator: families name their models, held-out words stay out of the
reader's vocabulary, variants are reproducible and their goldens add up."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from extractor.eval import shared_dir
from fixtures.generate.source import source_path
from fixtures.generate.to_pdf import render_pdf
from fixtures.zoo.build import TableItem, Variant, make_variant
from fixtures.zoo.model import load_pools, load_zoo
from fixtures.zoo.run import SAMPLES_DIR, expected_scores, golden, variants, write_samples
from schemas.records import ExtractionResult

REPO = Path(__file__).resolve().parents[2]
READER_VOCABULARY = REPO / "extractor" / "forms"
FAMILIES = [family.key for family in load_zoo().families]


@pytest.fixture(scope="module")
def golden_of(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, int], ExtractionResult]:
    """The golden of a family's variant, rendered once per module (the PDF gives the pages)."""
    folder = tmp_path_factory.mktemp("zoo-goldens")
    cache: dict[tuple[str, int], ExtractionResult] = {}

    def build(family: str, number: int) -> ExtractionResult:
        if (family, number) not in cache:
            variant = _variant(family, number)
            cache[(family, number)] = golden(variant, render_pdf(variant.source, folder / f"{variant.key}.pdf"))
        return cache[(family, number)]

    return build


def _variant(family: str, number: int = 0, held_out: bool = False) -> Variant:
    zoo = load_zoo()
    return make_variant(zoo, load_pools(), zoo.family(family), number, held_out)


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_names_the_published_form_it_was_modelled_on(family: str) -> None:
    modelled_on = load_zoo().family(family).modelled_on
    assert modelled_on.published.strip()
    assert modelled_on.real_forms or modelled_on.seeds
    assert all(re.fullmatch(r"f\d\d_[a-z]+_[a-z]+", key) for key in modelled_on.real_forms)
    assert all(source_path(seed).exists() for seed in modelled_on.seeds)
    real_forms = shared_dir() / "real_forms"
    if real_forms.is_dir():  # where the shared corpus is beside the checkout, each key is a real form
        assert all((real_forms / f"{key}.json").exists() for key in modelled_on.real_forms)


def test_held_out_spellings_are_nowhere_in_the_reader_vocabulary() -> None:
    """The lexicon (extractor/forms/lexicon.yaml) and any vocabulary still in forms/*.py."""
    held_out = load_zoo().held_out()
    assert held_out, "the zoo must keep some header spellings out of the lexicon"
    files = [path for path in READER_VOCABULARY.rglob("*") if path.suffix in (".yaml", ".yml", ".py")]
    assert files
    found = {
        f"{path.relative_to(REPO)}: {word}"
        for path in files
        for word in held_out
        if word in path.read_text(encoding="utf-8")
    }
    assert not found, f"held-out zoo spellings listed verbatim by the reader: {sorted(found)}"


def test_variants_are_reproducible_and_differ_from_each_other() -> None:
    first, again, other = (
        _variant("national_project", 4),
        _variant("national_project", 4),
        _variant("national_project", 5),
    )
    assert first.source.model_dump() == again.source.model_dump()
    assert first.source.model_dump() != other.source.model_dump()


def test_held_out_variants_print_held_out_spellings_and_the_others_do_not() -> None:
    held_out = load_zoo().held_out()
    for variant in variants(per_family=3):
        printed = {
            cell.text.replace("\n", "")
            for item in variant.source.body
            if isinstance(item, TableItem)
            for row in item.table.rows
            for cell in row.cells
        }
        used = {word for word in held_out if any(word in text for text in printed)}
        assert variant.held_out == bool(variant.held_out_spellings)
        assert set(variant.held_out_spellings) <= used or not variant.held_out
        if not variant.key.endswith("_h"):
            assert not variant.held_out_spellings, variant.key


@pytest.mark.parametrize("family", FAMILIES)
def test_golden_weights_add_up_along_parent_links(
    family: str, golden_of: Callable[[str, int], ExtractionResult]
) -> None:
    result = golden_of(family, 1)
    summaries = {summary.id: summary for summary in result.scores}
    assert all(i.parent in summaries for i in result.indicators if i.parent)
    for summary in result.scores:
        children = [r for r in [*result.indicators, *result.scores] if r.parent == summary.id]
        weights = [child.weight for child in children]
        if summary.weight is None or not children or any(w is None for w in weights):
            continue
        if summary.label in ("总分", "合计", "自评得分"):
            continue  # the budget block adds into the total too; checked below
        assert sum(w for w in weights if w is not None) == pytest.approx(summary.weight), summary.label
    budget_weight = sum(line.weight or 0 for line in result.budget_lines)
    indicator_weight = sum(i.weight or 0 for i in result.indicators)
    if any(i.weight for i in result.indicators):
        assert indicator_weight + budget_weight == pytest.approx(100)


@pytest.mark.parametrize("family", FAMILIES)
def test_golden_level_names_are_bare(family: str, golden_of: Callable[[str, int], ExtractionResult]) -> None:
    result = golden_of(family, 2)
    for indicator in result.indicators:
        for name in (indicator.level1, indicator.level2):
            assert name is None or not re.search(r"\d+(\.\d+)?分", name), name
    assert result.sections[0].template_family == load_zoo().family(family).template_family


def test_split_operator_value_unit_are_joined_in_printed_order(
    golden_of: Callable[[str, int], ExtractionResult],
) -> None:
    variant = _variant("system_export", 1)
    result = golden_of("system_export", 1)
    tables = [item.table for item in variant.source.body if isinstance(item, TableItem)]
    for indicator in result.indicators:
        assert indicator.source.row is not None and indicator.source.table
        row = tables[int(indicator.source.table[1:]) - 1].rows[indicator.source.row]
        texts = [cell.text for cell in row.cells]
        assert indicator.target.raw
        if not indicator.target.qualitative:
            parts = [indicator.target.raw[0], *re.findall(r"\d+", indicator.target.raw)[:1]]
            assert all(part in texts for part in parts), (indicator.target.raw, texts)
            assert indicator.target.op is not None and indicator.target.unit


def test_expected_scores_follow_the_family_rules(golden_of: Callable[[str, int], ExtractionResult]) -> None:
    for number in range(3):
        variant = _variant("national_project", number)
        result = golden_of("national_project", number)
        scores = expected_scores(variant, result)
        budget = result.budget_lines[0]
        assert budget.weight is not None and budget.rate is not None
        assert scores.budget_lines[0].expected_score == pytest.approx(
            min(budget.weight, budget.weight * budget.rate / 100), abs=0.01
        )
        by_id = {i.id: i for i in result.indicators}
        for row in scores.indicators:
            indicator = by_id[row.record]
            if indicator.target.qualitative or indicator.weight is None:
                continue
            target, actual = indicator.target.value, indicator.actual.value
            assert target is not None and actual is not None and row.expected_score is not None
            met = actual <= target if indicator.target.op == "<=" else actual >= target
            if indicator.target.op == "=":
                met = actual == target
            if met:
                assert row.expected_score == indicator.weight
            else:
                assert row.expected_score < indicator.weight


def test_the_committed_sample_is_what_the_generator_writes(tmp_path: Path) -> None:
    """fixtures/zoo/samples is the reviewed sample: a change to a golden must be deliberate."""
    write_samples(tmp_path)
    committed = sorted(path.relative_to(SAMPLES_DIR) for path in SAMPLES_DIR.glob("*/*.json"))
    fresh = sorted(path.relative_to(tmp_path) for path in tmp_path.glob("*/*.json"))
    assert committed == fresh
    stale = [str(p) for p in committed if (SAMPLES_DIR / p).read_bytes() != (tmp_path / p).read_bytes()]
    assert not stale, f"run `python -m fixtures.zoo --samples` and review the diff: {stale}"


@pytest.mark.parametrize("family", FAMILIES)
def test_golden_source_cells_point_at_the_printed_figures(
    family: str, golden_of: Callable[[str, int], ExtractionResult]
) -> None:
    result = golden_of(family, 2)
    tables = {table.id: {(cell.row, cell.col): cell.text for cell in table.cells} for table in result.tables}

    def printed(record: object, field: str) -> list[str]:
        source = record.source  # type: ignore[attr-defined]
        assert source.table in tables
        return [tables[source.table][tuple(ref)] for ref in source.cells[field]]

    for indicator in result.indicators:
        assert "".join(printed(indicator, "name")) == indicator.name
        if indicator.target.raw:
            assert "".join(printed(indicator, "target")) == indicator.target.raw
        if indicator.actual.raw:
            assert printed(indicator, "actual") == [indicator.actual.raw]
        for name in ("weight", "score"):
            if getattr(indicator, name) is not None:
                assert float(printed(indicator, name)[0]) == getattr(indicator, name)
        for level in ("level1", "level2"):
            if getattr(indicator, level):
                assert printed(indicator, level)[0].startswith(getattr(indicator, level))
    for line in result.budget_lines:
        assert printed(line, "item")[0].endswith(line.item)
        if line.adjusted is not None:
            assert float(printed(line, "adjusted")[0]) == line.adjusted
