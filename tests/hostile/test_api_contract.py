"""The OpenAPI document promises what the server checks (issue 12, finding 10).

Schemathesis found four gaps; one focused test each: the Idempotency-Key limits are in the
schema, an empty batch is out of the schema, ``model`` is an enum of what the server accepts
(the catalog loaded at start-up, plus ``auto``), and a 405 names every method the path serves.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from pipeline.routing.catalog import DEFAULT_CATALOG, load_catalog
from tests.api_helpers import api, auth, contract, make_settings

CREATE = [("/v1/jobs", "JobRequest", "JobUpload"), ("/v1/batches", "BatchRequest", "BatchUpload")]


def _model_enum(doc: dict[str, Any], component: str) -> list[str]:
    prop = doc["components"]["schemas"][component]["properties"]["model"]
    return list(prop["enum"])


def _openapi(tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    with api(make_settings(tmp_path, **overrides)) as client:
        r = client.get("/openapi.json")
        assert r.status_code == 200
        doc: dict[str, Any] = r.json()
        return doc


@pytest.mark.parametrize("path", ["/v1/jobs", "/v1/batches"])
def test_idempotency_key_limits_are_in_the_schema(tmp_path: Path, path: str) -> None:
    doc = _openapi(tmp_path)
    (param,) = [p for p in doc["paths"][path]["post"]["parameters"] if p["name"] == "Idempotency-Key"]
    assert param["in"] == "header" and not param.get("required", False)
    schema = param["schema"]
    if "anyOf" in schema:  # `str | None`: the string branch carries the limits
        (schema,) = [s for s in schema["anyOf"] if s.get("type") == "string"]
    assert schema["minLength"] == 1 and schema["maxLength"] == 255
    pattern = re.compile(schema["pattern"])
    # Printable characters, as they travel in a header: visible ASCII, spaces only inside.
    for good in ["k", "a1b2-c3d4", "order 42/retry #1", "".join(chr(c) for c in range(0x21, 0x7F))]:
        assert pattern.search(good), good
    for bad in ["tab\tkey", "nul\x00", "del\x7f", "new\nline", " lead", "trail ", "caf\u00e9"]:
        assert not pattern.search(bad), repr(bad)


def test_server_enforces_the_idempotency_key_schema(tmp_path: Path) -> None:
    """The schema is what the server checks: its limits answer 422, what matches is accepted."""
    with api(make_settings(tmp_path)) as client:

        def post(key: str) -> int:
            body = {"document_key": "documents/missing.txt"}  # 404 once the key is accepted
            return client.post("/v1/jobs", json=body, headers={**auth(), "Idempotency-Key": key}).status_code

        assert post("k" * 255) == 404 and post("order 42/retry #1") == 404
        assert post("k" * 256) == 422 and post("") == 422


def test_batch_upload_needs_one_file_in_the_schema(tmp_path: Path) -> None:
    doc = _openapi(tmp_path, api={"max_batch_files": 7})
    files = doc["components"]["schemas"]["BatchUpload"]["properties"]["files"]
    assert files["type"] == "array" and files["minItems"] == 1
    assert files["maxItems"] == 7  # the server's own limit, from its settings
    assert doc["components"]["schemas"]["BatchRequest"]["properties"]["documents"]["maxItems"] == 7
    with api(make_settings(tmp_path)) as client:  # and the server does refuse an empty batch
        r = client.post("/v1/batches", data={"model": "rules"}, files={"other": ("a.txt", b"x")},
                        headers=auth())  # fmt: skip
        assert r.status_code == 422


def test_model_is_an_enum_of_the_catalog_loaded_at_start_up(tmp_path: Path) -> None:
    shipped = _openapi(tmp_path / "a")
    expected = sorted({*load_catalog(DEFAULT_CATALOG).ids, "auto"})
    for _path, *models in CREATE:
        for name in models:
            assert _model_enum(shipped, name) == expected, name
    # Another catalog, another enum: built from the settings' catalog, not written down.
    raw = json.loads(DEFAULT_CATALOG.read_text(encoding="utf-8"))
    mine = [{**m, "id": f"house-{m['id']}"} for m in raw["models"] if m["id"] != "rules"][:2]
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"models": [*mine, *[m for m in raw["models"] if m["id"] == "rules"]]}))
    doc = _openapi(tmp_path / "b", routing={"catalog_path": path})
    enum = doc["components"]["schemas"]["JobRequest"]["properties"]["model"]["enum"]
    assert enum == sorted({"auto", "rules", *(m["id"] for m in mine)})
    # Each id in the enum is accepted by the server; one outside it is refused.
    with api(make_settings(tmp_path / "c", routing={"catalog_path": path})) as client:
        for model, status in [(mine[0]["id"], 404), ("auto", 404), ("gpt-5.1-instant", 422)]:
            r = client.post("/v1/jobs", json={"document_key": "documents/missing.txt", "model": model},
                            headers=auth())  # fmt: skip
            assert r.status_code == status, (model, r.text)


@pytest.mark.parametrize("method", ["OPTIONS", "DELETE", "PUT", "PATCH"])
def test_405_allow_lists_every_method_of_the_path(tmp_path: Path, method: str) -> None:
    with api(make_settings(tmp_path)) as client:
        r = client.request(method, "/v1/jobs", headers=auth())
        assert r.status_code == 405
        assert r.headers["content-type"].startswith("application/problem+json")
        assert {m.strip() for m in r.headers["Allow"].split(",")} == {"GET", "POST"}
        # A path with one route still names just its own method.
        r = client.request(method, "/v1/jobs/job_x/report.md", headers=auth())
        assert r.status_code == 405 and r.headers["Allow"] == "GET"
        # Both methods the header names are really served.
        assert client.get("/v1/jobs", headers=auth()).status_code == 200
        files = {"file": ("msa.txt", contract(), "text/plain")}
        assert client.post("/v1/jobs", files=files, headers=auth()).status_code == 202


# Gaps the Schemathesis run (tests/test_api_schema.py) found once the four above were closed.


def _prop(doc: dict[str, Any], component: str, field: str) -> dict[str, Any]:
    """A property's own schema (the non-null branch of an optional JSON field)."""
    prop: dict[str, Any] = doc["components"]["schemas"][component]["properties"][field]
    branches: list[dict[str, Any]] = [b for b in prop.get("anyOf", [prop]) if b.get("type") != "null"]
    return branches[0]


