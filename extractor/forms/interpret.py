"""Interpret a Layout as forms: sections, tables with roles, records and document fields."""

from __future__ import annotations

from typing import Optional

from extractor.forms import build, document, families, problems, titles
from extractor.forms.columns import column_readings
from extractor.forms.headers import HeaderMatch, header_key
from extractor.forms.lexicon import lexicon
from extractor.forms.rows import KeyValue, RowRecord, TableReading, read_table
from extractor.forms.statements import read_regions
from extractor.forms.view import TableView
from extractor.text.join import squeeze
from schemas import (
    Block,
    BudgetLine,
    DocumentInfo,
    ExtractionResult,
    Indicator,
    Layout,
    Paragraph,
    ParagraphBlock,
    Problem,
    ScoreSummary,
    Section,
    Source,
    Table,
    TableBlock,
)
from schemas.records import DocumentKind, SectionKind


def _own_score_labels() -> tuple[str, str, str]:
    """A form's own score lines (自评得分, 预算执行, 复核得分: lexicon `score_lines`), read from key values."""
    lines = lexicon().score_lines
    return (lines.self_score, lines.budget_score, lines.review_score)


class _Builder:
    """Collects records in document order and hands out stable ids."""

    def __init__(self, kind: DocumentKind) -> None:
        self.kind = kind
        self.sections: list[Section] = []
        self.tables: list[Table] = []
        self.indicators: list[Indicator] = []
        self.budget_lines: list[BudgetLine] = []
        self.scores: list[ScoreSummary] = []
        self.narrative: list[Paragraph] = []
        self.readings: list[tuple[Optional[str], TableReading]] = []
        self.current: Optional[Section] = None
        self.problems: list[Problem] = []
        self.open_region: Optional[HeaderMatch] = None
        """The indicator header the last table ended in (the next table may continue it)."""
        self.carry: Optional[tuple[build.LevelCarry, _Levels]] = None

    def record_count(self) -> int:
        return len(self.indicators) + len(self.budget_lines) + len(self.scores)

    def open_section(self, title: str, kind: SectionKind) -> Section:
        section = Section(id=f"s{len(self.sections) + 1}", kind=kind, title=title)
        self.sections.append(section)
        self.current = section
        return section

    def set_project_name(self, name: str) -> None:
        if self.current is None or self.current.project_name:
            return
        self.update_section(project_name=name)

    def update_section(self, **fields: object) -> None:
        """Set fields of the current section that are still empty (the first printed value wins)."""
        if self.current is None:
            return
        fields = {name: value for name, value in fields.items() if getattr(self.current, name) is None}
        if not fields:
            return
        updated = self.current.model_copy(update=fields)
        self.sections[self.sections.index(self.current)] = updated
        self.current = updated


def _add_table(builder: _Builder, block: TableBlock, title: Optional[str], unit: Optional[str]) -> None:
    table_id = f"t{len(builder.tables) + 1}"
    view = TableView(block)
    try:
        reading = read_table(view, builder.open_region)
    except Exception as error:  # one table the reader cannot follow must not sink the document
        builder.problems.append(
            Problem(stage="forms", message=f"表格无法解读：{type(error).__name__}: {error}", table=table_id)
        )
        reading = TableReading(records=[], key_values=[], headers=[])
    # A table of score rows alone (a 评分 table inside the narrative) belongs to no form: only
    # indicator or budget rows, or a form's own score lines, open a section.
    has_records = any(record.kind in ("indicators", "budget") for record in reading.records) or any(
        build.score_label(p.label.text) in _own_score_labels() for p in reading.key_values
    )
    if has_records and builder.current is None:
        builder.open_section(title or "", titles.section_kind(title or "", reading))
    section_id = builder.current.id if builder.current is not None else None
    for pair in reading.key_values:
        if document.key_field(pair.label.text) == "project_name" and pair.value is not None:
            builder.set_project_name(squeeze(pair.value.text))
    unit_name = document.implementing_unit(reading)
    if unit_name is not None:
        builder.update_section(implementing_unit=unit_name)
    builder.open_region = reading.open_region()
    before = builder.record_count()
    first_line = len(builder.budget_lines)
    try:
        _add_records(builder, reading, section_id, table_id, unit)
    except Exception as error:  # keep what the other tables gave; say which table failed
        builder.problems.append(
            Problem(stage="forms", message=f"表格记录读取失败：{type(error).__name__}: {error}", table=table_id)
        )
    builder.problems.extend(problems.table_problems(view, reading, table_id, builder.record_count() - before))
    builder.readings.append((section_id, reading))
    table = Table(
        id=table_id,
        section=section_id,
        role=titles.table_role(block, reading),
        title=title,
        pages=block.pages,
        n_rows=block.n_rows,
        n_cols=block.n_cols,
        cells=block.cells,
        columns=column_readings(block.n_cols, reading.headers),
    )
    try:
        table.regions = read_regions(table, builder.kind)
    except Exception as error:  # the records stand without the statement reading; the validator re-reads
        builder.problems.append(
            Problem(stage="forms", message=f"表格结构无法解读：{type(error).__name__}: {error}", table=table_id)
        )
    _link_budget_lines(builder.budget_lines[first_line:], table)
    builder.tables.append(table)


