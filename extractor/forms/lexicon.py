"""The reader's vocabulary (lexicon.yaml) as a validated, cached model, and header matching on it.

The vocabulary is data: header words, total labels, blank markers, key labels, operators, units and
template families live in lexicon.yaml. This module loads it once (`lexicon()`), and matches a
header text to a role in three steps — exact synonym, head word, fuzzy — with the fuzzy choices
built once per region and each distinct text matched once (`classify_header`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal, Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator
from rapidfuzz import fuzz, process

from extractor.text.join import squeeze

LEXICON_PATH = Path(__file__).with_name("lexicon.yaml")
RegionKind = Literal["indicators", "budget", "scores"]
REGION_KINDS: tuple[RegionKind, ...] = ("indicators", "budget", "scores")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _compile_all(section: str, patterns: list[tuple[str, str]]) -> None:
    """Every pattern of a lexicon section compiles; an error names the entry (`labels.qizhong: …`)."""
    for name, pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as error:
            raise ValueError(f"{section}.{name}: {error}") from error


class HeadRule(_Strict):
    """A head word: the normalised header starts (`prefix`) or ends (`suffix`) with it."""

    role: str
    prefix: Optional[str] = None
    suffix: Optional[str] = None

    @model_validator(mode="after")
    def _one_side(self) -> HeadRule:
        if (self.prefix is None) == (self.suffix is None):
            raise ValueError("a head rule names exactly one of prefix / suffix")
        return self

    @property
    def word(self) -> str:
        return self.prefix or self.suffix or ""

    def matches(self, key: str, max_prefix_rest: Optional[int] = None) -> bool:
        if self.prefix is not None:
            rest = len(key) - len(self.prefix)
            return key.startswith(self.prefix) and (max_prefix_rest is None or rest <= max_prefix_rest)
        return self.suffix is not None and key.endswith(self.suffix)


class Region(_Strict):
    roles: dict[str, list[str]]
    """Role → exact synonyms, most specific first."""
    heads: list[HeadRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _heads_name_roles(self) -> Region:
        unknown = {rule.role for rule in self.heads} - self.roles.keys()
        if unknown:
            raise ValueError(f"head rules name roles the region does not have: {sorted(unknown)}")
        return self


class Fuzzy(_Strict):
    threshold: float = 80
    min_length: int = 4


class Family(_Strict):
    """A template family: which roles and title words identify it."""

    key: str
    description: str
    kinds: list[str] = Field(default_factory=list)
    title_any: list[str] = Field(default_factory=list)
    requires_any: list[str] = Field(default_factory=list)
    requires_all: list[str] = Field(default_factory=list)
    level_weights: bool = False
    budget_weight: bool = False
    budget_marks: Optional[float] = None


class KeyLabels(_Strict):
    department_form: list[str]
    supervising: list[str]
    budget_unit: list[str]
    implementing_unit: list[str]
    project_name: list[str]
    self_score: list[str]
    budget_score: list[str]
    review_score: list[str]
    year: list[str]

    def field_of(self, label: str) -> Optional[str]:
        """Which document/score field a printed key label names (exact match on the normalised label)."""
        for name, words in self:
            if label in words:
                return name
        return None


class SectionKinds(_Strict):
    review_any: list[str]
    project_any: list[str]
    department_any: list[str]


class Prose(_Strict):
    """Words of prose structures (facts/prose.py): 其中 lists, comparisons, changes and their direction."""

    list_intro: list[str]
    parts_intro: str
    """The list_intro word that opens a total's own parts (其中); the others may continue its subject."""
    comparison_base: str
    """A pattern: 比 alone is a comparison only outside 占比/对比/比重/比例 …, which words cannot say."""
    change_words: list[str]
    rate_words: list[str]
    change_particles: list[str]
    increase_words: list[str]
    decrease_words: list[str]
    strong_increase_words: list[str]
    """Increase words a decrease word inside them cannot outweigh (增加 holds 加, 增幅 holds 幅)."""
    share_words: list[str]
    trailing_change_words: list[str]
    refers_back: re.Pattern[str]

    @model_validator(mode="after")
    def _parts_intro_listed(self) -> Prose:
        if self.parts_intro not in self.list_intro:
            raise ValueError("prose.parts_intro must be one of prose.list_intro")
        return self


