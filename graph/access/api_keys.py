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

from neo4j import Driver

from cypher import query

SCOPES = ("read", "write", "admin")
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


def create(
    driver: Driver, name: str, scopes: Iterable[str], *, database: str | None = None
) -> tuple[ApiKey, str]:
    """A new key and its token (shown once; only its hash is stored)."""
    wanted = tuple(sorted(set(scopes)))
    unknown = [s for s in wanted if s not in SCOPES]
    if not wanted or unknown:
        raise ValueError(f"scopes must be some of {', '.join(SCOPES)}; got {list(scopes)}")
    key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    records, _, _ = driver.execute_query(
        query("access/create_key"),
        id=key_id,
        name=name,
        secret_sha256=_digest(secret),
        scopes=list(wanted),
        database_=database,
    )
    return _key(records[0]["key"]), f"{PREFIX}{key_id}_{secret}"


def verify(driver: Driver, token: str, *, database: str | None = None) -> ApiKey | None:
    """The key a token belongs to (revoked or not), or None when it matches no key."""
    key_id, _, secret = token.removeprefix(PREFIX).partition("_")
    if not token.startswith(PREFIX) or not key_id or not secret:
        return None
    records, _, _ = driver.execute_query(
        query("access/find_key"), id=key_id, database_=database, routing_="r"
    )
    if not records or not hmac.compare_digest(records[0]["key"]["secret_sha256"], _digest(secret)):
        return None
    return _key(records[0]["key"])


def revoke(driver: Driver, key_id: str, *, database: str | None = None) -> ApiKey | None:
    records, _, _ = driver.execute_query(query("access/revoke_key"), id=key_id, database_=database)
    return _key(records[0]["key"]) if records else None


def list_keys(driver: Driver, *, database: str | None = None) -> list[ApiKey]:
    records, _, _ = driver.execute_query(
        query("access/list_keys"), database_=database, routing_="r"
    )
    return [_key(record["key"]) for record in records]


def delete(driver: Driver, key_id: str, *, database: str | None = None) -> None:
    driver.execute_query(query("access/delete_key"), id=key_id, database_=database)


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
