"""LLM verdicts on playbook rules (issue 16): the schema's verdict fields, verification of their
evidence, and how segments' verdicts become the document's review item."""

from __future__ import annotations

from pathlib import Path

from chunking.locator import Locator
from pipeline.analyze.base import SegmentTask
from pipeline.analyze.llm import build_messages, to_analysis
from pipeline.analyze.llm_schema import PLAYBOOK_HEADER, LLMSegmentOutput, LLMVerdict
from pipeline.analyze.playbook import parse_playbook
from pipeline.consolidate.review import review_items
from pipeline.jobs.store import JobOptions, JobStore
from pipeline.simulate.server import SimulatorConfig, running_simulator
from pipeline.types import PageSpan, SegmentAnalysis, Span, Verdict
from tests.conftest import REVIEW_PLAYBOOK
from tests.planted import planted_contract
from tests.test_llm_pipeline import Harness

PLAYBOOK = parse_playbook(REVIEW_PLAYBOOK, "planted.yaml")
SEGMENT = "12. Governing Law. This Agreement is governed by the laws of the State of Delaware.\n"


def _task(text: str = SEGMENT) -> SegmentTask:
    locator = Locator([PageSpan(number=1, start=0, end=len(text))], [])
    return SegmentTask(
        segment=0, text=text, base_offset=0, kind="contract", locator=locator, playbook=PLAYBOOK
    )


def _verdict(rule: str, status: str, *quotes: str, answer: str = "") -> LLMVerdict:
    return LLMVerdict.model_validate(
        {"rule": rule, "status": status, "answer": answer, "quotes": list(quotes), "reason": "r"}
    )


def test_the_prompt_carries_the_rules_and_only_for_contracts() -> None:
    messages = build_messages(_task())
    assert PLAYBOOK_HEADER in messages[1]["content"] and '"id":"tfc-notice"' in messages[1]["content"]
    paper = SegmentTask(**{**_task().__dict__, "kind": "paper"})
    assert PLAYBOOK_HEADER not in build_messages(paper)[1]["content"]


def test_a_verdict_without_verifiable_evidence_is_downgraded_to_review() -> None:
    out = LLMSegmentOutput(findings=[], key_terms=[], defined_terms=[], references=[], verdicts=[
        _verdict("law-allowed", "meets", "the laws of the State of Delaware", answer="Delaware"),
        _verdict("tfc-notice", "deviates", "either party may terminate on 5 days' notice"),  # not in the text
        _verdict("no-non-compete", "missing"),
        _verdict("not-a-rule", "deviates", "Governing Law"),
    ])  # fmt: skip
    analysis, dropped = to_analysis(_task(), "kimi-k2-thinking", out)
    got = {v.rule: v for v in analysis.verdicts}
    assert set(got) == {"law-allowed", "tfc-notice", "no-non-compete"}  # an unknown rule is dropped
    assert got["law-allowed"].status == "meets" and got["law-allowed"].answer == "Delaware"
    [ev] = got["law-allowed"].evidence
    assert SEGMENT[ev.start : ev.end] == ev.quote == "the laws of the State of Delaware"
    assert got["tfc-notice"].status == "review" and not got["tfc-notice"].evidence
    assert "none of its evidence" in got["tfc-notice"].reason
    assert got["no-non-compete"].status == "missing"
    assert dropped == 1


def _segment(i: int, *verdicts: Verdict) -> SegmentAnalysis:
    return SegmentAnalysis(segment=i, model="kimi-k2-thinking", verdicts=list(verdicts))


def test_segments_verdicts_make_the_document_item() -> None:
    text = SEGMENT + "Filler.\n"
    at = text.index("the laws")
    ev = Span(quote=text[at : at + 33], start=at, end=at + 33, page=1, segment=0)
    forged = Span(quote="not in the text", start=0, end=15, page=1, segment=1)

    def v(rule: str, status: str, *spans: Span) -> Verdict:
        return Verdict(
            rule=rule, status=status, evidence=list(spans), model="kimi-k2-thinking", answer="Delaware"
        )

    segments = [
        _segment(
            0, v("law-allowed", "meets", ev), v("no-non-compete", "missing"), v("assignment", "missing")
        ),
        _segment(
            1, v("law-allowed", "deviates", ev), v("no-non-compete", "missing"), v("assignment", "review")
        ),
    ]
    items = {i.rule: i for i in review_items(text, PLAYBOOK, [], [], None, segments).items}
    assert items["law-allowed"].status == "deviates"  # a deviation anywhere is the document's
    assert [e.quote for e in items["law-allowed"].evidence] == [ev.quote]
    assert items["no-non-compete"].status == "missing"  # every segment said so
    assert items["assignment"].status == "review"  # one segment was unsure: never "missing"
    # Only one of two segments answered: absence is not established.
    items = {i.rule: i for i in review_items(text, PLAYBOOK, [], [], None, [segments[0], _segment(1)]).items}
    assert items["no-non-compete"].status == "review"
    # Evidence that is not the document's text at its offsets does not count.
    bad = [_segment(0, v("law-allowed", "meets", forged))]
    assert review_items(text, PLAYBOOK, [], [], None, bad).items[1].status == "review"


def test_llm_job_review_comes_from_verdicts(tmp_path: Path, keys_env: None) -> None:
    text = planted_contract()
    with running_simulator(SimulatorConfig(time_scale=0.0)) as url:
        h = Harness(tmp_path, url)
        try:
            job = JobStore(h.ctx.store, "t").create(text.encode(), "c.txt", JobOptions(model="auto"), ext="txt",
                                                    playbook=PLAYBOOK)  # fmt: skip
            record, report = h.executor.run("t", job.job_id)
        finally:
            h.executor.close()
    assert record.status == "succeeded" and report is not None and report.review is not None
    assert len(report.segments) > 1 and all(s.model == "kimi-k2-thinking" for s in report.segments)
    items = {i.rule: i for i in report.review.items}
    assert items["tfc-notice"].status == "deviates" and items["tfc-notice"].answer == "30 days"
    assert items["no-non-compete"].status == "missing"
    for item in items.values():
        assert item.reason.startswith("kimi-k2-thinking")  # decided by the model's verdicts
        assert (item.status == "missing") == (not item.evidence)
        assert all(text[e.start : e.end] == e.quote for e in item.evidence)
