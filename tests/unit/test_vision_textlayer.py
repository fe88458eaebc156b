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


@pytest.mark.parametrize(
    ("text", "has_images", "usable", "asks"),
    [
        (GOOD, False, True, False),
        (GOOD, True, True, False),  # enough text: the images cannot change the answer
        ("", False, True, True),
        ("", True, False, True),
        ("   \n 12 \n", True, False, True),
        ("   \n 12 \n", False, True, True),
        ("(cid:12)(cid:345)(cid:7)" * 20, True, False, False),  # junk decides before images are needed
    ],
)
def test_images_asked_only_when_the_answer_depends_on_them(text, has_images, usable, asks):
    """The backend passes a function (listing a page's images costs as much as the test itself): the same
    answers as with a plain flag, and the function is called only for a page with little text."""
    asked: list[bool] = []

    def images() -> bool:
        asked.append(True)
        return has_images

    assert text_layer_usable(text, has_images=images) is usable
    assert text_layer_usable(text, has_images=has_images) is usable
    assert bool(asked) is asks
