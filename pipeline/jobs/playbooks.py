"""Per-tenant review playbooks (issue 16): a tenant's own YAML in storage, else the shipped one.

The playbook is read when a job is created and carried whole in its job record, so a job's
verdicts never change under it when the tenant edits the playbook later, and every worker
(local thread or Celery) reviews with the same rules.
"""

from __future__ import annotations

from pipeline.analyze.playbook import Playbook, default_playbook, parse_playbook
from pipeline.errors import NotFound
from storage import keys
from storage.base import ObjectStore


def tenant_playbook_text(store: ObjectStore, tenant: str) -> str | None:
    try:
        return store.get(keys.playbook(tenant)).decode("utf-8")
    except NotFound:
        return None


def tenant_playbook(store: ObjectStore, tenant: str) -> Playbook | None:
    """The tenant's playbook, or None when it uses the shipped default."""
    text = tenant_playbook_text(store, tenant)
    return None if text is None else parse_playbook(text, f"{tenant}/playbook.yaml")


def save_tenant_playbook(store: ObjectStore, tenant: str, text: str) -> Playbook:
    """Validate first (``BadPlaybook`` names line and field), then store: a bad file changes nothing."""
    playbook = parse_playbook(text, "playbook.yaml")
    store.put(keys.playbook(tenant), text.encode("utf-8"))
    return playbook


def reset_tenant_playbook(store: ObjectStore, tenant: str) -> None:
    store.delete(keys.playbook(tenant))


def effective_playbook(store: ObjectStore, tenant: str) -> tuple[Playbook, bool]:
    """(playbook, is the tenant's own)."""
    own = tenant_playbook(store, tenant)
    return (own, True) if own is not None else (default_playbook(), False)