class LabelWords(_Strict):
    """How labels of stated figures are cleaned (facts/labels.py); see lexicon.yaml for each."""

    qizhong: str
    """Built from the top-level `qizhong` words on load (Lexicon._derive_qizhong), not stated in the file."""
    numbering_levels: list[str]
    context_words: list[str]
    context_groups: dict[str, Literal["initial", "adjusted", "actual", "budget"]]
    context_only_before: list[str]
    context_only_after: list[str]
    year_words: str
    lead: str
    tail: str
    generic_tail: str
    comparative: str
    total: str

    @model_validator(mode="after")
    def _compile(self) -> LabelWords:
        patterns = [("qizhong", self.qizhong), *(("numbering_levels", p) for p in self.numbering_levels)]
        patterns += [(name, getattr(self, name)) for name in ("year_words", "lead", "tail", "generic_tail")]
        patterns += [("comparative", self.comparative), ("total", self.total)]
        _compile_all("labels", patterns)
        return self


class RateDefinition(_Strict):
    """Header patterns of a rate column and of the columns it is the ratio of (statements.rate_definitions)."""

    rate: str
    numerator: str
    denominator: str

    @model_validator(mode="after")
    def _compile(self) -> RateDefinition:
        _compile_all("statements.rate_definitions", list(self))
        return self


@dataclass(frozen=True)
class RatePatterns:
    """One `statements.rate_definitions` entry, compiled."""

    rate: re.Pattern[str]
    numerator: re.Pattern[str]
    denominator: re.Pattern[str]


@dataclass(frozen=True)
class StatementPatterns:
    """Every pattern of `statements`, compiled once (`lexicon().statements.patterns`) for the statement readers."""

    header_words: re.Pattern[str]
    list_numbering: re.Pattern[str]
    index_header: re.Pattern[str]
    code_header: re.Pattern[str]
    rate_header: re.Pattern[str]
    indicator_header: re.Pattern[str]
    column_number_row: re.Pattern[str]
    code_words: re.Pattern[str]
    amount_header: re.Pattern[str]
    score_header: re.Pattern[str]
    difference_header: re.Pattern[str]
    total_header: re.Pattern[str]
    qizhong_header: re.Pattern[str]
    bare_total_header: re.Pattern[str]
    subtotal_header: re.Pattern[str]
    group_label: re.Pattern[str]
    first_item: re.Pattern[str]
    total_label: re.Pattern[str]
    rate_denominator_first: re.Pattern[str]
    rate_definitions: tuple[RatePatterns, ...]


class StatementWords(_Strict):
    """Patterns of statement tables (forms/statements/), one per cue; see lexicon.yaml for each."""

    header_words: str
    list_numbering: str
    index_header: str
    code_header: str
    rate_header: str
    indicator_header: str
    column_number_row: str
    code_words: str
    amount_header: str
    score_header: str
    difference_header: str
    total_header: str
    qizhong_header: str
    """Built from the top-level `qizhong` words on load (Lexicon._derive_qizhong), not stated in the file."""
    bare_total_header: str
    subtotal_header: str
    group_label: str
    first_item: str
    total_label: str
    rate_definitions: list[RateDefinition] = Field(min_length=1)
    rate_denominator_first: str
    total_ranks: dict[str, int]
    """How much a total word closes, by the word a label ends with (a label ending in none: `default_total_rank`)."""
    default_total_rank: int

    @model_validator(mode="after")
    def _compile(self) -> StatementWords:
        # rate_definitions (not a string) are each compiled by RateDefinition
        _compile_all("statements", [(name, pattern) for name, pattern in self if isinstance(pattern, str)])
        _ = self.patterns  # on load, not at first use: a pattern field StatementPatterns lacks fails by name
        return self

    @cached_property
    def patterns(self) -> StatementPatterns:
        """The patterns compiled (a string field missing from StatementPatterns fails here, by name)."""
        compiled = {name: re.compile(pattern) for name, pattern in self if isinstance(pattern, str)}
        definitions = tuple(
            RatePatterns(re.compile(d.rate), re.compile(d.numerator), re.compile(d.denominator))
            for d in self.rate_definitions
        )
        return StatementPatterns(**compiled, rate_definitions=definitions)


