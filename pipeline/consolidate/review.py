"""Playbook rules → review items, from the whole document's verified findings and key terms.

``missing`` is said only when every segment was read by the clause model and its best
calibrated log-odds for the category over the whole document stays below
``clauses.MISSING_LOGIT``; a category with no finding but a higher score (or a segment the
model did not read) is ``review``. Every other item quotes at least one verified span: the
findings' and key terms' own quotes (``quote == text[start:end]``), strongest first.
"""

from __future__ import annotations

import math
import re
from typing import Literal

from pipeline.analyze.clauses import MISSING_LOGIT
from pipeline.analyze.playbook import Playbook, Rule
from pipeline.report.model import Evidence, Review, ReviewItem
from pipeline.types import Finding, KeyTerm, SegmentAnalysis, Span, Verdict

Status = Literal["meets", "deviates", "missing", "review"]
MAX_EVIDENCE = 3
_DAYS_PER = {"day": 1, "business day": 1, "week": 7, "month": 30, "year": 365}
_DURATION = re.compile(r"^(\d+) ([a-z ]+?)s?$")


def document_scores(analyses: list[SegmentAnalysis]) -> dict[str, float] | None:
    """Best log-odds per category over the document, or None when a segment has none."""
    if not analyses or any(not a.clause_scores for a in analyses):
        return None
    out: dict[str, float] = {}
    for a in analyses:
        for cat, v in a.clause_scores.items():
            out[cat] = max(out.get(cat, v), v)
    return out


def review_items(
    text: str,
    playbook: Playbook,
    findings: list[Finding],
    key_terms: list[KeyTerm],
    scores: dict[str, float] | None,
    analyses: list[SegmentAnalysis] | None = None,
) -> Review:
    """One item per rule. Where LLMs gave verdicts (``analyses``' ``verdicts``), a verdict with
    verified evidence decides the item; otherwise the offline rules below decide."""
    by_rule: dict[str, list[Verdict]] = {}
    for a in analyses or []:
        for v in a.verdicts:
            by_rule.setdefault(v.rule, []).append(v)
    segments = len(analyses or [])
    nearest = closest_passages(analyses or [])
    items = []
    for r in playbook.rules:
        offline = _item(text, r, findings, key_terms, scores, nearest.get(r.category))
        items.append(_from_verdicts(text, r, by_rule.get(r.id, []), segments, offline))
    return Review(playbook=playbook.name, items=items)


# A deviation anywhere in the document is the document's deviation; an unsure segment outranks
# one that found the clause in order.
_PRIORITY: dict[str, int] = {"deviates": 0, "review": 1, "meets": 2}


def _from_verdicts(
    text: str, rule: Rule, verdicts: list[Verdict], segments: int, offline: ReviewItem
) -> ReviewItem:
    if not verdicts:
        return offline
    evidenced = [v for v in verdicts if v.status != "missing" and v.evidence]
    models = ", ".join(sorted({v.model for v in verdicts}))
    if evidenced:
        status = min((v.status for v in evidenced), key=lambda st: _PRIORITY[st])
        chosen = [v for v in evidenced if v.status == status]
        evidence = _evidence([s for v in chosen for s in v.evidence], text)
        if evidence:  # re-verified against the whole document's text
            answers = sorted({v.answer for v in chosen if v.answer})
            return offline.model_copy(update={
                "status": status, "answer": "; ".join(answers) or None, "evidence": evidence,
                "reason": f"{models}: {chosen[0].reason}".strip().rstrip(":"),
            })  # fmt: skip
    if len(verdicts) == segments and all(v.status == "missing" for v in verdicts):
        return offline.model_copy(update={
            "status": "missing", "answer": None, "evidence": [],
            "reason": f"{models}: no such clause in any of the {segments} segment(s)",
        })  # fmt: skip
    if offline.status in ("meets", "deviates"):
        return offline  # the findings show the clause: their verified quotes decide
    return offline.model_copy(update={
        "status": "review", "answer": None, "evidence": offline.evidence,
        "reason": f"{models} gave no verifiable verdict for every segment; {offline.reason}",
    })  # fmt: skip


def closest_passages(analyses: list[SegmentAnalysis]) -> dict[str, Span]:
    """Per category, the passage the clause model scored highest over the whole document."""
    best: dict[str, tuple[float, Span]] = {}
    for a in analyses:
        for cat, span in a.clause_closest.items():
            score = a.clause_scores.get(cat, float("-inf"))
            if cat not in best or score > best[cat][0]:
                best[cat] = (score, span)
    return {c: s for c, (_, s) in best.items()}


def days(value: str) -> int | None:
    """ "60 days" → 60, "3 months" → 90; None for what is no duration."""
    m = _DURATION.match(value.strip().lower())
    if not m:
        return None
    per = _DAYS_PER.get(m.group(2))
    return int(m.group(1)) * per if per else None


_FEES = re.compile(r"^fees paid in (.+)$")
_FIXED = re.compile(r"^[\d,]+ [A-Z]{3}$")


