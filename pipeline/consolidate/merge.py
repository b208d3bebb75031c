"""Segment results → one ``Report``: deterministic, whole-document checks.

Segments were analyzed apart; here references are resolved against the section tree of the
whole document (noting when the target lives in another segment), defined terms are checked
across every segment, and key terms that disagree are reported as conflicts. Same input →
byte-identical report JSON: everything is sorted and nothing depends on timing.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict

from chunking.locator import Locator
from pipeline.analyze.citations import find_citations
from pipeline.analyze.clauses import CATEGORIES
from pipeline.analyze.digest import build_digest, merge_llm_digest
from pipeline.analyze.paper import PageAt, Paper, analyze_structure, find_bibliography_span
from pipeline.analyze.playbook import Playbook, default_playbook
from pipeline.analyze.references import resolve, target_keys
from pipeline.consolidate.groups import group_findings
from pipeline.consolidate.locate import locate
from pipeline.consolidate.review import document_scores, review_items
from pipeline.report.model import (
    Conflict,
    DocumentInfo,
    Report,
    ResolvedReference,
    SegmentSummary,
    Summary,
    TermIssue,
)
from pipeline.types import (
    DefinedTerm,
    DocumentKind,
    ExtractedText,
    Finding,
    KeyTerm,
    Reference,
    Section,
    SegmentAnalysis,
    SegmentError,
    SegmentPlan,
    Span,
)

# Key terms that must agree wherever they are stated.
CONFLICT_TERMS = (
    "governing_law", "effective_date", "expiration_date", "renewal_term",
    "renewal_notice", "termination_notice", "liability_cap",
)  # fmt: skip
_CATEGORY_ORDER = {c: i for i, c in enumerate(CATEGORIES)}


def consolidate(
    extracted: ExtractedText,
    sections: list[Section],
    plan: SegmentPlan,
    analyses: list[SegmentAnalysis],
    *,
    name: str,
    sha256: str,
    kind: DocumentKind,
    playbook: Playbook | None = None,
) -> Report:
    """``playbook`` (default: the shipped one) yields the review items of a contract."""
    text = extracted.text
    locator = Locator.for_text(extracted, sections)
    by_index = {a.segment: a for a in analyses}
    ordered = [by_index.get(s.index) or _missing(s.index) for s in plan.segments]
    seg_starts = [s.char_start for s in plan.segments]

    findings = _dedupe_findings([f for a in ordered for f in a.findings])
    key_terms = sorted(
        {(k.start, k.name, k.value): k for a in ordered for k in a.key_terms}.values(),
        key=lambda k: (k.start, k.name, k.value),
    )
    defined = sorted(
        {(d.start, d.term, d.style): d for a in ordered for d in a.defined_terms}.values(),
        key=lambda d: (d.start, d.term, d.style),
    )
    refs = [r for a in ordered for r in a.references]
    paper = build_paper(extracted) if kind == "paper" else None
    if paper is not None:
        paper.digest.llm = merge_llm_digest(ordered)
    resolved = _resolve_references(text, sections, locator, refs, seg_starts, kind, paper)
    term_issues = _term_issues(text, defined, sections, locator, seg_starts)
    conflicts = _conflicts(key_terms)

    segments = [
        SegmentSummary(
            index=s.index,
            tokens=s.tokens,
            char_start=s.char_start,
            char_end=s.char_end,
            page_first=s.page_first,
            page_last=s.page_last,
            first_section=s.first_section,
            last_section=s.last_section,
            model=a.model,
            status=a.status,
            degraded_reason=a.degraded_reason,
            findings=len(a.findings),
            usage=a.usage,
            warnings=a.warnings,
            error=a.error,
        )  # fmt: skip
        for s, a in zip(plan.segments, ordered, strict=True)
    ]
    cost = round(sum(a.usage.cost_usd for a in ordered), 6)
    summary = Summary(
        findings=len(findings),
        categories_found=sorted({f.category for f in findings}, key=lambda c: _CATEGORY_ORDER.get(c, 99)),
        key_terms={
            n: sorted({k.value for k in key_terms if k.name == n})
            for n in sorted({k.name for k in key_terms})
        },
        references=len(resolved),
        dangling_references=sum(r.status == "dangling" for r in resolved),
        defined_terms=len({d.term for d in defined if d.style != "as_defined_in"}),
        term_issues=len(term_issues),
        conflicts=len(conflicts),
        segments=len(segments),
        segments_failed=sum(s.status == "failed" for s in segments),
        cost_usd=cost,
    )
    return locate(
        Report(
            document=DocumentInfo(
                name=name,
                sha256=sha256,
                media_type=extracted.media_type,
                backend=extracted.backend,
                kind=kind,
                pages=extracted.page_count,
                chars=len(text),
                tokens=plan.total_tokens,
                ocr_pages=[p.number for p in extracted.pages if p.source == "ocr"],
            ),  # fmt: skip
            summary=summary,
            key_terms=key_terms,
            findings=findings,
            clauses=group_findings(text, findings, _CATEGORY_ORDER),
            references=resolved,
            defined_terms=defined,
            term_issues=term_issues,
            conflicts=conflicts,
            segments=segments,
            warnings=[*extracted.warnings, *(w for a in ordered for w in a.warnings)],
            review=(
                review_items(
                    text,
                    playbook or default_playbook(),
                    findings,
                    key_terms,
                    document_scores(ordered),
                    ordered,
                )
                if kind == "contract"
                else None
            ),
            paper=paper,
        ),
        extracted,
    )


def _missing(index: int) -> SegmentAnalysis:
    return SegmentAnalysis(
        segment=index, model="none", status="failed",
        error=SegmentError(code="missing_result", message="no analysis was recorded for this segment"),
    )  # fmt: skip


def _segment_of(seg_starts: list[int], offset: int) -> int:
    return max(0, bisect_right(seg_starts, offset) - 1)


def _dedupe_findings(findings: list[Finding]) -> list[Finding]:
    best: dict[tuple[str, int, int], Finding] = {}
    for f in findings:
        key = (f.category, f.start, f.end)
        if key not in best or f.confidence > best[key].confidence:
            best[key] = f
    return sorted(best.values(), key=lambda f: (_CATEGORY_ORDER.get(f.category, 99), f.start, f.end))


# ---- references ---------------------------------------------------------------------------

_CAPTION = re.compile(
    r"^\s*(?P<kw>Figure|Fig\.|Table|TABLE|FIGURE)\s+(?P<n>\d{1,3}[a-z]?)\s*[.:|]", re.MULTILINE
)
_EQUATION = re.compile(r"\((?P<n>\d{1,3})\)[ \t]*$", re.MULTILINE)
_BIB_NUMBERED = re.compile(r"^\s*\[(?P<n>\d{1,3})\]|^\s*(?P<m>\d{1,3})\.\s+[A-Z]", re.MULTILINE)


def _paper_targets(text: str, sections: list[Section]) -> dict[str, int]:
    targets: dict[str, int] = {}
    for m in _CAPTION.finditer(text):
        kind = "table" if m.group("kw").lower().startswith("tab") else "figure"
        targets.setdefault(f"{kind}:{m.group('n')}", m.start("kw"))
    for m in _EQUATION.finditer(text):
        targets.setdefault(f"equation:{m.group('n')}", m.start())
    for s in sections:
        if s.kind != "references":
            continue
        body = text[s.start : s.end]
        for m in _BIB_NUMBERED.finditer(body):
            n = m.group("n") or m.group("m")
            targets.setdefault(f"citation:{int(n)}", s.start + m.start())
        for m in re.finditer(r"^(?P<line>.{0,300})$", body, re.MULTILINE):
            line = m.group("line")
            for year in re.findall(r"\b(?:19|20)\d\d", line):
                for author in re.findall(r"\b[A-Z][A-Za-z'\-]+", line[:120]):
                    targets.setdefault(f"author_year:{author}:{year}", s.start + m.start())
    return targets


def build_paper(extracted: ExtractedText) -> Paper:
    """A paper's structure, its citations linked to the bibliography (issue 18)."""
    text = extracted.text
    page_at = PageAt([p.start for p in extracted.pages])
    paper = analyze_structure(text, page_at)
    bib = find_bibliography_span(text)
    paper.citations = find_citations(text, paper.bibliography, page_at, skip=bib)
    paper.digest = build_digest(text, paper, page_at, bib_start=bib[0] if bib else None)
    return paper


