"""Reviewers' decisions through the API (issue 16): the document's text for the viewer, decisions
per tenant with who and when, the sign-off queue on the job, the memo and report showing them."""

from __future__ import annotations

import hashlib
import io
import threading
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from fastapi.testclient import TestClient

from tests.api_helpers import KEYS, api, auth, contract, make_settings, require_rules_model, wait_job

KEY_ID = {t: hashlib.sha256(k.encode()).hexdigest()[:12] for t, k in KEYS.items()}


def submit(client: TestClient, body: bytes, tenant: str = "acme", name: str = "msa.txt") -> dict[str, Any]:
    r = client.post("/v1/jobs", headers=auth(tenant), files={"file": (name, body, "text/plain")})
    assert r.status_code == 202, r.text
    return wait_job(client, r.json()["id"], tenant)


def items(client: TestClient, job_id: str, tenant: str = "acme") -> dict[str, dict[str, Any]]:
    r = client.get(f"/v1/jobs/{job_id}/report", headers=auth(tenant))
    assert r.status_code == 200, r.text
    return {i["rule"]: i for i in r.json()["review"]["items"]}


def put(client: TestClient, job_id: str, rule: str, tenant: str = "acme", **body: Any) -> Any:
    return client.put(f"/v1/jobs/{job_id}/decisions/{rule}", headers=auth(tenant), json=body)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Any:
    require_rules_model()
    settings = make_settings(tmp_path_factory.mktemp("decisions"))
    with api(settings) as client:
        yield client


def test_the_text_holds_every_evidence_quote_at_its_offsets(served: TestClient) -> None:
    job = submit(served, contract(law="Texas"))
    assert job["links"]["text"] == f"/v1/jobs/{job['id']}/text"
    r = served.get(job["links"]["text"], headers=auth())
    assert r.status_code == 200, r.text
    text, pages = r.json()["text"], r.json()["pages"]
    assert pages[0]["start"] == 0 and pages[-1]["end"] == len(text)
    review = items(served, job["id"])
    assert review["governing-law"]["status"] == "deviates"  # Texas is not in the default playbook's list
    quotes = [e for i in review.values() for e in i["evidence"]]
    assert quotes and all(text[e["start"] : e["end"]] == e["quote"] for e in quotes)


def test_a_decision_closes_its_sign_off_and_shows_in_the_report_and_memo(served: TestClient) -> None:
    job = submit(served, contract())
    review = items(served, job["id"])
    high = sorted(rule for rule, i in review.items() if i["severity"] == "high")
    assert job["review"] == {"items": len(review), "signoff_severity": "high", "signoff_required": len(high),
                             "signoff_open": len(high), "decided": 0}  # fmt: skip

    r = put(served, job["id"], high[0], action="accept", comment="Cap checked against the SOW.")
    assert r.status_code == 200, r.text
    d = r.json()
    assert (d["rule"], d["action"], d["by"]) == (high[0], "accept", KEY_ID["acme"]) and d["at"]
    r = put(served, job["id"], "governing-law", action="edit", value="Delaware", status="deviates")
    assert r.status_code == 200, r.text

    res = served.get(f"/v1/jobs/{job['id']}", headers=auth()).json()
    assert res["review"]["signoff_open"] == len(high) - 1 and res["review"]["decided"] == 2
    after = items(served, job["id"])
    assert after[high[0]]["decision"]["comment"] == "Cap checked against the SOW."
    assert after["governing-law"]["decision"]["value"] == "Delaware"
    assert after[high[1]]["decision"] is None

    memo = served.get(f"/v1/jobs/{job['id']}/report.docx", headers=auth())
    assert memo.status_code == 200
    lines = [p.text for p in Document(io.BytesIO(memo.content)).paragraphs]
    accepted = [t for t in lines if t.startswith("Decision: Accepted by " + KEY_ID["acme"])]
    assert len(accepted) == 1 and "Cap checked against the SOW." in accepted[0] and d["at"] in accepted[0]
    assert any(t.startswith("Decision: Edited (status deviates, value “Delaware”)") for t in lines)
    assert sum("[needs sign-off]" in t for t in lines) == len(high) - 1
    assert any(f"{len(high) - 1} still open" in t for t in lines)

    export = served.get(f"/v1/jobs/{job['id']}/decisions", headers=auth()).json()
    assert set(export["current"]) == {high[0], "governing-law"} and len(export["history"]) == 2


