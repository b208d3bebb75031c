"""Report → Markdown for people (the JSON is the ``Report`` model itself).

Everything taken from the document (quotes, names, values, terms, sections, and model output,
which the document can steer) is written as inert inline text: one line, HTML-escaped and with
Markdown's control characters backslash-escaped, so no viewer turns it into HTML, a link or a
new block. The renderer itself writes no links; one added later must be http(s) only.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import os
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

from pipeline.analyze.paper import LLMDigest
from pipeline.report.model import ClauseGroup, Evidence, Place, Report
from pipeline.types import Span, place

_KEY_TERM_TITLES = {
    "party": "Parties", "agreement_date": "Agreement date", "effective_date": "Effective date",
    "expiration_date": "Expiration date", "governing_law": "Governing law", "renewal_term": "Renewal term",
    "renewal_notice": "Notice to stop renewal", "termination_notice": "Termination notice",
    "notice_period": "Notice period", "liability_cap": "Liability cap",
}  # fmt: skip
MAX_QUOTE = 400
MAX_PASSAGES = 5  # per clause group in the Markdown; the JSON report has them all
MAX_REPEATS = 6  # places listed for words that repeat

# Characters that can break a line or restyle a terminal: C0/C1 controls (newline, ESC…), DEL,
# Unicode line/paragraph separators and bidi overrides (which make a name read differently).
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Markdown punctuation that starts inline markup anywhere: escapes, code, emphasis, links,
# table cells, headings (also a heading's closing #), strikethrough.
_MD_INLINE = re.compile(r"([\\`*_\[\]|#~])")
# At the start of a block: list items ("-", "+", "1." "1)") and setext underlines ("=").
_MD_BLOCK_START = re.compile(r"^(?:(\d{1,9})([.)])|([-+=]))")
_CODE_SAFE = re.compile(r"[A-Za-z0-9_.:/@-]+")


def _escape_char(m: re.Match[str]) -> str:
    c = m.group()
    if c in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[c]
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"


def printable(text: str) -> str:
    """``text`` safe to print as (part of) one line: a file name can contain a newline, and
    printed raw it would forge a line of output (``evil\\nerror[...]``). Control characters,
    line separators and bidi overrides are shown as Python-style escapes (``\\n``, ``\\x1b``,
    ``\\u202e``); everything else, backslashes included, is left as it is."""
    return _UNPRINTABLE.sub(_escape_char, text)


def _md(text: str, limit: int | None = None, *, line_start: bool = False) -> str:
    """Document text as inert Markdown inline text (see the module docstring); ``line_start``
    where it begins a line, so that "2. Term" or "- x" cannot open a list there."""
    flat = " ".join(text.split())  # no line breaks: a cell, heading or list item stays one line
    if limit is not None and len(flat) > limit:
        flat = flat[: limit - 1] + "…"  # cut before escaping, never inside an escape
    flat = _CONTROL.sub(_escape_char, flat)  # what split() left: NUL, ESC…
    out = _MD_INLINE.sub(r"\\\1", html.escape(flat, quote=False))
    if not line_start:
        return out
    return _MD_BLOCK_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", out)


def _quote(s: str, *, line_start: bool = False) -> str:
    return _md(s, MAX_QUOTE, line_start=line_start)


def _code(s: str) -> str:
    """A code span for identifier-like text; anything else as escaped text (a backtick in it would
    end the span, and escapes do not work inside one)."""
    return f"`{s}`" if _CODE_SAFE.fullmatch(s) else _md(s, line_start=True)


def _where(span: Span) -> str:
    return f"{_md(place(span))}, chars {span.start}–{span.end}"


def _cite(e: Evidence | Span) -> str:
    return f"{_md(place(e))}, chars {e.start}–{e.end}"


def _review(report: Report) -> list[str]:
    """The playbook's verdicts, one row per rule: status, severity, answer and first citation."""
    if report.review is None:
        return []
    out = ["## Review", "", f"Playbook: {_md(report.review.playbook, line_start=True)}", "",
           "| Rule | Status | Severity | Answer | Citation |", "|---|---|---|---|---|"]  # fmt: skip
    for i in report.review.items:
        cite = f"{_cite(i.evidence[0])}: {_quote(i.evidence[0].quote)}" if i.evidence else _md(i.reason)
        answer = _md(i.answer) if i.answer else "—"
        out.append(f"| {_md(i.rule)} | {i.status} | {i.severity} | {answer} | {cite} |")
    return [*out, ""]


