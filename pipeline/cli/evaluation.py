"""CUAD-format evaluation: presence P/R/F1 per clause category, micro/macro F1, overlap precision.

A folder in CUAD format holds ``contracts/<slug>.txt`` and ``labels.jsonl`` (one line per
contract: ``slug`` and ``answers{category: [{start, text, occurrences?}]}``). A row may also name
``scored: [category…]``, the only categories labelled in it (a regression set exported from
reviewers' decisions, ``longdoc decisions export``): the others are not counted for it. An answer
with empty ``text`` says "present, location unknown": it counts for presence, not for overlap.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.analyze.clauses import CATEGORIES, text_sha256, training_hashes
from pipeline.analyze.playbook import STANDARD_POSITIONS

# Presence is scored on the clause categories: the 41 less the five "who and when" ones.
NON_CLAUSE = ("Document Name", "Parties", "Agreement Date", "Effective Date", "Expiration Date")
CLAUSE_CATEGORIES: tuple[str, ...] = tuple(c for c in CATEGORIES if c not in NON_CLAUSE)

Spans = dict[str, list[tuple[int, int]]]
# A contract's result: its predicted spans and the categories its review items call missing.
# (slug, predicted spans, categories said missing, error, review checks: items, non-missing items
# without a verified quote, clause groups sharing a category)
Result = tuple[str, Spans, list[str], str | None, tuple[int, int, int]]


@dataclass(frozen=True)
class Contract:
    slug: str
    text: str
    gold: Spans  # category → gold spans (every occurrence of the answer text)
    scored: frozenset[str] | None = None  # None: every category is labelled (CUAD itself)


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Scores:
    per_category: dict[str, Counts] = field(default_factory=lambda: {c: Counts() for c in CLAUSE_CATEGORIES})
    predicted_spans: int = 0
    overlapping_spans: int = 0
    # ``missing`` review verdicts against gold absence (no answer), for the 14 standard positions:
    # tp = said missing and absent in gold, fp = said missing but present, fn = absent, not said.
    missing: dict[str, Counts] = field(default_factory=lambda: {c: Counts() for c in STANDARD_POSITIONS})
    # Every review item but ``missing`` quotes verified text; one clause group per category.
    review_items: int = 0
    unquoted_items: int = 0
    duplicate_groups: int = 0
    # A regression set labels only what reviewers ruled on: its tables and macro-F1 cover the
    # categories with something counted, not the unlabelled rest (which would score 1.0).
    scored_only: bool = False

    def shown(self, table: dict[str, Counts]) -> dict[str, Counts]:
        if not self.scored_only:
            return table
        return {cat: c for cat, c in table.items() if c.tp + c.fp + c.fn}

    def add_missing(self, gold: Spans, missing: list[str], scored: frozenset[str] | None = None) -> None:
        for cat, c in self.missing.items():
            if scored is not None and cat not in scored:
                continue
            absent, said = not gold.get(cat), cat in missing
            c.tp += absent and said
            c.fp += said and not absent
            c.fn += absent and not said

    @property
    def missing_total(self) -> Counts:
        return _summed(self.missing.values())

    def add(self, gold: Spans, predicted: Spans, scored: frozenset[str] | None = None) -> None:
        for cat in CLAUSE_CATEGORIES:
            if scored is not None and cat not in scored:
                continue
            g, p = bool(gold.get(cat)), bool(predicted.get(cat))
            c = self.per_category[cat]
            c.tp += g and p
            c.fp += p and not g
            c.fn += g and not p
            if g and all(gs == ge for gs, ge in gold[cat]):
                continue  # present, location unknown: nothing to overlap
            for s, e in predicted.get(cat, []):
                self.predicted_spans += 1
                self.overlapping_spans += any(s < ge and gs < e for gs, ge in gold.get(cat, []))

    @property
    def micro(self) -> Counts:
        return _summed(self.per_category.values())

    @property
    def macro_f1(self) -> float:
        cats = self.shown(self.per_category)
        return sum(c.f1 for c in cats.values()) / len(cats) if cats else 0.0

    @property
    def overlap_precision(self) -> float:
        return self.overlapping_spans / self.predicted_spans if self.predicted_spans else 1.0


def gold_spans(text: str, answers: dict[str, list[dict[str, object]]]) -> Spans:
    """Gold spans per category; answers marked with ``occurrences`` count at every occurrence."""
    out: Spans = {}
    for cat, items in answers.items():
        spans: list[tuple[int, int]] = []
        for a in items:
            ans = str(a["text"])
            start = int(a["start"])  # type: ignore[call-overload]
            spans.append((start, start + len(ans)))
            if a.get("occurrences"):
                pos = text.find(ans)
                while pos != -1:
                    spans.append((pos, pos + len(ans)))
                    pos = text.find(ans, pos + 1)
        if spans:
            out[cat] = sorted(set(spans))
    return out


def load_folder(folder: Path) -> list[Contract]:
    contracts: list[Contract] = []
    with (folder / "labels.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            text = (folder / "contracts" / f"{row['slug']}.txt").read_text(encoding="utf-8")
            scored = frozenset(row["scored"]) if "scored" in row else None
            contracts.append(Contract(row["slug"], text, gold_spans(text, row.get("answers", {})), scored))
    return contracts


def in_sample(contracts: list[Contract]) -> int:
    """How many of ``contracts`` the shipped clause model was trained on (their scores flatter)."""
    seen = training_hashes()
    return sum(text_sha256(c.text) in seen for c in contracts)


# ---- running the full pipeline per contract ------------------------------------------------

_WORKER: dict[str, object] = {}


def _init_worker(root: str | None = None, model: str = "rules") -> None:
    from pipeline.config import ExecutionConfig, Settings, StorageConfig
    from pipeline.jobs.stages import StageContext
    from storage.local import LocalStore
    from workers.local import LocalExecutor

    # A pool process's initializer: an entry point, so it builds its own settings.
    tmp = tempfile.mkdtemp(prefix="longdoc-eval-", dir=root)
    settings = Settings(storage=StorageConfig(dir=Path(tmp)), execution=ExecutionConfig(workers=1))
    ctx = StageContext(settings=settings, store=LocalStore(tmp))
    _WORKER.update(settings=settings, ctx=ctx, executor=LocalExecutor(ctx, workers=1), model=model)


def _analyze(item: tuple[str, str]) -> Result:
    """Run one contract through ingest → plan → analyze → consolidate; its predicted spans."""
    from pipeline.jobs.stages import StageContext
    from pipeline.jobs.store import JobOptions, JobStore
    from workers.local import LocalExecutor

    if not _WORKER:
        _init_worker()
    slug, text = item
    ctx = _WORKER["ctx"]
    executor = _WORKER["executor"]
    assert isinstance(ctx, StageContext) and isinstance(executor, LocalExecutor)
    options = JobOptions(model=str(_WORKER.get("model", "rules")))
    job = JobStore(ctx.store, "eval").create(text.encode("utf-8"), f"{slug}.txt", options, ext="txt")
    record, report = executor.run("eval", job.job_id)
    if report is None:
        return slug, {}, [], record.error.code if record.error else "failed", (0, 0, 0)
    spans: Spans = {}
    for f in report.findings:
        spans.setdefault(f.category, []).append((f.start, f.end))
    items = report.review.items if report.review else []
    unquoted = sum(
        i.status != "missing" and not any(text[e.start : e.end] == e.quote for e in i.evidence) for i in items
    )
    groups = [g.category for g in report.clauses]
    checks = (len(items), unquoted, len(groups) - len(set(groups)))
    return slug, spans, [i.category for i in items if i.status == "missing"], None, checks


def evaluate(
    contracts: list[Contract],
    *,
    processes: int | None = None,
    on_done: Callable[[int], None] | None = None,
    model: str = "rules",
) -> tuple[Scores, float, list[str]]:
    """Scores, contracts per second (wall clock) and the slugs that failed; ``model`` is the
    job option every contract runs with (``rules``, ``auto`` or a catalog id)."""
    processes = processes or min(len(contracts), os.cpu_count() or 1) or 1
    scores = Scores(scored_only=any(c.scored is not None for c in contracts))
    failures: list[str] = []
    gold = {c.slug: c for c in contracts}
    items = [(c.slug, c.text) for c in contracts]
    started = time.perf_counter()
    results: Iterable[Result]
    # One scratch folder for every process's job store, removed at the end.
    with tempfile.TemporaryDirectory(prefix="longdoc-eval-") as root:
        _warm_up(root)
        if processes <= 1:
            _init_worker(root, model)
            try:
                results = map(_analyze, items)
                return _collect(results, gold, scores, failures, on_done, started, len(items))
            finally:
                _close_worker()
        with ProcessPoolExecutor(
            max_workers=processes, initializer=_init_worker, initargs=(root, model)
        ) as pool:
            results = pool.map(_analyze, items, chunksize=4)
            return _collect(results, gold, scores, failures, on_done, started, len(items))


# A short contract run once before the pool starts (see ``_warm_up``).
WARM_UP_TEXT = (
    'SUPPLY AGREEMENT\n\nThis Supply Agreement is made by Acme Inc. ("Supplier") and Beta LLC.\n\n'
    "1. Law. This Agreement shall be governed by the laws of the State of New York.\n\n"
    "2. Assignment. Neither party may assign this Agreement without the other party's consent.\n"
)


def _warm_up(root: str) -> None:
    """Run one short contract through the pipeline in this process, then drop its executor.

    What the first document loads (the tokenizer's ranks, ~1 s; the clause model; the playbook;
    the stage modules) is then loaded once, here: forked pool processes inherit it instead of
    each loading it again inside the timed run. The executor's threads do not survive a fork,
    so every pool process still builds its own (``_init_worker``).
    """
    _init_worker(root)
    try:
        _analyze(("warm-up", WARM_UP_TEXT))
    finally:
        _close_worker()


def _close_worker() -> None:
    from workers.local import LocalExecutor

    executor = _WORKER.get("executor")
    if isinstance(executor, LocalExecutor):
        executor.close()
    _WORKER.clear()


def _collect(
    results: Iterable[Result],
    gold: dict[str, Contract],
    scores: Scores,
    failures: list[str],
    on_done: Callable[[int], None] | None,
    started: float,
    n: int,
) -> tuple[Scores, float, list[str]]:
    for i, (slug, predicted, missing, error, checks) in enumerate(results, 1):
        if error:
            failures.append(f"{slug}: {error}")
        c = gold[slug]
        scores.add(c.gold, predicted, c.scored)
        scores.add_missing(c.gold, missing, c.scored)
        scores.review_items += checks[0]
        scores.unquoted_items += checks[1]
        scores.duplicate_groups += checks[2]
        if on_done:
            on_done(i)
    elapsed = time.perf_counter() - started
    return scores, n / elapsed if elapsed else 0.0, failures


def _summed(counts: Iterable[Counts]) -> Counts:
    total = Counts()
    for c in counts:
        total.tp, total.fp, total.fn = total.tp + c.tp, total.fp + c.fp, total.fn + c.fn
    return total


def _header(title: str) -> str:
    return f"{title:<40} {'P':>6} {'R':>6} {'F1':>6} {'TP':>4} {'FP':>4} {'FN':>4}"


def _row(name: str, c: Counts) -> str:
    return f"{name:<40} {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f} {c.tp:4d} {c.fp:4d} {c.fn:4d}"


def format_scores(scores: Scores, docs_per_s: float, *, in_sample: int = 0, total: int = 0) -> list[str]:
    lines = [_header("category")]
    lines += [_row(cat, c) for cat, c in scores.shown(scores.per_category).items()]
    lines.append(_row("micro", scores.micro))
    lines.append(
        f"overlap precision: {scores.overlapping_spans}/{scores.predicted_spans} predicted spans overlap gold"
    )
    lines.append("")
    lines.append(_header("missing clause (review status)"))
    lines += [_row(cat, c) for cat, c in scores.shown(scores.missing).items()]
    t = scores.missing_total
    lines.append(_row("missing, 14 positions", t))
    lines.append(f"missing_precision={t.precision:.3f} missing_recall={t.recall:.3f}")
    lines.append(
        f"review_items={scores.review_items} non_missing_without_verified_quote={scores.unquoted_items} "
        f"duplicate_category_groups={scores.duplicate_groups}"
    )
    if in_sample:
        lines.append(
            f"note: {in_sample} of {total} contracts are in the clause model's training set, so these "
            "figures are in-sample; held-out figures: python bench/train_cuad.py and, for missing, "
            "python bench/missing_cv.py (5-fold CV)"
        )
    lines.append(
        f"micro_f1={scores.micro.f1:.3f} macro_f1={scores.macro_f1:.3f} "
        f"overlap_precision={scores.overlap_precision:.3f} docs_per_s={docs_per_s:.1f}"
    )
    return lines
