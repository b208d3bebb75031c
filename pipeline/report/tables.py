"""The batch summary table: one row per document, as CSV and XLSX.

Columns: file, status, error code, extraction warnings (pages unread or read by OCR), cost, the key terms (parties, dates, governing law,
renewal, notice periods, liability cap), then for each of the 41 CUAD categories whether it
is present and its clause group's evidence: the strongest passage with its page and section,
and how many more passages the report holds. Cells that a spreadsheet would run as a
formula (leading ``= + - @``) are prefixed with an apostrophe: document text is data. The file
name is shown with its control characters escaped (a newline as ``\\n``), so a name cannot look
like a second row to someone reading the table; quotes and key terms are folded onto one line.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from pipeline.analyze.clauses import CATEGORIES
from pipeline.report.markdown import printable
from pipeline.report.model import ClauseGroup, Report
from pipeline.types import ExtractWarning, place

KEY_TERM_COLUMNS: tuple[tuple[str, str], ...] = (
    ("parties", "party"),
    ("agreement_date", "agreement_date"),
    ("effective_date", "effective_date"),
    ("expiration_date", "expiration_date"),
    ("governing_law", "governing_law"),
    ("renewal_term", "renewal_term"),
    ("renewal_notice", "renewal_notice"),
    ("termination_notice", "termination_notice"),
    ("notice_period", "notice_period"),
    ("liability_cap", "liability_cap"),
)
MAX_QUOTE = 1000  # a cell, not the report: the report has the full quote
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XLSX (XML) cells


@dataclass
class TableRow:
    name: str
    status: str
    error_code: str
    cost_usd: float
    report: Report | None


def header() -> list[str]:
    cols = ["file", "status", "error_code", "warnings", "cost_usd"] + [c for c, _ in KEY_TERM_COLUMNS]
    for cat in CATEGORIES:
        cols += [f"{cat}: present", f"{cat}: evidence"]
    return cols


def _safe(value: str) -> str:
    value = _ILLEGAL.sub(" ", value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_QUOTE else flat[: MAX_QUOTE - 1] + "…"


def _evidence(g: ClauseGroup) -> str:
    """The group's strongest passage, where it is, and how many more there are."""
    best = g.evidence[0]
    where = place(best)
    more = len(g.evidence) - 1
    tail = f" (and {more} more passage{'s' * (more != 1)})" if more else ""
    return f"“{_short(best.quote)}” — {printable(where)}{tail}"


def row_values(row: TableRow) -> list[str | float]:
    values: list[str | float] = [
        _safe(printable(row.name)),
        row.status,
        row.error_code,
        # What extraction could not read or read by OCR: the row's figures depend on it.
        _safe(
            printable(
                "; ".join(
                    f"{w.code}: {w.message}" for w in row.report.warnings if isinstance(w, ExtractWarning)
                )
            )
        )
        if row.report
        else "",
        round(row.cost_usd, 6),
    ]
    r = row.report
    terms = r.summary.key_terms if r else {}
    values += [_safe(" ".join("; ".join(terms.get(name, [])).split())) for _, name in KEY_TERM_COLUMNS]
    groups = {g.category: g for g in r.clauses} if r else {}
    for cat in CATEGORIES:
        if r is None:
            values += ["", ""]
        elif cat in groups:
            values += ["present", _safe(_evidence(groups[cat]))]
        else:
            values += ["absent", ""]
    return values


def to_csv(rows: list[TableRow]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header())
    for row in rows:
        w.writerow(row_values(row))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel then reads UTF-8 right


def to_xlsx(rows: list[TableRow]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("documents")
    ws.freeze_panes = "B2"
    bold = Font(bold=True)
    head = []
    for name in header():
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        head.append(cell)
    ws.append(head)
    for row in rows:
        cells = []
        for v in row_values(row):
            cell = WriteOnlyCell(ws, value=v)
            if isinstance(v, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            cells.append(cell)
        ws.append(cells)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
