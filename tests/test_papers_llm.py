"""A paper's digest by the router's models (issue 18, item 4): the paper schema over HTTP with
the real openai SDK against the simulator, per-segment digests merged, every item verified."""

from __future__ import annotations

import random
from pathlib import Path

from chunking.locator import Locator
from pipeline.analyze.base import SegmentTask
from pipeline.analyze.llm import _with_schema, build_messages, to_analysis
from pipeline.analyze.llm_schema import (
    PAPER_SCHEMA_NAME,
    LLMPaperDigest,
    LLMPaperItem,
    LLMPaperOutput,
    LLMPaperResult,
    response_format,
)
from pipeline.jobs.stages import StageContext
from pipeline.jobs.store import JobOptions, JobStore
from pipeline.report.markdown import render_markdown
from pipeline.report.model import Report
from pipeline.simulate.faults import answer
from pipeline.simulate.server import SimulatorConfig, running_simulator
from pipeline.types import PageSpan
from storage.local import LocalStore
from tests.config_helpers import grouped
from tests.llm_helpers import SMALL
from tests.paper_helpers import CLAIM, RESULT, planted_paper
from tests.planted import planted_contract
from workers.local import LocalExecutor


def _run(root: Path, url: str, text: str, name: str = "paper.txt") -> Report:
    settings = grouped(
        storage={"dir": root},
        segment=SMALL,
        routing={"llm_base_url": url, "llm_timeout_s": 5.0, "llm_backoff_base_s": 0.01},
    )
    ctx = StageContext(settings=settings, store=LocalStore(root))
    job = JobStore(ctx.store, "t").create(text.encode(), name, JobOptions(model="auto"), ext="txt")
    record, report = LocalExecutor(ctx, workers=2).run("t", job.job_id)
    assert record.status == "succeeded", record.error
    assert report is not None
    return report


def test_a_long_paper_gets_one_merged_llm_digest_of_verified_items(tmp_path: Path, keys_env: None) -> None:
    text = planted_paper()
    with running_simulator(SimulatorConfig(time_scale=0.0)) as url:
        report = _run(tmp_path, url, text)
    assert report.document.kind == "paper" and len(report.segments) >= 3
    assert all(s.status == "ok" and s.model != "rules" for s in report.segments)
    assert report.paper is not None
    llm = report.paper.digest.llm
    assert llm is not None and llm.models == sorted({s.model for s in report.segments}) and llm.dropped == 0
    items = [
        *llm.contributions,
        *llm.methods,
        *llm.datasets,
        *llm.results,
        *llm.limitations,
        *llm.open_questions,
    ]
    for i in items:
        assert i.evidence and all(text[e.start : e.end] == e.quote for e in i.evidence)
    # The claim and the result are each stated in two segments: one item each, both places cited.
    claims = [c for c in llm.contributions if any(CLAIM in e.quote for e in c.evidence)]
    results = [r for r in llm.results if r.value == "91.2"]
    for merged in (claims, results):
        assert len(merged) == 1
        starts = sorted(e.start for e in merged[0].evidence)
        assert len(starts) == 2 and _segment(report, starts[0]) != _segment(report, starts[1])
    r = results[0]
    assert (r.metric, r.dataset, r.baseline) == ("F1", "PubTabNet", "BarNet")
    assert RESULT in r.evidence[0].quote
    assert llm.methods and llm.limitations and llm.open_questions
    # Papers get no contract findings from the models.
    assert report.findings == [] and report.review is None
    md = render_markdown(report)
    assert md.index("## Digest") < md.index(f"### Digest by {llm.models[0]}") and "91.2" in md


def test_digest_items_with_invented_quotes_are_dropped_and_counted(tmp_path: Path, keys_env: None) -> None:
    text = planted_paper()
    config = SimulatorConfig(time_scale=0.0, fault_rate=1.0, fault_kinds=("invented_quote",))
    with running_simulator(config) as url:
        report = _run(tmp_path, url, text)
    assert report.paper is not None and report.paper.digest.llm is not None
    llm = report.paper.digest.llm
    # Every segment's answer had one item quoting text that is not in the paper.
    assert llm.dropped == len(report.segments)
    for i in [*llm.contributions, *llm.results, *llm.methods, *llm.limitations]:
        assert all(text[e.start : e.end] == e.quote for e in i.evidence)
    assert not any("far side of the Moon" in e.quote for i in llm.contributions for e in i.evidence)


def test_a_contract_gets_no_paper_digest(tmp_path: Path, keys_env: None) -> None:
    with running_simulator(SimulatorConfig(time_scale=0.0)) as url:
        report = _run(tmp_path, url, planted_contract(), "contract.txt")
    assert report.document.kind == "contract" and report.paper is None and report.findings


def _segment(report: Report, offset: int) -> int:
    return next(s.index for s in report.segments if s.char_start <= offset < s.char_end)


def _paper_task(text: str) -> SegmentTask:
    locator = Locator([PageSpan(number=1, start=0, end=len(text))], [])
    return SegmentTask(segment=0, text=text, base_offset=0, kind="paper", locator=locator)


def test_a_json_mode_request_carries_the_paper_schema_in_its_prompt_and_is_answered_with_it() -> None:
    # Profiles without json_schema (JSON mode, plain text) send no schema name: the paper rules and
    # schema ride in the system prompt, and that is what the simulator must recognise.
    text = planted_paper()
    task = _paper_task(text)
    messages = _with_schema(build_messages(task), response_format(LLMPaperOutput, PAPER_SCHEMA_NAME))
    assert '"digest"' in messages[0]["content"] and '"open_questions"' in messages[0]["content"]
    content, finish, _ = answer({"messages": messages}, None, random.Random(0))
    out = LLMPaperOutput.model_validate_json(content)
    assert finish == "stop" and out.digest.contributions and not out.findings
    analysis, dropped = to_analysis(task, "sim", out)
    assert dropped == 0 and analysis.paper_items_dropped == 0
    assert {i.kind for i in analysis.paper_items} >= {"contribution", "result", "limitation"}


def test_a_result_whose_number_is_not_in_its_quotes_is_dropped() -> None:
    text = planted_paper()
    quote = RESULT
    digest = LLMPaperDigest(
        contributions=[LLMPaperItem(text="TabParse", quotes=["not in the paper at all", CLAIM])],
        methods=[], datasets=[], limitations=[], open_questions=[],
        results=[
            LLMPaperResult(metric="F1", value="91.2", dataset="PubTabNet", baseline="BarNet", delta="+3.1",
                           quotes=[quote]),
            LLMPaperResult(metric="F1", value="95.0", dataset="PubTabNet", baseline="", delta="", quotes=[quote]),
        ],
    )  # fmt: skip
    out = LLMPaperOutput(findings=[], key_terms=[], defined_terms=[], references=[], digest=digest)
    analysis, dropped = to_analysis(_paper_task(text), "sim", out)
    assert analysis.paper_items_dropped == 1 and dropped == 1  # the 95.0 result; the invented quote
    kept = {(i.kind, i.value) for i in analysis.paper_items}
    assert kept == {("contribution", None), ("result", "91.2")}
    contribution = next(i for i in analysis.paper_items if i.kind == "contribution")
    assert [e.quote for e in contribution.evidence] == [CLAIM]
