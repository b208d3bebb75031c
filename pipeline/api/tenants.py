"""API keys → tenants. Keys are configured and compared only as sha256 digests.

Configuration (``Settings``): ``api_keys`` (``LONGDOC_API_KEYS='{"<sha256 hex>": "acme"}'``)
and/or ``api_keys_file`` (a JSON file of the same shape). A request names its key as
``Authorization: Bearer <key>`` or ``X-API-Key: <key>``. There is no anonymous tenant:
``longdoc serve`` refuses to start without keys unless ``--dev`` (see ``dev_keys``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from pipeline.api.problems import ProblemError
from pipeline.config import Settings
from pipeline.errors import ConfigError
from storage import keys

KEY_ID_HEX = 12


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class Tenant:
    name: str
    webhook_secret: bytes | None
    # Who called, as records name them (access log, tombstones): a prefix of the key's sha256, never the key.
    key_id: str = ""


class KeyRing:
    """The configured key digests and each tenant's webhook secret."""

    def __init__(self, digests: dict[str, str], secrets_by_tenant: dict[str, bytes]) -> None:
        for digest, tenant in digests.items():
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest.lower()):
                raise ConfigError("api key entries must be sha256 hex digests of the keys, not the keys")
            try:
                keys.check_part(tenant, "tenant")
            except ValueError as exc:
                raise ConfigError(f"invalid tenant name in api keys: {exc}") from None
        self._tenants = {d.lower(): t for d, t in digests.items()}
        self._secrets = dict(secrets_by_tenant)

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyRing:
        digests = dict(settings.api.keys)
        if settings.api.keys_file is not None:
            try:
                loaded = json.loads(settings.api.keys_file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ConfigError(f"cannot read api keys file {settings.api.keys_file}: {exc}") from exc
            if not isinstance(loaded, dict) or not all(isinstance(v, str) for v in loaded.values()):
                raise ConfigError("api keys file must be a JSON object {sha256 hex: tenant}")
            digests.update(loaded)
        return cls(digests, {t: s.get_secret_value().encode() for t, s in settings.webhook.secrets.items()})

    def __len__(self) -> int:
        return len(self._tenants)

    @property
    def tenants(self) -> set[str]:
        return set(self._tenants.values())

    def tenant_for(self, key: str | None) -> Tenant:
        if not key:
            raise unauthorized("an API key is required (Authorization: Bearer <key> or X-API-Key)")
        digest = hash_key(key)
        # Constant-time comparison per entry: the digest set is small.
        for known, tenant in self._tenants.items():
            if hmac.compare_digest(known, digest):
                return Tenant(tenant, self._secrets.get(tenant), key_id=digest[:KEY_ID_HEX])
        raise unauthorized("the API key is not valid")


def unauthorized(detail: str) -> ProblemError:
    return ProblemError(401, "unauthorized", detail, headers={"WWW-Authenticate": 'Bearer realm="longdoc"'})


def key_from_headers(authorization: str | None, x_api_key: str | None) -> str | None:
    if x_api_key:
        return x_api_key.strip()
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return None


def dev_keys(settings: Settings) -> tuple[Settings, str, str]:
    """``longdoc serve --dev``: one fresh key and webhook secret for ``settings.storage.tenant``.

    Returns the settings to serve with, the key and the secret (printed once at start-up;
    only the key's digest is kept).
    """
    key = "ld_dev_" + secrets.token_urlsafe(24)
    secret = secrets.token_urlsafe(24)
    from pydantic import SecretStr

    tenant = settings.storage.tenant
    updated = settings.model_copy(
        update={
            "api": settings.api.model_copy(update={"keys": {hash_key(key): tenant}}),
            "webhook": settings.webhook.model_copy(
                update={"secrets": {**settings.webhook.secrets, tenant: SecretStr(secret)}}
            ),
        }
    )
    return updated, key, secret
