"""The storage key layout (tenant-scoped), in one place.

{tenant}/documents/{sha256}.{ext}          original bytes, content-addressed
{tenant}/jobs/{job_id}/job.json            options + status transitions
{tenant}/jobs/{job_id}/text.json           extracted text, page map, sections
{tenant}/jobs/{job_id}/plan.json           segment plan (+ route decisions)
{tenant}/jobs/{job_id}/segments/{i}.json   one per segment
{tenant}/jobs/{job_id}/audit/{name}.json   model calls
{tenant}/jobs/{job_id}/report.{json,md,docx}
{tenant}/jobs/{job_id}/decisions/{rule}/{at}-{nonce}.json   reviewers' decisions, one object per write (the audit trail)
{tenant}/jobs/{job_id}/refs/{rel}          empty: the job wrote or read {tenant}/{rel} (a cached answer); erase removes it
{tenant}/jobs/{job_id}/tombstone.json      an erased job: all that is left of it; nothing else is written under it again
{tenant}/cache/{digest}.json             model answers (the digest covers the tenant too)
{tenant}/access/{day}/{name}.jsonl        access log: who read what (never document text)
{tenant}/config/playbook.yaml             the tenant's review playbook (else the shipped default)
"""

from __future__ import annotations

import re

_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def check_part(part: str, what: str) -> str:
    """Refuse anything that could escape its prefix (slashes, '..', empty)."""
    if not _SAFE.match(part) or ".." in part:
        raise ValueError(f"invalid {what}: {part!r}")
    return part


def document(tenant: str, sha256: str, ext: str) -> str:
    return f"{check_part(tenant, 'tenant')}/documents/{check_part(sha256, 'digest')}.{check_part(ext, 'extension')}"


def job_prefix(tenant: str, job_id: str) -> str:
    return f"{check_part(tenant, 'tenant')}/jobs/{check_part(job_id, 'job id')}/"


def job_file(tenant: str, job_id: str, name: str) -> str:
    return job_prefix(tenant, job_id) + check_part(name, "file name")


def job_index_prefix(tenant: str) -> str:
    """One empty object per job under here, so listings need not walk every job's files."""
    return f"{check_part(tenant, 'tenant')}/job-index/"


def job_index(tenant: str, job_id: str) -> str:
    return job_index_prefix(tenant) + check_part(job_id, "job id")


def segment(tenant: str, job_id: str, index: int) -> str:
    return job_prefix(tenant, job_id) + f"segments/{int(index):05d}.json"


def playbook(tenant: str) -> str:
    return f"{check_part(tenant, 'tenant')}/config/playbook.yaml"


def decisions_prefix(tenant: str, job_id: str, rule: str | None = None) -> str:
    base = job_prefix(tenant, job_id) + "decisions/"
    return base if rule is None else base + check_part(rule, "rule id") + "/"


def decision(tenant: str, job_id: str, rule: str, name: str) -> str:
    return decisions_prefix(tenant, job_id, rule) + check_part(name, "decision name")


def audit(tenant: str, job_id: str, name: str) -> str:
    return job_prefix(tenant, job_id) + "audit/" + check_part(name, "audit name")


def cache(tenant: str, digest: str) -> str:
    # Under the tenant: one tenant's cached answers are never another's (nor its timing oracle).
    return f"{check_part(tenant, 'tenant')}/cache/{check_part(digest, 'digest')}.json"


def access_prefix(tenant: str) -> str:
    return f"{check_part(tenant, 'tenant')}/access/"


def access(tenant: str, day: str, name: str) -> str:
    return access_prefix(tenant) + f"{check_part(day, 'day')}/{check_part(name, 'access log name')}"


TOMBSTONE = "tombstone.json"
REFS = "refs/"


def tombstone(tenant: str, job_id: str) -> str:
    return job_file(tenant, job_id, TOMBSTONE)


def tombstone_guarding(key: str) -> str | None:
    """The tombstone a write of ``key`` must respect: ``key`` lies in a job's folder (and is not the
    tombstone itself); None for every other key."""
    parts = key.split("/")
    if len(parts) < 4 or parts[1] != "jobs" or parts[3] == TOMBSTONE:
        return None
    return "/".join((*parts[:3], TOMBSTONE))


def ref(tenant: str, job_id: str, key: str) -> str:
    """The reference object under the job's folder that names ``key`` (one of the tenant's keys)."""
    head, _, rel = key.partition("/")
    if head != tenant or not rel:
        raise ValueError(f"{key!r} is not one of tenant {tenant!r}'s keys")
    return job_prefix(tenant, job_id) + REFS + rel


def referenced(tenant: str, ref_key: str) -> str | None:
    """The key a reference object names (see ``ref``), or None when ``ref_key`` is no reference."""
    parts = ref_key.split("/", 4)
    if len(parts) < 5 or parts[1] != "jobs" or parts[3] + "/" != REFS:
        return None
    return f"{tenant}/{parts[4]}"
