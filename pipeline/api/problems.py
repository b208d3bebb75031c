"""RFC 9457 problem+json for every error the API returns, carrying longdoc's stable codes.

A ``LongdocError`` answers with its class's ``http_status`` (the tree and its statuses are drawn in
``pipeline/errors.py``: e.g. ``unsupported_media_type`` 415, ``too_large`` 413, ``not_found`` 404,
``over_budget`` 402, ``storage`` 503); codes only the API raises (``validation_error``,
``unauthorized``, ``not_ready``, ...) carry their status where they are raised. Anything unexpected
becomes a bare 500 problem: never a traceback. Problem bodies are built here and nowhere else.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPMethod, HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from pipeline.api.schemas import Problem
from pipeline.errors import ERROR_CLASSES, LongdocError

log = logging.getLogger("longdoc.api")

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://longdoc.dev/problems/"  # documentation anchors; never fetched by the API

# Read off the error classes, never written by hand: a new error class brings its own status.
STATUS_BY_CODE: dict[str, int] = {cls.code: cls.http_status for cls in ERROR_CLASSES}


class ProblemError(Exception):
    """Raised anywhere in a request to answer with a problem document."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str | None = None,
        *,
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or code)
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title or HTTPStatus(status).phrase
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    @classmethod
    def from_error(cls, exc: LongdocError) -> ProblemError:
        # The document name may be a storage key or a path: the code and message suffice. By code
        # first: a code set on the instance (batch_routes turns a problem into a LongdocError so)
        # keeps that code's status rather than the plain class's 422.
        return cls(STATUS_BY_CODE.get(exc.code, exc.http_status), exc.code, exc.message)


def not_found(what: str = "job") -> ProblemError:
    # Same answer for "never existed" and "another tenant's": ids reveal nothing.
    return ProblemError(404, "not_found", f"no such {what}")


def gone(what: str = "job") -> ProblemError:
    # Only ever for the caller's own tenant: another tenant's erased job is a plain 404.
    return ProblemError(410, "gone", f"this {what} was deleted")


def problem_response(p: ProblemError, instance: str | None = None) -> JSONResponse:
    body = Problem(type=TYPE_BASE + p.code, title=p.title, status=p.status, detail=p.detail, code=p.code,
                   instance=instance, **p.extra)  # fmt: skip
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=p.status, headers=p.headers, media_type=PROBLEM_JSON
    )


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into problem+json."""

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ProblemError)
        return problem_response(exc, request.url.path)

    async def on_longdoc(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, LongdocError)
        return problem_response(ProblemError.from_error(exc), request.url.path)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {"loc": [str(x) for x in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in exc.errors()
        ]
        p = ProblemError(422, "validation_error", "the request is not valid", extra={"errors": errors})
        return problem_response(p, request.url.path)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        if (
            exc.status_code == 400
            and exc.detail == BODY_PARSE_ERROR
            and request.headers.get("content-type", "").startswith("application/json")
        ):
            # FastAPI answers a JSON body that is not UTF-8 with this 400, but malformed JSON
            # with a 422: both are a body that is not JSON, one status for both (found by
            # Schemathesis's stateful phase on PUT …/decisions/{rule}).
            errors = [{"loc": ["body"], "msg": "the body is not JSON (it is not valid UTF-8)"}]
            p = ProblemError(422, "validation_error", "the request is not valid", extra={"errors": errors})
            return problem_response(p, request.url.path)
        code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}.get(
            exc.status_code, "http_error"
        )
        detail = exc.detail if isinstance(exc.detail, str) else None
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        return problem_response(
            ProblemError(exc.status_code, code, detail, headers=headers), request.url.path
        )

    async def on_crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(ProblemError(500, "internal", "internal error"), request.url.path)

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(LongdocError, on_longdoc)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_crash)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves on the request's path.

    Starlette answers 405 from the first route whose path matched, so its ``Allow`` named that
    route's methods only (``POST /v1/jobs`` hid ``GET /v1/jobs``). Asking each top-level route
    (included routers too) whether it would fully match the path under each method finds them all.
    """
    served = []
    for method in HTTPMethod:
        scope = {**request.scope, "method": method.value}
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes):
            served.append(method.value)
    return served


# FastAPI's detail when it cannot decode a request body at all (fastapi/routing.py).
BODY_PARSE_ERROR = "There was an error parsing the body"


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` declaring problem+json bodies for these statuses."""
    schema = {"$ref": "#/components/schemas/Problem"}
    return {
        s: {"description": HTTPStatus(s).phrase, "content": {PROBLEM_JSON: {"schema": schema}}}
        for s in statuses
    }