def _link_budget_lines(lines: list[BudgetLine], table: Table) -> None:
    """A budget line adds into the line the table prints as its total (合计 over its lines, 其中 parts,
    科目编码 levels): `parent` from the statement reading's row totals, on the side naming the line."""
    by_row = {line.source.row: line for line in lines if line.source.row is not None}
    for region in table.regions:
        for total in region.totals:
            owner = by_row.get(total.total)
            if total.axis != "rows" or owner is None:
                continue
            for row in total.parts:
                line = by_row.get(row)
                item = line.source.cells.get("item") if line is not None else None
                side_ok = not item or total.label_col is None or item[0][1] == total.label_col
                if line is not None and line.parent is None and line is not owner and side_ok:
                    line.parent = owner.id


class _Levels:
    """Score summaries of the 一级/二级 headings of one table, made when the form prints their weight or score."""

    def __init__(self, builder: _Builder, section: Optional[str], table_id: str) -> None:
        self.builder = builder
        self.section = section
        self.table_id = table_id
        self.by_key: dict[tuple[str, ...], ScoreSummary] = {}

    def summary(self, level: Optional[build.Level], parent: Optional[str], *outer: str) -> Optional[str]:
        """The id of the level's summary (made on first sight), else `parent`.

        Keyed by the level's names, not its cell: a heading reprinted on every row or after a
        page break is one level.
        """
        if level is None or not level.scored:
            return parent
        key = (*outer, level.name)
        found = self.by_key.get(key)
        if found is None:
            ident = f"c{len(self.builder.scores) + 1}"
            found = build.level_summary(level, ident=ident, section=self.section, table_id=self.table_id)
            found.parent = parent if parent is not None and parent != found.id else None
            self.builder.scores.append(found)
            self.by_key[key] = found
        return found.id

    def tops(self) -> list[ScoreSummary]:
        """Level summaries that add into nothing yet (the 一级 ones): they add into the 总分."""
        return [summary for summary in self.by_key.values() if summary.parent is None]


def _add_records(
    builder: _Builder, reading: TableReading, section: Optional[str], table_id: str, unit: Optional[str]
) -> None:
    if reading.continued and builder.carry is not None:
        carry, levels = builder.carry  # the levels go on from the table this one continues
    else:
        carry, levels = build.LevelCarry(), _Levels(builder, section, table_id)
    builder.carry = (carry, levels)
    blocks = _block_summaries(builder, reading, section, table_id)  # first: they head their blocks
    first_indicator = len(builder.indicators)
    totals: list[ScoreSummary] = []
    items: list[tuple[int, int, object]] = [(record.row, 0, record) for record in reading.records]
    items += [(pair.row, pair.label.col, pair) for pair in reading.key_values]
    items.sort(key=lambda item: item[:2])
    for *_, item in items:
        if isinstance(item, KeyValue):
            if build.score_label(item.label.text) in _own_score_labels():
                ident = f"c{len(builder.scores) + 1}"
                builder.scores.append(build.score_pair(item, ident=ident, section=section, table_id=table_id))
            continue
        record = item
        if not isinstance(record, RowRecord):
            continue
        if record.kind == "indicators":
            ident = f"i{len(builder.indicators) + 1}"
            level1, level2 = carry.update(record.cells)
            outer = level1.name if level1 is not None else ""
            parent = levels.summary(level2, levels.summary(level1, None), outer)
            builder.indicators.append(
                build.indicator(
                    record,
                    ident=ident,
                    section=section or "",
                    table_id=table_id,
                    levels=(level1, level2),
                    parent=parent,
                )
            )
        elif record.kind == "budget" or (record.kind == "total" and record.region_kind == "budget"):
            ident = f"b{len(builder.budget_lines) + 1}"
            builder.budget_lines.append(
                build.budget_line(record, ident=ident, section=section, table_id=table_id, unit=unit)
            )
        else:
            ident = f"c{len(builder.scores) + 1}"
            summary = build.score_row(record, ident=ident, section=section, table_id=table_id)
            builder.scores.append(summary)
            if record.kind == "total":
                totals.append(summary)
    top = blocks.get("indicators")
    if top is not None:
        for indicator in builder.indicators[first_indicator:]:
            if indicator.parent is None:
                indicator.parent = top.id  # no level summary: the 年度绩效目标(80分) block it adds into
        for summary in levels.tops():
            if summary.id != top.id:
                summary.parent = top.id
    if totals:
        for summary in [*levels.tops(), *blocks.values()]:
            if summary.parent is None:
                summary.parent = totals[-1].id


