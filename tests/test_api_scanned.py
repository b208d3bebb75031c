"""Scanned PDFs through the API and the batch table (issue 17): the warning or the coded error
is where users look — the job status and the batch table — not only in the Markdown."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.api_helpers import api, auth, make_settings, wait_batch, wait_job
from tests.pdf_helpers import IMAGE_OPS, make_pdf, text_ops

PARTLY = make_pdf(
    text_ops("1. Term. This Agreement runs for one year from the Effective Date."),
    text_ops("2. Governing Law. This Agreement is governed by the laws of the State of New York."),
    text_ops("3. Notices. Notices are given in writing to the addresses above."),
    IMAGE_OPS,  # a scanned signature page
)
SCANNED = make_pdf(IMAGE_OPS, IMAGE_OPS, IMAGE_OPS)


def test_partly_and_wholly_scanned_pdfs_without_ocr(tmp_path: Path) -> None:
    # Without OCR (the engine absent, or switched off as here) the scanned pages stay unread.
    settings = make_settings(tmp_path, limits={"ocr": {"enabled": False}})
    with api(settings) as client:
        r = client.post("/v1/jobs", files={"file": ("partly.pdf", PARTLY, "application/pdf")}, headers=auth())
        job = wait_job(client, r.json()["id"])
        assert job["status"] == "succeeded"
        assert any(w.startswith("no_text_layer:") and "4" in w for w in job["warnings"]), job["warnings"]

        r = client.post("/v1/jobs", files={"file": ("scan.pdf", SCANNED, "application/pdf")}, headers=auth())
        job = wait_job(client, r.json()["id"])
        assert job["status"] == "failed" and job["error"]["code"] == "no_text_layer"
        assert "ocr" in job["error"]["message"].lower()

        files = [
            ("files", ("partly.pdf", PARTLY, "application/pdf")),
            ("files", ("scan.pdf", SCANNED, "application/pdf")),
        ]
        b = client.post("/v1/batches", files=files, headers=auth())
        batch = wait_batch(client, b.json()["id"])
        table = client.get(batch["links"]["table_csv"], headers=auth())
        rows = {r["file"]: r for r in csv.DictReader(io.StringIO(table.content.decode("utf-8-sig")))}
        assert (
            rows["partly.pdf"]["status"] == "succeeded" and "no_text_layer" in rows["partly.pdf"]["warnings"]
        )
        assert rows["scan.pdf"]["status"] == "failed" and rows["scan.pdf"]["error_code"] == "no_text_layer"
