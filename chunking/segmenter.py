"""Split a long document into balanced segments, cutting at the best boundary available.

Boundaries rank document > article > section > paragraph > sentence > token. Every
segment must hold ``[min, max]`` tokens and there are ``ceil(total / max)`` of them.

First, dynamic programming looks for a plan whose cuts are all document, article or
section boundaries, maximising their summed rank and then closeness to even shares.
When some stretch has no such boundary, cuts are placed left to right instead, each at
the best-ranked boundary in the window that keeps it and everything after it feasible
(paragraphs and sentences are searched for only there, near the target). Either way no
cut could move to a better boundary with its neighbours fixed. Every cut is a token
start, so token and character ranges agree and the segments concatenate to the text."""

from __future__ import annotations

import re
from bisect import bisect_right
from math import ceil
from typing import Protocol

import numpy as np

from chunking.structure import find_document_breaks
from chunking.tokenizer import TokenizedText
from pipeline.types import CutKind, ExtractedText, Section, Segment, SegmentPlan

# Boundary kinds best first; "end" only ever closes the last segment.
RANKS: tuple[CutKind, ...] = ("document", "article", "section", "paragraph", "sentence", "token")
# A blank line, or a line break before an indented or capitalised line.
_PARAGRAPH = re.compile(r"\n[ \t\f]*\n\s*|\n(?=[ \t]+\S|[\"'\u201c(\[]?[A-Z])")
# ". " (or "?", "!", closing quotes/brackets) before a capital, or any line break.
_SENTENCE = re.compile(r"[.!?][\"'\u201d\u2019)\]]*(?=[ \t]+[\"'\u201c(\[]?[A-Z])|\n")
_NON_SPACE = re.compile(r"\S")
_BACK_CHUNK = 4096  # characters examined per step when searching backwards
_TOKEN_PROBE = 64  # tokens examined either side of the target for a clean token cut


class SegmentSizes(Protocol):
    """The three sizes the segmenter needs (``pipeline.config.SegmentConfig`` has them):
    chunking depends on nothing of ours but the types and errors."""

    @property
    def threshold_tokens(self) -> int: ...
    @property
    def min_tokens(self) -> int: ...
    @property
    def max_tokens(self) -> int: ...


def plan_segments(
    extracted: ExtractedText, tokenized: TokenizedText, sections: list[Section], sizes: SegmentSizes
) -> SegmentPlan:
    """One segment up to the threshold; beyond it, balanced segments of ``[min, max]`` tokens."""
    text = extracted.text
    total = tokenized.count
    starts = tokenized.char_starts[:-1]
    if total <= sizes.threshold_tokens:
        cuts: list[tuple[int, CutKind]] = []
    else:
        finder = _BoundaryFinder(text, starts, sections)
        cuts = _choose_cuts(total, sizes.min_tokens, sizes.max_tokens, finder)
    bounds = [0, *(c for c, _ in cuts), total]
    kinds: list[CutKind] = [k for _, k in cuts] + ["end"]
    labeler = _SectionLabeler(sections)
    segments: list[Segment] = []
    for i, kind in enumerate(kinds):
        t0, t1 = bounds[i], bounds[i + 1]
        c0 = 0 if i == 0 else int(starts[t0])
        c1 = len(text) if i == len(kinds) - 1 else int(starts[t1])
        # Name pages and sections by the segment's visible text, not the blank lines at its edges.
        m = _NON_SPACE.search(text, c0, c1)
        first_char = m.start() if m else c0
        last_char = max(first_char, c0 + len(text[c0:c1].rstrip()) - 1)
        segments.append(
            Segment(
                index=i,
                char_start=c0,
                char_end=c1,
                token_start=t0,
                token_end=t1,
                tokens=t1 - t0,
                page_first=extracted.page_at(first_char),
                page_last=extracted.page_at(last_char),
                first_section=labeler.at(first_char) if c1 > c0 else None,
                last_section=labeler.at(last_char) if c1 > c0 else None,
                cut=kind,
            )
        )
    return SegmentPlan(
        total_tokens=total,
        total_chars=len(text),
        threshold_tokens=sizes.threshold_tokens,
        min_tokens=sizes.min_tokens,
        max_tokens=sizes.max_tokens,
        segments=segments,
    )