def _block_summaries(
    builder: _Builder, reading: TableReading, section: Optional[str], table_id: str
) -> dict[str, ScoreSummary]:
    """A region's side label that prints its full marks (年度绩效目标(80分), 预算执行情况(20分)) is the
    score summary of the whole block: its levels add into it."""
    found: dict[str, ScoreSummary] = {}
    for header in reading.headers:
        for cell in header.header_cells:
            if header.kind in found or not cell.side_label(header.row):
                continue
            marks = build.full_marks(cell.text)
            label = header_key(cell.text)
            if marks is None or not label:
                continue
            summary = ScoreSummary(
                id=f"c{len(builder.scores) + 1}",
                section=section,
                label=label,
                weight=marks,
                source=Source(table=table_id, row=cell.row, cells={"label": [(cell.row, cell.col)]}),
            )
            builder.scores.append(summary)
            found[header.kind] = summary
    return found


def _link_to_top(builder: _Builder) -> None:
    """What adds into nothing yet adds into its form's top: the 总分/合计 row, else the 自评得分.

    Indicators without a level summary and level summaries without a parent, per section.
    """
    for section in builder.sections:
        scores = [s for s in builder.scores if s.section == section.id]
        # 总分 first, then the form's 自评得分, then a 合计 row (which may total a side table)
        top = next((s for label in lexicon().score_lines.top_labels for s in scores if s.label == label), None)
        if top is None:
            continue
        levels = {name for i in builder.indicators if i.section == section.id for name in (i.level1, i.level2) if name}
        for indicator in builder.indicators:
            if indicator.section == section.id and indicator.parent is None:
                indicator.parent = top.id
        for summary in scores:
            if summary.parent is None and summary is not top and summary.label in levels:
                summary.parent = top.id


def _name_families(builder: _Builder) -> None:
    """Each section's template family, from the roles and weights found in its tables."""
    for index, section in enumerate(builder.sections):
        readings = [reading for section_id, reading in builder.readings if section_id == section.id]
        level_weights = any(i.parent is not None for i in builder.indicators if i.section == section.id)
        found = families.traits(section.title, section.kind, readings, level_weights)
        builder.sections[index] = section.model_copy(update={"template_family": families.template_family(found)})


def interpret(layout: Layout, info: DocumentInfo) -> ExtractionResult:
    builder = _Builder(info.kind)
    blocks: list[Block] = layout.blocks
    pending_title: Optional[str] = None
    for index, block in enumerate(blocks):
        if isinstance(block, ParagraphBlock):
            text = block.text
            if titles.is_form_title(text):
                pending_title = squeeze(text)
            elif titles.is_report_title(text):
                builder.current = None
            section_id = builder.current.id if builder.current else None
            builder.narrative.append(
                Paragraph(
                    id=f"p{len(builder.narrative) + 1}", text=text, page=block.page, bbox=block.bbox, section=section_id
                )
            )
            continue
        title = titles.table_title(blocks, index)
        inner_title = titles.inner_title(block)
        # The table's own caption names its form best; a form title seen earlier in the
        # text (附件1 部门整体支出绩效自评表 in a list of attachments) is the fallback.
        own = [t for t in (title, inner_title) if t and titles.is_form_title(t)]
        form_title = own[0] if own else pending_title
        if form_title is not None:
            reading_kind = titles.section_kind(form_title, None)
            builder.open_section(squeeze(form_title), reading_kind)
            pending_title = None
        _add_table(builder, block, title or inner_title, titles.table_unit(blocks, index))
    _name_families(builder)  # before _link_to_top: a level parent, not the top, marks level weights
    _link_to_top(builder)
    fields = document.document_fields(builder.sections, builder.readings, builder.scores, blocks)
    return ExtractionResult(
        document=info.model_copy(update=fields),
        sections=builder.sections,
        tables=builder.tables,
        indicators=builder.indicators,
        budget_lines=builder.budget_lines,
        scores=builder.scores,
        narrative=builder.narrative,
        problems=[*layout.problems, *builder.problems],
    )
