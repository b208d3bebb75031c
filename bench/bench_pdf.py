"""PDF ingest benchmark: speed and text quality of both backends, or a robustness sweep.

    python bench/bench_pdf.py                 # pages/s + similarity, both backends side by side
    python bench/bench_pdf.py --robustness    # every PDF in shared data through the dispatcher

Speed: pages/s over all long PDFs (papers/pdf/*.pdf + GeoTopo-komprimiert.pdf), median of
``--runs`` runs. Quality: similarity of GeoTopo-komprimiert.pdf to GeoTopo-book.txt, the only
PDF here with a reference text. Similarity = 2·M / (|a| + |b|) over the NFKC-normalised texts
with all whitespace removed, where M is the number of matching characters: words are aligned
with difflib (autojunk off), then each differing run of words is aligned character by
character. That is the Levenshtein indel ratio (as py-pdf/benchmarks scores) with whitespace
ignored, computed in two levels to stay fast; it can only under-count matches.

Exits 1 when the default backend misses a target (>= 100 pages/s, similarity >= 0.95) or when
a file in the robustness sweep escapes without a coded error; exits 0 with a message when the
shared data directory is absent.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import logging
import os
import re
import statistics
import sys
import time
import unicodedata
from pathlib import Path

from pipeline.config import LimitsConfig
from pipeline.errors import LongdocError
from pipeline.ingest import ingest
from pipeline.ingest.pdf import BACKENDS, Backend, extract_pdf

SHARED = Path(
    os.environ.get("LONGDOC_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data")
)
GEOTOPO = Path("pdfs/sample-files/GeoTopo-komprimiert.pdf")
REFERENCE = Path("papers/text_groundtruth/GeoTopo-book.txt")
ALL_BACKENDS: tuple[Backend, ...] = ("pypdfium2", "pypdf")
MIN_PAGES_PER_S = 100.0
MIN_SIMILARITY = 0.95


# ---------------------------------------------------------------------------- similarity


def _words(text: str, nfkc: bool) -> list[str]:
    return (unicodedata.normalize("NFKC", text) if nfkc else text).split()


def similarity(candidate: str, reference: str, *, nfkc: bool = True) -> float:
    """Whitespace-insensitive character similarity in [0, 1] (see module docstring)."""
    a, b = _words(candidate, nfkc), _words(reference, nfkc)
    total = sum(map(len, a)) + sum(map(len, b))
    if not total:
        return 1.0
    matched = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            matched += sum(len(w) for w in a[i1:i2])
        elif op == "replace":
            x, y = "".join(a[i1:i2]), "".join(b[j1:j2])
            blocks = difflib.SequenceMatcher(None, x, y, autojunk=False).get_matching_blocks()
            matched += sum(block.size for block in blocks)
    return 2 * matched / total


# ---------------------------------------------------------------------------- speed + quality


def long_pdfs() -> list[Path]:
    return sorted((SHARED / "papers" / "pdf").glob("*.pdf")) + [SHARED / GEOTOPO]


def bench(runs: int) -> int:
    files = [(p, p.read_bytes()) for p in long_pdfs() if p.is_file()]
    reference = (SHARED / REFERENCE).read_text(encoding="utf-8")
    geotopo = (SHARED / GEOTOPO).read_bytes()
    default = LimitsConfig().pdf_backend
    rows: dict[str, dict[Backend, str]] = {}
    results: dict[Backend, tuple[float, float]] = {}
    pages = 0
    for backend in ALL_BACKENDS:
        times: list[float] = []
        for _ in range(runs):
            start = time.perf_counter()
            pages = sum(extract_pdf(data, backend=backend).page_count for _, data in files)
            times.append(time.perf_counter() - start)
        speed = pages / statistics.median(times)
        text = extract_pdf(geotopo, backend=backend).text
        sim = similarity(text, reference)
        # The same score without our cleanup shows what the canonicalisation is worth.
        raw_pages = BACKENDS[backend](geotopo, None)
        raw = "\n".join((p or "").replace("\r\n", "\n") for p in raw_pages)
        raw_sim = similarity(raw, reference)
        results[backend] = (speed, sim)
        rows.setdefault("pages_per_s (median)", {})[backend] = f"{speed:.1f}"
        rows.setdefault("seconds per run (median)", {})[backend] = f"{statistics.median(times):.3f}"
        rows.setdefault("similarity GeoTopo", {})[backend] = f"{sim:.4f}"
        rows.setdefault("similarity GeoTopo, raw output", {})[backend] = f"{raw_sim:.4f}"
        rows.setdefault("similarity GeoTopo, no NFKC", {})[backend] = (
            f"{similarity(text, reference, nfkc=False):.4f}"
        )
        rows.setdefault("similarity raw, no NFKC", {})[backend] = (
            f"{similarity(raw, reference, nfkc=False):.4f}"
        )

    names = ", ".join(p.name for p, _ in files)
    print(f"pdf bench: {len(files)} long PDFs, {pages} pages, {runs} runs per backend: {names}")
    print(f"{'metric':<32}" + "".join(f"{b:>12}" for b in ALL_BACKENDS))
    for metric, values in rows.items():
        print(f"{metric:<32}" + "".join(f"{values[b]:>12}" for b in ALL_BACKENDS))
    others = sorted(p.name for p in (SHARED / REFERENCE).parent.glob("*.txt") if p != SHARED / REFERENCE)
    print(
        f"note: {len(others)} other reference texts have no PDF here, so only GeoTopo is scored: {', '.join(others)}"
    )
    print("similarity: 2*matches/(len a + len b) over NFKC text without whitespace; words aligned by difflib")
    print("raw output = the backend's page strings with only CRLF -> LF, before extract_pdf's cleanup")
    print(
        f"fontTools installed: {importlib.util.find_spec('fontTools') is not None} (pypdf misdecodes TeX CFF fonts without it)"
    )

    failed = False
    for backend in ALL_BACKENDS:
        speed, sim = results[backend]
        role = "default" if backend == default else "alternative"
        for label, ok, value in (
            (f"pages_per_s >= {MIN_PAGES_PER_S:.0f}", speed >= MIN_PAGES_PER_S, f"{speed:.1f}"),
            (f"similarity >= {MIN_SIMILARITY}", sim >= MIN_SIMILARITY, f"{sim:.4f}"),
        ):
            verdict = "PASS" if ok else ("FAIL" if role == "default" else "miss (not default)")
            print(f"target {backend} ({role}) {label}: {verdict} ({value})")
            failed |= role == "default" and not ok
    return 1 if failed else 0


# ---------------------------------------------------------------------------- robustness

_ROW = re.compile(r"^\|\s*([^|]+?\.pdf)\s*\|(.*)$")
_USER_PASSWORD = re.compile(r"user (?:password )?`([^`]+)`|`([^`]+)`/`[^`]+`|(?<!owner )password `([^`]+)`")


def passwords() -> dict[str, str]:
    """User passwords named in the INDEX.md files, keyed by path relative to SHARED."""
    found: dict[str, str] = {}
    for index in SHARED.rglob("INDEX.md"):
        for line in index.read_text(encoding="utf-8").splitlines():
            row = _ROW.match(line)
            if not row:
                continue
            match = _USER_PASSWORD.search(row.group(2))
            if match:
                rel = (index.parent / row.group(1)).relative_to(SHARED).as_posix()
                found[rel] = next(g for g in match.groups() if g)
    return found


def robustness(backend: Backend) -> int:
    limits = LimitsConfig(pdf_backend=backend)
    secrets = passwords()
    files = sorted(SHARED.rglob("*.pdf"))
    counts: dict[str, int] = {}
    escaped = 0
    print(f"robustness: {len(files)} PDFs under {SHARED}, backend {backend}, {len(secrets)} with passwords")
    print(f"{'file':<58} {'pages':>5} {'chars':>8} {'ms':>6}  result")
    for path in files:
        rel = path.relative_to(SHARED).as_posix()
        data = path.read_bytes()
        attempts = [(rel, secrets.get(rel))]
        if rel in secrets:
            attempts.append((f"{rel} (no password)", None))
        for label, password in attempts:
            start = time.perf_counter()
            try:
                doc = ingest(data, name=rel, password=password, limits=limits)
            except LongdocError as exc:
                ms = (time.perf_counter() - start) * 1000
                outcome = exc.code
                print(f"{label:<58} {'-':>5} {'-':>8} {ms:>6.0f}  error[{exc.code}] {exc.message[:70]}")
            except BaseException as exc:  # exactly what must never happen
                escaped += 1
                outcome = "ESCAPED"
                print(f"{label:<58} ESCAPED {type(exc).__name__}: {exc}")
            else:
                ms = (time.perf_counter() - start) * 1000
                outcome = "ok"
                notes = "; ".join(f"{w.code} p{','.join(map(str, w.pages[:8]))}" for w in doc.warnings)
                print(
                    f"{label:<58} {doc.page_count:>5} {len(doc.text):>8} {ms:>6.0f}  ok {doc.backend} {notes}"
                )
            if password is None and rel in secrets:
                outcome = f"{outcome} without password" + ("" if outcome == "encrypted" else " (!)")
            counts[outcome] = counts.get(outcome, 0) + 1
    print("summary: " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    return 1 if escaped else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--robustness", action="store_true", help="run every PDF through ingest()")
    parser.add_argument("--backend", choices=ALL_BACKENDS, default=None, help="robustness backend")
    parser.add_argument("--runs", type=int, default=5, help="timing runs per backend (median)")
    args = parser.parse_args(argv)
    if not SHARED.is_dir():
        print(f"skipped: shared data not found at {SHARED} (set LONGDOC_SHARED_DATA)")
        return 0
    # pypdf logs every font it cannot fully decode; the figures are what matters here.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    if args.robustness:
        return robustness(args.backend or LimitsConfig().pdf_backend)
    return bench(args.runs)


if __name__ == "__main__":
    sys.exit(main())
