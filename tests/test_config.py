"""Typed config (pipeline/config.py): every documented LONGDOC_* name still sets its field, a
group can be built alone, bad values are refused with a message naming them, and settings are
built only by entry points (never at import, never as a library's fallback)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from operator import attrgetter
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, SecretStr, ValidationError
from pydantic_settings import BaseSettings

import pipeline.config as config
from pipeline.config import (
    ExecutionConfig,
    LimitsConfig,
    S3Config,
    SegmentConfig,
    Settings,
    StorageConfig,
)

ROOT = Path(__file__).resolve().parents[1]

# env name -> path under Settings -> value in the environment -> the value the field gets.
# Values differ from the defaults and keep the groups' cross-field rules (segment bounds,
# Celery time limits) satisfied with every other field at its default.
ENV_TABLE: list[tuple[str, str, str, Any]] = [
    ("LONGDOC_MAX_DOCUMENT_BYTES", "limits.max_document_bytes", "1234", 1234),
    ("LONGDOC_PDF_BACKEND", "limits.pdf_backend", "pypdf", "pypdf"),
    ("LONGDOC_OCR_ENABLED", "limits.ocr.enabled", "false", False),
    ("LONGDOC_OCR_DPI", "limits.ocr.dpi", "300", 300),
    ("LONGDOC_OCR_LANGUAGES", "limits.ocr.languages", "eng+fra", "eng+fra"),
    ("LONGDOC_OCR_MAX_PIXELS", "limits.ocr.max_pixels", "4000000", 4_000_000),
    ("LONGDOC_OCR_PAGE_TIMEOUT_S", "limits.ocr.page_timeout_s", "30", 30.0),
    ("LONGDOC_DOCX_MAX_UNCOMPRESSED_BYTES", "limits.docx_max_uncompressed_bytes", "4096", 4096),
    ("LONGDOC_DOCX_MAX_COMPRESSION_RATIO", "limits.docx_max_compression_ratio", "50.5", 50.5),
    ("LONGDOC_MAX_TEXT_CHARS", "limits.max_text_chars", "777", 777),
    ("LONGDOC_MAX_DOCUMENT_TOKENS", "limits.max_document_tokens", "888", 888),
    ("LONGDOC_MAX_RUN_CHARS", "limits.max_run_chars", "999", 999),
    ("LONGDOC_DOCX_MAX_PARAGRAPHS", "limits.docx_max_paragraphs", "55", 55),
    ("LONGDOC_DOCX_MAX_LIST_DEPTH", "limits.docx_max_list_depth", "4", 4),
    ("LONGDOC_DOCX_MAX_NUMBERING_VALUE", "limits.docx_max_numbering_value", "99", 99),
    ("LONGDOC_SEGMENT_THRESHOLD_TOKENS", "segment.threshold_tokens", "200000", 200_000),
    ("LONGDOC_SEGMENT_MIN_TOKENS", "segment.min_tokens", "50000", 50_000),
    ("LONGDOC_SEGMENT_MAX_TOKENS", "segment.max_tokens", "90000", 90_000),
    ("LONGDOC_STORAGE", "storage.kind", "s3", "s3"),
    ("LONGDOC_STORAGE_DIR", "storage.dir", "/srv/longdoc", Path("/srv/longdoc")),
    ("LONGDOC_TENANT", "storage.tenant", "acme", "acme"),
    ("LONGDOC_S3_ENDPOINT", "storage.s3.endpoint", "s3.example:443", "s3.example:443"),
    ("LONGDOC_S3_ACCESS_KEY", "storage.s3.access_key", "AKIA-x", SecretStr("AKIA-x")),
    ("LONGDOC_S3_SECRET_KEY", "storage.s3.secret_key", "shh", SecretStr("shh")),
    ("LONGDOC_S3_BUCKET", "storage.s3.bucket", "docs", "docs"),
    ("LONGDOC_S3_REGION", "storage.s3.region", "eu-west-1", "eu-west-1"),
    ("LONGDOC_S3_SECURE", "storage.s3.secure", "true", True),
    ("LONGDOC_S3_SSE", "storage.s3.sse", "kms", "kms"),
    ("LONGDOC_S3_KMS_KEY_ID", "storage.s3.kms_key_id", "arn:aws:kms:k", "arn:aws:kms:k"),
    ("LONGDOC_S3_KMS_CONTEXT", "storage.s3.kms_context", '{"app": "longdoc"}', {"app": "longdoc"}),
    ("LONGDOC_S3_PART_SIZE", "storage.s3.part_size", str(8 * 1024 * 1024), 8 * 1024 * 1024),
    ("LONGDOC_PRESIGN_EXPIRY_S", "storage.s3.presign_expiry_s", "600", 600),
    ("LONGDOC_S3_PRESIGN_EXPIRY_S", "storage.s3.presign_expiry_s", "700", 700),
    ("LONGDOC_REDIS_URL", "redis.url", "redis://cache:6380/2", "redis://cache:6380/2"),
    ("LONGDOC_EXECUTOR", "execution.executor", "celery", "celery"),
    ("LONGDOC_WORKERS", "execution.workers", "7", 7),
    ("LONGDOC_RULES_LATENCY_S", "execution.rules_latency_s", "0.5", 0.5),
    ("LONGDOC_RULES_HOLD_PATH", "execution.rules_hold_path", "/tmp/hold", Path("/tmp/hold")),
    ("LONGDOC_TASK_SOFT_TIME_LIMIT_S", "execution.task_soft_time_limit_s", "500", 500),
    ("LONGDOC_TASK_TIME_LIMIT_S", "execution.task_time_limit_s", "700", 700),
    ("LONGDOC_BROKER_VISIBILITY_TIMEOUT_S", "execution.broker_visibility_timeout_s", "4000", 4000),
    ("LONGDOC_RESULT_EXPIRES_S", "execution.result_expires_s", "3600", 3600),
    ("LONGDOC_TASK_MAX_RETRIES", "execution.task_max_retries", "2", 2),
    ("LONGDOC_SEGMENT_CLAIM_WAIT_S", "execution.segment_claim_wait_s", "0.25", 0.25),
    ("LONGDOC_JOB_REQUEUE_AFTER_S", "execution.job_requeue_after_s", "60", 60),
    ("LONGDOC_JOB_STALL_TIMEOUT_S", "execution.job_stall_timeout_s", "2000", 2000),
    ("LONGDOC_JOB_QUEUE_TIMEOUT_S", "execution.job_queue_timeout_s", "100", 100),
    ("LONGDOC_WATCHDOG_INTERVAL_S", "execution.watchdog_interval_s", "5", 5.0),
    ("LONGDOC_JOB_MAX_ATTEMPTS", "execution.job_max_attempts", "9", 9),
    ("LONGDOC_EXECUTOR_POLL_S", "execution.executor_poll_s", "0.1", 0.1),
    ("LONGDOC_CATALOG_PATH", "routing.catalog_path", "/etc/models.json", Path("/etc/models.json")),
    ("LONGDOC_CATALOG_OVERRIDES", "routing.catalog_overrides", "/etc/more.json", Path("/etc/more.json")),
    ("LONGDOC_LLM_BASE_URL", "routing.llm_base_url", "http://gw/v1", "http://gw/v1"),
    ("LONGDOC_LLM_TIMEOUT_S", "routing.llm_timeout_s", "3", 3.0),
    ("LONGDOC_LLM_MAX_ATTEMPTS", "routing.llm_max_attempts", "2", 2),
    ("LONGDOC_LLM_BACKOFF_BASE_S", "routing.llm_backoff_base_s", "0.1", 0.1),
    ("LONGDOC_CIRCUIT_THRESHOLD", "routing.circuit_threshold", "3", 3),
    ("LONGDOC_CIRCUIT_COOLDOWN_S", "routing.circuit_cooldown_s", "1.5", 1.5),
    ("LONGDOC_OUTPUT_RESERVE_TOKENS", "routing.output_reserve_tokens", "1024", 1024),
    ("LONGDOC_PREAMBLE_TOKENS", "routing.preamble_tokens", "100", 100),
    ("LONGDOC_AUDIT_REDACT", "routing.audit_redact", "1", True),
    ("LONGDOC_DAILY_CAP_USD", "routing.daily_cap_usd", "12.5", 12.5),
    ("LONGDOC_API_KEYS", "api.keys", '{"abc": "acme"}', {"abc": "acme"}),
    ("LONGDOC_API_KEYS_FILE", "api.keys_file", "/etc/keys.json", Path("/etc/keys.json")),
    ("LONGDOC_API_JOB_WORKERS", "api.job_workers", "5", 5),
    ("LONGDOC_API_STATUS_CACHE_S", "api.status_cache_s", "0", 0.0),
    ("LONGDOC_API_FINISHED_CACHE_S", "api.finished_cache_s", "2.5", 2.5),
    ("LONGDOC_API_MAX_BATCH_FILES", "api.max_batch_files", "10", 10),
    ("LONGDOC_API_MAX_BATCH_BYTES", "api.max_batch_bytes", "2048", 2048),
    ("LONGDOC_API_URL", "api.url", "http://api:8000", "http://api:8000"),
    ("LONGDOC_API_KEY", "api.key", "ld_x", SecretStr("ld_x")),
    ("LONGDOC_WEBHOOK_SECRETS", "webhook.secrets", '{"acme": "s"}', {"acme": SecretStr("s")}),
    ("LONGDOC_WEBHOOK_MAX_ATTEMPTS", "webhook.max_attempts", "2", 2),
    ("LONGDOC_WEBHOOK_BACKOFF_S", "webhook.backoff_s", "0.5", 0.5),
    ("LONGDOC_WEBHOOK_TIMEOUT_S", "webhook.timeout_s", "2", 2.0),
    ("LONGDOC_WEBHOOK_POLL_S", "webhook.poll_s", "0.2", 0.2),
    ("LONGDOC_WEBHOOK_ALLOW_PRIVATE", "webhook.allow_private", "true", True),
    ("LONGDOC_RETENTION_DAYS", "retention.days", '{"acme": 30}', {"acme": 30}),
    ("LONGDOC_RETENTION_SWEEP_INTERVAL_S", "retention.sweep_interval_s", "60", 60.0),
    ("LONGDOC_REVIEW_SIGNOFF_SEVERITY", "review.signoff_severity", "medium", "medium"),
    ("LONGDOC_SHADOW_CANDIDATE", "shadow.candidate", "gpt-5.1-instant", "gpt-5.1-instant"),
    ("LONGDOC_SHADOW_SHARE", "shadow.share", "0.5", 0.5),
    ("LONGDOC_SHADOW_CAP_USD", "shadow.cap_usd", "2.5", 2.5),
    ("LONGDOC_SHADOW_WORKERS", "shadow.workers", "3", 3),
    ("LONGDOC_SHADOW_MAX_PENDING", "shadow.max_pending", "10", 10),
    ("LONGDOC_SHADOW_LEDGER", "shadow.ledger", "redis", "redis"),
    ("LONGDOC_REVIEW_HOLD_ERROR_COST_USD", "review.hold_error_cost_usd", "5000", 5000.0),
    ("LONGDOC_METRICS_ENABLED", "metrics.enabled", "false", False),
    ("LONGDOC_METRICS_DIR", "metrics.dir", "/srv/longdoc-metrics", Path("/srv/longdoc-metrics")),
    ("LONGDOC_METRICS_WORKER_PORT", "metrics.worker_port", "9101", 9101),
    ("LONGDOC_QUALITY_ENABLED", "quality.enabled", "false", False),
    ("LONGDOC_QUALITY_BACKEND", "quality.backend", "redis", "redis"),
    ("LONGDOC_QUALITY_WINDOW", "quality.window", "30", 30),
    ("LONGDOC_QUALITY_MIN_SAMPLES", "quality.min_samples", "10", 10),
    ("LONGDOC_QUALITY_BASELINE", "quality.baseline", "0.9", 0.9),
    ("LONGDOC_QUALITY_BASELINES", "quality.baselines", '{"kimi": 0.8}', {"kimi": 0.8}),
    ("LONGDOC_QUALITY_ALERT_DROP", "quality.alert_drop", "0.1", 0.1),
    ("LONGDOC_QUALITY_PROBE_SHARE", "quality.probe_share", "0.25", 0.25),
    ("LONGDOC_QUALITY_WEBHOOK_URL", "quality.webhook_url", "http://ops/hook", "http://ops/hook"),
    ("LONGDOC_QUALITY_WEBHOOK_TIMEOUT_S", "quality.webhook_timeout_s", "2", 2.0),
]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No LONGDOC_* variable from the machine or conftest: each test sets exactly its own."""
    for name in [k for k in os.environ if k.startswith("LONGDOC_")]:
        monkeypatch.delenv(name)
    return monkeypatch


