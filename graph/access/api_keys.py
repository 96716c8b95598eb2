"""API keys: created and revoked by the CLI, stored hashed, scoped ``read``, ``write``, ``admin``.

A key reads ``ig_<id>_<secret>``. The graph keeps the id, the scopes and the SHA-256 of the secret
part (256 random bits, so a plain hash is enough: there is nothing to guess). ``admin`` includes
``read`` and ``write``; ``write`` does not include ``read``, so an ingestion client can be kept
from reading profiles.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graph.store import Graph

SCOPES = ("read", "write", "admin", "metrics")
PREFIX = "ig_"


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None = None

    def allows(self, scope: str) -> bool:
        return self.revoked_at is None and (scope in self.scopes or "admin" in self.scopes)


def create(graph: Graph, name: str, scopes: Iterable[str]) -> tuple[ApiKey, str]:
    """A new key and its token (shown once; only its hash is stored)."""
    wanted = tuple(sorted(set(scopes)))
    unknown = [s for s in wanted if s not in SCOPES]
    if not wanted or unknown:
        raise ValueError(f"scopes must be some of {', '.join(SCOPES)}; got {list(scopes)}")
    key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    records = graph.write(
        "access/create_key",
        id=key_id,
        name=name,
        secret_sha256=_digest(secret),
        scopes=list(wanted),
    )
    return _key(records[0]["key"]), f"{PREFIX}{key_id}_{secret}"


def verify(graph: Graph, token: str) -> ApiKey | None:
    """The key a token belongs to (revoked or not), or None when it matches no key."""
    key_id, _, secret = token.removeprefix(PREFIX).partition("_")
    if not token.startswith(PREFIX) or not key_id or not secret:
        return None
    record = graph.read_one("access/find_key", id=key_id)
    if record is None or not hmac.compare_digest(record["key"]["secret_sha256"], _digest(secret)):
        return None
    return _key(record["key"])


def revoke(graph: Graph, key_id: str) -> ApiKey | None:
    """Revoke a key (it stays listed); None when there is no such key."""
    records = graph.write("access/revoke_key", id=key_id)
    return _key(records[0]["key"]) if records else None


def list_keys(graph: Graph) -> list[ApiKey]:
    return [_key(record["key"]) for record in graph.read("access/list_keys")]


def delete(graph: Graph, key_id: str) -> None:
    graph.write("access/delete_key", id=key_id)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _key(row: dict[str, Any]) -> ApiKey:
    revoked = row.get("revoked_at")
    return ApiKey(
        id=row["id"],
        name=row["name"],
        scopes=tuple(row["scopes"]),
        created_at=row["created_at"].to_native(),
        revoked_at=revoked.to_native() if revoked is not None else None,
    )
