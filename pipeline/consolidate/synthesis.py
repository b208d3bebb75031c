"""Executive summary and cross-segment observations, written by one LLM pass over the
*structured* results (never the raw text). Inputs too big for the model's reliable context
are reduced hierarchically; tokens are counted before every call."""

from __future__ import annotations

import json
from collections.abc import Callable

from chunking.tokenizer import count_tokens
from pipeline import telemetry
from pipeline.analyze.llm import LLMAnalyzer, UsageMeter
from pipeline.analyze.llm_schema import LLMSynthesis, response_format
from pipeline.errors import InvalidOutput
from pipeline.report.markdown import _KEY_TERM_TITLES
from pipeline.report.model import Evidence, Report, ReviewItem
from pipeline.types import place

SYSTEM = (
    "You write for lawyers. From the structured analysis of a long document (playbook review verdicts, "
    "clause groups with quotes, key terms, cross-reference and defined-term issues, conflicts), write a short "
    "executive summary and observations that connect different segments. Start with every review item that "
    "deviates or is missing, most severe first, naming its category and citing its page. Use only the facts "
    "given. Reply with JSON for the schema."
)


QUOTE_CHARS = 120  # a summary's quotes are short; the report has them whole
MAX_TERM_VALUES = 4  # values per key term in the summary (the key-terms table has them all)
_SEVERITY = {"high": 0, "medium": 1, "low": 2}


def facts(report: Report) -> list[str]:
    """One compact line per fact, in report order (deterministic): the review's verdicts first,
    then key terms, one line per clause group (its strongest passage), the issues."""
    lines = [f"document: {report.document.name}, {report.document.kind}, {report.document.pages} pages, "
             f"{report.document.tokens} tokens, {len(report.segments)} segments"]  # fmt: skip
    for i in report.review.items if report.review else []:
        where = f" evidence {_cite(i.evidence[0], 160)}" if i.evidence else ""
        answer = f"; answer {i.answer}" if i.answer else ""
        lines.append(
            f"review {i.rule} ({i.category}): {i.status}, {i.severity} severity{answer}; {i.reason}{where}"
        )
    lines += [
        f"key term {k.name} = {k.value} (p.{k.page}, {k.section or '-'}, segment {k.segment})"
        for k in report.key_terms
    ]
    for g in report.clauses:
        lines.append(f"clause {g.category}: {g.passages} passage(s) on page(s) {_pages(g.pages)}, "
                     f"strongest {_cite(g.evidence[0], 160)}")  # fmt: skip
    lines += [f"conflict {c.name}: {' vs '.join(c.values)}" for c in report.conflicts]
    lines += [f"term issue {t.issue}: {t.term}" for t in report.term_issues]
    lines += [
        f"dangling reference {r.label} (p.{r.page}, segment {r.segment})"
        for r in report.references
        if r.status == "dangling"
    ]
    return lines


def _pages(pages: list[int]) -> str:
    return ", ".join(map(str, pages[:8])) + ("…" if len(pages) > 8 else "")


def _short(quote: str, limit: int) -> str:
    """A verbatim prefix of ``quote`` on one line (cut at a word where it can be)."""
    flat = " ".join(quote.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] if " " in flat[:limit] else flat[:limit]
    return cut + "…"


def _cite(e: Evidence, limit: int = QUOTE_CHARS) -> str:
    return f"{place(e)}: “{_short(e.quote, limit)}”"


def cited_items(report: Report) -> list[ReviewItem]:
    """The review items the summary must cite: ``deviates`` and ``missing``, by severity (high
    first), deviations before missing clauses, then playbook order."""
    items = report.review.items if report.review else []
    flagged = [(n, i) for n, i in enumerate(items) if i.status in ("deviates", "missing")]
    flagged.sort(key=lambda ni: (_SEVERITY[ni[1].severity], ni[1].status != "deviates", ni[0]))
    return [i for _, i in flagged]


def item_line(item: ReviewItem) -> str:
    """One cited summary line for a ``deviates`` or ``missing`` item."""
    head = f"{item.severity.capitalize()} severity · {item.category} ({item.rule})"
    if item.status == "missing":
        return f"{head} is missing: {item.reason}."
    answer = f" Answer: {item.answer}." if item.answer else ""
    cite = f" See {_cite(item.evidence[0])}." if item.evidence else ""
    return f"{head} deviates from the playbook: {item.reason}.{answer}{cite}"


def _key_terms(report: Report) -> str | None:
    terms = report.summary.key_terms
    parts = []
    for name, title in _KEY_TERM_TITLES.items():
        values = terms.get(name)
        if not values:
            continue
        shown = "; ".join(values[:MAX_TERM_VALUES])
        more = f" (and {len(values) - MAX_TERM_VALUES} more)" if len(values) > MAX_TERM_VALUES else ""
        parts.append(f"{title}: {shown}{more}" + ("" if (shown + more).endswith(".") else "."))
    return "Key terms. " + " ".join(parts) if parts else None


