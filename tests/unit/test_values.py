"""Value parsing on cases taken from the seed submissions (docs/conventions.md)."""

import pytest

from extractor.forms.values import parse_amount, parse_value

# (printed, op, value, unit, qualitative) — every raw string below occurs in a seed.
VALUE_CASES = [
    ("＝4次", "=", 4, "次", False),
    ("＝4篇", "=", 4, "篇", False),
    ("＝2次", "=", 2, "次", False),
    ("＝50万平方米", "=", 50, "万平方米", False),
    ("＝15亿元", "=", 15, "亿元", False),
    ("≥5个", ">=", 5, "个", False),
    ("≥20家", ">=", 20, "家", False),
    ("同比增长8.2%", None, 8.2, "%", False),
    ("＝100%", "=", 100, "%", False),
    ("≤150%", "<=", 150, "%", False),
    ("同比增长9.89%", None, 9.89, "%", False),
    ("同比增长31.6%", None, 31.6, "%", False),
    ("≥80家", ">=", 80, "家", False),
    ("≥90%", ">=", 90, "%", False),
    ("达成预期指标", None, None, None, True),
    ("21", None, 21, None, False),
    ("150", None, 150, None, False),
    ("评出实际人数", None, None, None, True),
    ("中级通过率控制在60%以", None, 60, "%", False),
    ("2022年12月底", None, None, None, True),
    ("10万元", None, 10, "万元", False),
    ("市职称办审核通过人数", None, None, None, True),
    ("及时提交年度报告", None, None, None, True),
    ("及时", None, None, None, True),
    ("预算内支出", None, None, None, True),
    ("658.82 万元", None, 658.82, "万元", False),
    ("严格执行", None, None, None, True),
    ("工作协作配合", None, None, None, True),
    ("职工满意度 100%", None, 100, "%", False),
    ("企业满意度 100%", None, 100, "%", False),
    ("档案分类,专人专管", None, None, None, True),
    ("≥1500人", ">=", 1500, "人", False),
    ("1837", None, 1837, None, False),
    ("≥100人", ">=", 100, "人", False),
    ("78", None, 78, None, False),
    ("≥80家次", ">=", 80, "家次", False),
    ("≥1次", ">=", 1, "次", False),
    ("≥30家", ">=", 30, "家", False),
    ("=100%", "=", 100, "%", False),
    ("0", None, 0, None, False),
    ("≤0%", "<=", 0, "%", False),
    ("-22%", None, -22, "%", False),
    ("促进提升", None, None, None, True),
    ("≥108家", ">=", 108, "家", False),
    ("推进", None, None, None, True),
    ("显著提高", None, None, None, True),
    ("同比增长8%", None, 8, "%", False),
    ("同比增长0.1%", None, 0.1, "%", False),
    ("3%", None, 3, "%", False),
    ("比重17%", None, 17, "%", False),
    ("增长10%以上", ">=", 10, "%", False),
    ("增长10.1%", None, 10.1, "%", False),
    ("80亿元", None, 80, "亿元", False),
    ("102.55亿元", None, 102.55, "亿元", False),
    ("39.90%", None, 39.9, "%", False),
    ("合规", None, None, None, True),
    ("全面合规", None, None, None, True),
    ("≥95%", ">=", 95, "%", False),
    ("96%", None, 96, "%", False),
    ("增加值增长8%", None, 8, "%", False),
    ("达35家", None, 35, "家", False),
    ("35家", None, 35, "家", False),
    ("30个", None, 30, "个", False),
    ("80亿", None, 80, "亿", False),
    ("99.93%", None, 99.93, "%", False),
    ("≤100%", "<=", 100, "%", False),
    ("85.71%", None, 85.71, "%", False),
    ("4G网络行政村覆盖率达到100%、自然村达到92%", None, None, None, True),
    ("满意度大于\n90%", ">", 90, "%", False),
    ("三期", None, 3, "期", False),
    ("一次", None, 1, "次", False),
    ("两场", None, 2, "场", False),
    ("1,837人", None, 1837, "人", False),
    ("控制在60%以内", "<=", 60, "%", False),
    ("不低于90%", ">=", 90, "%", False),
    ("4G网络行政村全覆盖", None, None, None, True),
    ("5G基站822个", None, 822, "个", False),
]


@pytest.mark.parametrize(("printed", "op", "value", "unit", "qualitative"), VALUE_CASES)
def test_parse_value(printed, op, value, unit, qualitative):
    parsed = parse_value(printed)
    assert parsed.raw == printed.replace("\n", "")
    assert (parsed.op, parsed.value, parsed.unit, parsed.qualitative) == (op, value, unit, qualitative)


@pytest.mark.parametrize("printed", ["-", "——", "—", "/"])
def test_blank_markers_are_neither_numbers_nor_text(printed):
    parsed = parse_value(printed)
    assert parsed.raw == printed and parsed.value is None and not parsed.qualitative


def test_spreadsheet_error_is_kept_as_raw_text():
    parsed = parse_value("#DIV/0!")
    assert parsed.raw == "#DIV/0!" and parsed.value is None and not parsed.qualitative


def test_blank_cell_has_no_raw():
    assert parse_value(None).raw is None
    assert parse_value("  ").raw is None


AMOUNT_CASES = [
    ("9.6304", 9.6304),
    ("96.30%", 96.3),
    ("96.3", 96.3),
    ("1,837.28", 1837.28),
    ("2,990.92", 2990.92),
    (" 0.06 ", 0.06),
    ("100%", 100.0),
    ("0.00%", 0.0),
    ("评分：95.99", 95.99),
    ("-6.59", -6.59),
    ("——", None),
    ("-", None),
    (" - ", None),
    ("", None),
    ("#DIV/0!", None),
    ("无", None),
    ("1958.52", 1958.52),
    ("5.28%", 5.28),
    ("10.0", 10.0),
    ("0", 0.0),
]


@pytest.mark.parametrize(("printed", "expected"), AMOUNT_CASES)
def test_parse_amount(printed, expected):
    assert parse_amount(printed) == expected


def test_reader_and_validator_read_one_figure_the_same_way():
    """Blanks, full-width digits and signs: parse_amount, parse_value and the validator's parse_printed agree."""
    from extractor.facts.tolerance import parse_printed
    from extractor.forms.figures import read_figure

    for text, value in (("１２３．４５", 123.45), ("－3.2", -3.2), ("96.30％", 96.3), ("1，837.28", 1837.28)):
        assert parse_amount(text) == value and parse_value(text).value == value
        assert parse_printed(text).value == value
    for blank in ("— —", "－", "／", "——"):
        assert parse_amount(blank) is None and parse_value(blank).value is None
        assert not parse_value(blank).qualitative
        assert parse_printed(blank).exact and parse_printed(blank).value == 0
    money = read_figure("1.5亿元", units=frozenset({"亿元"}))
    assert (money.value, money.decimals, money.unit) == (1.5, 1, "亿元")
    assert read_figure("1.5亿元") is None  # a bare figure is asked for: the unit makes it words
    assert parse_value("5个及以上") == parse_value("５个及以上").model_copy(update={"raw": "5个及以上"})
