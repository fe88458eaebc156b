"""What the reader did not understand, as Problems (stage `forms`) naming table and cell.

Never silent: a header cell that names no role, a table headed like an indicator or budget
table that yields no records, and a figure that cannot be read as a number are reported, so a
reviewer sees what was left out instead of trusting a quiet gap.
"""

from __future__ import annotations

from extractor.forms.headers import HeaderMatch
from extractor.forms.lexicon import lexicon
from extractor.forms.rows import AMOUNT_ROLES, TableReading
from extractor.forms.values import is_blank_marker, is_spreadsheet_error, parse_amount
from extractor.forms.view import TableView
from extractor.text.join import squeeze
from schemas import Problem

REGION_NAMES = {"indicators": "绩效指标", "budget": "预算执行", "scores": "得分"}


def _claimed(header: HeaderMatch, col: int, last_col: int) -> bool:
    claims = [*header.roles.values(), *header.level_weights.values()]
    return any(claim.first_col <= col and last_col <= claim.last_col for claim in claims)


def _unmapped_headers(header: HeaderMatch, table_id: str) -> list[Problem]:
    found = []
    for cell in header.header_cells:
        text = squeeze(cell.text)
        if cell.hit is not None or cell.side_label(header.row) or _claimed(header, cell.col, cell.last_col):
            continue
        if not text or len(text) > lexicon().max_header_length or parse_amount(text) is not None:
            continue  # a figure or a sentence beside the header is data, not an unknown header word
        if any(claim.first_col >= cell.col and claim.last_col <= cell.last_col for claim in header.roles.values()):
            continue  # a group heading over columns its sub-headers name (年度指标 over 目标值 | 完成值)
        found.append(
            Problem(
                stage="forms",
                message=f"{REGION_NAMES[header.kind]}表头「{text}」未对应任何字段，该列未读取",
                table=table_id,
                cell=(cell.row, cell.col),
            )
        )
    return found


def _unreadable_figures(reading: TableReading, table_id: str) -> list[Problem]:
    found = []
    for record in reading.records:
        for role in AMOUNT_ROLES:
            cell = record.cells.get(role)
            if cell is None or cell.row != record.row:
                continue
            text = cell.text.strip()
            if is_blank_marker(text) or is_spreadsheet_error(text) or parse_amount(text) is not None:
                continue
            if record.kind == "indicators" and role not in ("weight", "score", "review_score"):
                continue
            found.append(
                Problem(
                    stage="forms",
                    message=f"「{squeeze(text)}」不是可读的数字（{role}），该字段留空",
                    table=table_id,
                    cell=(cell.row, cell.col),
                )
            )
    return found


def table_problems(view: TableView, reading: TableReading, table_id: str, n_records: int) -> list[Problem]:
    """The problems of one read table; `n_records` is how many records it gave."""
    found: list[Problem] = []
    for header in reading.headers:
        found.extend(_unmapped_headers(header, table_id))
    # Only a header naming its label column (三级指标, 项目名称 …) promises records; a wide 三公经费 grid of
    # 预算数 | 决算数 pairs with no item column is a table to keep, not a record table that failed.
    record_headers = [
        h for h in reading.headers if h.kind in ("indicators", "budget") and {"name", "item"} & h.roles.keys()
    ]
    if record_headers and n_records == 0:
        header = record_headers[0]
        found.append(
            Problem(
                stage="forms",
                message=f"表格有{REGION_NAMES[header.kind]}表头（第{header.row + 1}行）却未读出任何记录",
                table=table_id,
                cell=(header.row, min(role.first_col for role in header.roles.values())),
            )
        )
    found.extend(_unreadable_figures(reading, table_id))
    return found
