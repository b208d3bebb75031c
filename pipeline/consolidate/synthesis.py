"""Executive summary and cross-segment observations, written by one LLM pass over the
*structured* results (never the raw text). Inputs too big for the model's reliable context
are reduced hierarchically; tokens are counted before every call."""

from __future__ import annotations

import json
from collections.abc import Callable

from chunking.tokenizer import count_tokens
from pipeline.analyze.llm import LLMAnalyzer, UsageMeter
from pipeline.analyze.llm_schema import LLMSynthesis, response_format
from pipeline.errors import InvalidOutput
from pipeline.report.model import Report

SYSTEM = (
    "You write for lawyers. From the structured analysis of a long document (findings with quotes, key "
    "terms, cross-reference and defined-term issues, conflicts), write a short executive summary and "
    "observations that connect different segments. Use only the facts given. Reply with JSON for the schema."
)


def facts(report: Report) -> list[str]:
    """One compact line per fact, in report order (deterministic)."""
    lines = [f"document: {report.document.name}, {report.document.kind}, {report.document.pages} pages, "
             f"{report.document.tokens} tokens, {len(report.segments)} segments"]  # fmt: skip
    lines += [
        f"key term {k.name} = {k.value} (p.{k.page}, {k.section or '-'}, segment {k.segment})"
        for k in report.key_terms
    ]
    lines += [
        f"finding {f.category} (p.{f.page}, {f.section or '-'}, segment {f.segment}): {f.quote[:160]}"
        for f in report.findings
    ]
    lines += [f"conflict {c.name}: {' vs '.join(c.values)}" for c in report.conflicts]
    lines += [f"term issue {t.issue}: {t.term}" for t in report.term_issues]
    lines += [
        f"dangling reference {r.label} (p.{r.page}, segment {r.segment})"
        for r in report.references
        if r.status == "dangling"
    ]
    return lines


def rules_summary(report: Report) -> LLMSynthesis:
    """The offline summary: templated from the same facts, no model call."""
    s = report.summary
    parts = [f"{report.document.name}: a {report.document.kind} of {report.document.pages} page(s) and "
             f"{report.document.tokens:,} tokens, analyzed in {s.segments} segment(s)."]  # fmt: skip
    if s.categories_found:
        parts.append(
            f"Clauses found in {len(s.categories_found)} categories, including {', '.join(s.categories_found[:6])}."
        )
    law = s.key_terms.get("governing_law")
    if law:
        parts.append(f"Governing law: {' / '.join(law)}.")
    obs = [f"Conflicting {c.name.replace('_', ' ')}: {' vs '.join(c.values)}." for c in report.conflicts]
    obs += (
        [f"{s.dangling_references} reference(s) point to sections that do not exist."]
        if s.dangling_references
        else []
    )
    obs += [f"{s.term_issues} defined-term issue(s)."] if s.term_issues else []
    return LLMSynthesis(executive_summary=" ".join(parts), observations=obs)


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
        raise InvalidOutput("synthesis output truncated")
    try:
        return LLMSynthesis.model_validate(json.loads(result.content))
    except ValueError as exc:
        raise InvalidOutput(f"synthesis output invalid: {str(exc)[:160]}") from None
