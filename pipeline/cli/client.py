"""A small Python client for the longdoc HTTP API.

    from pipeline.cli.client import Client
    with Client("http://127.0.0.1:8000", api_key) as c:
        job = c.submit("contract.pdf", {"model": "rules"})
        job = c.wait(job.id)                      # honours Retry-After
        memo = c.download(job.id, "docx")         # bytes

Errors come back as ``ApiError`` (a ``LongdocError``) carrying the problem's stable ``code``
and HTTP ``status``. ``analyze_files`` runs ``longdoc analyze`` through a server
(``LONGDOC_API_URL``) with the same outputs as the local command.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO
from urllib.parse import quote

import httpx2 as httpx

from pipeline.api.schemas import BatchResource, JobList, JobResource, ReportFormat
from pipeline.config import Settings
from pipeline.errors import ApiError, LongdocError
from pipeline.jobs.store import REPORTED, TERMINAL
from pipeline.report.model import Report

FileArg = str | Path | bytes | BinaryIO


class Client:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout_s: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {api_key}", "User-Agent": "longdoc-client/1"},
            timeout=timeout_s,
            follow_redirects=True,  # report downloads may redirect to presigned storage URLs
            transport=transport,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Client:
        if not settings.api.url or settings.api.key is None:
            raise LongdocError("set LONGDOC_API_URL and LONGDOC_API_KEY to use a longdoc server")
        return cls(settings.api.url, settings.api.key.get_secret_value())

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        try:
            r = self._http.request(method, path, **kw)
        except httpx.HTTPError as exc:
            raise ApiError("connection", f"{type(exc).__name__}: {exc}", 0) from exc
        if r.status_code >= 400:
            try:
                p = r.json()
                code, detail = str(p.get("code", "http_error")), str(p.get("detail") or p.get("title") or "")
            except ValueError:
                code, detail = "http_error", r.text[:200]
            raise ApiError(code, detail or f"HTTP {r.status_code}", r.status_code)
        return r

    # -- jobs ---------------------------------------------------------------------------
    def submit(
        self,
        file: FileArg,
        options: Mapping[str, Any] | None = None,
        *,
        name: str | None = None,
        idempotency_key: str | None = None,
        callback_url: str | None = None,
    ) -> JobResource:
        """Upload a document (path, bytes or binary file) and queue its analysis."""
        data: dict[str, str] = {k: _form_value(v) for k, v in (options or {}).items() if v is not None}
        if callback_url:
            data["callback_url"] = callback_url
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        if isinstance(file, str | Path):
            path = Path(file)
            with path.open("rb") as fh:
                files = {"file": (name or path.name, fh, "application/octet-stream")}
                r = self._call("POST", "/v1/jobs", files=files, data=data, headers=headers)
        else:
            body = file if isinstance(file, bytes) else file.read()
            r = self._call("POST", "/v1/jobs", files={"file": (name or "document", body, "application/octet-stream")},
                           data=data, headers=headers)  # fmt: skip
        return JobResource.model_validate(r.json())

    def submit_key(self, document_key: str, options: Mapping[str, Any] | None = None, *,
                   name: str | None = None, idempotency_key: str | None = None) -> JobResource:  # fmt: skip
        """Queue a document already in the tenant's storage (e.g. ``documents/<sha256>.pdf``)."""
        body = {**(options or {}), "document_key": document_key, **({"name": name} if name else {})}
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        return JobResource.model_validate(self._call("POST", "/v1/jobs", json=body, headers=headers).json())

    def get(self, job_id: str) -> JobResource:
        return JobResource.model_validate(self._call("GET", f"/v1/jobs/{job_id}").json())

    def wait(
        self,
        job_id: str,
        *,
        timeout_s: float | None = None,
        on_update: Callable[[JobResource], None] | None = None,
        max_interval_s: float = 10.0,
    ) -> JobResource:
        """Poll until the job is terminal, sleeping as the server's Retry-After says."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            r = self._call("GET", f"/v1/jobs/{job_id}")
            job = JobResource.model_validate(r.json())
            if on_update is not None:
                on_update(job)
            if job.status in TERMINAL:
                return job
            delay = min(_retry_after(r.headers.get("Retry-After")), max_interval_s)
            if deadline is not None and time.monotonic() + delay > deadline:
                raise TimeoutError(f"job {job_id} still {job.status} after {timeout_s} s")
            time.sleep(delay)

    def download(self, job_id: str, fmt: ReportFormat = "json") -> bytes:
        path = f"/v1/jobs/{job_id}/report" + ("" if fmt == "json" else f".{fmt}")
        return self._call("GET", path).content

    def review_grid(self, job_id: str, fmt: str = "xlsx") -> bytes:
        """The job's review grid (``csv`` or ``xlsx``), decisions and viewer links included."""
        return self._call("GET", f"/v1/jobs/{job_id}/review.{fmt}").content

    def report(self, job_id: str) -> Report:
        return Report.model_validate_json(self.download(job_id, "json"))

    def cancel(self, job_id: str) -> JobResource:
        return JobResource.model_validate(self._call("POST", f"/v1/jobs/{job_id}/cancel").json())

    def delete(self, job_id: str) -> None:
        """Erase the job on the server (204, also when it was erased before)."""
        self._call("DELETE", f"/v1/jobs/{quote(job_id, safe='')}")

    def audit(self, since: str | None = None) -> list[dict[str, Any]]:
        """The tenant's access-log lines at or after ``since`` (ISO 8601; the server's default: 24 h)."""
        r = self._call("GET", "/v1/audit", params={"since": since} if since else None)
        events: list[dict[str, Any]] = r.json()["events"]
        return events

    def delete_batch(self, batch_id: str) -> None:
        self._call("DELETE", f"/v1/batches/{quote(batch_id, safe='')}")

    def list_jobs(self, *, status: str | None = None, limit: int = 20, cursor: str | None = None) -> JobList:
        params: dict[str, str | int] = {"limit": limit}
        if status:
            params["status"] = status
        if cursor:
            params["cursor"] = cursor
        return JobList.model_validate(self._call("GET", "/v1/jobs", params=params).json())

    # -- batches ------------------------------------------------------------------------
    def create_batch(self, paths: list[Path], options: Mapping[str, Any] | None = None, *,
                     budget_usd: float | None = None, idempotency_key: str | None = None) -> BatchResource:  # fmt: skip
        data = {k: _form_value(v) for k, v in (options or {}).items() if v is not None}
        if budget_usd is not None:
            data["budget_usd"] = str(budget_usd)
        handles = [p.open("rb") for p in paths]
        try:
            files = [
                ("files", (p.name, fh, "application/octet-stream"))
                for p, fh in zip(paths, handles, strict=True)
            ]
            headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
            r = self._call("POST", "/v1/batches", files=files, data=data, headers=headers)
        finally:
            for fh in handles:
                fh.close()
        return BatchResource.model_validate(r.json())

    def get_batch(self, batch_id: str) -> BatchResource:
        return BatchResource.model_validate(self._call("GET", f"/v1/batches/{batch_id}").json())

    def batch_table(self, batch_id: str, fmt: str = "csv") -> bytes:
        return self._call("GET", f"/v1/batches/{batch_id}/table.{fmt}").content


