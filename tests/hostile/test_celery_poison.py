"""Issue 12, finding 2 on Celery: a segment whose worker is killed on every run is not redelivered for ever.

The broker redelivers a task whose worker process died (acks_late + reject_on_worker_lost):
without a count, a segment that kills its worker (OOM, a native abort) loops for good and the
job never ends. After ``job_max_attempts`` such runs the segment is written as failed with code
``poisoned``, the others are analyzed, and the job reaches a terminal status.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from pipeline.jobs.store import JobStore
from pipeline.report.model import Report
from storage import keys
from storage.local import LocalStore
from tests.planted import planted_contract
from tests.redis_util import CeleryWorker, settings_from_env, worker_env
from tests.waiting import wait_for
from workers.celery_executor import CeleryExecutor

pytestmark = pytest.mark.slow

TENANT = "t"
KNOBS = {"segment_threshold_tokens": 1500, "segment_min_tokens": 400, "segment_max_tokens": 800,
         "task_soft_time_limit_s": 60, "task_time_limit_s": 90,
         "broker_visibility_timeout_s": 300, "job_stall_timeout_s": 600, "job_requeue_after_s": 120}  # fmt: skip


def test_a_segment_killing_its_worker_every_time_is_poisoned(redis_db: str, tmp_path: Path) -> None:
    # Every model call waits while the hold file exists: a run of segment 0 is surely inside its
    # call when killed, whatever the machine's load; the file goes once three runs are killed.
    hold = tmp_path / "hold"
    hold.touch()
    knobs = {**KNOBS, "rules_hold_path": hold}
    settings = settings_from_env(worker_env(redis_db, tmp_path / "store", executor_poll_s=0.2, **knobs))
    store = LocalStore(settings.storage.dir)
    js = JobStore(store, TENANT)
    env = worker_env(redis_db, settings.storage.dir, **knobs)
    with CeleryWorker(env, tmp_path / "worker.log", concurrency=8) as worker:
        executor = CeleryExecutor(settings, store)
        try:
            job_id = js.create(planted_contract().encode(), "poison.txt", ext="txt").job_id
            executor.submit(TENANT, job_id)
            prefix = keys.job_prefix(TENANT, job_id) + "audit/segment-00000-"
            killed: set[int] = set()

            def killed_enough() -> bool:
                # Kill every run of segment 0 as soon as its model call has begun, three times.
                for key in store.list(prefix):
                    pid = int(json.loads(store.get(key))["pid"])
                    if pid not in killed and pid in worker.children():
                        os.kill(pid, signal.SIGKILL)
                        killed.add(pid)
                return len(killed) >= settings.execution.job_max_attempts

            wait_for(killed_enough, 120, "three runs of segment 0 to be killed")
            hold.unlink()  # the other segments' calls (held meanwhile) answer now
            # The job ends with segment 0 failed as poisoned.
            final = executor.wait(TENANT, job_id, timeout_s=120)
        finally:
            executor.close()
    assert final.status == "succeeded", final.error
    report = Report.model_validate_json(store.get(keys.job_file(TENANT, job_id, "report.json")))
    by_index = {s.index: s for s in report.segments}
    assert by_index[0].status == "failed"
    assert by_index[0].error is not None and by_index[0].error.code == "poisoned"
    assert all(s.status != "failed" for i, s in by_index.items() if i != 0)
    # Three runs killed, and no fourth model call for segment 0.
    assert len(list(store.list(prefix))) == settings.execution.job_max_attempts
