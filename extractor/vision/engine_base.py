"""What every OCR engine module shares: the engine interface, the quad type and the logging guard.

Kept apart from `ocr.py` so that `ocr_paddle.py` needs nothing from the module that chooses it
(`ocr.load_engine` imports the Paddle adapter lazily); `ocr.py` re-exports these names.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

import numpy as np

Quad = np.ndarray
"""A text-line box as a (4, 2) float array of pixel corners, clockwise from top-left."""


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
