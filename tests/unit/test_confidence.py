"""Field confidence = recognition × role certainty × the reader's doubts (extractor.confidence).

Each doubt is a family of situations; every test builds the smallest table showing one of them
and checks the field it concerns drops under the review threshold (or, for the mild ones, that it
drops at all and several together do), while the same table without the situation keeps 1.0.
"""

from __future__ import annotations

from typing import Optional

import pytest

from extractor.confidence import (
    UNPARSED,
    ReadingCertainty,
    RoleCertainty,
    assess,
    combine,
    doubts_by_record,
    parsing_certainty,
    with_reading_certainty,
)
from extractor.review.summary import LOW_CONFIDENCE
from schemas import (
    BudgetLine,
    Cell,
    ColumnReading,
    DocumentInfo,
    ExtractionResult,
    Indicator,
    ScoreSummary,
    Source,
    Table,
    Value,
)

INFO = DocumentInfo(file="x.pdf", sha256="0" * 64, kind="pdf_digital")


def _table(rows: list[list[str]], columns: Optional[list[tuple[str, str]]] = None, **spans: int) -> Table:
    """A grid of texts; `spans` `r{row}c{col}` = row_span for the cell at that place."""
    cells = [
        Cell(row=r, col=c, text=text, row_span=spans.get(f"r{r}c{c}", 1))
        for r, row in enumerate(rows)
        for c, text in enumerate(row)
        if text is not None
    ]
    readings = [ColumnReading(col=c, role=role, evidence=evidence) for c, (role, evidence) in enumerate(columns or [])]
    return Table(id="t1", n_rows=len(rows), n_cols=max(len(r) for r in rows), cells=cells, columns=readings)


def _budget(table: Table, row: int, fields: dict[str, int], **values: object) -> ExtractionResult:
    line = BudgetLine(
        id="b1",
        item=str(values.pop("item", table.cells[0].text)),
        source=Source(table="t1", row=row, cells={name: [(row, col)] for name, col in fields.items()}),
        confidence={name: 1.0 for name in fields},
        **values,  # type: ignore[arg-type]  # test data: the BudgetLine fields given by name
    )
    return ExtractionResult(document=INFO, tables=[table], budget_lines=[line])


def _confidence(result: ExtractionResult, record: str = "b1") -> dict[str, float]:
    return {field: item.confidence for field, item in assess(result)[record].items()}


def _doubts(result: ExtractionResult, record: str, field: str) -> list[str]:
    return [doubt.kind for doubt in assess(result)[record][field].doubts]


BUDGET_HEADER = ["项目", "年初预算数", "全年预算数", "全年执行数", "执行率"]
BUDGET_FIELDS = {"item": 0, "initial": 1, "adjusted": 2, "actual": 3, "rate": 4}


def test_role_certainty_orders_exact_over_head_word_over_fuzzy_over_content() -> None:
    certainty = RoleCertainty()
    exact, head = certainty.of("lexicon:得分"), certainty.of("head:得分")
    fuzzy, content = certainty.of("lexicon:绩效指标名称~"), certainty.of("content:number")
    assert exact is not None and head is not None and fuzzy is not None and content is not None
    assert exact > head > fuzzy > content > certainty.none
    assert content == LOW_CONFIDENCE, "content typing alone sits at the threshold, any doubt more flags it"
    assert certainty.of("") is None and certainty.of("guess:x") == certainty.none
    assert combine(0.9, None) == 0.9
    assert combine(0.9, 0.5) == pytest.approx(0.45)


def test_a_clean_budget_line_under_exact_headers_is_certain() -> None:
    table = _table([BUDGET_HEADER, ["合计", "100.00", "100.00", "95.80", "95.80%"]])
    result = _budget(table, 1, BUDGET_FIELDS, initial=100, adjusted=100, actual=95.8, rate=95.8, item="合计")
    assert set(_confidence(result).values()) == {1.0}
    assert doubts_by_record(result) == {}