def _structure_targets(paper: Paper) -> dict[str, int]:
    """What a paper's own references can point at: its numbered sections and appendices, its
    captions (appendix ones too: "Table B.2"), its bibliography (numbered and author-year)."""
    targets: dict[str, int] = {}
    for s in paper.sections:
        targets.setdefault(f"section:{s.number}", s.start)
        if s.appendix:
            targets.setdefault(f"appendix:{s.number}", s.start)
            targets.setdefault(f"appendix:{s.number.split('.')[0]}", s.start)
    for cap in [*paper.figures, *paper.tables]:
        targets.setdefault(f"{cap.kind}:{cap.number}", cap.start)
    for b in paper.bibliography:
        if b.label:
            targets.setdefault(f"citation:{b.label}", b.start)
    for c in paper.citations:
        if c.style == "author_year" and c.target is not None:
            name, _, year = c.key.partition(":")
            targets.setdefault(f"author_year:{name}:{year[:4]}", paper.bibliography[c.target - 1].start)
    return targets


def _resolve_references(
    text: str,
    sections: list[Section],
    locator: Locator,
    refs: list[Reference],
    seg_starts: list[int],
    kind: DocumentKind,
    paper: Paper | None = None,
) -> list[ResolvedReference]:
    keys = target_keys(sections)
    extra = _paper_targets(text, sections) if kind == "paper" else {}
    if paper is not None:
        extra = {**_structure_targets(paper), **extra}
    numbered_bib = paper is not None and any(b.label for b in paper.bibliography)
    out: dict[tuple[int, str], ResolvedReference] = {}
    for r in refs:
        if paper is not None and r.kind == "citation" and (not numbered_bib or r.target == "citation:0"):
            continue  # "[0]", "[2]" in a paper cited by author and year: code indexes and list marks
        idx = resolve(r.target, keys)
        target_start: int | None
        target_label: str | None
        if idx is not None:
            target_start, target_label = sections[idx].start, locator.path(idx)
        elif r.target in extra or (sub := re.sub(r"^((?:table|figure):\d+)[a-z]$", r"\1", r.target)) in extra:
            # "Table 4a" is a part of Table 4
            target_start = extra[r.target] if r.target in extra else extra[sub]
            target_label = locator.section(target_start)
        else:
            target_start = target_label = None
        if target_start is None:
            res = ResolvedReference(**r.model_dump(), status="dangling")
        else:
            tseg = _segment_of(seg_starts, target_start)
            res = ResolvedReference(
                **r.model_dump(), status="resolved", target_section=target_label, target_start=target_start,
                target_page=locator.page(target_start), target_segment=tseg, cross_segment=tseg != r.segment,
            )  # fmt: skip
        out[(r.start, r.target)] = res
    return [out[k] for k in sorted(out)]


