"""The review grid (issue 16): one row per document, answer + status + viewer link per playbook
rule, as CSV for machines and XLSX for people; decisions show in both."""

from __future__ import annotations

import argparse
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.jobs import decisions
from pipeline.report import grid
from pipeline.report.grid import FILLS, GridRow
from pipeline.report.links import viewer_url
from pipeline.report.model import Decision, Report, Review
from storage.local import LocalStore
from tests.api_helpers import (
    api,
    auth,
    batch_args,
    contract,
    make_settings,
    require_rules_model,
    wait_batch,
    wait_job,
)

BASE = "https://longdoc.example"
EXAMPLE = Path(__file__).resolve().parents[1] / "pipeline" / "examples" / "master-services-agreement.txt"


def _decision(rule: str, action: str, by: str = "k1a2b3", **extra: Any) -> Decision:
    return Decision.model_validate({"rule": rule, "action": action, "by": by, "at": "", **extra})


def _csv_rows(body: bytes) -> list[dict[str, str]]:
    assert body.startswith("\ufeff".encode())  # BOM: Excel reads UTF-8
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def _sheet(body: bytes) -> Worksheet:
    ws = load_workbook(io.BytesIO(body)).active
    assert isinstance(ws, Worksheet)
    return ws


def _columns(ws: Worksheet) -> dict[str, int]:
    return {str(c.value): c.column for c in ws[1]}


def _decided(report: Report, *ds: Decision) -> Report:
    return decisions.with_decisions(
        report, {d.rule: d.model_copy(update={"at": "2026-12-07T10:00:00"}) for d in ds}
    )


def test_grid_from_a_real_review(planted_review: tuple[str, Report]) -> None:
    _, report = planted_review
    assert report.review is not None
    items = report.review.items
    statuses = {i.status for i in items}
    assert {"missing"} < statuses  # the planted contract has found and absent positions
    found = next(i for i in items if i.status != "missing" and i.evidence)
    absent = next(i for i in items if i.status == "missing")
    decided = _decided(report, _decision(found.rule, "accept", comment="=ok per playbook"),
                       _decision(absent.rule, "edit", status="review", value="see schedule 4"))  # fmt: skip
    old = report.model_copy(update={"review": None})  # an older job: no review at all
    rows = [
        GridRow("=planted.txt", "job1", "succeeded", "", decided),
        GridRow("broken.docx", None, "failed", "unreadable", None),
        GridRow("old.txt", "job0", "succeeded", "", old),
    ]
    rules = [i.rule for i in items]
    assert grid.rules(rows) == rules  # playbook order

    table = _csv_rows(grid.to_csv(rows, BASE))
    assert [r["file"] for r in table] == ["'=planted.txt", "broken.docx", "old.txt"]  # no formula
    first, failed, older = table
    for item in items:
        answer, status, link = (first[f"{item.rule}: {k}"] for k in ("answer", "status", "link"))
        assert link == viewer_url(BASE, "job1", item.rule)
        if item.rule == absent.rule:
            assert answer.startswith("see schedule 4 (edited; was: absent)")
            assert status.startswith("missing → review, edited by k1a2b3 2026-12-07")
        elif item.status == "missing":
            assert answer == "absent" and status == "missing"
        else:
            ev = item.evidence[0]
            # A text file is cited by line (consolidation's "where"), with its section.
            assert f"({ev.where}" in answer and (ev.section is None or f"§ {ev.section}" in answer)
    assert (
        first[f"{found.rule}: status"] == f"{found.status} → accepted by k1a2b3 2026-12-07: =ok per playbook"
    )
    assert failed["error_code"] == "unreadable" and failed["job_id"] == ""
    assert all(
        failed[f"{r}: {k}"] == "" and older[f"{r}: {k}"] == "" for r in rules for k in ("answer", "status")
    )

    ws = _sheet(grid.to_xlsx(rows, BASE))
    cols = _columns(ws)
    assert list(cols)[:4] == ["file", "job_id", "status", "error_code"]
    assert all(c.font.b for c in ws[1])  # bold header
    assert ws.freeze_panes == "B2"  # header row and file column
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}4"
    assert all(
        ws.column_dimensions[ws.cell(1, c).column_letter].width >= 10 for c in range(1, ws.max_column + 1)
    )
    assert ws.cell(2, 1).value == "'=planted.txt" and ws.cell(2, 1).data_type == "s"
    for item in items:
        answer = ws.cell(2, cols[f"{item.rule}: answer"])
        status = ws.cell(2, cols[f"{item.rule}: status"])
        assert answer.alignment.wrap_text and status.alignment.wrap_text
        if item.evidence:  # a hyperlink per evidence cell
            assert answer.hyperlink is not None and answer.hyperlink.target == viewer_url(
                BASE, "job1", item.rule
            )
        colour = "review" if item.rule == absent.rule else item.status  # the edit's status colours it
        assert status.fill.fgColor.rgb[-6:] == answer.fill.fgColor.rgb[-6:] == FILLS[colour]
        assert ws.cell(3, cols[f"{item.rule}: answer"]).hyperlink is None  # failed: no job, no link
    assert ws.cell(2, cols[f"{found.rule}: status"]).value == first[f"{found.rule}: status"]
    assert ws.cell(3, cols["error_code"]).value == "unreadable"


