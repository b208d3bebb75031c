"""The built-in ``rules`` model: offline, free, instant, always available.

Clause findings come from a small linear model trained on CUAD (``clauses``); key terms,
defined terms and references from patterns. Papers get references and citations only.
"""

from __future__ import annotations

from typing import TypedDict

from pipeline.analyze.base import Capabilities, SegmentTask
from pipeline.analyze.injection import with_injection_flags
from pipeline.analyze.keyterms import find_key_terms
from pipeline.analyze.terms import find_defined_terms
from pipeline.types import DefinedTerm, Finding, KeyTerm, Reference, SegmentAnalysis, Span, Usage

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
        return with_injection_flags(task, self._analyze(task, clauses=True))

    def mechanical(self, task: SegmentTask) -> SegmentAnalysis:
        """Only what patterns find completely: defined terms and references (no clause model)."""
        return self._analyze(task, clauses=False)

    def _analyze(self, task: SegmentTask, *, clauses: bool) -> SegmentAnalysis:
        # Imported here: the registry builds this analyzer before a job's first model request,
        # which needs neither the clause model's code nor the reference patterns.
        from pipeline.analyze.clauses import scan_clauses
        from pipeline.analyze.references import find_references

        text, base, loc, seg = task.text, task.base_offset, task.locator, task.segment

        def span(start: int, end: int) -> SpanFields:
            s, e = base + start, base + end
            return {"quote": text[start:end], "start": s, "end": e, "page": loc.page(s),
                    "section": loc.section(s), "segment": seg}  # fmt: skip

        findings: list[Finding] = []
        key_terms: list[KeyTerm] = []
        scores: dict[str, float] = {}
        closest: dict[str, tuple[float, Span]] = {}
        if task.kind == "contract" and clauses:
            for start, end, is_doc_start in _parts(task):
                part = text[start - base : end - base]
                # A part that opens a document is analysed as one (offset 0), then shifted.
                offset = 0 if is_doc_start else start
                shift = start if is_doc_start else 0
                hits, best, near = scan_clauses(part, base_offset=offset)
                for cat, v in best.items():
                    r = round(v, 4)
                    scores[cat] = max(scores.get(cat, r), r)
                    if cat in near and (cat not in closest or r > closest[cat][0]):
                        s, e = near[cat][0] + shift - base, near[cat][1] + shift - base
                        closest[cat] = (r, Span(**span(s, e)))
                for hit in hits:
                    s, e = hit.start + shift - base, hit.end + shift - base
                    conf = round(hit.confidence, 4)
                    findings.append(
                        Finding(category=hit.category, confidence=conf, model=self.name, **span(s, e))
                    )
                for k in find_key_terms(part, is_document_start=is_doc_start):
                    s, e = k.start + start - base, k.end + start - base
                    key_terms.append(KeyTerm(name=k.name, value=k.value, **span(s, e)))
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
            clause_scores=dict(sorted(scores.items())),
            clause_closest={c: sp for c, (_, sp) in sorted(closest.items())},
            # No calls, no cost; no timings either, so reports stay byte-identical across runs.
            usage=Usage(),
        )


def _parts(task: SegmentTask) -> list[tuple[int, int, bool]]:
    """(start, end, opens a document) in document offsets, split at document starts.

    ``document_starts`` are first visible characters of documents; a segment cut at a
    document boundary may begin with a few blank characters, so it opens a document when its
    own first visible character is one of them.
    """
    text, base = task.text, task.base_offset
    end = base + len(text)
    first = base + (len(text) - len(text.lstrip()))
    opening = {0, *task.document_starts}
    if first in opening:
        opening.add(base)
    cuts = sorted({base, *(d for d in opening if base < d < end)}) + [end]
    return [(a, b, a in opening) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]
