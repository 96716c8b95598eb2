"""Reads that answer the API, returned as plain dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from neo4j import Driver

from cypher import query


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


def user_events(
    driver: Driver,
    user_id: str,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 100,
    database: str | None = None,
) -> list[Event] | None:
    """The user's events in ``[start, end)``, newest first; None when the user is unknown."""
    records, _, _ = driver.execute_query(
        query("read/user_events"),
        parameters_={"user_id": user_id, "from": start, "to": end, "limit": limit},
        database_=database,
        routing_="r",
    )
    if not records:
        return None
    return [_event(row) for row in records[0]["events"]]


def item(driver: Driver, item_id: str, *, database: str | None = None) -> Item | None:
    records, _, _ = driver.execute_query(
        query("read/item"), item_id=item_id, database_=database, routing_="r"
    )
    return Item(**records[0].data()) if records else None


def _event(row: dict[str, Any]) -> Event:
    return Event(**{**row, "at": row["at"].to_native()})


def interest(driver: Driver, key: str, *, database: str | None = None) -> dict[str, Any] | None:
    """An interest with its aliases, related interests, categories and mention counts."""
    records, _, _ = driver.execute_query(
        query("read/interest"), key=key, database_=database, routing_="r"
    )
    return records[0].data() if records else None


def user_texts(
    driver: Driver, user_id: str, *, database: str | None = None
) -> list[dict[str, Any]]:
    """The raw texts kept for a user (only stored with INTERESTS_STORE_RAW_TEXT)."""
    records, _, _ = driver.execute_query(
        query("read/user_texts"), user_id=user_id, database_=database, routing_="r"
    )
    return [{**r.data(), "at": r["at"].to_native()} for r in records]


def user_expressions(
    driver: Driver, user_id: str, *, database: str | None = None
) -> list[dict[str, Any]]:
    """The interests a user's texts expressed, one row per EXPRESSED edge, oldest first."""
    records, _, _ = driver.execute_query(
        query("read/user_expressions"), user_id=user_id, database_=database, routing_="r"
    )
    return [{**r.data(), "at": r["at"].to_native()} for r in records]
