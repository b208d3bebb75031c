"""Defined terms: ``"Term" means …``, ``(the "Term")``, ``"Term" as defined in Section 2.1``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline.analyze.patterns import sentence_bounds, trim

Q_OPEN = "\"“”'‘"
Q_CLOSE = "\"”“'’"
_TERM = r"[A-Z][A-Za-z0-9&/\-.' ]{0,70}?"

MEANS = re.compile(
    rf"[\"“](?P<term>{_TERM})[\"”]\s*,?\s*(?:shall\s+)?(?:means?|shall\s+mean|refers?\s+to|shall\s+refer\s+to|is\s+defined|includes?)\b"
)
# A parenthetical holding one or more quoted capitalised terms: ("PivX"), (the "Agreement"),
# (each a "Party" and together the "Parties"), (hereinafter referred to as "Licensee").
PAREN = re.compile(r"\((?P<body>[^()\n]{0,40}?[\"“][A-Z][^()\n]{0,160}?)\)")
QUOTED = re.compile(rf"[\"“](?P<term>{_TERM})[\"”]")
AS_DEFINED = re.compile(
    rf"(?:[\"“](?P<qterm>{_TERM})[\"”]|(?P<term>(?:[A-Z][a-z]+\s){{0,3}}[A-Z][a-z]+))\s*,?\s*(?:shall\s+have\s+the\s+meaning\s+(?:given|set\s+forth|ascribed)\s+(?:to\s+it\s+|such\s+term\s+)?in|(?:as|is)\s+defined\s+in)\s+"
    r"(?P<where>(?:Section|Article|Exhibit|Schedule|Annex|Appendix|clause|paragraph)\s+[0-9A-Z][0-9A-Za-z.]*(?:\([a-z0-9]{1,4}\))*)"
)
_PAREN_LEAD = re.compile(
    r"^\s*(?:the|a|an|each|collectively|together|individually|jointly|hereinafter|herein|referred|to|as|and|or|,|;|\s)*[\"“]",
    re.I,
)


@dataclass(frozen=True)
class TermHit:
    term: str
    style: str  # "means" | "parenthetical" | "as_defined_in"
    start: int  # span of the defining text (the quote)
    end: int
    defined_in: str | None = None


def clean_term(term: str) -> str:
    return " ".join(term.strip(" .,'").split())


def find_defined_terms(text: str, *, as_defined_in: bool = True) -> list[TermHit]:
    """Every defining text; ``as_defined_in=False`` skips the ``as defined in`` references (by
    far the slowest pattern), for callers that only want the terms defined here."""
    hits: list[TermHit] = []
    for m, term in _means(text):
        start = m.start()
        # A definition runs to the end of its sentence (definition lists end with ';' too).
        end = _definition_end(text, m.end())
        hits.append(TermHit(term, "means", *trim(text, start, end)))
    last: re.Match[str] | None = None
    quoted = (0, 0)
    for m, term in _parenthesised(text):
        if m is not last:  # the parenthesis' quote, once for all the terms it holds
            last = m
            sent_start, _ = sentence_bounds(text, m.start())
            # Quote the words just before the parenthesis, not a whole 1,000-character preamble.
            if m.start() - sent_start > 160:
                sent_start = text.find(" ", m.start() - 160, m.start()) + 1 or m.start()
            quoted = trim(text, sent_start, m.end())
        hits.append(TermHit(term, "parenthetical", *quoted))
    for m in AS_DEFINED.finditer(text) if as_defined_in else ():
        term = clean_term(m.group("qterm") or m.group("term") or "")
        if _plausible(term):
            where = m.group("where").rstrip(".")
            hits.append(
                TermHit(
                    term,
                    "as_defined_in",
                    m.start(),
                    m.end("where") - (len(m.group("where")) - len(where)),
                    defined_in=where,
                )
            )
    hits.sort(key=lambda h: (h.start, h.term))
    return hits


def defined_term_names(text: str) -> set[str]:
    """The terms ``find_defined_terms(text, as_defined_in=False)`` finds, without their spans
    (the preamble lists names only, before a job's first model request)."""
    return {term for _, term in _means(text)} | {term for _, term in _parenthesised(text)}


def _means(text: str) -> Iterator[tuple[re.Match[str], str]]:
    """``"Term" means …``: each match with its term, when plausible."""
    for m in MEANS.finditer(text):
        term = clean_term(m.group("term"))
        if _plausible(term):
            yield m, term


def _parenthesised(text: str) -> Iterator[tuple[re.Match[str], str]]:
    """``(the "Term")``: each plausible term with its parenthesis' match."""
    for m in PAREN.finditer(text):
        body = m.group("body")
        if not _PAREN_LEAD.match(body):
            continue
        for q in QUOTED.finditer(body):
            term = clean_term(q.group("term"))
            if _plausible(term):
                yield m, term


def _definition_end(text: str, pos: int) -> int:
    limit = min(len(text), pos + 1500)
    best = limit
    for pat in (". ", ".\n", ";\n", "; ", "\n\n"):
        i = text.find(pat, pos, limit)
        if i != -1:
            best = min(best, i + 1)
    return best


_NOT_TERMS = {"A", "I", "S", "The", "This", "It", "AS IS", "Inc", "Company's"}


def _plausible(term: str) -> bool:
    if len(term) < 2 or term in _NOT_TERMS:
        return False
    words = term.split()
    if len(words) > 8:
        return False
    # Real defined terms are title-cased or upper-cased phrases, not sentences.
    lowers = [
        w
        for w in words
        if w[0].islower()
        and w not in {"of", "and", "or", "the", "for", "to", "in", "on", "a", "an", "by", "with", "under"}
    ]
    return not lowers