# ---- defined terms ------------------------------------------------------------------------

_CANDIDATE = re.compile(
    r"\b(?:the|such|any|each|all|this|that|its|their|such)\s+(?P<term>(?:[A-Z][a-z]+\s){1,3}[A-Z][a-z]+)\b(?![-\u2010\u2011]|\s+(?:of\s+)?[A-Z])"
)
# Proper nouns and institutions that are capitalised without being defined terms.
_NOT_DEFINED_TERMS = {
    "State", "States", "United", "New", "Federal", "Internal", "Securities", "Court", "Courts", "Board",
    "Commonwealth", "Republic", "Kingdom", "Province", "City", "County", "District", "Supreme",
    "American", "European", "Exchange", "Department", "Office", "Bureau", "Commission", "Act",
    "Code", "Rules", "Chamber", "Association", "International", "National", "Uniform", "General",
}  # fmt: skip


_SUFFIXES = ("'s", "’s", "es", "s", "")


def _used(text: str, term: str, def_spans: list[tuple[int, int]]) -> bool:
    """Whether ``term`` (or its plural/possessive) occurs as a whole word outside a definition.

    str.find walks only the term's occurrences; a regex per term over the whole text was
    the slowest step of consolidation (O(terms x text)).
    """
    pos = text.find(term)
    while pos != -1:
        before = text[pos - 1] if pos else " "
        end = pos + len(term)
        if not (before.isalnum() or before in "_-") and not _inside(def_spans, pos):
            for suffix in _SUFFIXES:
                if text.startswith(suffix, end):
                    after = text[end + len(suffix)] if end + len(suffix) < len(text) else " "
                    if not (after.isalnum() or after in "_-"):
                        return True
        pos = text.find(term, pos + 1)
    return False