def test_two_tenants_each_see_only_their_own(served: TestClient) -> None:
    mine = submit(served, contract(), "acme")
    theirs = submit(served, contract(), "globex")
    assert put(served, mine["id"], "governing-law", action="accept").status_code == 200
    assert put(served, theirs["id"], "governing-law", "globex", action="reject").status_code == 200
    # Another tenant's job is not there at all for them: 404 on every viewer route.
    for path in (f"/v1/jobs/{mine['id']}/decisions", f"/v1/jobs/{mine['id']}/text"):
        assert served.get(path, headers=auth("globex")).status_code == 404
    assert put(served, mine["id"], "governing-law", "globex", action="reject").status_code == 404
    acme = served.get(f"/v1/jobs/{mine['id']}/decisions", headers=auth()).json()
    globex = served.get(f"/v1/jobs/{theirs['id']}/decisions", headers=auth("globex")).json()
    assert [(d["action"], d["by"]) for d in acme["history"]] == [("accept", KEY_ID["acme"])]
    assert [(d["action"], d["by"]) for d in globex["history"]] == [("reject", KEY_ID["globex"])]


def test_concurrent_edits_keep_the_last_write_and_both_history_lines(served: TestClient) -> None:
    job = submit(served, contract())
    start = threading.Barrier(2)
    answers: list[dict[str, Any]] = []

    def edit(value: str) -> None:
        start.wait()
        r = put(served, job["id"], "governing-law", action="edit", value=value)
        assert r.status_code == 200, r.text
        answers.append(r.json())

    threads = [threading.Thread(target=edit, args=(v,)) for v in ("Delaware", "California")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    export = served.get(f"/v1/jobs/{job['id']}/decisions", headers=auth()).json()
    assert sorted(d["value"] for d in export["history"]) == ["California", "Delaware"]
    last = max(answers, key=lambda d: d["at"])
    assert export["current"]["governing-law"] == last == export["history"][-1]
    assert items(served, job["id"])["governing-law"]["decision"] == last


def test_unknown_rule_bad_body_no_report_and_erased(served: TestClient) -> None:
    job = submit(served, contract())
    assert put(served, job["id"], "no-such-rule", action="accept").json()["code"] == "not_found"
    assert put(served, job["id"], "governing-law", action="approve").status_code == 422
    assert put(served, "job_nope", "governing-law", action="accept").status_code == 404
    # A body that is not JSON at all, malformed or not UTF-8: one documented status, 422.
    for body in (b'{"action": ', b"\xef\xbf\xbd\xff d1\x18"):
        r = served.put(f"/v1/jobs/{job['id']}/decisions/governing-law", content=body,
                       headers={**auth(), "Content-Type": "application/json"})  # fmt: skip
        assert (r.status_code, r.json()["code"]) == (422, "validation_error"), (body, r.text)

    failed = submit(served, b"   \n", name="blank.txt")  # empty_document: the job ends without a report
    assert failed["status"] == "failed" and failed["review"] is None
    r = put(served, failed["id"], "governing-law", action="accept")
    assert (r.status_code, r.json()["code"]) == (409, "no_report")
    assert served.get(f"/v1/jobs/{failed['id']}/decisions", headers=auth()).json()["history"] == []

    assert put(served, job["id"], "governing-law", action="accept").status_code == 200
    assert served.delete(f"/v1/jobs/{job['id']}", headers=auth()).status_code == 204
    assert put(served, job["id"], "governing-law", action="accept").status_code == 410
    for tail in ("decisions", "text", "report"):
        assert served.get(f"/v1/jobs/{job['id']}/{tail}", headers=auth()).status_code == 410


def test_the_access_log_names_the_viewer_routes(served: TestClient) -> None:
    job = submit(served, contract())
    served.get(f"/v1/jobs/{job['id']}/text", headers=auth())
    put(served, job["id"], "governing-law", action="accept")
    served.get(f"/v1/jobs/{job['id']}/decisions", headers=auth())
    events = served.get("/v1/audit", headers=auth()).json()["events"]
    mine = [(e["action"], e["status"]) for e in events if e["object"] == job["id"]]
    for line in (("text.read", 200), ("decision.record", 200), ("decision.list", 200)):
        assert line in mine


def test_the_sign_off_severity_is_configurable(tmp_path: Path) -> None:
    require_rules_model()
    with api(make_settings(tmp_path, review={"signoff_severity": "none"})) as client:
        job = submit(client, contract())
        assert job["review"]["signoff_required"] == job["review"]["signoff_open"] == 0
        memo = client.get(f"/v1/jobs/{job['id']}/report.docx", headers=auth())
        assert not any("[needs sign-off]" in p.text for p in Document(io.BytesIO(memo.content)).paragraphs)


def test_a_high_stakes_job_waits_for_sign_off_and_its_report_is_final_only_after(served: TestClient) -> None:
    """Issue 19: error cost at or above the $1,000 line holds the high-severity items for sign-off."""
    body = contract()
    r = served.post("/v1/jobs", headers=auth(), data={"error_cost_usd": "1000"},
                    files={"file": ("msa.txt", body, "text/plain")})  # fmt: skip
    assert r.status_code == 202, r.text
    job = wait_job(served, r.json()["id"])
    review = items(served, job["id"])
    high = sorted(rule for rule, i in review.items() if i["severity"] == "high")
    assert len(high) >= 2
    assert job["status"] == "awaiting_review" and job["review"]["signoff_open"] == len(high)
    assert job["links"]["report"] and job["progress"]["percent"] == 100.0
    report = served.get(f"/v1/jobs/{job['id']}/report", headers=auth()).json()
    assert report["review"]["final"] is False and report["review"]["awaiting_signoff"] == len(high)
    md = served.get(f"/v1/jobs/{job['id']}/report.md", headers=auth()).text
    assert f"**Not final:** {len(high)} review item(s)" in md

    # A medium item decided first changes nothing; each high one counts down; the last releases it.
    medium = next((rule for rule, i in review.items() if i["severity"] != "high"), None)
    if medium:
        assert put(served, job["id"], medium, action="accept").status_code == 200
    for n, rule in enumerate(high[:-1], 1):
        assert put(served, job["id"], rule, action="accept").status_code == 200
        res = served.get(f"/v1/jobs/{job['id']}", headers=auth()).json()
        assert res["status"] == "awaiting_review" and res["review"]["signoff_open"] == len(high) - n
        partial = served.get(f"/v1/jobs/{job['id']}/report", headers=auth()).json()["review"]
        assert (partial["final"], partial["awaiting_signoff"]) == (False, len(high) - n)
    assert put(served, job["id"], high[-1], action="reject", comment="not a cap").status_code == 200
    res = served.get(f"/v1/jobs/{job['id']}", headers=auth()).json()
    assert res["status"] == "succeeded" and res["review"]["signoff_open"] == 0
    final = served.get(f"/v1/jobs/{job['id']}/report", headers=auth()).json()["review"]
    assert (final["final"], final["awaiting_signoff"]) == (True, 0)
    assert "Not final" not in served.get(f"/v1/jobs/{job['id']}/report.md", headers=auth()).text

    # Below the line the same document is not held.
    low = submit(served, body)
    assert low["status"] == "succeeded" and low["review"]["signoff_open"] == len(high)
    assert served.get(f"/v1/jobs/{low['id']}/report", headers=auth()).json()["review"]["final"] is True
