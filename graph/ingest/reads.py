"""Reads that answer the API, returned as plain dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graph.store import Graph


@dataclass(frozen=True)
class Event:
    event_id: str
    item_id: str
    kind: str
    value: float | None
    weight: float
    at: datetime


@dataclass(frozen=True)
class Item:
    id: str
    title: str | None
    description: str | None
    categories: list[str]
    placeholder: bool
    interactions: int


@dataclass(frozen=True)
class RelatedInterest:
    key: str
    name: str
    weight: float


@dataclass(frozen=True)
class Interest:
    key: str
    name: str
    aliases: list[str]
    related: list[RelatedInterest]  # strongest first, at most 20
    categories: list[str]
    positive_mentions: int
    negative_mentions: int


@dataclass(frozen=True)
class StoredText:
    text_id: str
    body: str
    source: str
    at: datetime


@dataclass(frozen=True)
class Expression:
    """One EXPRESSED edge: what one of a user's texts said about one interest."""

    interest_key: str
    text_id: str
    at: datetime
    weight: float
    polarity: int
    source: str
    surface: str


def user_events(
    graph: Graph,
    user_id: str,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 100,
) -> list[Event] | None:
    """The user's events in ``[start, end)``, newest first; None when the user is unknown."""
    record = graph.read_one(
        "read/user_events", **{"user_id": user_id, "from": start, "to": end, "limit": limit}
    )
    if record is None:
        return None
    return [_event(row) for row in record["events"]]


def item(graph: Graph, item_id: str) -> Item | None:
    record = graph.read_one("read/item", item_id=item_id)
    return Item(**record.data()) if record is not None else None


def _event(row: dict[str, Any]) -> Event:
    return Event(**{**row, "at": row["at"].to_native()})


def interest(graph: Graph, key: str) -> Interest | None:
    """An interest with its aliases, related interests, categories and mention counts."""
    record = graph.read_one("read/interest", key=key)
    if record is None:
        return None
    row = record.data()
    return Interest(**{**row, "related": [RelatedInterest(**r) for r in row["related"]]})


def user_texts(graph: Graph, user_id: str) -> list[StoredText]:
    """The raw texts kept for a user (only stored with INTERESTS_STORE_RAW_TEXT), newest first."""
    return [
        StoredText(**{**r.data(), "at": r["at"].to_native()})
        for r in graph.read("read/user_texts", user_id=user_id)
    ]


def user_expressions(graph: Graph, user_id: str) -> list[Expression]:
    """The interests a user's texts expressed, one row per EXPRESSED edge, oldest first."""
    return [
        Expression(**{**r.data(), "at": r["at"].to_native()})
        for r in graph.read("read/user_expressions", user_id=user_id)
    ]
