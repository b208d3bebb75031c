"""Findings → one clause group per category (issue 16 item 3).

A contract states a clause in many places (39 "Liquidated Damages" passages in the bundled
example, most of them one statement of work's boilerplate 22 times). A reviewer wants one item
per category with its evidence: overlapping findings are merged into one stretch, the same
words found again elsewhere become that stretch's ``repeats``, and the stretches are ordered
strongest first. Only verified findings (``quote == text[start:end]``) count. Deterministic.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from pipeline.report.model import ClauseGroup, Passage, Place
from pipeline.types import Finding


def group_findings(text: str, findings: Iterable[Finding], order: dict[str, int]) -> list[ClauseGroup]:
    """One group per category, in ``order`` (unknown categories last, by name)."""
    by_cat: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        if f.end > f.start and text[f.start : f.end] == f.quote:
            by_cat[f.category].append(f)
    return [
        _group(text, cat, by_cat[cat]) for cat in sorted(by_cat, key=lambda c: (order.get(c, len(order)), c))
    ]


def _group(text: str, category: str, found: list[Finding]) -> ClauseGroup:
    stretches = _merge_overlaps(text, found)
    # The same words in several places (whitespace aside) are one passage cited once, with
    # the other places listed: the strongest place leads, ties go to the earliest.
    by_words: dict[str, list[Passage]] = defaultdict(list)
    for p in stretches:
        by_words[" ".join(p.quote.split())].append(p)
    passages: list[Passage] = []
    for same in by_words.values():
        lead = min(same, key=lambda p: (-p.confidence, p.start))
        others = sorted((p for p in same if p is not lead), key=lambda p: p.start)
        repeats = [Place(start=p.start, end=p.end, page=p.page, section=p.section) for p in others]
        passages.append(lead.model_copy(update={"repeats": repeats}))
    passages.sort(key=lambda p: (-p.confidence, p.start, p.end))
    pages = sorted({p.page for p in passages} | {r.page for p in passages for r in p.repeats})
    return ClauseGroup(
        category=category,
        passages=len({(f.start, f.end) for f in found}),
        confidence=max(f.confidence for f in found),
        pages=pages,
        evidence=passages,
    )


def _merge_overlaps(text: str, found: list[Finding]) -> list[Passage]:
    """Findings whose spans overlap become one stretch (their union), with the best confidence
    and the page and section where the stretch starts."""
    out: list[Passage] = []
    for f in sorted(found, key=lambda f: (f.start, f.end)):
        last = out[-1] if out else None
        if last is not None and f.start < last.end:
            end = max(last.end, f.end)
            out[-1] = last.model_copy(
                update={
                    "end": end,
                    "quote": text[last.start : end],
                    "confidence": max(last.confidence, f.confidence),
                }
            )
        else:
            out.append(Passage(quote=f.quote, start=f.start, end=f.end, page=f.page, section=f.section,
                               confidence=f.confidence))  # fmt: skip
    return out
