"""Jobs as the API sees them: create, read (cheaply), list, cancel, fetch reports.

Storage is the system of record: a job resource is job.json plus what storage holds beside it
(plan → segments_total, routes → estimated cost, segment results → done/failed/actual cost).
Reads are made cheap for pollers: plan, routes and segment results never change once
written, so each is read once; a whole resource is kept for ``api.status_cache_s`` (``api.finished_cache_s``
once terminal: only an erase, perhaps by another API process, changes it then); every write this
process makes invalidates it at once.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import cached_property
from typing import BinaryIO, TypeVar

from pipeline import telemetry
from pipeline.api.locks import Locks
from pipeline.api.problems import ProblemError, gone, not_found
from pipeline.api.runner import JobRunner, make_runner
from pipeline.api.schemas import Cost, JobLinks, JobResource
from pipeline.api.uploads import Inspected, store_document
from pipeline.config import Settings
from pipeline.errors import LongdocError, NotFound
from pipeline.jobs import decisions
from pipeline.jobs.erase import Tombstone, erase_job, load_tombstone
from pipeline.jobs.playbooks import tenant_playbook
from pipeline.jobs.stages import StageContext
from pipeline.jobs.store import REPORTED, TERMINAL, JobOptions, JobRecord, JobStore, Progress, new_job_id
from pipeline.report.model import Decision, Report
from pipeline.report.signoff import Severity, SignoffCounts, counts, severities
from pipeline.routing.quality import QualityMonitor
from pipeline.types import SegmentAnalysis
from storage import keys
from storage.base import ObjectStore

log = logging.getLogger("longdoc.api")
V = TypeVar("V")
PlanFacts = tuple[int, float | None, list[str]]  # segments_total, estimated_usd, routing warnings
SegmentFacts = tuple[int, float, str | None]  # failed (0/1), cost_usd, failure warning
MAX_SCAN = 2000  # job.json reads per listing request when filtering by status


class _Bounded(OrderedDict[str, V]):
    """A dict that forgets its oldest entries past ``size`` (memory stays bounded)."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def put(self, key: str, value: V) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)