def _places(places: Sequence[Place]) -> str:
    shown = ", ".join(_md(place(p)) for p in places[:MAX_REPEATS])
    more = f" and {len(places) - MAX_REPEATS} more place(s)" if len(places) > MAX_REPEATS else ""
    return f"; the same words also at {shown}{more}"


def _group(g: ClauseGroup) -> list[str]:
    """One category as one item: its strongest passages (at most ``MAX_PASSAGES``) and a count of the rest."""
    places = sum(1 + len(p.repeats) for p in g.evidence)
    pages = f"{g.pages[0]}" if len(g.pages) == 1 else f"{g.pages[0]}–{g.pages[-1]}"
    out = [f"### {_md(g.category)}", "",
           f"{g.passages} passage(s), {len(g.evidence)} distinct, in {places} place(s) on page(s) {pages}; "
           f"best confidence {g.confidence:.2f}.", ""]  # fmt: skip
    for p in g.evidence[:MAX_PASSAGES]:
        out.append(f"- > {_quote(p.quote, line_start=True)}")
        repeats = _places(p.repeats) if p.repeats else ""
        out.append(f"  — {_cite(p)}; confidence {p.confidence:.2f}{repeats}")
    if len(g.evidence) > MAX_PASSAGES:
        out.append(f"- … and {len(g.evidence) - MAX_PASSAGES} more passage(s) (all in the JSON report)")
    return [*out, ""]


def _paper_digest(report: Report) -> list[str]:
    p = report.paper
    if p is None:
        return []
    out = ["## Digest", ""]
    if p.title:
        out.append(f"**{_md(p.title)}**" + (f" — {_md(', '.join(p.authors))}" if p.authors else ""))
        out.append("")
    resolved = sum(c.target is not None for c in p.citations)
    numbered = sum(not s.appendix for s in p.sections)
    out += [
        f"{numbered} numbered section(s), {len(p.sections) - numbered} appendix section(s), "
        f"{len(p.figures)} figure(s), {len(p.tables)} table(s), {len(p.footnotes)} footnote(s), "
        f"{len(p.bibliography)} bibliography "
        f"entries, {resolved} of {len(p.citations)} citation(s) linked to an entry.",
        "",
    ]
    d = p.digest
    for heading, items in (
        ("Contributions", d.contributions),
        ("Results", d.results),
        ("Data sets", d.datasets),
        ("Code and data availability", d.availability),
        ("Limitations", d.limitations),
        ("Central sentences per section", d.central),
    ):
        if not items:
            continue
        out += [f"### {heading}", ""]
        for i in items:
            facts = ", ".join(
                f"{k} {_md(v)}" for k, v in (("metric", i.metric), ("value", i.value), ("dataset", i.dataset),
                                             ("vs", i.compared)) if v
            )  # fmt: skip
            where = f"p. {i.page}" + (f", § {_md(i.section)}" if i.section else "")
            out.append(f"- {_quote(i.quote)} ({where})" + (f" — {facts}" if facts else ""))
        out.append("")
    return out + _llm_digest(d.llm)


def _llm_digest(llm: LLMDigest | None) -> list[str]:
    """The models' digest: each item in the model's words, then its verified quotes."""
    if llm is None:
        return []
    out = [f"### Digest by {_md(', '.join(llm.models))}", ""]
    if llm.dropped:
        out += [
            f"{llm.dropped} item(s) the model(s) gave without a quote found in the text were dropped.",
            "",
        ]
    for heading, items in (
        ("Contributions", llm.contributions), ("Methods", llm.methods), ("Data sets", llm.datasets),
        ("Results", llm.results), ("Limitations", llm.limitations), ("Open questions", llm.open_questions),
    ):  # fmt: skip
        if not items:
            continue
        out += [f"#### {heading}", ""]
        for i in items:
            facts = ", ".join(
                f"{k} {_md(v)}"
                for k, v in (("dataset", i.dataset), ("vs", i.baseline), ("delta", i.delta))
                if v
            )
            out.append(f"- {_md(i.text)}" + (f" ({facts})" if facts else ""))
            out += [f"  - {_quote(e.quote)} — {_cite(e)}" for e in i.evidence]
        out.append("")
    return out


