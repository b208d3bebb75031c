"""Schemathesis against /openapi.json: no 5xx, and every response matches the declared schema.

Bounded (at most 50 examples per operation) and marked slow. Runs in-process through the
ASGI app with a valid key, so the generated requests reach the real handlers.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip(
    "schemathesis", reason="schemathesis is not installed (pip install '.[test]')"
)

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from pipeline.api.app import create_app  # noqa: E402
from tests.test_api_fixtures import KEYS, make_settings  # noqa: E402

_tmp = Path(tempfile.mkdtemp(prefix="longdoc-schemathesis-"))
APP = create_app(make_settings(_tmp, max_document_bytes=256 * 1024))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
CHECKS: list[Any] = [not_a_server_error, status_code_conformance, content_type_conformance,
                     response_schema_conformance, response_headers_conformance]  # fmt: skip


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: Any) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {KEYS['acme']}"}, checks=CHECKS)