def _form_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list | tuple):
        return ",".join(map(str, v))
    return str(v)


def _retry_after(value: str | None) -> float:
    try:
        return max(0.2, float(value)) if value else 1.0
    except ValueError:
        return 1.0


def analyze_files(args: argparse.Namespace, settings: Settings) -> int:
    """``longdoc analyze`` through a server: same arguments, same report files and exit codes."""
    from pipeline.report.markdown import printable, report_stems, write_memo, write_report_files

    options = {"model": args.model, "profile": args.profile, "budget_usd": args.budget,
               "error_cost_usd": args.error_cost, "latency_target_s": args.latency_target,
               "self_hosted_only": args.self_hosted_only or None,
               "allowed_providers": args.providers or None, "password": args.password}  # fmt: skip
    out_dir = Path(args.out)
    results: list[dict[str, object]] = []
    failed = 0
    stems = report_stems([Path(n) for n in args.files])  # unique report names, as the local path writes
    with Client.from_settings(settings) as client:
        for name, stem in zip(args.files, stems, strict=True):
            path = Path(name)
            try:
                job = client.wait(client.submit(path, options).id)
                if job.status not in REPORTED:
                    err = job.error
                    raise ApiError(err.code if err else job.status, err.message if err else "job failed", 200)
                report = client.report(job.id)
            except (LongdocError, OSError) as exc:
                failed += 1
                code = exc.code if isinstance(exc, LongdocError) else "unreadable"
                msg = exc.message if isinstance(exc, LongdocError) else str(exc)
                results.append({"file": str(path), "ok": False, "error": {"code": code, "message": msg}})
                if not args.json:
                    print(printable(f"{path}: error[{code}] {msg}"), file=sys.stderr)
                continue
            json_path, md_path = write_report_files(out_dir, path, report, stem=stem)
            results.append({"file": str(path), "ok": True, "job_id": job.id, "report_json": str(json_path),
                            "report_md": str(md_path), "summary": report.summary.model_dump()})  # fmt: skip
            if getattr(args, "memo", False):  # the server renders it, as for GET …/report.docx
                results[-1]["report_docx"] = str(write_memo(out_dir, stem, client.download(job.id, "docx")))
            if getattr(args, "grid", False):  # the server's grid: its decisions, links to its viewer
                grid_path = out_dir / f"{stem}.review.xlsx"
                grid_path.write_bytes(client.review_grid(job.id))
                results[-1]["review_xlsx"] = str(grid_path)
            if not args.json:
                print(printable(f"{path}: report {md_path} (json: {json_path})"))
    if args.json:
        sys.stdout.write(json.dumps(results, indent=1) + "\n")
    return 1 if failed else 0
