"""The optional vision-language table engine: a local document VL model read through `transformers`.

Install with `pip install -e .[vl]` (torch + transformers). The model is any image-text-to-text model that
`transformers` supports natively (PaddleOCR-VL is model type `paddleocr_vl`), loaded with the library's own Auto
classes from a directory the user configures (`--vl-model DIR`, `ExtractOptions.vl_model`, `$EXTRACTOR_VL_MODEL`):
never `trust_remote_code`, never a download. Before loading, every file of the directory is checked against the
directory's `manifest.json` (sha256 per file), which `extractor models manifest DIR` writes.

torch and transformers are imported inside functions only: the base install has neither, and `extractor` must
start without them.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import numpy as np
from pydantic import BaseModel, ConfigDict

from extractor.digest import file_sha256
from extractor.vision.model_files import ModelFileError
from schemas import ExtractOptions, VlOptions

ENV_VAR = "EXTRACTOR_VL_MODEL"
MANIFEST = "manifest.json"
TABLE_PROMPT = "Table Recognition:"
"""The task prompt PaddleOCR-VL documents for tables (its answer is OTSL or HTML, both parsed)."""
TEXT_PROMPT = "OCR:"
"""The task prompt for plain text recognition (re-reading one cell)."""


class VlNotConfigured(ModelFileError):
    """`table_engine="vl"` was asked for without a model directory (a ModelFileError: the CLI prints one line)."""

    def __init__(self) -> None:
        super().__init__(
            Path(f"${ENV_VAR}"), "未配置视觉语言模型 (no vision-language model is configured: use --vl-model DIR)"
        )


class VlAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    seconds: float
    """Wall time of the generate call that produced it, shared by the images of one batch."""
    new_tokens: int
    cut_off: bool = False
    """Generation stopped at the time limit or at max_new_tokens: the answer may be incomplete."""


def model_dir_for(options: ExtractOptions) -> Optional[Path]:
    """The configured model directory: the option first, then the environment; None when neither is set."""
    if options.vl_model is not None:
        return options.vl_model
    value = os.environ.get(ENV_VAR, "").strip()
    return Path(value) if value else None


# --- manifest ------------------------------------------------------------------------------------


def _model_files(directory: Path) -> list[Path]:
    return sorted(
        path
        for path in directory.rglob("*")
        if path.is_file() and path.name != MANIFEST and not any(part.startswith(".") for part in path.parts[-1:])
    )


def write_manifest(directory: Path) -> Path:
    """Write DIR/manifest.json: the sha256 of every file under DIR (hidden files and the manifest excepted)."""
    if not directory.is_dir():
        raise ModelFileError(directory, "模型目录不存在 (model directory does not exist)")
    files = {path.relative_to(directory).as_posix(): file_sha256(path) for path in _model_files(directory)}
    if not files:
        raise ModelFileError(directory, "模型目录为空 (model directory has no files)")
    target = directory / MANIFEST
    target.write_text(json.dumps({"files": files}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return target


def verify_manifest(directory: Path) -> dict[str, str]:
    """Check every file of DIR against DIR/manifest.json; raise ModelFileError naming DIR and the file."""
    if not directory.is_dir():
        raise ModelFileError(directory, "模型目录不存在 (model directory does not exist)")
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        raise ModelFileError(directory, f"缺少 {MANIFEST} (run `extractor models manifest {directory}`)")
    try:
        listed: dict[str, str] = dict(json.loads(manifest_path.read_text(encoding="utf-8"))["files"])
    except (ValueError, KeyError, TypeError) as error:
        raise ModelFileError(directory, f"{MANIFEST} 无法读取 (unreadable manifest: {error})") from error
    for name, digest in sorted(listed.items()):
        path = directory / name
        if not path.is_file():
            raise ModelFileError(directory, f"缺少文件 {name} (file listed in {MANIFEST} is missing)")
        if file_sha256(path) != str(digest).lower():
            raise ModelFileError(directory, f"文件校验失败 {name} (sha256 differs from {MANIFEST})")
    for path in _model_files(directory):
        name = path.relative_to(directory).as_posix()
        if name not in listed:
            # An unlisted file could be loaded (a second weights shard, a changed config): refuse it.
            raise ModelFileError(directory, f"文件不在清单中 {name} (file not listed in {MANIFEST})")
    return listed


# --- loading -------------------------------------------------------------------------------------


class VlModel:
    """A loaded processor + model pair and where it runs."""

    def __init__(self, directory: Path, processor: Any, model: Any, device: str, dtype: Any) -> None:
        self.directory = directory
        self.processor = processor
        self.model = model
        self.device = device
        self.dtype = dtype


def load_model(directory: Path) -> VlModel:
    """Check DIR against its manifest and load it (cached per directory and file state)."""
    directory = directory.expanduser().resolve()
    verify_manifest(directory)
    return _load(str(directory), _state(directory))


def _state(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """Sizes and mtimes of the files: a changed directory is verified and loaded anew, not served stale."""
    return tuple(
        (path.name, path.stat().st_size, path.stat().st_mtime_ns)
        for path in [*_model_files(directory), directory / MANIFEST]
    )


@lru_cache(maxsize=1)
def _load(directory: str, state: tuple[tuple[str, int, int], ...]) -> VlModel:
    """One model at a time: a VL model takes hundreds of MB to GBs."""
    del state  # part of the cache key only
    # Never reach a hub, whatever the caller's environment says.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    try:
        import torch
        from transformers import AutoModelForImageTextToText, AutoProcessor
    except ImportError as error:
        raise ModelFileError(
            Path(directory), f"未安装 vl 可选依赖 (pip install -e .[vl]: {error.name} is missing)"
        ) from error
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # bfloat16 halves memory on GPUs that have it; CPUs run float32 (bf16 matmuls are slow there).
    dtype = torch.bfloat16 if device == "cuda" and torch.cuda.is_bf16_supported() else torch.float32
    try:
        processor = AutoProcessor.from_pretrained(directory, local_files_only=True, trust_remote_code=False)
        # Any: transformers' stubs type `.to()` on the Auto class oddly; the object is a PreTrainedModel.
        model: Any = AutoModelForImageTextToText.from_pretrained(
            directory, local_files_only=True, trust_remote_code=False, dtype=dtype
        )
    except (OSError, ValueError, KeyError) as error:
        raise ModelFileError(Path(directory), f"模型无法加载 (cannot load: {type(error).__name__}: {error})") from error
    model.to(device).eval()
    tokenizer = getattr(processor, "tokenizer", None)
    if tokenizer is not None:
        tokenizer.padding_side = "left"  # decoder-only batches are padded on the left
    return VlModel(Path(directory), processor, model, device, dtype)


# --- generation ----------------------------------------------------------------------------------


def to_pil(image: np.ndarray) -> Any:
    """A grey or BGR (OpenCV) array → an RGB PIL image."""
    from PIL import Image

    if image.ndim == 2:
        return Image.fromarray(image).convert("RGB")
    return Image.fromarray(np.ascontiguousarray(image[:, :, ::-1]))


def ask(vl: VlModel, images: Sequence[np.ndarray], prompt: str, options: VlOptions) -> list[VlAnswer]:
    """The model's answer to `prompt` about each image, `options.batch_size` images per generate call."""
    answers: list[VlAnswer] = []
    for start in range(0, len(images), options.batch_size):
        answers += _ask_batch(vl, images[start : start + options.batch_size], prompt, options)
    return answers


