"""/v1/jobs: submit (upload or stored document), read, list, cancel, reports."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any, get_args
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from pipeline.api.deps import ApiState, IdempotencyKey, State, TenantDep
from pipeline.api.idempotency import fingerprint
from pipeline.api.problems import ProblemError, responses
from pipeline.api.schemas import DecisionList, DecisionRequest, JobList, JobRequest, JobResource, JobText
from pipeline.api.tenants import Tenant
from pipeline.api.uploads import inspect_file, inspect_key, tenant_key
from pipeline.errors import Gone, NotFound
from pipeline.ingest.sniff import DOCX, PDF, TEXT
from pipeline.jobs import decisions
from pipeline.jobs.store import TERMINAL, JobOptions, JobRecord, JobStatus, JobStore
from pipeline.report import grid
from pipeline.report.grid import GridRow
from pipeline.report.model import Decision, Report
from pipeline.report.signoff import SignoffSeverity, marked, still_open
from storage import keys

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])
MAX_FIELD = 64 * 1024
MAX_NAME = 255  # display names, as JobRequest.name
_NAME_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")

# What an uploaded document may be (its bytes decide, see pipeline/ingest/sniff.py).
DOCUMENT_TYPES = f"{PDF}, {DOCX}, {TEXT}, text/markdown"
SUBMIT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {"$ref": "#/components/schemas/JobUpload"},
                "encoding": {"file": {"contentType": DOCUMENT_TYPES}},
            },
            "application/json": {"schema": {"$ref": "#/components/schemas/JobRequest"}},
        },
    }
}
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before polling again (until finished)",
                               "schema": {"type": "integer"}}}  # fmt: skip
LOCATION = {"Location": {"description": "the job's URL", "schema": {"type": "string"}}}


def display_name(name: str | None, fallback: str) -> str:
    clean = _NAME_UNSAFE.sub("_", (name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip()
    return clean[:MAX_NAME] or fallback


def form_options(form: FormData) -> dict[str, Any]:
    """Form fields → option values, typed as a JSON body would carry them (see ``_typed``).

    Each option is one field (a list is comma-separated: ``allowed_providers``). A field sent
    empty is a value like any other (a number or an enum refuses it), except an empty
    ``allowed_providers``: no restriction, as when it is left out.
    """
    out: dict[str, Any] = {}
    seen: set[str] = set()
    for key, value in form.multi_items():
        if isinstance(value, str) and key not in ("file", "files"):
            if key in seen:
                raise ProblemError(422, "validation_error", f"the form field {key!r} is given more than once")
            seen.add(key)
            if key == "allowed_providers":
                providers = [p.strip() for p in value.split(",") if p.strip()]
                if providers:
                    out[key] = providers
            else:
                out[key] = _typed(_FORM_KINDS.get(key), value)
    return out


def _kind(annotation: Any) -> str:
    types = {annotation, *get_args(annotation)}
    return "boolean" if bool in types else "number" if float in types else "string"


# What each option is in the schema; a form field is text and becomes that type only when it
# spells one the way JSON does (true or false; a decimal number). Anything else stays text,
# which strict validation then refuses (422) rather than guessing ("yes", "0", "inf", " 3").
_FORM_KINDS = {name: _kind(field.annotation) for name, field in JobOptions.model_fields.items()}
_BOOLEANS = {"true": True, "false": False}
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?")


def _typed(kind: str | None, value: str) -> object:
    if kind == "boolean":
        return _BOOLEANS.get(value, value)
    if kind == "number" and _NUMBER.fullmatch(value):
        return float(value)
    return value


def validated(model: type[BaseModel], data: object) -> Any:
    """``model`` from ``data`` (a JSON body, or form fields typed by ``form_options``), strictly:
    the types must be the schema's own (no ``0`` for false, no ``"3"`` for a number)."""
    try:
        return model.model_validate(data, strict=True)
    except ValidationError as exc:
        errors = [{"loc": [str(x) for x in e["loc"]], "msg": e["msg"]} for e in exc.errors()]
        raise ProblemError(
            422, "validation_error", "the request is not valid", extra={"errors": errors}
        ) from None


