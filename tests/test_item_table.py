"""The item-to-item model walked in memory answers what the Cypher walk answers."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from embeddings import item_model, item_table
from embeddings.item_table import TableCache, table_of
from graph.store import Graph
from service import recommend
from service.recommend import fetch_item_model, gather, weighted_history
from tests.support import LATER, PSEUDONYMS


def random_rows(rng: random.Random, items: int, per_item: int) -> list[dict[str, Any]]:
    ids = [f"i{n:03d}" for n in range(items)]
    rows = []
    for item in ids:
        others = rng.sample([i for i in ids if i != item], per_item)
        # a few weights repeat, so that ties are broken by id
        weights = [rng.choice([0.5, 0.25, rng.random()]) for _ in others]
        rows.append({"item": item, "similar": others, "weights": weights})
    return rows


def test_the_walk_in_memory_matches_the_arithmetic_of_the_cypher_walk() -> None:
    rng = random.Random(3)
    rows = random_rows(rng, 60, 8)
    table = table_of("run", rows)
    neighbours = {r["item"]: list(zip(r["similar"], r["weights"], strict=True)) for r in rows}
    for _ in range(50):
        history = {f"i{n:03d}": rng.choice([1.0, 0.5, rng.random()])
                   for n in rng.sample(range(60), rng.randint(1, 12))}  # fmt: skip
        seen = set(history) | {f"i{n:03d}" for n in rng.sample(range(60), 5)}
        expected = item_model.walk_item_model(neighbours, history, seen, 10)
        found = table.walk(history, seen, 10)
        assert [i for i, _ in found] == [i for i, _ in expected]
        assert [s for _, s in found] == pytest.approx([s for _, s in expected])
    assert table.walk({"unknown": 1.0}, set(), 10) == []


def test_an_items_anchor_is_the_history_item_that_gave_most() -> None:
    rng = random.Random(5)
    rows = random_rows(rng, 40, 6)
    table = table_of("run", rows)
    edges = {
        (r["item"], other): w
        for r in rows
        for other, w in zip(r["similar"], r["weights"], strict=True)
    }
    for _ in range(30):
        history = {f"i{n:03d}": rng.choice([1.0, 0.5]) for n in rng.sample(range(40), 8)}
        reached = [item for item, _ in table.walk(history, set(history), 40)]
        found = table.anchors(history, [*reached, "unknown"])
        assert set(found) == set(reached)
        for item in reached:
            parts = {j: h * edges[(j, item)] for j, h in history.items() if (j, item) in edges}
            best = max(parts.values())
            assert found[item] == (min(j for j, part in parts.items() if part == best), best)


def test_ties_are_broken_by_item_id() -> None:
    rows = [{"item": "a", "similar": ["z", "m", "b"], "weights": [0.5, 0.5, 0.5]}]
    assert table_of("run", rows).walk({"a": 2.0}, {"a"}, 2) == [("b", 1.0), ("m", 1.0)]


class Unloaded(TableCache):
    """A process that has not loaded the table yet: every walk goes through Cypher."""

    def get(self, graph: Graph, run_id: str, slot: int) -> item_table.NeighbourTable | None:
        return None


@pytest.mark.neo4j
@pytest.mark.parametrize("at", [1_700_000_002, 1_700_000_004, LATER["as_of"]])
def test_a_ranking_walks_the_served_table_and_answers_as_the_cypher_walk(
    graph: Graph, prefix: str, trained: str, monkeypatch: pytest.MonkeyPatch, at: int
) -> None:
    # the history grows: as of two of u0's likes, four, all of them
    user, as_of = PSEUDONYMS.user(f"{prefix}u0"), datetime.fromtimestamp(at, UTC)
    serving = recommend.runs.serving(graph)
    assert serving is not None and serving.run_id == trained
    history, seen = weighted_history(item_model.interactions(graph, user, as_of))
    monkeypatch.setattr(item_table, "TABLES", Unloaded())
    by_cypher = fetch_item_model(graph, serving, history, seen, 50)
    before = gather(graph, user, as_of=as_of, exclude_seen=False)
    assert before.history == history  # read with the signals, as the history query reads it
    chosen = recommend.rank(before, 6)
    anchors = recommend.fetch_item_model_anchors(graph, chosen, before)  # explained in Cypher
    cache = TableCache()
    monkeypatch.setattr(item_table, "TABLES", cache)
    table = cache.wait(graph, trained, serving.slot)
    assert table.run_id == trained and table.matrix.nnz > 0
    assert cache.get(graph, trained, serving.slot) is table
    by_table = fetch_item_model(graph, serving, history, seen, 50)
    assert by_cypher and [i for i, _ in by_table] == [i for i, _ in by_cypher]
    assert [s for _, s in by_table] == pytest.approx([s for _, s in by_cypher])
    by_memory = recommend.fetch_item_model_anchors(graph, chosen, before)
    assert by_memory.keys() == anchors.keys() and anchors
    for item, anchor in by_memory.items():  # the tiny graph's weights tie: the part is the same
        assert anchor.part == pytest.approx(anchors[item].part) and anchor.title is not None
    after = gather(graph, user, as_of=as_of, exclude_seen=False)
    assert after.history == before.history and after.seen == before.seen
    assert after.candidates.keys() == before.candidates.keys()
    for item, candidate in after.candidates.items():
        assert candidate.features == pytest.approx(before.candidates[item].features)
    assert [c.item for c in recommend.rank(after, 6)] == [c.item for c in recommend.rank(before, 6)]


@pytest.mark.neo4j
def test_the_table_loads_once_per_run_in_the_background(
    graph: Graph, trained: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    serving = recommend.runs.serving(graph)
    assert serving is not None
    loads: list[str] = []
    release = threading.Event()
    real_load = item_table.load

    def slow_load(graph: Graph, run_id: str, slot: int) -> item_table.NeighbourTable:
        loads.append(run_id)
        release.wait(10)
        return real_load(graph, run_id, slot)

    monkeypatch.setattr(item_table, "load", slow_load)
    cache = TableCache()
    assert cache.get(graph, trained, serving.slot) is None  # loading: the caller walks in Cypher
    assert cache.get(graph, trained, serving.slot) is None  # and no second load starts
    release.set()
    found = loaded(cache, graph, trained, serving.slot)
    assert found is not None and found.run_id == trained and loads == [trained]


def loaded(
    cache: TableCache, graph: Graph, run_id: str, slot: int
) -> item_table.NeighbourTable | None:
    """The cache's table of ``run_id`` once its background load is done (None after 10 s)."""
    for _ in range(200):
        found = cache.get(graph, run_id, slot)
        if found is not None:
            return found
        threading.Event().wait(0.05)
    return None


@pytest.mark.neo4j
def test_a_worker_warms_up_by_loading_the_served_table(
    graph: Graph, trained: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = TableCache()
    monkeypatch.setattr(item_table, "TABLES", cache)
    recommend.warm_up(graph)
    serving = recommend.runs.serving(graph)
    assert serving is not None
    found = loaded(cache, graph, trained, serving.slot)
    assert found is not None and found.run_id == trained