def test_rules_are_the_union_of_the_documents_playbooks(planted_review: tuple[str, Report]) -> None:
    _, report = planted_review
    assert report.review is not None and len(report.review.items) >= 3
    a, b, c = report.review.items[:3]
    only_ab = report.model_copy(update={"review": Review(playbook="one", items=[a, b])})
    only_cb = report.model_copy(update={"review": Review(playbook="two", items=[c, b])})
    rows = [
        GridRow("a.txt", "j1", "succeeded", "", only_ab),
        GridRow("b.txt", "j2", "succeeded", "", only_cb),
    ]
    assert grid.rules(rows) == [a.rule, b.rule, c.rule]
    first, second = _csv_rows(grid.to_csv(rows, BASE))
    assert first[f"{c.rule}: status"] == "" and second[f"{c.rule}: status"] == c.status
    assert second[f"{a.rule}: link"] == ""


def test_api_job_and_batch_grids_carry_decisions(tmp_path: Path) -> None:
    require_rules_model()
    settings = make_settings(tmp_path)
    store = LocalStore(settings.storage.dir)
    with api(settings) as client:
        r = client.post("/v1/jobs", files={"file": ("msa.txt", EXAMPLE.read_bytes())}, headers=auth())
        assert r.status_code == 202, r.text
        job_id = r.json()["id"]
        assert wait_job(client, job_id)["status"] == "succeeded"
        report = Report.model_validate(client.get(f"/v1/jobs/{job_id}/report", headers=auth()).json())
        assert report.review is not None
        item = next(i for i in report.review.items if i.evidence)
        decisions.record(store, "acme", job_id, _decision(item.rule, "reject", comment="cap is per claim"))

        r = client.get(f"/v1/jobs/{job_id}/review.csv", headers=auth())
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        (row,) = _csv_rows(r.content)
        assert row["job_id"] == job_id and row["status"] == "succeeded"
        assert row[f"{item.rule}: status"].startswith(f"{item.status} → rejected by k1a2b3 ")
        assert row[f"{item.rule}: status"].endswith(": cap is per claim")
        assert row[f"{item.rule}: link"] == f"http://testserver/#job={job_id}&item={item.rule}"

        r = client.get(f"/v1/jobs/{job_id}/review.xlsx", headers=auth())
        assert r.status_code == 200 and r.headers["content-disposition"].startswith(
            'attachment; filename="msa.review.xlsx"'
        )
        ws = _sheet(r.content)
        assert ws.cell(2, _columns(ws)[f"{item.rule}: status"]).value == row[f"{item.rule}: status"]
        assert client.get(f"/v1/jobs/{job_id}/review.csv", headers=auth("globex")).status_code == 404

        files = [("files", ("a.txt", contract(), "text/plain")), ("files", ("msa.txt", EXAMPLE.read_bytes(), "text/plain")),
                 ("files", ("empty.txt", b"", "text/plain"))]  # fmt: skip
        r = client.post("/v1/batches", files=files, headers=auth())
        assert r.status_code == 202, r.text
        batch = wait_batch(client, r.json()["id"])
        msa = batch["entries"][1]["job_id"]
        if msa != job_id:  # a new job for the same bytes: decide on it too
            decisions.record(store, "acme", msa, _decision(item.rule, "reject", comment="cap is per claim"))
        r = client.get(f"/v1/batches/{batch['id']}/review.csv", headers=auth())
        assert r.status_code == 200
        rows = _csv_rows(r.content)
        assert [x["file"] for x in rows] == ["a.txt", "msa.txt", "empty.txt"]
        assert rows[1][f"{item.rule}: status"].endswith(": cap is per claim")
        assert rows[1][f"{item.rule}: link"] == f"http://testserver/#job={msa}&item={item.rule}"
        assert rows[2]["error_code"] == "empty_document" and rows[2][f"{item.rule}: answer"] == ""
        ws = _sheet(client.get(f"/v1/batches/{batch['id']}/review.xlsx", headers=auth()).content)
        assert (
            ws.max_row == 4
            and ws.cell(3, _columns(ws)[f"{item.rule}: status"]).value == rows[1][f"{item.rule}: status"]
        )

        audit = client.get("/v1/audit", headers=auth()).json()
        reads = [e for e in audit["events"] if e["action"] == "review.read"]
        assert {(e["object"], e["format"]) for e in reads} >= {(job_id, "csv"), (batch["id"], "xlsx")}

        assert client.delete(f"/v1/jobs/{job_id}", headers=auth()).status_code == 204
        assert client.get(f"/v1/jobs/{job_id}/review.xlsx", headers=auth()).status_code == 410


