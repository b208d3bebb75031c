"""A paper's digest, offline (issue 18): the authors' contributions, results with numbers,
data sets, code/data availability, limitations, and per section its most central sentences.

Every item is a verbatim sentence of the text: ``quote == text[start:end]``, with its page and
section, like a contract finding. Centrality is a small TF-IDF cosine ranker (LexRank's degree
form, no graph iterations): no extra dependency and stable output for the same text.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable

from pipeline.analyze.paper import (
    _ABSTRACT,
    _BIB_HEADING,
    _HEADING,
    Digest,
    DigestItem,
    LLMDigest,
    PageAt,
    Paper,
    PaperSection,
    _bad_title,
    lines_of,
)
from pipeline.types import PaperItem, SegmentAnalysis

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(“\"])")
_ABBREV = re.compile(r"(?:\bet al|\be\.g|\bi\.e|\bcf|\bvs|\bFig|\bEq|\bSec|\bTab|\bNo|\b[A-Z])\.$")
_CLAIM = re.compile(
    r"\b(?:[Ww]e|[Tt]his (?:paper|work)|[Oo]ur (?:work|paper|contributions?))\s+(?:also\s+|further\s+|first\s+)?"
    r"(?:propose|introduce|present|show|release|describe|develop|demonstrate|contribute|find|argue|design|build|sketch|provide)\w*\b"
)
# A result's value is a decimal or a percentage: counts and identifiers are not results.
_NUMBER = re.compile(r"(?<![\w.])(?:\d+\.\d+|\d+(?:\.\d+)?\s*%)")
# A rate stated as a ratio ("1 in 5 patients", "3 out of 4 annotators") is a result too: its
# metric is the share of what it counts (position papers report survey findings this way).
_RATIO = re.compile(r"(?<![\w.])(?P<v>\d+\s+(?:in|out of)\s+(?:every\s+)?\d+)\s+(?P<noun>[a-z][a-z\-]*s)\b")
_METRIC = re.compile(
    r"\b(?:accuracy|F1|F-?score|precision|recall|ROUGE(?:-\w+)?|BLEU|AUC|correlation|kappa|inter-annotator agreement|"
    r"error rate|perplexity|BERTScore|exact match|Pearson|Spearman|Kendall|MAP|MRR|nDCG|score)\b",
    re.IGNORECASE,
)
_IMPROVE = re.compile(
    r"\b(?:outperform\w*|improv\w*|better than|higher than|lower than|compared (?:to|with)|over)\b"
)
_COMPARED = re.compile(
    r"\b(?:than|over|compared (?:to|with)|vs\.?|against)\s+(?:the\s+)?(?P<sys>[A-Z][\w\-]+(?:\s[A-Z][\w\-]+)?)"
)
_ON_DATASET = re.compile(r"\b(?:on|for|in)\s+(?:the\s+)?(?P<ds>[A-Z][\w\-]*[A-Z0-9][\w\-]*)")
_DATASET = re.compile(r"\b(?:data ?sets?|corpus|corpora|benchmarks?)\b", re.IGNORECASE)
_NAMED = re.compile(r"\b[A-Z][a-z]*[A-Z][\w\-]*\b|\b[A-Z]{2,}[\w\-]*\b")
_AVAILABLE = re.compile(
    r"https?://|github\.com|\b(?:publicly available|(?:is|are|will be) (?:made )?(?:freely |publicly )?available|"
    r"we (?:publicly )?release|open[- ]source|released under)\b",
    re.IGNORECASE,
)
_LIMIT = re.compile(
    r"\b(?:limitations?|is limited|are limited|does not (?:handle|address|generalize)|cannot|future work|"
    r"we leave|not (?:yet )?(?:address|cover)\w*|shortcoming)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z][a-z\-]{2,}")
_STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "that",
        "this",
        "from",
        "are",
        "was",
        "were",
        "which",
        "have",
        "has",
        "been",
        "their",
        "our",
        "its",
        "into",
        "than",
        "can",
        "not",
        "also",
        "such",
        "these",
        "those",
        "they",
        "them",
        "then",
        "there",
        "when",
        "where",
        "what",
        "while",
        "more",
        "most",
        "other",
        "each",
        "both",
        "only",
        "over",
        "under",
        "between",
        "using",
        "used",
        "use",
        "may",
        "all",
        "any",
        "one",
        "two",
        "how",
        "why",
        "who",
        "will",
        "would",
        "could",
        "should",
    ]
)


class _Sentence:
    __slots__ = ("start", "end", "text", "section")

    def __init__(self, start: int, end: int, text: str, section: PaperSection | None) -> None:
        self.start, self.end, self.text, self.section = start, end, text, section


def _sentences(text: str, start: int, end: int, section: PaperSection | None) -> list[_Sentence]:
    out: list[_Sentence] = []
    chunk = text[start:end]
    # The heading line is not a sentence of the section.
    first_nl = chunk.find("\n") if section is not None else -1
    pos = first_nl + 1 if first_nl != -1 else 0
    cut = pos
    for m in _SENTENCE_END.finditer(chunk, pos):
        if _ABBREV.search(chunk[max(cut, m.start() - 8) : m.start()]):
            continue
        out.append(_make(text, start + cut, start + m.start(), section))
        cut = m.end()
    out.append(_make(text, start + cut, end, section))
    return [s for s in out if 6 <= len(s.text.split()) <= 80 and s.text[-1:] in ".!?)"]


def _make(text: str, a: int, b: int, section: PaperSection | None) -> _Sentence:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return _Sentence(a, b, text[a:b], section)


def build_digest(text: str, paper: Paper, page_at: PageAt, *, bib_start: int | None = None) -> Digest:
    body_sections = [s for s in paper.sections if not s.appendix]
    spans: list[tuple[int, int, PaperSection | None]] = []
    stop = bib_start if bib_start is not None else len(text)
    if paper.abstract and body_sections:
        ab = text.find(paper.abstract[:40])
        if 0 <= ab < body_sections[0].start:
            spans.append((ab, body_sections[0].start, None))
    for i, s in enumerate(body_sections):
        end = body_sections[i + 1].start if i + 1 < len(body_sections) else min(s.end, stop)
        spans.append((s.start, max(s.start, min(end, stop)), s))
    sentences = [x for a, b, sec in spans for x in _sentences(text, a, b, sec)]
    return _classify(sentences, page_at)


def passage_digest(text: str) -> Digest:
    """The digest of a passage with no structure of its own (a segment cut from a paper): the
    same sentence tests over all of it. The simulator answers a paper segment with it."""
    cuts: list[tuple[int, int]] = []
    start = 0
    for line in lines_of(text):
        # A heading (or the title block before "Abstract") is not part of the next sentence.
        words = line.text.split()
        heading = (
            (bool(_HEADING.match(line.text.strip())) and not _bad_title(line.text.strip()))
            or bool(_ABSTRACT.match(line.text) and len(words) <= 2)
            or bool(_BIB_HEADING.match(line.text))
        )
        if heading:
            cuts.append((start, line.start))
            start = line.end
    cuts.append((start, len(text)))
    sentences = [x for a, b in cuts if b > a for x in _sentences(text, a, b, None)]
    return _classify(sentences, PageAt([0]))


def _classify(sentences: list[_Sentence], page_at: PageAt) -> Digest:
    def item(x: _Sentence, **extra: str | None) -> DigestItem:
        name = f"{x.section.number} {x.section.title}" if x.section else "Abstract"
        return DigestItem(
            quote=x.text, start=x.start, end=x.end, page=page_at(x.start), section=name, **extra
        )

    def pick(test: Callable[[_Sentence], bool], limit: int) -> list[DigestItem]:
        return [item(x) for x in [x for x in sentences if test(x)][:limit]]

    results: list[DigestItem] = []
    for x in sentences:
        if len(results) >= 15:
            break
        metric = _METRIC.search(x.text)
        numbers = [n for n in _NUMBER.finditer(x.text) if not _is_reference_number(x.text, n)]
        ratio = _RATIO.search(x.text)
        if metric and numbers:
            metric_name = metric.group()
            value = min(numbers, key=lambda n: abs(n.start() - metric.start())).group().strip()
        elif ratio and not _is_reference_number(x.text, ratio):
            metric_name, value = f"share of {ratio.group('noun')}", " ".join(ratio.group("v").split())
        else:
            continue
        ds = _ON_DATASET.search(x.text)
        cmp_ = _COMPARED.search(x.text) if _IMPROVE.search(x.text) else None
        results.append(
            item(
                x,
                metric=metric_name,
                value=value,
                dataset=ds.group("ds") if ds else None,
                compared=cmp_.group("sys") if cmp_ else None,
            )  # fmt: skip
        )
    return Digest(
        contributions=pick(lambda x: bool(_CLAIM.search(x.text)), 8),
        results=results,
        datasets=pick(lambda x: bool(_DATASET.search(x.text) and _NAMED.search(x.text)), 8),
        availability=pick(lambda x: bool(_AVAILABLE.search(x.text)), 5),
        limitations=pick(
            lambda x: (
                bool(_LIMIT.search(x.text))
                or (x.section is not None and "limitation" in x.section.title.lower())
            ),
            6,
        ),
        central=[item(x) for x in _central(sentences)],
    )


def _is_reference_number(sentence: str, n: re.Match[str]) -> bool:
    """Years, section and table numbers are not results."""
    before = sentence[max(0, n.start() - 8) : n.start()]
    value = n.group().strip()
    return bool(
        re.fullmatch(r"(?:19|20)\d\d", value)
        or re.search(r"(?:Table|Figure|Section|Fig\.|Sec\.|Eq\.|§|\[)\s*\(?$", before)
    )


def _central(sentences: list[_Sentence], per_section: int = 3) -> list[_Sentence]:
    """Per section, its 1-3 sentences most similar to the rest of the section (TF-IDF cosine)."""
    groups: dict[str, list[_Sentence]] = {}
    for x in sentences:
        groups.setdefault(x.section.number if x.section else "", []).append(x)
    docs = [Counter(w for w in _WORD.findall(x.text.lower()) if w not in _STOP) for x in sentences]
    df: Counter[str] = Counter(w for d in docs for w in d)
    n = len(docs)
    vec = {
        id(x): {w: c * math.log((n + 1) / (df[w] + 0.5)) for w, c in d.items()}
        for x, d in zip(sentences, docs, strict=True)
    }
    out: list[_Sentence] = []
    for group in groups.values():
        if not group:
            continue
        scores = [
            (sum(_cos(vec[id(x)], vec[id(y)]) for y in group if y is not x), -x.start, x) for x in group
        ]
        best = sorted(scores, key=lambda t: (t[0], t[1]), reverse=True)[
            : min(per_section, max(1, len(group) // 3))
        ]
        out += sorted((t[2] for t in best), key=lambda x: x.start)
    return out


def _cos(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b.get(w, 0.0) for w, v in a.items())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


# ---- the LLM digest: per-segment answers merged --------------------------------------------

_LLM_LISTS = {
    "contribution": "contributions", "method": "methods", "dataset": "datasets", "result": "results",
    "limitation": "limitations", "open_question": "open_questions",
}  # fmt: skip
MAX_EVIDENCE = 3


def _norm(s: str | None) -> str:
    return " ".join(re.findall(r"[a-z0-9.%]+", (s or "").lower()))


def merge_llm_digest(analyses: list[SegmentAnalysis]) -> LLMDigest | None:
    """The segments' digests as one, like segment findings are merged: in document order, an
    item a later segment repeats (the abstract's claim restated in the conclusion; the same
    number in two segments) folded into the first, its evidence added. None when no model
    gave a digest."""
    answered = [a for a in analyses if a.paper_items or a.paper_items_dropped]
    if not answered:
        return None
    items = sorted(
        (i for a in answered for i in a.paper_items),
        key=lambda i: (i.evidence[0].start, i.kind, i.text),
    )
    kept: dict[tuple[str, ...], PaperItem] = {}
    by_span: dict[tuple[str, int, int], tuple[str, ...]] = {}
    for i in items:
        key: tuple[str, ...] = (
            ("result", _norm(i.metric), _norm(i.value), _norm(i.dataset))
            if i.kind == "result"
            else (i.kind, _norm(i.text))
        )
        first = i.evidence[0]
        key = by_span.get((i.kind, first.start, first.end), key)  # same quote, same kind: one item
        if key not in kept:
            kept[key] = i
            by_span[(i.kind, first.start, first.end)] = key
            continue
        have = kept[key]
        spans = {(e.start, e.end) for e in have.evidence}
        more = [e for e in i.evidence if (e.start, e.end) not in spans]
        if more and len(have.evidence) < MAX_EVIDENCE:
            kept[key] = have.model_copy(update={"evidence": [*have.evidence, *more][:MAX_EVIDENCE]})
    lists: dict[str, list[PaperItem]] = {name: [] for name in _LLM_LISTS.values()}
    for i in kept.values():
        lists[_LLM_LISTS[i.kind]].append(i)
    return LLMDigest(
        models=sorted({a.model for a in answered}),
        dropped=sum(a.paper_items_dropped for a in analyses),
        **lists,
    )