class JobService:
    def __init__(
        self,
        settings: Settings,
        store: ObjectStore,
        runner: JobRunner | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self._listeners: list[Callable[[str, str], None]] = []
        self.runner = runner or make_runner(settings, store, self.changed)
        self._lock = threading.Lock()
        self._resources: _Bounded[tuple[float, JobResource, bytes]] = _Bounded(
            20_000
        )  # "tenant/job" -> (expires, res)
        # Facts from objects that never change once written (plan, routes, segment results).
        self._plans: _Bounded[PlanFacts] = _Bounded(20_000)
        self._segments: _Bounded[SegmentFacts] = _Bounded(200_000)
        # A report never changes once written: its review's rule -> severity is read once.
        self._reviews: _Bounded[dict[str, Severity] | None] = _Bounded(20_000)

    # -- change notification ------------------------------------------------------------
    def on_change(self, listener: Callable[[str, str], None]) -> None:
        self._listeners.append(listener)

    def changed(self, tenant: str, job_id: str) -> None:
        with self._lock:
            self._resources.pop(f"{tenant}/{job_id}", None)
        for listener in self._listeners:
            listener(tenant, job_id)

    # -- create -------------------------------------------------------------------------
    def create(
        self,
        tenant: str,
        *,
        name: str,
        options: JobOptions,
        info: Inspected,
        upload: BinaryIO | None = None,
        document_key: str | None = None,
        callback_url: str | None = None,
        batch_id: str | None = None,
        submit: bool = True,
    ) -> JobRecord:
        """Record a queued job for an uploaded file (stored first) or a stored document."""
        if upload is not None:
            document_key = store_document(self.store, tenant, upload, info)
        assert document_key is not None
        # The tenant's playbook as it is now travels with the job (later edits don't change it).
        job = JobRecord(job_id=new_job_id(), tenant=tenant, name=name, document_key=document_key,
                        sha256=info.sha256, size=info.size, options=options,
                        playbook=tenant_playbook(self.store, tenant)).moved("queued")  # fmt: skip
        js = JobStore(self.store, tenant)
        if callback_url:
            self.store.put_json(keys.job_file(tenant, job.job_id, "callback.json"), {"url": callback_url})
        if batch_id:
            self.store.put_json(keys.job_file(tenant, job.job_id, "batch.json"), {"batch_id": batch_id})
        js.register(job)
        if submit:
            self.runner.submit(tenant, job.job_id, password=options.password)
        return job

    # -- read ---------------------------------------------------------------------------
    def load(self, tenant: str, job_id: str) -> JobRecord:
        try:
            keys.check_part(job_id, "job id")
            return JobStore(self.store, tenant).load(job_id)
        except ValueError:
            raise not_found("job") from None
        except NotFound:
            raise self.missing(tenant, job_id) from None

    def missing(self, tenant: str, job_id: str) -> ProblemError:
        """Why the tenant's job (or one of its objects) is not there: 410 once erased, else 404."""
        return gone("job") if self.store.exists(keys.tombstone(tenant, job_id)) else not_found("job")

    def cached(self, tenant: str, job_id: str) -> tuple[JobResource, bytes] | None:
        """The resource and its JSON when memory has a fresh copy (no I/O: safe on the event loop)."""
        hit = self._resources.get(f"{tenant}/{job_id}")
        if hit is not None and hit[0] > time.monotonic():
            return hit[1], hit[2]
        return None

    def entry(self, tenant: str, job_id: str) -> tuple[JobResource, bytes]:
        """The resource and its JSON (kept encoded, so a cached poll costs no serialisation)."""
        hit = self.cached(tenant, job_id)
        if hit is not None:
            return hit
        res = self._build(tenant, self.load(tenant, job_id))
        body = res.model_dump_json().encode()
        api = self.settings.api
        ttl = max(api.finished_cache_s, api.status_cache_s) if res.status in TERMINAL else api.status_cache_s
        if ttl > 0:
            with self._lock:
                self._resources.put(f"{tenant}/{job_id}", (time.monotonic() + ttl, res, body))
        return res, body

    def resource(self, tenant: str, job_id: str) -> JobResource:
        return self.entry(tenant, job_id)[0]

    def _build(self, tenant: str, job: JobRecord) -> JobResource:
        prefix = keys.job_prefix(tenant, job.job_id)
        total, estimated, route_warnings = self._plan_facts(tenant, job)
        done = failed = 0
        actual = 0.0
        warnings = list(job.warnings) + route_warnings
        if total:
            for key in self.store.list(prefix + "segments/"):
                seg_failed, cost, error = self._segment_facts(key)
                done += 1
                failed += seg_failed
                actual += cost
                if error:
                    warnings.append(error)
        has_report = job.status in TERMINAL and self.store.exists(prefix + "report.json")
        if has_report:
            actual = self._report_cost(prefix + "report.json", actual)
        review = self._signoff(tenant, job.job_id, prefix + "report.json") if has_report else None
        base = f"/v1/jobs/{job.job_id}"
        has_text = job.status not in ("queued", "ingesting") and self.store.exists(prefix + "text.json")
        links = JobLinks(self=base, cancel=f"{base}/cancel", report=f"{base}/report" if has_report else None,
                         report_md=f"{base}/report.md" if has_report else None,
                         report_docx=f"{base}/report.docx" if has_report else None,
                         text=f"{base}/text" if has_text else None,
                         decisions=f"{base}/decisions" if has_report else None,
                         review_csv=f"{base}/review.csv" if job.status in TERMINAL else None,
                         review_xlsx=f"{base}/review.xlsx" if job.status in TERMINAL else None)  # fmt: skip
        percent = 100.0 if job.status in REPORTED else (round(100.0 * done / total, 1) if total else 0.0)
        return JobResource(
            id=job.job_id, status=job.status, name=job.name, document_key=job.document_key.split("/", 1)[1],
            sha256=job.sha256, size=job.size, created_at=job.created_at,
            updated_at=job.transitions[-1].at if job.transitions else job.created_at, options=job.options,
            progress=Progress(segments_total=total, segments_done=done, segments_failed=failed, percent=percent),
            cost=Cost(estimated_usd=estimated, actual_usd=round(actual, 6)), warnings=warnings,
            error=job.error, review=review, links=links,
        )  # fmt: skip

    def _plan_facts(self, tenant: str, job: JobRecord) -> PlanFacts:
        if job.status in ("queued", "ingesting"):
            return 0, None, []
        key = keys.job_file(tenant, job.job_id, "plan.json")
        facts = self._plans.get(key)
        if facts is None:
            try:
                total = len(json.loads(self.store.get(key)).get("segments", []))
            except NotFound:
                return 0, None, []  # failed before planning
            estimated: float | None = None
            warnings: list[str] = []
            try:
                routes = json.loads(self.store.get(keys.job_file(tenant, job.job_id, "routes.json")))
                estimated = float(routes.get("estimated_usd", 0.0))
                warnings = [str(w) for w in routes.get("warnings", [])]
            except NotFound:
                pass
            facts = (total, estimated, warnings)
            with self._lock:
                self._plans.put(key, facts)
        return facts

    def _segment_facts(self, key: str) -> SegmentFacts:
        facts = self._segments.get(key)
        if facts is None:
            try:
                seg = SegmentAnalysis.model_validate_json(self.store.get(key))
            except (NotFound, ValueError):
                return 0, 0.0, None
            error = (
                f"segment {seg.segment} failed: {seg.error.code}"
                if seg.error and seg.status == "failed"
                else None
            )
            facts = (int(seg.status == "failed"), seg.usage.cost_usd, error)
            with self._lock:
                self._segments.put(key, facts)
        return facts

    def _report_cost(self, key: str, fallback: float) -> float:
        try:
            return float(json.loads(self.store.get(key))["summary"]["cost_usd"])
        except (NotFound, ValueError, KeyError, TypeError):
            return fallback

    @cached_property
    def quality(self) -> QualityMonitor | None:
        """Where reviewers' decisions are counted: the local runner's monitor (its jobs' rates
        live in this process), else one over Redis (the Celery executor's)."""
        ctx = getattr(self.runner, "ctx", None)
        return (
            ctx.models().quality
            if isinstance(ctx, StageContext)
            else QualityMonitor.from_settings(self.settings)
        )

    def note_review(self, tenant: str, job_id: str, key: str, decision: Decision) -> None:
        """Count a reviewer's decision against the model that produced the item (never fails it)."""
        try:
            report = Report.model_validate_json(self.store.get(key))
            profile = JobStore(self.store, tenant).load(job_id).options.profile
            decisions.count_review(self.quality, report, profile, decision)
        except (LongdocError, ValueError) as exc:
            log.warning("decision on %s/%s not counted for quality: %s", job_id, decision.rule, exc)

    def review_severities(self, key: str) -> dict[str, Severity] | None:
        """rule -> severity of the review in the report at ``key`` (None: a report without one)."""
        if key in self._reviews:
            return self._reviews[key]
        review = Report.model_validate_json(self.store.get(key)).review
        found = None if review is None else severities(review)
        with self._lock:
            self._reviews.put(key, found)
        return found

    def _signoff(self, tenant: str, job_id: str, key: str) -> SignoffCounts | None:
        try:
            items = self.review_severities(key)
        except (NotFound, ValueError):
            return None
        if items is None:
            return None
        # "{prefix}decisions/{rule}/{name}": the rules decided, from one listing.
        decided = {k.rsplit("/", 2)[-2] for k in self.store.list(keys.decisions_prefix(tenant, job_id))}
        return counts(items, decided, self.settings.review.signoff_severity)

    def release_hold(self, tenant: str, job_id: str, locks: Locks) -> JobRecord | None:
        """After a decision: a held job whose last item needing sign-off is decided succeeds.

        ``awaiting_review`` → ``succeeded`` (issue 19), once, under a lock every API process
        sees (two reviewers deciding the last two items at once both recount; one moves it).
        None when the job is not held or items are still open.
        """
        js = JobStore(self.store, tenant)
        if js.load(job_id).status != "awaiting_review":
            return None
        review = self._signoff(tenant, job_id, keys.job_file(tenant, job_id, "report.json"))
        if review is None or review.signoff_open:
            return None
        with locks.hold(f"signoff:{tenant}:{job_id}", ttl_s=30.0, wait_s=10.0) as mine:
            job = js.load(job_id)
            if not mine or job.status != "awaiting_review":
                return None
            job = job.moved("succeeded")
            js.save(job)
            telemetry.job_moved("awaiting_review", "succeeded")
        self.changed(tenant, job_id)  # the status cache; webhooks send job.succeeded
        return job

    # -- list ---------------------------------------------------------------------------
    def list(
        self, tenant: str, *, status: str | None, limit: int, cursor: str | None
    ) -> tuple[list[JobResource], str | None]:
        """Newest first (job ids sort by creation time); the cursor is the last id returned."""
        ids = [k.rsplit("/", 1)[1] for k in self.store.list(keys.job_index_prefix(tenant))]
        ids.sort(reverse=True)
        if cursor:
            ids = [i for i in ids if i < cursor]
        out: list[JobResource] = []
        last: str | None = None
        for scanned, job_id in enumerate(ids):
            if len(out) >= limit:
                return out, out[-1].id  # more ids remain
            if scanned >= MAX_SCAN:
                return out, last  # bounded work per request; the client pages on
            last = job_id
            try:
                res = self.resource(tenant, job_id)
            except ProblemError:
                continue  # index entry of a job being written or removed
            if status is None or res.status == status:
                out.append(res)
        return out, None

    # -- act ----------------------------------------------------------------------------
    def cancel(self, tenant: str, job_id: str) -> tuple[JobResource, bool]:
        job = self.load(tenant, job_id)
        accepted = job.status not in TERMINAL and self.runner.cancel(tenant, job_id)
        self.changed(tenant, job_id)
        return self.resource(tenant, job_id), accepted

    def erase(self, tenant: str, job_id: str, *, by: str) -> Tombstone:
        """Cancel the job if it runs, then erase it (404 for an id the tenant has no job of; an
        erased job erases again harmlessly)."""
        try:
            keys.check_part(job_id, "job id")
        except ValueError:
            raise not_found("job") from None
        try:
            tomb = erase_job(self.store, tenant, job_id, by=by,
                             cancel=lambda _job: self._cancel_quietly(tenant, job_id))  # fmt: skip
        except NotFound:
            raise not_found("job") from None
        self.changed(tenant, job_id)
        return tomb

    def _cancel_quietly(self, tenant: str, job_id: str) -> None:
        try:
            self.runner.cancel(tenant, job_id)
        except LongdocError as exc:  # e.g. Redis down: the tombstone stops the workers anyway
            log.warning("job %s/%s not canceled before its erase: %s", tenant, job_id, exc)

    def tombstone(self, tenant: str, job_id: str) -> Tombstone | None:
        return load_tombstone(self.store, tenant, job_id)

    def report_key(self, tenant: str, job_id: str, name: str) -> str:
        """The key of an existing report file; 409 while the job runs, and 409 ``no_report`` once
        it ended without one: the job is there, its state is why the report is not (404 is kept
        for a job that does not exist)."""
        res = self.resource(tenant, job_id)
        key = keys.job_file(tenant, job_id, "report.json")
        if res.status not in TERMINAL:
            raise ProblemError(409, "not_ready", f"the job is {res.status}; the report is not written yet",
                               headers={"Retry-After": "2"})  # fmt: skip
        if not self.store.exists(key):
            if self.store.exists(keys.tombstone(tenant, job_id)):  # erased since the resource was read
                raise gone("job")
            raise ProblemError(409, "no_report", f"the job ended {res.status} without a report")
        return keys.job_file(tenant, job_id, name)

    def close(self) -> None:
        self.runner.close()


def error_text(exc: LongdocError) -> str:
    return f"{exc.code}: {exc.message}"
