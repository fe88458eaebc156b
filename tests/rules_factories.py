"""Small builders of ExtractionResult objects for the validator's tests.

Tables are written row by row like HTML tables (a cell is a string or a dict with
text/rowspan/colspan/indent); a row can also yield a record whose fields are read
from named columns, as the golden generator does, so refs and printed precision
behave exactly as on a real extraction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

from extractor.forms.build import budget_item, score_label
from extractor.forms.values import parse_amount, parse_value
from schemas import (
    BudgetLine,
    Cell,
    DocumentInfo,
    ExtractionResult,
    Indicator,
    Paragraph,
    ScoreSummary,
    Section,
    Source,
    Table,
)

CellSpec = Union[str, dict]


@dataclass
class TableBuilder:
    id: str
    title: Optional[str] = None
    section: Optional[str] = "s1"
    role: str = "budget"
    unit: Optional[str] = "万元"
    rows: list[list[CellSpec]] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    budget_lines: list[BudgetLine] = field(default_factory=list)
    scores: list[ScoreSummary] = field(default_factory=list)
    _occupied: set = field(default_factory=set)
    _counters: Optional[Counters] = None

    def row(
        self,
        cells: list[CellSpec],
        *,
        budget: Optional[dict] = None,
        indicator: Optional[dict] = None,
        score: Optional[dict] = None,
        pairs: Optional[list[tuple[int, int]]] = None,
    ) -> TableBuilder:
        r = len(self.rows)
        self.rows.append(cells)
        col = 0
        placed: dict[int, Cell] = {}
        for spec in cells:
            while (r, col) in self._occupied:
                col += 1
            spec = {"text": spec} if isinstance(spec, str) else dict(spec)
            cell = Cell(
                row=r,
                col=col,
                row_span=spec.get("rowspan", 1),
                col_span=spec.get("colspan", 1),
                text=spec.get("text", ""),
                indent=spec.get("indent"),
            )
            self.cells.append(cell)
            for rr in range(r, r + cell.row_span):
                for cc in range(col, col + cell.col_span):
                    self._occupied.add((rr, cc))
                    placed[cc] = cell
            col += cell.col_span
        counters = self._counters or Counters()

        def text(c: int) -> Optional[str]:
            cell = placed.get(c)
            return cell.text if cell is not None and cell.row == r and cell.col == c else None

        def source(columns: dict) -> Source:
            """Where each field was read, as the reader's source.cells names it (top-left of the cell)."""
            cells = {}
            for name, c in columns.items():
                cell = placed.get(c) if isinstance(c, int) and not isinstance(c, bool) else None
                if cell is not None:
                    cells[name] = [(cell.row, cell.col)]
            return Source(page=1, table=self.id, row=r, cells=cells)

        if budget is not None:
            amounts = {k: parse_amount(text(v)) for k, v in budget.items() if k != "item"}
            self.budget_lines.append(
                BudgetLine(
                    id=counters.next("b"),
                    section=self.section,
                    item=budget_item(text(budget["item"]) or ""),
                    unit=self.unit,
                    source=source(budget),
                    **amounts,
                )
            )
        if indicator is not None:
            values = {k: v for k, v in indicator.items() if not isinstance(v, int)}
            cols = {k: v for k, v in indicator.items() if isinstance(v, int)}
            self.indicators.append(
                Indicator(
                    id=counters.next("i"),
                    section=self.section or "",
                    source=source(cols),
                    name="".join((values.get("name") or text(cols["name"]) or "").split()),
                    level1=values.get("level1"),
                    level2=values.get("level2"),
                    target=parse_value(text(cols["target"])) if "target" in cols else parse_value(None),
                    actual=parse_value(text(cols["actual"])) if "actual" in cols else parse_value(None),
                    weight=parse_amount(text(cols["weight"])) if "weight" in cols else None,
                    score=parse_amount(text(cols["score"])) if "score" in cols else None,
                    review_score=parse_amount(text(cols["review_score"])) if "review_score" in cols else None,
                    description=text(cols["description"]) or None if "description" in cols else None,
                    deviation_reason=text(cols["deviation_reason"]) or None if "deviation_reason" in cols else None,
                )
            )
        if score is not None:
            self.scores.append(
                ScoreSummary(
                    id=counters.next("c"),
                    section=self.section,
                    source=source(score),
                    label=score_label(text(score["label"]) or ""),
                    **{k: parse_amount(text(v)) for k, v in score.items() if k != "label"},
                )
            )
        for label_col, value_col in pairs or []:
            label = score_label(text(label_col) or "")
            raw = text(value_col)
            marks = {"自评得分": 100.0, "预算执行": 10.0}.get(label)
            if label == "复核得分":
                self.scores.append(
                    ScoreSummary(
                        id=counters.next("c"),
                        section=self.section,
                        source=source({"label": label_col, "review_score": value_col}),
                        label="复核得分",
                        review_score=parse_amount(raw),
                    )
                )
            else:
                self.scores.append(
                    ScoreSummary(
                        id=counters.next("c"),
                        section=self.section,
                        source=source({"label": label_col, "score": value_col}),
                        label=label,
                        weight=marks,
                        score=parse_amount(raw),
                    )
                )
        return self

    def table(self) -> Table:
        n_cols = max((c.col + c.col_span for c in self.cells), default=0)
        return Table(
            id=self.id,
            section=self.section,
            role=self.role,
            title=self.title,
            pages=[1],
            n_rows=len(self.rows),
            n_cols=n_cols,
            cells=list(self.cells),
        )


