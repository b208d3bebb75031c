"""Review items (issue 16): playbook validation, verdicts on the planted contract, the
never-missing-when-found rule, and the missing verdicts' precision on a CUAD sample."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.analyze.playbook import STANDARD_POSITIONS, default_playbook, parse_playbook
from pipeline.cli.evaluation import Contract, evaluate
from pipeline.cli.main import main
from pipeline.consolidate.review import review_items
from pipeline.errors import BadPlaybook
from pipeline.report.markdown import render_markdown
from pipeline.report.model import Report
from pipeline.types import Finding
from tests.conftest import needs_shared

GOOD_RULE = """\
  - id: law
    category: Governing Law
    kind: required
    severity: low
    guidance: g
"""


@pytest.mark.parametrize(
    ("yaml_text", "line", "field"),
    [
        (
            GOOD_RULE
            + "  - id: cap\n    category: Cap On Liability\n    kind: required\n    severity: urgent\n"
            "    guidance: g\n",
            11,
            "severity",
        ),  # fmt: skip
        (GOOD_RULE.replace("Governing Law", "Governing Lore"), 4, "category"),
        (GOOD_RULE.replace("guidance: g", "guidance: g\n    colour: red"), 8, "colour"),
        (GOOD_RULE.replace("kind: required", "kind: expected\n    term: governing_law"), 6, "term"),
        (GOOD_RULE + GOOD_RULE, 8, "id"),  # a duplicate id: the second rule's line
        ("rules:\n  - id: [unclosed\n", 3, "(yaml)"),
        ("rules: 3\n", 1, "rules"),
    ],
)
def test_a_bad_playbook_names_line_and_field(yaml_text: str, line: int, field: str) -> None:
    text = yaml_text if yaml_text.startswith("rules") else "name: t\nrules:\n" + yaml_text
    with pytest.raises(BadPlaybook) as exc:
        parse_playbook(text, "bad.yaml")
    assert exc.value.code == "bad_playbook"
    assert f"bad.yaml:{line}: field {field!r}" in exc.value.message


def test_the_cli_refuses_a_bad_playbook_before_reading_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n" + GOOD_RULE.replace("low", "urgent"), encoding="utf-8")
    rc = main(["analyze", str(tmp_path / "absent.txt"), "--playbook", str(bad), "--out", str(tmp_path)])
    assert rc == 2
    assert f"error[bad_playbook] {bad}:5: field 'severity'" in capsys.readouterr().err


def test_the_default_playbook_covers_the_standard_positions() -> None:
    pb = default_playbook()
    assert {r.category for r in pb.rules} >= set(STANDARD_POSITIONS)
    assert all(r.line > 0 and r.guidance for r in pb.rules)


def test_planted_contract_review_statuses_and_evidence(planted_review: tuple[str, Report]) -> None:
    text, report = planted_review
    assert report.review is not None and report.review.playbook == "planted"
    items = {i.rule: i for i in report.review.items}
    assert [i.rule for i in report.review.items] == ["law-stated", "law-allowed", "tfc-notice", "no-non-compete",
                                                     "assignment"]  # fmt: skip
    assert items["law-stated"].status == "meets"
    # Delaware and New York are both allowed, but stated in two places: a person decides.
    assert (items["law-allowed"].status, items["law-allowed"].answer) == (
        "review",
        "Delaware, US; New York, US",
    )
    assert (items["tfc-notice"].status, items["tfc-notice"].answer) == ("deviates", "30 days")
    assert items["no-non-compete"].status == "missing"
    assert items["assignment"].status == "missing"
    for item in report.review.items:
        assert (item.status == "missing") == (not item.evidence), item
        for e in item.evidence:
            assert text[e.start : e.end] == e.quote and e.page >= 1
    assert "governed by the laws" in items["law-stated"].evidence[0].quote
    assert "thirty (30) days" in items["tfc-notice"].evidence[0].quote
    md = render_markdown(report)
    assert md.index("## Review\n\nPlaybook: planted\n") < md.index("## Key terms")
    assert re.search(r"\| tfc-notice \| deviates \| high \| 30 days \| L\d+", md)


def test_never_missing_when_a_finding_of_the_category_exists(planted_review: tuple[str, Report]) -> None:
    text, report = planted_review
    # A finding of every category, and document scores that would otherwise say "absent".
    quote = "This Agreement shall be governed by the laws of the State of New York."
    start = text.index(quote)
    findings = [
        Finding(
            category=r.category,
            confidence=0.6,
            model="rules",
            quote=quote,
            start=start,
            end=start + len(quote),
            page=1,
            segment=0,
        )  # fmt: skip
        for r in default_playbook().rules
    ]
    scores = {c: -30.0 for c in STANDARD_POSITIONS}
    review = review_items(text, default_playbook(), findings, [], scores)
    assert len(review.items) == len(default_playbook().rules)
    assert all(i.status != "missing" and i.evidence for i in review.items)
    # And with no findings, no scores (a segment the clause model did not read): review.
    blind = review_items(text, default_playbook(), [], [], None)
    assert {i.status for i in blind.items} == {"review"}


@needs_shared
def test_missing_verdicts_on_a_cuad_sample(cuad_sample: list[Contract]) -> None:
    # In-sample: the shipped clause model was trained on cuad-dev. The held-out figures come from
    # bench/missing_cv.py (5-fold CV, models refitted per fold), quoted at clauses.MISSING_LOGIT.
    scores, docs_per_s, failures = evaluate(cuad_sample, processes=1)
    assert not failures
    t = scores.missing_total
    assert t.tp + t.fp >= 100  # the sample exercises the verdict
    assert t.precision >= 0.95, scores.missing


CAP_PLAYBOOK = """\
rules:
  - id: cap
    category: Cap On Liability
    kind: expected
    term: liability_cap
    min_fee_months: 12
    severity: high
    guidance: At least 12 months' fees.