class IndicatorWords(_Strict):
    """Words the indicator rules read in targets, actuals and reasons (lexicon.yaml `indicator_words`).

    Patterns are compiled when the lexicon is validated (an invalid one fails loading, naming its field).
    """

    rounded_units: list[str]
    budget_execution_rates: list[str]
    change: re.Pattern[str]
    met: re.Pattern[str]
    no_reason: re.Pattern[str]
    target_stated: re.Pattern[str]
    qualifier_strip: re.Pattern[str]


class NarrativeWords(_Strict):
    """Words the narrative rules read in report prose (lexicon.yaml `narrative_words`); patterns compiled on load."""

    rate_label: re.Pattern[str]
    rate_label_particle: str
    rate_denominator: re.Pattern[str]
    rate_numerator: re.Pattern[str]
    compared_figure: re.Pattern[str]
    not_a_stated_rate: re.Pattern[str]
    multiple_unit: str
    verdict: re.Pattern[str]
    verdict_synonyms: dict[str, str]
    verdict_equal: str
    verdict_greater: str
    verdict_less: str
    verdict_level: str
    verdict_budget_words: list[str]
    verdict_actual_words: list[str]


class FigureWords(_Strict):
    """Words around figures stated in prose (facts/numbers.py; lexicon.yaml `figure_words`)."""

    chinese_measures: list[str] = Field(min_length=1)
    chinese_idiom_after: list[str]
    date_after: re.Pattern[str]
    range_after: re.Pattern[str]
    year: re.Pattern[str]
    list_start: re.Pattern[str]
    money_unit_aliases: dict[str, str]

    @model_validator(mode="after")
    def _single_characters(self) -> FigureWords:
        # both are read one character at a time (a character class, the character after a match)
        for name in ("chinese_measures", "chinese_idiom_after"):
            longer = [word for word in getattr(self, name) if len(word) != 1]
            if longer:
                raise ValueError(f"figure_words.{name} holds single characters only: {longer}")
        return self


class FactWords(_Strict):
    """Words the cross-reference of stated figures reads (rules/facts.py; lexicon.yaml `fact_words`)."""

    bare_totals: list[str]
    money_units: list[str]
    scopes: list[str]
    flows: list[str] = Field(min_length=2)


class CellWords(_Strict):
    """Words of figures printed in table cells (forms/figures.py, forms/values.py; lexicon.yaml `cell_words`)."""

    mark_units: list[str]
    amount_cell_units: list[str]
    score_cell_label: re.Pattern[str]
    date: re.Pattern[str]
    chinese_count: re.Pattern[str]
    true_word: str
    false_word: str


class LayoutWords(_Strict):
    """Words of page layout around tables and paragraphs (lexicon.yaml `layout_words`); patterns compiled on load."""

    unit_line: re.Pattern[str]
    sheet_unit_line: re.Pattern[str]
    caption_unit_line: re.Pattern[str]
    unit_word: str
    continuation: re.Pattern[str]
    page_number: re.Pattern[str]
    list_marker: re.Pattern[str]
    caption_ending: str
    table_unit: re.Pattern[str]
    table_title_tail: re.Pattern[str]
    attachment_word: str
    document_year: re.Pattern[str]
    bare_year: re.Pattern[str]
    title_departments: list[re.Pattern[str]]


class ScoreLines(_Strict):
    """Labels of a form's score lines as the rules and the review summary read them (lexicon.yaml `score_lines`)."""

    self_score: str
    budget_score: str
    review_score: str
    top_labels: list[str]
    marks_in_label: re.Pattern[str]
    document_fallbacks: list[str]
    totals: list[str]
    self_totals: list[str]
    budget: list[str]
    group_suffixes: list[str]
    group_synonyms: dict[str, str]


SummaryKind = Literal["tables", "indicators", "budget_lines", "findings"]
SUMMARY_WIDTHS: dict[SummaryKind, int] = {"tables": 5, "indicators": 8, "budget_lines": 7, "findings": 4}
"""How many values the CLI summary prints per row of each table (cli.print_summary)."""


class SummaryTable(_Strict):
    title: str
    columns: list[str]


