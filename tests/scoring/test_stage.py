"""The scoring stage on the seed goldens: proposals, deductions, findings, profile choice, the summary XLSX."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from extractor.rules import apply_validation, validate
from extractor.scoring.profiles import ProfileError, load_profile, load_profiles, profile_for, profile_named
from extractor.scoring.stage import score_result
from extractor.scoring.summary import HEADERS, summary_rows, write_summary_xlsx
from schemas import ExtractionResult, Section

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"


def golden(seed: str) -> ExtractionResult:
    return ExtractionResult.model_validate_json((SEEDS / seed / "golden.json").read_text(encoding="utf-8"))


def records(result: ExtractionResult) -> dict[str, object]:
    return {r.id: r for r in (*result.indicators, *result.budget_lines, *result.scores)}


@pytest.mark.parametrize("seed", ["000", "001", "002", "004"])
def test_proposed_budget_scores_equal_the_printed_ones(seed: str) -> None:
    """预算执行 is weight × rate on every seed form: the proposal equals what the form prints."""
    scored = score_result(golden(seed))
    budget = [
        r
        for r in (*scored.budget_lines, *scored.scores)
        if r.scoring is not None and r.scoring.startswith("分值") and r.score is not None
    ]
    assert budget, "every seed form scores its budget block"
    for record in budget:
        assert record.expected_score == record.score, record.scoring


def test_yulin_review_proposals() -> None:
    scored = score_result(golden("002"))
    by_id = records(scored)
    assert by_id["i2"].expected_score == 3.12  # type: ignore[attr-defined]
    assert by_id["i11"].expected_score == 4.33  # type: ignore[attr-defined]
    assert by_id["i8"].expected_score == 1.8  # type: ignore[attr-defined]  # the reviewers' 1.80: deviation > 30%
    assert by_id["c10"].expected_score == 7.77  # type: ignore[attr-defined]
    assert "77.73%" in by_id["c10"].scoring  # type: ignore[attr-defined]  # the rate from the report text
    section = next(s for s in scored.sections if s.id == "s1")
    assert section.scoring_profile == "department_overall"
    assert [(d.ref, d.points) for d in section.deductions] == [("i8.score", 0.2)]
    assert section.proposed_review_score == 93.02
    assert scored.document.proposed_review_score == 93.02


def test_deductions_become_warnings_and_underscoring_becomes_info() -> None:
    scored = score_result(golden("002"))
    warning = [f for f in validate(scored) if f.rule == "score_inconsistent" and "i8.expected_score" in f.refs]
    assert len(warning) == 1 and warning[0].severity == "warning"
    assert warning[0].expected == 1.8 and warning[0].found == 2.0
    low = scored.model_copy(deep=True)
    low.indicators[1].score = 2.0  # 3.12 expected
    info = [f for f in validate(low) if "i2.expected_score" in f.refs]
    assert [(f.severity, f.expected) for f in info] == [("info", 3.12)]


def test_an_unscored_result_gets_no_proposal_findings() -> None:
    findings = validate(golden("002"))
    assert not [f for f in findings if any(ref.endswith(".expected_score") for ref in f.refs)]


def test_missed_growth_target_is_proposed_in_proportion() -> None:
    scored = score_result(golden("004"))
    line = records(scored)["i15"]
    assert line.expected_score == 0.06  # type: ignore[attr-defined]  # 5 × 0.1/8
    section = next(s for s in scored.sections if any(d.ref == "i15.score" for d in s.deductions))
    assert next(d.points for d in section.deductions if d.ref == "i15.score") == 1.94


def test_undecidable_records_keep_their_self_score_and_say_why() -> None:
    scored = score_result(golden("002"))
    i19 = records(scored)["i19"]
    assert i19.expected_score is None and "无法确定" in i19.scoring  # type: ignore[attr-defined]


def test_profile_override_changes_the_budget_weight_used_only_where_none_is_printed() -> None:
    result = golden("000")
    result.scores[3].weight = None  # c4 预算执行 without its printed 10
    scored = score_result(result, "provincial_budget20")
    assert records(scored)["c4"].expected_score == 19.26  # type: ignore[attr-defined]  # 20 × 96.30%
    assert {s.scoring_profile for s in scored.sections} == {"provincial_budget20"}


def test_profiles_load_validate_and_are_chosen_by_family_then_kind() -> None:
    profiles = load_profiles()
    assert {p.name for p in profiles} >= {"national_project", "department_overall", "provincial_budget20"}
    project = Section(id="s1", kind="project", title="x")
    assert profile_for(project, profiles).name == "national_project"  # type: ignore[union-attr]
    family = project.model_copy(update={"template_family": "provincial_project"})
    assert profile_for(family, profiles).name == "provincial_budget20"  # type: ignore[union-attr]
    department = Section(id="s2", kind="department", title="x", template_family="national_project_2020")
    assert profile_for(department, profiles).name == "department_overall"  # type: ignore[union-attr]
    assert profile_for(project, profiles, "department_overall").name == "department_overall"  # type: ignore[union-attr]
    with pytest.raises(ProfileError):
        profile_named("nope", profiles)
    assert profile_named("department_overall", profiles).grade(91.52) == "一等"
    assert profile_named("department_overall", profiles).grade(88.05) == "二等"


def test_a_profile_that_does_not_validate_fails_on_load(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("name: broken\ntitle: x\ndeviation: {limit: many}\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="broken.yaml"):
        load_profile(bad)
    renamed = tmp_path / "other.yaml"
    renamed.write_text("name: broken\ntitle: x\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="differs"):
        load_profile(renamed)


def test_review_summary_xlsx(tmp_path: Path) -> None:
    results = [apply_validation(score_result(golden(seed))) for seed in ("000", "002")]
    rows = summary_rows(results)
    project = rows[0]
    assert project.project == "贺州市工程系列中初级评审会经费"
    assert (project.adjusted, project.actual, project.rate, project.self_score) == (10.0, 9.6304, 96.3, 99.63)
    assert project.proposed_score is not None and project.grade == "优"
    printed = [r for r in rows if r.project == "工程系列职称改革专项支出"]
    assert [(r.self_score, r.review_score, r.grade) for r in printed] == [(92.94, 88.05, "二等")]
    path = write_summary_xlsx(rows, tmp_path / "复核意见汇总表.xlsx")
    sheet = load_workbook(path).active
    assert sheet is not None
    assert [c.value for c in sheet[3]] == [name for name, _ in HEADERS]
    assert sheet.max_row == 3 + len(rows)
    assert sheet.cell(4, 3).value == "贺州市工程系列中初级评审会经费"
