"""Print constraints.txt for the environment this runs in: every installed distribution, pinned.

Run it with the interpreter of a fresh virtualenv in which the README's install went through and the
suite passed (README, "Dependencies"):

    python -m venv /tmp/fresh && /tmp/fresh/bin/pip install -c constraints.txt -e ".[test,vl]"
    /tmp/fresh/bin/python -m pytest -q            # green first
    /tmp/fresh/bin/python .ci/constraints.py > constraints.txt

Names are normalised (PEP 503) and the lines sorted so that a regeneration diffs line by line; the project
itself and pip's own tooling are left out; a local build tag is dropped (the CPU build of torch,
2.13.0+cpu, satisfies ==2.13.0, and the tag is not a version pip can find in the registry).
"""

from __future__ import annotations

import re
from importlib import metadata

PROJECT = "jixiao-extractor"
TOOLING = {"pip", "setuptools", "wheel"}
HEADER = """\
# The exact versions the test suite last passed with: CI installs with
#   pip install -c constraints.txt -e ".[test,vl]"
# (pyproject.toml holds the ranges). Written by .ci/constraints.py in a fresh virtualenv made by that command;
# after raising a bound, regenerate the same way once the suite passes there (README, "Dependencies").
# One OpenCV wheel: opencv-python, which rapid-layout (every release) and rapidocr up to 3.9.2 require; no
# opencv-python-headless (see tests/unit/test_dependencies.py).
# torch is the CPU build (2.13.0+cpu satisfies ==2.13.0); setuptools is left to pip."""


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins() -> list[str]:
    found = {}
    for distribution in metadata.distributions():
        name = normalised(distribution.metadata["Name"])
        if name == PROJECT or name in TOOLING:
            continue
        found[name] = distribution.version.split("+", 1)[0]
    return sorted(f"{name}=={version}" for name, version in found.items())


if __name__ == "__main__":
    print(HEADER)
    print("\n".join(pins()))