def _plain(value: Any) -> Any:
    """SecretStr compares by identity: compare what it holds."""
    if isinstance(value, SecretStr):
        return ("secret", value.get_secret_value())
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _leaf_paths(model: type[BaseModel], prefix: str = "") -> set[str]:
    out: set[str] = set()
    for name, field in model.model_fields.items():
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            out |= _leaf_paths(kind, f"{prefix}{name}.")
        else:
            out.add(prefix + name)
    return out


@pytest.mark.parametrize(("env", "path", "raw", "expected"), ENV_TABLE, ids=[row[0] for row in ENV_TABLE])
def test_every_env_name_sets_its_field(
    clean_env: pytest.MonkeyPatch, env: str, path: str, raw: str, expected: Any
) -> None:
    clean_env.setenv(env, raw)
    settings = Settings()
    assert _plain(attrgetter(path)(settings)) == _plain(expected)
    # and only that field moved: the same path in a Settings from an empty environment differs
    clean_env.delenv(env)
    assert _plain(attrgetter(path)(Settings())) != _plain(expected)


def test_the_table_covers_every_field() -> None:
    # A new field needs its row here (and its line in README's table when it is user-facing).
    assert {path for _, path, _, _ in ENV_TABLE} == _leaf_paths(Settings)
    assert len({env for env, _, _, _ in ENV_TABLE}) == len(ENV_TABLE)