@asynccontextmanager
async def read_submission(
    request: Request, max_files: int
) -> AsyncIterator[tuple[FormData | None, dict[str, Any]]]:
    """(form, fields) for multipart/url-encoded bodies; (None, json) for JSON bodies.

    The form is closed when the block exits: its uploads are spooled temporary files (on disk
    above 1 MB) that nothing else closes once the request is over.
    """
    ctype = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if ctype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        async with request.form(max_files=max_files, max_fields=100, max_part_size=MAX_FIELD) as form:
            yield form, form_options(form)
        return
    if ctype == "application/json" or ctype.endswith("+json"):
        try:
            data = json.loads(await request.body())
        except ValueError:
            raise ProblemError(422, "validation_error", "the body is not valid JSON") from None
        if not isinstance(data, dict):
            raise ProblemError(422, "validation_error", "the body must be a JSON object")
        yield None, data
        return
    raise ProblemError(415, "unsupported_media_type",
                       "send multipart/form-data with a file, or JSON naming a stored document")  # fmt: skip


def job_response(res: JobResource, status: int) -> JSONResponse:
    headers = {"Location": res.links.self}
    if res.status not in TERMINAL:
        headers["Retry-After"] = retry_after(res.status)
    return JSONResponse(res.model_dump(mode="json"), status_code=status, headers=headers)


def retry_after(status: JobStatus) -> str:
    return "1" if status in ("queued", "ingesting") else "2"


@router.post(
    "",
    status_code=202,
    response_model=JobResource,
    summary="Submit a document for analysis",
    openapi_extra=SUBMIT_BODY,
    responses={
        202: {"description": "accepted: the job is queued", "headers": {**LOCATION, **RETRY_AFTER}},
        200: {"description": "an earlier request with this Idempotency-Key", "model": JobResource,
              "headers": LOCATION},
        **responses(400, 401, 402, 404, 413, 415, 422),
    },
)  # fmt: skip
async def create_job(
    request: Request, state: State, tenant: TenantDep, key: IdempotencyKey = None
) -> Response:
    async with read_submission(request, max_files=1) as (form, fields):
        upload = form.get("file") if form is not None else None
        if form is not None and upload is not None and not isinstance(upload, UploadFile):
            raise ProblemError(422, "validation_error", "'file' must be a file part")
        if isinstance(upload, UploadFile):
            fields.pop("document_key", None)
            given = fields.pop("name", None)
            if given is not None and len(given) > MAX_NAME:
                raise ProblemError(422, "validation_error", f"name must be at most {MAX_NAME} characters")
            name = display_name(given or upload.filename, "document")
            callback = fields.pop("callback_url", None)
            options = state.check_options(validated(JobOptions, fields))
            res, replay = await run_in_threadpool(
                submit_upload, state, tenant, upload, name, options, callback, key
            )
        else:
            req: JobRequest = validated(JobRequest, fields)
            options = state.check_options(JobOptions(**{f: getattr(req, f) for f in JobOptions.model_fields}))
            res, replay = await run_in_threadpool(submit_key, state, tenant, req, options, key)
    return job_response(res, 200 if replay else 202)


def submit_upload(
    state: ApiState, tenant: Tenant, upload: UploadFile, name: str, options: JobOptions,
    callback: str | None, key: str | None,
) -> tuple[JobResource, bool]:  # fmt: skip
    callback = state.check_callback(tenant, callback)
    info = inspect_file(upload.file, state.settings.limits.max_document_bytes)
    fp = fingerprint("upload", info.sha256, name, options.model_dump(mode="json"), callback)
    return _create_once(state, tenant, key, fp, callback is not None, lambda: state.jobs.create(
        tenant.name, name=name, options=options, info=info, upload=upload.file, callback_url=callback))  # fmt: skip


def submit_key(
    state: ApiState, tenant: Tenant, req: JobRequest, options: JobOptions, key: str | None
) -> tuple[JobResource, bool]:
    callback = state.check_callback(tenant, req.callback_url)
    full = tenant_key(tenant.name, req.document_key)
    info = inspect_key(state.store, full, state.settings.limits.max_document_bytes)
    name = display_name(req.name or req.document_key, "document")
    fp = fingerprint("key", full, info.sha256, name, options.model_dump(mode="json"), callback)
    return _create_once(state, tenant, key, fp, callback is not None, lambda: state.jobs.create(
        tenant.name, name=name, options=options, info=info, document_key=full, callback_url=callback))  # fmt: skip


def _create_once(
    state: ApiState, tenant: Tenant, key: str | None, fp: str, callback: bool, create: Callable[[], JobRecord]
) -> tuple[JobResource, bool]:
    """Create the job, or return the one an earlier request with the same Idempotency-Key made."""
    if key is None:
        job = create()
        if callback:
            state.webhooks.register(tenant.name, job.job_id)
        return state.jobs.resource(tenant.name, job.job_id), False
    with state.idempotency.locked(tenant.name, "job", key):
        existing = state.idempotency.lookup(tenant.name, "job", key, fp)
        if existing is not None:
            return state.jobs.resource(tenant.name, existing), True
        res, _ = _create_once(state, tenant, None, fp, callback, create)
        state.idempotency.remember(tenant.name, "job", key, fp, res.id)
        return res, False


