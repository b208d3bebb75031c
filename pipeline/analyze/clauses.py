"""Offline clause finder for the 41 CUAD categories (the core of the built-in ``rules`` model).

    text ─split_units→ sentence units inside blank-line paragraphs
         ─tokenize→ word ids ─unit_features→ stem 1-2 grams + keyword-rule hits
         ─linear model (pipeline/data/cuad_clauses.*)→ score per unit and category
         ─calibrated score ≥ per-category cutoff→ ClauseHit[]

A unit's score depends on the unit's own text only, never on document-level statistics or
position, so a document cut at blank lines and analysed piecewise (with ``base_offset``) yields
exactly the hits of the whole. Document Name is the one exception: a title rule that looks at
the top of a text whose ``base_offset`` is 0.

The artifact is written by ``bench/train_cuad.py``; ``split_units`` and ``unit_features`` are
shared with it, so training and inference see identical features. Inference needs numpy only.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

# Re-exported: the list lives apart so that a model request's prompt does not import this module.
from pipeline.analyze.categories import CATEGORIES as CATEGORIES
from pipeline.analyze.patterns import trim

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
ARTIFACT = DATA_DIR / "cuad_clauses"
# SHA-256 of the texts the shipped model was trained on (written with the artifact).
TRAINING_HASHES = DATA_DIR / "cuad_clauses_training.json"
FORMAT = "longdoc-cuad-clauses/2"


I64 = npt.NDArray[np.int64]
F32 = npt.NDArray[np.float32]
Bool = npt.NDArray[np.bool_]

# Feature keys: unigram = stem id; bigram = BI_TAG | (a * n_stems + b).
BI_TAG = 1 << 40
# Rule hits enter the linear model as extra features of this value (n-gram vectors have norm 1).
RULE_VALUE = 0.25
MAX_UNIT_CHARS = 1500
UNIT_BATCH = 50_000
MIN_UNIT_CHARS = 40
# Function words carry no clause signal; dropping them lets "change of control" and
# "change in control" share the bigram "change control".
STOP_WORDS = frozenset(
    ("the", "a", "an", "of", "to", "in", "this", "such", "its", "their", "be", "is", "are", "was", "been",
     "which", "that", "as", "with", "for", "on", "at", "by")
)  # fmt: skip

_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")
# Candidate sentence ends: terminal punctuation (+ closing quotes/brackets) and whitespace before
# something that can start a sentence, or a line break.
_SENT_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9(])|\n")
# A period after these is no sentence end: abbreviations, initials, section numbers.
_NO_END = re.compile(
    r"(?:\b(?:inc|corp|co|ltd|no|nos|sec|secs|art|arts|mr|mrs|ms|dr|st|vs|llc|jr|sr|approx|para|"
    r"paras|cf|fig|ex|viz|al|pty|plc|bros|dept|govt|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|"
    r"nov|dec|u\.s|e\.g|i\.e|n\.a|s\.a|l\.p|p\.c|b\.v|n\.v|a\.g|s\.p\.a)"
    r"|\b(?:section|article|clause|paragraph|exhibit|schedule|annex|appendix)\s+\d+(?:\.\d+)*"
    r"|\b[a-z]|\b[ivx]+|\d+\.\d+)\.$",
    re.I,
)
_LIST_ITEM = re.compile(r"\s*(?:\(?[a-zA-Z0-9]{1,4}[.)]|[\u2022\u25cf*\-])\s")
_SOFT_SPLIT = re.compile(r";\s+|:\s+(?=\(?[a-z0-9]{1,4}[.)])")
_TOKEN = re.compile(r"[a-z]+|[0-9]+|[%$]")
_DIGITS = str.maketrans("123456789", "000000000")
# Document Name: an all-caps phrase ending in AGREEMENT & co. near the top, else a Title Case one.
_TITLE_WORD = r"(?:AGREEMENT|CONTRACT|LICENSE|LEASE|AMENDMENT|ADDENDUM|PLAN|MEMORANDUM OF UNDERSTANDING|TERMS AND CONDITIONS)"
_TITLE_CAPS = re.compile(
    r"(?<![A-Za-z])(?:[A-Z][A-Z0-9&'\-/]*,?[ \t]{1,3}(?:(?:AND|OF|FOR|TO)[ \t]{1,3})?){0,8}"
    + _TITLE_WORD
    + r"(?![A-Za-z])"
)
_TITLE_CASE = re.compile(
    r"(?<![A-Za-z])(?:[A-Z][A-Za-z0-9&'\-/]*[ \t](?:(?:and|of|for)[ \t])?){1,6}(?:Agreement|Contract)\b"
)
_TITLE_SKIP = re.compile(
    r"(?:(?:EXHIBIT|EXECUTION|COPY|VERSION|CONFIDENTIAL|REDACTED|FINAL|DRAFT|THIS)[ \t]+)+"
)


@dataclass(frozen=True)
class ClauseHit:
    category: str  # one of CATEGORIES
    start: int  # char offset into the analysed text, plus base_offset
    end: int
    confidence: float  # 0..1


# ---------------------------------------------------------------------------- units


def _sentence_cuts(text: str, s: int, e: int) -> list[int]:
    """Cut points strictly inside paragraph [s, e)."""
    cuts: list[int] = []
    for m in _SENT_END.finditer(text, s, e):
        if m.group() == "\n":
            line_start = text.rfind("\n", s, m.start()) + 1
            prev = text[line_start : m.start()].rstrip()
            # Hard-wrapped lines join up; a line ending a sentence, a short heading line or a
            # following list item ends the unit.
            if not (
                prev.endswith((".", ":", ";", "!", "?"))
                or len(prev) < 60
                or _LIST_ITEM.match(text, m.end(), e)
            ):
                continue
        elif _NO_END.search(text, max(s, m.start() - 24), m.start() + 1):
            continue
        cuts.append(m.end())
    return cuts


def _cap_length(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Split an over-long unit at semicolons / list colons, else at spaces, into bounded pieces."""
    if e - s <= MAX_UNIT_CHARS:
        return [(s, e)]
    pieces: list[tuple[int, int]] = []
    start = s
    for m in _SOFT_SPLIT.finditer(text, s, e):
        if m.end() - start >= MAX_UNIT_CHARS // 3 and e - m.end() >= MAX_UNIT_CHARS // 6:
            pieces.append(trim(text, start, m.start() + 1))
            start = m.end()
    pieces.append(trim(text, start, e))
    out: list[tuple[int, int]] = []
    for us, ue in pieces:
        while ue - us > MAX_UNIT_CHARS:
            cut = text.rfind(" ", us + MAX_UNIT_CHARS // 2, us + MAX_UNIT_CHARS)
            cut = cut if cut > us else us + MAX_UNIT_CHARS
            out.append(trim(text, us, cut))
            us = trim(text, cut, ue)[0]
        out.append((us, ue))
    return out


def split_units(text: str) -> tuple[list[tuple[int, int]], list[int]]:
    """Sentence-like units as trimmed char spans, and the paragraph index of each.

    Paragraphs are blocks between blank lines; units never cross them. Fragments shorter than
    ``MIN_UNIT_CHARS`` (headings, numbering) join the next unit of their paragraph, so a heading
    like "12. Assignment." colours the sentence it introduces.
    """
    spans: list[tuple[int, int]] = []
    paras: list[int] = []
    bounds = [0]
    for m in _BLANK_LINE.finditer(text):
        bounds += [m.start(), m.end()]
    bounds.append(len(text))
    p = 0
    for i in range(0, len(bounds), 2):
        ps, pe = trim(text, bounds[i], bounds[i + 1])
        if ps >= pe:
            continue
        pieces: list[tuple[int, int]] = []
        pending = -1
        last = ps
        for c in [*_sentence_cuts(text, ps, pe), pe]:
            us, ue = trim(text, last, c)
            last = c
            if us >= ue:
                continue
            if pending >= 0:
                us, pending = pending, -1
            if ue - us < MIN_UNIT_CHARS and c < pe:
                pending = us
                continue
            pieces.extend(_cap_length(text, us, ue))
        spans.extend(pieces)
        paras.extend([p] * len(pieces))
        p += 1
    return spans, paras


def tokenize(fragment: str) -> list[str]:
    """Lower-case words, digit runs (every digit mapped to 0), % and $; stop words dropped."""
    return [t for t in _TOKEN.findall(fragment.lower().translate(_DIGITS)) if t not in STOP_WORDS]


# ---------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class CompiledRules:
    """Keyword rules compiled against a vocabulary (see ``compile_rules`` for the syntax).

    Every item token is a contiguous range of word ids (words are sorted, so a prefix is a
    range): ``lo[k, t] <= id < hi[k, t]`` for token t of item k.
    """

    texts: tuple[str, ...]
    lo: I64  # (n_items, max_len)
    hi: I64
    item_len: I64
    # Word id -> items whose first token it matches (CSR), for a cheap first pass over tokens.
    first_ptr: I64
    first_items: I64
    item_group_ptr: I64  # item -> groups (CSR)
    item_groups: I64
    required: F32  # (n_groups, n_rules) 0/1
    forbidden: F32  # (n_groups, n_rules) 0/1


def compile_rules(texts: list[str], words: list[str]) -> CompiledRules:
    """Compile rules against ``words`` (sorted; word id = index + 1, 0 = unknown).

    Rule syntax: groups joined by `` & `` must all occur in the unit; a group starting with
    ``!`` must not occur. A group lists alternatives joined by ``|``. An item is a word prefix
    (``assign`` matches assigned, assignment ...), ``word$`` one exact word, and ``a_b`` adjacent
    words (each a prefix or exact; stop words are skipped as in ``tokenize``).
    """
    items: list[list[tuple[int, int]]] = []  # per item: id range [lo, hi) per token
    item_index: dict[str, int] = {}
    groups: list[list[int]] = []
    rules: list[tuple[list[int], list[int]]] = []
    for rule in texts:
        req: list[int] = []
        neg: list[int] = []
        for group in rule.split(" & "):
            members: list[int] = []
            for item in group.lstrip("!").split("|"):
                if item not in item_index:
                    ranges = []
                    for part in re.split(r"[_\s\-]+", item):
                        exact = part.endswith("$")
                        for tok in tokenize(part.rstrip("$")):
                            a = bisect_left(words, tok)
                            if exact:
                                b = a + 1 if a < len(words) and words[a] == tok else a
                            else:
                                b = bisect_left(words, tok + "\uffff")
                            ranges.append((a + 1, b + 1))
                    item_index[item] = len(items)
                    items.append(ranges or [(0, 0)])  # only stop words: never matches
                members.append(item_index[item])
            (neg if group.startswith("!") else req).append(len(groups))
            groups.append(members)
        rules.append((req, neg))
    depth = max(len(r) for r in items)
    lo = np.zeros((len(items), depth), dtype=np.int64)
    hi = np.zeros((len(items), depth), dtype=np.int64)
    for k, ranges in enumerate(items):
        for t, (a, b) in enumerate(ranges):
            lo[k, t], hi[k, t] = a, b
    word_ids = np.concatenate(
        [np.arange(a, b) for a, b in zip(lo[:, 0].tolist(), hi[:, 0].tolist(), strict=True)]
    )
    item_ids = np.repeat(np.arange(len(items)), hi[:, 0] - lo[:, 0])
    order = np.argsort(word_ids, kind="stable")
    first_ptr = np.zeros(len(words) + 2, dtype=np.int64)
    np.cumsum(np.bincount(word_ids, minlength=len(words) + 1), out=first_ptr[1:])
    item_of_group = np.concatenate([np.asarray(m, dtype=np.int64) for m in groups])
    group_of_item = np.repeat(np.arange(len(groups)), [len(m) for m in groups])
    order_g = np.argsort(item_of_group, kind="stable")
    item_group_ptr = np.zeros(len(items) + 1, dtype=np.int64)
    np.cumsum(np.bincount(item_of_group, minlength=len(items)), out=item_group_ptr[1:])
    required = np.zeros((len(groups), len(rules)), dtype=np.float32)
    forbidden = np.zeros((len(groups), len(rules)), dtype=np.float32)
    for r, (req, neg) in enumerate(rules):
        required[req, r] = 1
        forbidden[neg, r] = 1
    return CompiledRules(
        tuple(texts),
        lo,
        hi,
        np.array([len(r) for r in items], dtype=np.int64),
        first_ptr,
        item_ids[order],
        item_group_ptr,
        group_of_item[order_g],
        required,
        forbidden,
    )


def _expand(ptr: I64, values: I64, keys: I64) -> tuple[I64, I64]:
    """For each position i, every value listed under keys[i] in CSR (ptr, values): (i, value)."""
    count = ptr[keys + 1] - ptr[keys]
    pos = np.repeat(np.arange(len(keys)), count)
    start = np.repeat(ptr[keys] - np.cumsum(count) + count, count)
    return pos, values[start + np.arange(len(pos))]


def rule_hits(rules: CompiledRules, ids: I64, owner: I64, n_units: int) -> Bool:
    """(n_units, n_rules): which rules fire in which unit."""
    tok, item = _expand(rules.first_ptr, rules.first_items, ids)
    n = len(ids)
    for t in range(1, rules.lo.shape[1]):
        need = rules.item_len[item] > t
        nxt = np.minimum(tok + t, n - 1)
        nid = ids[nxt]
        ok = (
            (tok + t < n)
            & (owner[nxt] == owner[tok])
            & (rules.lo[item, t] <= nid)
            & (nid < rules.hi[item, t])
        )
        keep = ~need | ok
        tok, item = tok[keep], item[keep]
    at, group = _expand(rules.item_group_ptr, rules.item_groups, item)
    n_groups, n_rules = rules.required.shape
    # Distinct (unit, group) pairs, then per unit and rule how many of its required (forbidden)
    # groups occur. Counted with bincount, not a float matmul: the counts are exact either way,
    # and a BLAS call this size starts OpenBLAS's threads, which cost more than the product.
    pairs = np.unique(owner[tok[at]] * n_groups + group)
    units, groups = pairs // n_groups, pairs % n_groups

    def count(table: F32) -> I64:
        g, r = np.nonzero(table.T)  # (rule, group) pairs → grouped by group below
        order = np.argsort(r, kind="stable")
        ptr = np.zeros(n_groups + 1, dtype=np.int64)
        np.cumsum(np.bincount(r, minlength=n_groups), out=ptr[1:])
        at_pair, rule = _expand(ptr, g[order].astype(np.int64), groups)
        flat = units[at_pair] * n_rules + rule
        return np.bincount(flat, minlength=n_units * n_rules).reshape(n_units, n_rules)

    need_all = rules.required.sum(axis=0).astype(np.int64)
    out: Bool = (count(rules.required) == need_all) & (count(rules.forbidden) == 0)
    return out


# ---------------------------------------------------------------------------- features


@dataclass(frozen=True)
class Vocabulary:
    index: dict[str, int]  # word -> id (1-based; 0 = unknown)
    stem_of: I64  # word id -> stem id (0 = unknown)
    n_stems: int  # stem ids are < n_stems
    rules: CompiledRules


@dataclass(frozen=True)
class UnitFeatures:
    """Sparse binary n-gram features (``rows`` = unit index, ``keys``, ``vals``) and rule hits."""

    rows: I64
    keys: I64
    vals: F32
    rules: Bool  # (n_units, n_rules)
    n_units: int


def unit_features(text: str, spans: list[tuple[int, int]], vocab: Vocabulary) -> UnitFeatures:
    """Distinct stem uni- and bigrams of each unit, valued 1/sqrt(count), plus rule hits."""
    get = vocab.index.get
    ids_list: list[int] = []
    lens: list[int] = []
    for s, e in spans:
        toks = _TOKEN.findall(text[s:e].lower().translate(_DIGITS))
        before = len(ids_list)
        ids_list.extend([get(t, 0) for t in toks if t not in STOP_WORDS])
        lens.append(len(ids_list) - before)
    n_units = len(spans)
    ids = np.asarray(ids_list, dtype=np.int64)
    owner = np.repeat(np.arange(n_units, dtype=np.int64), np.asarray(lens, dtype=np.int64))
    stems = vocab.stem_of[ids]
    same = owner[1:] == owner[:-1]
    keys = np.concatenate([stems, (BI_TAG | (stems[:-1] * vocab.n_stems + stems[1:]))[same]])
    rows = np.concatenate([owner, owner[:-1][same]])
    # Binary features: one entry per distinct (unit, key); rows < 2^21, keys < 2^41.
    uniq = np.unique((rows << 42) | keys)
    rows = uniq >> 42
    keys = uniq & ((1 << 42) - 1)
    count = np.bincount(rows, minlength=n_units)
    vals = (1.0 / np.sqrt(np.maximum(count, 1))).astype(np.float32)[rows]
    return UnitFeatures(rows, keys, vals, rule_hits(vocab.rules, ids, owner, n_units), n_units)


# ---------------------------------------------------------------------------- model


@dataclass(frozen=True)
class ClauseModel:
    categories: tuple[str, ...]
    vocab: Vocabulary
    keys: I64  # sorted n-gram feature keys
    weights: F32  # (len(keys), n_categories)
    rule_weights: F32  # (n_rules, n_categories)
    bias: F32
    # logit = calib_a * score + calib_b: calibrated log-odds that the category is present.
    # A unit fires when logit >= cutoff; sigmoid(logit) is the hit's confidence.
    calib_a: F32
    calib_b: F32
    cutoff: F32

    def scores(self, feats: UnitFeatures) -> F32:
        """Linear decision score of every unit for every category, shape (n_units, n_categories)."""
        out = np.zeros((feats.n_units, len(self.categories)), dtype=np.float32)
        if len(feats.keys) and len(self.keys):
            col = np.searchsorted(self.keys, feats.keys)
            np.minimum(col, len(self.keys) - 1, out=col)
            found = self.keys[col] == feats.keys
            rows = feats.rows[found]  # sorted: unit_features emits keys unit by unit
            contrib = self.weights[col[found]] * feats.vals[found, None]
            if len(rows):
                units, starts = np.unique(rows, return_index=True)
                out[units] = np.add.reduceat(contrib, starts, axis=0)
        out += RULE_VALUE * self._rule_sums(feats.rules)
        out += self.bias
        return out

    def _rule_sums(self, fired: Bool) -> F32:
        """``fired.astype(float32) @ rule_weights``, the float32 product's very values, without a
        BLAS call over every unit: one that size starts OpenBLAS's threads, which cost more than
        the product. A unit with at most two fired rules sums them in one rounding, as any
        summation order does; the few with more go through the matrix product itself."""
        n_units = fired.shape[0]
        out = np.zeros((n_units, self.rule_weights.shape[1]), dtype=np.float32)
        count = fired.sum(axis=1)
        units, rules = np.nonzero(fired)  # row-major: a unit's rules together, in rule order
        for k in (1, 2):
            units_with = np.nonzero(count == k)[0]
            if not len(units_with):
                continue
            # Where each such unit's rules start in (units, rules).
            first = np.searchsorted(units, units_with)
            total = self.rule_weights[rules[first]]
            if k == 2:
                total = total + self.rule_weights[rules[first + 1]]
            out[units_with] = total
        many = np.nonzero(count > 2)[0]
        if len(many):
            out[many] = fired[many].astype(np.float32) @ self.rule_weights
        return out

    def logits(self, feats: UnitFeatures) -> F32:
        """Calibrated log-odds that a unit with this score marks the category present."""
        out: F32 = self.scores(feats) * self.calib_a + self.calib_b
        return out


def load_model(path: Path = ARTIFACT) -> ClauseModel:
    """Read ``<path>.json`` (categories, vocabulary, rules, calibration) and ``<path>.npz``."""
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT:
        raise ValueError(f"{path}: unsupported clause model format {meta.get('format')!r}")
    words: list[str] = meta["words"]
    with np.load(path.with_suffix(".npz")) as z:
        keys = z["keys"].astype(np.int64)
        weights = z["weights"].astype(np.float32)
        rule_weights = z["rule_weights"].astype(np.float32)
        stem_of = np.concatenate([[0], z["stem_of"]]).astype(np.int64)
    vocab = Vocabulary(
        index={w: i for i, w in enumerate(words, start=1)},
        stem_of=stem_of,
        n_stems=int(meta["n_stems"]),
        rules=compile_rules(meta["rules"], words),
    )
    return ClauseModel(
        categories=tuple(meta["categories"]),
        vocab=vocab,
        keys=keys,
        weights=weights,
        rule_weights=rule_weights,
        bias=np.asarray(meta["bias"], dtype=np.float32),
        calib_a=np.asarray(meta["calib_a"], dtype=np.float32),
        calib_b=np.asarray(meta["calib_b"], dtype=np.float32),
        cutoff=np.asarray(meta["cutoff"], dtype=np.float32),
    )


@lru_cache(maxsize=1)
def default_model() -> ClauseModel:
    return load_model()


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def training_hashes(path: Path = TRAINING_HASHES) -> frozenset[str]:
    """Hashes of the shipped model's training texts (empty when the file is absent)."""
    if not path.is_file():
        return frozenset()
    return frozenset(json.loads(path.read_text(encoding="utf-8"))["sha256"])


# ---------------------------------------------------------------------------- hits


def _document_name(text: str, base_offset: int) -> list[ClauseHit]:
    """The contract's title near the top of a document (only for its first segment)."""
    if base_offset != 0:
        return []
    end = min(len(text), 2000)
    for pattern in (_TITLE_CAPS, _TITLE_CASE):
        for m in pattern.finditer(text, 0, end):
            s, e = m.start(), m.end()
            skip = _TITLE_SKIP.match(text, s, e)
            s = skip.end() if skip else s
            if " " in text[s:e].strip():  # a bare "AGREEMENT" or "THIS AGREEMENT" is no title
                s, e = trim(text, s, e)
                return [ClauseHit("Document Name", s, e, 0.8)]
    return []


# The floor of a document score: a text with no units at all (no evidence either way).
NO_SCORE = -30.0
# Below this best calibrated log-odds over a whole document, the model is confident a category
# is absent (a review item may say ``missing``). sigmoid(-1.35) = 0.21. bench/missing_cv.py, 5-fold
# CV on cuad-dev (models refitted per fold), 14 standard positions, thresholds on a 0.05 grid: the
# highest whose out-of-fold precision reaches 0.955 (the 0.95 bar plus a margin for the spread
# between folds) is -1.35, where the out-of-fold ``missing`` precision is 0.955, recall 0.860;
# choosing it without the fold (nested) gives 0.956 / 0.856. At 0 ("no finding" read as missing):
# 0.910 / 0.957.
MISSING_LOGIT = -1.35


def find_clauses(text: str, *, base_offset: int = 0, model: ClauseModel | None = None) -> list[ClauseHit]:
    """Clauses of the CUAD categories found in ``text``, ordered by start then category.

    Each hit's quote is ``text[hit.start - base_offset : hit.end - base_offset]``, a verbatim,
    whitespace-trimmed span. Consecutive units of one paragraph that fire for the same category
    merge into one hit.
    """
    return scan_clauses(text, base_offset=base_offset, model=model).hits


def document_scores(text: str, *, model: ClauseModel | None = None) -> dict[str, float]:
    """The best calibrated log-odds of each model category over every unit of ``text``."""
    return scan_clauses(text, model=model).best


class ClauseScan(NamedTuple):
    hits: list[ClauseHit]
    best: dict[str, float]  # per model category, the best unit log-odds (NO_SCORE: no unit)
    closest: dict[str, tuple[int, int]]  # per category, that best unit's [start, end) (offset)


def scan_clauses(text: str, *, base_offset: int = 0, model: ClauseModel | None = None) -> ClauseScan:
    """``find_clauses``'s hits and, per model category, the best unit log-odds (``NO_SCORE``
    when the text has no unit) and where that unit is: the passage closest to a clause of the
    category, which a reviewer reads when the model is unsure. The maximum over pieces of a
    text is the whole text's."""
    m = model or default_model()
    hits = _document_name(text, base_offset)
    spans, paras = split_units(text)
    best = np.full(len(m.categories), NO_SCORE, dtype=np.float32)
    best_unit = np.full(len(m.categories), -1, dtype=np.int64)
    columns = np.arange(len(m.categories))
    # Units are scored independently, so batches bound memory (and the int64 key packing in
    # unit_features) for arbitrarily long texts without changing any score.
    found: list[tuple[int, int, float]] = []  # (category, unit, logit)
    for b in range(0, len(spans), UNIT_BATCH):
        logits = m.logits(unit_features(text, spans[b : b + UNIT_BATCH], m.vocab))
        if len(logits):
            top = logits.argmax(axis=0)
            better = logits[top, columns] > best
            best_unit[better] = top[better] + b
            np.maximum(best, logits.max(axis=0), out=best)
        units, cats = np.nonzero(logits >= m.cutoff)
        found += zip(cats.tolist(), (units + b).tolist(), logits[units, cats].tolist(), strict=True)
    found.sort()
    prev_u, prev_c = -2, -1
    for c, u, logit in found:
        conf = 1.0 / (1.0 + math.exp(-logit))
        if c == prev_c and u == prev_u + 1 and paras[u] == paras[prev_u]:
            last = hits[-1]
            hits[-1] = ClauseHit(
                last.category, last.start, spans[u][1] + base_offset, max(last.confidence, conf)
            )
        else:
            hits.append(
                ClauseHit(m.categories[c], spans[u][0] + base_offset, spans[u][1] + base_offset, conf)
            )
        prev_u, prev_c = u, c
    hits.sort(key=lambda h: (h.start, h.category))
    closest = {
        c: (spans[u][0] + base_offset, spans[u][1] + base_offset)
        for c, u in zip(m.categories, best_unit.tolist(), strict=True)
        if u >= 0
    }
    return ClauseScan(hits, {c: float(v) for c, v in zip(m.categories, best.tolist(), strict=True)}, closest)