def test_a_document_key_no_backend_can_hold_is_404_not_500(tmp_path: Path) -> None:
    with api(make_settings(tmp_path)) as client:
        # An upload first: with the tenant's documents/ folder there, the local store's lookup
        # reaches the long name (and the file system said "File name too long": a 500).
        files = {"file": ("msa.txt", contract(), "text/plain")}
        assert client.post("/v1/jobs", files=files, headers=auth()).status_code == 202
        for key in ["documents/" + "a" * 300 + ".txt", "/".join(["d"] * 512)]:  # a 300-byte name; > 1 KB
            r = client.post("/v1/jobs", json={"document_key": key}, headers=auth())
            assert r.status_code == 404 and r.json()["code"] == "not_found", r.text
            r = client.post("/v1/batches", json={"documents": [{"document_key": key}]}, headers=auth())
            assert r.status_code == 202 and r.json()["entries"][0]["error"]["code"] == "not_found", r.text


def test_values_must_have_the_schema_types(tmp_path: Path) -> None:
    files = {"file": ("msa.txt", contract(), "text/plain")}
    with api(make_settings(tmp_path)) as client:
        wrong_json: list[dict[str, Any]] = [
            {"self_hosted_only": 0},
            {"error_cost_usd": False},
            {"budget_usd": "3"},
        ]
        for wrong in wrong_json:
            r = client.post("/v1/jobs", json={"document_key": "documents/x.txt", **wrong}, headers=auth())
            assert r.status_code == 422 and r.json()["code"] == "validation_error", (wrong, r.text)
            body = {"documents": [{"document_key": "documents/x.txt"}], **wrong}
            assert client.post("/v1/batches", json=body, headers=auth()).status_code == 422, wrong
        # Form fields are text: booleans and numbers must spell one as JSON does; empty is no value.
        for wrong in [
            {"self_hosted_only": "yes"},
            {"self_hosted_only": "0"},
            {"budget_usd": "inf"},
            {"budget_usd": " 3"},
            {"profile": " batch"},
            {"profile": ""},
            {"budget_usd": ""},
            {"callback_url": ""},
        ]:
            r = client.post("/v1/jobs", data=wrong, files=files, headers=auth())
            assert r.status_code == 422, (wrong, r.text)
            batch = {"files": ("a.txt", contract(), "text/plain")}
            assert client.post("/v1/batches", data=wrong, files=batch, headers=auth()).status_code == 422, (
                wrong
            )
        twice = {"model": ["rules", "auto"]}  # one value per option
        assert client.post("/v1/jobs", data=twice, files=files, headers=auth()).status_code == 422
        form = {
            "self_hosted_only": "false",
            "budget_usd": "3",
            "profile": "interactive",
            "allowed_providers": "",
        }
        r = client.post("/v1/jobs", data=form, files=files, headers=auth())
        assert r.status_code == 202, r.text
        options = r.json()["options"]
        assert options["profile"] == "interactive" and options["budget_usd"] == 3.0
        assert options["allowed_providers"] is None  # an empty list of providers restricts nothing


