"""Shared fixtures: where ../shared/data is, a per-test Settings/storage, the session's own Redis."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pipeline.config import Settings, StorageConfig
from tests.redis_util import TEST_DB, flush, redis_server_url
from tests.s3server import S3Server, moto_missing, moto_server, unique_bucket

if TYPE_CHECKING:
    from minio import Minio

    from pipeline.cli.evaluation import Contract
    from pipeline.report.model import Report
    from storage.base import ObjectStore
    from storage.s3 import S3Store

ROOT = Path(__file__).resolve().parents[1]
# Whatever builds Settings() from the environment in this process (nothing does at import any
# more, but the CLI tests' entry points do) must never reach the machine's Redis on 6379: point
# the default at a closed port. Tests that use Redis pass their own server's URL explicitly.
os.environ.setdefault("LONGDOC_REDIS_URL", "redis://127.0.0.1:1/0")
SHARED_DATA = Path(os.environ.get("LONGDOC_SHARED_DATA", ROOT.parent / "shared" / "data"))
HAVE_SHARED = SHARED_DATA.is_dir()

needs_shared = pytest.mark.skipif(not HAVE_SHARED, reason="../shared/data is absent")


def pytest_configure(config: pytest.Config) -> None:
    """Compile the project's modules once, before any test starts a process.

    With PYTHONDONTWRITEBYTECODE set (as on this machine), an editable install is never
    compiled, so every CLI, server and worker process a test starts would compile every module
    it imports from source again (~0.4 CPU-s each); an installed package ships compiled.
    Only the xdist controller (or a plain run) compiles: workers find the files written.
    """
    if hasattr(config, "workerinput"):
        return
    import compileall

    for package in ("pipeline", "workers", "chunking", "storage"):
        compileall.compile_dir(ROOT / package, quiet=2, workers=0)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(storage=StorageConfig(dir=tmp_path / "store"))


@pytest.fixture(scope="session")
def redis_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server of this test session's own (never the machine's 6379)."""
    yield from redis_server_url(tmp_path_factory.mktemp("redis"))


@pytest.fixture(scope="module")
def redis_db(redis_base: str) -> Iterator[str]:
    """URL of the test database, flushed before and after the module (its worker shares it)."""
    url = f"{redis_base}/{TEST_DB}"
    flush(url)
    yield url
    flush(url)


# Fixtures shared by a module that are cheap to build again (a flush, an in-process runner, a
# spawned reader process): a slow test using them may still run apart from its module.
_CHEAP_SHARED = {"redis_db", "runner", "worker"}


def _runs_alone(item: pytest.Item) -> bool:
    if item.get_closest_marker("slow") is None:
        return False
    info = getattr(item, "_fixtureinfo", None)
    defs = info.name2fixturedefs.items() if info is not None else ()
    return not any(
        name not in _CHEAP_SHARED and d.scope in ("package", "module", "class")
        for name, ds in defs
        for d in ds
    )


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the xdist_group marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Order the run for the test workers (``-n 3 --dist loadgroup`` in pyproject.toml).

    Slow tests that share nothing expensive come first, each its own unit of work, so the
    workers start on the long ones and finish together on short ones; every other test stays
    with its module (one unit: its module-scoped servers and workers start once).
    """
    alone = [item for item in items if _runs_alone(item)]
    rest = [item for item in items if not _runs_alone(item)]
    for item in rest:
        item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
    items[:] = alone + rest


# S3 through moto's server and the minio SDK (test_storage, test_erase).
S3_PART = 5 * 1024 * 1024  # S3's minimum part size, so multipart kicks in with small test data


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """One moto server for the session; the s3 cases fail (not skip) when moto is missing."""
    missing = moto_missing()
    if missing:
        pytest.fail(missing, pytrace=False)
    with moto_server() as server:
        yield server


@pytest.fixture(scope="session")
def admin(s3_server: S3Server) -> Minio:
    """A plain minio client for checks and cleanup behind the store's back."""
    from minio import Minio

    return Minio(
        s3_server.endpoint,
        access_key=s3_server.access_key,
        secret_key=s3_server.secret_key,
        secure=False,
        region=s3_server.region,
    )


