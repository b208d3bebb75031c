"""Offline clause finder for the 41 CUAD categories (the core of the built-in ``rules`` model).

text ─split_units→ sentence units (inside blank-line paragraphs) ─unit_features→ hashed-free
n-gram keys ─lookup in the shipped linear model→ scores ─per-category threshold→ ClauseHit[]

Every unit's score depends only on its own paragraph (a block between blank lines), never on
document-level statistics, so a document cut at blank lines and analysed piecewise (with
``base_offset``) yields exactly the hits of the whole. The one exception is Document Name, a
title rule that looks at the first lines of a text whose ``base_offset`` is 0.

The artifact (``pipeline/data/cuad_clauses.npz`` + ``.json``) is written by
``bench/train_cuad.py``; ``split_units`` and ``unit_features`` are shared with it so training
and inference see identical features.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
ARTIFACT = DATA_DIR / "cuad_clauses"

CATEGORIES: tuple[str, ...] = (
    "Document Name", "Parties", "Agreement Date", "Effective Date", "Expiration Date",
    "Renewal Term", "Notice Period To Terminate Renewal", "Governing Law", "Most Favored Nation",
    "Non-Compete", "Exclusivity", "No-Solicit Of Customers", "Competitive Restriction Exception",
    "No-Solicit Of Employees", "Non-Disparagement", "Termination For Convenience", "Rofr/Rofo/Rofn",
    "Change Of Control", "Anti-Assignment", "Revenue/Profit Sharing", "Price Restrictions",
    "Minimum Commitment", "Volume Restriction", "Ip Ownership Assignment", "Joint Ip Ownership",
    "License Grant", "Non-Transferable License", "Affiliate License-Licensor",
    "Affiliate License-Licensee", "Unlimited/All-You-Can-Eat-License",
    "Irrevocable Or Perpetual License", "Source Code Escrow", "Post-Termination Services",
    "Audit Rights", "Uncapped Liability", "Cap On Liability", "Liquidated Damages",
    "Warranty Duration", "Insurance", "Covenant Not To Sue", "Third Party Beneficiary",
)  # fmt: skip

I64 = npt.NDArray[np.int64]
F32 = npt.NDArray[np.float32]

# Feature keys are int64: block tag in the top bits, n-gram of unigram ids below.
TAG_SHIFT = 58
S_UNI, S_BI, S_TRI, P_UNI, P_BI = 0, 1, 2, 3, 4
# Paragraph-bag features count less than the unit's own words.
P_SCALE = 0.5
MAX_UNIT_CHARS = 1500
MIN_UNIT_CHARS = 40

_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")
# Candidate sentence ends: terminal punctuation (+closing quotes/brackets) and whitespace before
# something that can start a sentence, or a line break.
_SENT_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9(])|\n")
# A period after these is not a sentence end: abbreviations, initials, section numbers.
_NO_END = re.compile(
    r"(?:\b(?:inc|corp|co|ltd|no|nos|sec|secs|art|arts|mr|mrs|ms|dr|st|vs|llc|jr|sr|approx|para|"
    r"paras|cf|fig|ex|viz|al|pty|plc|bros|dept|govt|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|"
    r"nov|dec|u\.s|e\.g|i\.e|n\.a|s\.a|l\.p|p\.c|b\.v|n\.v|a\.g|s\.p\.a)"
    r"|\b(?:section|article|clause|paragraph|exhibit|schedule|annex|appendix)\s+\d+(?:\.\d+)*"
    r"|\b[a-z]|\b[ivx]+|\d+\.\d+)\.$",
    re.I,
)
_LIST_ITEM = re.compile(r"\s*(?:\(?[a-zA-Z0-9ivx]{1,4}[.)]|[\u2022\u25cf*\-])\s")
_SOFT_SPLIT = re.compile(r";\s+|:\s+(?=\(?[a-z0-9ivx]{1,4}[.)])")
_TOKEN = re.compile(r"[a-z]+|[0-9]+")
_DIGITS = str.maketrans("123456789", "000000000")
_TITLE = re.compile(
    r"^[^a-z\n]{0,80}\b(?:AGREEMENT|CONTRACT|LICENSE|LEASE|AMENDMENT|ADDENDUM|PLAN|TERMS)\b[^a-z\n]{0,80}$",
    re.M,
)


@dataclass(frozen=True)
class ClauseHit:
    category: str  # one of CATEGORIES
    start: int  # char offset into the analysed text, plus base_offset
    end: int
    confidence: float  # 0..1


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


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


def split_units(text: str) -> tuple[list[tuple[int, int]], list[int]]:
    """Sentence-like units as trimmed char spans, and the paragraph index of each.

    Paragraphs are blocks between blank lines; units never cross them. Fragments shorter than
    ``MIN_UNIT_CHARS`` (headings, numbering) join the next unit of their paragraph so that a
    heading like "12. Assignment." colours the sentence it introduces.
    """
    spans: list[tuple[int, int]] = []
    paras: list[int] = []
    bounds = [0]
    for m in _BLANK_LINE.finditer(text):
        bounds += [m.start(), m.end()]
    bounds.append(len(text))
    p = 0
    for i in range(0, len(bounds), 2):
        ps, pe = _trim(text, bounds[i], bounds[i + 1])
        if ps >= pe:
            continue
        pieces: list[tuple[int, int]] = []
        pending = -1
        last = ps
        for c in [*_sentence_cuts(text, ps, pe), pe]:
            us, ue = _trim(text, last, c)
            last = c
            if us >= ue:
                continue
            if pending >= 0:
                us = pending
                pending = -1
            if ue - us < MIN_UNIT_CHARS and c < pe:
                pending = us
                continue
            pieces.extend(_cap_length(text, us, ue))
        if pending >= 0:  # a short tail joins the unit before it
            if pieces:
                pieces[-1] = (pieces[-1][0], _trim(text, pending, pe)[1])
            else:
                pieces.append(_trim(text, pending, pe))
        spans.extend(pieces)
        paras.extend([p] * len(pieces))
        p += 1
    return spans, paras


def _cap_length(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Split an over-long unit at semicolons / list colons into pieces of bounded length."""
    if e - s <= MAX_UNIT_CHARS:
        return [(s, e)]
    out: list[tuple[int, int]] = []
    start = s
    for m in _SOFT_SPLIT.finditer(text, s, e):
        if m.end() - start >= MAX_UNIT_CHARS // 3 and e - m.end() >= MAX_UNIT_CHARS // 6:
            out.append(_trim(text, start, m.start() + 1))
            start = m.end()
    out.append(_trim(text, start, e))
    # Still too long (no punctuation): cut at whitespace every MAX_UNIT_CHARS.
    fixed: list[tuple[int, int]] = []
    for us, ue in out:
        while ue - us > MAX_UNIT_CHARS:
            cut = text.rfind(" ", us + MAX_UNIT_CHARS // 2, us + MAX_UNIT_CHARS)
            cut = cut if cut > us else us + MAX_UNIT_CHARS
            fixed.append(_trim(text, us, cut))
            us = _trim(text, cut, ue)[0]
        fixed.append((us, ue))
    return fixed


def tokenize(fragment: str) -> list[str]:
    """Lower-cased words and digit runs with every digit mapped to 0."""
    return _TOKEN.findall(fragment.lower().translate(_DIGITS))


@dataclass(frozen=True)
class UnitFeatures:
    """Sparse features of a text's units: ``(row, key, value)`` triples for two blocks.

    Block S rows are unit indices; block P rows are paragraph indices (one bag per paragraph,
    added to each of its units). Values are term counts scaled by 1/sqrt(tokens).
    """

    s_rows: I64
    s_keys: I64
    s_vals: F32
    p_rows: I64
    p_keys: I64
    p_vals: F32
    unit_para: I64
    n_units: int
    n_paras: int


def _ngrams(ids: I64, owner: I64, v: int, tag_uni: int, tag_bi: int, tag_tri: int) -> tuple[I64, I64]:
    same = owner[1:] == owner[:-1]
    parts_k = [ids | (tag_uni << TAG_SHIFT), ((ids[:-1] * v + ids[1:]) | (tag_bi << TAG_SHIFT))[same]]
    parts_r = [owner, owner[:-1][same]]
    if tag_tri >= 0:
        same3 = same[:-1] & same[1:]
        tri = (ids[:-2] * v + ids[1:-1]) * v + ids[2:]
        parts_k.append((tri | (tag_tri << TAG_SHIFT))[same3])
        parts_r.append(owner[:-2][same3])
    return np.concatenate(parts_r), np.concatenate(parts_k)


def unit_features(
    text: str, spans: list[tuple[int, int]], paras: list[int], vocab: dict[str, int], v: int
) -> UnitFeatures:
    """N-gram keys of every unit (S: 1-3 grams) and of every paragraph (P: 1-2 grams).

    ``vocab`` maps words to ids 1..v-1 (0 = unknown word); ``v`` is the id base for n-grams.
    """
    get = vocab.get
    ids_list: list[int] = []
    lens: list[int] = []
    for s, e in spans:
        toks = _TOKEN.findall(text[s:e].lower().translate(_DIGITS))
        ids_list.extend([get(t, 0) for t in toks])
        lens.append(len(toks))
    n_units = len(spans)
    unit_para = np.asarray(paras, dtype=np.int64)
    n_paras = int(unit_para[-1]) + 1 if n_units else 0
    ids = np.asarray(ids_list, dtype=np.int64)
    ulen = np.asarray(lens, dtype=np.int64)
    tok_unit = np.repeat(np.arange(n_units, dtype=np.int64), ulen)
    tok_para = unit_para[tok_unit]
    s_rows, s_keys = _ngrams(ids, tok_unit, v, S_UNI, S_BI, S_TRI)
    p_rows, p_keys = _ngrams(ids, tok_para, v, P_UNI, P_BI, -1)
    plen = np.bincount(tok_para, minlength=n_paras)
    s_scale = (1.0 / np.sqrt(ulen + 1.0)).astype(np.float32)
    p_scale = (P_SCALE / np.sqrt(plen + 1.0)).astype(np.float32)
    return UnitFeatures(
        s_rows, s_keys, s_scale[s_rows], p_rows, p_keys, p_scale[p_rows], unit_para, n_units, n_paras
    )


@dataclass(frozen=True)
class ClauseModel:
    categories: tuple[str, ...]
    vocab: dict[str, int]
    v: int
    keys: I64  # sorted feature keys
    weights: F32  # (len(keys), len(categories))
    bias: F32
    thresholds: F32
    # Scores at/above the threshold map to confidence >= 0.5; ``scale`` sets how fast it saturates.
    scale: F32

    def scores(self, feats: UnitFeatures) -> F32:
        """Decision score of every unit for every category, shape (n_units, n_categories)."""
        s = _block_scores(self, feats.s_rows, feats.s_keys, feats.s_vals, feats.n_units)
        p = _block_scores(self, feats.p_rows, feats.p_keys, feats.p_vals, feats.n_paras)
        out: F32 = s + p[feats.unit_para] + self.bias
        return out


def _block_scores(model: ClauseModel, rows: I64, keys: I64, vals: F32, n: int) -> F32:
    out = np.zeros((n, len(model.categories)), dtype=np.float32)
    if not len(keys) or not len(model.keys):
        return out
    col = np.searchsorted(model.keys, keys)
    np.minimum(col, len(model.keys) - 1, out=col)
    found = model.keys[col] == keys
    np.add.at(out, rows[found], model.weights[col[found]] * vals[found, None])
    return out


def load_model(path: Path = ARTIFACT) -> ClauseModel:
    """Read ``<path>.json`` (categories, vocabulary, thresholds) and ``<path>.npz`` (weights)."""
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    with np.load(path.with_suffix(".npz")) as z:
        keys = z["keys"].astype(np.int64)
        weights = z["weights"].astype(np.float32)
    words: list[str] = meta["vocab"]
    return ClauseModel(
        categories=tuple(meta["categories"]),
        vocab={w: i for i, w in enumerate(words, start=1)},
        v=int(meta["v"]),
        keys=keys,
        weights=weights,
        bias=np.asarray(meta["bias"], dtype=np.float32),
        thresholds=np.asarray(meta["thresholds"], dtype=np.float32),
        scale=np.asarray(meta["scale"], dtype=np.float32),
    )


@lru_cache(maxsize=1)
def default_model() -> ClauseModel:
    return load_model()


def _document_name(text: str, base_offset: int) -> list[ClauseHit]:
    """The first all-caps title line near the top of a document (only for its first segment)."""
    if base_offset != 0:
        return []
    m = _TITLE.search(text, 0, min(len(text), 2000))
    if m is None:
        return []
    s, e = _trim(text, m.start(), m.end())
    return [ClauseHit("Document Name", s, e, 0.8)] if e > s else []


def find_clauses(text: str, *, base_offset: int = 0, model: ClauseModel | None = None) -> list[ClauseHit]:
    """Clauses of the CUAD categories found in ``text``, ordered by start then category.

    Each hit's quote is ``text[hit.start - base_offset : hit.end - base_offset]``, a verbatim,
    whitespace-trimmed span. Adjacent units of one paragraph that fire for the same category
    merge into one hit.
    """
    m = model or default_model()
    spans, paras = split_units(text)
    hits = _document_name(text, base_offset)
    if not spans:
        return hits
    feats = unit_features(text, spans, paras, m.vocab, m.v)
    margin = m.scores(feats) - m.thresholds
    units, cats = np.nonzero(margin >= 0)
    order = np.lexsort((units, cats))
    prev_u, prev_c = -2, -1
    for u, c in zip(units[order].tolist(), cats[order].tolist(), strict=True):
        conf = 1.0 / (1.0 + math.exp(-float(m.scale[c]) * float(margin[u, c])))
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
    return hits
