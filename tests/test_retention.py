"""Retention (issue 15 item 2): jobs older than a tenant's rule are erased through ``erase_job``
(tombstone kept), by ``purge``, by the sweep the serve thread and the beat task run, and by
``longdoc purge --older-than AGE [--dry-run]``."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from pipeline.config import RetentionConfig, Settings, StorageConfig
from pipeline.jobs.erase import load_tombstone
from pipeline.jobs.retention import parse_duration, purge, sweep
from pipeline.jobs.stages import StageContext
from pipeline.jobs.store import JobStore
from storage import keys
from storage.base import ObjectStore
from storage.local import LocalStore
from tests.api_helpers import api, contract, make_settings
from tests.waiting import wait_for
from workers.local import LocalExecutor

ROOT = Path(__file__).resolve().parents[1]
AGES = (10, 29, 31)  # days, under a 30-day rule: only the 31-day job goes


def _aged_jobs(
    store: ObjectStore, tenant: str, now: datetime, *, run: tuple[int, ...] = ()
) -> dict[int, str]:
    """One job per age in ``AGES`` (each its own document), created through ``JobStore`` dated
    that many days before ``now``; those aged as in ``run`` are then analyzed to the end by the
    local executor (so they have text, plan, segments and reports to erase). age -> job id."""
    js = JobStore(store, tenant)
    ids = {
        age: js.create(contract(party_a=f"{tenant.title()} {age} Corp."), f"{age}d.txt", ext="txt",
                       created_at=now - timedelta(days=age)).job_id
        for age in AGES
    }  # fmt: skip
    if run:
        executor = LocalExecutor(
            StageContext(Settings(storage=StorageConfig(dir=Path("unused"))), store), workers=2
        )
        try:
            for age in run:
                job, _ = executor.run(tenant, ids[age])
                assert job.status == "succeeded", job
        finally:
            executor.close()
    return ids


def _job_objects(store: ObjectStore, tenant: str, job_id: str) -> list[str]:
    return sorted(store.list(keys.job_prefix(tenant, job_id)))


def _tenant_objects(store: ObjectStore, tenant: str) -> list[str]:
    return sorted(store.list(f"{tenant}/"))


def test_purge_erases_only_the_jobs_past_the_rule(any_store: ObjectStore) -> None:
    store, now = any_store, datetime.now(UTC)
    ids = _aged_jobs(store, "acme", now, run=(29, 31))  # the two either side of the rule, full jobs
    kept = {age: _job_objects(store, "acme", ids[age]) for age in (10, 29)}
    old = ids[31]
    old_doc = JobStore(store, "acme").load(old).document_key
    assert len(_job_objects(store, "acme", old)) >= 5  # job, text, plan, segment, reports

    result = purge(store, "acme", timedelta(days=30), now=now)

    assert result.ids == [old] and result.count == 1
    # 0 objects of it left but its tombstone: folder, index entry and uploaded document gone.
    assert _job_objects(store, "acme", old) == [keys.tombstone("acme", old)]
    assert not store.exists(keys.job_index("acme", old)) and not store.exists(old_doc)
    tomb = load_tombstone(store, "acme", old)
    assert tomb is not None and tomb.deleted_by == "retention" and tomb.status == "succeeded"
    for age, objects in kept.items():
        assert _job_objects(store, "acme", ids[age]) == objects, age
    # A second pass finds nothing (the erased job is out of the index and has its tombstone).
    assert purge(store, "acme", timedelta(days=30), now=now).count == 0


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LONGDOC_STORAGE": "local", "LONGDOC_STORAGE_DIR": str(tmp_path / "store"),
           "LONGDOC_TENANT": "acme"}  # fmt: skip
    return subprocess.run([sys.executable, "-m", "pipeline.cli.main", "purge", *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=30)  # fmt: skip


def test_cli_dry_run_lists_without_erasing_then_purge_erases(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    ids = _aged_jobs(store, "acme", datetime.now(UTC))
    before = _tenant_objects(store, "acme")

    dry = _cli(tmp_path, "--older-than", "30d", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    lines = dry.stdout.splitlines()
    assert lines[0].startswith(f"would erase acme/{ids[31]} ") and len(lines) == 2
    assert lines[1] == "1 job(s) of tenant acme older than 30d would be erased (dry run)"
    assert _tenant_objects(store, "acme") == before  # nothing erased

    real = _cli(tmp_path, "--older-than", "30d")
    assert real.returncode == 0, real.stderr
    assert real.stdout.splitlines() == [dry.stdout.splitlines()[0].replace("would erase", "erased", 1),
                                        "1 job(s) of tenant acme older than 30d erased"]  # fmt: skip
    assert _job_objects(store, "acme", ids[31]) == [keys.tombstone("acme", ids[31])]
    assert all(store.exists(keys.job_file("acme", ids[a], "job.json")) for a in (10, 29))


def test_a_bad_older_than_is_a_one_line_usage_error(tmp_path: Path) -> None:
    proc = _cli(tmp_path, "--older-than", "30x")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "longdoc purge: error: invalid duration '30x': use a whole number and d, h or m (e.g. 30d, 12h, 90m)"
    ]
    for bad in ("", "30", "d", "-1d", "1.5d", "0h", "99999999d", "3w"):
        with pytest.raises(ValueError, match="invalid duration"):
            parse_duration(bad)
    assert [parse_duration(t) for t in ("30d", "12h", "90m", " 7d ")] == [
        timedelta(days=30),
        timedelta(hours=12),
        timedelta(minutes=90),
        timedelta(days=7),
    ]


def test_the_sweep_erases_per_configured_tenant_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The function the serve thread and the beat task call: acme has a rule, globex none."""
    store, now = LocalStore(tmp_path / "store"), datetime.now(UTC)
    acme = _aged_jobs(store, "acme", now)
    globex = _aged_jobs(store, "globex", now)
    globex_before = _tenant_objects(store, "globex")

    results = sweep(store, RetentionConfig(days={"acme": 30}), now=now)

    assert [(r.tenant, r.ids) for r in results] == [("acme", [acme[31]])]
    assert _job_objects(store, "acme", acme[31]) == [keys.tombstone("acme", acme[31])]
    assert _tenant_objects(store, "globex") == globex_before  # no rule: keeps everything
    assert set(globex) == set(AGES)

    # The beat task runs the same sweep with the worker's settings and its schedule is in the app.
    import workers.tasks as tasks
    from workers.celery_app import RETENTION, make_app

    settings = Settings(storage=StorageConfig(dir=tmp_path / "store"),
                        retention=RetentionConfig(days={"globex": 30}, sweep_interval_s=120))  # fmt: skip
    monkeypatch.setattr(
        tasks, "runtime", lambda: SimpleNamespace(settings=settings, ctx=SimpleNamespace(store=store))
    )
    assert tasks.retention_sweep.run() == {"globex": [globex[31]]}
    entry = make_app(settings).conf.beat_schedule["retention-sweep"]
    assert entry["task"] == RETENTION and entry["schedule"] == 120


def test_serve_sweeps_in_the_background_with_the_local_executor(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, retention={"days": {"acme": 30}})
    store = LocalStore(settings.storage.dir)
    acme = _aged_jobs(store, "acme", datetime.now(UTC))
    globex = _aged_jobs(store, "globex", datetime.now(UTC))
    with api(settings) as client:
        sweeper = client.app.state.retention  # type: ignore[attr-defined]
        wait_for(lambda: sweeper.passes >= 1, timeout_s=10, what="the first retention sweep")
    assert load_tombstone(store, "acme", acme[31]) is not None
    assert [a for a in AGES if load_tombstone(store, "acme", acme[a])] == [31]
    assert not any(load_tombstone(store, "globex", j) for j in globex.values())
