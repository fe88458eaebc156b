"""spreadsheet_error: a cell that prints #DIV/0!, #REF!, #VALUE!, #N/A … instead of a figure."""

from __future__ import annotations

from collections.abc import Iterator

from extractor.forms.statements.structure import is_figure
from extractor.forms.values import SPREADSHEET_ERROR
from extractor.rules.docview import DocView, TableBlocks
from extractor.rules.findings import Draft
from extractor.rules.grid import header_leaf, is_spreadsheet_error, squeeze

_MEANING = {
    "#DIV/0!": "除数为零",
    "#REF!": "引用的单元格已不存在",
    "#VALUE!": "参与计算的值类型错误",
    "#N/A": "查找不到数据",
    "#NAME?": "公式名称无法识别",
    "#NUM!": "数值无效",
}


def _row_label(view: TableBlocks, row: int, col: int) -> tuple[str, bool]:
    """The nearest words left of the cell (its label), and whether they are the row's first words.

    In a data row that is the line's label; in a form line (自评得分 90 预算执行 #DIV/0!) it is the
    key printed right before the value, and the column header does not apply.
    """
    words = [c for c in view.grid.anchors[row] if c.col < col and squeeze(c.text) and not is_figure(squeeze(c.text))]
    if not words:
        return "", False
    return squeeze(words[-1].text), words[-1] is words[0]


def _header(view: TableBlocks, row: int, col: int) -> str:
    block = view.block_of(row)
    if block is None or col not in block.columns:
        return ""
    return header_leaf(block.columns[col].header)


def spreadsheet_errors(view: DocView) -> Iterator[Draft]:
    for table in view.tables:
        for cell in table.table.cells:
            if not is_spreadsheet_error(cell.text):
                continue
            code = cell.text.strip().upper()
            label, first = _row_label(table, cell.row, cell.col)
            header = _header(table, cell.row, cell.col) if first else ""
            where = "、".join(part for part in (f"「{label}」" if label else "", header) if part)
            meaning = _MEANING.get(code, "公式出错")
            yield Draft(
                "spreadsheet_error",
                "error",
                f"{table.name}{where}印为 {code}（{meaning}），未填出数值",
                (view.ref(table.table.id, cell.row, cell.col),),
                expected=None,
                found=code,
            )
    for indicator in view.result.indicators:
        if indicator.source.table is not None:
            continue  # its cells were read above
        for name in ("target", "actual"):
            raw = getattr(indicator, name).raw
            if raw and is_spreadsheet_error(raw):
                yield Draft(
                    "spreadsheet_error",
                    "error",
                    f"指标「{indicator.name}」{name}印为 {raw.strip()}",
                    (f"{indicator.id}.{name}",),
                    found=raw.strip(),
                )
    for paragraph in view.result.narrative:
        for token in paragraph.text.split():
            if SPREADSHEET_ERROR.match(token.strip("，。；,;")):
                yield Draft(
                    "spreadsheet_error",
                    "error",
                    f"正文中出现 {token.strip('，。；,;')}，应为计算结果",
                    (f"{paragraph.id}.text",),
                    found=token.strip("，。；,;"),
                )
