"""Batches through the API and the CLI: dedup, partial success, coded errors, CSV/XLSX tables."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipeline.analyze.clauses import CATEGORIES
from tests.api_helpers import api, auth, batch_args, contract, make_settings, require_rules_model, wait_batch
from tests.conftest import SHARED_DATA, needs_shared

COLUMNS = (
    5 + 10 + 2 * len(CATEGORIES)
)  # file, status, error_code, warnings, cost_usd; key terms; per category
BAD: list[tuple[str, bytes]] = [
    ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
    ("empty.txt", b""),
    ("broken.docx", b"PK\x03\x04 this is not a zip"),
    ("sheet.gz", b"\x1f\x8b\x08\x00" + b"\x00" * 50),
    ("binary.bin", bytes(range(256)) * 4),
]


def _csv(client, batch_id: str) -> list[list[str]]:  # type: ignore[no-untyped-def]
    r = client.get(f"/v1/batches/{batch_id}/table.csv", headers=auth())
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))


def _xlsx(client, batch_id: str) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    r = client.get(f"/v1/batches/{batch_id}/table.xlsx", headers=auth())
    assert r.status_code == 200
    return list(load_workbook(io.BytesIO(r.content), read_only=True).active.iter_rows(values_only=True))


def test_small_batch_partial_success_dedup_and_tables(tmp_path: Path) -> None:
    require_rules_model()
    good = [("ny.txt", contract()), ("tx.txt", contract(law="Texas", party_a="=HYPERLINK(evil)")),
            ("ny-copy.txt", contract())]  # fmt: skip
    files = [("files", (n, d, "application/octet-stream")) for n, d in good + BAD[:2]]
    with api(make_settings(tmp_path)) as client:
        r = client.post("/v1/batches", files=files, data={"budget_usd": "3"}, headers=auth())
        assert r.status_code == 202, r.text
        assert r.headers["Location"] == f"/v1/batches/{r.json()['id']}"
        batch = wait_batch(client, r.json()["id"])
        assert batch["status"] == "partially_succeeded" and batch["total"] == 5
        assert batch["counts"] == {"succeeded": 3, "failed": 2}
        e = batch["entries"]
        assert [x["name"] for x in e] == ["ny.txt", "tx.txt", "ny-copy.txt", "photo.png", "empty.txt"]
        assert e[2]["job_id"] == e[0]["job_id"] and e[2]["duplicate_of"] == 0  # identical bytes: one job
        assert [x["error"]["code"] for x in e[3:]] == ["unsupported_media_type", "empty_document"]
        assert e[3]["job_id"] is None and e[0]["links"]["report"]
        # The total budget is one pool for the batch, not a per-document budget a job could fail on.
        assert batch["budget_usd"] == 3.0
        assert all(
            client.get(f"/v1/jobs/{x['job_id']}", headers=auth()).json()["options"]["budget_usd"] is None
            for x in e[:2]
        )

        rows = _csv(client, batch["id"])
        assert len(rows) == 6 and all(len(row) == COLUMNS for row in rows)
        head = rows[0]
        law = head.index("governing_law")
        assert "New York" in rows[1][law] and "Texas" in rows[2][law]
        assert rows[4][head.index("error_code")] == "unsupported_media_type"
        assert rows[1][head.index("Governing Law: present")] in ("present", "absent")
        assert not any(cell.startswith("=") for row in rows for cell in row)  # formulas defused
        sheet = _xlsx(client, batch["id"])
        assert len(sheet) == 6 and len(sheet[0]) == COLUMNS
        assert (
            sheet[2][head.index("parties")].startswith("'=")
            or "=" not in str(sheet[2][head.index("parties")])[:1]
        )


def test_json_manifest_of_stored_documents(tmp_path: Path) -> None:
    with api(make_settings(tmp_path)) as client:
        one = client.post(
            "/v1/jobs", files={"file": ("a.txt", contract(), "text/plain")}, headers=auth()
        ).json()
        body = {"documents": [{"document_key": one["document_key"], "name": "a.txt"},
                              {"document_key": "documents/absent.txt"}], "budget_usd": 1.0}  # fmt: skip
        r = client.post("/v1/batches", json=body, headers=auth())
        assert r.status_code == 202, r.text
        batch = wait_batch(client, r.json()["id"])
        assert batch["status"] == "partially_succeeded"
        assert batch["entries"][1]["error"]["code"] == "not_found"
        assert len(_csv(client, batch["id"])) == 3
        assert client.post("/v1/batches", json={"documents": []}, headers=auth()).status_code == 422


def test_cli_batch_writes_tables_and_resumes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.cli.service import cmd_batch

    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(4):
        (folder / f"c{i}.txt").write_bytes(contract(party_a=f"Party {i} Inc."))
    (folder / "bad.png").write_bytes(BAD[0][1])
    (folder / ".hidden").write_bytes(b"skip me")
    settings = make_settings(tmp_path)
    out = tmp_path / "out"
    assert cmd_batch(batch_args(folder, out, jobs=2), settings) == 1  # one bad file
    first = json.loads(capsys.readouterr().out)
    assert first["status"] == "partially_succeeded" and first["counts"] == {"succeeded": 4, "failed": 1}
    rows = list(csv.reader(io.StringIO((out / "docs.table.csv").read_text(encoding="utf-8-sig"))))
    assert len(rows) == 6 and len(load_workbook(out / "docs.table.xlsx").active["A"]) == 6
    index = tmp_path / "store" / "default" / "job-index"
    jobs_before = sorted(p.name for p in index.iterdir())
    assert len(jobs_before) == 4

    (folder / "c4.txt").write_bytes(contract(party_a="New Party Inc."))  # one new file
    assert cmd_batch(batch_args(folder, out, jobs=2), settings) == 1
    second = json.loads(capsys.readouterr().out)
    assert second["counts"] == {"succeeded": 5, "failed": 1}
    jobs_after = sorted(p.name for p in index.iterdir())
    assert len(jobs_after) == 5 and set(jobs_before) <= set(jobs_after)  # finished ones were not redone

    manifest = tmp_path / "list.txt"
    manifest.write_text("# two of them\ndocs/c0.txt\ndocs/c1.txt\n")
    assert cmd_batch(batch_args(manifest, out, jobs=2), settings) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "succeeded" and (out / "list.table.xlsx").exists()


def _cuad(n: int) -> list[tuple[str, bytes]]:
    paths = sorted((SHARED_DATA / "cuad-dev" / "contracts").glob("*.txt"))[:n]
    assert len(paths) == n
    return [(p.name, p.read_bytes()) for p in paths]


@pytest.mark.slow
@needs_shared
def test_cuad_batches_through_the_api(tmp_path: Path) -> None:
    require_rules_model()
    docs = _cuad(100)
    with api(make_settings(tmp_path, api={"job_workers": 2})) as client:
        r = client.post(
            "/v1/batches", files=[("files", (n, d, "text/plain")) for n, d in docs], headers=auth()
        )
        assert r.status_code == 202, r.text
        batch = wait_batch(client, r.json()["id"], timeout_s=600)
        assert batch["status"] == "succeeded", batch["counts"]
        rows = _csv(client, batch["id"])
        assert len(rows) == 101 and len(_xlsx(client, batch["id"])) == 101
        law = rows[0].index("Governing Law: present")
        assert sum(row[law] == "present" for row in rows[1:]) > 50

        # Partial success needs no second hundred: 15 of the same contracts (new jobs) and the
        # five bad files among them.
        mixed = docs[:10] + BAD[:3] + docs[10:15] + BAD[3:]
        r = client.post(
            "/v1/batches", files=[("files", (n, d, "text/plain")) for n, d in mixed], headers=auth()
        )
        batch = wait_batch(client, r.json()["id"], timeout_s=600)
        assert batch["status"] == "partially_succeeded" and batch["counts"] == {"succeeded": 15, "failed": 5}
        codes = [e["error"]["code"] for e in batch["entries"] if e["status"] == "failed"]
        assert codes == ["unsupported_media_type", "empty_document", "unreadable", "unsupported_media_type",
                         "unsupported_media_type"]  # fmt: skip
        rows = _csv(client, batch["id"])
        assert len(rows) == 21 and len(_xlsx(client, batch["id"])) == 21
        # Rows keep the upload order, the bad files' rows included.
        assert [row[0] for row in rows[1:]] == [n for n, _ in mixed]