def test_a_budget_field_takes_its_role_from_its_own_region_header_not_the_indicator_columns() -> None:
    # The table's column readings belong to the indicator block below; the budget row's adjustment cell
    # sits under a header the lexicon knows by head word only (…及当年调整预算数, an adjustment amount in the
    # Jiangsu family that splits 预算 and 执行) — that is its evidence.
    rows = [["项目", "年初预算数", "当年使用上年结余及当年调整预算数"], ["合计", "100", "90"]]
    columns = [("name", "lexicon:指标名称"), ("target", "lexicon:目标值"), ("weight", "lexicon:分值")]
    fields = {"item": 0, "initial": 1, "adjustment": 2}
    result = _budget(_table(rows, columns), 1, fields, initial=100, adjustment=90)
    reading = assess(result)["b1"]
    assert reading["initial"].confidence == 1.0
    assert reading["adjustment"].role is not None and reading["adjustment"].role.startswith("head:")
    assert reading["adjustment"].confidence == RoleCertainty().head


def test_a_rate_turned_from_a_printed_fraction_into_percent_is_doubted() -> None:
    table = _table([BUDGET_HEADER, ["合计", "100.00", "100.00", "95.80", "0.958"]])
    result = _budget(table, 1, BUDGET_FIELDS, initial=100, adjusted=100, actual=95.8, rate=95.8, item="合计")
    assert _doubts(result, "b1", "rate") == ["rescaled"]
    assert _confidence(result)["rate"] == ReadingCertainty().rescaled
    assert _confidence(result)["actual"] == 1.0


def test_a_rate_printed_as_a_small_number_without_percent_and_kept_is_flagged() -> None:
    table = _table([BUDGET_HEADER, ["合计", "100.00", "100.00", "95.80", "0.958"]])
    result = _budget(table, 1, BUDGET_FIELDS, initial=100, adjusted=100, actual=95.8, rate=0.958, item="合计")
    assert _doubts(result, "b1", "rate") == ["fraction"]
    assert _confidence(result)["rate"] < LOW_CONFIDENCE


@pytest.mark.parametrize("item", ["年度资金总额:", "：财政拨款", "其中(中央补助"])
def test_a_label_left_with_stray_punctuation_is_flagged(item: str) -> None:
    table = _table([BUDGET_HEADER, [item, "100.00", "100.00", "95.80", "95.80%"]])
    result = _budget(table, 1, BUDGET_FIELDS, initial=100, adjusted=100, actual=95.8, rate=95.8, item=item)
    assert _doubts(result, "b1", "item") == ["punctuation"]
    assert _confidence(result)["item"] < LOW_CONFIDENCE
    clean = _budget(table, 1, BUDGET_FIELDS, initial=100, adjusted=100, actual=95.8, rate=95.8, item="其中(中央补助)")
    assert _confidence(clean)["item"] == 1.0


def test_a_label_taken_from_a_side_cell_spanning_rows_is_flagged() -> None:
    # 市级预算执行情况(万元) spans the header row and the figures row: it names a block, maybe not the line.
    rows = [["市级预算执行情况(万元)", "年初预算数", "全年预算数"], [None, "2960.00", "0.00"]]
    table = _table(rows, r0c0=2)  # type: ignore[list-item]  # None: covered by the span above
    result = _budget(table, 1, {"item": 0, "initial": 1, "adjusted": 2}, initial=2960, adjusted=0)
    result.budget_lines[0].source.cells["item"] = [(0, 0)]
    assert _doubts(result, "b1", "item") == ["side_label"]
    assert _confidence(result)["item"] < LOW_CONFIDENCE


def test_a_figure_under_a_header_no_role_names_doubts_the_row_figures() -> None:
    # 全年实支数 is vocabulary the lexicon does not know: its figure is in no field, and the figures
    # beside it may be shifted — every figure of the row is doubted, the labels are not.
    rows = [
        ["项目", "年初预算数", "全年预算数", "全年实支数(新说法)", "执行率"],
        ["合计", "100", "100", "95.8", "95.8%"],
    ]
    fields = {"item": 0, "initial": 1, "adjusted": 2, "rate": 4}
    result = _budget(_table(rows), 1, fields, initial=100, adjusted=100, rate=95.8, item="合计")
    confidence = _confidence(result)
    assert confidence["item"] == 1.0
    assert all(confidence[name] < 1.0 for name in ("initial", "adjusted", "rate"))
    assert _doubts(result, "b1", "initial") == ["unclaimed"]
    # The same figure under a header that names a role another column took is a choice, not an unknown.
    rows[0][3] = "全年执行数"
    named = _budget(_table(rows), 1, fields, initial=100, adjusted=100, rate=95.8, item="合计")
    assert set(_confidence(named).values()) == {1.0}