@router.get("", response_model=JobList, summary="List jobs, newest first", responses=responses(401, 422))
async def list_jobs(
    state: State,
    tenant: TenantDep,
    status: JobStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> JobList:
    data, nxt = await run_in_threadpool(
        state.jobs.list, tenant.name, status=status, limit=limit, cursor=cursor
    )
    return JobList(data=data, next_cursor=nxt)


@router.get(
    "/{job_id}",
    response_model=JobResource,
    summary="A job's status, progress, cost and links",
    responses={200: {"description": "the job", "headers": RETRY_AFTER}, **responses(401, 404, 410)},
)
async def get_job(job_id: str, state: State, tenant: TenantDep) -> Response:
    hit = state.jobs.cached(tenant.name, job_id)  # the common poll: no thread hop, no I/O
    res, body = hit if hit is not None else await run_in_threadpool(state.jobs.entry, tenant.name, job_id)
    headers = {"Retry-After": retry_after(res.status)} if res.status not in TERMINAL else {}
    return Response(body, media_type="application/json", headers=headers)


@router.post(
    "/{job_id}/cancel",
    response_model=JobResource,
    status_code=202,
    summary="Ask a job to stop (it ends canceled, keeping a partial report)",
    responses={202: {"description": "cancellation requested"},
               200: {"description": "the job had already finished", "model": JobResource},
               **responses(401, 404, 410)},
)  # fmt: skip
async def cancel_job(job_id: str, state: State, tenant: TenantDep) -> Response:
    res, accepted = await run_in_threadpool(state.jobs.cancel, tenant.name, job_id)
    return job_response(res, 202 if accepted else 200)


@router.delete(
    "/{job_id}",
    status_code=204,
    response_class=Response,
    summary="Erase a job: cancel it if running, delete its document, results, reports and cached answers",
    description="A tombstone (ids, times, who deleted it, the document's sha256, the cost) stays; the job's "
    "URLs then answer 410. Deleting a deleted job again is 204 too.",
    responses={204: {"description": "erased (or erased before)"}, **responses(401, 404)},
)
async def delete_job(job_id: str, state: State, tenant: TenantDep) -> Response:
    await run_in_threadpool(erase, state, tenant, job_id)
    return Response(status_code=204)


def erase(state: ApiState, tenant: Tenant, job_id: str) -> None:
    state.jobs.erase(tenant.name, job_id, by=tenant.key_id or "api")
    state.webhooks.drop(tenant.name, job_id)


REPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    307: {"description": "redirect to a presigned download URL (S3 storage)", "headers": LOCATION},
    **responses(401, 404, 409, 410),
}
MEDIA = {"json": "application/json", "md": "text/markdown; charset=utf-8",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}  # fmt: skip


def _report(state: ApiState, tenant: Tenant, job_id: str, fmt: str) -> Response:
    key = state.jobs.report_key(tenant.name, job_id, f"report.{fmt}")
    json_key = key.rsplit("/", 1)[0] + "/report.json"
    signoff = state.settings.review.signoff_severity
    decided = decisions.current(state.store, tenant.name, job_id)
    if decided:  # reviewers' decisions change after the report: render it with them, never cached
        try:
            report = Report.model_validate_json(state.store.get(json_key))
        except (NotFound, Gone):  # erased while we looked
            raise state.jobs.missing(tenant.name, job_id) from None
        report = with_decisions(report, decided, signoff)
        return _download(state, tenant, job_id, fmt, _render(report, fmt, signoff))
    if fmt == "docx" and not state.store.exists(key):
        try:
            report = Report.model_validate_json(state.store.get(json_key))
            state.store.put(key, _render(report, "docx", signoff))
        except (NotFound, Gone):  # erased while we looked
            raise state.jobs.missing(tenant.name, job_id) from None
    url = state.store.presigned_get_url(key)
    if url:
        return RedirectResponse(url, status_code=307)
    try:
        body = state.store.get(key)
    except NotFound:
        if state.store.exists(keys.tombstone(tenant.name, job_id)):
            raise state.jobs.missing(tenant.name, job_id) from None
        raise ProblemError(404, "no_report", "this report format is not available for the job") from None
    return _download(state, tenant, job_id, fmt, body)