def segment_count(total: int, min_tokens: int, max_tokens: int) -> tuple[int, int]:
    """Number of segments and the minimum actually enforced.

    ``ceil(total / max)`` is the fewest segments that fit; more segments only make the
    minimum harder to meet, so when even that count cannot reach ``min`` tokens each, the
    minimum is relaxed to an even share rather than fail.
    """
    n = max(1, ceil(total / max_tokens))
    return n, min(min_tokens, total // n)


def _choose_cuts(
    total: int, lo_tokens: int, hi_tokens: int, finder: _BoundaryFinder
) -> list[tuple[int, CutKind]]:
    n, lo_tokens = segment_count(total, lo_tokens, hi_tokens)
    planned = _structural_plan(finder.structural[:3], total, n, lo_tokens, hi_tokens)
    if planned is not None:
        return planned
    # Some cut has no structural boundary to use: go left to right, each cut taking the best
    # boundary in the window that keeps it and everything after it feasible.
    cuts: list[tuple[int, CutKind]] = []
    prev = 0
    for i in range(1, n):
        left = n - i  # segments still to place after this cut
        lo = max(prev + lo_tokens, total - left * hi_tokens)
        hi = min(prev + hi_tokens, total - left * lo_tokens)
        target = prev + round((total - prev) / (left + 1))
        cut = finder.best(lo, hi, min(max(target, lo), hi))
        cuts.append(cut)
        prev = cut[0]
    return cuts


def _structural_plan(
    by_rank: list[np.ndarray], total: int, n: int, lo_tokens: int, hi_tokens: int
) -> list[tuple[int, CutKind]] | None:
    """All cuts on document/article/section boundaries, if that is possible at all.

    Dynamic programming over the boundaries (layer ``k`` = the ``k``-th cut): maximise the
    summed rank (document 3, article 2, section 1), then minimise the distance of each cut
    from ``k * total / n``. Rank weights are scaled past any possible distance sum, so rank
    always wins. A greedy left-to-right choice cannot do this: an early article far from
    the target can leave a later window with no structure in it at all.
    """
    if n < 2:
        return []
    pos = np.concatenate(by_rank)
    weight = np.concatenate([np.full(len(t), 3 - r, dtype=np.float64) for r, t in enumerate(by_rank)])
    order = np.lexsort((-weight, pos))  # by position, best rank first among equals
    pos, weight = pos[order], weight[order]
    keep = np.ones(len(pos), dtype=bool)
    keep[1:] = pos[1:] != pos[:-1]
    pos, weight = pos[keep], weight[keep]
    if len(pos) < n - 1:
        return None
    scale = float(n) * total + 1.0
    value = np.full(len(pos), -np.inf)
    back: list[np.ndarray] = []
    for k in range(1, n):
        node = weight * scale - np.abs(pos - k * total / n)
        # Positions cut k may take at all: the segments on either side must fit.
        ok = (pos >= k * lo_tokens) & (pos <= k * hi_tokens)
        ok &= (total - pos >= (n - k) * lo_tokens) & (total - pos <= (n - k) * hi_tokens)
        if k == 1:
            arg = np.full(len(pos), -1)
            value = np.where(ok, node, -np.inf)
        else:
            a = np.searchsorted(pos, pos - hi_tokens, side="left")
            b = np.searchsorted(pos, pos - lo_tokens, side="right")
            arg = _range_argmax(value, a, b)
            before = np.where(arg >= 0, value[np.maximum(arg, 0)], -np.inf)
            value = np.where(ok, node + before, -np.inf)
        back.append(arg)
    j = int(np.argmax(value))
    if not np.isfinite(value[j]):
        return None
    chosen = [j]
    for arg in reversed(back[1:]):
        chosen.append(int(arg[chosen[-1]]))
    kinds: dict[float, CutKind] = {3.0: "document", 2.0: "article", 1.0: "section"}
    return [(int(pos[i]), kinds[float(weight[i])]) for i in reversed(chosen)]


def _range_argmax(values: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Index of the largest ``values[a[i]:b[i]]`` for every i (-1 if empty); sparse table."""
    size = len(values)
    table = [np.arange(size)]
    span = 1
    while span * 2 <= size:
        prev = table[-1]
        left, right = prev[: size - 2 * span + 1], prev[span : size - span + 1]
        table.append(np.where(values[right] > values[left], right, left))
        span *= 2
    out = np.full(len(a), -1)
    length = b - a
    valid = length > 0
    level = np.frexp(np.maximum(length, 1))[1].astype(np.int64) - 1  # exact floor(log2)
    for lvl, best in enumerate(table):
        m = valid & (level == lvl)
        if m.any():
            i1, i2 = best[a[m]], best[b[m] - (1 << lvl)]
            out[m] = np.where(values[i2] > values[i1], i2, i1)
    return out


class _BoundaryFinder:
    """Finds the best cut in a token window; structural boundaries are indexed up front,
    paragraphs and sentences are searched for only near the target, on demand."""

    def __init__(self, text: str, starts: np.ndarray, sections: list[Section]) -> None:
        self.text = text
        self.starts = starts
        # A new document's segment should open on its first line, not on the blank lines before it.
        firsts = [_NON_SPACE.search(text, b) for b in find_document_breaks(text)]
        docs = np.array([m.start() for m in firsts if m], dtype=np.int64)
        by_level = np.array([s.level for s in sections], dtype=np.int64)
        heads = np.array([s.start for s in sections], dtype=np.int64)
        self.structural = [
            self._tokens_of(docs),
            self._tokens_of(heads[by_level == 1]),
            self._tokens_of(heads[(by_level == 2) | (by_level == 3)]),
            self._tokens_of(heads[by_level >= 4]),  # deeper headings count as paragraphs
        ]

    def _tokens_of(self, offsets: np.ndarray) -> np.ndarray:
        """Token holding each character offset, moved back to a whole-character token start."""
        if not len(offsets) or not len(self.starts):
            return np.zeros(0, dtype=np.int64)
        k = np.maximum(np.searchsorted(self.starts, offsets, side="right") - 1, 0)
        tokens = np.searchsorted(self.starts, self.starts[k], side="left")
        return _sorted_unique(tokens[tokens > 0])

    def _token_of(self, offset: int) -> int:
        k = max(int(np.searchsorted(self.starts, offset, side="right")) - 1, 0)
        return int(np.searchsorted(self.starts, self.starts[k], side="left"))

    def best(self, lo: int, hi: int, target: int) -> tuple[int, CutKind]:
        for rank, kind in enumerate(RANKS[:3]):
            found = _nearest(self.structural[rank], lo, hi, target)
            if found is not None:
                return found, kind
        paragraph = self._search(_PARAGRAPH, lo, hi, target)
        deep = _nearest(self.structural[3], lo, hi, target)
        options = [t for t in (paragraph, deep) if t is not None]
        if options:
            return min(options, key=lambda t: (abs(t - target), t)), "paragraph"
        sentence = self._search(_SENTENCE, lo, hi, target)
        if sentence is not None:
            return sentence, "sentence"
        return self._token_cut(lo, hi, target), "token"

    def _search(self, pattern: re.Pattern[str], lo: int, hi: int, target: int) -> int | None:
        """Nearest match of ``pattern`` on either side of ``target`` that maps into ``[lo, hi]``."""
        starts, text = self.starts, self.text
        c_lo, c_hi, c_target = int(starts[lo]), int(starts[hi]), int(starts[target])
        forward: int | None = None
        for m in pattern.finditer(text, c_target, min(len(text), c_hi + 64)):
            t = self._token_of(m.end())
            if t > hi:
                break
            if t >= lo:
                forward = t
                break
        backward: int | None = None
        end = c_target
        floor = max(c_lo - 64, 0)
        while backward is None and end > floor and forward != target:
            begin = max(floor, end - _BACK_CHUNK)
            for m in pattern.finditer(text, begin, min(len(text), end + 64)):
                if m.start() >= end:
                    break
                t = self._token_of(m.end())
                if lo <= t <= min(hi, target):
                    backward = t
            end = begin
        found = [t for t in (forward, backward) if t is not None]
        return min(found, key=lambda t: (abs(t - target), t)) if found else None

    def _token_cut(self, lo: int, hi: int, target: int) -> int:
        """A token start near ``target`` that begins a whole character, before a space if possible."""
        starts, text = self.starts, self.text

        def clean(t: int) -> bool:
            return t > 0 and starts[t] > starts[t - 1]

        def spaced(t: int) -> bool:
            return clean(t) and text[int(starts[t])].isspace()

        for accept in (spaced, clean):
            for d in range(_TOKEN_PROBE + 1):
                for t in (target - d, target + d):
                    if lo <= t <= hi and accept(t):
                        return t
        return target


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` for a 1-D integer array. numpy 2's ``unique`` asks ``np.ma`` whether
    the array is masked, and importing ``numpy.ma`` (~30 ms) would sit before a job's first
    model request."""
    ordered = np.sort(values)
    if not len(ordered):
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _nearest(tokens: np.ndarray, lo: int, hi: int, target: int) -> int | None:
    """The element of sorted ``tokens`` inside ``[lo, hi]`` closest to ``target``."""
    a = int(np.searchsorted(tokens, lo, side="left"))
    b = int(np.searchsorted(tokens, hi, side="right"))
    if a >= b:
        return None
    k = int(np.searchsorted(tokens, target, side="left"))
    near: list[int] = [int(tokens[j]) for j in (k - 1, k) if a <= j < b]
    if not near:
        near = [int(tokens[a]), int(tokens[b - 1])]
    return min(near, key=lambda t: (abs(t - target), t))


class _SectionLabeler:
    """Names the place a character sits in: "Article IV > 4.2" (top heading > numbered one)."""

    def __init__(self, sections: list[Section]) -> None:
        self.sections = sections
        self.starts = [s.start for s in sections]

    def at(self, offset: int) -> str | None:
        k = bisect_right(self.starts, offset) - 1
        chain: list[Section] = []
        # The headings holding ``offset`` are all ancestors of the last one starting before it.
        j: int | None = k if k >= 0 else None
        while j is not None:
            s = self.sections[j]
            if s.start <= offset < s.end:
                chain.append(s)
            j = s.parent
        if not chain:
            return None
        chain.reverse()  # top-level first
        numbered = [s for s in chain if s.kind not in ("clause", "item")] or chain
        top, deep = chain[0], numbered[-1]
        return top.label if deep is top else f"{top.label} > {deep.label}"
