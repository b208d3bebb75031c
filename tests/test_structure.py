"""Section-tree finder: each heading form, the false positives it must reject, tree shape."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chunking.structure import find_document_breaks, find_sections
from pipeline.types import Section
from tests.conftest import SHARED_DATA, needs_shared

FILLER = "The parties agree to the terms set out below and in the schedules."


def heads(text: str) -> list[tuple[str, str, int]]:
    return [(s.label, s.title, s.level) for s in find_sections(text)]


def labels(text: str) -> list[str]:
    return [s.label for s in find_sections(text)]


def assert_tree(sections: list[Section], length: int) -> None:
    """Document order, parents shallower and enclosing, siblings disjoint, ends as specified."""
    for i, s in enumerate(sections):
        assert 0 <= s.start < s.end <= length
        if i:
            assert sections[i - 1].start < s.start
        if s.parent is not None:
            p = sections[s.parent]
            assert s.parent < i and p.level < s.level
            assert p.start < s.start and s.end <= p.end
        later = [t for t in sections[i + 1 :] if t.level <= s.level and t.start < s.end]
        assert not later, f"{s.label} overlaps {later[0].label}"


@pytest.mark.parametrize(
    ("line", "label", "title", "level", "kind"),
    [
        ("ARTICLE I DEFINITIONS", "ARTICLE I", "DEFINITIONS", 1, "article"),
        ("Article 4. Indemnification", "Article 4", "Indemnification", 1, "article"),
        ("Section 5.2 Warranties. The Supplier warrants that", "Section 5.2", "Warranties", 3, "section"),
        ("SECTION 7 TERM", "SECTION 7", "TERM", 2, "section"),
        ("Section 2.01. Assignment.", "Section 2.01", "Assignment", 3, "section"),
        ("5.2.1 Notices. All notices shall be in writing.", "5.2.1", "Notices", 4, "subsection"),
        ("12. Governing Law. This Agreement is governed by", "12.", "Governing Law", 2, "section"),
        ("1. Definitions.", "1.", "Definitions", 2, "section"),
        ("3.   TERM OF CONTRACT", "3.", "TERM OF CONTRACT", 2, "section"),
        ('1.1 "Affiliate" shall mean any entity that controls', "1.1", "Affiliate", 3, "subsection"),
        ("EXHIBIT A", "EXHIBIT A", "", 1, "exhibit"),
        ("Exhibit B-1 Form of Note", "Exhibit B-1", "Form of Note", 1, "exhibit"),
        ("Schedule 1 Products", "Schedule 1", "Products", 1, "schedule"),
        ("Annex", "Annex", "", 1, "annex"),
        ("Appendix B: Proofs", "Appendix B", "Proofs", 1, "appendix"),
        ("PART II GENERAL TERMS", "PART II", "GENERAL TERMS", 1, "part"),
        ("Abstract", "Abstract", "", 2, "abstract"),
        ("References", "References", "", 2, "references"),
        ("BIBLIOGRAPHY", "BIBLIOGRAPHY", "", 2, "references"),
    ],
)
def test_heading_forms(line: str, label: str, title: str, level: int, kind: str) -> None:
    text = f"Preamble.\n\n   {line}\n\n{FILLER}\n"
    (s,) = find_sections(text)
    assert (s.label, s.title, s.level, s.kind) == (label, title, level, kind)
    assert s.start == text.index(line) - 3 and s.end == len(text)  # line start, indentation included


def test_clauses_nest_under_sections() -> None:
    text = (
        "1. Services.\n1.1 Scope. The Supplier shall:\n(a) deliver the goods;\n(b) install them, and\n"
        "(i) test them;\n(ii) train staff;\n(c) invoice.\n1.2 Fees. As agreed.\n2. Term.\n"
    )
    got = find_sections(text)
    assert [(s.label, s.level) for s in got] == [
        ("1.", 2), ("1.1", 3), ("(a)", 5), ("(b)", 5), ("(i)", 6), ("(ii)", 6), ("(c)", 5),
        ("1.2", 3), ("2.", 2),
    ]  # fmt: skip
    by_label = {s.label: i for i, s in enumerate(got)}
    assert got[by_label["(ii)"]].parent == by_label["(b)"]
    assert got[by_label["(c)"]].parent == by_label["1.1"]
    assert [s.kind for s in got[2:7]] == ["clause", "clause", "item", "item", "clause"]
    assert_tree(got, len(text))


def test_letter_i_after_h_is_a_letter() -> None:
    items = "".join(f"({c}) item {c};\n" for c in "abcdefghijk")
    got = find_sections("1. Lists.\n" + items)
    assert [s.level for s in got[1:]] == [5] * 11
    assert {s.kind for s in got[1:]} == {"clause"}


def test_roman_list_without_letters() -> None:
    got = find_sections("2. Duties.\n(i) first;\n(ii) second;\n(iii) third;\n(iv) fourth;\n(v) fifth.\n")
    assert [(s.label, s.level, s.kind) for s in got[1:]] == [
        (f"({r})", 6, "item") for r in ["i", "ii", "iii", "iv", "v"]
    ]
    assert all(s.parent == 0 for s in got[1:])


def test_articles_contain_sections() -> None:
    text = (
        "ARTICLE I\nDEFINITIONS\n1.1 Terms. Words.\n1.2 More. Words.\n"
        "ARTICLE II\n\nTERM\n2.1 Start. Words.\nEXHIBIT A\nFORM OF NOTICE\n1. Notice. Text.\n"
    )
    got = find_sections(text)
    assert [(s.label, s.title, s.parent) for s in got] == [
        ("ARTICLE I", "DEFINITIONS", None), ("1.1", "Terms", 0), ("1.2", "More", 0),
        ("ARTICLE II", "TERM", None), ("2.1", "Start", 3),
        ("EXHIBIT A", "FORM OF NOTICE", None), ("1.", "Notice", 5),
    ]  # fmt: skip
    assert got[0].end == got[3].start and got[3].end == got[5].start
    assert_tree(got, len(text))


def test_pdf_artefacts() -> None:
    text = (
        "ARTICLE IV INDEMNI-\nFICATION\n\nText here.\n\n"
        "ARTICLE   V\n  LIMITATION   OF   LIABILITY\n\nMore.\n\f  ARTICLE VI\nTERM\nEnd.\n"
    )
    got = find_sections(text)
    assert [(s.label, s.title) for s in got] == [
        ("ARTICLE IV", "INDEMNIFICATION"),
        ("ARTICLE V", "LIMITATION OF LIABILITY"),
        ("ARTICLE VI", "TERM"),
    ]
    assert got[2].start == text.index("\f") + 1  # a page break is not part of the heading


def test_paper_headings() -> None:
    text = (
        "A Study of Things\n\nAbstract\nWe study things.\n\n1 Introduction\nThings matter.\n"
        "1 Max-Planck-Institut, Bonn, Germany\n2 Related Work\nOthers studied things.\n"
        "2.1 Early Work\nLong ago.\n2.89 Jy at 18.5 GHz was used as a calibrator\n"
        "2.2 Recent Work\nLately.\n3 Method\nWe did it.\nReferences\nSmith, J. 2020.\n"
    )
    assert heads(text) == [
        ("Abstract", "", 2), ("1", "Introduction", 2), ("2", "Related Work", 2), ("2.1", "Early Work", 3),
        ("2.2", "Recent Work", 3), ("3", "Method", 2), ("References", "", 2),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "line",
    [
        "Section 5.2 of this Agreement shall survive termination.",
        "Section 5.2 hereof applies.",
        "Exhibit A attached hereto sets out the price.",
        "Article 4, as amended, applies.",
        "12. March 2020 is the closing date.",
        "1,000,000 shares of common stock",
        "2   3   4",
        "12",
        "   - 12 -",
        "15 days after the notice",
        "5 percent of the price",
        "(see Appendix D.3) to several hundred layers",
        "2020 was a good year.",
    ],
)
def test_false_positives_rejected(line: str) -> None:
    text = f"1. Terms.\n{FILLER} The price is 12. Next Section 5.2 applies.\n{line}\nMore text.\n"
    assert labels(text) == ["1."]


def test_running_headers_and_page_numbers_dropped() -> None:
    pages = [f"Exhibit 10.38\n\n{n}. Clause {n}. {FILLER}\n\nCONFIDENTIAL\n\n{n + 1}\n" for n in range(1, 7)]
    text = "\f".join(pages)
    # The first "Exhibit 10.38" names the filing; its repeats on every page are page headers.
    assert labels(text) == ["Exhibit 10.38", *(f"{n}." for n in range(1, 7))]


def test_repeated_document_keeps_its_headings() -> None:
    doc = "ARTICLE I\nDEFINITIONS\n1.1 Terms. Words.\nARTICLE II\nTERM\n2.1 Start. Words.\n\n"
    assert labels(doc * 4) == ["ARTICLE I", "1.1", "ARTICLE II", "2.1"] * 4


def test_table_of_contents_dropped() -> None:
    toc = (
        "TABLE OF CONTENTS\n\nARTICLE 1 DEFINITIONS 1\n\n1.1 Terms. 1\n\n1.2 More. 2\n\nARTICLE 2 TERM 3\n\n"
    )
    body = "ARTICLE 1 DEFINITIONS\n\n1.1 Terms. Words.\n\n1.2 More. Words.\n\nARTICLE 2 TERM\n\nWords.\n"
    got = find_sections(toc + body)
    assert [s.label for s in got] == ["ARTICLE 1", "1.1", "1.2", "ARTICLE 2"]
    assert got[0].start == len(toc)


def test_document_breaks_close_sections() -> None:
    doc_a = "SUPPLY AGREEMENT\n\nARTICLE I\nTERM\n" + FILLER * 400 + "\n"
    doc_b = "LICENSE AGREEMENT\n\nARTICLE I\nGRANT\n" + FILLER * 400 + "\n"
    text = doc_a + "\f" + doc_b
    assert find_document_breaks(text) == [len(doc_a) + 1]
    got = find_sections(text)
    assert [s.title for s in got] == ["TERM", "GRANT"]
    assert got[0].end == len(doc_a) + 1


def test_dense_page_breaks_are_not_documents() -> None:
    pages = [f"Page text {n}. {FILLER}\n" for n in range(20)]
    pages[7] = "MASTER SERVICES AGREEMENT\n\n" + pages[7]
    text = "\f".join(pages)
    assert find_document_breaks(text) == [text.index("MASTER")]


def test_empty_and_headingless_text() -> None:
    assert find_sections("") == []
    assert find_sections("just words\nand more words\n") == []


_LINE_PARTS = st.sampled_from(
    [
        "ARTICLE IV",
        "Section 3.1",
        "1.",
        "2.3",
        "(a)",
        "(iv)",
        "EXHIBIT B",
        "References",
        "12",
        "words",
        "",
        "\f",
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "  ", "\f"]), _LINE_PARTS, st.sampled_from(["", " Title", " TERM", " text."])
        ),
        max_size=40,
    )
)
def test_tree_invariants_on_heading_soup(lines: list[tuple[str, str, str]]) -> None:
    text = "\n".join(a + b + c for a, b, c in lines)
    assert_tree(find_sections(text), len(text))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_never_fails_on_arbitrary_text(text: str) -> None:
    assert_tree(find_sections(text), len(text))


@needs_shared
def test_real_paper_headings() -> None:
    text = (SHARED_DATA / "papers" / "text_groundtruth" / "2201.00021.txt").read_text(encoding="utf-8")
    got = [(s.label, s.title) for s in find_sections(text) if s.level <= 3]
    assert got[:4] == [("ABSTRACT", ""), ("1.", "Introduction"), ("2.", "Observations and data reduction"),
                       ("2.1.", "Effelsberg observations and data reduction")]  # fmt: skip
    assert ("References", "") in got and ("Appendix A", got[-1][1]) == got[-1]
    assert not any(label.startswith("2.89") for label, _ in got)


@needs_shared
def test_real_contracts_parse_fast_and_nest() -> None:
    files = sorted((SHARED_DATA / "cuad-dev" / "contracts").glob("*.txt"))
    texts = [f.read_text(encoding="utf-8", errors="replace") for f in files]
    # This process's CPU time, not the wall clock: what the parser costs, whatever else the
    # machine (or the other test worker) is running meanwhile.
    t0 = time.process_time()
    found = [find_sections(t) for t in texts]
    elapsed = time.process_time() - t0
    for text, sections in zip(texts, found, strict=True):
        assert_tree(sections, len(text))
    assert sum(map(len, found)) > 5 * len(files)
    megabytes = sum(map(len, texts)) / 1e6
    assert elapsed < 0.2 * megabytes  # ~0.03 s/MB on a quiet machine; generous for CI noise


def test_statement_of_work_is_a_top_level_part() -> None:
    text = "EXHIBIT A\nSTATEMENTS OF WORK\n\nSTATEMENT OF WORK NO. 3\n\n1. Services. Provider shall do.\n\n2. Fees. Customer pays.\n"
    secs = find_sections(text)
    sow = next(s for s in secs if s.label.startswith("STATEMENT OF WORK"))
    assert (sow.label, sow.kind, sow.level) == ("STATEMENT OF WORK NO. 3", "part", 1)
    assert [secs[s.parent].label for s in secs if s.label in ("1.", "2.") and s.parent is not None] == [
        sow.label
    ] * 2
