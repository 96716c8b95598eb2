"""A user's data on request: erase it, export it; events past the retention window expire.

Functions take the graph's id of the user (its pseudonym). Erasing deletes the user node (and so
its embedding vectors), every edge and the texts it wrote, in one transaction; the next embedding
run trains without them. Item and interest vectors of the serving run were learnt with the
user's edges among millions of others; they are replaced at the next run, not edited.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from neo4j import Driver
from neo4j.time import DateTime

from cypher import query

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Erased:
    events: int
    expressions: int
    texts: int


@dataclass(frozen=True)
class Expired:
    events: int
    expressions: int
    texts: int


def erase_user(driver: Driver, user_id: str, *, database: str | None = None) -> Erased | None:
    """Delete everything held about the user; None when there is no such user."""
    records, _, _ = driver.execute_query(
        query("privacy/erase_user"), user_id=user_id, database_=database
    )
    if not records:
        return None
    logger.info("erased a user (%d events)", records[0]["events"])
    return Erased(records[0]["events"], records[0]["expressions"], records[0]["texts"])


def export_user(
    driver: Driver, user_id: str, *, database: str | None = None
) -> dict[str, Any] | None:
    """Everything held about the user as JSON-ready values; None when there is no such user."""
    records, _, _ = driver.execute_query(
        query("privacy/export_user"), user_id=user_id, database_=database, routing_="r"
    )
    if not records:
        return None
    record = records[0]
    return {
        "user": _plain(record["user"]),
        "events": [_plain(e) for e in record["events"]],
        "expressions": [_plain(e) for e in record["expressions"]],
        "texts": [_plain(t) for t in record["texts"]],
    }


def expire(driver: Driver, before: datetime, *, database: str | None = None) -> Expired:
    """Delete events, expressions and raw texts older than ``before`` (the retention job)."""
    counts = []
    for name in ("privacy/expire_events", "privacy/expire_expressions", "privacy/expire_texts"):
        with driver.session(database=database) as session:  # IN TRANSACTIONS: auto-commit
            counts.append(session.run(query(name), before=before).single(strict=True)["removed"])
    expired = Expired(*counts)
    logger.info("retention before %s: %s", before.isoformat(), expired)
    return expired


def _plain(value: Any) -> Any:
    """Driver values as JSON: datetimes as ISO 8601 strings, maps and lists walked."""
    if isinstance(value, DateTime):
        return value.to_native().isoformat().replace("+00:00", "Z")
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in sorted(value.items())}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
