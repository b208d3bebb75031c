"""The built-in ``rules`` model: offline, free, instant, always available.

Clause findings come from a small linear model trained on CUAD (``clauses``); key terms,
defined terms and references from patterns. Papers get references and citations only.
"""

from __future__ import annotations

from typing import TypedDict

from pipeline.analyzers.base import Capabilities, SegmentTask
from pipeline.analyzers.clauses import find_clauses
from pipeline.analyzers.keyterms import find_key_terms
from pipeline.analyzers.references import find_references
from pipeline.analyzers.terms import find_defined_terms
from pipeline.findings import DefinedTerm, Finding, KeyTerm, Reference, SegmentAnalysis, Usage

RULES_MODEL = "rules"


class SpanFields(TypedDict):
    quote: str
    start: int
    end: int
    page: int
    section: str | None
    segment: int


class RulesAnalyzer:
    name = RULES_MODEL
    capabilities = Capabilities(offline=True, json_schema=True, reliable_context_tokens=10**9)

    def analyze(self, task: SegmentTask) -> SegmentAnalysis:
        text, base, loc, seg = task.text, task.base_offset, task.locator, task.segment

        def span(start: int, end: int) -> SpanFields:
            s, e = base + start, base + end
            return {"quote": text[start:end], "start": s, "end": e, "page": loc.page(s),
                    "section": loc.section(s), "segment": seg}  # fmt: skip

        findings: list[Finding] = []
        key_terms: list[KeyTerm] = []
        if task.kind == "contract":
            for hit in find_clauses(text, base_offset=base):
                findings.append(
                    Finding(category=hit.category, confidence=round(hit.confidence, 4), model=self.name,
                            **span(hit.start - base, hit.end - base))
                )  # fmt: skip
            for k in find_key_terms(text, is_document_start=base == 0):
                key_terms.append(KeyTerm(name=k.name, value=k.value, **span(k.start, k.end)))
        defined = [
            DefinedTerm(term=t.term, style=t.style, defined_in=t.defined_in, **span(t.start, t.end))
            for t in find_defined_terms(text)
        ]
        references = [
            Reference(kind=r.kind, target=r.target, label=r.label, **span(r.start, r.end))
            for r in find_references(text, paper=task.kind == "paper")
        ]
        return SegmentAnalysis(
            segment=seg,
            model=self.name,
            findings=findings,
            key_terms=key_terms,
            defined_terms=defined,
            references=references,
            # No calls, no cost; no timings either, so reports stay byte-identical across runs.
            usage=Usage(),
        )
