"""/v1/batches: many documents in one request, their status, and the summary table."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from pipeline.api.batches import BatchInput, BatchRecord
from pipeline.api.deps import ApiState, IdempotencyKey, State, TenantDep
from pipeline.api.idempotency import fingerprint
from pipeline.api.jobs_routes import (
    GRID_RESPONSES,
    decided,
    display_name,
    grid_response,
    read_submission,
    validated,
)
from pipeline.api.problems import ProblemError, responses
from pipeline.api.schemas import BatchRequest, BatchResource
from pipeline.api.tenants import Tenant
from pipeline.api.uploads import Inspected, inspect_file, inspect_key, tenant_key
from pipeline.errors import LongdocError
from pipeline.jobs.store import JobOptions
from pipeline.report.grid import GridRow
from pipeline.report.literature import LiteratureRow
from pipeline.report.literature import to_csv as literature_csv
from pipeline.report.literature import to_xlsx as literature_xlsx
from pipeline.report.tables import to_csv, to_xlsx

router = APIRouter(prefix="/v1/batches", tags=["batches"])

CREATE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {"schema": {"$ref": "#/components/schemas/BatchUpload"}},
            "application/json": {"schema": {"$ref": "#/components/schemas/BatchRequest"}},
        },
    }
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.post(
    "",
    status_code=202,
    response_model=BatchResource,
    summary="Submit many documents: one job per distinct document",
    openapi_extra=CREATE_BODY,
    responses={
        202: {"description": "accepted", "headers": {"Location": {"schema": {"type": "string"}}}},
        200: {"description": "an earlier request with this Idempotency-Key", "model": BatchResource},
        **responses(400, 401, 413, 415, 422),
    },
)
async def create_batch(
    request: Request, state: State, tenant: TenantDep, key: IdempotencyKey = None
) -> Response:
    async with read_submission(request, max_files=state.settings.api.max_batch_files) as (form, fields):
        if form is not None:
            files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
            if not files:
                raise ProblemError(422, "validation_error", "send one or more 'files' parts")
            budget = _budget(fields.pop("budget_usd", None))
            options = state.check_options(validated(JobOptions, fields))
            record, replay = await run_in_threadpool(
                _from_uploads, state, tenant, files, options, budget, key
            )
        else:
            req: BatchRequest = validated(BatchRequest, fields)
            if len(req.documents) > state.settings.api.max_batch_files:
                raise ProblemError(
                    413, "too_large", f"at most {state.settings.api.max_batch_files} documents per batch"
                )
            opts = req.model_dump(exclude={"documents", "budget_usd"})
            options = state.check_options(validated(JobOptions, opts))
            record, replay = await run_in_threadpool(_from_keys, state, tenant, req, options, key)
    res = await run_in_threadpool(state.batches.resource, tenant.name, record)
    return JSONResponse(res.model_dump(mode="json"), status_code=200 if replay else 202,
                        headers={"Location": res.links.self})  # fmt: skip


def _budget(raw: object) -> float | None:
    if raw is None:
        return None
    if not isinstance(raw, float):  # form_options made every decimal number a float
        raise ProblemError(422, "validation_error", "budget_usd must be a number")
    if not raw > 0 or raw == float("inf"):
        raise ProblemError(422, "validation_error", "budget_usd must be greater than 0")
    return raw


def _inspect(fn: Any, name: str) -> BatchInput:
    try:
        info, extra = fn()
        return BatchInput(name=name, info=info, **extra)
    except LongdocError as exc:  # a bad file fails its entry, not the batch
        return BatchInput(name=name, error=exc)
    except ProblemError as exc:  # e.g. 404 for a stored document that is not there
        err = LongdocError(exc.detail or exc.code)
        err.code = exc.code
        return BatchInput(name=name, error=err)


def _from_uploads(
    state: ApiState, tenant: Tenant, files: list[UploadFile], options: JobOptions, budget: float | None,
    key: str | None,
) -> tuple[BatchRecord, bool]:  # fmt: skip
    limit = state.settings.limits.max_document_bytes
    docs = [
        _inspect(lambda f=f: (inspect_file(f.file, limit), {"upload": f.file}), display_name(f.filename, f"document-{i + 1}"))
        for i, f in enumerate(files)
    ]  # fmt: skip
    fp = fingerprint("batch-upload", [(d.name, d.info.sha256 if d.info else None) for d in docs],
                     options.model_dump(mode="json"), budget)  # fmt: skip
    return _create_once(state, tenant, key, fp, docs, options, budget)


def _from_keys(
    state: ApiState, tenant: Tenant, req: BatchRequest, options: JobOptions, key: str | None
) -> tuple[BatchRecord, bool]:
    limit = state.settings.limits.max_document_bytes
    docs: list[BatchInput] = []
    for d in req.documents:
        name = display_name(d.name or d.document_key, "document")
        docs.append(_inspect(lambda d=d: _stored(state, tenant, d.document_key, limit), name))
    fp = fingerprint("batch-keys", [(d.name, d.info.sha256 if d.info else None) for d in docs],
                     options.model_dump(mode="json"), req.budget_usd)  # fmt: skip
    return _create_once(state, tenant, key, fp, docs, options, req.budget_usd)


def _stored(
    state: ApiState, tenant: Tenant, document_key: str, limit: int
) -> tuple[Inspected, dict[str, Any]]:
    full = tenant_key(tenant.name, document_key)
    return inspect_key(state.store, full, limit), {"document_key": full}


def _create_once(
    state: ApiState, tenant: Tenant, key: str | None, fp: str, docs: list[BatchInput], options: JobOptions,
    budget: float | None,
) -> tuple[BatchRecord, bool]:  # fmt: skip
    if key is None:
        return state.batches.create(tenant.name, docs, options, budget_usd=budget), False
    with state.idempotency.locked(tenant.name, "batch", key):
        existing = state.idempotency.lookup(tenant.name, "batch", key, fp)
        if existing is not None:
            return state.batches.load(tenant.name, existing), True
        record = state.batches.create(tenant.name, docs, options, budget_usd=budget)
        state.idempotency.remember(tenant.name, "batch", key, fp, record.batch_id)
        return record, False


@router.get("/{batch_id}", response_model=BatchResource, summary="A batch: counts per status and one entry per document",
            responses=responses(401, 404, 410))  # fmt: skip
async def get_batch(batch_id: str, state: State, tenant: TenantDep) -> BatchResource:
    record = await run_in_threadpool(state.batches.load, tenant.name, batch_id)
    return await run_in_threadpool(state.batches.resource, tenant.name, record)


@router.delete(
    "/{batch_id}",
    status_code=204,
    response_class=Response,
    summary="Erase a batch and every job in it (each as DELETE /v1/jobs/{id})",
    responses={204: {"description": "erased (or erased before)"}, **responses(401, 404)},
)
async def delete_batch(batch_id: str, state: State, tenant: TenantDep) -> Response:
    await run_in_threadpool(_erase, state, tenant, batch_id)
    return Response(status_code=204)


def _erase(state: ApiState, tenant: Tenant, batch_id: str) -> None:
    record = None
    try:
        record = state.batches.load(tenant.name, batch_id)
    except ProblemError as exc:
        if exc.status != 410:
            raise
    state.batches.erase(tenant.name, batch_id, by=tenant.key_id or "api")
    for e in record.entries if record else []:
        if e.job_id:
            state.webhooks.drop(tenant.name, e.job_id)


def _table(state: ApiState, tenant: Tenant, batch_id: str, fmt: str) -> Response:
    record = state.batches.load(tenant.name, batch_id)
    rows = state.batches.rows(tenant.name, record)
    name = f"batch-{batch_id}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "csv":
        return Response(to_csv(rows), media_type="text/csv; charset=utf-8", headers=headers)
    return Response(to_xlsx(rows), media_type=XLSX, headers=headers)


@router.get("/{batch_id}/table.csv", summary="One row per document (CSV)", response_class=Response,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}, **responses(401, 404, 410)})  # fmt: skip
async def batch_csv(batch_id: str, state: State, tenant: TenantDep) -> Response:
    return await run_in_threadpool(_table, state, tenant, batch_id, "csv")


@router.get("/{batch_id}/table.xlsx", summary="One row per document (Excel)", response_class=Response,
            responses={200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}},
                       **responses(401, 404, 410)})  # fmt: skip
async def batch_xlsx(batch_id: str, state: State, tenant: TenantDep) -> Response:
    return await run_in_threadpool(_table, state, tenant, batch_id, "xlsx")


def _grid(state: ApiState, tenant: Tenant, batch_id: str, fmt: str, base_url: str) -> Response:
    record = state.batches.load(tenant.name, batch_id)
    # rows() is one per record entry, in order: the entry gives the job id the row lacks.
    rows = [
        GridRow(name=r.name, job_id=e.job_id, status=r.status, error_code=r.error_code,
                report=decided(state, tenant, e.job_id, r.report) if e.job_id else r.report)
        for e, r in zip(record.entries, state.batches.rows(tenant.name, record), strict=True)
    ]  # fmt: skip
    return grid_response(rows, fmt, base_url, f"batch-{batch_id}")


def _literature(state: ApiState, tenant: Tenant, batch_id: str, fmt: str, base_url: str) -> Response:
    record = state.batches.load(tenant.name, batch_id)
    rows = [
        LiteratureRow(name=r.name, job_id=e.job_id, status=r.status, report=r.report)
        for e, r in zip(record.entries, state.batches.rows(tenant.name, record), strict=True)
    ]
    headers = {"Content-Disposition": f'attachment; filename="batch-{batch_id}.literature.{fmt}"'}
    if fmt == "csv":
        return Response(literature_csv(rows, base_url), media_type="text/csv; charset=utf-8", headers=headers)
    return Response(literature_xlsx(rows, base_url), media_type=XLSX, headers=headers)


@router.get("/{batch_id}/literature.csv", summary="The literature table: one row per paper (title, year, "
            "authors, data sets, headline results with their evidence and a viewer link) (CSV)",
            response_class=Response,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}, **responses(401, 404, 410)})  # fmt: skip
async def batch_literature_csv(batch_id: str, request: Request, state: State, tenant: TenantDep) -> Response:
    return await run_in_threadpool(_literature, state, tenant, batch_id, "csv", str(request.base_url))


@router.get("/{batch_id}/literature.xlsx", summary="The literature table (Excel): each title links to the viewer",
            response_class=Response,
            responses={200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}},
                       **responses(401, 404, 410)})  # fmt: skip
async def batch_literature_xlsx(batch_id: str, request: Request, state: State, tenant: TenantDep) -> Response:
    return await run_in_threadpool(_literature, state, tenant, batch_id, "xlsx", str(request.base_url))


@router.get("/{batch_id}/review.csv", summary="The review grid: one row per document; answer, status and "
            "viewer link per playbook rule (CSV)", response_class=Response, responses=GRID_RESPONSES)  # fmt: skip
async def batch_review_csv(batch_id: str, request: Request, state: State, tenant: TenantDep) -> Response:
    return await run_in_threadpool(_grid, state, tenant, batch_id, "csv", str(request.base_url))


@router.get("/{batch_id}/review.xlsx", summary="The review grid (Excel): coloured by status, each answer "
            "linking to the viewer", response_class=Response, responses=GRID_RESPONSES)  # fmt: skip
async def batch_review_xlsx(batch_id: str, request: Request, state: State, tenant: TenantDep) -> Response:
    return await run_in_threadpool(_grid, state, tenant, batch_id, "xlsx", str(request.base_url))
