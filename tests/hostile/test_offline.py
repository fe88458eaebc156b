"""No network call from any path: a scanned extraction in a process without a network, with every
Python-level socket operation recorded by an audit hook (and refused)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.scan_sample import build_sample_form

REPO = Path(__file__).resolve().parents[2]

_CHILD = r"""
import json, sys
calls = []
# Creating a socket and binding it to loopback is no network call (urllib3, imported by the OCR
# engine, probes IPv6 support at import by binding ::1); reaching out is: connect, send, resolve.
OUTWARD = ("socket.connect", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo", "socket.gethostbyname",
           "socket.gethostbyname_ex", "socket.gethostbyaddr", "socket.getnameinfo")

def hook(event, args):
    if event in OUTWARD:
        calls.append(event)
        raise OSError("network use refused by the offline test: " + event)

sys.addaudithook(hook)
from extractor.pipeline import extract
result = extract(sys.argv[1])
print(json.dumps({"calls": calls, "kind": result.document.kind, "indicators": len(result.indicators)}))
"""


def _scan(form: Path, out: Path) -> Path:
    """The sample form as an image-only PDF (page images, no text layer)."""
    import pymupdf

    with pymupdf.open(form) as source, pymupdf.open() as scan:
        for page in source:
            pixmap = page.get_pixmap(dpi=200)
            target = scan.new_page(width=page.rect.width, height=page.rect.height)
            target.insert_image(target.rect, pixmap=pixmap)
        scan.save(out)
    return out


@pytest.mark.slow
def test_a_scanned_extraction_makes_no_network_call(tmp_path: Path) -> None:
    scan = _scan(build_sample_form(tmp_path / "form.pdf"), tmp_path / "scan.pdf")
    command = [sys.executable, "-c", _CHILD, str(scan)]
    # Without a network namespace of its own where we can make one (root): nothing to reach at all.
    if os.geteuid() == 0 and shutil.which("unshare"):
        command = ["unshare", "--net", *command]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["calls"] == []
    assert answer["kind"] == "pdf_scanned" and answer["indicators"] > 0
