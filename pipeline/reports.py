"""Report → Markdown for people (the JSON is the ``Report`` model itself)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from pipeline.findings import Span
from pipeline.report_model import Report

_KEY_TERM_TITLES = {
    "party": "Parties", "agreement_date": "Agreement date", "effective_date": "Effective date",
    "expiration_date": "Expiration date", "governing_law": "Governing law", "renewal_term": "Renewal term",
    "renewal_notice": "Notice to stop renewal", "termination_notice": "Termination notice",
    "notice_period": "Notice period", "liability_cap": "Liability cap",
}  # fmt: skip
MAX_QUOTE = 400


def _cell(s: str) -> str:
    return " ".join(s.split()).replace("|", "\\|")


def _quote(s: str) -> str:
    flat = " ".join(s.split())
    return flat if len(flat) <= MAX_QUOTE else flat[: MAX_QUOTE - 1] + "…"


def _where(span: Span) -> str:
    section = f", § {span.section}" if span.section else ""
    return f"p. {span.page}{section}, chars {span.start}–{span.end}"


def render_markdown(report: Report) -> str:
    d, s = report.document, report.summary
    out: list[str] = [f"# {d.name}", ""]
    out.append(
        f"{d.kind.capitalize()} · {d.pages} page(s) · {d.tokens:,} tokens · {s.segments} segment(s) · "
        f"{s.findings} findings in {len(s.categories_found)} categories · {s.dangling_references} dangling "
        f"reference(s) · {s.term_issues} defined-term issue(s) · {s.conflicts} conflict(s) · cost ${s.cost_usd:.2f}"
    )
    out.append("")
    if report.synthesis:
        out += ["## Executive summary", "", report.synthesis.executive_summary, ""]
        out += [f"- {o}" for o in report.synthesis.observations]
        out += [f"\n_(written by {report.synthesis.model})_", ""]
    if report.warnings:
        out += ["## Warnings", ""] + [f"- `{w.code}` {w.message}" for w in report.warnings] + [""]

    out += ["## Key terms", "", "| Term | Value | Where | Quote |", "|---|---|---|---|"]
    for k in report.key_terms:
        out.append(
            f"| {_KEY_TERM_TITLES.get(k.name, k.name)} | {_cell(k.value)} | {_where(k)} | {_cell(_quote(k.quote))} |"
        )
    if not report.key_terms:
        out.append("| — | none found | | |")
    out.append("")

    if report.findings:
        out += ["## Findings by category", ""]
        by_cat: dict[str, list[int]] = defaultdict(list)
        for i, f in enumerate(report.findings):
            by_cat[f.category].append(i)
        for cat, idxs in by_cat.items():
            out += [f"### {cat} ({len(idxs)})", ""]
            for i in idxs:
                f = report.findings[i]
                out.append(f"- > {_quote(f.quote)}")
                out.append(f"  — {_where(f)}; confidence {f.confidence:.2f}; {f.model}, segment {f.segment}")
            out.append("")

    out += ["## Cross-references", ""]
    dangling = [r for r in report.references if r.status == "dangling"]
    cross = [r for r in report.references if r.status == "resolved" and r.cross_segment]
    out.append(f"{len(report.references)} references: {len(report.references) - len(dangling)} resolved "
               f"({len(cross)} across segments), {len(dangling)} dangling.")  # fmt: skip
    out.append("")
    if dangling:
        out += ["| Reference | Where | Problem |", "|---|---|---|"]
        out += [f"| {_cell(r.label)} | {_where(r)} | target `{r.target}` not found |" for r in dangling]
        out.append("")

    out += ["## Defined terms", ""]
    defined = sorted({t.term for t in report.defined_terms if t.style != "as_defined_in"})
    out.append(
        f"{len(defined)} defined terms."
        + (" " + ", ".join(defined[:60]) + ("…" if len(defined) > 60 else "") if defined else "")
    )
    out.append("")
    if report.term_issues:
        out += ["| Term | Issue | Detail | Where |", "|---|---|---|---|"]
        for t in report.term_issues:
            where = "; ".join(_where(sp) for sp in t.spans[:3])
            out.append(f"| {_cell(t.term)} | {t.issue} | {_cell(t.detail)} | {where} |")
        out.append("")

    out += ["## Conflicts", ""]
    if not report.conflicts:
        out += ["None found.", ""]
    for c in report.conflicts:
        out.append(f"- **{_KEY_TERM_TITLES.get(c.name, c.name)}**: {' vs '.join(c.values)}")
        out += [f"  - {_cell(k.value)} — {_where(k)}: > {_quote(k.quote)}" for k in c.occurrences]
    out.append("")

    if any(r.model != "rules" for r in report.routes):
        out += ["## Routing", "", "| # | Model | Why | Est. USD | Fallback |", "|---|---|---|---|---|"]
        for r in report.routes:
            why = _cell("; ".join(r.reasons))
            out.append(
                f"| {r.segment} | {r.model} | {why} | {r.estimated_usd:.4f} | {', '.join(r.fallback)} |"
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
        status = g.status + (f" ({g.error.code})" if g.error else "")
        out.append(f"| {g.index} | {g.tokens:,} | {pages} | {_cell(g.first_section or '—')} → {_cell(g.last_section or '—')} "
                   f"| {g.model} | {status} | {g.findings} |")  # fmt: skip
    out.append("")
    return "\n".join(out)


def write_report_files(out_dir: Path, source: Path, report: Report) -> tuple[Path, Path]:
    """``<out_dir>/<stem>.report.json`` and ``.report.md`` for the document at ``source``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = source.name.rsplit(".", 1)[0]
    json_path, md_path = out_dir / f"{stem}.report.json", out_dir / f"{stem}.report.md"
    json_path.write_text(report.model_dump_json(indent=1), encoding="utf-8")
    md_path.write_text(render_markdown(report), encoding="utf-8")
    return json_path, md_path
