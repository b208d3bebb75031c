"""A bounded document preamble so an LLM sees past its segment: title, parties, the outline of
all sections with the segment holding each, and the defined terms (≤ 4K tokens)."""

from __future__ import annotations

from bisect import bisect_right

from chunking.tokenizer import count_tokens
from pipeline.analyze.keyterms import find_key_terms
from pipeline.analyze.terms import defined_term_names
from pipeline.types import ExtractedText, Section, SegmentPlan


def build_preamble(
    extracted: ExtractedText, sections: list[Section], plan: SegmentPlan, *, max_tokens: int = 4000
) -> str:
    text = extracted.text
    title = next((ln.strip() for ln in text[:2000].splitlines() if ln.strip()), "")[:200]
    parties = [k.value for k in find_key_terms(text[:6000]) if k.name == "party"]
    terms = sorted(defined_term_names(text))
    starts = [s.char_start for s in plan.segments]

    head = [f"Title: {title}"]
    if parties:
        head.append("Parties: " + "; ".join(parties))
    head.append(f"Segments: {len(plan.segments)}; this document's sections and the segment holding each:")
    outline: list[str] = []
    for depth in (1, 2, 3):  # shallow levels first, deeper ones while the budget lasts
        for s in sections:
            if s.level <= depth + (1 if depth == 1 else 0) and (depth == 1 or s.level > depth):
                seg = max(0, bisect_right(starts, s.start) - 1)
                outline.append(f"{'  ' * (s.level - 1)}{s.label} {s.title[:80]} [segment {seg}]".rstrip())
    terms_line = "Defined terms: " + ", ".join(terms)

    # Fill in order of value: header, defined terms, outline; each trimmed to what fits.
    parts = ["\n".join(head)]
    budget = max_tokens - count_tokens(parts[0])
    terms_tokens = count_tokens(terms_line)
    if terms and terms_tokens <= budget // 3:
        parts.append(terms_line)
        budget -= terms_tokens
    kept: list[str] = []
    for line in outline:
        cost = count_tokens(line) + 1
        if cost > budget:
            break
        kept.append(line)
        budget -= cost
    parts.insert(1, "\n".join(kept))
    return "\n".join(p for p in parts if p)
