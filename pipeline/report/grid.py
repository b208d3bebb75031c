"""The review grid (issue 16): one row per document, two cells per playbook rule, as CSV and XLSX.

Columns: file, job id, job status, error code, then for each rule (in playbook order; the union
of the rules when documents used different playbooks) its **answer** (the normalized answer,
else the strongest evidence quote shortened, with its citation "p. N, § section"; "absent" for
``missing``) and its **status** (``meets|deviates|missing|review``, followed by the reviewer's
decision when there is one: "deviates → accepted by k1a2b3 2026-12-07"). Every cell links to
the web viewer at that item (``links.viewer_url``): the CSV has a link column per rule, the XLSX
a hyperlink on the answer cell. A document without a report (failed) or without a review (an
older job) has empty rule cells.

Decisions are read from ``item.decision``; the caller attaches them (the report layer does not
reach up into the job store). Cells are made safe as in ``tables.py``: no formulas, no
control characters.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from pipeline.report.links import viewer_url
from pipeline.report.markdown import printable
from pipeline.report.model import Evidence, Report, ReviewItem
from pipeline.report.tables import _safe
from pipeline.types import place

MAX_ANSWER = 300  # a cell a reviewer reads at a glance; the viewer has the whole quote
DOC_COLUMNS = ("file", "job_id", "status", "error_code")
# Light tints (Excel's own "good/bad/neutral" family): readable with black text.
FILLS = {"meets": "C6EFCE", "deviates": "FFC7CE", "missing": "FFE0B2", "review": "FFEB9C"}
PAST = {"accept": "accepted", "reject": "rejected", "edit": "edited"}


@dataclass
class GridRow:
    name: str
    job_id: str | None
    status: str
    error_code: str
    report: Report | None  # with decisions attached (``decisions.with_decisions``)


@dataclass
class Cell:
    answer: str
    status: str  # the verdict, with the reviewer's decision when there is one
    effective: str  # the status that colours the cell: an edit's status, else the model's
    link: str
    evidence: bool


def rules(rows: list[GridRow]) -> list[str]:
    """The rules of every row's review, each once: the first playbook's order, then any new
    rule of a later one where it first appears."""
    seen: dict[str, None] = {}
    for row in rows:
        if row.report is not None and row.report.review is not None:
            for item in row.report.review.items:
                seen.setdefault(item.rule, None)
    return list(seen)


def header(rule_ids: list[str]) -> list[str]:
    cols = list(DOC_COLUMNS)
    for rule in rule_ids:
        cols += [f"{rule}: answer", f"{rule}: status", f"{rule}: link"]
    return cols


def _flat(text: str) -> str:
    return " ".join(text.split())


def _short(text: str, limit: int = MAX_ANSWER) -> str:
    flat = _flat(text)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def citation(ev: Evidence) -> str:
    return _flat(place(ev))


def _answer(item: ReviewItem) -> str:
    if item.status == "missing":
        return "absent"
    ev = item.evidence[0] if item.evidence else None
    text = item.answer or (f"“{_short(ev.quote)}”" if ev else _short(item.reason))
    return f"{_flat(text)} ({citation(ev)})" if ev else _flat(text)


def cell(item: ReviewItem, job_id: str | None, base_url: str) -> Cell:
    answer = _answer(item)
    status: str = item.status
    effective: str = item.status
    d = item.decision
    if d is not None:
        day = d.at[:10]
        if d.action == "edit":
            effective = d.status or item.status
            change = f"{effective}, edited" if d.status and d.status != item.status else "edited"
            if d.value:
                answer = f"{_flat(d.value)} (edited; was: {answer})"
        else:
            change = PAST[d.action]
        status = f"{item.status} → {change} by {_flat(d.by)} {day}"
        if d.comment:
            status += f": {_short(d.comment, 200)}"
    link = viewer_url(base_url, job_id, item.rule) if job_id else ""
    return Cell(_safe(answer), _safe(status), effective, link, bool(item.evidence))


def row_cells(row: GridRow, rule_ids: list[str], base_url: str) -> list[Cell | None]:
    review = row.report.review if row.report is not None else None
    items = {i.rule: i for i in review.items} if review is not None else {}
    return [cell(items[r], row.job_id, base_url) if r in items else None for r in rule_ids]


def _doc_values(row: GridRow) -> list[str]:
    return [_safe(printable(row.name)), row.job_id or "", row.status, row.error_code]


def to_csv(rows: list[GridRow], base_url: str) -> bytes:
    rule_ids = rules(rows)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header(rule_ids))
    for row in rows:
        values = _doc_values(row)
        for c in row_cells(row, rule_ids, base_url):
            values += [c.answer, c.status, c.link] if c else ["", "", ""]
        w.writerow(values)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel then reads UTF-8 right


def to_xlsx(rows: list[GridRow], base_url: str) -> bytes:
    """For people: no link columns (the answer cell is the link), widths, wrapped text, a frozen
    header and first column, an autofilter over the table, and a fill per status."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    rule_ids = rules(rows)
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook has its sheet
    ws.title = "review"
    heads = list(DOC_COLUMNS)
    for rule in rule_ids:
        heads += [f"{rule}: answer", f"{rule}: status"]
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    link_font = Font(color="0563C1", underline="single")
    fills = {s: PatternFill("solid", start_color=c, end_color=c) for s, c in FILLS.items()}
    for col, name in enumerate(heads, 1):
        c = ws.cell(row=1, column=col, value=name)
        c.font, c.alignment = bold, wrap
    for r, row in enumerate(rows, 2):
        for col, v in enumerate(_doc_values(row), 1):
            c = ws.cell(row=r, column=col, value=v)
            c.data_type, c.alignment = "s", wrap  # never a formula, whatever the text starts with
        col = len(DOC_COLUMNS) + 1
        for gc in row_cells(row, rule_ids, base_url):
            for value in (gc.answer, gc.status) if gc else ("", ""):
                c = ws.cell(row=r, column=col, value=value)
                c.data_type, c.alignment = "s", wrap
                if gc is not None:
                    c.fill = fills[gc.effective]
                col += 1
            if gc is not None and gc.link:
                answer = ws.cell(row=r, column=col - 2)
                answer.hyperlink, answer.font = gc.link, link_font
    widths = [32, 14, 11, 16] + [40, 24] * len(rule_ids)
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "B2"  # the header row and the file column stay in view
    ws.auto_filter.ref = f"A1:{get_column_letter(len(heads))}{len(rows) + 1}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
