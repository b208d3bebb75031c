"""What every route needs: the service objects built once at start-up, and the caller's tenant."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Header, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from pipeline.api.access import AccessLog
from pipeline.api.batches import BatchService
from pipeline.api.idempotency import KEY_PATTERN, MAX_KEY_LEN, IdempotencyStore
from pipeline.api.locks import Locks, ProcessLocks
from pipeline.api.problems import ProblemError
from pipeline.api.schemas import CALLBACK_URL_PATTERN, MAX_CALLBACK_URL
from pipeline.api.service import JobService
from pipeline.api.tenants import KeyRing, Tenant
from pipeline.api.webhooks import WebhookDispatcher, check_callback_url
from pipeline.config import Settings
from pipeline.jobs.store import JobOptions
from storage.base import ObjectStore


@dataclass
class ApiState:
    settings: Settings
    store: ObjectStore
    keyring: KeyRing
    jobs: JobService
    batches: BatchService
    idempotency: IdempotencyStore
    webhooks: WebhookDispatcher
    model_ids: frozenset[str]
    access: AccessLog
    locks: Locks = field(default_factory=ProcessLocks)  # closed with the app

    def check_options(self, options: JobOptions) -> JobOptions:
        if options.model not in self.model_ids:
            known = ", ".join(sorted(self.model_ids))
            raise ProblemError(422, "unknown_model", f"unknown model {options.model!r}; use one of: {known}")
        return options

    def check_callback(self, tenant: Tenant, url: str | None) -> str | None:
        if url is None:
            return None
        if tenant.webhook_secret is None:
            raise ProblemError(422, "callback_refused", "no webhook secret is configured for this tenant")
        # The syntax the schema declares, for form fields too (JSON bodies were validated already).
        if len(url) > MAX_CALLBACK_URL or not re.fullmatch(CALLBACK_URL_PATTERN, url):
            raise ProblemError(422, "callback_refused",
                               "callback_url must be an http(s) URL naming a host or an IPv4 address")  # fmt: skip
        return check_callback_url(url, allow_private=self.settings.webhook.allow_private)


async def get_state(request: Request) -> ApiState:
    state = request.app.state.api
    assert isinstance(state, ApiState)
    return state


_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <API key>")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="the API key")


async def current_tenant(
    request: Request,
    state: Annotated[ApiState, Depends(get_state)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
    api_key: Annotated[str | None, Security(_header)] = None,
) -> Tenant:
    key = api_key or (bearer.credentials if bearer is not None else None)
    tenant = state.keyring.tenant_for(key)
    request.state.tenant = tenant  # for the access log (app.py), once the response is known
    return tenant


State = Annotated[ApiState, Depends(get_state)]
TenantDep = Annotated[Tenant, Depends(current_tenant)]
# On the parameter (not checked in the route) so /openapi.json states the same limits FastAPI enforces.
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", min_length=1, max_length=MAX_KEY_LEN, pattern=KEY_PATTERN,
           description="retry safely: the same key and request return the first response's resource"),
]  # fmt: skip
