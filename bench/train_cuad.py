"""Train the offline CUAD clause finder, cross-validate it, and export the shipped artifact.

    python bench/train_cuad.py             # 5-fold CV figures, then export + speed/load check
    python bench/train_cuad.py --no-cv     # export only (+ speed check)
    python bench/train_cuad.py --extra SET # + reviewers' corrections (`longdoc decisions export SET`)

``--extra DIR`` (repeatable) adds a CUAD-format folder to the training data only — in CV, to
every training fold, never to a held-out one, so the printed figures stay CUAD's. A row that
names ``scored`` (a regression set exported from reviewers' decisions, issue 19) teaches only
those categories: every unit of an unscored category is left out (label -1) and the document
is left out of that category's calibration; a category a reviewer said is present without a
location (empty answer) calibrates as present and labels no unit; one said absent makes every
unit a negative. So an edited or rejected verdict moves both the unit weights and the
calibrated cut-off of its category when the model is retrained.

Model: per category a linear SVM (SGD, hinge loss) over binary stem uni/bigrams of sentence
units plus hand-written keyword-rule hits (RULES below). Each fit is a bag of K models trained on
K-fold splits of the training contracts; their weights are averaged into one linear model, and
their out-of-fold document scores (max over units) calibrate a Platt sigmoid per category. A
unit fires when its calibrated probability reaches THRESHOLD. (Parties and the three dates sit
in nearly every contract, so for them the sigmoid is fitted on unit labels instead.)
Hyperparameters (Params, THRESHOLD, clauses.RULE_VALUE) and the rules were picked while looking
at CV figures on these same 229 contracts, so the figures are mildly optimistic.

Evaluation (printed): 5-fold CV split by contract (fixed seed); everything (vocabulary, weights,
calibration) is fitted on the four training folds only and the held-out fold runs through the
real inference path (``find_clauses`` with the in-memory artifact). Per fold, over the 36 clause
categories: presence micro-F1 (TP/FP/FN pooled over contract x category pairs), macro-F1 (mean
of per-category F1; a category with no gold and no predicted positive in the fold counts 1.0),
and overlap precision (share of predicted hits overlapping a gold span of their category; for
answers with ``occurrences`` every occurrence of the text counts). Printed figures are means
over folds; the per-category table pools counts over folds.

Tried and not kept (5-fold CV means, micro / macro / overlap precision; this model: .822 /
.650 / .723): paragraph-head and neighbour-unit context features .812 / .636 / .722; rule
features at 0.6 instead of 0.25 .810 / .643 / .712, with 11 more rules for the weak categories
.810 / .651 / .710; negatives in contracts holding the category weighted 0.3 .819 / .649 / .689;
modified-Huber loss .805 / .619 / .710; SGD alpha 1e-5 or 1e-4 .809-.810 / .625-.629; in-fold
PPMI-SVD word vectors as dense unit features: worse on both folds run; a stacked
document-level classifier over every category's top scores, or over a TF-IDF bag of the whole
contract: no better (doc-level TF-IDF ranks worse than the best unit for all 36 categories). Per-category F1-optimal cutoffs: .788 /
.660. A class-balanced cutoff for categories in < 30 training contracts: .809 / .697 / .663,
trading the overlap-precision bar for recall on rare clauses (firing only where one of the
category's rules also fires: about .814 / .712 / .67, estimated from held-out unit scores). Even cutoffs chosen on the test
folds themselves reach only .735 pooled macro-F1: the unit ranking is the ceiling.
Also tried (same CV): NBSVM log-count-ratio feature scaling .757 / .519 / .721; logistic loss
with 20 epochs .795 / .602 / .671 (averaged with this model .809 / .624 / .718); positive weight
6 .814 / .636 / .714; feature values count^-0.35 instead of count^-0.5 .811 / .627 / .727;
skip-bigrams (one word between) .816 / .651 / .716; units capped at 700 or 1000 chars instead
of 1500 .816 / .640 / .719 and .822 / .646 / .718; a LightGBM unit scorer stacked on every
category's out-of-bag linear scores, the rule hits and the unit length .784 / .582 / .580; a
multi-label CNN over stem embeddings (1-3-word filters) trained from scratch .705 / .453 / .504
alone, .799 / .599 / .782 averaged with this model at weight 0.3; presence at calibrated
log-odds >= -0.75 while quoting only units >= +1.0 (or the best one) .816 / .674 / .722, a
trade rather than a gain; adding a category its usual companion implies (Notice Period To
Terminate Renewal -> Renewal Term, Uncapped -> Cap On Liability, ...): no change.

The final model is fitted the same way on all contracts and written to
pipeline/data/cuad_clauses.{npz,json}. Training needs scikit-learn + scipy; inference numpy only.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.linear_model import LogisticRegression, SGDClassifier

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.analyze import clauses as cl  # noqa: E402

NON_CLAUSE = ("Document Name", "Parties", "Agreement Date", "Effective Date", "Expiration Date")
CLAUSE_CATS = [c for c in cl.CATEGORIES if c not in NON_CLAUSE]
# Document Name is the title rule in clauses.py; every other category gets a linear model.
MODEL_CATS = [c for c in cl.CATEGORIES if c != "Document Name"]

# Keyword rules (syntax in clauses.compile_rules). Every rule is a feature of every category's
# model; the category it is listed under is only where it was written for.
RULES: dict[str, tuple[str, ...]] = {
    "Parties": ("between|among & and & corporat|company|inc$|llc$|ltd$|limited",),
    "Agreement Date": ("dated|made|entered|effective & day$|as_of & 0000$",),
    "Effective Date": ("effective_date|commencement_date|effective & date",),
    "Expiration Date": (
        "term$|terminat|expir|continu & year|month|anniversar|until",
        "initial_term|initial_period",
    ),
    "Renewal Term": (
        "renew|extend|extension & successive|additional|further|automatic|subsequent|consecutive|another",
        "automatic & renew|extend|extension|continu",
        "renewal_term|renewal_period|extension_term|extended_term",
        "year_year|month_month|year-to-year|evergreen",
    ),
    "Notice Period To Terminate Renewal": (
        "renew|extend|extension & notice & prior|before|least|advance",
        "intent|intention|elect|desire & not$ & renew|extend",
        "non-renew|nonrenew|non_renew",
    ),
    "Governing Law": (
        "govern & law$|laws$",
        "constru|interpret|enforc & accordance & law$|laws$",
        "law$|laws$ & state$|england|province|commonwealth|republic|country|kingdom",
        "choice|conflict & law$|laws$",
    ),
    "Most Favored Nation": (
        "favo & less|more|least|most|equal",
        "most_favo|mfn$",
        "lower|lowest|better|best & price|pricing|terms|rate|royalt & other|third|any & customer|distributor|licensee|reseller|party|parties",
        "no_less_favo|no_less_than",
    ),
    "Non-Compete": (
        "compet & not$|refrain|prohibit|restrict",
        "noncompet|non_compet|covenant_not_compet",
        "engage|own|manage|operate|participat & business & compet|similar",
        "directly|indirectly & compet|competitive|competing",
        "not$ & develop|sell|market|distribut|manufactur|promot & competi|similar|compar",
    ),
    "Exclusivity": (
        "exclusiv & !non_exclusiv|nonexclusiv|co_exclusiv",
        "sole_exclusive|exclusive_right|exclusive_licens|exclusive_distribut|exclusive_basis",
        "not$ & sell|purchase|distribut|licens|appoint|grant|enter & third|other|any & competi|similar",
        "requirements & purchase|supply|order|needs",
        "only & purchase|supplier|source|obtain & from",
    ),
    "No-Solicit Of Customers": (
        "solicit|divert|entice|induce|interfer & customer|client|account|supplier|subscriber|franchisee|business_relation",
        "non-solicit|nonsolicit|non_solicit & customer|client",
    ),
    "Competitive Restriction Exception": (
        "notwithstand|nothing|except|provided|however & compet|exclusiv|restrict|non-compet|noncompet",
        "nothing & prevent|prohibit|restrict|preclude|limit|construed",
        "shall_not_prevent|shall_not_prohibit|not_restrict|not_limit|permitted_to",
    ),
    "No-Solicit Of Employees": (
        "solicit|hire|employ|recruit|engage|induce & employee|personnel|staff|consultant|contractor",
        "non-solicit|nonsolicit|non_solicit|no-hire|no_hire",
    ),
    "Non-Disparagement": (
        "disparag|defam|derogat|disrepute|denigrat",
        "reputation|goodwill|image & not$|refrain|injur|harm|detriment|adverse",
    ),
    "Termination For Convenience": (
        "terminat & convenien",
        "terminat & without_cause|any_reason|no_reason|sole_discretion|any_time|at_will & notice|written",
        "terminat & notice & either_party|either_parties|any_party & prior|days|months",
        "may_terminat & notice & days|months & !breach|default|insolv|bankrupt",
    ),
    "Rofr/Rofo/Rofn": (
        "first_refusal|first_negotiat|first_offer|first_option|rofr|rofo|rofn|right_first",
        "option|opportunit & first & purchase|acquir|licens|negotiat|offer|match",
        "match & offer|terms|proposal",
    ),
    "Change Of Control": (
        "change_control|change_ownership|change_in_control",
        "merg|consolidat|reorganiz|acquisi|acquir & assign|terminat|transfer|consent|notice",
        "substantially_all & assets|business|stock|shares & assign|terminat|transfer|consent",
        "ownership|voting|equity|shares|stock|control & percent|majority|fifty|0% & terminat|notice|consent|transfer",
        "operation_law",
    ),
    "Anti-Assignment": (
        "assign|transfer|delegat & consent|approv|permission",
        "assign & not$|void|null|without|prohibit",
        "non-assign|nonassign|not_assignable|assignment_void",
    ),
    "Revenue/Profit Sharing": (
        "royalt|revenue|profit|commission|share|percent|0%|split & net_sales|gross|revenue|profit|sales|receipts|income|proceeds",
        "percent|0% & revenue|profit|sales|receipts|income|proceeds",
        "royalt & pay|payable|due|rate",
        "revenue_shar|profit_shar|split",
    ),
    "Price Restrictions": (
        "price|pricing|rate|fee & increase|decrease|raise|adjust|change|fixed|exceed|maximum|cap$ & not$|no$|only|cannot|limit",
        "cost & without_markup|no_markup|mark-up|markup",
        "price & not$ & increase|exceed|more|higher",
        "most_favo|lowest_price|best_price",
    ),
    "Minimum Commitment": (
        "minimum & purchas|order|quantit|volume|amount|royalt|commitment|sales|fee|units|payment|guarantee",
        "at_least|not_less|no_less & purchas|order|units|impression|quantit|sales",
        "guarantee & minimum|impression|purchase|volume",
        "take_or_pay|shortfall",
    ),
    "Volume Restriction": (
        "exceed|excess|over|beyond|more_than|not_more & usage|volume|quantit|capacity|limit|number|units|users|forecast|copies|hours|maximum",
        "additional & fee|charge|cost & excess|exceed",
        "maximum & quantit|number|volume|units|copies|hours|users",
        "cap$|limit & number|quantit|volume|copies|users|impression",
    ),
    "Ip Ownership Assignment": (
        "assign|transfer|vest|convey & right_title|title|ownership & intellectual|invent|work_product|patent|copyright|deliverable|improvement|develop",
        "own|property & sole|exclusive & invent|develop|work|deliverable|improvement|intellectual|result|data",
        "work_hire|works_hire|work_made_hire",
        "hereby_assign|shall_assign|agrees_assign",
    ),
    "Joint Ip Ownership": (
        "joint|jointly|co-own|co_own|coown|co-owner & own|owned|ownership|property|invent|patent|intellectual|title",
        "joint_ownership|jointly_owned|joint_invent|joint_property|joint_ip",
    ),
    "License Grant": (
        "grant|grants|granted & licens|right|sublicens & use|reproduc|distribut|sell|market|practic|make|display|copy|exploit",
        "hereby & grant|licens",
        "licens & non-exclusive|exclusive|royalty-free|worldwide|limited|perpetual|irrevocable",
    ),
    "Non-Transferable License": (
        "non-transferable|nontransfer|non_transfer|non-assignable|non_assign|non_sublicens|nonsublicens|not_transferable|non-sublicensable",
        "licens|right & not$ & transfer|assign|sublicens",
        "without_right_sublicens|without_right_transfer|no_right_sublicens",
    ),
    "Affiliate License-Licensor": (
        "affiliat|subsidiar & licensor|grant|licens & behalf|own|owned|controlled|its_affiliat",
        "licensor_affiliat|licensor_subsidiar & grant|licens",
    ),
    "Affiliate License-Licensee": (
        "grant|licens|sublicens & affiliat|subsidiar",
        "licensee_affiliat|licensee_subsidiar & licens|use|right",
    ),
    "Unlimited/All-You-Can-Eat-License": (
        "unlimit|enterprise|all-you-can-eat|unrestrict|unlimited_number & licens|use|copies|users|number|right",
        "any_number|unlimited_number|unlimited_copies|unlimited_use|without_limit",
    ),
    "Irrevocable Or Perpetual License": (
        "irrevoc|perpetu & licens|right|grant|use",
        "fully_paid|paid-up|paid_up & licens|right",
    ),
    "Source Code Escrow": (
        "escrow & source|code|deposit|agent|release|materials",
        "source_code & deposit|release|escrow|bankrupt|insolv",
    ),
    "Post-Termination Services": (
        "after|following|upon|survive|post|thereafter & terminat|expir & continu|provide|support|transition|sell|purchase|pay|return|inventory|wind|assist|deliver",
        "sell-off|sell_off|run-off|wind_down|transition_period|transition_services|termination_assistance",
        "survive|surviv & terminat|expir",
        "period & after & terminat|expir & days|months|years",
    ),
    "Audit Rights": (
        "audit|inspect|examin|review & books|records|account|facilit|premises|statements",
        "audit$|audited|auditor|audits",
        "access & records|books|facilit|premises & reasonable|notice|business_hours",
    ),
    "Uncapped Liability": (
        "limitation|limit|exclusion|cap$ & liabil|damag & not_apply|shall_not_apply|exclud|except|other_than",
        "gross_negligence|willful|wilful|fraud & liabil|limit|damag|exclusion",
        "indemnif|confidential|infring & not_apply|except|exclud|other_than & limit|liabil|damag",
    ),
    "Cap On Liability": (
        "liabil|liable & exceed|limit|maximum|aggregate|total|cap$|greater_than|excess",
        "liabl|liabil|damag & consequenti|incident|indirect|special|punitive|exemplary|lost_profit",
        "action|claim|suit|proceed & brought|commenced|filed|made & year|month|days & after|within|more_than",
        "in_no_event & liabl",
    ),
    "Liquidated Damages": (
        "liquidated_damag|liquidated",
        "termination_fee|termination_payment|break_fee|breakup_fee|break-up_fee|early_termination_fee|penalt",
        "terminat & pay|payment|fee & equal|amount|sum|percent|0%|times",
    ),
    "Warranty Duration": (
        "warrant & period|months|days|years|year$ & from|after|following|date|delivery|installat|shipment|acceptance",
        "warranty_period|warranty_term",
        "free_defect & period|months|days|years",
    ),
    "Insurance": (
        "insur & maintain|policy|policies|coverage|carry|named|additional_insured|procure|obtain|amount|limit",
        "insurance|insured|insurer|underwriter",
        "certificate & insur",
    ),
    "Covenant Not To Sue": (
        "not$|never|neither|refrain & contest|challeng|dispute|attack|impugn|oppose & validity|ownership|right|title|mark|patent",
        "not$|never|waive|release & sue|assert|bring|commence|institute & claim|action|suit|proceed",
        "covenant_not_sue|not_sue",
    ),
    "Third Party Beneficiary": (
        "beneficiar & third",
        "beneficiar & third & !no$|not$|nothing|none|neither|solely|except",
        "intended_beneficiar|express_beneficiar|third_party_beneficiar",
        "enforce & third|person|entity|other_than",
    ),
}
RULE_TEXTS = [r for rules in RULES.values() for r in rules]
# Calibrated probability (document has the category) at which a unit fires.
THRESHOLD = 0.5


@dataclass(frozen=True)
class Params:
    alpha: float = 3e-5  # SGD L2 strength
    pos_weight: float = 3.0  # class weight of positive units
    epochs: int = 10
    bag: int = 10  # K of the K-fold bag (models averaged; their OOF scores calibrate)
    keep: int = 60_000  # n-gram features kept in the artifact (largest max |w|)
    threshold: float = THRESHOLD
    min_df: int = 2  # documents a word / n-gram must occur in to enter the vocabulary


# ---------------------------------------------------------------------------- data


@dataclass
class Contract:
    slug: str
    text: str
    gold: dict[str, list[tuple[int, int]]]  # category -> every [start, end) of every answer
    spans: list[tuple[int, int]] = field(default_factory=list)
    y: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.int8))  # 1 pos, 0 neg, -1 skip
    scored: frozenset[str] | None = None  # None: every category labelled (CUAD itself)

    def labels(self, cat: str) -> bool:
        return self.scored is None or cat in self.scored


def gold_spans(text: str, answers: list[dict[str, object]], expand: bool = True) -> list[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    for a in answers:
        t = str(a["text"])
        s = int(str(a["start"]))
        out.add((s, s + len(t)))
        if expand and "occurrences" in a:  # the same text elsewhere counts too
            i = text.find(t)
            while i >= 0 and t:
                out.add((i, i + len(t)))
                i = text.find(t, i + 1)
    return sorted(out)


def load(data: Path) -> list[Contract]:
    out = []
    for line in (data / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        text = (data / "contracts" / f"{d['slug']}.txt").read_text(encoding="utf-8")
        # A party name recurs hundreds of times; only its marked mention is a Parties span.
        gold = {k: gold_spans(text, d["answers"].get(k, []), k not in NON_CLAUSE) for k in cl.CATEGORIES}
        c = Contract(d["slug"], text, gold, scored=frozenset(d["scored"]) if "scored" in d else None)
        c.spans = cl.split_units(text)[0]
        c.y = unit_labels(c)
        for j, cat in enumerate(MODEL_CATS):
            unlocated = bool(gold[cat]) and all(gs == ge for gs, ge in gold[cat])
            if not c.labels(cat) or unlocated:  # nothing known about its units
                c.y[:, j] = -1
        out.append(c)
    return out


def unit_labels(c: Contract) -> np.ndarray:
    """A unit is positive when it lies mostly inside a gold span or holds most of one; a unit
    touching gold only slightly is left out of training (label -1)."""
    y = np.zeros((len(c.spans), len(MODEL_CATS)), np.int8)
    starts = np.array([s for s, _ in c.spans])
    ends = np.array([e for _, e in c.spans])
    for j, cat in enumerate(MODEL_CATS):
        for gs, ge in c.gold[cat]:
            ov = np.minimum(ends, ge) - np.maximum(starts, gs)
            touch = ov > 0
            pos = touch & ((ov >= 0.5 * (ends - starts)) | (ov >= 0.5 * (ge - gs)))
            y[touch & (y[:, j] == 0), j] = -1
            y[pos, j] = 1
    return y


# ---------------------------------------------------------------------------- features

_INFLECTION = (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""))
_DERIVATION = (
    ("ational", "ate"), ("ation", "ate"), ("ition", ""), ("itive", ""), ("itor", ""), ("ivity", "ive"),
    ("ively", "ive"), ("ments", ""), ("ment", ""), ("ities", ""), ("ity", ""), ("able", ""), ("ible", ""),
    ("ance", ""), ("ence", ""), ("ally", "al"), ("ly", ""), ("al", ""),
)  # fmt: skip


def stem(w: str) -> str:
    """A light suffix stripper: assign/assigned/assignment -> assign, exclusive/exclusivity ->
    exclusiv. Only consistency matters; the mapping ships in the artifact."""
    if len(w) <= 4 or not w.isalpha():
        return w
    for table, keep in ((_INFLECTION, 3), (_DERIVATION, 4)):
        for suf, rep in table:
            if (
                w.endswith(suf)
                and len(w) - len(suf) + len(rep) >= keep
                and not (suf == "s" and w[-2] in "su")
            ):
                w = w[: len(w) - len(suf)] + rep
                break
    return w[:-1] if w.endswith("e") and len(w) > 4 else w


@dataclass
class Space:
    vocab: cl.Vocabulary
    words: list[str]
    keys: np.ndarray  # sorted n-gram keys seen in >= min_df training contracts


def build_space(docs: Sequence[Contract], min_df: int) -> Space:
    df: dict[str, int] = {}
    for c in docs:
        for w in set(cl.tokenize(c.text)):
            df[w] = df.get(w, 0) + 1
    words = sorted(w for w, n in df.items() if n >= min_df)
    stems = sorted({stem(w) for w in words})
    sid = {s: i for i, s in enumerate(stems, start=1)}
    vocab = cl.Vocabulary(
        index={w: i for i, w in enumerate(words, start=1)},
        stem_of=np.array([0] + [sid[stem(w)] for w in words], np.int64),
        n_stems=len(stems) + 1,
        rules=cl.compile_rules(RULE_TEXTS, words),
    )
    per_doc = [np.unique(cl.unit_features(c.text, c.spans, vocab).keys) for c in docs]
    keys, counts = np.unique(np.concatenate(per_doc), return_counts=True)
    return Space(vocab, words, keys[counts >= min_df])


def doc_matrix(c: Contract, space: Space) -> sp.csr_matrix:
    """Units x (n-gram keys + rules), the same values ClauseModel.scores sees."""
    f = cl.unit_features(c.text, c.spans, space.vocab)
    n = len(space.keys)
    col = np.minimum(np.searchsorted(space.keys, f.keys), n - 1)
    ok = space.keys[col] == f.keys
    ngrams = sp.csr_matrix((f.vals[ok], (f.rows[ok], col[ok])), shape=(f.n_units, n))
    return sp.hstack([ngrams, sp.csr_matrix(f.rules.astype(np.float32) * cl.RULE_VALUE)]).tocsr()


# ---------------------------------------------------------------------------- model


def fit_one(x: sp.csr_matrix, y: np.ndarray, p: Params) -> tuple[np.ndarray, float]:
    m = y >= 0
    if not (y[m] == 1).any():
        return np.zeros(x.shape[1], np.float32), -10.0
    clf = SGDClassifier(
        loss="hinge", alpha=p.alpha, average=True, max_iter=p.epochs, tol=None,
        class_weight={0: 1.0, 1: p.pos_weight}, random_state=0,
    )  # fmt: skip
    clf.fit(x[m], y[m])
    return clf.coef_[0].astype(np.float32), float(clf.intercept_[0])


def fit_linear(x: sp.csr_matrix, y: np.ndarray, p: Params) -> tuple[np.ndarray, np.ndarray]:
    res = Parallel(n_jobs=2)(delayed(fit_one)(x, y[:, j], p) for j in range(y.shape[1]))
    return np.stack([r[0] for r in res], axis=1), np.array([r[1] for r in res], np.float32)


def platt(doc_max: np.ndarray, gold: np.ndarray) -> tuple[float, float]:
    """Sigmoid (a, b) mapping a document's max unit score to P(category present)."""
    if not gold.any():
        return 1.0, -30.0
    if gold.all():  # nothing to separate: fire at the 5th percentile of document scores
        return 1.0, math.log(THRESHOLD / (1 - THRESHOLD)) - float(np.quantile(doc_max, 0.05))
    lr = LogisticRegression(C=100.0).fit(doc_max[:, None], gold)
    a, b = float(lr.coef_[0, 0]), float(lr.intercept_[0])
    return (a, b) if a > 0 else (1.0, -30.0)