def _term_issues(
    text: str, defined: list[DefinedTerm], sections: list[Section], locator: Locator, seg_starts: list[int]
) -> list[TermIssue]:
    issues: list[TermIssue] = []
    real = [d for d in defined if d.style != "as_defined_in"]
    by_term: dict[str, list[DefinedTerm]] = defaultdict(list)
    for d in real:
        by_term[d.term].append(d)
    def_spans = sorted((d.start, d.end) for d in real)

    # Defined twice with different text (a "means" definition disagreeing with another one).
    for term, defs in sorted(by_term.items()):
        means = [d for d in defs if d.style == "means"]
        bodies = {_body(d) for d in means}
        if len(bodies) > 1:
            issues.append(TermIssue(term=term, issue="duplicate", detail=f"defined {len(defs)} times with different text",
                                    spans=[_span(d) for d in defs]))  # fmt: skip

    # Defined but never used outside its own definitions.
    for term, defs in sorted(by_term.items()):
        if not _used(text, term, def_spans):
            issues.append(
                TermIssue(
                    term=term, issue="unused", detail="defined but never used", spans=[_span(d) for d in defs]
                )
            )

    # Used as a defined term but never defined.
    known = {t.casefold() for t in by_term} | {t.casefold() + "s" for t in by_term}
    titles = {s.title.casefold() for s in sections}
    first_line = next((ln.strip() for ln in text[:2000].splitlines() if ln.strip()), "")
    titles.add(first_line.casefold())  # "the Master Services Agreement" names the document itself
    pointed: dict[str, list[DefinedTerm]] = defaultdict(list)
    for d in defined:
        if d.style == "as_defined_in" and d.term.casefold() not in known:
            pointed[d.term].append(d)
    for term, ds in sorted(pointed.items()):
        issues.append(TermIssue(term=term, issue="undefined",
                                detail=f"said to be defined in {ds[0].defined_in}, but no definition was found",
                                spans=[_span(d) for d in ds]))  # fmt: skip
    counts: dict[str, list[int]] = defaultdict(list)
    for m in _CANDIDATE.finditer(text):
        counts[m.group("term")].append(m.start("term"))
    for term, starts in sorted(counts.items()):
        words = term.split()
        if (
            len(starts) < 2
            or term.casefold() in known
            or term.casefold().rstrip("s") in known
            or term.casefold() + "s" in known
            or term.casefold() in titles
            or term in pointed
            or any(w in _NOT_DEFINED_TERMS for w in words)
            # A name used only inside one article or schedule (a deliverable, a product) is
            # local; a term the whole document leans on travels between top-level parts.
            or len({_top_level(locator, s) for s in starts}) < 2
        ):
            continue  # fmt: skip
        spans = [_use_span(text, s, term, locator, seg_starts) for s in starts[:5]]
        issues.append(
            TermIssue(
                term=term,
                issue="undefined",
                detail=f"used {len(starts)} times as a defined term, never defined",
                spans=spans,
            )
        )
    return sorted(issues, key=lambda i: (i.issue, i.term))


def _top_level(locator: Locator, offset: int) -> int | None:
    i = locator.section_index(offset)
    while i is not None and locator.sections[i].parent is not None:
        i = locator.sections[i].parent
    return i


def _body(d: DefinedTerm) -> str:
    q = d.quote
    i = q.find(d.term)
    tail = q[i + len(d.term) :] if i >= 0 else q
    return " ".join(tail.split()).strip(' "”“;.').casefold()


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    i = bisect_right(spans, (pos, 1 << 62)) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def _span(d: DefinedTerm) -> Span:
    return Span(quote=d.quote, start=d.start, end=d.end, page=d.page, section=d.section, segment=d.segment)


def _use_span(text: str, start: int, term: str, locator: Locator, seg_starts: list[int]) -> Span:
    end = start + len(term)
    return Span(quote=text[start:end], start=start, end=end, page=locator.page(start),
                section=locator.section(start), segment=_segment_of(seg_starts, start))  # fmt: skip


# ---- conflicts ----------------------------------------------------------------------------


def _conflicts(key_terms: list[KeyTerm]) -> list[Conflict]:
    """Values that disagree *between places*: one sentence saying "the greater of $1M or fees
    paid" is one statement, not a conflict."""
    out: list[Conflict] = []
    for name in CONFLICT_TERMS:
        occ = [k for k in key_terms if k.name == name]
        by_place: dict[int, set[str]] = defaultdict(set)
        for k in occ:
            by_place[k.start].add(k.value)
        places = sorted(by_place)
        clash = any(not (by_place[a] & by_place[b]) for i, a in enumerate(places) for b in places[i + 1 :])
        if clash:
            out.append(Conflict(name=name, values=sorted({k.value for k in occ}), occurrences=occ))
    return out
