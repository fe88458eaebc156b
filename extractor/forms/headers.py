"""Header cells to column roles, by synonyms first and fuzzy matching second.

Each region kind (indicator block, budget block, score block) has its own
vocabulary, because one word means different things in each: 实际完成值 is an
indicator's actual, 实际支出数 a budget line's actual amount.
"""

from __future__ import annotations

import re
from typing import Literal, Optional

from pydantic import BaseModel
from rapidfuzz import fuzz, process

from extractor.forms.view import TableView
from extractor.text.join import squeeze

RegionKind = Literal["indicators", "budget", "scores"]

# Synonyms per role, most specific first. Order matters only inside a role list:
# where two columns claim one role, the one matching an earlier synonym wins
# (整改后复核得分 over 初步复核得分).
INDICATOR_ROLES: dict[str, list[str]] = {
    "level1": ["一级指标"],
    "level2": ["二级指标"],
    "name": ["三级指标", "指标内容", "指标名称", "评价内容", "绩效指标名称"],
    "target": ["年度指标值", "预期指标值", "指标值", "绩效目标", "年度目标值", "目标值", "计划值", "预期目标值"],
    "actual": ["实际完成值", "实际完成指标值", "全年实际值", "实际值", "完成值", "完成情况", "实际完成情况"],
    "weight": ["分值", "指标分值", "权重"],
    "score": ["指标得分", "得分", "自评得分", "自评分", "单位自评得分"],
    "review_score": ["复核得分", "自评复核得分", "整改后复核得分", "初步复核得分"],
    "description": ["完成情况简要描述", "完成情况描述", "完成情况说明", "简要描述"],
    "deviation_reason": [
        "偏差原因及改进措施",
        "偏差原因分析及改进措施",
        "未完成原因分析",
        "偏差原因",
        "原因分析及改进措施",
    ],
    "review_comment": ["复核意见"],
}
BUDGET_ROLES: dict[str, list[str]] = {
    "item": ["项目名称", "资金来源", "支出项目", "收支项目"],
    "initial": ["年初预算数", "年初预算", "年初数"],
    "adjustment": ["年中预算调整数", "预算调整数", "调整数", "年中调整数"],
    "adjusted": ["调整后预算数", "全年预算数", "全年预算", "调整后预算", "预算数"],
    "actual": ["实际支出数", "全年执行数", "预算执行数", "实际执行数", "执行数", "实际支出", "决算数"],
    "rate": ["预算执行率", "执行率"],
    "weight": ["分值"],
    "score": ["单位自评得分", "自评得分", "得分"],
    "review_score": ["整改后复核得分", "复核得分", "初步复核得分"],
}
SCORE_ROLES: dict[str, list[str]] = {
    "label": ["项目", "一级指标", "评价内容", "指标"],
    "weight": ["分值", "指标分值", "权重"],
    "score": ["单位自评得分", "自评得分", "得分"],
    "review_score": ["自评复核得分", "复核得分"],
    "rate": ["得分率"],
}
VOCABULARIES: dict[RegionKind, dict[str, list[str]]] = {
    "indicators": INDICATOR_ROLES,
    "budget": BUDGET_ROLES,
    "scores": SCORE_ROLES,
}
FUZZY_THRESHOLD = 80
MIN_FUZZY_LENGTH = 4
MAX_HEADER_LENGTH = 16
_BRACKETS = re.compile(r"[（(][^）)]*[）)]")


def header_key(text: str) -> str:
    """Header text for matching: whitespace and bracketed notes ((万元), (%)) removed."""
    return _BRACKETS.sub("", squeeze(text)).rstrip("：:")


def match_role(text: str, vocabulary: dict[str, list[str]]) -> Optional[tuple[str, int]]:
    """The role a header text names and the rank of the synonym (0 best), or None."""
    key = header_key(text)
    if not key or len(key) > MAX_HEADER_LENGTH:
        return None
    for role, synonyms in vocabulary.items():
        if key in synonyms:
            return role, synonyms.index(key)
    if len(key) < MIN_FUZZY_LENGTH:
        return None
    choices = {
        f"{role}|{rank}": synonym for role, synonyms in vocabulary.items() for rank, synonym in enumerate(synonyms)
    }
    best = process.extractOne(key, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD)
    if best is None:
        return None
    role, rank = best[2].split("|")
    return role, int(rank)


class ColumnRole(BaseModel):
    role: str
    first_col: int
    last_col: int
    rank: int


class HeaderMatch(BaseModel):
    kind: RegionKind
    row: int
    """The last header row; data starts below it."""
    first_row: int
    roles: dict[str, ColumnRole]


def _roles_in_rows(view: TableView, rows: list[int], vocabulary: dict[str, list[str]]) -> dict[str, ColumnRole]:
    roles: dict[str, ColumnRole] = {}
    for row in rows:
        for cell in view.row_cells(row):
            found = match_role(cell.text, vocabulary)
            if found is None:
                continue
            role, rank = found
            column = ColumnRole(role=role, first_col=cell.col, last_col=cell.col + cell.col_span - 1, rank=rank)
            current = roles.get(role)
            if current is None or rank < current.rank:
                roles[role] = column
    return roles


_REQUIRED: dict[RegionKind, tuple[set[str], int]] = {
    "indicators": ({"name", "target", "actual", "weight", "score", "level1", "level2"}, 3),
    "budget": ({"initial", "adjustment", "adjusted", "actual", "rate"}, 2),
    "scores": ({"weight", "score", "review_score", "rate"}, 2),
}


def _qualifies(kind: RegionKind, roles: dict[str, ColumnRole]) -> bool:
    keys, minimum = _REQUIRED[kind]
    if len(keys & roles.keys()) < minimum:
        return False
    if kind == "indicators":
        return "name" in roles and bool({"target", "actual"} & roles.keys())
    if kind == "scores":
        return "label" in roles and "name" not in roles
    return True


def _single_row(view: TableView, rows: list[int]) -> Optional[HeaderMatch]:
    best: Optional[HeaderMatch] = None
    for kind in ("indicators", "budget", "scores"):
        roles = _roles_in_rows(view, rows, VOCABULARIES[kind])
        if _qualifies(kind, roles):
            candidate = HeaderMatch(kind=kind, row=rows[-1], first_row=rows[0], roles=roles)
            if best is None or len(candidate.roles) > len(best.roles):
                best = candidate
    return best


def match_header(view: TableView, row: int) -> Optional[HeaderMatch]:
    """Does `row` (alone, or with the row below for two-row headers) head a region?

    A two-row header is only considered when neither row heads a region alone.
    """
    single = _single_row(view, [row])
    if single is not None or row + 1 >= view.n_rows:
        return single
    if _single_row(view, [row + 1]) is not None:
        return None
    return _single_row(view, [row, row + 1])