def fit(docs: Sequence[Contract], p: Params, seed: int) -> cl.ClauseModel:
    """Bagged fit: K models on K-fold splits, weights averaged, OOF doc scores calibrate."""
    space = build_space(docs, p.min_df)
    mats = [doc_matrix(c, space) for c in docs]
    offs = np.cumsum([0] + [m.shape[0] for m in mats])
    x = sp.vstack(mats).tocsr()
    y = np.concatenate([c.y for c in docs])
    k = len(MODEL_CATS)
    w_sum = np.zeros((x.shape[1], k), np.float32)
    b_sum = np.zeros(k, np.float32)
    oof = np.zeros((len(docs), k), np.float32)
    unit_oof = np.zeros((x.shape[0], k), np.float32)
    for tr, te in kfold(len(docs), p.bag, seed):
        rows = np.concatenate([np.arange(offs[i], offs[i + 1]) for i in tr])
        w, b = fit_linear(x[rows], y[rows], p)
        w_sum += w
        b_sum += b
        for i in te:
            unit_oof[offs[i] : offs[i + 1]] = mats[i] @ w + b
            oof[i] = unit_oof[offs[i] : offs[i + 1]].max(axis=0)
    w, b = w_sum / p.bag, b_sum / p.bag
    calib = []
    for j, cat in enumerate(MODEL_CATS):
        known = np.array([c.labels(cat) for c in docs])
        calib.append(platt(oof[known, j], np.array([bool(c.gold[cat]) for c in docs])[known]))
    # Clause categories fire where P(category present | unit score) reaches the threshold. The
    # non-clause ones (parties, dates) are present in nearly every contract, so there a unit
    # fires where P(unit is a gold span | its score) does.
    for j, cat in enumerate(MODEL_CATS):
        if cat in NON_CLAUSE:
            m = y[:, j] >= 0
            calib[j] = platt(unit_oof[m, j], y[m, j] == 1)
    cutoff = np.full(k, math.log(p.threshold / (1 - p.threshold)), np.float32)
    n_keys = len(space.keys)
    strength = np.abs(w[:n_keys]).max(axis=1)
    keep = np.sort(np.argsort(-strength)[: p.keep])
    keep = keep[strength[keep] > 0]
    return cl.ClauseModel(
        categories=tuple(MODEL_CATS),
        vocab=space.vocab,
        keys=space.keys[keep],
        # float16 is what the artifact stores; round now so CV measures the shipped model.
        weights=w[keep].astype(np.float16).astype(np.float32),
        rule_weights=w[n_keys:].astype(np.float16).astype(np.float32),
        bias=b,
        calib_a=np.array([c[0] for c in calib], np.float32),
        calib_b=np.array([c[1] for c in calib], np.float32),
        cutoff=cutoff,
    )


