"""``GET /v1/audit``: the caller's own access log (who read what, when, with which key)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, BeforeValidator

from pipeline.api.access import AccessEvent, default_since
from pipeline.api.deps import State, TenantDep
from pipeline.api.problems import responses

router = APIRouter(prefix="/v1/audit", tags=["audit"])


def _no_unix_time(value: object) -> object:
    # pydantic's lax mode reads "0.5" as a Unix time; the schema (date-time) allows only ISO 8601.
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return value
        raise ValueError("an ISO 8601 date-time is required, not a number")
    return value


class AccessLogPage(BaseModel):
    since: datetime
    events: list[AccessEvent]


@router.get("", response_model=AccessLogPage, summary="The tenant's access log since a time (default: 24 h)",
            responses=responses(401, 422))  # fmt: skip
async def read_audit(
    state: State,
    tenant: TenantDep,
    since: Annotated[
        datetime | None,
        BeforeValidator(_no_unix_time),
        Query(description="ISO 8601 time (UTC when no offset); lines at or after it"),
    ] = None,
) -> AccessLogPage:
    start = since or default_since()
    return AccessLogPage(since=start, events=list(state.access.read(tenant.name, start)))
