"""Schemathesis against a live ``longdoc serve``: every operation, stateful links, every check.

Issue 12 asked for zero failures of any check, not only "no 5xx". One real server process
(local executor, no Redis) on a free port, and ``st run`` against its /openapi.json with all
four phases (examples, coverage, fuzzing with positive and negative data, then the stateful
phase that follows the links Schemathesis infers, e.g. a job's id from POST /v1/jobs into
GET /v1/jobs/{job_id}) and ``--checks all``. One check is widened, by one status: positive data
acceptance also takes 410, the declared answer for a job or batch the stateful phase deleted
before reading it again (DELETE then GET of the same id is a real, schema-valid sequence).

Why the CLI and not ``schemathesis.pytest.from_fixture``: the lazy pytest loader of
Schemathesis 4.32 sets ``request.node._nodeid``, which pytest 9 no longer has (AttributeError);
the CLI is Schemathesis's own runner and reports the same failures.

Uploaded files: the schema names the document types a file part may be (``encoding``); the
hooks below register strategies that make real documents of those types, so a "positive"
upload is one the server has to accept (Schemathesis's own samples are images and ZIPs).

Bounded by ``MAX_EXAMPLES``: about 40 s on two cores. Marked slow; still in the default run.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("schemathesis", reason="schemathesis is not installed (pip install '.[test]')")

from tests.api_helpers import KEYS, SECRETS  # noqa: E402
from tests.conftest import ROOT  # noqa: E402
from tests.hostile.test_batch_tempfiles import Server  # noqa: E402

pytestmark = pytest.mark.slow
# Per operation in the fuzzing phase: about 30 s on two cores. A deeper run (hundreds, a few
# minutes): TEST_SCHEMATHESIS_EXAMPLES=300 python -m pytest tests/test_api_schema.py
MAX_EXAMPLES = int(os.environ.get("TEST_SCHEMATHESIS_EXAMPLES", "40"))
OPERATIONS = 18  # every operation in /openapi.json (the web page's routes are not in it)
HOOKS = "import tests.test_api_schema as t\nt.register_document_types()\n"
# Schemathesis's default expected statuses for valid requests, plus 410 Gone (see the docstring).
CONFIG = """[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "410", "429", "5xx"]
"""


def register_document_types() -> None:
    """Schemathesis hooks: real PDF, DOCX, text and Markdown documents for file parts, an
    Idempotency-Key of its own for each schema-valid request, and no "negative" case that is
    valid after all."""
    import uuid

    import schemathesis
    from docx import Document
    from hypothesis import strategies as st

    from pipeline.api.schemas import CALLBACK_URL_PATTERN
    from pipeline.ingest.sniff import DOCX, PDF, TEXT
    from tests.test_ingest_pdf import make_pdf, text_ops

    doc = Document()
    doc.add_paragraph("Master Services Agreement. Governing law: New York.")
    docx = io.BytesIO()
    doc.save(docx)
    # Visible text (letters, digits, punctuation, spaces): what the sniffer calls a document.
    text = st.text(st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"]), min_size=1, max_size=300)
    text = text.filter(str.strip)
    for media_type, strategy in {
        TEXT: text.map(str.encode),
        "text/markdown": text.map(lambda t: f"# Agreement\n\n{t}\n".encode()),
        PDF: st.just(make_pdf(text_ops("Master Services Agreement", "Governing law: New York."))),
        DOCX: st.just(docx.getvalue()),
    }.items():
        schemathesis.openapi.media_type(media_type, strategy)

    @schemathesis.hook
    def map_case(context: schemathesis.HookContext, case: schemathesis.Case[Any]) -> schemathesis.Case[Any]:
        # Schemathesis draws few distinct keys and sends one with different bodies; the server
        # then answers 422 idempotency_key_reused, as the IETF Idempotency-Key draft prescribes:
        # a rule about earlier requests that no schema states. Positive cases keep the drawn key's
        # first character and length where they can, with a unique tail; negative ones are untouched.
        key = case.headers.get("Idempotency-Key") if case.headers else None
        if isinstance(key, str) and case.meta is not None and case.meta.generation.mode.is_positive:
            tail = uuid.uuid4().hex
            case.headers["Idempotency-Key"] = (
                key[: -len(tail)] + tail if len(key) > len(tail) else f"{key}.{tail}"
            )
        return case

    @schemathesis.hook
    def filter_case(context: schemathesis.HookContext, case: schemathesis.Case[Any]) -> bool:
        # Schemathesis "breaks" a pattern by appending "*" and does not check the result
        # (specs/openapi/negative/value_channel.py: violate_pattern); callback_url's pattern
        # admits "*" after the host, so that case is a valid request and the server rightly
        # accepts it. Such cases are dropped; every other negative case is sent.
        data = case.meta.phase.data if case.meta is not None else None
        for m in getattr(data, "mutations", ()):
            # A form field "made" an empty array (or object) has no multipart encoding: it is sent
            # as no field at all, a valid request the server rightly accepts.
            if (
                case.media_type == "multipart/form-data"
                and isinstance(m.new_value, list | dict)
                and not m.new_value
            ):
                return False
            if (
                m.keywords == ("pattern",)
                and "callback_url" in m.schema_pointer
                and isinstance(m.new_value, str)
                and re.fullmatch(CALLBACK_URL_PATTERN, m.new_value)
            ):
                return False
        return True


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    # A generated callback_url names made-up hosts: they resolve to 127.0.0.1, which private
    # targets allow; failed deliveries wait a minute before their retry (quiet during the run).
    s = Server(tmp_path / "server", loopback_dns=True, LONGDOC_WEBHOOK_SECRETS=json.dumps(SECRETS),
               LONGDOC_WEBHOOK_ALLOW_PRIVATE="true", LONGDOC_WEBHOOK_BACKOFF_S="60",
               LONGDOC_API_STATUS_CACHE_S="0")  # fmt: skip
    try:
        s.wait_ready()
        yield s
    finally:
        s.stop()


def test_schemathesis_finds_no_failure(server: Server, tmp_path: Path) -> None:
    hooks = tmp_path / "hooks.py"
    hooks.write_text(HOOKS)
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    cmd = [
        str(Path(sys.executable).with_name("st")), "--config-file", str(config), "run", f"{server.url}/openapi.json",
        "--checks", "all", "--phases", "examples,coverage,fuzzing,stateful", "--mode", "all",
        "--max-examples", str(MAX_EXAMPLES), "--continue-on-failure", "--workers", "1",
        # A fixed seed: the same cases on every run, so CI cannot go red by chance.
        "--seed", os.environ.get("TEST_SCHEMATHESIS_SEED", "20261206"),
        "--header", f"Authorization: Bearer {KEYS['acme']}",
        # The header above authenticates; generated X-API-Key values would only override it.
        "--generation-with-security-parameters", "false",
        "--request-timeout", "30", "--no-color", "--warnings", "off",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCHEMATHESIS_HOOKS": str(hooks)}
    # cwd: Schemathesis keeps its example database under the working directory.
    log = tmp_path / "schemathesis.txt"  # the whole report, bodies included
    with log.open("w") as fh:
        run = subprocess.run(cmd, cwd=tmp_path, env=env, stdout=fh, stderr=subprocess.STDOUT,
                             timeout=300 + 10 * MAX_EXAMPLES)  # fmt: skip
    out = log.read_text(errors="replace")
    # Long request bodies are clipped so every failure's heading and reproduction fit.
    assert run.returncode == 0, (
        f"full report: {log}\n" + "\n".join(line[:1500] for line in out.splitlines())[-30000:]
    )
    tested = re.search(r"Tested: (\d+)", out)
    cases = re.search(r"(\d+) generated", out)
    assert tested and int(tested.group(1)) == OPERATIONS, out[-3000:]
    assert cases and int(cases.group(1)) > 1000, out[-3000:]  # it really exercised the API
    print(f"schemathesis: {cases.group(1)} cases, {tested.group(1)} operations")  # visible with -s
    assert "unhandled error" not in server.log(), server.log()[-5000:]
