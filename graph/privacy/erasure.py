"""A user's data on request: erase it, export it; what is past the retention window expires.

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

from neo4j.time import DateTime

from graph.store import Graph

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Erased:
    events: int
    expressions: int
    texts: int
    recommendations: int = 0


@dataclass(frozen=True)
class Expired:
    events: int
    expressions: int
    texts: int
    recommendations: int = 0


@dataclass(frozen=True)
class UserData:
    """Everything held about one user, as stored: property maps with datetimes as ``datetime``."""

    user: dict[str, Any]  # the node's properties, embedding vectors included
    events: list[dict[str, Any]]  # INTERACTED edges with ``item_id``, oldest first
    expressions: list[dict[str, Any]]  # EXPRESSED edges with ``interest``, oldest first
    texts: list[dict[str, Any]]  # raw texts (kept only with INTERESTS_STORE_RAW_TEXT)
    recommendations: list[dict[str, Any]]  # logged answers with each shown item's feedback


def erase_user(graph: Graph, user_id: str) -> Erased | None:
    """Delete everything held about the user; None when there is no such user."""
    records = graph.write("privacy/erase_user", user_id=user_id)
    if not records:
        return None
    logger.info("erased a user (%d events)", records[0]["events"])
    r = records[0]
    return Erased(r["events"], r["expressions"], r["texts"], r["recommendations"])


def export_user(graph: Graph, user_id: str) -> UserData | None:
    """Everything held about the user; None when there is no such user."""
    record = graph.read_one("privacy/export_user", user_id=user_id)
    if record is None:
        return None
    return UserData(
        user=_native(record["user"]),
        events=[_native(e) for e in record["events"]],
        expressions=[_native(e) for e in record["expressions"]],
        texts=[_native(t) for t in record["texts"]],
        recommendations=[_recommendation(r) for r in record["recommendations"]],
    )


def expire(graph: Graph, before: datetime) -> Expired:
    """Delete events, expressions, raw texts and logged recommendations (with their feedback)
    older than ``before`` (the retention job).

    Each statement deletes ``IN TRANSACTIONS``, so it runs auto-commit; what it removed is read
    from its counters (which add up the inner transactions).
    """
    events = graph.run("privacy/expire_events", before=before).counters.relationships_deleted
    expressions = graph.run(
        "privacy/expire_expressions", before=before
    ).counters.relationships_deleted
    texts = graph.run("privacy/expire_texts", before=before).counters.nodes_deleted
    shown = graph.run("privacy/expire_recommendations", before=before).counters.nodes_deleted
    expired = Expired(events, expressions, texts, shown)
    logger.info("retention before %s: %s", before.isoformat(), expired)
    return expired


def _recommendation(logged: dict[str, Any]) -> dict[str, Any]:
    return {**_native(logged), "items": [_native(i) for i in logged["items"]]}


def _native(properties: dict[str, Any]) -> dict[str, Any]:
    """A property map with the driver's datetimes as ``datetime``."""
    return {
        key: value.to_native() if isinstance(value, DateTime) else value
        for key, value in properties.items()
    }