def test_a_group_is_built_alone_from_its_own_variables(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("LONGDOC_SEGMENT_MAX_TOKENS", "90000")
    clean_env.setenv("LONGDOC_MAX_TEXT_CHARS", "5")  # another group's: ignored by SegmentConfig
    sizes = SegmentConfig()
    assert (sizes.threshold_tokens, sizes.min_tokens, sizes.max_tokens) == (150_000, 60_000, 90_000)
    assert LimitsConfig().max_text_chars == 5
    # Keywords win over the environment, and an aliased field is passed by its name.
    clean_env.setenv("LONGDOC_STORAGE", "local")
    clean_env.setenv("LONGDOC_S3_BUCKET", "from-env")
    storage = StorageConfig(kind="s3", dir=Path("/x"), s3=S3Config(region="eu-north-1"))
    assert (storage.kind, storage.dir, storage.s3.region, storage.s3.bucket) == (
        "s3", Path("/x"), "eu-north-1", "from-env"
    )  # fmt: skip
    assert S3Config(presign_expiry_s=60).presign_expiry_s == 60
    # A Settings given one group builds the others from the environment.
    settings = Settings(segment=SegmentConfig(max_tokens=1000, min_tokens=500, threshold_tokens=2000))
    assert settings.segment.max_tokens == 1000 and settings.limits.max_text_chars == 5


@pytest.mark.parametrize(
    ("env", "raw", "needle"),
    [
        ("LONGDOC_STORAGE", "nfs", "LONGDOC_STORAGE"),
        ("LONGDOC_WORKERS", "0", "greater than or equal to 1"),
        ("LONGDOC_QUALITY_PROBE_SHARE", "0", "greater than 0"),
        ("LONGDOC_QUALITY_MIN_SAMPLES", "500", "min_samples must not exceed window"),
        ("LONGDOC_PDF_BACKEND", "mupdf", "'pypdfium2' or 'pypdf'"),
        ("LONGDOC_S3_PART_SIZE", "1024", "part_size"),
        ("LONGDOC_PRESIGN_EXPIRY_S", str(8 * 24 * 3600), "LONGDOC_PRESIGN_EXPIRY_S"),
        ("LONGDOC_API_KEYS", "not json", 'field "keys"'),
        ("LONGDOC_SEGMENT_MIN_TOKENS", "200000", "min_tokens must not exceed max_tokens"),
        ("LONGDOC_TASK_TIME_LIMIT_S", "5000", "task_time_limit_s < broker_visibility_timeout_s"),
        ("LONGDOC_RETENTION_DAYS", '{"acme": 0}', "greater than or equal to 1"),
    ],
)
def test_invalid_values_are_refused_with_a_message_naming_them(
    clean_env: pytest.MonkeyPatch, env: str, raw: str, needle: str
) -> None:
    clean_env.setenv(env, raw)
    with pytest.raises(Exception) as info:  # ValidationError, or SettingsError for bad JSON
        Settings()
    assert needle in str(info.value)


def test_a_field_passed_to_the_wrong_group_is_refused() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        LimitsConfig(workers=2)  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Settings(storage_dir=Path("/x"))  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="job_stall_timeout_s must exceed task_time_limit_s"):
        ExecutionConfig(job_stall_timeout_s=700)