def test_a_value_joined_from_cells_and_a_cell_read_twice_are_mild_doubts_that_add_up() -> None:
    rows = [["指标名称", "运算符", "目标值", "单位", "分值"], ["数量", "≥", "45", "条", "产出指标(50分)"]]
    columns = [
        ("name", "lexicon:指标名称"),
        ("operator", "lexicon:运算符"),
        ("target", "lexicon:目标值"),
        ("unit", "lexicon:单位"),
        ("weight", "content:number"),
    ]
    indicator = Indicator(
        id="i1",
        section="s1",
        name="数量",
        target=Value(raw="≥45条", op=">=", value=45, unit="条"),
        level1="产出指标",
        weight=50,
        source=Source(
            table="t1",
            row=1,
            cells={"name": [(1, 0)], "target": [(1, 2), (1, 1), (1, 3)], "level1": [(1, 4)], "weight": [(1, 4)]},
        ),
        confidence={"name": 1.0, "target": 1.0, "weight": 1.0},
    )
    result = ExtractionResult(document=INFO, tables=[_table(rows, columns)], indicators=[indicator])
    reading = assess(result)["i1"]
    assert [d.kind for d in reading["target"].doubts] == ["joined"]
    assert LOW_CONFIDENCE <= reading["target"].confidence < 1.0
    assert [d.kind for d in reading["weight"].doubts] == ["shared"]
    assert reading["weight"].confidence < LOW_CONFIDENCE, "a column typed by content and a shared cell together flag"
    assert reading["name"].confidence == 1.0


def test_a_level_carried_down_from_a_row_above_gets_a_confidence_and_a_doubt() -> None:
    rows = [["一级指标", "指标名称", "分值"], ["产出指标", "数量", "10"], ["", "质量", "10"]]
    columns = [("level1", "lexicon:一级指标"), ("name", "lexicon:指标名称"), ("weight", "lexicon:分值")]

    def indicator(row: int) -> Indicator:
        return Indicator(
            id=f"i{row}",
            section="s1",
            name=rows[row][1],
            level1="产出指标",
            weight=10,
            source=Source(table="t1", row=row, cells={"name": [(row, 1)], "weight": [(row, 2)], "level1": [(1, 0)]}),
            confidence={"name": 1.0, "weight": 1.0},
        )

    result = ExtractionResult(document=INFO, tables=[_table(rows, columns)], indicators=[indicator(1), indicator(2)])
    updated = with_reading_certainty(result)
    assert updated.indicators[0].confidence["level1"] == 1.0
    assert updated.indicators[1].confidence["level1"] == ReadingCertainty().inferred_level
    # A merged cell covering the row is printed for it: no inference.
    merged = result.model_copy(update={"tables": [_table(rows, columns, r1c0=2)]})
    assert with_reading_certainty(merged).indicators[1].confidence["level1"] == 1.0


def test_a_printed_figure_the_parser_could_not_read_lowers_the_confidence() -> None:
    assert parsing_certainty(Value(raw="≥45条", op=">=", value=45, unit="条")) == 1.0
    assert parsing_certainty(Value(raw="2023年12月", qualitative=True)) == 1.0
    assert parsing_certainty(Value(raw="—")) == 1.0  # a blank marker holds no figure
    assert parsing_certainty(Value(raw="约3成5")) == UNPARSED
    assert parsing_certainty(9.5) == 1.0


def test_recognition_multiplies_in_and_records_without_cells_are_left_alone() -> None:
    rows = [["指标名称", "得分"], ["数量", "9"]]
    columns = [("name", "lexicon:指标名称"), ("score", "head:得分")]
    scanned = Indicator(
        id="i1",
        section="s1",
        name="数量",
        score=9,
        source=Source(table="t1", row=1, cells={"name": [(1, 0)], "score": [(1, 1)]}),
        confidence={"name": 0.95, "score": 0.95},
    )
    summary = ScoreSummary(id="s9", label="总分", score=90, confidence={"score": 0.9})
    result = ExtractionResult(document=INFO, tables=[_table(rows, columns)], indicators=[scanned], scores=[summary])
    updated = with_reading_certainty(result)
    assert updated.indicators[0].confidence == {"name": 0.95, "score": pytest.approx(0.95 * RoleCertainty().head)}
    assert updated.scores[0] == summary
    bare = ExtractionResult(document=INFO, scores=[summary])
    assert with_reading_certainty(bare) is bare
