"""The Python client against a live server (uvicorn on a free port), and the CLI through it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from pydantic import SecretStr

from pipeline.cli.client import ApiError, Client, analyze_files
from tests.api_helpers import KEYS, batch_args, contract, live_server, make_settings, require_rules_model


def test_submit_wait_download(tmp_path: Path) -> None:
    require_rules_model()
    settings = make_settings(tmp_path, execution={"rules_latency_s": 0.3})
    with live_server(settings) as url, Client(url, KEYS["acme"]) as c:
        seen: list[str] = []
        path = tmp_path / "msa.txt"
        path.write_bytes(contract())
        job = c.submit(path, {"model": "rules", "profile": "interactive"}, idempotency_key="c-1")
        assert (
            c.submit(path, {"model": "rules", "profile": "interactive"}, idempotency_key="c-1").id == job.id
        )
        done = c.wait(job.id, timeout_s=60, on_update=lambda j: seen.append(j.status))
        assert done.status == "succeeded" and seen[-1] == "succeeded" and len(seen) >= 2
        assert json.loads(c.download(job.id, "json"))["document"]["name"] == "msa.txt"
        assert c.download(job.id, "md").startswith(b"# msa.txt")
        assert c.download(job.id, "docx")[:2] == b"PK"
        assert c.report(job.id).summary.key_terms["governing_law"]
        assert [j.id for j in c.list_jobs().data] == [job.id]
        assert c.submit(contract(law="Texas"), name="bytes.txt").name == "bytes.txt"
        again = c.submit_key(done.document_key, name="stored.txt")
        assert c.wait(again.id, timeout_s=60).status == "succeeded"
        with pytest.raises(ApiError) as err:
            c.submit(b"\x89PNG\r\n\x1a\n0000", name="x.png")
        assert (err.value.code, err.value.status) == ("unsupported_media_type", 415)
        with pytest.raises(ApiError) as err:
            c.get("no-such-job")
        assert err.value.code == "not_found"
    with live_server(settings) as url, Client(url, "wrong") as c, pytest.raises(ApiError) as err:
        c.list_jobs()
    assert err.value.status == 401


def test_analyze_and_batch_through_a_server(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.cli.service import cmd_batch

    settings = make_settings(tmp_path)
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(3):
        (docs / f"c{i}.txt").write_bytes(contract(party_a=f"Party {i} Inc."))
    (docs / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    with live_server(settings) as url:
        client_api = settings.api.model_copy(update={"url": url, "key": SecretStr(KEYS["acme"])})
        remote = settings.model_copy(update={"api": client_api})
        args = argparse.Namespace(files=[str(docs / "c0.txt"), str(docs / "bad.png")], out=str(tmp_path / "out"),
                                  json=True, model="rules", profile="batch", budget=None, error_cost=0.0,
                                  latency_target=None, self_hosted_only=False, providers="", password=None)  # fmt: skip
        assert analyze_files(args, remote) == 1
        results = json.loads(capsys.readouterr().out)
        assert results[0]["ok"] and Path(results[0]["report_md"]).exists()
        assert results[1]["error"]["code"] == "unsupported_media_type"

        bargs = batch_args(docs, tmp_path / "out", jobs=2)
        assert cmd_batch(bargs, remote) == 1
        first = json.loads(capsys.readouterr().out)
        assert first["counts"] == {"succeeded": 3, "failed": 1}
        assert cmd_batch(bargs, remote) == 1  # re-run: the same jobs come back (Idempotency-Key)
        assert json.loads(capsys.readouterr().out)["counts"] == first["counts"]
        with Client(url, KEYS["acme"]) as c:
            assert len(c.list_jobs(limit=100).data) == 1 + 3  # analyze's one, then three, not six
        rows = (tmp_path / "out" / "docs.table.csv").read_text(encoding="utf-8-sig").splitlines()
        assert len(rows) == 5
