"""``/v1/playbook``: the tenant's review playbook (issue 16) — read, replace, reset to the default.

A job takes the tenant's playbook at creation (``pipeline.jobs.playbooks``), so replacing it
changes the verdicts of jobs submitted afterwards, never of jobs already running or done.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from pipeline.analyze.playbook import DEFAULT_PLAYBOOK, Rule, parse_playbook
from pipeline.api.deps import State, TenantDep
from pipeline.api.problems import ProblemError, responses
from pipeline.jobs.playbooks import reset_tenant_playbook, save_tenant_playbook, tenant_playbook_text

router = APIRouter(prefix="/v1/playbook", tags=["playbook"])
PLAYBOOK_MEDIA_TYPE = "application/yaml"  # RFC 9512; any Content-Type is read as YAML text
MAX_PLAYBOOK_BYTES = 256 * 1024  # hundreds of rules; a playbook is configuration, not a document


class PlaybookResource(BaseModel):
    source: Literal["tenant", "default"]
    name: str
    rules: list[Rule]
    yaml: str


def _resource(text: str, source: Literal["tenant", "default"]) -> PlaybookResource:
    pb = parse_playbook(text, "playbook.yaml")
    return PlaybookResource(source=source, name=pb.name, rules=pb.rules, yaml=text)


@router.get("", response_model=PlaybookResource, summary="The playbook new jobs are reviewed with",
            responses=responses(401))  # fmt: skip
async def read_playbook(state: State, tenant: TenantDep) -> PlaybookResource:
    own = tenant_playbook_text(state.store, tenant.name)
    if own is not None:
        return _resource(own, "tenant")
    return _resource(DEFAULT_PLAYBOOK.read_text(encoding="utf-8"), "default")


@router.put("", response_model=PlaybookResource, summary="Replace the tenant's playbook (YAML body)",
            responses=responses(401, 413, 422), openapi_extra={"requestBody": {"required": True, "content": {
                PLAYBOOK_MEDIA_TYPE: {"schema": {"type": "string", "description": "a playbook (README: Review)"}}}}})  # fmt: skip
async def put_playbook(request: Request, state: State, tenant: TenantDep) -> PlaybookResource:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_PLAYBOOK_BYTES:
            raise ProblemError(413, "too_large", f"a playbook is at most {MAX_PLAYBOOK_BYTES:,} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ProblemError(422, "bad_playbook", "the playbook is not UTF-8 text") from None
    save_tenant_playbook(state.store, tenant.name, text)  # BadPlaybook → 422 naming line and field
    return _resource(text, "tenant")


@router.delete(
    "", status_code=204, summary="Go back to the shipped default playbook", responses=responses(401)
)
async def delete_playbook(state: State, tenant: TenantDep) -> Response:
    reset_tenant_playbook(state.store, tenant.name)
    return Response(status_code=204)
