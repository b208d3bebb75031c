"""Reviewers' decisions in storage (issue 16): per tenant, last write wins, every write kept."""

from __future__ import annotations

import threading

from pipeline.jobs import decisions
from pipeline.report.model import Decision
from storage.base import ObjectStore


def _d(action: str, by: str, value: str | None = None) -> Decision:
    return Decision.model_validate(
        {"rule": "governing-law", "action": action, "value": value, "by": by, "at": ""}
    )


def test_two_tenants_see_only_their_own(any_store: ObjectStore) -> None:
    decisions.record(any_store, "acme", "job1", _d("accept", "k-acme"))
    decisions.record(any_store, "globex", "job1", _d("reject", "k-globex"))
    assert [d.by for d in decisions.history(any_store, "acme", "job1")] == ["k-acme"]
    assert decisions.current(any_store, "globex", "job1")["governing-law"].action == "reject"
    assert decisions.current(any_store, "acme", "job2") == {}


def test_concurrent_edits_keep_the_last_write_and_both_lines(any_store: ObjectStore) -> None:
    start = threading.Barrier(2)

    def edit(who: str) -> None:
        start.wait()
        decisions.record(any_store, "acme", "job1", _d("edit", who, value=f"{who} law"))

    threads = [threading.Thread(target=edit, args=(w,)) for w in ("alice", "bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    trail = decisions.history(any_store, "acme", "job1", "governing-law")
    assert sorted(d.by for d in trail) == ["alice", "bob"]  # both audit lines
    now = decisions.current(any_store, "acme", "job1")["governing-law"]
    assert now == trail[-1] and now.value == f"{now.by} law"  # the later one wins, whole
    later = decisions.record(any_store, "acme", "job1", _d("accept", "carol"))
    assert decisions.current(any_store, "acme", "job1")["governing-law"] == later
