"""Every PDF and DOCX in ../shared/data through the plan stage: a plan or a clean coded error.

    python bench/plan_all.py            # one row per file: pages, tokens, sections, segments | error

Encrypted PDFs open with the user passwords listed in the INDEX.md files. Exits 1 if any file
escapes without a coded error (a traceback), 0 otherwise; 0 with a message when the shared
data folder is absent.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pdf import SHARED, passwords  # noqa: E402

from pipeline.config import Settings  # noqa: E402
from pipeline.errors import LongdocError  # noqa: E402
from pipeline.ingest import ingest  # noqa: E402
from pipeline.jobs.planning import plan_document  # noqa: E402


def main() -> int:
    if not SHARED.is_dir():
        print(f"skipped: {SHARED} is absent")
        return 0
    settings = Settings()
    secrets = passwords()
    files = sorted(p for p in SHARED.rglob("*") if p.suffix.lower() in {".pdf", ".docx"})
    outcomes: Counter[str] = Counter()
    escaped = 0
    print(f"{'file':<62} {'pages':>5} {'tokens':>8} {'sections':>8} {'segs':>4}  result")
    for path in files:
        rel = path.relative_to(SHARED).as_posix()
        try:
            ex = ingest(path.read_bytes(), name=rel, password=secrets.get(rel), limits=settings.limits)
            planned = plan_document(ex, settings)
        except LongdocError as exc:
            outcomes[exc.code] += 1
            print(f"{rel:<62} {'':>5} {'':>8} {'':>8} {'':>4}  error[{exc.code}] {exc.message[:60]}")
            continue
        except Exception as exc:  # the bug this script exists to catch
            escaped += 1
            print(f"{rel:<62} TRACEBACK {type(exc).__name__}: {exc}")
            continue
        outcomes["ok"] += 1
        warn = ",".join(sorted({w.code for w in ex.warnings}))
        print(
            f"{rel:<62} {ex.page_count:>5} {planned.plan.total_tokens:>8} {len(planned.sections):>8} "
            f"{len(planned.plan.segments):>4}  ok{' (' + warn + ')' if warn else ''}"
        )
    summary = " ".join(f"{k}={v}" for k, v in sorted(outcomes.items()))
    print(f"files={len(files)} {summary} tracebacks={escaped}")
    return 1 if escaped else 0


if __name__ == "__main__":
    raise SystemExit(main())