def _title(name: str) -> str:
    return _md(_KEY_TERM_TITLES.get(name, name))


def _paragraphs(text: str) -> list[str]:
    """Model-written prose: its paragraphs kept, each one escaped like any document text."""
    return [_md(p, line_start=True) for p in re.split(r"\n\s*\n", text) if p.strip()]


def render_markdown(report: Report) -> str:
    d, s = report.document, report.summary
    out: list[str] = [f"# {_md(d.name)}", ""]
    out.append(
        f"{d.kind.capitalize()} · {d.pages} page(s) · {d.tokens:,} tokens · {s.segments} segment(s) · "
        f"{s.findings} findings in {len(s.categories_found)} categories · {s.dangling_references} dangling "
        f"reference(s) · {s.term_issues} defined-term issue(s) · {s.conflicts} conflict(s) · cost ${s.cost_usd:.2f}"
    )
    out.append("")
    if report.review is not None and not report.review.final:  # held for sign-off (issue 19)
        n = report.review.awaiting_signoff
        out += [f"**Not final:** {n} review item(s) await a reviewer's sign-off.", ""]
    if d.ocr_pages:  # a reader checking a quote must know it is OCR text, not the PDF's own
        shown = ", ".join(map(str, d.ocr_pages))
        out += [f"Read by OCR: page(s) {shown}; quotes cited on them are OCR text.", ""]
    out += _paper_digest(report)  # a paper's reader wants its digest before any count
    if report.synthesis:  # first: what deviates or is missing, then key terms, then counts
        out += ["## Executive summary", ""]
        for para in _paragraphs(report.synthesis.executive_summary):
            out += [para, ""]
        out += [f"- {_md(o, line_start=True)}" for o in report.synthesis.observations]
        out += [f"- {_md(w, line_start=True)}" for w in report.synthesis.warnings]
        out += [f"\n_(written by {_md(report.synthesis.model)})_", ""]
    out += _review(report)
    if report.warnings:
        out += ["## Warnings", ""] + [f"- {_code(w.code)} {_md(w.message)}" for w in report.warnings] + [""]

    out += ["## Key terms", "", "| Term | Value | Where | Quote |", "|---|---|---|---|"]
    for k in report.key_terms:
        out.append(f"| {_title(k.name)} | {_md(k.value)} | {_where(k)} | {_quote(k.quote)} |")
    if not report.key_terms:
        out.append("| — | none found | | |")
    out.append("")

    if report.clauses:
        out += ["## Findings by category", ""]
        for group in report.clauses:
            out += _group(group)
    out += ["## Cross-references", ""]
    dangling = [r for r in report.references if r.status == "dangling"]
    cross = [r for r in report.references if r.status == "resolved" and r.cross_segment]
    out.append(f"{len(report.references)} references: {len(report.references) - len(dangling)} resolved "
               f"({len(cross)} across segments), {len(dangling)} dangling.")  # fmt: skip
    out.append("")
    if dangling:
        out += ["| Reference | Where | Problem |", "|---|---|---|"]
        out += [f"| {_md(r.label)} | {_where(r)} | target {_code(r.target)} not found |" for r in dangling]
        out.append("")

    out += ["## Defined terms", ""]
    defined = sorted({t.term for t in report.defined_terms if t.style != "as_defined_in"})
    out.append(
        f"{len(defined)} defined terms."
        + (
            " " + ", ".join(_md(t) for t in defined[:60]) + ("…" if len(defined) > 60 else "")
            if defined
            else ""
        )
    )
    out.append("")
    if report.term_issues:
        out += ["| Term | Issue | Detail | Where |", "|---|---|---|---|"]
        for t in report.term_issues:
            where = "; ".join(_where(sp) for sp in t.spans[:3])
            out.append(f"| {_md(t.term)} | {t.issue} | {_md(t.detail)} | {where} |")
        out.append("")

    out += ["## Conflicts", ""]
    if not report.conflicts:
        out += ["None found.", ""]
    for c in report.conflicts:
        out.append(f"- **{_title(c.name)}**: {' vs '.join(_md(v) for v in c.values)}")
        out += [
            f"  - {_md(k.value, line_start=True)} — {_where(k)}: > {_quote(k.quote)}" for k in c.occurrences
        ]
    out.append("")

    if any(r.model != "rules" for r in report.routes):
        out += ["## Routing", "", "| # | Model | Why | Est. USD | Fallback |", "|---|---|---|---|---|"]
        for r in report.routes:
            why = _md("; ".join(r.reasons))
            out.append(
                f"| {r.segment} | {_md(r.model)} | {why} | {r.estimated_usd:.4f} | {_md(', '.join(r.fallback))} |"
            )
        out.append("")
    out += [
        "## Segments",
        "",
        "| # | Tokens | Pages | Sections | Model | Status | Findings |",
        "|---|---|---|---|---|---|---|",
    ]
    for g in report.segments:
        pages = f"{g.page_first}" if g.page_first == g.page_last else f"{g.page_first}–{g.page_last}"
        status = g.status + (f" ({_md(g.error.code)})" if g.error else "")
        out.append(f"| {g.index} | {g.tokens:,} | {pages} | {_md(g.first_section or '—')} → {_md(g.last_section or '—')} "
                   f"| {_md(g.model)} | {status} | {g.findings} |")  # fmt: skip
    out.append("")
    return "\n".join(out)