def kfold(n: int, k: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    perm = np.random.default_rng(seed).permutation(n)
    parts = np.array_split(perm, k)
    return [(np.sort(np.concatenate(parts[:i] + parts[i + 1 :])), np.sort(parts[i])) for i in range(k)]


# ---------------------------------------------------------------------------- evaluation


def f1(tp: int, fp: int, fn: int) -> float:
    return 1.0 if tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)


@dataclass
class FoldResult:
    counts: dict[str, list[int]]  # category -> [tp, fp, fn, hits, hits overlapping gold]

    @property
    def micro(self) -> float:
        tp, fp, fn = (sum(v[i] for v in self.counts.values()) for i in range(3))
        return f1(tp, fp, fn)

    @property
    def macro(self) -> float:
        return float(np.mean([f1(*v[:3]) for v in self.counts.values()]))

    @property
    def hits(self) -> int:
        return sum(v[3] for v in self.counts.values())

    @property
    def overlap_precision(self) -> float:
        return sum(v[4] for v in self.counts.values()) / self.hits if self.hits else 1.0


def evaluate(model: cl.ClauseModel, docs: Sequence[Contract]) -> FoldResult:
    r = FoldResult({c: [0, 0, 0, 0, 0] for c in CLAUSE_CATS})
    for d in docs:
        found: dict[str, list[cl.ClauseHit]] = {}
        for h in cl.find_clauses(d.text, model=model):
            found.setdefault(h.category, []).append(h)
        for cat in CLAUSE_CATS:
            g, pr = bool(d.gold[cat]), cat in found
            r.counts[cat][0] += g and pr
            r.counts[cat][1] += pr and not g
            r.counts[cat][2] += g and not pr
            for h in found.get(cat, []):
                r.counts[cat][3] += 1
                r.counts[cat][4] += any(h.start < ge and gs < h.end for gs, ge in d.gold[cat])
    return r


