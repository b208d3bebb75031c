"""The HTTP API: submit, poll, reports, listing, cancel, and problem+json errors."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from docx import Document

from pipeline.cli.main import main as cli_main
from tests.api_helpers import KEYS, api, auth, contract, make_settings, require_rules_model, wait_job
from tests.waiting import wait_for

PROBLEM = "application/problem+json"


def _submit(client, data: bytes, name: str = "msa.txt", tenant: str = "acme", **fields: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/v1/jobs", files={"file": (name, data, "text/plain")}, data=fields, headers=auth(tenant)
    )


def test_submit_poll_and_reports(tmp_path: Path) -> None:
    require_rules_model()
    with api(make_settings(tmp_path)) as client:
        r = _submit(client, contract(), profile="interactive")
        assert r.status_code == 202, r.text
        job = r.json()
        assert r.headers["Location"] == f"/v1/jobs/{job['id']}"
        assert r.headers["Retry-After"] in ("1", "2")
        assert job["status"] in ("queued", "ingesting", "analyzing", "consolidating", "succeeded")
        assert job["options"]["profile"] == "interactive"
        done = wait_job(client, job["id"])
        assert done["status"] == "succeeded", done
        assert done["progress"] == {
            "segments_total": 1,
            "segments_done": 1,
            "segments_failed": 0,
            "percent": 100.0,
        }
        assert done["cost"]["actual_usd"] == 0.0 and done["links"]["report_docx"]
        final = client.get(f"/v1/jobs/{job['id']}", headers=auth())
        assert "Retry-After" not in final.headers  # finished: nothing to wait for

        report = client.get(done["links"]["report"], headers=auth()).json()
        laws = [k["value"] for k in report["key_terms"] if k["name"] == "governing_law"]
        assert laws and "New York" in laws[0]
        md = client.get(done["links"]["report_md"], headers=auth())
        assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
        assert "Governing law" in md.text
        memo = client.get(done["links"]["report_docx"], headers=auth())
        assert memo.status_code == 200 and "attachment" in memo.headers["content-disposition"]
        text = "\n".join(p.text for p in Document(io.BytesIO(memo.content)).paragraphs)
        assert "Memorandum" in text and "Key terms" in text and "Findings by category" in text


def test_listing_is_newest_first_with_cursor_and_filter(tmp_path: Path) -> None:
    with api(make_settings(tmp_path)) as client:
        ids = [
            _submit(client, contract(party_a=f"Party {i} Inc."), f"c{i}.txt").json()["id"] for i in range(3)
        ]
        for i in ids:
            wait_job(client, i)
        page1 = client.get("/v1/jobs", params={"limit": 2}, headers=auth()).json()
        assert [j["id"] for j in page1["data"]] == ids[::-1][:2] and page1["next_cursor"]
        page2 = client.get(
            "/v1/jobs", params={"limit": 2, "cursor": page1["next_cursor"]}, headers=auth()
        ).json()
        assert [j["id"] for j in page2["data"]] == [ids[0]] and page2["next_cursor"] is None
        ok = client.get("/v1/jobs", params={"status": "succeeded"}, headers=auth()).json()
        assert len(ok["data"]) == 3
        assert client.get("/v1/jobs", params={"status": "failed"}, headers=auth()).json()["data"] == []
        bad = client.get("/v1/jobs", params={"status": "nonsense", "limit": 0}, headers=auth())
        assert bad.status_code == 422 and bad.headers["content-type"] == PROBLEM


def test_jobs_run_from_the_cli_are_listed_for_their_tenant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The CLI and the API share the store: a legal team's CLI runs show up on the web page.
    doc = tmp_path / "cli-msa.txt"
    doc.write_bytes(contract())
    monkeypatch.setenv("LONGDOC_STORAGE_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("LONGDOC_TENANT", "acme")
    assert cli_main(["analyze", str(doc), "--out", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    with api(make_settings(tmp_path)) as client:
        api_id = _submit(client, contract(party_a="Other Inc."), "api.txt").json()["id"]
        wait_job(client, api_id)
        listed = client.get("/v1/jobs", headers=auth()).json()["data"]
        assert [j["name"] for j in listed] == ["api.txt", "cli-msa.txt"]
        assert listed[1]["status"] == "succeeded"
        assert client.get("/v1/jobs", headers=auth("globex")).json()["data"] == []  # not another tenant's


def test_stored_document_reference(tmp_path: Path) -> None:
    with api(make_settings(tmp_path)) as client:
        first = wait_job(client, _submit(client, contract()).json()["id"])
        r = client.post(
            "/v1/jobs", json={"document_key": first["document_key"], "name": "again.txt"}, headers=auth()
        )
        assert r.status_code == 202, r.text
        again = wait_job(client, r.json()["id"])
        assert (
            again["status"] == "succeeded"
            and again["sha256"] == first["sha256"]
            and again["name"] == "again.txt"
        )
        form = client.post("/v1/jobs", data={"document_key": first["document_key"]}, headers=auth())
        assert form.status_code == 202, form.text
        for key in ("documents/missing.txt", "../globex/documents/x.txt", "jobs/x/job.json", "/abs", ""):
            r = client.post("/v1/jobs", json={"document_key": key}, headers=auth())
            assert r.status_code in (404, 422) and r.headers["content-type"] == PROBLEM, (key, r.text)


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, 415, "unsupported_media_type"),
        (b"", 422, "empty_document"),
        (b"PK\x03\x04 not really a zip", 422, "unreadable"),
    ],
)
def test_bad_documents_are_coded_problems(tmp_path: Path, data: bytes, status: int, code: str) -> None:
    with api(make_settings(tmp_path)) as client:
        r = _submit(client, data, "bad.bin")
        assert r.status_code == status, r.text
        assert r.headers["content-type"] == PROBLEM
        body = r.json()
        assert (
            body["code"] == code and body["status"] == status and body["title"] and "Traceback" not in r.text
        )


def test_too_large_by_content_length_and_while_streaming(tmp_path: Path) -> None:
    with api(make_settings(tmp_path, limits={"max_document_bytes": 2000})) as client:
        big = b"x " * 1500
        r = _submit(client, big)  # framed: under the request limit, over the document limit
        assert r.status_code == 413 and r.json()["code"] == "too_large"
        huge = b"y " * 800_000
        r = _submit(client, huge)  # Content-Length over the request limit: refused before reading
        assert r.status_code == 413 and r.json()["code"] == "too_large"

        def chunks():  # type: ignore[no-untyped-def]
            boundary = b"--b0undary"
            yield boundary + b'\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n'
            for _ in range(40):
                yield b"z" * 65536
            yield b"\r\n" + boundary + b"--\r\n"

        headers = {**auth(), "Content-Type": "multipart/form-data; boundary=b0undary"}
        r = client.post("/v1/jobs", content=chunks(), headers=headers)  # chunked: no Content-Length
        assert r.status_code == 413 and r.json()["code"] == "too_large", r.text


def test_bad_requests_are_problems(tmp_path: Path) -> None:
    with api(make_settings(tmp_path)) as client:
        assert client.get("/v1/jobs/nope", headers=auth()).json()["code"] == "not_found"
        assert client.get("/v1/jobs/..%2F..%2Fetc", headers=auth()).status_code == 404
        r = _submit(client, contract(), model="no-such-model")
        assert r.status_code == 422 and r.json()["code"] == "unknown_model"
        r = _submit(client, contract(), budget_usd="-3")
        assert r.status_code == 422 and r.json()["code"] == "validation_error"
        r = _submit(client, contract(), surprise="1")
        assert r.status_code == 422
        r = client.post("/v1/jobs", content=b"hello", headers={**auth(), "Content-Type": "text/plain"})
        assert r.status_code == 415 and r.json()["code"] == "unsupported_media_type"
        r = client.post(
            "/v1/jobs", content=b"{not json", headers={**auth(), "Content-Type": "application/json"}
        )
        assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
        r = client.post("/v1/jobs", json=[1, 2], headers=auth())
        assert r.status_code == 422
        r = client.get("/v1/jobs", headers={"Authorization": "Bearer wrong"})
        assert r.status_code == 401 and r.json()["code"] == "unauthorized" and "WWW-Authenticate" in r.headers
        assert client.get("/v1/jobs", headers={"X-API-Key": KEYS["acme"]}).status_code == 200
        assert client.get("/v1/health").json()["status"] == "ok"
        assert client.delete("/v1/jobs", headers=auth()).headers["content-type"] == PROBLEM


def test_report_not_ready_then_cancel(tmp_path: Path) -> None:
    # Every rules call takes 1 s here, so the job is still running when we ask.
    with api(make_settings(tmp_path, execution={"rules_latency_s": 1.0}, api={"job_workers": 1})) as client:
        running = _submit(client, contract()).json()
        queued = _submit(client, contract(party_a="Other Co.")).json()  # waits behind the first
        r = client.get(f"/v1/jobs/{running['id']}/report", headers=auth())
        assert r.status_code == 409 and r.json()["code"] == "not_ready" and r.headers["Retry-After"]
        c = client.post(f"/v1/jobs/{queued['id']}/cancel", headers=auth())
        assert c.status_code == 202
        assert c.json()["status"] == "canceled"  # never started: ended at once
        done = wait_job(client, running["id"])
        assert done["status"] == "succeeded"
        again = client.post(f"/v1/jobs/{running['id']}/cancel", headers=auth())
        assert again.status_code == 200 and again.json()["status"] == "succeeded"
        assert client.get(f"/v1/jobs/{queued['id']}/report", headers=auth()).json()["code"] == "no_report"


def test_cancel_running_job_keeps_partial_report(tmp_path: Path) -> None:
    with api(make_settings(tmp_path, execution={"rules_latency_s": 1.5})) as client:
        job = _submit(client, contract()).json()
        status = lambda: client.get(f"/v1/jobs/{job['id']}", headers=auth()).json()["status"]  # noqa: E731
        wait_for(lambda: status() == "analyzing", 10, "the job to be analyzing")
        assert client.post(f"/v1/jobs/{job['id']}/cancel", headers=auth()).status_code == 202
        done = wait_job(client, job["id"])
        assert done["status"] in ("canceled", "succeeded")  # the segment may have been past its check
        if done["status"] == "canceled":
            assert done["error"]["code"] == "canceled"


def test_openapi_and_docs(tmp_path: Path) -> None:
    with api(make_settings(tmp_path)) as client:
        spec = client.get("/openapi.json").json()
        assert spec["openapi"].startswith("3.") and "/v1/jobs/{job_id}/report.docx" in spec["paths"]
        assert "Problem" in spec["components"]["schemas"] and "JobUpload" in spec["components"]["schemas"]
        post = spec["paths"]["/v1/jobs"]["post"]
        assert "multipart/form-data" in post["requestBody"]["content"]
        assert PROBLEM in post["responses"]["415"]["content"]
        assert client.get("/docs").status_code == 200


def test_serve_refuses_without_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from pipeline.cli.service import cmd_serve
    from pipeline.config import Settings, StorageConfig

    args = argparse.Namespace(dev=False, host="127.0.0.1", port=0, log_level="warning", no_access_log=True)
    assert cmd_serve(args, Settings(storage=StorageConfig(dir=tmp_path))) == 2
    assert "no API keys configured" in capsys.readouterr().err


def test_memo_cites_findings_and_lists_issues(tmp_path: Path) -> None:
    require_rules_model()
    extra = (
        "\n5. Disputes. Notwithstanding Section 4, this Agreement is governed by the laws of the State of Texas.\n"
        "\n6. Fees. Fees are payable as set out in Section 12.4 and Schedule 9.\n"
    )
    with api(make_settings(tmp_path)) as client:
        job = wait_job(client, _submit(client, contract(extra=extra)).json()["id"])
        report = client.get(job["links"]["report"], headers=auth()).json()
        memo = Document(io.BytesIO(client.get(job["links"]["report_docx"], headers=auth()).content))
        text = "\n".join(p.text for p in memo.paragraphs)
        cells = "\n".join(c.text for t in memo.tables for row in t.rows for c in row.cells)
        assert (
            "Governing law" in cells and "New York" in cells and re.search(r"\bL\d+", cells)
        )  # a text file cites lines
        if report["conflicts"]:
            assert "Conflicting terms" in text
        if any(r["status"] == "dangling" for r in report["references"]):
            assert "Cross-references that point nowhere" in text and "Section 12.4" in text
        for f in report["findings"][:3]:
            assert f["where"] in text  # as consolidation names it (lines, for a text file)
