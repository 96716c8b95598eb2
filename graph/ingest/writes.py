"""Batched writes: one call, one transaction, all or nothing."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from neo4j.exceptions import ConstraintError

from graph.ingest.records import EventIn, ItemIn
from graph.store import Graph, Rows, Tx

logger = logging.getLogger(__name__)

#: Rows per ``UNWIND`` statement inside one transaction.
STATEMENT_ROWS = 5_000

T = TypeVar("T")


@dataclass(frozen=True)
class EventsWritten:
    received: int
    created: int

    @property
    def duplicates(self) -> int:
        return self.received - self.created


def write_items(graph: Graph, items: Sequence[ItemIn]) -> int:
    """Upsert catalogue records in one transaction; return how many were written."""
    return write_item_rows(graph, [item.row() for item in items])


def write_item_rows(graph: Graph, rows: Sequence[dict[str, Any]]) -> int:
    """:func:`write_items` for rows made by :meth:`ItemIn.row`."""

    def work(tx: Tx) -> int:
        return sum(
            tx.run("ingest/upsert_items", rows=Rows(chunk)).single(strict=True)["upserted"]
            for chunk in chunks(rows, STATEMENT_ROWS)
        )

    return graph.transaction(work)


def write_events(graph: Graph, events: Sequence[EventIn]) -> EventsWritten:
    """Insert events in one transaction. Event ids already stored are skipped (idempotent retries).

    Two concurrent writers of the same new event id race between the existence check and the
    create; the uniqueness constraint stops the second, which then runs once more and sees it.
    """
    return write_event_rows(graph, [event.row() for event in events])


def write_event_rows(graph: Graph, rows: Sequence[dict[str, Any]]) -> EventsWritten:
    """:func:`write_events` for rows made by :meth:`EventIn.row`."""

    def work(tx: Tx) -> int:
        existing: set[str] = set()
        for chunk in chunks([row["event_id"] for row in rows], STATEMENT_ROWS):
            found = tx.run("ingest/find_existing_events", event_ids=chunk)
            existing.update(found.single(strict=True)["existing"])
        # Sorted by item, so that concurrent writers lock shared items in one order (no deadlock).
        new = sorted(
            (row for row in rows if row["event_id"] not in existing),
            key=lambda row: (row["item_id"], row["user_id"]),
        )
        if not new:
            return 0
        tx.run("ingest/merge_users", user_ids=sorted({row["user_id"] for row in new})).consume()
        tx.run(
            "ingest/merge_placeholder_items", item_ids=sorted({row["item_id"] for row in new})
        ).consume()
        return sum(
            tx.run("ingest/create_events", rows=Rows(chunk)).single(strict=True)["created"]
            for chunk in chunks(new, STATEMENT_ROWS)
        )

    try:
        created = graph.transaction(work)
    except ConstraintError:
        logger.info("event id raced with a concurrent writer; retrying the batch once")
        created = graph.transaction(work)
    return EventsWritten(received=len(rows), created=created)


def chunks(rows: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]