@dataclass
class Counters:
    """Ids b1…, i1…, c1… shared by all tables of one document, in document order."""

    counts: dict = field(default_factory=dict)

    def next(self, prefix: str) -> str:
        self.counts[prefix] = self.counts.get(prefix, 0) + 1
        return f"{prefix}{self.counts[prefix]}"


@dataclass
class DocumentBuilder:
    kind: str = "pdf_digital"
    year: Optional[int] = None
    counters: Counters = field(default_factory=Counters)
    tables: list[TableBuilder] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    extra_indicators: list[Indicator] = field(default_factory=list)
    parents: dict[str, str] = field(default_factory=dict)

    def link(self, parent: str, *children: str) -> DocumentBuilder:
        """The reader's hierarchy: each child record (i3, c2 …) adds into `parent` (a summary id)."""
        self.parents.update(dict.fromkeys(children, parent))
        return self

    def table(
        self,
        title: Optional[str] = None,
        *,
        section: Optional[str] = "s1",
        role: str = "budget",
        unit: Optional[str] = "万元",
    ) -> TableBuilder:
        builder = TableBuilder(id=f"t{len(self.tables) + 1}", title=title, section=section, role=role, unit=unit)
        builder._counters = self.counters
        self.tables.append(builder)
        return builder

    def text(self, *paragraphs: str) -> DocumentBuilder:
        self.paragraphs.extend(paragraphs)
        return self

    def section(self, kind: str = "department", title: str = "部门整体支出绩效自评表") -> DocumentBuilder:
        self.sections.append(Section(id=f"s{len(self.sections) + 1}", kind=kind, title=title))
        return self

    def build(self) -> ExtractionResult:
        def linked(records: list) -> list:
            return [r.model_copy(update={"parent": self.parents[r.id]}) if r.id in self.parents else r for r in records]

        return ExtractionResult(
            document=DocumentInfo(file="test.pdf", sha256="0" * 64, kind=self.kind, year=self.year),
            sections=self.sections or [Section(id="s1", kind="department", title="部门整体支出绩效自评表")],
            tables=[t.table() for t in self.tables],
            indicators=linked([i for t in self.tables for i in t.indicators] + self.extra_indicators),
            budget_lines=[b for t in self.tables for b in t.budget_lines],
            scores=linked([s for t in self.tables for s in t.scores]),
            narrative=[Paragraph(id=f"p{i + 1}", text=text) for i, text in enumerate(self.paragraphs)],
        )


def findings_of(result: ExtractionResult, rule: Optional[str] = None, severities=("error", "warning")):
    from extractor.rules import validate

    return [f for f in validate(result) if (rule is None or f.rule == rule) and f.severity in severities]


def golden(seed: str) -> ExtractionResult:
    """The golden result of a seed fixture (fixtures/seeds/<seed>/golden.json): the one truth of the seeds."""
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "fixtures" / "seeds" / seed / "golden.json"
    return ExtractionResult.model_validate_json(path.read_text(encoding="utf-8"))


def reprint(result: ExtractionResult, ref: str, text: str, *, cell_ref: Optional[str] = None) -> ExtractionResult:
    """The result as read from a page printing `text` where `ref` is: a record field (b16.rate) or a cell (t2.r4c2).

    The cell's text changes, and the record field read from it with it, as the reader would read it.
    `cell_ref` names the cell where the result does not say it (a golden without source.cells).
    """
    import re

    from extractor.rules.docview import DocView

    records = {r.id: r for r in [*result.indicators, *result.budget_lines, *result.scores]}
    cell = re.fullmatch(r"(t\d+)\.r(\d+)c(\d+)", cell_ref or ref)
    record, name = None, None
    if cell is not None:
        where = (cell.group(1), int(cell.group(2)), int(cell.group(3)))
    if cell_ref is not None or cell is None:
        record_id, name = ref.split(".", 1)
        record = records[record_id]
    if cell is None:
        found = DocView(result).cell_of(record, name)
        if found is None:
            raise KeyError(f"no cell behind {ref}")
        where = found
    table_id, row, col = where
    tables = [
        t.model_copy(
            update={
                "cells": [c.model_copy(update={"text": text}) if (c.row, c.col) == (row, col) else c for c in t.cells]
            }
        )
        if t.id == table_id
        else t
        for t in result.tables
    ]
    update: dict = {"tables": tables}
    if record is not None and name is not None:
        value = parse_value(text) if name in ("target", "actual") else parse_amount(text)
        changed = record.model_copy(update={name: value})
        for kind in ("indicators", "budget_lines", "scores"):
            update[kind] = [changed if r.id == record.id else r for r in getattr(result, kind)]
    return result.model_copy(update=update)


def rewrite(result: ExtractionResult, old: str, new: str) -> ExtractionResult:
    """The result with `old` replaced by `new` in the narrative paragraphs that print it."""
    narrative = [p.model_copy(update={"text": p.text.replace(old, new)}) for p in result.narrative]
    if narrative == result.narrative:
        raise ValueError(f"{old!r} is not in the narrative")
    return result.model_copy(update={"narrative": narrative})