def cross_validate(
    docs: list[Contract], p: Params, folds: int, seed: int, extra: Sequence[Contract] = ()
) -> None:
    results = []
    for k, (tr, te) in enumerate(kfold(len(docs), folds, seed)):
        t0 = time.perf_counter()
        model = fit([docs[i] for i in tr] + list(extra), p, seed + 1 + k)
        r = evaluate(model, [docs[i] for i in te])
        results.append(r)
        print(
            f"fold {k}: micro-F1 {r.micro:.3f}  macro-F1 {r.macro:.3f}  overlap precision "
            f"{r.overlap_precision:.3f}  ({r.hits} hits, {time.perf_counter() - t0:.0f}s)",
            flush=True,
        )
    print(f"\nper-category presence F1, counts pooled over the {folds} folds")
    print(f"{'category':36s} {'F1':>5s} {'TP':>4s} {'FP':>4s} {'FN':>4s} {'ovl.prec':>8s}")
    for cat in CLAUSE_CATS:
        tp, fp, fn, hits, ok = (sum(r.counts[cat][i] for r in results) for i in range(5))
        print(f"{cat:36s} {f1(tp, fp, fn):5.3f} {tp:4d} {fp:4d} {fn:4d} {ok / hits if hits else 1.0:8.2f}")
    micro = np.mean([r.micro for r in results])
    macro = np.mean([r.macro for r in results])
    ovl = np.mean([r.overlap_precision for r in results])
    print(
        f"\n{folds}-fold CV, mean over folds (36 clause categories): presence micro-F1 {micro:.3f}  "
        f"macro-F1 {macro:.3f}  overlap precision {ovl:.3f}"
    )


