"""``longdoc serve`` for tests that watch webhook deliveries from outside the process.

``python -m tests.serve_probe serve ...`` runs the real server, and after every scan of the
pending deliveries in storage its webhook dispatcher writes one line to stderr::

    webhook-scan <tenant>/<job id> ...

naming every delivery it still watches. A scan that starts once a delivery's pending marker is
gone can no longer pick that delivery up, and the dispatcher makes its attempts in the same
thread, between scans: so once such a line leaves a job out, this process has made every
attempt for it that it ever will. Tests wait for that instead of sleeping "long enough".
"""

from __future__ import annotations

import sys

from pipeline.api.webhooks import WebhookDispatcher
from pipeline.cli.service import main

SCAN_LINE = "webhook-scan"
_scan = WebhookDispatcher._scan


def _scan_and_report(self: WebhookDispatcher) -> None:
    _scan(self)
    with self._lock:
        watched = sorted(f"{tenant}/{job_id}" for tenant, job_id in self._pending)
    sys.stderr.write(" ".join([SCAN_LINE, *watched]) + "\n")
    sys.stderr.flush()


def scans(log: bytes) -> list[set[str]]:
    """What each complete ``webhook-scan`` line in ``log`` names (a partial last line is left out)."""
    complete = log[: log.rfind(b"\n") + 1].decode(errors="replace")
    return [set(line.split()[1:]) for line in complete.splitlines() if line.split()[:1] == [SCAN_LINE]]


if __name__ == "__main__":
    WebhookDispatcher._scan = _scan_and_report  # type: ignore[method-assign]
    raise SystemExit(main())
