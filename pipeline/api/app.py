"""The FastAPI application: ``create_app(settings)`` wires storage, executor, keys and routes.

Everything is built once here and kept in ``app.state.api``; the lifespan starts the webhook
thread and (local executor) the retention sweep, when a tenant has a rule, and resumes jobs a
previous server left unfinished; it stops them all on the way out.
Idempotency and webhook locks are Redis locks with the Celery executor (several API processes
may share its storage), else in-process ones (the local executor: one API process; see
``locks.py`` and ``runner.py``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pipeline.api import (
    audit_routes,
    batch_routes,
    jobs_routes,
    metrics_routes,
    playbook_routes,
    problems,
    web,
)
from pipeline.api.access import ACTIONS, AccessEvent, AccessLog
from pipeline.api.batches import BatchService
from pipeline.api.deps import ApiState
from pipeline.api.idempotency import IdempotencyStore
from pipeline.api.locks import Locks, make_locks
from pipeline.api.runner import JobRunner
from pipeline.api.schemas import BatchRequest, BatchUpload, JobRequest, JobUpload, Problem
from pipeline.api.service import JobService
from pipeline.api.tenants import KeyRing
from pipeline.api.uploads import FORM_OVERHEAD, BodyLimit
from pipeline.api.webhooks import WebhookDispatcher
from pipeline.config import Settings
from pipeline.errors import ConfigError
from pipeline.jobs.retention import RetentionSweeper
from pipeline.routing.catalog import load_catalog
from storage import open_store
from storage.base import ObjectStore

log = logging.getLogger("longdoc.api")
API_VERSION = "1.0.0"


def build_state(
    settings: Settings,
    *,
    store: ObjectStore | None = None,
    runner: JobRunner | None = None,
    locks: Locks | None = None,
) -> ApiState:
    keyring = KeyRing.from_settings(settings)
    if not len(keyring):
        raise ConfigError(
            "no API keys configured (LONGDOC_API_KEYS or LONGDOC_API_KEYS_FILE); for a try-out use --dev"
        )
    store = store or open_store(settings.storage)
    locks = locks or make_locks(settings)  # in Redis with the Celery executor (see locks.py)
    jobs = JobService(settings, store, runner)
    secrets = {t: s.get_secret_value().encode() for t, s in settings.webhook.secrets.items()}
    ids = frozenset(
        [
            "rules",
            "auto",
            *load_catalog(settings.routing.catalog_path, overrides=settings.routing.catalog_overrides).ids,
        ]
    )
    return ApiState(settings=settings, store=store, keyring=keyring, jobs=jobs, batches=BatchService(jobs),
                    idempotency=IdempotencyStore(store, locks),
                    webhooks=WebhookDispatcher(settings, jobs, secrets, locks=locks), model_ids=ids,
                    access=AccessLog(store), locks=locks)  # fmt: skip


def create_app(settings: Settings | None = None, *, state: ApiState | None = None) -> FastAPI:
    """The app for ``settings`` (or for a prepared ``state``, as tests do); the caller (the CLI,
    a test) builds the settings: this never reads the environment itself."""
    if state is None:
        if settings is None:
            raise TypeError("create_app needs settings or a prepared state")
        state = build_state(settings)

    # Retention: with the local executor this process sweeps; with Celery, beat does (workers/tasks.py).
    sweeper = RetentionSweeper(state.store, state.settings.retention)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        state.webhooks.start()
        state.access.start()
        if state.settings.execution.executor == "local":
            sweeper.start()  # only when some tenant has a rule
        resumed = state.jobs.runner.resume()
        if resumed:
            log.info("resumed %d unfinished job(s)", resumed)
        try:
            yield
        finally:
            sweeper.stop()
            state.webhooks.stop()
            state.access.close()
            state.jobs.close()
            state.locks.close()

    app = FastAPI(
        title="longdoc",
        version=API_VERSION,
        description=(
            "Long contracts and papers in, cited reports out. Authenticate with `Authorization: Bearer <key>` "
            "or `X-API-Key: <key>`. Errors are RFC 9457 `application/problem+json` with a stable `code`."
        ),
        lifespan=lifespan,
        docs_url=None,  # served by web.docs_router from packaged assets (no CDN)
        redoc_url=None,
    )
    app.state.api = state
    app.state.retention = sweeper
    problems.install(app)
    app.include_router(web.health_router)
    app.include_router(web.docs_router)
    app.include_router(jobs_routes.router)
    app.include_router(batch_routes.router)
    app.include_router(audit_routes.router)
    app.include_router(playbook_routes.router)
    app.include_router(web.router)
    if state.settings.metrics.enabled:
        app.include_router(metrics_routes.router)

    s = state.settings
    app.add_middleware(AccessLogMiddleware, access=state.access)
    app.add_middleware(
        BodyLimit,
        limits={
            "/v1/jobs": s.limits.max_document_bytes + FORM_OVERHEAD,
            "/v1/batches": s.api.max_batch_bytes,
        },
    )
    app.openapi = lambda: _openapi(app, state)  # type: ignore[method-assign]
    return app


class AccessLogMiddleware:
    """Records each request that presented a valid key (``current_tenant`` puts the tenant in
    the request state) once its response has started: pure ASGI, so the body streams through
    untouched and errors raised while reading it reach the problem handlers as before."""

    def __init__(self, app: ASGIApp, access: AccessLog) -> None:
        self.app = app
        self.access = access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})  # the dict every Request of this scope shares as .state
        status = 0

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            tenant = scope["state"].get("tenant")
            if tenant is not None and status:
                self.access.record(tenant.name, access_event(Request(scope), tenant.key_id, status))


def access_event(request: Request, key_id: str, status: int) -> AccessEvent:
    """The access-log line for a request: route, path ids and status only, never a body."""
    route = request.scope.get("route")
    template = getattr(route, "path", request.url.path)
    action = ACTIONS.get((request.method, template), f"{request.method} {template}")
    params = request.scope.get("path_params", {})
    obj = params.get("job_id") or params.get("batch_id")
    tail = template.rsplit("/", 1)[-1]
    fmt = tail.rsplit(".", 1)[-1] if "." in tail else ("json" if tail == "report" else None)
    return AccessEvent(at=datetime.now(UTC), key_id=key_id, client=request.client.host if request.client else "",
                       action=action, object=str(obj) if obj is not None else None, format=fmt, status=status)  # fmt: skip


REQUESTS = (JobRequest, JobUpload, BatchRequest, BatchUpload)


def _openapi(app: FastAPI, state: ApiState) -> dict[str, Any]:
    """FastAPI's schema plus the models only named in hand-written request bodies and problems,
    with the limits this server's settings and catalog impose (they are not known statically)."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (Problem, *REQUESTS):
        body = model.model_json_schema(ref_template="#/components/schemas/{model}", mode="validation")
        for name, sub in body.pop("$defs", {}).items():
            components.setdefault(name, sub)
        components[model.__name__] = body
    # Request bodies only: a stored job keeps its model even after the catalog drops it.
    for model in REQUESTS:
        components[model.__name__]["properties"]["model"]["enum"] = sorted(state.model_ids)
    for form in (JobUpload, BatchUpload):
        _form_fields(components[form.__name__])
    most = state.settings.api.max_batch_files
    components["BatchUpload"]["properties"]["files"]["maxItems"] = most
    components["BatchRequest"]["properties"]["documents"]["maxItems"] = most
    app.openapi_schema = schema
    return schema


def _form_fields(body: dict[str, Any]) -> None:
    """A form field is never null: an optional one is left out instead (its default applies)."""
    for prop in body["properties"].values():
        branches = prop.pop("anyOf", None)
        if branches is not None:
            rest = [b for b in branches if b != {"type": "null"}]
            if len(rest) == 1:
                prop.update(rest[0])
            else:
                prop["anyOf"] = rest
        if "default" in prop and prop["default"] is None:
            del prop["default"]