"""


@pytest.mark.parametrize(
    ("sentence", "status", "answer"),
    [
        ("liability shall not exceed the fees paid in the twelve (12) months before the claim.", "meets",
         "12 months' fees"),
        ("liability shall not exceed the fees paid in the six (6) months before the claim.", "deviates",
         "6 months' fees"),
        ("liability shall not exceed the fees paid in the two (2) years before the claim.", "meets",
         "24 months' fees"),
        ("liability shall not exceed USD 500,000.", "review", "500,000 USD"),
    ],
)  # fmt: skip
def test_a_liability_cap_is_measured_in_months_of_fees(sentence: str, status: str, answer: str) -> None:
    from pipeline.analyze.keyterms import find_key_terms
    from pipeline.types import KeyTerm

    text = f"9. Limitation of Liability. In no event shall either party's aggregate {sentence}\n"
    terms = [KeyTerm(name=k.name, value=k.value, quote=text[k.start : k.end], start=k.start, end=k.end, page=1,
                     segment=0) for k in find_key_terms(text) if k.name == "liability_cap"]  # fmt: skip
    assert terms, text
    at = text.index("In no event")
    finding = Finding(category="Cap On Liability", quote=text[at:-1], start=at, end=len(text) - 1, page=1,
                      segment=0, confidence=0.9, model="rules")  # fmt: skip
    [item] = review_items(text, parse_playbook(CAP_PLAYBOOK), [finding], terms, None).items
    assert (item.status, item.answer) == (status, answer), item.reason
    assert item.evidence and all(text[e.start : e.end] == e.quote for e in item.evidence)


def test_min_fee_months_is_for_a_liability_cap_only() -> None:
    with pytest.raises(BadPlaybook, match="min_fee_months"):
        parse_playbook(CAP_PLAYBOOK.replace("liability_cap", "renewal_term"))