def drop_bucket(admin: Minio, bucket: str) -> None:
    if not admin.bucket_exists(bucket):
        return
    for obj in admin.list_objects(bucket, recursive=True):
        admin.remove_object(bucket, str(obj.object_name))
    admin.remove_bucket(bucket)


@pytest.fixture
def make_s3(s3_server: S3Server, admin: Minio) -> Iterator[Callable[..., S3Store]]:
    """``make_s3(**kwargs)`` builds an S3Store on a fresh bucket; all are dropped after the test."""
    buckets: list[str] = []

    def make(**kwargs: object) -> S3Store:
        args: dict[str, object] = {
            "endpoint": s3_server.endpoint,
            "access_key": s3_server.access_key,
            "secret_key": s3_server.secret_key,
            "bucket": unique_bucket(),
            "part_size": S3_PART,
        }
        args.update(kwargs)
        buckets.append(str(args["bucket"]))
        from storage.s3 import S3Store

        return S3Store(**args)  # type: ignore[arg-type]

    yield make
    for bucket in buckets:
        drop_bucket(admin, bucket)


@pytest.fixture(params=["local", "s3"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    """An empty object store: a local folder, then a bucket on moto's S3 server (started lazily,
    so ``-k local`` runs never start moto)."""
    if request.param == "local":
        from storage.local import LocalStore

        return LocalStore(tmp_path / "objects")
    make: Callable[..., S3Store] = request.getfixturevalue("make_s3")
    return make()


# ---- review (tests/test_review.py) ------------------------------------------------------------

# A playbook whose verdicts on tests/planted.py are known: the contract lets either party
# terminate for convenience on 30 days' notice, names both Delaware and New York law, and has no
# assignment, non-compete or renewal clause.
REVIEW_PLAYBOOK = """\
name: planted
rules:
  - id: law-stated
    category: Governing Law
    kind: required
    severity: low
    guidance: A governing law clause.
  - id: law-allowed
    category: Governing Law
    kind: expected
    term: governing_law
    allowed: [Delaware, New York]
    severity: medium
    guidance: Delaware or New York law.
  - id: tfc-notice
    category: Termination For Convenience
    kind: expected
    term: termination_notice
    min_days: 60
    severity: high
    guidance: At least 60 days' notice.
  - id: no-non-compete
    category: Non-Compete
    kind: prohibited
    severity: high
    guidance: No non-compete.
  - id: assignment
    category: Anti-Assignment
    kind: required
    severity: medium
    guidance: Assignment needs consent.
"""


@pytest.fixture(scope="module")
def planted_review(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Report]:
    """The planted contract through the real pipeline (several segments) with REVIEW_PLAYBOOK."""
    from pipeline.analyze.playbook import parse_playbook
    from pipeline.config import SegmentConfig
    from pipeline.jobs.stages import StageContext
    from pipeline.jobs.store import JobStore
    from storage.local import LocalStore
    from tests.planted import planted_contract
    from workers.local import LocalExecutor

    tmp = tmp_path_factory.mktemp("review")
    text = planted_contract()
    settings = Settings(
        storage=StorageConfig(dir=tmp),
        segment=SegmentConfig(threshold_tokens=1500, min_tokens=400, max_tokens=800),
    )
    ctx = StageContext(settings=settings, store=LocalStore(tmp))
    playbook = parse_playbook(REVIEW_PLAYBOOK, "planted.yaml")
    job = JobStore(ctx.store, "t").create(text.encode(), "planted.txt", ext="txt", playbook=playbook)
    executor = LocalExecutor(ctx, workers=2)
    try:
        record, report = executor.run("t", job.job_id)
    finally:
        executor.close()
    assert record.status == "succeeded" and report is not None, record.error
    return text, report


@pytest.fixture(scope="module")
def cuad_sample() -> list[Contract]:
    """Every 8th CUAD dev contract (29 of 229): enough for the missing-clause precision check."""
    from pipeline.cli.evaluation import load_folder

    return load_folder(SHARED_DATA / "cuad-dev")[::8]


@pytest.fixture
def keys_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The simulator's provider API keys in the environment (the LLM tests' providers read them)."""
    from tests.llm_helpers import KEYS

    for k, v in KEYS.items():
        monkeypatch.setenv(k, v)
    yield
