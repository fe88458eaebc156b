"""Vocabulary is data: no Chinese word list, synonym map or word pattern hides in extractor/ Python code.

The reader's words live in extractor/forms/lexicon.yaml (validated by forms/lexicon.py). This guard parses
every module with `ast` and fails on a string literal holding a CJK character unless it is
- a docstring (any bare string statement) or a comment (not in the syntax tree at all);
- part of a message: an f-string, text joined to one (`f"…" + ("；…" if cut else "")`), an argument of a
  class call (Draft, Problem, InputError …: what a finding or error says) or a `help=`/`title=` style
  keyword;
- Chinese number notation only (一二三…十百千万亿, 第), which is how numbers are written, not vocabulary;
- or listed in ALLOWED below with the reason it stays in code.
A new word list belongs in the lexicon; a stale ALLOWED entry fails too, so the list only shrinks.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Optional

EXTRACTOR = Path(__file__).resolve().parents[2] / "extractor"
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
NUMBER_NOTATION = set("零〇一二两三四五六七八九十百千万亿第")
MESSAGE_KEYWORDS = {"help", "title", "message", "reason", "description", "detail"}
# Nodes a message literal may sit in on its way up to the f-string or call it belongs to.
PASS_THROUGH = (ast.IfExp, ast.BinOp, ast.BoolOp, ast.FormattedValue)

ALLOWED: dict[tuple[str, str], str] = {
    # ---- text the output shows, not words the reader matches --------------------------------------
    # field names inside finding messages (「…」分值 …), chosen per field by the rule that writes them
    **{("rules/hierarchy.py", w): "message words per field" for w in ("分值", "得分", "复核得分")},
    **{("rules/scores.py", w): "message words per field" for w in ("分值", "得分", "复核得分", "指标值", "实际完成值")},
    **{("rules/blocks.py", w): "message words per field" for w in ("年初预算数", "调整数", "预算数", "执行数")},
    ("rules/scores.py", "含"): "message fragment (含预算执行 / 仅计指标)",
    ("rules/scores.py", "仅计指标"): "message fragment (含预算执行 / 仅计指标)",
    ("rules/indicators.py", "超出"): "message word: the direction of a deviation",
    ("rules/indicators.py", "低于"): "message word: the direction of a deviation",
    ("rules/indicators.py", "完成情况描述"): "message word: the field a finding names",
    ("rules/indicators.py", "偏差原因"): "message word: the field a finding names",
    ("rules/sums.py", "（各部分之和超过合计数）"): "message fragment",
    ("review/audit.py", "更正 #"): "the opening of unplaced_problem's own message, written and read back from it",
    ("forms/problems.py", "绩效指标"): "region names in Problem messages",
    ("forms/problems.py", "预算执行"): "region names in Problem messages",
    ("forms/problems.py", "得分"): "region names in Problem messages",
    ("scoring/rules.py", "与目标一致"): "the band word a proposal's explanation shows",
    ("scoring/summary.py", "无意见"): "text written into the 复核意见汇总表",
    ("scoring/summary.py", "（单位：万元）"): "text written into the 复核意见汇总表",
    ("scoring/summary.py", "复核意见汇总表"): "the 汇总表 sheet name",
    ("scoring/summary.py", "项目支出绩效自评复核意见汇总表"): "the 汇总表 title",
    **{
        ("scoring/summary.py", w): "column titles of the 汇总表 (output layout)"
        for w in (
            "序号",
            "单位名称",
            "项目名称",
            "年初预算数",
            "调整后预算数",
            "预算执行数",
            "预算执行率",
            "单位自评得分",
            "建议复核得分",
            "复核得分",
            "等级",
            "存在问题",
            "改进建议",
        )
    },
    **{
        ("scoring/cli.py", w): "column titles the score command prints"
        for w in ("名称", "分值", "自评得分", "复核得分", "建议得分", "计分说明", "—（仅 --profile 或模板族选择）")
    },
    **{
        ("confidence.py", w): "the reasons a field's confidence is lowered (shown beside the field)"
        for w in (
            "印有数字但未能读成数值",
            "数值经换算，与单元格所印数字不同",
            "执行率未印百分号且不大于1.5，按所印数值保留",
            "名称首尾带标点或括号不成对",
            "由多个单元格拼成",
            "同一单元格读出了两个字段",
            "名称取自跨多行的单元格",
            "一级/二级指标由上方行沿用",
            "本行有数字未归入任何字段",
        )
    },
    **{
        ("rules/cells.py", w): "spreadsheet error explanations shown in findings"
        for w in (
            "除数为零",
            "引用的单元格已不存在",
            "参与计算的值类型错误",
            "查找不到数据",
            "公式名称无法识别",
            "数值无效",
            "公式出错",
        )
    },
    ("rules/hierarchy.py", "；表格在此截止，其余各项未列出，无法核对"): "message fragment",
    (
        "review/auth.py",
        "需要有效的令牌 (missing or invalid bearer token: Authorization: Bearer <token>)",
    ): "HTTP error message",
    ("review/api.py", "5期"): "an example value in the API schema",
    # ---- defaults of data files: scoring/profiles/*.yaml set their own -----------------------------
    ("scoring/profiles.py", "合计"): "default of a profile's budget.total_items",
    ("scoring/profiles.py", "预算执行率"): "default of a profile's budget.rate_phrases",
    ("scoring/profiles.py", "预算执行"): "default of a profile's budget.summary_labels",
}

ALLOWED_OPENINGS: dict[tuple[str, str], str] = {
    # long texts, named by how they open
    ("review/app.py", "绩效自评 review service."): "the API's description (OpenAPI docs)",
}


def _allowed(path: str, literal: str) -> bool:
    return (path, literal) in ALLOWED or any(
        path == where and literal.startswith(opening) for where, opening in ALLOWED_OPENINGS
    )


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        for statement in body if isinstance(body, list) else []:  # a lambda's or IfExp's body is one expression
            if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
                found.add(id(statement.value))
    return found


def _in_message(node: ast.AST, parents: dict[int, ast.AST]) -> bool:
    """Whether the literal is (part of) a message: an f-string, a class call's argument, a message keyword."""
    child: ast.AST = node
    parent: Optional[ast.AST] = parents.get(id(node))
    while isinstance(parent, PASS_THROUGH):
        if isinstance(parent, ast.BinOp) and any(
            isinstance(side, ast.JoinedStr) for side in (parent.left, parent.right)
        ):
            return True
        child, parent = parent, parents.get(id(parent))
    if isinstance(parent, ast.JoinedStr):
        return True
    if isinstance(parent, ast.keyword):
        return parent.arg in MESSAGE_KEYWORDS
    if isinstance(parent, ast.Call) and child in parent.args:
        callee = parent.func.attr if isinstance(parent.func, ast.Attribute) else getattr(parent.func, "id", "")
        return callee[:1].isupper() or callee in ("fail", "_fail", "echo", "__init__")
    return False