class Lexicon(_Strict):
    fuzzy: Fuzzy
    max_header_length: int
    max_head_length: int
    max_prefix_rest: int
    regions: dict[RegionKind, Region]
    label_roles: list[str]
    totals: list[str]
    blank_markers: list[str]
    qizhong: list[str]
    """The 其中 words; the one source of `labels.qizhong` and `statements.qizhong_header`."""
    header_numbering: re.Pattern[str]
    placeholder_name: str
    full_mark_note: str
    trailing_weight: str
    score_note: str
    key_labels: KeyLabels
    score_lines: ScoreLines
    indicator_words: IndicatorWords
    narrative_words: NarrativeWords
    figure_words: FigureWords
    fact_words: FactWords
    cell_words: CellWords
    layout_words: LayoutWords
    score_label_aliases: dict[str, str]
    department_noise: str
    org_suffixes: list[str]
    form_title_endings: list[str]
    report_title_endings: list[str]
    section_kinds: SectionKinds
    money_units: list[str]
    operators: dict[Literal[">=", "<=", "=", ">", "<"], list[str]]
    operator_suffixes: dict[Literal[">=", "<=", "=", ">", "<"], list[str]]
    bound_words: list[str]
    criteria_words: list[str]
    money_words: list[str]
    units: list[str]
    money_scale: dict[str, float]
    count_units: list[str]
    unit_families: dict[str, str]
    prose: Prose
    summary_tables: dict[SummaryKind, SummaryTable]
    statements: StatementWords
    labels: LabelWords
    families: list[Family]

    @model_validator(mode="before")
    @classmethod
    def _derive_qizhong(cls, data: Any) -> Any:
        """`labels.qizhong` (a label's leading 其中：) and `statements.qizhong_header` (a header that is
        only 其中：) from the one `qizhong` word list; a file that states either again is refused, so
        the two cannot drift apart from the list."""
        if not isinstance(data, dict) or not isinstance(data.get("qizhong"), list):
            return data  # field validation names what is missing
        words = "|".join(re.escape(str(word)) for word in data["qizhong"])
        derived = {"labels": ("qizhong", f"^(?:{words})[：:]?"), "statements": ("qizhong_header", f"(?:{words})[：:]?")}
        data = dict(data)
        for section, (name, pattern) in derived.items():
            part = data.get(section)
            if not isinstance(part, dict):
                continue
            if name in part:
                raise ValueError(f"{section}.{name} is built from `qizhong`: list the 其中 words there instead")
            data[section] = {**part, name: pattern}
        return data

    @model_validator(mode="after")
    def _patterns_compile(self) -> Lexicon:
        for pattern in (
            self.placeholder_name,
            self.full_mark_note,
            self.trailing_weight,
            self.score_note,
            self.department_noise,
            self.prose.comparison_base,
        ):
            re.compile(pattern)
        unknown_rates = set(self.indicator_words.budget_execution_rates) - set(
            self.regions["budget"].roles.get("rate", [])
        )
        if unknown_rates:
            raise ValueError(
                f"indicator_words.budget_execution_rates are not budget rate words: {sorted(unknown_rates)}"
            )
        lines, keys = self.score_lines, self.key_labels
        canonical = {
            "self_score": keys.self_score,
            "budget_score": keys.budget_score,
            "review_score": keys.review_score,
        }
        for name, printed in canonical.items():
            label = getattr(lines, name)
            if label not in printed and label not in self.score_label_aliases.values():
                raise ValueError(f"score_lines.{name} ({label}) is not a label key_labels.{name} is read as")
        if not set(self.indicator_words.rounded_units) <= set(self.count_units):
            raise ValueError("indicator_words.rounded_units must be count_units (a typo would silently do nothing)")
        if set(self.regions) != set(REGION_KINDS):
            raise ValueError(f"regions must be exactly {REGION_KINDS}")
        for kind, width in SUMMARY_WIDTHS.items():
            found = self.summary_tables.get(kind)
            if found is None or len(found.columns) != width:
                raise ValueError(f"summary_tables.{kind} needs {width} column titles")
        return self

    @cached_property
    def full_mark(self) -> re.Pattern[str]:
        """`full_mark_note` compiled once (group 1: the marks)."""
        return re.compile(self.full_mark_note)

    def operator_words(self) -> list[tuple[str, str]]:
        """(printed word, op) pairs, longest word first so `>=` wins over `>`."""
        pairs = [(word, op) for op, words in self.operators.items() for word in words]
        return sorted(pairs, key=lambda pair: -len(pair[0]))

    def operator_suffix_words(self) -> list[tuple[str, str]]:
        """(word, op) pairs printed after a number (以上, 以内), longest first (及以上 before 以上)."""
        pairs = [(word, op) for op, words in self.operator_suffixes.items() for word in words]
        return sorted(pairs, key=lambda pair: -len(pair[0]))


