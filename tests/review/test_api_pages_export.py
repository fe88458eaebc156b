"""Page images (rendered once, cached in the data dir) and exports equal to the CLI's."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pymupdf
from sqlalchemy import Engine

from extractor.export import ExportFilter, export
from schemas import ExtractionResult
from tests.review.conftest import SEED_001, SEEDS, Service
from tests.review.helpers import store, variant


def test_page_image_is_rendered_once_and_cached(service: Service, engine: Engine, seed_001: ExtractionResult) -> None:
    document_id = store(engine, seed_001, SEED_001)
    client, headers = service.client, service.auth("reviewer")
    sizes = client.get(f"/api/documents/{document_id}/pages", headers=headers).json()
    assert len(sizes) == 8 and sizes[6] == {"n": 7, "width": 595.0, "height": 842.0}
    response = client.get(f"/api/documents/{document_id}/pages/7.png", headers=headers)
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    image = pymupdf.Pixmap(response.content)
    dpi = service.settings.page_dpi
    # The browser scales boxes by image width / page width: the image must be the page at `dpi`.
    assert abs(image.width - 595 * dpi / 72) <= 1 and abs(image.height - 842 * dpi / 72) <= 1
    cached = service.settings.pages_dir / seed_001.document.sha256 / f"7@{dpi}.png"
    assert cached.read_bytes() == response.content
    stamp = cached.stat().st_mtime_ns
    assert client.get(f"/api/documents/{document_id}/pages/7.png", headers=headers).content == response.content
    assert cached.stat().st_mtime_ns == stamp, "served from the cache, not rendered again"
    missing = client.get(f"/api/documents/{document_id}/pages/9.png", headers=headers)
    assert missing.status_code == 404 and "没有第 9 页" in missing.json()["detail"]


def test_office_files_have_no_page_images(service: Service, engine: Engine, seed_001: ExtractionResult) -> None:
    docx = variant(seed_001, 5)
    docx.document.kind = "docx"
    document_id = store(engine, docx, SEEDS / "001" / "001.docx")
    response = service.client.get(f"/api/documents/{document_id}/pages/1.png", headers=service.auth("reviewer"))
    assert response.status_code == 404 and "没有页面图像" in response.json()["detail"]


def test_export_is_the_cli_export(service: Service, engine: Engine, seed_001: ExtractionResult, tmp_path: Path) -> None:
    store(engine, variant(seed_001, 1, department="甲局"))
    store(engine, variant(seed_001, 2, department="乙局", findings=(("sum_mismatch", "error"),)))
    client, headers = service.client, service.auth("ingest")
    expected = export(
        engine=engine,
        out_dir=tmp_path / "cli",
        kinds=("indicators",),
        formats=("csv",),
        filters=ExportFilter(department="乙局"),
    )
    response = client.get("/api/export?format=csv&kind=indicators&department=乙局", headers=headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.content == expected[0].read_bytes()
    assert response.content.decode("utf-8-sig").count("\n") == 1 + len(seed_001.indicators)

    jsonl = client.get("/api/export?format=jsonl&kind=findings&rule=sum_mismatch", headers=headers)
    rows = [json.loads(line) for line in jsonl.text.splitlines()]
    assert [(row["document.department"], row["rule"]) for row in rows] == [("乙局", "sum_mismatch")]

    bundle = client.get("/api/export?format=parquet", headers=headers)
    assert bundle.headers["content-type"] == "application/zip"
    names = set(zipfile.ZipFile(io.BytesIO(bundle.content)).namelist())
    assert names == {
        "indicators.parquet",
        "budget_lines.parquet",
        "scores.parquet",
        "findings.parquet",
        "extraction_result.schema.json",
    }
    assert client.get("/api/export?format=pdf", headers=headers).status_code == 422


def test_image_pages_are_measured_like_the_image_backend_measures_them(tmp_path: Path) -> None:
    from PIL import Image

    from extractor.review.pages import page_sizes

    untagged = tmp_path / "phone.png"  # no believable resolution: the backend takes the long side for A4
    Image.new("L", (1240, 1754), 255).save(untagged, dpi=(72, 72))
    (size,) = page_sizes(untagged, "image")
    assert abs(size.height - 842) < 0.01 and abs(size.width - 1240 * 842 / 1754) < 0.01
    scanned = tmp_path / "scan.tif"
    Image.new("L", (2480, 3508), 255).save(scanned, dpi=(300, 300))
    (size,) = page_sizes(scanned, "image")
    assert abs(size.width - 2480 * 72 / 300) < 0.01
