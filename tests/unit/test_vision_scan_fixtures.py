"""fixtures/scans.py makes the same scan from the same PDF, page by page."""

import hashlib

import numpy as np
import pymupdf

from fixtures.scans import STYLES, render_scan
from tests.scan_sample import build_sample_form


def test_scans_are_deterministic_and_shaped_as_their_style(tmp_path):
    source = build_sample_form(tmp_path / "form.pdf")
    first = render_scan(source, STYLES["skewed200"], tmp_path / "a", max_pages=1)
    second = render_scan(source, STYLES["skewed200"], tmp_path / "b", max_pages=1)
    assert hashlib.sha256(first.read_bytes()).digest() == hashlib.sha256(second.read_bytes()).digest()
    with pymupdf.open(first) as scan:
        assert scan.page_count == 1 and not scan[0].get_text().strip()  # image only: a scan
        [info] = scan[0].get_image_info()
        assert abs(info["width"] - 595 / 72 * 200) <= 2  # 200 dpi

    turned = render_scan(source, STYLES["rotated150"], tmp_path / "c")
    from PIL import Image, ImageSequence

    with Image.open(turned) as image:
        frames = [frame.size for frame in ImageSequence.Iterator(image)]
        assert image.info["dpi"][0] == 150
    assert len(frames) == 2
    width, height = frames[0]
    assert width > height  # fed sideways: a portrait page comes out landscape
    assert abs(height - 595 / 72 * 150) <= 2
    pixels = np.asarray(Image.open(turned).convert("L"))
    assert pixels.min() < 50 and np.median(pixels) > 200  # ink on paper
