"""Report → a lawyer's memo in Word (python-docx): summary, key terms, findings, issues.

Every finding and key term is quoted verbatim with its citation (page, section, character
offsets), so the reader can check it against the source. Built from ``report.json`` alone,
on demand: nothing here needs the document or the job.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from docx import Document
from docx.document import Document as DocType
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor

from pipeline.report.markdown import _KEY_TERM_TITLES
from pipeline.report.model import ClauseGroup, Evidence, Report
from pipeline.report.signoff import SignoffSeverity, needs_signoff
from pipeline.types import Span, place

MAX_QUOTE = 600
MAX_PER_CATEGORY = 5  # passages per clause group: the JSON report has them all; a memo stays readable
# XML 1.0 forbids most control characters; PDF extraction can produce them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
GREY = RGBColor(0x59, 0x59, 0x59)


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text)


def _quote(text: str) -> str:
    flat = " ".join(_clean(text).split())
    return flat if len(flat) <= MAX_QUOTE else flat[: MAX_QUOTE - 1] + "…"


def cite(span: Span | Evidence) -> str:
    return f"{place(span)} (chars {span.start}–{span.end})"


def render_docx(
    report: Report, *, recipient: str = "Legal team", signoff_severity: SignoffSeverity = "high"
) -> bytes:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)
    d, s = report.document, report.summary

    title = doc.add_heading("Memorandum", level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.LEFT
    head = doc.add_table(rows=0, cols=2)
    for label, value in (("To", recipient), ("From", "longdoc (automated review)"),
                         ("Date", datetime.now(UTC).strftime("%d %B %Y")), ("Re", _clean(d.name))):  # fmt: skip
        cells = head.add_row().cells
        cells[0].text, cells[1].text = label + ":", value
        cells[0].paragraphs[0].runs[0].bold = True
    note = doc.add_paragraph()
    run = note.add_run(
        "Automated first-pass review. Every statement below quotes the document and cites where the "
        "quote is; check the quotes against the source before relying on them."
    )
    run.italic, run.font.color.rgb = True, GREY
    if report.review is not None and not report.review.final:  # held for sign-off (issue 19)
        draft = doc.add_paragraph().add_run(
            f"DRAFT — not final: {report.review.awaiting_signoff} review item(s) await a reviewer's sign-off."
        )
        draft.bold = True

    doc.add_heading("1. Summary", level=1)
    doc.add_paragraph(
        f"{d.kind.capitalize()} of {d.pages} page(s) and {d.tokens:,} tokens, read in {s.segments} segment(s). "
        f"{s.findings} clause finding(s) in {len(s.categories_found)} categor(ies); {s.dangling_references} "
        f"dangling cross-reference(s); {s.term_issues} defined-term issue(s); {s.conflicts} conflict(s). "
        f"Model cost ${s.cost_usd:.2f}."
    )
    if report.synthesis:  # deviations and missing clauses first, each cited; key terms; counts
        for para in re.split(r"\n\s*\n", report.synthesis.executive_summary):
            if para.strip():
                doc.add_paragraph(_clean(" ".join(para.split())))
        for o in [*report.synthesis.observations, *report.synthesis.warnings]:
            doc.add_paragraph(_clean(o), style="List Bullet")

    doc.add_heading("2. Key terms", level=1)
    if report.key_terms:
        table = doc.add_table(rows=1, cols=4)
        table.style = "Light Grid Accent 1"
        for cell, text in zip(table.rows[0].cells, ("Term", "Value", "Where", "Quote"), strict=True):
            cell.text = text
        for k in report.key_terms:
            cells = table.add_row().cells
            cells[0].text = _KEY_TERM_TITLES.get(k.name, k.name)
            cells[1].text = _clean(k.value)
            cells[2].text = cite(k)
            cells[3].text = f"“{_quote(k.quote)}”"
    else:
        doc.add_paragraph("No key terms were found.")

    doc.add_heading("3. Findings by category", level=1)
    if not report.clauses:
        doc.add_paragraph("No clause findings.")
    for group in report.clauses:
        _group(doc, group)

    doc.add_heading("4. Issues", level=1)
    _issues(doc, report)

    _review(doc, report, signoff_severity)

    failed = [g for g in report.segments if g.status == "failed"]
    if failed or report.warnings:
        doc.add_heading("6. Limits of this review", level=1)
        for g in failed:
            err = f" ({g.error.code})" if g.error else ""
            doc.add_paragraph(f"Segment {g.index} (pages {g.page_first}–{g.page_last}) was not analysed{err}.",
                              style="List Bullet")  # fmt: skip
        for w in report.warnings:
            doc.add_paragraph(f"{w.code}: {_clean(w.message)}", style="List Bullet")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _group(doc: DocType, g: ClauseGroup) -> None:
    """One category as one item: its strongest passages, then how many more the JSON report has."""
    places = sum(1 + len(p.repeats) for p in g.evidence)
    doc.add_heading(f"{g.category} ({g.passages} passage{'s' * (g.passages != 1)})", level=2)
    if places > len(g.evidence):
        doc.add_paragraph(f"{len(g.evidence)} distinct passage(s) in {places} places.")
    for p in g.evidence[:MAX_PER_CATEGORY]:
        q = doc.add_paragraph(style="Quote")
        q.add_run(f"“{_quote(p.quote)}”")
        c = doc.add_paragraph()
        also = ""
        if p.repeats:
            shown = ", ".join(_clean(place(r)) for r in p.repeats[:6])
            also = f"; the same words also at {shown}" + (
                f" and {len(p.repeats) - 6} more" if len(p.repeats) > 6 else ""
            )
        r = c.add_run(f"{cite(p)}; confidence {p.confidence:.2f}{also}")
        r.font.size, r.font.color.rgb = Pt(9), GREY
    if len(g.evidence) > MAX_PER_CATEGORY:
        doc.add_paragraph(f"… and {len(g.evidence) - MAX_PER_CATEGORY} more passage(s) in the JSON report.")


def _issues(doc: object, report: Report) -> None:
    from docx.document import Document as DocType

    assert isinstance(doc, DocType)
    any_issue = False
    if report.conflicts:
        any_issue = True
        doc.add_heading("Conflicting terms", level=2)
        for c in report.conflicts:
            doc.add_paragraph(f"{_KEY_TERM_TITLES.get(c.name, c.name)}: {' vs '.join(map(_clean, c.values))}",
                              style="List Bullet")  # fmt: skip
            for k in c.occurrences:
                doc.add_paragraph(
                    f"{_clean(k.value)} — {cite(k)}: “{_quote(k.quote)}”", style="List Bullet 2"
                )
    dangling = [r for r in report.references if r.status == "dangling"]
    if dangling:
        any_issue = True
        doc.add_heading("Cross-references that point nowhere", level=2)
        for ref in dangling:
            doc.add_paragraph(f"{_clean(ref.label)} — {cite(ref)}: no {ref.target.split(':', 1)[0]} "
                              f"{ref.target.split(':', 1)[-1]} in the document.", style="List Bullet")  # fmt: skip
    if report.term_issues:
        any_issue = True
        doc.add_heading("Defined terms", level=2)
        for t in report.term_issues:
            where = "; ".join(cite(sp) for sp in t.spans[:3])
            doc.add_paragraph(f"“{_clean(t.term)}” — {t.issue}: {_clean(t.detail)}" + (f" ({where})" if where else ""),
                              style="List Bullet")  # fmt: skip
    if not any_issue:
        doc.add_paragraph("No conflicts, dangling cross-references or defined-term issues were found.")


_STATUS = {"meets": "meets the playbook", "deviates": "DEVIATES", "missing": "MISSING", "review": "to review"}


def _review(doc: object, report: Report, signoff: SignoffSeverity) -> None:
    """Section 5: each playbook item, its verdict and evidence, the reviewer's decision (who, when,
    comment) and whether it still needs sign-off."""
    from docx.document import Document as DocType

    assert isinstance(doc, DocType)
    doc.add_heading("5. Review against the playbook", level=1)
    if report.review is None or not report.review.items:
        doc.add_paragraph("No playbook review was run.")
        return
    items = report.review.items
    open_items = [i for i in items if needs_signoff(i.severity, signoff) and i.decision is None]
    needing = sum(1 for i in items if needs_signoff(i.severity, signoff))
    doc.add_paragraph(
        f"Playbook “{_clean(report.review.playbook)}”: {len(items)} item(s); {needing} need a reviewer's "
        f"sign-off ({signoff} severity and above), {len(open_items)} still open."
    )
    for i in items:
        head = doc.add_paragraph(style="List Bullet")
        head.add_run(f"{i.category} ({i.rule}) — {_STATUS[i.status]}, {i.severity} severity").bold = True
        if i.answer:
            head.add_run(f": {_clean(i.answer)}")
        if needs_signoff(i.severity, signoff) and i.decision is None:
            flag = head.add_run("  [needs sign-off]")
            flag.bold, flag.font.color.rgb = True, RGBColor(0xA1, 0x22, 0x22)
        doc.add_paragraph(_clean(i.reason), style="List Bullet 2")
        for e in i.evidence[:3]:
            where = f"{place(e)} (chars {e.start}–{e.end})"
            doc.add_paragraph(f"“{_quote(e.quote)}” — {where}", style="List Bullet 2")
        if i.decision is not None:
            d = i.decision
            what = {"accept": "Accepted", "reject": "Rejected", "edit": "Edited"}[d.action]
            if d.action == "edit":
                changes = [
                    f"status {d.status}" if d.status else "",
                    f"value “{_clean(d.value)}”" if d.value else "",
                ]
                what += " (" + ", ".join(c for c in changes if c) + ")"
            line = f"Decision: {what} by {d.by} at {d.at}" + (
                f" — “{_clean(d.comment)}”" if d.comment else ""
            )
            doc.add_paragraph(line, style="List Bullet 2").runs[0].italic = True
