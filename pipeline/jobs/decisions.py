"""Reviewers' decisions on review items (issue 16): accept, reject or edit, with a comment.

Every write is its own object under the job's folder
(``{tenant}/jobs/{id}/decisions/{rule}/{at}-{nonce}.json``), so nothing is overwritten:
concurrent edits of one item both stay (the audit trail) and the current decision is the
latest by (time, nonce) — last write wins, with no lock and no read-modify-write race.
They live in the job's folder, so erasing the job erases them; they are in storage, so they
survive a restart and every API replica sees them.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from pipeline.report.model import Decision, Report
from pipeline.routing.quality import QualityMonitor
from storage import keys
from storage.base import ObjectStore

_clock = threading.Lock()
_last = datetime.min.replace(tzinfo=UTC)


def _stamp(at: datetime) -> str:
    return at.strftime("%Y%m%dT%H%M%S%fZ")


def _now() -> datetime:
    """UTC now, strictly increasing within this process (two writes in one microsecond would
    otherwise be ordered by their random nonce, not by who came last)."""
    global _last
    with _clock:
        _last = max(datetime.now(UTC), _last + timedelta(microseconds=1))
        return _last


def record(store: ObjectStore, tenant: str, job_id: str, decision: Decision) -> Decision:
    """Store one decision (``at`` is set here, in UTC, when empty) and return it as stored."""
    at = _now()
    d = decision if decision.at else decision.model_copy(update={"at": at.isoformat(timespec="microseconds")})
    name = f"{_stamp(datetime.fromisoformat(d.at))}-{secrets.token_hex(4)}.json"
    store.put_json(keys.decision(tenant, job_id, d.rule, name), d)
    return d


def history(store: ObjectStore, tenant: str, job_id: str, rule: str | None = None) -> list[Decision]:
    """Every decision recorded (of one rule, or all), oldest first."""
    names = sorted(
        store.list(keys.decisions_prefix(tenant, job_id, rule)), key=lambda k: (k.rsplit("/", 1)[-1], k)
    )
    return [Decision.model_validate(store.get_json(k)) for k in names]


def current(store: ObjectStore, tenant: str, job_id: str) -> dict[str, Decision]:
    """The latest decision per rule."""
    out: dict[str, Decision] = {}
    for d in history(store, tenant, job_id):
        out[d.rule] = d  # oldest first: the last one wins
    return out


def with_decisions(report: Report, decisions: dict[str, Decision]) -> Report:
    """The report with each review item's current decision attached (a copy)."""
    if report.review is None or not decisions:
        return report
    items = [i.model_copy(update={"decision": decisions.get(i.rule)}) for i in report.review.items]
    return report.model_copy(update={"review": report.review.model_copy(update={"items": items})})


def rules_of(report: Report) -> Iterable[str]:
    return [] if report.review is None else [i.rule for i in report.review.items]


def producing_model(report: Report, rule: str) -> str | None:
    """The LLM that produced a review item: the model of the segment holding its first evidence
    (None: no evidence to place, or the rules model)."""
    item = next((i for i in report.review.items if i.rule == rule), None) if report.review else None
    if item is None or not item.evidence:
        return None
    at = item.evidence[0].start
    seg = next((s for s in report.segments if s.char_start <= at < s.char_end), None)
    return seg.model if seg is not None and seg.model != "rules" else None


def count_review(
    monitor: QualityMonitor | None, report: Report, profile: str, decision: Decision
) -> str | None:
    """Count ``decision`` against the model that produced its item (issue 19); that model, if any."""
    model = producing_model(report, decision.rule)
    if monitor is not None and model is not None:
        monitor.record_review(model, profile, decision.action)
    return model
