"""A regression set from reviewers' corrections (issue 19): decisions → CUAD-format labels.

Each decided review item labels its clause category in that document; nothing else is labelled,
so a row carries ``scored``: the categories a reviewer ruled on, the only ones ``longdoc eval``
counts for that document. What a decision says about the category:

- ``accept``: the verdict stands. ``meets``/``deviates`` → present, at the item's verified
  quotes; ``missing`` → absent; ``review`` → nothing (the reviewer agreed it needs a look).
- ``reject``: the verdict is wrong. ``meets``/``deviates`` → absent (the quoted passage is not
  this clause); ``missing`` → present, location unknown; ``review`` → nothing.
- ``edit``: the corrected status decides as for ``accept``; the corrected value, when it is
  found in the text, is where the clause is (else the item's quotes, else unlocated).

A present category without a location is written as an empty answer (``text: ""``): it counts
for presence, and overlap precision skips it. The text is the job's extracted text, so every
offset is the one the report cites.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.errors import Gone, NotFound
from pipeline.jobs import decisions
from pipeline.jobs.store import REPORTED, JobStore
from pipeline.report.model import Decision, Report, Review, ReviewItem
from storage import keys
from storage.base import ObjectStore

PRESENT = frozenset({"meets", "deviates"})
# A corrected value shorter than this is too ambiguous to locate by search ("No", "12").
MIN_VALUE_CHARS = 4


@dataclass(frozen=True)
class LabelledDoc:
    slug: str  # the job id: unique, and names the text file
    name: str
    text: str
    answers: dict[str, list[dict[str, Any]]]
    scored: list[str]
    decisions: int

    def row(self) -> dict[str, Any]:
        return {"slug": self.slug, "title": self.name, "source": "decisions", "decisions": self.decisions,
                "scored": self.scored, "answers": self.answers}  # fmt: skip


def _label(item: ReviewItem, d: Decision, text: str) -> tuple[bool, list[dict[str, Any]]] | None:
    """(present, answers) for the item's category, or None when the decision says nothing."""
    status = d.status or item.status if d.action == "edit" else item.status
    if d.action == "reject":
        if status == "review":
            return None
        if status in PRESENT:
            return False, []
        return True, [{"start": 0, "text": ""}]  # said missing, but it is there somewhere
    if status == "review":
        return None
    if status == "missing":
        return False, []
    if d.action == "edit" and d.value and len(d.value.strip()) >= MIN_VALUE_CHARS:
        at = text.find(d.value.strip())
        if at >= 0:
            return True, [{"start": at, "text": d.value.strip()}]
    quotes = [{"start": e.start, "text": e.quote} for e in item.evidence if text[e.start : e.end] == e.quote]
    return True, quotes or [{"start": 0, "text": ""}]


def labels(
    text: str, review: Review, decided: dict[str, Decision]
) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    """CUAD answers and the scored categories of one document's decided review items."""
    answers: dict[str, list[dict[str, Any]]] = {}
    verdicts: dict[str, bool] = {}
    for item in review.items:
        d = decided.get(item.rule)
        said = None if d is None else _label(item, d, text)
        if said is None:
            continue
        present, spans = said
        # Two rules on one category: present if either reviewer verdict places the clause.
        verdicts[item.category] = verdicts.get(item.category, False) or present
        if present:
            have = answers.setdefault(item.category, [])
            have += [s for s in spans if s not in have]
    located = {c: [a for a in v if a["text"]] or v[:1] for c, v in answers.items() if verdicts[c]}
    return located, sorted(verdicts)


def export(store: ObjectStore, tenant: str, job_ids: list[str] | None = None) -> list[LabelledDoc]:
    """Every reported job of ``tenant`` (or those named) with at least one decision, labelled."""
    js = JobStore(store, tenant)
    ids = job_ids or sorted(k.rsplit("/", 1)[1] for k in store.list(keys.job_index_prefix(tenant)))
    out: list[LabelledDoc] = []
    for job_id in ids:
        decided = decisions.current(store, tenant, job_id)
        if not decided:
            continue
        try:
            job = js.load(job_id)
            if job.status not in REPORTED:
                continue
            report = Report.model_validate_json(store.get(keys.job_file(tenant, job_id, "report.json")))
            text = js.load_text(job_id).extracted.text
        except (NotFound, Gone):  # erased meanwhile
            continue
        if report.review is None:
            continue
        answers, scored = labels(text, report.review, decided)
        if scored:
            out.append(LabelledDoc(job_id, job.name, text, answers, scored, len(decided)))
    return out
