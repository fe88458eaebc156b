"""`extractor explain FILE`: why a form was read as it was.

Per table: the regions found (indicator / budget / score blocks, their header rows), each column's
role with its evidence (`lexicon:<entry>`, `head:<word>`, `content:<type>`, `none`), how many
records it gave, and the problems the reader reported for it. Rich tables by default, `--json`
for tools.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from pydantic import BaseModel, Field
from rich.console import Console
from rich.table import Table as RichTable

from schemas import ColumnReading, Problem, TableBlock, TableRegion


class ExplainColumn(BaseModel):
    col: int
    header: Optional[str] = None
    role: Optional[str] = None
    evidence: str = "none"


class ExplainRegion(BaseModel):
    kind: str
    header_rows: tuple[int, int]
    columns: list[ExplainColumn]


class ExplainTable(BaseModel):
    id: str
    title: Optional[str] = None
    role: str
    section: Optional[str] = None
    template_family: Optional[str] = None
    pages: list[int]
    n_rows: int
    n_cols: int
    regions: list[ExplainRegion] = Field(default_factory=list)
    columns: list[ColumnReading] = Field(default_factory=list)
    statements: list[TableRegion] = Field(default_factory=list)
    """The table read as statement regions: column roles, the totals it prints and the terms of its rates (what
    the validator checks)."""
    records: dict[str, int] = Field(default_factory=dict)
    problems: list[Problem] = Field(default_factory=list)


class Explanation(BaseModel):
    file: str
    department: Optional[str] = None
    year: Optional[int] = None
    tables: list[ExplainTable]
    problems: list[Problem] = Field(default_factory=list)
    """Problems that concern no single table."""


def _regions(block: TableBlock) -> list[ExplainRegion]:
    from extractor.forms.rows import read_table
    from extractor.forms.view import TableView

    try:
        reading = read_table(TableView(block))
    except Exception:  # the extraction already reported this table's failure as a problem
        return []
    regions = []
    for header in reading.headers:
        claims = [*header.roles.values()]
        claims += [claim.model_copy(update={"role": key}) for key, claim in header.level_weights.items()]
        columns = []
        for cell in sorted(header.header_cells, key=lambda c: (c.col, c.row)):
            claim = next((c for c in claims if c.first_col <= cell.col <= c.last_col), None)
            columns.append(
                ExplainColumn(
                    col=cell.col,
                    header=cell.text.replace("\n", ""),
                    role=claim.role if claim is not None else None,
                    evidence=claim.evidence if claim is not None else "none",
                )
            )
        known = {column.col for column in columns}
        columns += [
            ExplainColumn(col=c.first_col, role=c.role, evidence=c.evidence) for c in claims if c.first_col not in known
        ]
        columns.sort(key=lambda column: column.col)
        regions.append(ExplainRegion(kind=header.kind, header_rows=(header.first_row, header.row), columns=columns))
    return regions


def explain_file(path: Path) -> Explanation:
    """Read a file the way `extract` does and say, per table, what the reader made of it."""
    from extractor.forms.interpret import interpret
    from extractor.pipeline import file_sha256, layout_of
    from schemas import DocumentInfo

    layout = layout_of(path)
    info = DocumentInfo(file=path.name, sha256=file_sha256(path), kind=layout.kind, pages=layout.page_count)
    result = interpret(layout, info)
    blocks = [block for block in layout.blocks if isinstance(block, TableBlock)]
    families = {section.id: section.template_family for section in result.sections}
    tables = []
    for table, block in zip(result.tables, blocks):
        counts = {
            "indicators": sum(1 for r in result.indicators if r.source.table == table.id),
            "budget_lines": sum(1 for r in result.budget_lines if r.source.table == table.id),
            "scores": sum(1 for r in result.scores if r.source.table == table.id),
        }
        tables.append(
            ExplainTable(
                id=table.id,
                title=table.title,
                role=table.role,
                section=table.section,
                template_family=families.get(table.section or ""),
                pages=table.pages,
                n_rows=table.n_rows,
                n_cols=table.n_cols,
                regions=_regions(block),
                columns=table.columns,
                statements=table.regions,
                records={kind: count for kind, count in counts.items() if count},
                problems=[p for p in result.problems if p.table == table.id],
            )
        )
    return Explanation(
        file=path.name,
        department=result.document.department,
        year=result.document.year,
        tables=tables,
        problems=[p for p in result.problems if p.table is None],
    )


def print_explanation(explanation: Explanation, console: Console) -> None:
    console.print(
        f"[bold]{explanation.file}[/bold]  部门: {explanation.department or '—'}  年度: {explanation.year or '—'}"
    )
    for table in explanation.tables:
        records = ", ".join(f"{kind} {count}" for kind, count in table.records.items()) or "no records"
        family = f"  family {table.template_family}" if table.template_family else ""
        console.print(
            f"\n[bold]{table.id}[/bold] {table.title or ''}  role {table.role}  pages {table.pages}  "
            f"{table.n_rows}×{table.n_cols}  ({records}){family}"
        )
        for region in table.regions:
            grid = RichTable(title=f"{region.kind} region, header rows {region.header_rows[0]}–{region.header_rows[1]}")
            for name in ("col", "header", "role", "evidence"):
                grid.add_column(name)
            for column in region.columns:
                grid.add_row(str(column.col), column.header or "", column.role or "—", column.evidence)
            console.print(grid)
        if not table.regions:
            console.print("  no header row found")
        for statement in table.statements:
            roles = ", ".join(f"{c.col}:{c.role}" for c in statement.columns if c.role)
            rows = f"{statement.body_rows[0]}–{statement.body_rows[-1]}" if statement.body_rows else "—"
            totals = sum(t.axis == "rows" for t in statement.totals), sum(t.axis == "columns" for t in statement.totals)
            rates = ", ".join(f"{r.rate}={r.numerator}÷{r.denominator} ({r.evidence})" for r in statement.rates or [])
            console.print(
                f"  {statement.kind} rows {rows}: {roles or 'no roles'}; totals {totals[0]} by rows, {totals[1]} by columns"
                + (f"; rates {rates}" if rates else "")
            )
        for problem in table.problems:
            where = f" cell {problem.cell}" if problem.cell is not None else ""
            console.print(f"  [yellow]problem[/yellow]{where}: {problem.message}")
    for problem in explanation.problems:
        console.print(f"[yellow]problem[/yellow] ({problem.stage}): {problem.message}")


def explain(
    file: Annotated[Path, typer.Argument(help="PDF, DOCX, XLSX, XLS or image")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the explanation as JSON")] = False,
) -> None:
    """Per table: each column's role with its evidence, the regions found and the problems."""
    from extractor.errors import InputError

    try:
        explanation = explain_file(file)
    except InputError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=1) from error
    if as_json:
        sys.stdout.write(json.dumps(explanation.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")
    else:
        print_explanation(explanation, Console())
