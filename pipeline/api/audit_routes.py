"""``GET /v1/audit``: the caller's own access log (who read what, when, with which key)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from pipeline.api.access import AccessEvent, default_since
from pipeline.api.deps import State, TenantDep
from pipeline.api.problems import responses

router = APIRouter(prefix="/v1/audit", tags=["audit"])


class AccessLogPage(BaseModel):
    since: datetime
    events: list[AccessEvent]


@router.get("", response_model=AccessLogPage, summary="The tenant's access log since a time (default: 24 h)",
            responses=responses(401, 422))  # fmt: skip
async def read_audit(
    state: State,
    tenant: TenantDep,
    since: Annotated[datetime | None, Query(description="ISO 8601 time; lines at or after it")] = None,
) -> AccessLogPage:
    start = since or default_since()
    return AccessLogPage(since=start, events=list(state.access.read(tenant.name, start)))
