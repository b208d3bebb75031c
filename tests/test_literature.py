"""The literature table (issue 18): a batch of papers as one row per paper, written by
`longdoc batch` beside the batch table and served at /v1/batches/{id}/literature.{csv,xlsx}."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.api_helpers import api, auth, batch_args, make_settings, require_rules_model, wait_batch
from tests.paper_helpers import RESULT, planted_paper

EXAMPLE = Path(__file__).resolve().parents[1] / "pipeline" / "examples" / "master-services-agreement.txt"


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_cli_batch_writes_one_literature_row_per_paper(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    require_rules_model()
    from pipeline.cli.service import LOCAL_VIEWER, cmd_batch

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a-tabparse.txt").write_text(planted_paper())
    (folder / "b-gridnet.txt").write_text(planted_paper("GridNet: Reading Tables Again"))
    (folder / "c-msa.txt").write_bytes(EXAMPLE.read_bytes())
    out = tmp_path / "out"
    assert cmd_batch(batch_args(folder, out), make_settings(tmp_path)) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["literature_csv"] == str(out / "docs.literature.csv")
    rows = _rows((out / "docs.literature.csv").read_bytes())
    assert [r["file"] for r in rows] == ["a-tabparse.txt", "b-gridnet.txt", "c-msa.txt"]
    paper, other, contract = rows
    assert (paper["title"], other["title"]) == (
        "TabParse: Parsing Tables in Scanned Reports",
        "GridNet: Reading Tables Again",
    )
    assert paper["year"] == "2024" and paper["authors"] == "Ann Author; Bo Writer"
    assert "F1 91.2 (PubTabNet)" in paper["headline_results"] and "PubTabNet" in paper["datasets"]
    # The evidence is the verbatim sentence and where a reader finds it (a text file: its lines).
    assert RESULT in paper["evidence"] and "— L" in paper["evidence"]
    assert paper["link"] == f"{LOCAL_VIEWER}/#job={paper['job_id']}" and paper["job_id"]
    # A contract in the same folder keeps its row, with no paper columns.
    assert contract["status"] == "succeeded" and contract["title"] == contract["headline_results"] == ""
    ws = load_workbook(out / "docs.literature.xlsx").active
    assert ws is not None and ws.max_row == 4 and ws.cell(row=2, column=4).hyperlink.target == paper["link"]


def test_a_batch_of_contracts_gets_no_literature_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    require_rules_model()
    from pipeline.cli.service import cmd_batch

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "msa.txt").write_bytes(EXAMPLE.read_bytes())
    assert cmd_batch(batch_args(folder, tmp_path / "out"), make_settings(tmp_path)) == 0
    assert "literature_csv" not in json.loads(capsys.readouterr().out)
    assert not list((tmp_path / "out").glob("*.literature.*"))


def test_the_api_serves_a_batch_literature_table(tmp_path: Path) -> None:
    require_rules_model()
    files = [("files", ("tabparse.txt", planted_paper().encode(), "text/plain"))]
    with api(make_settings(tmp_path)) as client:
        r = client.post("/v1/batches", files=files, headers=auth())
        assert r.status_code == 202, r.text
        batch = wait_batch(client, r.json()["id"])
        assert batch["status"] == "succeeded"
        got = client.get(f"/v1/batches/{batch['id']}/literature.csv", headers=auth())
        assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
        (row,) = _rows(got.content)
        assert row["job_id"] == batch["entries"][0]["job_id"] and row["link"].endswith(
            f"/#job={row['job_id']}"
        )
        assert "F1 91.2 (PubTabNet)" in row["headline_results"]
        xlsx = client.get(f"/v1/batches/{batch['id']}/literature.xlsx", headers=auth())
        assert xlsx.status_code == 200
        ws = load_workbook(io.BytesIO(xlsx.content)).active
        assert (
            ws is not None and ws.cell(row=2, column=4).value == "TabParse: Parsing Tables in Scanned Reports"
        )
        assert client.get(f"/v1/batches/{batch['id']}/literature.csv").status_code == 401
        assert client.get("/v1/batches/nope/literature.csv", headers=auth()).status_code == 404
