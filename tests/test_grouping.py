"""Grouped findings and the summary that cites (issue 16 items 3 and 4): one clause group per
category with verified, never-repeated evidence; the offline summary lists deviations and missing
clauses by severity with citations; an LLM summary cannot drop one; the renderers use the groups."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from pipeline.analyze.llm_schema import LLMSynthesis
from pipeline.analyze.playbook import parse_playbook
from pipeline.consolidate.groups import group_findings
from pipeline.consolidate.synthesis import cited_items, item_line, keep_cited, rules_summary
from pipeline.jobs.stages import StageContext
from pipeline.jobs.store import JobOptions, JobStore
from pipeline.report.docx import MAX_PER_CATEGORY, render_docx
from pipeline.report.markdown import MAX_PASSAGES, render_markdown
from pipeline.report.model import Report
from pipeline.report.tables import TableRow, header, row_values
from pipeline.simulate.server import SimulatorConfig, running_simulator
from pipeline.types import Finding
from storage.local import LocalStore
from tests.config_helpers import grouped
from tests.conftest import REVIEW_PLAYBOOK, SHARED_DATA, needs_shared
from tests.llm_helpers import SMALL
from tests.planted import planted_contract
from workers.local import LocalExecutor

TEXT = (
    "1. Fees. Customer shall pay the fees monthly. Late payments bear interest at 1% per month.\n"
    "2. Damages. Service credits are liquidated damages and not a penalty.\n"
    "3. Schedule. Service credits are liquidated damages and not a penalty.\n"
    "4. Schedule B. Service   credits are liquidated damages\nand not a penalty.\n"
)


def finding(
    text: str, quote: str, category: str, confidence: float, *, nth: int = 0, page: int = 1
) -> Finding:
    start = -1
    for _ in range(nth + 1):
        start = text.index(quote, start + 1)
    return Finding(quote=quote, start=start, end=start + len(quote), page=page, section=None, segment=0,
                   category=category, confidence=confidence, model="rules")  # fmt: skip


def test_overlaps_merge_repeats_are_cited_once_and_the_strongest_leads() -> None:
    ld = "Service credits are liquidated damages and not a penalty."
    spaced = "Service   credits are liquidated damages\nand not a penalty."
    findings = [
        finding(TEXT, "Customer shall pay the fees monthly.", "Minimum Commitment", 0.4),
        # Overlaps the one before: one stretch, the union, with the better confidence.
        finding(TEXT, "the fees monthly. Late payments bear interest", "Minimum Commitment", 0.7),
        finding(TEXT, ld, "Liquidated Damages", 0.6),
        finding(TEXT, ld, "Liquidated Damages", 0.9, nth=1, page=2),  # the same words, stronger
        finding(TEXT, spaced, "Liquidated Damages", 0.5, page=3),  # the same words, other spacing
        finding(TEXT, ld, "Liquidated Damages", 0.95).model_copy(update={"quote": "invented"}),  # unverified
    ]
    groups = group_findings(TEXT, findings, {"Liquidated Damages": 0, "Minimum Commitment": 1})
    assert [g.category for g in groups] == ["Liquidated Damages", "Minimum Commitment"]
    ld_group, mc_group = groups
    assert ld_group.passages == 3 and ld_group.confidence == 0.9 and ld_group.pages == [1, 2, 3]
    [lead] = ld_group.evidence
    second = TEXT.index(ld, TEXT.index(ld) + 1)
    assert (lead.start, lead.page, lead.confidence) == (second, 2, 0.9)
    assert [(r.start, r.page) for r in lead.repeats] == [(TEXT.index(ld), 1), (TEXT.index(spaced), 3)]
    [merged] = mc_group.evidence
    assert merged.quote == "Customer shall pay the fees monthly. Late payments bear interest"
    assert TEXT[merged.start : merged.end] == merged.quote and merged.confidence == 0.7
    assert mc_group.passages == 2


@pytest.fixture(scope="module")
def planted_report(planted_review: tuple[str, Report]) -> tuple[str, Report]:
    return planted_review


def check_groups(text: str, report: Report) -> None:
    """The acceptance: one group per category, every passage verified, no stretch cited twice,
    and every verified finding inside a cited stretch."""
    cats = [g.category for g in report.clauses]
    assert len(cats) == len(set(cats))
    assert set(cats) == {f.category for f in report.findings if text[f.start : f.end] == f.quote}
    for g in report.clauses:
        places = [(p.start, p.end) for p in g.evidence] + [
            (r.start, r.end) for p in g.evidence for r in p.repeats
        ]
        assert len(places) == len(set(places))
        ordered = sorted(places)
        assert all(a[1] <= b[0] for a, b in zip(ordered, ordered[1:], strict=False)), g.category  # no overlap
        keys = [(-p.confidence, p.start) for p in g.evidence]
        assert keys == sorted(keys)
        for p in g.evidence:
            assert text[p.start : p.end] == p.quote
            for r in p.repeats:
                assert text[r.start : r.end].split() == p.quote.split()
        for f in report.findings:
            if f.category == g.category:
                assert any(s <= f.start and f.end <= e for s, e in places), f


def test_planted_contract_has_one_verified_group_per_category(planted_report: tuple[str, Report]) -> None:
    text, report = planted_report
    assert report.clauses
    check_groups(text, report)


@needs_shared
def test_cuad_sample_groups(tmp_path: Path) -> None:
    from pipeline.cli.evaluation import load_folder

    contracts = load_folder(SHARED_DATA / "cuad-dev")[::23][:10]
    ctx = StageContext(settings=grouped(storage={"dir": tmp_path}), store=LocalStore(tmp_path))
    executor = LocalExecutor(ctx, workers=1)
    grouped_any = False
    try:
        for c in contracts:
            job = JobStore(ctx.store, "t").create(c.text.encode(), f"{c.slug}.txt", ext="txt")
            record, report = executor.run("t", job.job_id)
            assert record.status == "succeeded" and report is not None, record.error
            check_groups(c.text, report)
            grouped_any |= any(g.passages > len(g.evidence) for g in report.clauses)
    finally:
        executor.close()
    assert grouped_any  # the sample exercises merging


def test_offline_summary_cites_deviations_and_missing_by_severity(planted_report: tuple[str, Report]) -> None:
    text, report = planted_report
    assert report.synthesis is not None and report.synthesis.model == "rules"
    paras = report.synthesis.executive_summary.split("\n\n")
    # tfc-notice deviates (high), no-non-compete missing (high), assignment missing (medium);
    # the Governing Law items meet or need review: not listed.
    assert [i.rule for i in cited_items(report)] == ["tfc-notice", "no-non-compete", "assignment"]
    assert paras[0].startswith("High severity · Termination For Convenience (tfc-notice) deviates")
    quoted = re.search(r"“(.+?)…?”", paras[0])
    assert quoted and quoted.group(1).rstrip("…") in " ".join(text.split())  # verbatim
    assert re.search(r"See L\d+", paras[0]) and "30 days" in paras[0]  # a text file cites lines
    assert paras[1].startswith("High severity · Non-Compete (no-non-compete) is missing: no clause found")
    assert paras[2].startswith("Medium severity · Anti-Assignment (assignment) is missing")
    assert (
        paras[3].startswith("Key terms. Parties: ")
        and "Governing law: Delaware, US; New York, US." in paras[3]
    )
    assert paras[4].startswith("Counts. planted.txt") and "1 deviate, 2 missing" in paras[4]
    assert rules_summary(report) == rules_summary(report.model_copy(deep=True))  # deterministic
    md = render_markdown(report)
    # The summary first, then the review table; the groups replace the raw list.
    assert md.index("## Executive summary") < md.index("## Review") < md.index("## Findings by category")
    for g in report.clauses:
        assert md.count(f"### {g.category}\n") == 1
    memo = docx_text(render_docx(report))
    assert memo.index("High severity · Termination For Convenience") < memo.index("2. Key terms")


def docx_text(data: bytes) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def test_renderers_cap_passages_and_say_how_many_more(planted_report: tuple[str, Report]) -> None:
    text, report = planted_report
    g = report.clauses[0]
    extra = [
        p.model_copy(update={"start": p.start + 1, "quote": text[p.start + 1 : p.end], "repeats": []})
        for p in g.evidence
    ]
    many = g.model_copy(update={"evidence": g.evidence + extra * 8})
    n_more = len(many.evidence) - MAX_PASSAGES
    big = report.model_copy(update={"clauses": [many, *report.clauses[1:]]})
    assert f"… and {n_more} more passage(s)" in render_markdown(big)
    assert f"… and {len(many.evidence) - MAX_PER_CATEGORY} more passage(s) in the JSON report." in docx_text(
        render_docx(big)
    )
    row = dict(zip(header(), row_values(TableRow("planted.txt", "succeeded", "", 0.0, big)), strict=True))
    cell = row[f"{g.category}: evidence"]
    assert isinstance(cell, str) and cell.endswith(f"(and {len(many.evidence) - 1} more passages)")
    assert str(g.evidence[0].where) in cell and " ".join(g.evidence[0].quote.split())[:40] in cell
    assert row[f"{g.category}: present"] == "present"


def test_an_llm_summary_that_drops_an_item_gets_its_line_back(planted_report: tuple[str, Report]) -> None:
    _, report = planted_report
    cited = cited_items(report)
    # Naming the category (any case) or the rule id counts as keeping it.
    kept = LLMSynthesis(executive_summary="Termination for convenience deviates; NON-COMPETE absent.",
                        observations=["assignment: absent"])  # fmt: skip
    assert keep_cited(report, kept) == (kept, [])
    dropped = LLMSynthesis(executive_summary="The contract is a services agreement.", observations=[])
    out, warnings = keep_cited(report, dropped)
    assert out.executive_summary.split("\n\n") == [dropped.executive_summary, *(item_line(i) for i in cited)]
    assert warnings == ["the LLM summary left out 3 deviating or missing review item(s) "
                        "(tfc-notice, no-non-compete, assignment); their cited lines were added"]  # fmt: skip


PROHIBITIVE = parse_playbook(
    REVIEW_PLAYBOOK + "  - id: no-law\n    category: Governing Law\n    kind: prohibited\n"
    "    severity: high\n    guidance: g\n",
    "llm.yaml",
)


def run_llm(tmp_path: Path, url: str) -> Report:
    settings = grouped(storage={"dir": tmp_path}, segment=SMALL,
                       routing={"llm_base_url": url, "llm_timeout_s": 5.0, "llm_backoff_base_s": 0.01})  # fmt: skip
    ctx = StageContext(settings=settings, store=LocalStore(tmp_path))
    executor = LocalExecutor(ctx, workers=2)
    try:
        job = JobStore(ctx.store, "t").create(planted_contract().encode(), "planted.txt", JobOptions(model="auto"),
                                              ext="txt", playbook=PROHIBITIVE)  # fmt: skip
        record, report = executor.run("t", job.job_id)
    finally:
        executor.close()
    assert record.status == "succeeded" and report is not None, record.error
    return report


def test_the_llm_summary_keeps_every_cited_item(tmp_path: Path, keys_env: None) -> None:
    with running_simulator(SimulatorConfig(time_scale=0.0)) as url:
        report = run_llm(tmp_path, url)
    assert report.synthesis is not None and report.synthesis.model != "rules"
    cited = cited_items(report)
    assert "no-law" in [i.rule for i in cited]  # a deviation the LLM run must keep
    said = " ".join([report.synthesis.executive_summary, *report.synthesis.observations]).casefold()
    assert all(i.category.casefold() in said or i.rule in said for i in cited)


def test_an_llm_summary_that_names_nothing_is_completed_with_a_warning(
    tmp_path: Path, keys_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.simulate.faults as faults

    # The simulator (a thread of this process) answers every synthesis with a bland summary.
    monkeypatch.setattr(
        faults, "synthesise", lambda _m: LLMSynthesis(executive_summary="Fine.", observations=[])
    )
    with running_simulator(SimulatorConfig(time_scale=0.0)) as url:
        report = run_llm(tmp_path, url)
    assert report.synthesis is not None and report.synthesis.model != "rules"
    cited = cited_items(report)
    assert cited
    assert report.synthesis.executive_summary.split("\n\n") == ["Fine.", *(item_line(i) for i in cited)]
    [warning] = report.synthesis.warnings
    assert warning.startswith(f"the LLM summary left out {len(cited)} deviating or missing")
    assert warning in render_markdown(report)
