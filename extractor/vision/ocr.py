"""OCR engines behind one small interface.

The scanned-page reader needs three things from an engine: recognise a batch of text-line crops,
detect text lines on an image region, and tell whether a text line is upside down (for page
orientation). RapidOCR (PP-OCRv6 small det/rec + the PP-OCR direction classifier, ONNX Runtime)
is the default; PaddleOCR is optional and lives in `ocr_paddle.py`, imported only when asked for.

Engines are loaded once per process per configuration (`load_engine`, an explicit lru_cache):
model loading costs far more than a page.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from extractor.vision.model_files import verified_model_paths
from extractor.vision.recognizer import CtcRecognizer
from schemas import OcrOptions

Quad = np.ndarray
"""A text-line box as a (4, 2) float array of pixel corners, clockwise from top-left."""

# Batch size of the library's own classifier/recogniser calls (orientation votes, baseline).
LIBRARY_BATCH = 6


class OcrEngine(Protocol):
    name: str

    def recognize(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        """Text and score (0..1) of each single-line crop (BGR or grey), in input order."""
        ...

    def detect(self, image: np.ndarray) -> list[Quad]:
        """Text-line boxes on `image`, in pixels of `image`."""
        ...

    def upside_down(self, crops: Sequence[np.ndarray]) -> list[float]:
        """For each text-line crop, the probability that it is rotated by 180°."""
        ...


def as_bgr(image: np.ndarray) -> np.ndarray:
    """Engines expect three channels; scans are often grey."""
    if image.ndim == 2:
        return np.repeat(image[:, :, None], 3, axis=2)
    if image.shape[2] == 4:
        return np.ascontiguousarray(image[:, :, :3])
    return image


@contextmanager
def quiet_logging() -> Iterator[None]:
    """Mute INFO logging while an engine is imported and built.

    The engines create their loggers (set to INFO, with their own stream handlers) while loading,
    so muting them by name beforehand is not possible; the previous global setting is restored.
    """
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(previous)
        silence_engine_loggers()


def silence_engine_loggers() -> None:
    """The engines log model paths and timings at INFO on import and load; keep stdout/stderr clean."""
    import onnxruntime

    onnxruntime.set_default_logger_severity(3)
    # Offline silence: the service runs on air-gapped networks; no telemetry of any kind.
    onnxruntime.disable_telemetry_events()
    for name in list(logging.root.manager.loggerDict):
        if name.lower().startswith(("rapidocr", "rapid_layout", "rapidlayout", "ppocr", "paddle")):
            logging.getLogger(name).setLevel(logging.ERROR)


class RapidOcrEngine:
    """PP-OCRv6 small det/rec and the PP-OCR 0/180 classifier from the `rapidocr` wheel."""

    name = "rapidocr"

    def __init__(self, model_dir: Path | None = None, threads: int | None = None) -> None:
        paths = verified_model_paths("rapidocr", model_dir)

        params: dict[str, object] = {
            "Global.log_level": "error",
            # Never let the library resolve models by itself: that path may download.
            "Global.model_root_dir": str(paths["det"].parent),
            "Det.model_path": str(paths["det"]),
            "Cls.model_path": str(paths["cls"]),
            "Rec.model_path": str(paths["rec"]),
            "Rec.rec_batch_num": LIBRARY_BATCH,
            "Cls.cls_batch_num": LIBRARY_BATCH,
            # Detection runs on crops of the page outside tables, already at a working resolution:
            # never scale them up (the default scales the short side up to 736 px).
            "Det.limit_type": "max",
            "Det.limit_side_len": 2400,
        }
        if threads:
            params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
        with quiet_logging():
            from rapidocr import RapidOCR

            self._ocr = RapidOCR(params=params)
        # Same recognition model, our batching (see recognizer.py for why).
        self._recognizer = CtcRecognizer(paths["rec"], threads)

    def recognize(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        return self._recognizer.recognize(crops)

    def recognize_with_positions(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float, list[float]]]:
        """Also where each character sits (crop pixels), for full-/half-width decisions."""
        return self._recognizer.recognize_with_positions(crops)

    def recognize_with_library(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        """The library's own batching, kept to check `recognize` against it."""
        if not crops:
            return []
        output = self._ocr.recognize_txt([as_bgr(crop) for crop in crops])
        return [(text, float(score)) for text, score in zip(output.txts, output.scores)]

    def detect(self, image: np.ndarray) -> list[Quad]:
        output = self._ocr(as_bgr(image), use_det=True, use_cls=False, use_rec=False)
        boxes = getattr(output, "boxes", None)
        if boxes is None:
            return []
        return [np.asarray(box, dtype=np.float32).reshape(4, 2) for box in boxes]

    def upside_down(self, crops: Sequence[np.ndarray]) -> list[float]:
        if not crops:
            return []
        _, output = self._ocr.cls_and_rotate([as_bgr(crop) for crop in crops])
        return [score if label == "180" else 1.0 - score for label, score in output.cls_res]


def engine_for(options: OcrOptions) -> OcrEngine:
    """The engine an OcrOptions asks for (model files checked by sha256 on first load)."""
    return load_engine(options.engine, options.model_dir)


@lru_cache(maxsize=4)
def load_engine(engine: str, model_dir: Path | None) -> OcrEngine:
    """Loaded once per process per configuration: loading models costs far more than a page."""
    if engine == "paddleocr":
        from extractor.vision.ocr_paddle import PaddleOcrEngine

        return PaddleOcrEngine(model_dir)
    return RapidOcrEngine(model_dir)