def _render(report: Report, fmt: str, signoff: SignoffSeverity) -> bytes:
    if fmt == "json":
        return report.model_dump_json(indent=2).encode()
    if fmt == "md":
        from pipeline.report.markdown import render_markdown

        return render_markdown(report).encode()
    from pipeline.report.docx import render_docx  # python-docx loads only when asked

    return render_docx(report, signoff_severity=signoff)


def _download(state: ApiState, tenant: Tenant, job_id: str, fmt: str, body: bytes) -> Response:
    stem = display_name(state.jobs.load(tenant.name, job_id).name.rsplit(".", 1)[0], "document")
    filename = f"{stem}.report.{fmt}"
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(body, media_type=MEDIA[fmt], headers={"Content-Disposition": disposition})


@router.get("/{job_id}/report", response_model=Report, summary="The report (JSON)",
            responses={200: {"content": {"application/json": {}}}, **REPORT_RESPONSES})  # fmt: skip
async def get_report(job_id: str, state: State, tenant: TenantDep) -> Response:
    return await run_in_threadpool(_report, state, tenant, job_id, "json")


@router.get("/{job_id}/report.md", summary="The report (Markdown)", response_class=Response,
            responses={200: {"content": {"text/markdown": {"schema": {"type": "string"}}}}, **REPORT_RESPONSES})  # fmt: skip
async def get_report_md(job_id: str, state: State, tenant: TenantDep) -> Response:
    return await run_in_threadpool(_report, state, tenant, job_id, "md")


@router.get("/{job_id}/report.docx", summary="The report as a memo (Word)", response_class=Response,
            responses={200: {"content": {MEDIA["docx"]: {"schema": {"type": "string", "format": "binary"}}}},
                       **REPORT_RESPONSES})  # fmt: skip
async def get_report_docx(job_id: str, state: State, tenant: TenantDep) -> Response:
    return await run_in_threadpool(_report, state, tenant, job_id, "docx")


# -- the review grid (issue 16): one job's row as CSV/XLSX; batch_routes.py serves a batch's rows --
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GRID_MEDIA = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX}
GRID_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}},
                      XLSX: {"schema": {"type": "string", "format": "binary"}}}},
    **responses(401, 404, 409, 410),
}  # fmt: skip


def with_decisions(report: Report, decided: dict[str, Decision], signoff: SignoffSeverity) -> Report:
    """Decisions attached; a held review (issue 19) counted again, final once none is open."""
    report = decisions.with_decisions(report, decided)
    if report.review is not None and not report.review.final:
        report = report.model_copy(
            update={"review": marked(report.review, still_open(report.review, signoff))}
        )
    return report


def decided(state: ApiState, tenant: Tenant, job_id: str, report: Report | None) -> Report | None:
    """The report with the tenant's current decisions on its review items attached."""
    if report is None or report.review is None:
        return report
    current = decisions.current(state.store, tenant.name, job_id)
    return with_decisions(report, current, state.settings.review.signoff_severity)


def grid_response(rows: list[GridRow], fmt: str, base_url: str, stem: str) -> Response:
    filename = f"{stem}.review.{fmt}"
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    body = grid.to_csv(rows, base_url) if fmt == "csv" else grid.to_xlsx(rows, base_url)
    return Response(body, media_type=GRID_MEDIA[fmt], headers={"Content-Disposition": disposition})


def _job_grid(state: ApiState, tenant: Tenant, job_id: str, fmt: str, base_url: str) -> Response:
    res = state.jobs.resource(tenant.name, job_id)  # 404 / 410
    if res.status not in TERMINAL:
        raise ProblemError(409, "not_ready", f"the job is {res.status}; the review is not written yet",
                           headers={"Retry-After": "2"})  # fmt: skip
    report = None
    try:
        report = Report.model_validate_json(
            state.store.get(keys.job_file(tenant.name, job_id, "report.json"))
        )
    except NotFound:  # failed without a report: its row carries the error code
        if state.store.exists(keys.tombstone(tenant.name, job_id)):
            raise state.jobs.missing(tenant.name, job_id) from None
    row = GridRow(name=res.name, job_id=job_id, status=res.status, error_code=res.error.code if res.error else "",
                  report=decided(state, tenant, job_id, report))  # fmt: skip
    return grid_response([row], fmt, base_url, display_name(res.name.rsplit(".", 1)[0], "document"))


@router.get("/{job_id}/review.csv", summary="The review grid: the document's row, answer, status and "
            "viewer link per playbook rule (CSV)", response_class=Response, responses=GRID_RESPONSES)  # fmt: skip
