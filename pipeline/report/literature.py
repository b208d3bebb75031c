"""The literature table (issue 18): a batch of papers as one table, one row per paper, CSV and XLSX.

Columns: file, job id, title, year, authors, data sets, headline results (``metric value`` on a
data set), their evidence (each result's verbatim quote shortened, with where it is), and the
viewer link of the job (``links.viewer_url``), which opens the paper's report on its digest.
Results and data sets come from the models' digest when an LLM read the paper, else from the
offline digest; either way every result shown is a verified quote of the paper. Rows whose
document is not a paper (a contract in the same folder, a failed job) keep their file, job and
status only. Cells are made safe as in ``tables.py``: no formulas, no control characters.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from pipeline.analyze.paper import Paper
from pipeline.report.links import viewer_url
from pipeline.report.markdown import printable
from pipeline.report.model import Report
from pipeline.report.tables import _safe
from pipeline.types import place

HEADLINE_RESULTS = 3
MAX_QUOTE = 200
HEADER = ("file", "job_id", "status", "title", "year", "authors", "datasets", "headline_results",
          "evidence", "link")  # fmt: skip


@dataclass
class LiteratureRow:
    name: str
    job_id: str | None
    status: str
    report: Report | None


@dataclass(frozen=True)
class _Result:
    text: str  # "F1 91.2 (PubTabNet)"
    quote: str
    where: str


def has_papers(rows: list[LiteratureRow]) -> bool:
    return any(r.report is not None and r.report.paper is not None for r in rows)


def _flat(text: str, limit: int | None = None) -> str:
    flat = " ".join(text.split())
    return flat if limit is None or len(flat) <= limit else flat[: limit - 1] + "…"


def _results(paper: Paper) -> list[_Result]:
    """The headline results: the models' when they gave any, else the offline digest's."""
    out: list[_Result] = []
    llm = paper.digest.llm
    if llm is not None and llm.results:
        for r in llm.results:
            e = r.evidence[0]
            out.append(_Result(_result_text(r.metric, r.value, r.dataset), e.quote, place(e)))
    else:
        for d in paper.digest.results:
            out.append(_Result(_result_text(d.metric, d.value, d.dataset), d.quote, place(d)))
    # One line per result stated: the same metric and value said twice is one headline.
    seen: dict[str, _Result] = {}
    for x in out:
        seen.setdefault(x.text, x)
    return list(seen.values())[:HEADLINE_RESULTS]


def _result_text(metric: str | None, value: str | None, dataset: str | None) -> str:
    text = " ".join(p for p in (metric, value) if p)
    return f"{text} ({dataset})" if dataset else text


def _datasets(paper: Paper) -> list[str]:
    names: dict[str, None] = {}
    llm = paper.digest.llm
    if llm is not None:
        for r in llm.results:
            if r.dataset:
                names.setdefault(_flat(r.dataset), None)
        for i in llm.datasets:
            names.setdefault(_flat(i.text, 80), None)
    for d in paper.digest.results:
        if d.dataset:
            names.setdefault(_flat(d.dataset), None)
    return list(names)


def row_values(row: LiteratureRow, base_url: str) -> list[str]:
    link = viewer_url(base_url, row.job_id) if row.job_id else ""
    head = [_safe(printable(row.name)), row.job_id or "", row.status]
    paper = row.report.paper if row.report is not None else None
    if paper is None:
        return [*head, "", "", "", "", "", "", link]
    results = _results(paper)
    return [
        *head,
        _safe(_flat(paper.title or "")),
        paper.year or "",
        _safe(_flat("; ".join(paper.authors))),
        _safe("; ".join(_datasets(paper))),
        _safe("; ".join(r.text for r in results)),
        _safe(" | ".join(f"“{_flat(r.quote, MAX_QUOTE)}” — {_flat(r.where)}" for r in results)),
        link,
    ]


def to_csv(rows: list[LiteratureRow], base_url: str) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADER)
    for row in rows:
        w.writerow(row_values(row, base_url))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel then reads UTF-8 right


def to_xlsx(rows: list[LiteratureRow], base_url: str) -> bytes:
    """For people: the title cell links to the viewer (no link column), wrapped text, widths, a
    frozen header and file column, an autofilter."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook has its sheet
    ws.title = "literature"
    heads = HEADER[:-1]
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    link_font = Font(color="0563C1", underline="single")
    for col, name in enumerate(heads, 1):
        c = ws.cell(row=1, column=col, value=name)
        c.font, c.alignment = bold, wrap
    title_col = heads.index("title") + 1
    for r, row in enumerate(rows, 2):
        values = row_values(row, base_url)
        for col, v in enumerate(values[:-1], 1):
            c = ws.cell(row=r, column=col, value=v)
            c.data_type, c.alignment = "s", wrap  # never a formula, whatever the text starts with
        if values[-1]:
            cell = ws.cell(row=r, column=title_col)
            cell.hyperlink, cell.font = values[-1], link_font
    for col, width in enumerate((28, 14, 11, 44, 7, 30, 30, 36, 60), 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(heads))}{len(rows) + 1}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
