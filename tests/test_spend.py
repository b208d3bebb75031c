"""Daily spend cap per tenant in a real Redis: alerts once per threshold, then only rules and
self-hosted models run."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import pytest
import redis

from pipeline.analyze.registry import ModelRegistry
from pipeline.config import Settings
from pipeline.jobs.routes import plan_routes
from pipeline.jobs.store import DocumentText, JobOptions
from pipeline.routing.catalog import load_catalog
from pipeline.routing.spend import RESERVATION_MAX_AGE_S, SpendGuard
from pipeline.types import ExtractedText, PageSpan, Segment, SegmentPlan


def test_alerts_fire_once_per_threshold_and_the_cap_blocks_hosted_models(redis_db: str) -> None:  # noqa: F811
    client = redis.Redis.from_url(redis_db)
    guard = SpendGuard(client, "acme", 10.0, prefix=f"test-{uuid.uuid4().hex}")  # type: ignore[arg-type]
    assert guard.record(5.0) == []
    alerts = guard.record(2.6)  # 7.6 → 75%
    assert len(alerts) == 1 and "75%" in alerts[0]
    assert guard.record(0.1) == []  # still 77%: no repeat
    alerts = guard.record(2.0)  # 9.7 → 90%
    assert len(alerts) == 1 and "90%" in alerts[0]
    assert not guard.exhausted()
    alerts = guard.record(0.5)  # 10.2 → 100%
    assert len(alerts) == 1 and "100%" in alerts[0] and "self-hosted" in alerts[0]
    assert guard.exhausted()
    assert abs(guard.spent() - 10.2) < 1e-9

    # With the cap reached, a job asking for the router gets only rules (no self-hosted endpoint here).
    catalog = load_catalog()
    registry = ModelRegistry(
        catalog=catalog, unavailable=catalog.unavailable({"OPENAI_API_KEY": "k", "MOONSHOT_API_KEY": "k"})
    )
    text = "1. Term. This Agreement shall be governed by the laws of the State of New York.\n" * 50
    doc = DocumentText(
        extracted=ExtractedText(text=text, pages=[PageSpan(number=1, start=0, end=len(text))],
                                media_type="text/plain", backend="t"),
        sections=[], kind="contract",
    )  # fmt: skip
    plan = SegmentPlan(
        total_tokens=900, total_chars=len(text), threshold_tokens=150_000, min_tokens=60_000, max_tokens=100_000,
        segments=[Segment(index=0, char_start=0, char_end=len(text), token_start=0, token_end=900, tokens=900,
                          page_first=1, page_last=1)],
    )  # fmt: skip
    open_routes = plan_routes(doc, plan, JobOptions(model="auto"), registry, Settings())
    assert open_routes.decisions[0].model != "rules"
    capped = plan_routes(doc, plan, JobOptions(model="auto"), registry, Settings(), spend=guard)
    assert capped.decisions[0].model == "rules"
    assert any("daily spend cap" in w for w in capped.warnings)
    client.close()


def test_reservations_hold_room_shrink_as_spent_and_lapse(redis_db: str) -> None:  # noqa: F811
    client = redis.Redis.from_url(redis_db)
    prefix = f"test-{uuid.uuid4().hex}"
    guard = SpendGuard(client, "acme", 10.0, prefix=prefix)  # type: ignore[arg-type]
    try:
        assert guard.reserve("job-a", 6.0) == (True, 0.0)
        assert guard.reserve("job-b", 5.0) == (False, 6.0)  # 6 held + 5 > 10
        assert guard.reserve("job-a", 7.0) == (True, 0.0)  # a job re-planning replaces its own
        guard.record(3.0, "job-a")  # spent 3, job-a still holds 4
        fits, committed = guard.reserve("job-b", 3.0)  # 3 spent + 4 held + 3 = 10
        assert fits and committed == pytest.approx(7.0)
        guard.release("job-a")
        guard.release("job-b")
        assert guard.reserve("job-c", 7.0) == (True, pytest.approx(3.0))
        # A reservation older than the maximum age (its job died) no longer holds room.
        key = f"{prefix}:spend:acme:{datetime.now(UTC):%Y-%m-%d}:reserved"
        client.hset(key, "job-c", f"7.0|{time.time() - RESERVATION_MAX_AGE_S - 1}")
        assert guard.reserve("job-d", 7.0) == (True, pytest.approx(3.0))
        assert set(client.hkeys(key)) == {b"job-d"}
    finally:
        for k in client.scan_iter(match=f"{prefix}:*"):
            client.delete(k)
        client.close()