def _ask_batch(vl: VlModel, images: Sequence[np.ndarray], prompt: str, options: VlOptions) -> list[VlAnswer]:
    import torch
    from transformers import MaxTimeCriteria, StoppingCriteriaList

    conversations = [
        [{"role": "user", "content": [{"type": "image", "image": to_pil(image)}, {"type": "text", "text": prompt}]}]
        for image in images
    ]
    inputs = vl.processor.apply_chat_template(
        conversations,
        add_generation_prompt=True,
        tokenize=True,
        return_dict=True,
        return_tensors="pt",
        padding=True,
    ).to(vl.device)
    if "pixel_values" in inputs:
        inputs["pixel_values"] = inputs["pixel_values"].to(vl.dtype)
    limit = options.page_seconds * len(images)
    started = time.monotonic()
    with torch.inference_mode():
        output = vl.model.generate(
            **inputs,
            max_new_tokens=options.max_new_tokens,
            do_sample=False,
            stopping_criteria=StoppingCriteriaList([MaxTimeCriteria(max_time=limit)]),
        )
    seconds = time.monotonic() - started
    new = output[:, inputs["input_ids"].shape[1] :]
    texts = vl.processor.batch_decode(new, skip_special_tokens=True)
    ends = _eos_ids(vl)
    pad = getattr(getattr(vl.processor, "tokenizer", None), "pad_token_id", None)
    answers = []
    for text, row in zip(texts, new.tolist()):
        # An answer is complete when the model ended it; one stopped by the time or token bound may be half a table.
        finished = any(token in ends for token in row)
        length = len([token for token in row if token != pad])
        answers.append(VlAnswer(text=text, seconds=round(seconds, 3), new_tokens=length, cut_off=not finished))
    return answers


def _eos_ids(vl: VlModel) -> set[int]:
    value = getattr(vl.model.generation_config, "eos_token_id", None)
    if value is None:
        value = getattr(getattr(vl.processor, "tokenizer", None), "eos_token_id", None)
    if value is None:
        return set()
    return {int(v) for v in value} if isinstance(value, (list, tuple)) else {int(value)}
