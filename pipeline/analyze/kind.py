"""Contract or paper? Cheap lexical signals over the whole text."""

from __future__ import annotations

import re

from pipeline.types import DocumentKind

_PAPER = re.compile(
    r"^\s*(?:Abstract|ABSTRACT|References|REFERENCES|Bibliography|Acknowledge?ments?)\s*$|\bet al\.|\barXiv\b|\bdoi:|"
    r"\b(?:Fig\.|Figure|Table)\s+\d|\[\d{1,3}(?:,\s*\d{1,3})*\]|\bwe (?:propose|present|show)\b|\bIn this paper\b",
    re.MULTILINE,
)
_CONTRACT = re.compile(
    r"\b(?:Agreement|AGREEMENT|hereby|hereto|hereunder|thereof|WHEREAS|Licensee|Licensor|indemnif\w+|"
    r"shall\s+(?:not\s+)?(?:be|have|pay|provide)|party|Party|Parties|terminat\w+|warrant\w*)\b"
)


def detect_kind(text: str) -> DocumentKind:
    """'paper' when scholarly signals clearly outweigh contractual ones, else 'contract'."""
    sample = text if len(text) <= 400_000 else text[:200_000] + text[-200_000:]
    paper = len(_PAPER.findall(sample))
    contract = len(_CONTRACT.findall(sample))
    return "paper" if paper * 4 > contract and paper >= 5 else "contract"
