"""When a PDF page's text layer can be read instead of its image."""

import pytest

from extractor.vision.textlayer import text_layer_usable

GOOD = "项目支出绩效自评表 项目名称 城乡社区环境综合整治项目 年初预算数 120.00 执行率 94.77% 得分 9.48"


@pytest.mark.parametrize(
    ("text", "has_images", "usable"),
    [
        (GOOD, False, True),
        (GOOD, True, True),  # a born-digital page with a logo
        ("", False, True),  # a blank page is simply blank
        ("", True, False),  # an image and no text: a scan
        ("   \n 12 \n", True, False),  # a scan with a page number in its text layer
        ("(cid:12)(cid:345)(cid:7)" * 20, False, False),  # fonts without a Unicode map
        (GOOD + "\ufffd" * 20, False, False),  # replacement characters
        ("\ue001\ue002\ue003" * 15, True, False),  # private-use code points
        ("ÃÂ¼Ã¦Â°Ã¨Â¡Â¨Ã¥Â·Â¥ÃÂ¼Ã¦" * 5, False, False),  # mis-mapped font soup
        (GOOD + " (cid:3)", True, True),  # one stray CID among real text
    ],
)
def test_text_layer_usable(text, has_images, usable):
    assert text_layer_usable(text, has_images=has_images) is usable
