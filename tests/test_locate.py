"""Citations a reader can follow (issue 17 item 5): text files by line, DOCX by section, PDFs by page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from docx import Document

from pipeline.cli.main import main
from pipeline.ingest.pdf import extract_pdf
from pipeline.report.model import Report
from tests.conftest import SHARED_DATA, needs_shared
from tests.pdf_helpers import make_pdf, text_ops

CLAUSES = [
    "1. Term. This Agreement starts on March 3, 2025 and continues for two years.",
    "2. Governing Law. This Agreement is governed by the laws of the State of Delaware.",
    "3. Assignment. Neither party may assign this Agreement without the prior written consent of the other.",
]


def _report(path: Path, out: Path) -> dict[str, Any]:
    assert main(["analyze", str(path), "--out", str(out), "--json"]) == 0
    data: dict[str, Any] = json.loads((out / f"{path.stem}.report.json").read_text())
    return data


def _spans(report: dict[str, Any]) -> list[dict[str, Any]]:
    r = Report.model_validate(report)
    spans: list[dict[str, Any]] = [f.model_dump() for f in r.findings] + [k.model_dump() for k in r.key_terms]
    spans += [e.model_dump() for g in r.clauses for e in g.evidence]
    return spans


def test_a_text_file_is_cited_by_line(planted_review: tuple[str, Report]) -> None:
    text, report = planted_review
    evidence = [e for i in report.review.items for e in i.evidence] if report.review else []
    spans = [*report.findings, *report.key_terms, *evidence]
    assert spans
    for s in spans:
        assert s.where is not None and s.where.startswith("L"), s.where
        first = text.count("\n", 0, s.start) + 1
        last = text.count("\n", 0, max(s.start, s.end - 1)) + 1
        lines = f"L{first}" if first == last else f"L{first}–L{last}"
        assert s.where.split(",")[0] == lines
        assert "p. 1" not in s.where


def test_a_docx_is_cited_by_section_and_a_pdf_by_page(tmp_path: Path, capsys: object) -> None:
    doc = Document()
    doc.add_paragraph("SERVICES AGREEMENT")
    for c in CLAUSES:
        doc.add_paragraph(c)
    doc.save(tmp_path / "a.docx")
    spans = _spans(_report(tmp_path / "a.docx", tmp_path / "out"))
    with_section = [s for s in spans if s["section"]]
    assert with_section and all(s["where"] == f"§ {s['section']} (p. {s['page']})" for s in with_section)

    pdf = tmp_path / "b.pdf"
    pdf.write_bytes(make_pdf(*(text_ops(c) for c in CLAUSES)))
    spans = _spans(_report(pdf, tmp_path / "out2"))
    assert spans and all(s["where"].startswith(f"p. {s['page']}") for s in spans)
    assert {s["page"] for s in spans} >= {2}


@needs_shared
def test_a_pdf_with_printed_page_labels_cites_them_and_the_physical_page(tmp_path: Path) -> None:
    paper = SHARED_DATA / "papers" / "pdf" / "2023.eacl-main.121.pdf"
    pages = extract_pdf(paper.read_bytes()).pages
    assert [p.label for p in pages[:3]] == ["1650", "1651", "1652"]  # the proceedings' page numbers
    report = _report(paper, tmp_path / "out")
    spans = [s for s in _spans(report) if s["page"] == 2]
    assert all(s["where"].startswith("p. 1651 (PDF p. 2)") for s in spans)
    # A PDF whose labels are its physical numbers says nothing twice.
    plain = tmp_path / "c.pdf"
    plain.write_bytes(make_pdf(*(text_ops(c) for c in CLAUSES)))
    assert all(p.label is None for p in extract_pdf(plain.read_bytes()).pages)
