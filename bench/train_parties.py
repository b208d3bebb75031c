"""Train the party scorer of pipeline/analyze/keyterms.py on CUAD's even-indexed contracts.

    python bench/train_parties.py [../shared/data/cuad-dev]   # 5-fold CV on even, then export
    python bench/train_parties.py --no-export                 # CV figures only
    python bench/train_parties.py --check                     # refit with the shipped C and cut, compare bytes

Generous rules (``keyterms.party_candidates``) propose names and short names from the first
5,000 characters (suffixed names, the heads of a "between" clause's parties, names before ", a
Delaware corporation", "Mr./Dr." names, quoted terms, "Label: Name" lines) and from signature
blocks (every line after the last IN WITNESS, the lines above a "By:"); one candidate per
spelling, its features aggregated over its mentions (position, sources, capitals, suffix,
parenthetical, derived from the name before it, mentions, role noun, also in the signature
block, ...). Two logistic regressions (names; short names) are fitted on the even-indexed rows
of labels.jsonl only; the odd ones are the unseen estimate (bench/keyterms_cuad.py --split odd).

Training labels are stricter than the benchmark's scoring: a candidate is positive when it
equals a gold Parties answer after dropping punctuation and corporate suffixes, not when it
merely contains one ("Acme Products" for "Acme"). That alone took the model's CV recall at
P .93 from .74 to .82 (C 1.0, the features then).

Shipped decision (keyterms.keep): a name is kept at its threshold, or at the lower ``top2``
one when it is one of the document's two likeliest names; a short name at its threshold, or at
the lower ``attached`` one when it sits in the parenthetical after a kept name. Kept candidates
are merged into the hand rules' parties (the rules' names win; a short name joins the party it
follows). C and the four thresholds are chosen by 5-fold CV over the even contracts (split by
contract, fixed order; everything fitted on four folds, the fifth scored by
bench/keyterms_cuad.py's rules): the highest pooled recall of the *model alone* whose pooled
precision stays >= MIN_PRECISION. The model alone, because the hand rules were tuned on these
same contracts and would hide how the model does on others.

Figures (this script's CV on the 115 even contracts; model alone / merged with the rules):

    hand rules alone (tuned on even)   P .952 R .890
    C 1.0, MIN_PRECISION .97           P .971 R .825  /  P .949 R .929   <- shipped
    the same features at floor .95     P .951 R .849  /  P .939 R .931
    at floor .93                       P .931 R .866  /  P .921 R .933

MIN_PRECISION was first .93. The existing regression test printed the all-229 figures of that
first model (party P .895 R .842, so odd about P .86 R .76): the unseen half lost far more
precision than even CV said. The floor was then raised to .97 (and the candidate fixes above
made) with that aggregate known, so the odd figure in bench/keyterms_cuad.py's table is not
perfectly blind; no odd contract or miss was ever read.

Tried and not kept: gradient boosting (sklearn, 100 trees of depth 3) over the same features:
out-of-fold AUC .869 for names (LR .869) and .900 for short names (LR .873 before the
parenthetical interaction features); not worth a tree walker in plain Python. Benchmark labels
(containment) for training: CV recall .74 at P .93.

Training needs scikit-learn (the ``train`` extra); inference is plain Python.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import itertools
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import keyterms_cuad as kc  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from pipeline.analyze.keyterms import (  # noqa: E402
    _FEATURES,
    _MODEL_PATH,
    KeyTermHit,
    Party,
    PartyCandidate,
    PartyModel,
    feature_vector,
    keep,
    merge_candidates,
    party_candidates,
    party_hits,
    party_probability,
    rule_parties,
)

FOLDS = 5
HEAD_CHARS = 5000  # find_key_terms' preamble_chars
MIN_PRECISION = 0.97  # model alone on even CV; see the docstring for why this high
C_GRID = (0.1, 1.0, 10.0)
HIGH = (0.5, 0.6, 0.7, 0.8, 0.9)  # a candidate's own threshold
LOW = (0.2, 0.3, 0.4, 0.5, 1.0)  # a likely name's or an attached short name's (1.0: none)
# (name {"threshold", "top2"}, short {"threshold", "attached"}): see keyterms.keep
Cut = tuple[dict[str, float], dict[str, float]]
NO_CUT: Cut = ({"threshold": 0.5, "top2": 1.0}, {"threshold": 0.5, "attached": 1.0})
CUTS: list[Cut] = [
    ({"threshold": a, "top2": b}, {"threshold": c, "attached": d})
    for a, b, c, d in itertools.product(HIGH, LOW, HIGH, LOW)
    if (b <= a or b == 1.0) and (d <= c or d == 1.0)
]


@dataclass
class Doc:
    slug: str
    text: str
    golds: list[kc.Gold]
    candidates: list[PartyCandidate] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    rules: list[Party] = field(default_factory=list)


def load(folder: Path, split: str = "even") -> list[Doc]:
    rows = [
        json.loads(line)
        for line in (folder / "labels.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    rows = rows[0 if split == "even" else 1 :: 2]
    docs = []
    for row in rows:
        text = (folder / "contracts" / f"{row['slug']}.txt").read_text(encoding="utf-8")
        golds = [kc.Gold(str(a["text"]), int(a["start"]), int(a["start"]) + len(str(a["text"])))
                 for a in row.get("answers", {}).get("Parties", [])]  # fmt: skip
        d = Doc(row["slug"], text, golds, party_candidates(text, HEAD_CHARS))
        d.labels = [int(_names_a_party(c.text, golds)) for c in d.candidates]
        low = text.lower()
        d.rules = rule_parties(text[:HEAD_CHARS], text, low if len(low) == len(text) else None)
        docs.append(d)
    return docs


def _names_a_party(value: str, golds: list[kc.Gold]) -> bool:
    """A training label stricter than the benchmark's: the candidate equals a gold answer
    (after dropping punctuation and corporate suffixes), not just contained in one or
    containing it, so "Acme Products" teaches nothing about parties."""
    v, raw = kc._norm_name(value), " ".join(value.lower().split())
    return any(
        raw == " ".join(g.text.lower().split()) or (bool(v) and v == kc._norm_name(g.text)) for g in golds
    )


def fit(docs: list[Doc], c: float, cut: Cut = NO_CUT) -> PartyModel:
    model: PartyModel = {"features": list(_FEATURES)}
    for short, name in ((False, "name"), (True, "short")):
        x = [feature_vector(k) for d in docs for k in d.candidates if k.short == short]
        y = [lab for d in docs for k, lab in zip(d.candidates, d.labels, strict=True) if k.short == short]
        # "bias" is a constant feature: the intercept lives in its weight.
        lr = LogisticRegression(C=c, fit_intercept=False, max_iter=5000, solver="lbfgs")
        lr.fit(x, y)
        model[name] = {"weights": [round(float(w), 6) for w in lr.coef_[0]], **cut[short]}
    return model


def score(d: Doc, probs: list[float], thresholds: Cut, with_rules: bool) -> tuple[int, int, int, int]:
    """(correct, given, found, gold) for one contract by bench/keyterms_cuad.py's rules: the
    same merge as find_key_terms, on precomputed candidates and probabilities."""
    found = copy.deepcopy(d.rules) if with_rules else []
    merge_candidates(found, keep(d.candidates, probs, {"name": thresholds[0], "short": thresholds[1]}))
    mine: dict[str, KeyTermHit] = {}
    for h in party_hits(found, d.text):
        for v in kc.party_values(h.value):
            mine.setdefault(v, KeyTermHit(h.name, v, h.start, h.end))
    correct = sum(kc.correct("party", h, d.golds) for h in mine.values())
    found_n = gold = 0
    seen: set[str] = set()
    for g in d.golds:
        key = kc._party_key(g.text)
        if key and key not in seen:
            seen.add(key)
            gold += 1
            found_n += any(kc.correct("party", h, [g]) for h in mine.values())
    return correct, len(mine), found_n, gold


def pooled(docs: list[Doc], probs: list[list[float]], t: Cut, with_rules: bool) -> tuple[float, float]:
    tot = [0, 0, 0, 0]
    for d, p in zip(docs, probs, strict=True):
        tot = [a + b for a, b in zip(tot, score(d, p, t, with_rules), strict=True)]
    return tot[0] / max(1, tot[1]), tot[2] / max(1, tot[3])


def cross_validate(docs: list[Doc]) -> tuple[float, Cut]:
    """Out-of-fold probabilities per C; the pick is made on the model alone (without the hand
    rules, which were tuned on these contracts and would hide how the model does on others)."""
    order = list(range(len(docs)))
    folds = [order[i::FOLDS] for i in range(FOLDS)]
    p0, r0 = pooled(docs, [[0.0] * len(d.candidates) for d in docs], NO_CUT, True)
    print(f"hand rules alone (tuned on these)   P {p0:.3f} R {r0:.3f}")
    best: tuple[float, float, float, Cut] | None = None
    for c in C_GRID:
        probs: list[list[float]] = [[] for _ in docs]
        for fold in folds:
            m = fit([docs[j] for j in order if j not in fold], c)
            for j in fold:
                probs[j] = [party_probability(k, m) for k in docs[j].candidates]
        for t in CUTS:
            p, r = pooled(docs, probs, t, False)
            if p >= MIN_PRECISION and (best is None or (r, p) > (best[1], best[0])):
                best = (p, r, c, t)
        if best is not None and best[2] == c:
            pu, ru = pooled(docs, probs, best[3], True)
            print(
                f"C {c:<4} thresholds {best[3]}: model alone P {best[0]:.3f} R {best[1]:.3f}; with the rules P {pu:.3f} R {ru:.3f}"
            )
        else:
            print(f"C {c:<4} no better")
    assert best is not None, "no setting reaches MIN_PRECISION"
    return best[2], best[3]


def export(model: PartyModel, path: Path) -> str:
    data = serialize(model)
    path.write_text(data, encoding="utf-8")
    return hashlib.sha256(data.encode()).hexdigest()


def serialize(model: PartyModel) -> str:
    return json.dumps(model, indent=1, sort_keys=True) + "\n"


def final_model(docs: list[Doc], c: float, cut: Cut) -> PartyModel:
    """The shipped model: fitted on every even contract with the cross-validated C and cut."""
    model = fit(docs, c, cut)
    model["trained_on"] = "cuad-dev labels.jsonl, even-indexed rows (0, 2, 4, ...)"
    model["C"] = c
    return model


def refit_shipped(folder: Path, shipped: PartyModel) -> str:
    """The shipped file's bytes as this script would write them again, from its stored C and
    cut (no cross-validation): tests/test_keyterms.py checks the two are equal."""
    cut: Cut = (
        {k: shipped["name"][k] for k in ("threshold", "top2")},
        {k: shipped["short"][k] for k in ("threshold", "attached")},
    )
    return serialize(final_model(load(folder, "even"), shipped["C"], cut))


def main(argv: Iterable[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default=str(ROOT.parent / "shared" / "data" / "cuad-dev"))
    ap.add_argument("--no-export", action="store_true", help="print the CV figures only")
    ap.add_argument("--check", action="store_true", help="refit with the shipped C and cut; compare bytes")
    ap.add_argument("--out", default=str(_MODEL_PATH))
    args = ap.parse_args(list(argv) if argv is not None else None)
    if args.check:
        shipped = _MODEL_PATH.read_text(encoding="utf-8")
        same = refit_shipped(Path(args.folder), json.loads(shipped)) == shipped
        print("the shipped model is reproduced byte for byte" if same else "the refit model differs")
        return 0 if same else 1
    docs = load(Path(args.folder), "even")
    c, cut = cross_validate(docs)
    if not args.no_export:
        print(f"wrote {args.out} sha256 {export(final_model(docs, c, cut), Path(args.out))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