def test_cli_batch_writes_the_grid_beside_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    require_rules_model()
    from pipeline.cli.service import LOCAL_VIEWER, cmd_batch

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "msa.txt").write_bytes(EXAMPLE.read_bytes())
    (folder / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    out = tmp_path / "out"
    args = batch_args(folder, out)
    assert cmd_batch(args, make_settings(tmp_path)) == 1  # the bad file
    printed = json.loads(capsys.readouterr().out)
    assert printed["review_csv"] == str(out / "docs.review.csv")
    rows = _csv_rows((out / "docs.review.csv").read_bytes())
    assert [r["status"] for r in rows] == ["failed", "succeeded"]  # bad.png, msa.txt (sorted)
    assert rows[0]["error_code"] == "unsupported_media_type"
    links = [v for k, v in rows[1].items() if k.endswith(": link")]
    assert links and all(v.startswith(f"{LOCAL_VIEWER}/#job={rows[1]['job_id']}&item=") for v in links)
    ws = load_workbook(out / "docs.review.xlsx").active
    assert ws is not None and ws.max_row == 3 and ws.auto_filter.ref


def _hyperlinks(path: Path) -> list[str]:
    ws = load_workbook(path).active
    assert ws is not None
    return [c.hyperlink.target for row in ws.iter_rows(min_row=2) for c in row if c.hyperlink is not None]


def test_analyze_grid_flag_writes_the_review_xlsx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require_rules_model()
    from pipeline.cli.main import main
    from pipeline.cli.service import LOCAL_VIEWER

    monkeypatch.setenv("LONGDOC_STORAGE_DIR", str(tmp_path / "store"))
    monkeypatch.delenv("LONGDOC_API_URL", raising=False)
    out = tmp_path / "out"
    assert main(["analyze", str(EXAMPLE), "--out", str(out), "--grid", "--json"]) == 0
    links = _hyperlinks(out / "master-services-agreement.review.xlsx")
    assert links and all(u.startswith(f"{LOCAL_VIEWER}/#job=") for u in links)


def test_analyze_and_batch_through_a_server_fetch_its_grid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    require_rules_model()
    from pydantic import SecretStr

    from pipeline.cli.client import analyze_files
    from pipeline.cli.service import cmd_batch
    from tests.api_helpers import KEYS, live_server

    settings = make_settings(tmp_path)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "msa.txt").write_bytes(EXAMPLE.read_bytes())
    with live_server(settings) as url:
        remote = settings.model_copy(
            update={"api": settings.api.model_copy(update={"url": url, "key": SecretStr(KEYS["acme"])})}
        )
        args = argparse.Namespace(files=[str(docs / "msa.txt")], out=str(tmp_path / "out"), json=True, model="rules",
                                  profile="batch", budget=None, error_cost=0.0, latency_target=None,
                                  self_hosted_only=False, providers="", password=None, grid=True)  # fmt: skip
        assert analyze_files(args, remote) == 0
        (result,) = json.loads(capsys.readouterr().out)
        links = _hyperlinks(Path(result["review_xlsx"]))
        assert links and all(u.startswith(f"{url}/#job={result['job_id']}&item=") for u in links)

        bargs = batch_args(docs, tmp_path / "out")
        assert cmd_batch(bargs, remote) == 0
        (row,) = _csv_rows((tmp_path / "out" / "docs.review.csv").read_bytes())
        assert row["status"] == "succeeded" and row["job_id"]
        assert all(v.startswith(f"{url}/#job=") for k, v in row.items() if k.endswith(": link"))
