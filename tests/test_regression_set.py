"""Reviewers' corrections as a regression set (issue 19): `longdoc decisions export` writes the
decided review items of a tenant's jobs as a CUAD-format folder; `longdoc eval cuad` scores a model
on it, counting only the categories reviewers ruled on; the figures follow the decisions."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.cli.main import main
from pipeline.config import ExecutionConfig, Settings, StorageConfig
from pipeline.jobs import decisions
from pipeline.jobs.regression import labels
from pipeline.jobs.stages import StageContext
from pipeline.jobs.store import JobStore
from pipeline.report.model import Decision, Evidence, Report, Review, ReviewItem
from storage.local import LocalStore
from tests.api_helpers import contract, require_rules_model
from workers.local import LocalExecutor

LAWS = [
    "New York",
    "Texas",
    "Delaware",
    "California",
    "Florida",
    "Ohio",
    "Nevada",
    "Georgia",
    "Oregon",
    "Utah",
]


@pytest.fixture(scope="module")
def ten_jobs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[tuple[str, Report]]]]:
    """Ten contracts analyzed by the offline model into one local storage dir (tenant acme)."""
    require_rules_model()
    root = tmp_path_factory.mktemp("regression")
    settings = Settings(storage=StorageConfig(dir=root), execution=ExecutionConfig(workers=1))
    ctx = StageContext(settings=settings, store=LocalStore(str(root)))
    executor = LocalExecutor(ctx, workers=1)
    done: list[tuple[str, Report]] = []
    try:
        for i, law in enumerate(LAWS):
            body = contract(law=law, party_a=f"Client {i} Corp.")
            job = JobStore(ctx.store, "acme").create(body, f"msa-{i}.txt", ext="txt")
            record, report = executor.run("acme", job.job_id)
            assert record.status == "succeeded" and report is not None and report.review is not None
            done.append((job.job_id, report))
    finally:
        executor.close()
    yield root, done


def decide_all(store: LocalStore, jobs: list[tuple[str, Report]], action: str, rules: set[str]) -> None:
    for job_id, report in jobs:
        assert report.review is not None
        for item in report.review.items:
            if item.rule in rules:
                d = Decision(rule=item.rule, action=action, by="test", at="")  # type: ignore[arg-type]
                decisions.record(store, "acme", job_id, d)


def export_and_eval(
    root: Path, out: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[list[dict[str, object]], list[str]]:
    assert main(["decisions", "export", str(out), "--tenant", "acme"]) == 0
    exported = capsys.readouterr().out
    rows = [json.loads(line) for line in (out / "labels.jsonl").read_text().splitlines()]
    assert exported.startswith(f"{len(rows)} document(s)")
    assert main(["eval", "cuad", str(out), "--processes", "1"]) == 0
    return rows, capsys.readouterr().out.splitlines()


def row(lines: list[str], name: str) -> tuple[int, int, int] | None:
    hit = next((line for line in lines if line.startswith(name + " ")), None)
    if hit is None:
        return None
    tp, fp, fn = hit.split()[-3:]
    return int(tp), int(fp), int(fn)


def test_decisions_on_ten_documents_export_as_a_set_eval_reads_and_the_figures_follow_them(
    ten_jobs: tuple[Path, list[tuple[str, Report]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    root, jobs = ten_jobs
    monkeypatch.setenv("LONGDOC_STORAGE_DIR", str(root))
    store = LocalStore(str(root))
    review = jobs[0][1].review
    assert review is not None
    by_rule = {i.rule: i for i in review.items}
    present_rules = {r for r, i in by_rule.items() if i.status in ("meets", "deviates")}
    assert {"governing-law", "renewal-term"} <= present_rules

    # Reviewers accept the model's verdicts on governing law and the renewal term in all ten documents.
    decide_all(store, jobs, "accept", {"governing-law", "renewal-term"})
    rows, lines = export_and_eval(root, tmp_path / "set1", capsys)
    assert len(rows) == 10 and all(r["scored"] == ["Governing Law", "Renewal Term"] for r in rows)
    text = (tmp_path / "set1" / "contracts" / f"{rows[0]['slug']}.txt").read_text()
    for a in rows[0]["answers"]["Governing Law"]:  # type: ignore[index]
        assert text[a["start"] : a["start"] + len(a["text"])] == a["text"]  # offsets into the extracted text
    assert row(lines, "Governing Law") == (10, 0, 0) and row(lines, "Renewal Term") == (10, 0, 0)
    assert row(lines, "Anti-Assignment") is None  # nobody ruled on it: not counted
    assert lines[-1].startswith("micro_f1=1.000 macro_f1=1.000")

    # They change their minds on governing law in every document: the model's finding is now wrong.
    decide_all(store, jobs, "reject", {"governing-law"})
    rows, lines = export_and_eval(root, tmp_path / "set2", capsys)
    assert all("Governing Law" not in r["answers"] and "Governing Law" in r["scored"] for r in rows)  # type: ignore[operator]
    assert row(lines, "Governing Law") == (0, 10, 0) and row(lines, "Renewal Term") == (10, 0, 0)
    micro = re.search(r"micro_f1=(\d\.\d{3})", lines[-1])
    assert micro and float(micro.group(1)) < 1.0


def item(
    status: str, quote: str, start: int, rule: str = "governing-law", category: str = "Governing Law"
) -> ReviewItem:
    ev = [Evidence(quote=quote, start=start, end=start + len(quote), page=1)] if quote else []
    return ReviewItem(rule=rule, category=category, status=status, severity="high", evidence=ev, reason="r")  # type: ignore[arg-type]


TEXT = "1. Law. Governed by the laws of the State of New York. 2. Cap. Liability is capped."


@pytest.mark.parametrize(
    ("status", "action", "edit_status", "value", "expected"),
    [
        ("meets", "accept", None, None, {"Governing Law": [{"start": 8, "text": "Governed by the laws of the State of New York."}]}),
        ("meets", "reject", None, None, {}),
        ("missing", "accept", None, None, {}),
        ("missing", "reject", None, None, {"Governing Law": [{"start": 0, "text": ""}]}),
        ("meets", "edit", "deviates", "State of New York", {"Governing Law": [{"start": 36, "text": "State of New York"}]}),
        ("meets", "edit", "missing", None, {}),
    ],
)  # fmt: skip
def test_what_each_decision_says_about_its_category(
    status: str, action: str, edit_status: str | None, value: str | None, expected: dict[str, object]
) -> None:
    quote = "Governed by the laws of the State of New York." if status != "missing" else ""
    review = Review(playbook="p", items=[item(status, quote, TEXT.find(quote) if quote else 0)])
    d = Decision(rule="governing-law", action=action, status=edit_status, value=value, by="t", at="")  # type: ignore[arg-type]
    answers, scored = labels(TEXT, review, {"governing-law": d})
    assert (answers, scored) == (expected, ["Governing Law"])


def test_an_accepted_review_item_or_an_undecided_one_labels_nothing() -> None:
    review = Review(playbook="p", items=[item("review", "Liability is capped.", TEXT.find("Liability"),
                                              rule="cap", category="Cap On Liability"), item("meets", "", 0)])  # fmt: skip
    decided = {"cap": Decision(rule="cap", action="accept", by="t", at="")}
    assert labels(TEXT, review, decided) == ({}, [])
