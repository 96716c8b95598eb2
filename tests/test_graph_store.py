"""The graph store's sessions and ``execute_query`` share one chain of bookmarks, so that in a
cluster a read after a write of the same process sees it (one server shows the chain itself)."""

from __future__ import annotations

from typing import Any

import pytest
from neo4j import Session

from graph.ingest.records import ItemIn
from graph.ingest.writes import write_items
from graph.store import Graph


def bookmarks(graph: Graph) -> frozenset[str]:
    return frozenset(graph.driver.execute_query_bookmark_manager.get_bookmarks())


def test_a_transaction_and_an_auto_commit_statement_leave_their_bookmark_to_the_reads(
    graph: Graph, prefix: str
) -> None:
    graph.read("admin/now")
    before = bookmarks(graph)
    item = ItemIn(id=f"{prefix}item", title="A title", categories=[f"{prefix}Drama"])
    assert write_items(graph, [item]) == 1  # Graph.transaction
    after_transaction = bookmarks(graph)
    assert after_transaction and after_transaction != before
    graph.run("admin/delete_by_id_prefix", prefix=prefix)  # Graph.run
    after_run = bookmarks(graph)
    assert after_run and after_run != after_transaction
    assert not graph.read("recommend/items_by_id", ids=[f"{prefix}item"])[0]["items"]


def test_every_session_the_store_opens_is_given_the_shared_bookmark_manager(
    graph: Graph, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[dict[str, Any]] = []
    session = graph.driver.session

    def recording(**config: Any) -> Session:
        opened.append(config)
        return session(**config)

    monkeypatch.setattr(graph.driver, "session", recording)
    assert list(graph.stream("admin/now"))
    graph.run("admin/delete_by_id_prefix", prefix=prefix)
    item = ItemIn(id=f"{prefix}item", title="A title", categories=[f"{prefix}Drama"])
    write_items(graph, [item])
    assert len(opened) == 3
    shared = graph.driver.execute_query_bookmark_manager
    assert all(config["bookmark_manager"] is shared for config in opened)