# ---------------------------------------------------------------------------- export


def export(m: cl.ClauseModel, words: list[str], path: Path) -> None:
    np.savez_compressed(
        path.with_suffix(".npz"),
        keys=m.keys,
        weights=m.weights.astype(np.float16),
        rule_weights=m.rule_weights.astype(np.float16),
        stem_of=m.vocab.stem_of[1:].astype(np.int32),
    )
    meta = {
        "format": cl.FORMAT,
        "trained_on": "CUAD v1 (229 contracts of ../shared/data/cuad-dev), CC BY 4.0 The Atticus Project",
        "categories": list(m.categories),
        "cutoff": [round(float(x), 5) for x in m.cutoff],
        "bias": [round(float(x), 5) for x in m.bias],
        "calib_a": [round(float(x), 5) for x in m.calib_a],
        "calib_b": [round(float(x), 5) for x in m.calib_b],
        "n_stems": m.vocab.n_stems,
        "rules": list(m.vocab.rules.texts),
        "words": words,
    }
    path.with_suffix(".json").write_text(json.dumps(meta, separators=(",", ":")), encoding="utf-8")


def export_training_hashes(docs: Sequence[Contract], path: Path) -> None:
    """The SHA-256 of every training text, so `longdoc eval` can say when it scores in-sample."""
    hashes = sorted(cl.text_sha256(d.text) for d in docs)
    path.write_text(json.dumps({"sha256": hashes}, indent=0) + "\n", encoding="utf-8")