@cache
def lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """The lexicon, read and validated once per process (it is immutable: frozen models)."""
    return Lexicon.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


# ---- header matching -------------------------------------------------------------------------

_NOTE = re.compile(r"[（(][^）)]*[）)]|[【\[][^】\]]*[】\]]")
_LETTER_TAIL = re.compile(r"[A-Ea-e]$")


@lru_cache(maxsize=16384)
def header_key(text: str) -> str:
    """A header text normalised for matching.

    Whitespace, bracketed notes ((万元), (A), (20分*执行率)), a leading list number and a trailing
    colon are removed; a bare column letter glued to the end (年初目标值A) is dropped too.
    """
    key = _NOTE.sub("", squeeze(text)).rstrip("：:")
    key = lexicon().header_numbering.sub("", key)
    if len(key) > 2 and _LETTER_TAIL.search(key) and not re.search(r"[A-Za-z]{2}$", key):
        key = key[:-1]
    return key


class HeaderHit(BaseModel):
    """What a header cell names: its role, the rank among claimants (lower wins) and why."""

    model_config = ConfigDict(frozen=True)

    role: str
    rank: int
    evidence: str
    """`lexicon:<synonym>`, `head:<word>` or `lexicon:<synonym>~` (fuzzy)."""


HEAD_RANK = 100
FUZZY_RANK = 200


class _RegionIndex:
    """One region's synonyms, head rules and fuzzy choices, built once."""

    def __init__(self, region: Region, fuzzy: Fuzzy, max_prefix_rest: int) -> None:
        self.max_prefix_rest = max_prefix_rest
        self.exact = {
            synonym: (role, rank) for role, synonyms in region.roles.items() for rank, synonym in enumerate(synonyms)
        }
        self.heads = region.heads
        self.choices = list(self.exact)
        self.fuzzy = fuzzy

    def classify(self, key: str, long: bool = False) -> Optional[HeaderHit]:
        """Exact synonym, head word, fuzzy; a `long` header is read by its head word only."""
        if long:
            return next(
                (
                    HeaderHit(role=rule.role, rank=HEAD_RANK + index, evidence=f"head:{rule.word}")
                    for index, rule in enumerate(self.heads)
                    if rule.suffix is not None and rule.matches(key)
                ),
                None,
            )
        if key in self.exact:
            role, rank = self.exact[key]
            return HeaderHit(role=role, rank=rank, evidence=f"lexicon:{key}")
        for index, rule in enumerate(self.heads):
            if rule.matches(key, self.max_prefix_rest):
                return HeaderHit(role=rule.role, rank=HEAD_RANK + index, evidence=f"head:{rule.word}")
        if len(key) < self.fuzzy.min_length:
            return None
        best = process.extractOne(key, self.choices, scorer=fuzz.ratio, score_cutoff=self.fuzzy.threshold)
        if best is None:
            return None
        role, rank = self.exact[best[0]]
        return HeaderHit(role=role, rank=FUZZY_RANK + rank, evidence=f"lexicon:{best[0]}~")


@cache
def _index(kind: RegionKind) -> _RegionIndex:
    lex = lexicon()
    return _RegionIndex(lex.regions[kind], lex.fuzzy, lex.max_prefix_rest)


@lru_cache(maxsize=8192)
def classify_header(text: str, kind: RegionKind) -> Optional[HeaderHit]:
    """The role a header text names in a region of `kind`, or None (cached per distinct text)."""
    key = header_key(text)
    lex = lexicon()
    if not key or len(key) > lex.max_head_length:
        return None
    return _index(kind).classify(key, long=len(key) > lex.max_header_length)


@lru_cache(maxsize=8192)
def key_label_field(text: str) -> Optional[str]:
    """The document/score field a printed key label names (主管部门 → supervising), cached per text."""
    return lexicon().key_labels.field_of(header_key(text))


def vocabulary(kind: RegionKind) -> dict[str, list[str]]:
    """Role → exact synonyms of a region (a read-only view for callers that list the words)."""
    return {role: list(words) for role, words in lexicon().regions[kind].roles.items()}
