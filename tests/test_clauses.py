"""The offline CUAD clause finder: artifact, hits on hand-written clauses, offsets, segmenting."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.analyze.clauses import CATEGORIES, ClauseHit, default_model, find_clauses, load_model
from tests.conftest import SHARED_DATA, needs_shared

CONTRACT = """MASTER SERVICES AGREEMENT

This Master Services Agreement is entered into as of March 1, 2021 by and between Acme Corp., a Delaware corporation ("Acme"), and Beta LLC, a New York limited liability company ("Beta").

1. Services. Beta shall provide the services described in Exhibit A.

2. Fees. Acme shall pay Beta the fees set out in Exhibit B within thirty (30) days of invoice.

3. Assignment. Neither party may assign this Agreement or any of its rights or obligations hereunder without the prior written consent of the other party. Any attempted assignment in violation of this Section shall be null and void.

4. Audit. Beta shall keep complete and accurate books and records, and Acme may audit such books and records upon thirty (30) days prior written notice.

5. Governing Law. This Agreement shall be governed by the laws of the State of New York.

6. Insurance. Beta shall maintain commercial general liability insurance with limits of not less than $1,000,000 per occurrence and shall name Acme as an additional insured.
"""


def categories(hits: list[ClauseHit]) -> set[str]:
    return {h.category for h in hits}


def key(hits: list[ClauseHit]) -> list[tuple[str, int, int]]:
    return sorted((h.category, h.start, h.end) for h in hits)


def assert_verbatim(text: str, hits: list[ClauseHit], base: int = 0) -> None:
    for h in hits:
        quote = text[h.start - base : h.end - base]
        assert quote, h
        assert quote == quote.strip(), h
        assert 0.0 <= h.confidence <= 1.0
        assert h.category in CATEGORIES


def test_artifact_loads_quickly() -> None:
    default_model.cache_clear()
    t0 = time.perf_counter()
    model = default_model()
    assert time.perf_counter() - t0 < 2.0  # budget 0.5 s; slack for slow CI machines
    assert set(model.categories) <= set(CATEGORIES)
    assert model.weights.shape == (len(model.keys), len(model.categories))
    assert len(model.vocab.rules.texts) == model.rule_weights.shape[0]


def test_finds_governing_law_and_anti_assignment() -> None:
    hits = find_clauses(CONTRACT)
    found = categories(hits)
    assert {"Governing Law", "Anti-Assignment", "Audit Rights", "Insurance"} <= found
    law = [h for h in hits if h.category == "Governing Law"]
    assert any("governed by the laws of the State of New York" in CONTRACT[h.start : h.end] for h in law)
    assign = [h for h in hits if h.category == "Anti-Assignment"]
    assert any("prior written consent" in CONTRACT[h.start : h.end] for h in assign)
    assert_verbatim(CONTRACT, hits)


def test_single_sentence() -> None:
    text = "This Agreement shall be governed by the laws of the State of New York."
    hits = find_clauses(text)
    assert [(h.category, h.start, h.end) for h in hits if h.category == "Governing Law"] == [
        ("Governing Law", 0, len(text))
    ]


def test_plain_prose_has_no_clauses() -> None:
    text = "The weather was mild and the committee met on Tuesday to discuss the annual picnic."
    assert not [h for h in find_clauses(text) if h.category not in ("Parties", "Agreement Date")]


def test_empty_and_blank() -> None:
    assert find_clauses("") == []
    assert find_clauses("   \n\n  \n") == []


def test_base_offset_shifts_offsets() -> None:
    base = 12_345
    plain = find_clauses(CONTRACT)
    shifted = find_clauses(CONTRACT, base_offset=base)
    # Document Name is a start-of-document rule: only a text at offset 0 can hold the title.
    plain = [h for h in plain if h.category != "Document Name"]
    assert key(shifted) == [(c, s + base, e + base) for c, s, e in key(plain)]
    assert_verbatim(CONTRACT, shifted, base)


def halves_agree(text: str, cut: int) -> None:
    whole = find_clauses(text)
    parts = find_clauses(text[:cut]) + find_clauses(text[cut:], base_offset=cut)
    assert key(parts) == key(whole)
    conf = {(h.category, h.start, h.end): h.confidence for h in whole}
    for h in parts:
        assert h.confidence == pytest.approx(conf[(h.category, h.start, h.end)], abs=1e-5)


def test_segmenting_at_a_paragraph_boundary_changes_nothing() -> None:
    cut = CONTRACT.index("4. Audit")
    halves_agree(CONTRACT, cut)
    halves_agree(CONTRACT, cut - 1)  # inside the blank line


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_segmenting_anywhere_between_paragraphs(data: st.DataObject) -> None:
    cuts = [i + 2 for i in range(len(CONTRACT)) if CONTRACT.startswith("\n\n", i)]
    halves_agree(CONTRACT, data.draw(st.sampled_from(cuts)))


def test_rules_compile_against_vocabulary() -> None:
    model = load_model()
    rules = model.vocab.rules
    assert rules.lo.shape == rules.hi.shape
    assert (rules.lo <= rules.hi).all()


def cuad_samples(n: int) -> list[str]:
    data = SHARED_DATA / "cuad-dev"
    rows = [json.loads(line) for line in (data / "labels.jsonl").read_text(encoding="utf-8").splitlines()]
    step = max(1, len(rows) // n)
    return [(data / "contracts" / f"{r['slug']}.txt").read_text(encoding="utf-8") for r in rows[::step][:n]]


@needs_shared
@pytest.mark.shared_data
def test_cuad_quotes_are_verbatim_spans() -> None:
    for text in cuad_samples(6):
        hits = find_clauses(text)
        assert hits
        assert_verbatim(text, hits)
        assert all(0 <= h.start < h.end <= len(text) for h in hits)


@needs_shared
@pytest.mark.shared_data
def test_cuad_segmenting_invariance() -> None:
    for text in cuad_samples(3):
        blanks = [i for i in range(len(text)) if text.startswith("\n\n", i)]
        for i in (blanks[len(blanks) // 3], blanks[2 * len(blanks) // 3]):
            halves_agree(text, i + 2)