def fee_months(cap: str) -> int | None:
    """ "fees paid in 12 months" → 12, "... in 1 year" → 12; None for a fixed amount or no period."""
    m = _FEES.match(cap.strip())
    d = days(m.group(1)) if m else None
    return None if d is None else max(1, round(d / 30))


def _evidence(spans: list[Span], text: str) -> list[Evidence]:
    out: list[Evidence] = []
    seen: list[tuple[int, int]] = []
    for s in spans:
        if text[s.start : s.end] != s.quote or any(s.start < e and a < s.end for a, e in seen):
            continue  # only verified quotes, and one stretch of text cited once (no overlaps)
        seen.append((s.start, s.end))
        out.append(Evidence(quote=s.quote, start=s.start, end=s.end, page=s.page, section=s.section))
    return out[:MAX_EVIDENCE]


def _absent(rule: Rule, scores: dict[str, float] | None) -> tuple[bool, str]:
    if scores is None or rule.category not in scores:
        return False, "no clause found, but not every part of the document was read by the clause model"
    best = scores[rule.category]
    p = 1.0 / (1.0 + math.exp(-best))
    if best < MISSING_LOGIT:
        return True, f"no clause found; the clause model is confident it is absent (best P(present) {p:.3f})"
    return (
        False,
        f"no clause found, but the clause model is not confident it is absent (best P(present) {p:.3f})",
    )


def _item(
    text: str,
    rule: Rule,
    findings: list[Finding],
    key_terms: list[KeyTerm],
    scores: dict[str, float] | None,
    nearest: Span | None = None,
) -> ReviewItem:
    found = sorted(
        (f for f in findings if f.category == rule.category), key=lambda f: (-f.confidence, f.start)
    )
    terms = [k for k in key_terms if rule.term is not None and k.name == rule.term]
    evidence = _evidence([*terms, *found], text)

    def item(
        status: Status, reason: str, answer: str | None = None, ev: list[Evidence] | None = None
    ) -> ReviewItem:
        return ReviewItem(
            rule=rule.id, category=rule.category, status=status, severity=rule.severity,
            answer=answer, evidence=evidence if ev is None else ev, reason=reason, guidance=rule.guidance,
        )  # fmt: skip

    if not evidence:
        absent, why = _absent(rule, scores)
        if absent:
            if rule.kind == "prohibited":
                why += "; the playbook prohibits this clause"
            return item("missing", why, ev=[])
        # Unsure: the reviewer reads the passage that came closest (verified like any quote).
        near = _evidence([nearest], text) if nearest is not None else []
        if near:
            why += "; the closest passage is quoted"
        return item("review", why, ev=near)
    if not found:
        # Only the key term speaks for the clause: the clause model did not see it.
        return item(
            "review", f"a {rule.term} was stated but no {rule.category} clause was found", terms[0].value
        )
    if rule.kind == "prohibited":
        return item("deviates", f"{rule.category} found ({len(found)} passage(s)); the playbook prohibits it")
    if rule.kind == "required":
        return item("meets", f"{rule.category} found ({len(found)} passage(s))")
    values = sorted({k.value for k in terms})
    if not values:
        return item("review", f"{rule.category} found, but its {rule.term} could not be read")
    answer = "; ".join(values)
    if len(values) > 1:
        return item("review", f"the document states different values for {rule.term}: {answer}", answer)
    bad: list[str] = []
    if rule.allowed is not None:
        # Key terms are normalised ("New York, US"); a playbook lists jurisdictions ("New York").
        allowed = {a.casefold() for a in rule.allowed}
        bad += [v for v in values if v.casefold() not in allowed and _place(v) not in allowed]
    if rule.min_fee_months is not None:
        for v in values:
            months = fee_months(v)
            if months is None:
                why = (
                    "a fixed amount; compare it with"
                    if _FIXED.match(v)
                    else "no period of fees stated; check it against"
                )
                return item("review", f"the cap is {v}: {why} {rule.min_fee_months} months' fees", answer)
            if months < rule.min_fee_months:
                bad.append(f"{months} months' fees")
        answer = "; ".join(f"{fee_months(v)} months' fees" for v in values)
    if rule.min_days is not None:
        for v in values:
            d = days(v)
            if d is None:
                return item(
                    "review", f"{rule.term} {v!r} is not a period in days, weeks, months or years", answer
                )
            if d < rule.min_days:
                bad.append(v)
    if bad:
        want = (
            f"one of {', '.join(rule.allowed)}"
            if rule.allowed
            else f"at least {rule.min_fee_months} months' fees"
            if rule.min_fee_months is not None
            else f"at least {rule.min_days} days"
        )
        return item("deviates", f"{rule.term} is {', '.join(bad)}; the playbook expects {want}", answer)
    return item("meets", f"{rule.term} is {answer}, as the playbook expects", answer)


def _place(value: str) -> str:
    """The jurisdiction of a normalised value: "New York, US" -> "new york"."""
    return value.rsplit(",", 1)[0].strip().casefold()