def _stem(parts: Sequence[str]) -> str:
    *folders, name = parts
    # Control characters (a newline…) are legal in file names but a hazard in every script
    # that lists the output folder: replaced here; the colliding names they may make are
    # told apart below like any other.
    stem = name.rsplit(".", 1)[0] or name.lstrip(".") or "document"  # ".txt": no hidden report
    return _UNPRINTABLE.sub("_", "__".join([*folders, stem]))


def report_stems(sources: Sequence[Path]) -> list[str]:
    """File stems for the reports of ``sources``, all written to one folder: unique, readable,
    and the same on every run over the same files.

    A document keeps its own stem (``contract`` for ``a/contract.pdf``) unless another document
    of the run has that stem too. Those that share one are named by their path below the
    folder they have in common, folders joined with ``__`` (``a/contract.pdf`` and
    ``b/contract.pdf`` → ``a__contract``, ``b__contract``). A name still shared after that
    (``x.pdf`` and ``x.docx`` in one folder) gets ``-`` and 8 hex digits of its path's sha256.
    Names are compared case-insensitively: the output folder may be on such a filesystem.
    """
    full = [Path(os.path.abspath(p)) for p in sources]  # abspath: ".." folded, symlinks kept
    distinct = list(dict.fromkeys(full))  # the same path given twice is one document
    names = {p: _stem([p.name]) for p in distinct}
    groups: dict[str, list[Path]] = defaultdict(list)
    for p in distinct:
        groups[names[p].casefold()].append(p)
    for group in groups.values():
        if len(group) > 1:
            with contextlib.suppress(ValueError):  # no common folder (two drives): hashes below
                common = Path(os.path.commonpath([p.parent for p in group]))
                names.update({p: _stem(p.relative_to(common).parts) for p in group})
    counts = Counter(n.casefold() for n in names.values())
    for p in distinct:
        if counts[names[p].casefold()] > 1:
            names[p] += "-" + hashlib.sha256(str(p).encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return [names[p] for p in full]


def write_memo(out_dir: Path, stem: str, docx: bytes) -> Path:
    """``<out_dir>/<stem>.report.docx`` beside the JSON and Markdown reports (``--memo``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{stem}.report.docx"
    path.write_bytes(docx)
    return path


def write_report_files(
    out_dir: Path, source: Path, report: Report, *, stem: str | None = None
) -> tuple[Path, Path]:
    """``<out_dir>/<stem>.report.json`` and ``.report.md`` for the document at ``source``; ``stem``
    from ``report_stems`` when several documents write to ``out_dir`` (default: the file's own)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = stem or report_stems([source])[0]
    json_path, md_path = out_dir / f"{stem}.report.json", out_dir / f"{stem}.report.md"
    json_path.write_text(report.model_dump_json(indent=1), encoding="utf-8")
    md_path.write_text(render_markdown(report), encoding="utf-8")
    return json_path, md_path
