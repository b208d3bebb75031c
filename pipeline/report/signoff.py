"""Which review items need a reviewer's sign-off, and how many are still open (issue 16).

An item at or above the configured severity (``review.signoff_severity``) needs a human
decision — accept, reject or edit — before anyone relies on it; any decision closes it.
The memo, the job resource and the web page count the same way, from this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import Field

from pipeline.report.model import Review
from pipeline.types import Model

SignoffSeverity = Literal["high", "medium", "low", "none"]
Severity = Literal["high", "medium", "low"]
_RANK = {"high": 3, "medium": 2, "low": 1}


class SignoffCounts(Model):
    items: int = Field(description="review items in the report")
    signoff_severity: SignoffSeverity = Field(description="items at or above this severity need sign-off")
    signoff_required: int = Field(description="items that need a reviewer's decision")
    signoff_open: int = Field(description="of those, items with no decision yet")
    decided: int = Field(description="items with a decision (any severity)")


def needs_signoff(severity: Severity, threshold: SignoffSeverity) -> bool:
    return threshold != "none" and _RANK[severity] >= _RANK[threshold]


def severities(review: Review) -> dict[str, Severity]:
    """rule -> severity: all the counting needs (small enough to cache per job)."""
    return {i.rule: i.severity for i in review.items}


def counts(items: dict[str, Severity], decided: Iterable[str], threshold: SignoffSeverity) -> SignoffCounts:
    """``items``: rule -> severity (``severities``); ``decided``: rules with a current decision."""
    done = set(decided) & set(items)
    required = {r for r, sev in items.items() if needs_signoff(sev, threshold)}
    return SignoffCounts(
        items=len(items),
        signoff_severity=threshold,
        signoff_required=len(required),
        signoff_open=len(required - done),
        decided=len(done),
    )


def still_open(review: Review, threshold: SignoffSeverity) -> int:
    """Items of ``review`` that need sign-off and carry no decision yet."""
    return sum(1 for i in review.items if needs_signoff(i.severity, threshold) and i.decision is None)


def held(review: Review | None, error_cost_usd: float, hold_at_usd: float, threshold: SignoffSeverity) -> int:
    """Items a job must hold for sign-off (issue 19): those still open, when the stakes are high.

    0 when the job's error cost is below the line, or no item needs a decision.
    """
    if review is None or error_cost_usd < hold_at_usd:
        return 0
    return still_open(review, threshold)


def marked(review: Review, open_items: int) -> Review:
    """The review marked final, or not yet with the count still open."""
    return review.model_copy(update={"final": open_items == 0, "awaiting_signoff": open_items})