def _counts(report: Report) -> str:
    s, d = report.summary, report.document
    passages = sum(g.passages for g in report.clauses)
    cited = sum(len(g.evidence) for g in report.clauses)
    out = (
        f"Counts. {d.name}: a {d.kind} of {d.pages} page(s) and {d.tokens:,} tokens, analyzed in "
        f"{s.segments} segment(s). Clauses in {len(report.clauses)} categor{'y' if len(report.clauses) == 1 else 'ies'} "
        f"({passages} passage(s), {cited} after merging repeats and overlaps); {s.references} "
        f"cross-reference(s), {s.dangling_references} dangling; {s.defined_terms} defined term(s), "
        f"{s.term_issues} issue(s); {s.conflicts} conflict(s)."
    )
    if report.review:
        n = {
            st: sum(i.status == st for i in report.review.items)
            for st in ("deviates", "missing", "review", "meets")
        }
        out += (
            f" Playbook {report.review.playbook}: {n['deviates']} deviate, {n['missing']} missing, "
            f"{n['review']} for a person to review, {n['meets']} meet it."
        )
    return out


def rules_summary(report: Report) -> LLMSynthesis:
    """The offline summary, no model call: deviations and missing clauses by severity, each
    cited; then the key terms; then the counts. One paragraph each (blank lines between)."""
    paras: list[str] = []
    if report.review is not None:
        cited = cited_items(report)
        paras += [item_line(i) for i in cited] or ["No deviation from the playbook and no missing clause."]
    if terms := _key_terms(report):
        paras.append(terms)
    paras.append(_counts(report))
    s = report.summary
    obs = [f"Conflicting {c.name.replace('_', ' ')}: {' vs '.join(c.values)}." for c in report.conflicts]
    obs += (
        [f"{s.dangling_references} reference(s) point to sections that do not exist."]
        if s.dangling_references
        else []
    )
    obs += [f"{s.term_issues} defined-term issue(s)."] if s.term_issues else []
    return LLMSynthesis(executive_summary="\n\n".join(paras), observations=obs)


def keep_cited(report: Report, out: LLMSynthesis) -> tuple[LLMSynthesis, list[str]]:
    """An LLM's summary may rewrite the offline one but not drop a deviation or a missing
    clause: every such item must be named (its category or rule id). The line of each one it
    left out is appended, with a warning."""
    said = " ".join([out.executive_summary, *out.observations]).casefold()
    dropped = [
        i for i in cited_items(report) if i.category.casefold() not in said and i.rule.casefold() not in said
    ]
    if not dropped:
        return out, []
    summary = "\n\n".join([out.executive_summary.rstrip(), *(item_line(i) for i in dropped)])
    warning = (
        f"the LLM summary left out {len(dropped)} deviating or missing review item(s) "
        f"({', '.join(i.rule for i in dropped)}); their cited lines were added"
    )
    return out.model_copy(update={"executive_summary": summary}), [warning]


def synthesize(
    report: Report, llm: LLMAnalyzer, meter: UsageMeter, *, log: Callable[[str], None] = lambda _m: None
) -> LLMSynthesis:
    budget = (
        llm.spec.reliable_context - min(llm.output_reserve, llm.spec.max_output) - count_tokens(SYSTEM) - 200
    )
    lines = facts(report)
    while True:
        chunks = _chunk(lines, budget)
        if len(chunks) == 1:
            return _call(llm, meter, "\n".join(chunks[0]))
        log(f"synthesis input over {budget:,} tokens: reducing {len(chunks)} chunks")
        partial = [_call(llm, meter, "\n".join(c)) for c in chunks]
        lines = [p.executive_summary for p in partial] + [o for p in partial for o in p.observations]


def _chunk(lines: list[str], budget: int) -> list[list[str]]:
    chunks: list[list[str]] = [[]]
    used = 0
    for line in lines:
        cost = count_tokens(line) + 1
        if cost > budget:  # one enormous line: cut it rather than send it
            line = line[: budget * 3]
            cost = count_tokens(line) + 1
        if used + cost > budget and chunks[-1]:
            chunks.append([])
            used = 0
        chunks[-1].append(line)
        used += cost
    return chunks


def _call(llm: LLMAnalyzer, meter: UsageMeter, content: str) -> LLMSynthesis:
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": content}]
    # llm.call counts the prompt first and refuses anything over the reliable context.
    result = llm.call(messages, meter, fmt=response_format(LLMSynthesis, "synthesis"))
    if result.finish_reason == "length":
        telemetry.model_error(llm.spec.id, "invalid_output")
        raise InvalidOutput("synthesis output truncated")
    try:
        return LLMSynthesis.model_validate(json.loads(result.content))
    except ValueError as exc:
        telemetry.model_error(llm.spec.id, "invalid_output")
        raise InvalidOutput(f"synthesis output invalid: {str(exc)[:160]}") from None