def test_the_cli_reports_a_bad_variable_as_a_usage_error(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline.cli.main import main

    clean_env.setenv("LONGDOC_WORKERS", "zero")
    assert main(["plan", "no-such-file.txt"]) == 2
    err = capsys.readouterr().err
    assert "error[config] invalid LONGDOC_* setting" in err and "workers" in err


def test_celery_finds_the_worker_app_and_it_reads_the_environment() -> None:
    # `celery -A workers.celery_worker` (the compose health check, the tests' workers) resolves
    # the module attribute; the worker's settings come from the environment at that moment.
    env = {k: v for k, v in os.environ.items() if not k.startswith("LONGDOC_")}
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "LONGDOC_REDIS_URL": "redis://127.0.0.1:1/7",
            "LONGDOC_TASK_MAX_RETRIES": "3",
        }
    )
    code = (
        "from celery.app.utils import find_app\n"
        "from workers.celery_app import INGEST, worker_settings\n"
        "import workers.tasks\n"
        "app = find_app('workers.celery_worker')\n"
        "print(app.conf.broker_url, worker_settings().execution.task_max_retries, app.tasks[INGEST].max_retries)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.split() == ["redis://127.0.0.1:1/7", "3", "3"]


# --- settings are built by entry points only --------------------------------------------------

CONFIG_CLASSES = frozenset(
    name for name, obj in vars(config).items()
    if isinstance(obj, type) and obj.__module__ == config.__name__ and issubclass(obj, BaseModel | BaseSettings)
)  # fmt: skip
# Where code may build settings: the functions that start a process, and the one module that
# `celery -A` needs an attribute of.
ENTRY_POINTS = {
    ("pipeline/cli/common.py", "run_command"),  # every `longdoc` command
    ("pipeline/cli/evaluation.py", "_init_worker"),  # a process pool's initializer
    ("workers/celery_worker.py", "<module>"),  # `celery -A workers.celery_worker`
}
LIBRARY = ("pipeline", "workers", "chunking", "storage")


def _config_calls(path: Path) -> list[tuple[str, int, str]]:
    """(enclosing top-level function or "<module>", line, class) of every config-class call."""
    found: list[tuple[str, int, str]] = []

    def visit(node: ast.AST, scope: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = scope
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) and scope == "<module>":
                inner = getattr(child, "name", "<lambda>")
            if isinstance(child, ast.Call):
                func = child.func
                name = (
                    func.id
                    if isinstance(func, ast.Name)
                    else func.attr
                    if isinstance(func, ast.Attribute)
                    else ""
                )
                if name in CONFIG_CLASSES:
                    found.append((scope, child.lineno, name))
            visit(child, inner)

    visit(ast.parse(path.read_text()), "<module>")
    return found


def test_config_classes_are_found() -> None:
    assert {"Settings", "LimitsConfig", "StorageConfig", "S3Config"} <= CONFIG_CLASSES


def test_library_code_builds_no_settings_outside_entry_points() -> None:
    bad = []
    for top in LIBRARY:
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            bad += [f"{rel}:{line} {cls}() in {scope}" for scope, line, cls in _config_calls(path)
                    if (rel, scope) not in ENTRY_POINTS]  # fmt: skip
    assert not bad, "settings built outside an entry point (take them as an argument):\n" + "\n".join(bad)


def test_no_settings_are_built_at_import() -> None:
    # Bench scripts are entry points, but build settings in main(), not when imported.
    bad = []
    for top in (*LIBRARY, "bench"):
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            bad += [f"{rel}:{line} {cls}()" for scope, line, cls in _config_calls(path)
                    if scope == "<module>" and (rel, scope) not in ENTRY_POINTS]  # fmt: skip
    assert not bad, "module-level settings:\n" + "\n".join(bad)


def test_the_scan_sees_a_module_level_instance(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from pipeline.config import Settings, config\n"
        "SETTINGS = Settings()\n"
        "class A:\n    limits = config.LimitsConfig()\n"
        "def entry():\n    return Settings()\n"
    )
    assert [(s, c) for s, _, c in _config_calls(probe)] == [
        ("<module>", "Settings"), ("<module>", "LimitsConfig"), ("entry", "Settings")
    ]  # fmt: skip
