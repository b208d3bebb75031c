"""Links into the web viewer, shared by the review grid, the memo and the web page (issue 16).

The page reads its state from the URL fragment (never sent to the server, so a link carries no
key): ``{base}/#job={job_id}&item={rule}`` opens the job's report in the viewer with that review
item selected and its first evidence highlighted.
"""

from __future__ import annotations

from urllib.parse import quote


def viewer_url(base_url: str, job_id: str, rule: str | None = None) -> str:
    url = f"{base_url.rstrip('/')}/#job={quote(job_id, safe='')}"
    return url if rule is None else f"{url}&item={quote(rule, safe='')}"
