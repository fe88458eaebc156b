"""Hypothesis strategies for whole ExtractionResults, shaped like what the extractor produces.

Text covers Chinese, full-width forms and odd Unicode (no NUL: PostgreSQL text cannot hold it,
and no lone surrogates: not encodable). Floats are any finite double, including -0.0 and 1e300.
"""

from __future__ import annotations

from hypothesis import strategies as st

from schemas import (
    RULE_IDS,
    BudgetLine,
    Cell,
    DocumentInfo,
    ExtractionResult,
    Finding,
    Indicator,
    Paragraph,
    Problem,
    ScoreSummary,
    Section,
    Source,
    Table,
    Value,
)

DOMAIN_WORDS = ["产出指标", "数量指标", "≥5个", "＝100%", "96.30%", "合计", "其中：本级", "——", "#DIV/0!", "万元"]

texts = st.one_of(
    st.sampled_from(DOMAIN_WORDS),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30),
)
optional_texts = st.none() | texts
floats = st.floats(allow_nan=False, allow_infinity=False)
optional_floats = st.none() | floats
small_ints = st.integers(min_value=0, max_value=10_000)
bboxes = st.none() | st.tuples(floats, floats, floats, floats)
confidences = st.dictionaries(
    st.sampled_from(["name", "target", "actual", "weight", "score", "item", "rate"]),
    st.floats(min_value=0, max_value=1),
    max_size=5,
)
ids = st.from_regex(r"[a-z][0-9]{1,3}", fullmatch=True)

sources = st.builds(Source, page=st.integers(1, 500), bbox=bboxes, table=st.none() | ids, row=st.none() | small_ints)
values = st.builds(
    Value,
    raw=optional_texts,
    op=st.none() | st.sampled_from(["=", ">=", "<=", ">", "<"]),
    value=optional_floats,
    unit=optional_texts,
    qualitative=st.booleans(),
)
indicators = st.builds(
    Indicator,
    id=ids,
    section=ids,
    level1=optional_texts,
    level2=optional_texts,
    name=texts,
    target=values,
    actual=values,
    weight=optional_floats,
    score=optional_floats,
    review_score=optional_floats,
    description=optional_texts,
    deviation_reason=optional_texts,
    review_comment=optional_texts,
    source=sources,
    confidence=confidences,
)
budget_lines = st.builds(
    BudgetLine,
    id=ids,
    section=st.none() | ids,
    item=texts,
    initial=optional_floats,
    adjustment=optional_floats,
    adjusted=optional_floats,
    actual=optional_floats,
    rate=optional_floats,
    unit=optional_texts,
    weight=optional_floats,
    score=optional_floats,
    review_score=optional_floats,
    source=sources,
    confidence=confidences,
)
scores = st.builds(
    ScoreSummary,
    id=ids,
    section=st.none() | ids,
    label=texts,
    weight=optional_floats,
    score=optional_floats,
    review_score=optional_floats,
    source=sources,
    confidence=confidences,
)
findings = st.builds(
    Finding,
    id=ids,
    rule=st.sampled_from(RULE_IDS),
    severity=st.sampled_from(["error", "warning", "info"]),
    message=texts,
    refs=st.lists(texts, min_size=1, max_size=3),
    expected=st.none() | floats | texts,
    found=st.none() | floats | texts,
)
cells = st.builds(
    Cell,
    row=small_ints,
    col=small_ints,
    row_span=st.integers(1, 5),
    col_span=st.integers(1, 5),
    text=texts,
    page=st.integers(1, 50),
    bbox=bboxes,
    confidence=st.floats(0, 1),
    indent=optional_floats,
)
tables = st.builds(
    Table,
    id=ids,
    section=st.none() | ids,
    role=st.sampled_from(["indicators", "budget", "scores", "header", "other"]),
    title=optional_texts,
    pages=st.lists(st.integers(1, 50), max_size=3),
    n_rows=small_ints,
    n_cols=small_ints,
    cells=st.lists(cells, max_size=6),
)
sections = st.builds(
    Section,
    id=ids,
    kind=st.sampled_from(["department", "project", "review"]),
    title=texts,
    project_name=optional_texts,
)
paragraphs = st.builds(Paragraph, id=ids, text=texts, page=st.integers(1, 50), bbox=bboxes, section=st.none() | ids)
problems = st.builds(Problem, stage=texts, message=texts, page=st.none() | st.integers(1, 50))
documents = st.builds(
    DocumentInfo,
    file=texts.filter(bool),
    sha256=st.from_regex(r"[0-9a-f]{64}", fullmatch=True),
    kind=st.sampled_from(["pdf_digital", "pdf_scanned", "pdf_mixed", "docx", "xlsx", "image", "html"]),
    pages=st.integers(1, 999),
    department=optional_texts,
    year=st.none() | st.integers(1990, 2100),
    self_score=optional_floats,
    review_score=optional_floats,
)
results = st.builds(
    ExtractionResult,
    document=documents,
    sections=st.lists(sections, max_size=3),
    tables=st.lists(tables, max_size=3),
    indicators=st.lists(indicators, max_size=5),
    budget_lines=st.lists(budget_lines, max_size=4),
    scores=st.lists(scores, max_size=3),
    findings=st.lists(findings, max_size=4),
    narrative=st.lists(paragraphs, max_size=3),
    problems=st.lists(problems, max_size=2),
)
