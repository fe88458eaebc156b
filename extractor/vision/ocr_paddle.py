"""Optional PaddleOCR engine (`pip install .[paddle]`), used only when a user asks for it.

PaddleOCR must be pointed at model directories on disk (`OcrOptions.model_dir`): left to itself it
downloads models, which this project never does. The directory holds `det/`, `rec/` and `cls/`
(PaddleOCR inference-model folders) and a `models.json` naming every file with its sha256, which
is checked before PaddleOCR sees any of them.

This adapter is not exercised in CI (PaddlePaddle is not installed there); its import and
configuration errors are.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from extractor.vision.engine_base import Quad, as_bgr, quiet_logging
from extractor.vision.model_files import ModelFileError, model_files, verify_model_file

MODEL_SUBDIRS = ("det", "rec", "cls")


class PaddleUnavailable(RuntimeError):
    pass


class PaddleOcrEngine:
    name = "paddleocr"

    def __init__(self, model_dir: Path | None) -> None:
        try:
            with quiet_logging():
                import paddleocr  # noqa: F401
        except ImportError as error:
            raise PaddleUnavailable(
                "OCR 引擎 paddleocr 未安装 (engine 'paddleocr' needs the optional extra: pip install '.[paddle]')"
            ) from error
        if model_dir is None:
            raise PaddleUnavailable(
                "paddleocr 需要本地模型目录 (engine 'paddleocr' needs OcrOptions.model_dir with det/, rec/, cls/ "
                "and models.json; it is never allowed to download models)"
            )
        model_dir = Path(model_dir)
        if not (model_dir / "models.json").is_file():
            raise ModelFileError(
                model_dir / "models.json", "模型清单不存在 (paddleocr model_dir needs models.json with sha256)"
            )
        for model in self._files(model_dir):
            verify_model_file(model)
        for sub in MODEL_SUBDIRS:
            if not (model_dir / sub).is_dir():
                raise ModelFileError(model_dir / sub, "模型目录不存在 (model folder is missing)")
        from paddleocr import TextDetection, TextLineOrientationClassification, TextRecognition

        with quiet_logging():
            self._det = TextDetection(model_dir=str(model_dir / "det"))
            self._rec = TextRecognition(model_dir=str(model_dir / "rec"))
            self._cls = TextLineOrientationClassification(model_dir=str(model_dir / "cls"))

    @staticmethod
    def _files(model_dir: Path):
        return model_files("paddleocr", model_dir).values()

    def recognize(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        if not crops:
            return []
        results = self._rec.predict([as_bgr(crop) for crop in crops])
        return [(str(item["rec_text"]), float(item["rec_score"])) for item in results]

    def detect(self, image: np.ndarray) -> list[Quad]:
        results = self._det.predict(as_bgr(image))
        quads: list[Quad] = []
        for item in results:
            quads.extend(np.asarray(poly, dtype=np.float32).reshape(4, 2) for poly in item["dt_polys"])
        return quads

    def upside_down(self, crops: Sequence[np.ndarray]) -> list[float]:
        if not crops:
            return []
        results = self._cls.predict([as_bgr(crop) for crop in crops])
        out = []
        for item in results:
            label = str(item["label_names"][0])
            score = float(item["scores"][0])
            out.append(score if label.startswith("180") else 1.0 - score)
        return out