def speed(docs: Sequence[Contract]) -> None:
    cl.default_model.cache_clear()
    t0 = time.perf_counter()
    m = cl.default_model()
    load_s = time.perf_counter() - t0
    chars = sum(len(d.text) for d in docs)
    cl.find_clauses(docs[0].text, model=m)  # warm-up
    t0 = time.perf_counter()
    n = sum(len(cl.find_clauses(d.text, model=m)) for d in docs)
    dt = time.perf_counter() - t0
    size = sum(f.stat().st_size for f in cl.DATA_DIR.glob("cuad_clauses.*"))
    print(
        f"artifact {size / 1e6:.2f} MB, load {load_s:.3f} s; find_clauses over {len(docs)} contracts "
        f"({chars / 1e6:.1f} M chars): {dt:.2f} s = {chars / dt / 1e6:.2f} M chars/s, "
        f"{len(docs) / dt:.0f} contracts/s, {n} hits"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "cuad-dev")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--no-cv", action="store_true", help="skip cross-validation")
    ap.add_argument("--extra", type=Path, action="append", default=[], metavar="DIR",
                    help="another CUAD-format folder for training only, e.g. `longdoc decisions export` output")  # fmt: skip
    ap.add_argument("--no-export", action="store_true", help="do not write pipeline/data/cuad_clauses.*")
    ap.add_argument(
        "--hashes-only", action="store_true", help="only rewrite the training-text hashes beside the artifact"
    )
    args = ap.parse_args()
    t0 = time.perf_counter()
    docs = load(args.data)
    print(f"{len(docs)} contracts, {sum(len(d.spans) for d in docs)} units ({time.perf_counter() - t0:.1f}s)")
    extra = [c for folder in args.extra for c in load(folder)]
    if extra:
        labelled = sum(len(c.scored) if c.scored is not None else len(MODEL_CATS) for c in extra)
        print(f"+ {len(extra)} extra document(s) for training only ({labelled} labelled categories)")
    if args.hashes_only:
        export_training_hashes(docs, cl.TRAINING_HASHES)
        return
    p = Params()
    if not args.no_cv:
        cross_validate(docs, p, args.folds, args.seed, extra)
    if args.no_export:
        return
    final = fit(docs + extra, p, args.seed)
    cl.DATA_DIR.mkdir(parents=True, exist_ok=True)
    words = sorted(final.vocab.index, key=final.vocab.index.__getitem__)
    export(final, words, cl.ARTIFACT)
    export_training_hashes(docs + extra, cl.TRAINING_HASHES)
    speed(docs)


if __name__ == "__main__":
    main()