async def get_review_csv(job_id: str, request: Request, state: State, tenant: TenantDep) -> Response:
    return await run_in_threadpool(_job_grid, state, tenant, job_id, "csv", str(request.base_url))


@router.get("/{job_id}/review.xlsx", summary="The review grid (Excel): coloured by status, each answer "
            "linking to the viewer", response_class=Response, responses=GRID_RESPONSES)  # fmt: skip
async def get_review_xlsx(job_id: str, request: Request, state: State, tenant: TenantDep) -> Response:
    return await run_in_threadpool(_job_grid, state, tenant, job_id, "xlsx", str(request.base_url))


# ---- the viewer: the document's text, reviewers' decisions (issue 16) ----------------------


def _text(state: ApiState, tenant: Tenant, job_id: str) -> JobText:
    job = state.jobs.load(tenant.name, job_id)  # 404 / 410
    try:
        doc = JobStore(state.store, tenant.name).load_text(job_id)
    except (NotFound, Gone):
        if state.store.exists(keys.tombstone(tenant.name, job_id)):
            raise state.jobs.missing(tenant.name, job_id) from None
        if job.status in TERMINAL:
            raise ProblemError(
                409, "no_text", f"the job ended {job.status} before its text was extracted"
            ) from None
        raise ProblemError(409, "not_ready", f"the job is {job.status}; the text is not extracted yet",
                           headers={"Retry-After": "1"}) from None  # fmt: skip
    x = doc.extracted
    return JobText(text=x.text, pages=x.pages, media_type=x.media_type, backend=x.backend)


@router.get("/{job_id}/text", response_model=JobText, summary="The document's extracted text, page by page",
            description="The text every evidence offset points into (offsets count Unicode code points); "
            "pages give each page's [start, end). 409 until the text is extracted.",
            responses=responses(401, 404, 409, 410))  # fmt: skip
async def get_text(job_id: str, state: State, tenant: TenantDep) -> JobText:
    return await run_in_threadpool(_text, state, tenant, job_id)


def _decide(state: ApiState, tenant: Tenant, job_id: str, rule: str, req: DecisionRequest) -> Decision:
    key = state.jobs.report_key(tenant.name, job_id, "report.json")  # 404 / 409 / 410
    try:
        rules = state.jobs.review_severities(key) or {}
    except (NotFound, Gone):
        raise state.jobs.missing(tenant.name, job_id) from None
    if rule not in rules:
        raise ProblemError(404, "not_found", f"the job's review has no item {rule!r}")
    decision = Decision(rule=rule, action=req.action, value=req.value, status=req.status, comment=req.comment,
                        by=tenant.key_id or "api", at="")  # fmt: skip
    try:
        stored = decisions.record(state.store, tenant.name, job_id, decision)
    except Gone:  # erased while we wrote: the store removed the late write
        raise state.jobs.missing(tenant.name, job_id) from None
    state.jobs.changed(tenant.name, job_id)  # the resource's sign-off counts
    state.jobs.note_review(tenant.name, job_id, key, stored)  # the producing model's quality counters
    try:
        state.jobs.release_hold(tenant.name, job_id, state.locks)
    except (NotFound, Gone):  # erased while we looked
        raise state.jobs.missing(tenant.name, job_id) from None
    return stored


@router.put("/{job_id}/decisions/{rule}", response_model=Decision,
            summary="Record a reviewer's decision on one review item (accept, reject or edit)",
            description="The latest decision per item wins; every one is kept (GET …/decisions). `by` is the "
            "calling key's id. 404 for a rule the job's review does not have; 409 while the job has no report.",
            responses=responses(401, 404, 409, 410, 422))  # fmt: skip
async def put_decision(
    job_id: str, rule: str, req: DecisionRequest, state: State, tenant: TenantDep
) -> Decision:
    return await run_in_threadpool(_decide, state, tenant, job_id, rule, req)


def _decisions(state: ApiState, tenant: Tenant, job_id: str) -> DecisionList:
    state.jobs.load(tenant.name, job_id)  # 404 / 410
    trail = decisions.history(state.store, tenant.name, job_id)
    return DecisionList(job_id=job_id, current={d.rule: d for d in trail}, history=trail)


@router.get("/{job_id}/decisions", response_model=DecisionList,
            summary="Reviewers' decisions: the current one per item and the full history (the JSON export)",
            responses=responses(401, 404, 410))  # fmt: skip
async def get_decisions(job_id: str, state: State, tenant: TenantDep) -> DecisionList:
    return await run_in_threadpool(_decisions, state, tenant, job_id)
