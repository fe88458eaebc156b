"""The review firms' deliverable: a 复核意见汇总表, one row per project, written as XLSX.

Columns follow the 2024 玉林 review (附件二): unit, project, budgets, execution rate, self-score, the
proposed and the final review score, grade, problems found, suggestions. A document that is itself
such a summary (a review section whose budget lines are projects with 单位自评得分 / 复核得分) gives
its printed rows back.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Optional

from pydantic import BaseModel

from extractor.forms.lexicon import lexicon
from extractor.scoring.profiles import BudgetRule, Profile, load_profiles, profile_for
from extractor.scoring.records import scored_records
from schemas import BudgetLine, ExtractionResult, Indicator, Section

TITLE = "项目支出绩效自评复核意见汇总表"
HEADERS = (
    ("序号", 6),
    ("单位名称", 22),
    ("项目名称", 30),
    ("年初预算数", 11),
    ("调整后预算数", 11),
    ("预算执行数", 11),
    ("预算执行率", 10),
    ("单位自评得分", 10),
    ("建议复核得分", 10),
    ("复核得分", 10),
    ("等级", 8),
    ("存在问题", 60),
    ("改进建议", 50),
)


class SummaryRow(BaseModel):
    unit: Optional[str] = None
    project: str
    initial: Optional[float] = None
    adjusted: Optional[float] = None
    actual: Optional[float] = None
    rate: Optional[float] = None
    self_score: Optional[float] = None
    proposed_score: Optional[float] = None
    review_score: Optional[float] = None
    grade: Optional[str] = None
    problems: list[str] = []
    suggestions: list[str] = []


def _total_line(result: ExtractionResult, section: Section, profile: Optional[Profile]) -> Optional[BudgetLine]:
    lines = [b for b in result.budget_lines if b.section == section.id]
    items = (profile.budget if profile is not None else BudgetRule()).total_items  # no profile: the default
    return next((b for b in lines if b.item in items), lines[0] if lines else None)


def _self_score(result: ExtractionResult, section: Section) -> tuple[Optional[float], Optional[float]]:
    """The section's printed total: (self-score, review score)."""
    for summary in result.scores:
        totals = lexicon().score_lines.self_totals
        if summary.section == section.id and summary.label in totals and summary.score is not None:
            return summary.score, summary.review_score
    return None, None


def _final_score(result: ExtractionResult, section: Section, printed: Optional[float]) -> Optional[float]:
    """The printed 复核得分, else the sum of the records' review scores once every scored one has one."""
    if printed is not None:
        return printed
    records = [
        r
        for r in scored_records(result)
        if r.section == section.id and (r.expected_score is not None or (isinstance(r, Indicator) and r.weight))
    ]
    if not records or any(r.review_score is None for r in records):
        return None
    return round(sum(r.review_score or 0.0 for r in records), 2)


def _problems(result: ExtractionResult, section: Section) -> tuple[list[str], list[str]]:
    """What the section's findings and deductions say, and the rule ids behind them."""
    own = {r.id for r in scored_records(result) if r.section == section.id}
    problems: list[str] = []
    rules: list[str] = []
    for finding in result.findings:
        if any(ref.split(".", 1)[0] in own for ref in finding.refs) and finding.severity != "info":
            if finding.message not in problems:
                problems.append(finding.message)
            if finding.rule not in rules:
                rules.append(finding.rule)
    return problems, rules


def section_row(result: ExtractionResult, section: Section, profiles: tuple[Profile, ...]) -> SummaryRow:
    profile = profile_for(section, profiles, section.scoring_profile)
    line = _total_line(result, section, profile)
    self_score, printed_review = _self_score(result, section)
    final = _final_score(result, section, printed_review)
    problems, rules = _problems(result, section)
    suggestions = [profile.suggestions[r] for r in rules if profile is not None and r in profile.suggestions]
    graded = final if final is not None else section.proposed_review_score
    return SummaryRow(
        unit=section.implementing_unit or result.document.department,
        project=section.project_name or section.title,
        initial=line.initial if line else None,
        adjusted=line.adjusted if line else None,
        actual=line.actual if line else None,
        rate=line.rate if line else None,
        self_score=self_score,
        proposed_score=section.proposed_review_score,
        review_score=final,
        grade=profile.grade(graded) if profile is not None else None,
        problems=problems,
        suggestions=list(dict.fromkeys(suggestions)),
    )


def printed_rows(result: ExtractionResult, profiles: tuple[Profile, ...]) -> list[SummaryRow]:
    """The rows of a printed review summary: review-section budget lines that carry project scores."""
    rows: list[SummaryRow] = []
    for section in result.sections:
        if section.kind != "review":
            continue
        profile = profile_for(section, profiles, section.scoring_profile)
        for line in result.budget_lines:
            if line.section != section.id or line.weight is not None:
                continue
            if line.score is None and line.review_score is None:
                continue
            rows.append(
                SummaryRow(
                    unit=result.document.department,
                    project=line.item,
                    initial=line.initial,
                    adjusted=line.adjusted,
                    actual=line.actual,
                    rate=line.rate,
                    self_score=line.score,
                    review_score=line.review_score,
                    grade=profile.grade(line.review_score) if profile is not None else None,
                )
            )
    return rows


def summary_rows(
    results: Iterable[ExtractionResult], profiles: Optional[tuple[Profile, ...]] = None
) -> list[SummaryRow]:
    """Project forms first (one row each); a document without any gives its department form instead."""
    available = profiles if profiles is not None else load_profiles()
    rows: list[SummaryRow] = []
    for result in results:
        projects = [s for s in result.sections if s.kind == "project"]
        chosen = projects or [s for s in result.sections if s.kind == "department" and s.proposed_review_score]
        rows.extend(section_row(result, s, available) for s in chosen)
        rows.extend(printed_rows(result, available))
    return rows


def _rate_text(rate: Optional[float]) -> Optional[str]:
    return None if rate is None else f"{rate:.2f}%"


def write_summary_xlsx(rows: list[SummaryRow], path: Path, title: str = TITLE) -> Path:
    """One sheet: the title, the unit note, the header row and one row per project."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    def clean(text: Optional[str]) -> Optional[str]:
        """Control characters a PDF may carry make openpyxl refuse the whole cell."""
        return None if text is None else ILLEGAL_CHARACTERS_RE.sub("", text)

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = "复核意见汇总表"
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    sheet.cell(1, 1).alignment = Alignment(horizontal="center")
    sheet.append(["（单位：万元）"])
    sheet.append([name for name, _ in HEADERS])
    for number, row in enumerate(rows, start=1):
        sheet.append(
            [
                number,
                clean(row.unit),
                clean(row.project),
                row.initial,
                row.adjusted,
                row.actual,
                _rate_text(row.rate),
                row.self_score,
                row.proposed_score,
                row.review_score,
                row.grade,
                clean("\n".join(f"{i}.{p}" for i, p in enumerate(row.problems, 1))) if row.problems else "无意见",
                clean("\n".join(f"{i}.{s}" for i, s in enumerate(row.suggestions, 1))) if row.suggestions else "无意见",
            ]
        )
    for index, (_, width) in enumerate(HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for line in sheet.iter_rows(min_row=3):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="center")
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