def vocabulary_literals(path: Path) -> list[tuple[int, str]]:
    """(line, literal) of each CJK string literal in the module that is neither text shown nor notation."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        words = set(CJK.findall(node.value))
        if not words or words <= NUMBER_NOTATION or id(node) in docstrings or _in_message(node, parents):
            continue
        found.append((node.lineno, node.value))
    return found


def _all_literals() -> dict[tuple[str, str], list[int]]:
    found: dict[tuple[str, str], list[int]] = {}
    for path in sorted(EXTRACTOR.rglob("*.py")):
        for line, literal in vocabulary_literals(path):
            found.setdefault((path.relative_to(EXTRACTOR).as_posix(), literal), []).append(line)
    return found


def test_no_vocabulary_literal_outside_the_lexicon() -> None:
    unexpected = {key: lines for key, lines in _all_literals().items() if not _allowed(*key)}
    listing = "\n".join(
        f"  extractor/{path}:{lines[0]} {literal!r}" for (path, literal), lines in sorted(unexpected.items())
    )
    assert not unexpected, f"Chinese vocabulary in Python code; move it to extractor/forms/lexicon.yaml:\n{listing}"


def test_allowed_entries_still_exist() -> None:
    found = _all_literals()
    stale = sorted(set(ALLOWED) - set(found))
    stale += [key for key in ALLOWED_OPENINGS if not any(p == key[0] and lit.startswith(key[1]) for p, lit in found)]
    assert not stale, f"ALLOWED lists literals no longer in the code (remove them): {stale}"


def test_the_guard_finds_vocabulary_and_spares_messages(tmp_path: Path) -> None:
    module = tmp_path / "sample.py"
    module.write_text(
        '"""模块说明."""\n'
        "import re\n"
        "# 注释里的合计\n"
        'TOTALS = ("合计", "总计")\n'
        'PATTERN = re.compile(r"增长|下降")\n'
        "def f(label: str, n: int) -> object:\n"
        '    """函数说明."""\n'
        '    if label == "自评得分":\n'
        '        raise ValueError("文件不存在 (missing)")\n'
        '    return Draft("rule", f"「{label}」{\'增加\' if n else \'减少\'}" + ("；截止" if n else ""), number="十二")\n',
        encoding="utf-8",
    )
    found = [literal for _, literal in vocabulary_literals(module)]
    assert sorted(found) == sorted(["合计", "总计", "增长|下降", "自评得分"])