def test_callback_url_syntax_is_declared_and_enforced(tmp_path: Path) -> None:
    doc = _openapi(tmp_path / "a")
    pattern = re.compile(_prop(doc, "JobRequest", "callback_url")["pattern"])
    assert _prop(doc, "JobUpload", "callback_url")["pattern"] == pattern.pattern
    good = ["https://hooks.example.com/longdoc?x=1", "http://127.0.0.1:8080/hook", "http://localhost"]
    bad = [
        "0",
        "ftp://example.com",
        "http://user:pw@example.com",
        "http://",
        "http://224.0.0.1/",
        "http://a b",
    ]
    assert all(pattern.fullmatch(u) for u in good) and not any(pattern.fullmatch(u) for u in bad)
    files = {"file": ("msa.txt", contract(), "text/plain")}
    with api(make_settings(tmp_path / "b")) as client:
        for url in bad:
            body = {"document_key": "documents/x.txt", "callback_url": url}
            assert client.post("/v1/jobs", json=body, headers=auth()).status_code == 422, url
            r = client.post("/v1/jobs", data={"callback_url": url}, files=files, headers=auth())
            assert r.status_code == 422 and r.json()["code"] == "callback_refused", (url, r.text)


def test_form_schemas_say_what_a_form_can_carry(tmp_path: Path) -> None:
    doc = _openapi(tmp_path)
    schemas = doc["components"]["schemas"]
    for name in ("JobUpload", "BatchUpload"):
        for field, prop in schemas[name]["properties"].items():
            assert "null" not in json.dumps(prop), (name, field, prop)  # a form cannot send null
    # Every option the server takes from a batch form is declared (additionalProperties is false).
    assert set(schemas["BatchUpload"]["properties"]) >= {"latency_target_s", "self_hosted_only", "password"}
    assert _prop(doc, "JobUpload", "name")["maxLength"] == 255
    assert schemas["JobUpload"]["properties"]["file"]["minLength"] == 1
    body = doc["paths"]["/v1/jobs"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert "application/pdf" in body["encoding"]["file"]["contentType"]
    with api(make_settings(tmp_path / "c")) as client:  # the name limit is the server's too
        files = {"file": ("msa.txt", contract(), "text/plain")}
        assert (
            client.post("/v1/jobs", data={"name": "n" * 256}, files=files, headers=auth()).status_code == 422
        )


def test_report_of_a_job_that_ended_without_one_is_409(tmp_path: Path) -> None:
    # One job at a time and a slow rules model: the second job is still queued when canceled.
    with api(make_settings(tmp_path, execution={"rules_latency_s": 1.0}, api={"job_workers": 1})) as client:
        for i in range(2):
            files = {"file": ("msa.txt", contract(party_a=f"Party {i}"), "text/plain")}
            r = client.post("/v1/jobs", files=files, headers=auth())
            assert r.status_code == 202
        job_id = r.json()["id"]
        assert client.post(f"/v1/jobs/{job_id}/cancel", headers=auth()).json()["status"] == "canceled"
        r = client.get(f"/v1/jobs/{job_id}/report", headers=auth())
        assert r.status_code == 409 and r.json()["code"] == "no_report" and "Retry-After" not in r.headers
        assert client.get("/v1/jobs/job_missing/report", headers=auth()).status_code == 404
