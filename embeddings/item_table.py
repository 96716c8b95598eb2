"""The served run's item-to-item model held in memory, so a live answer walks it without a query.

A run's ``SIMILAR_TO`` edges (``embeddings.writeback``) change only when another run is served,
so each process loads them once per run into a sparse matrix (row ``j``: what liking item ``j``
predicts) and walks a user's history with one sparse product instead of reading
``history × neighbours`` edges in Cypher: the same sums, ranked the same way
(``recommend/item_model_candidates``; tests compare the two). Loading takes a few seconds on a
large catalogue, so it happens in a background thread; until it is done, ``TableCache.get``
answers None and the caller walks the edges in Cypher.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from graph.store import Graph

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NeighbourTable:
    """One run's item-to-item weights: ``matrix[j, i]`` is the edge ``items[j] → items[i]``."""

    run_id: str
    items: list[str]
    index: dict[str, int]
    order: np.ndarray  # each item's position among the ids sorted, for ties broken by id
    matrix: sparse.csr_matrix

    def walk(
        self, weights: Mapping[str, float], seen: Collection[str], limit: int
    ) -> list[tuple[str, float]]:
        """Each item's summed ``history weight × edge weight`` over the history's neighbours,
        the best ``limit`` not in ``seen``, by score then id (as the Cypher walk ranks them)."""
        rows = [self.index[item] for item in weights if item in self.index]
        if not rows:
            return []
        history = np.fromiter((weights[self.items[r]] for r in rows), np.float64, len(rows))
        user = np.zeros(len(rows), dtype=np.int64)
        walked = sparse.csr_matrix((history, (user, rows)), shape=(1, len(self.items)))
        reached = walked @ self.matrix
        columns, scores = reached.indices, reached.data
        hidden = [self.index[item] for item in seen if item in self.index]
        keep = ~np.isin(columns, hidden) if hidden else np.ones(len(columns), dtype=bool)
        columns, scores = columns[keep], scores[keep]
        best = np.lexsort((self.order[columns], -scores))[:limit]
        return [(self.items[c], float(s)) for c, s in zip(columns[best], scores[best], strict=True)]

    def anchors(
        self, weights: Mapping[str, float], items: Collection[str]
    ) -> dict[str, tuple[str, float]]:
        """For each of ``items`` the walk reaches, the history item that gave it the largest part
        of its score (``history weight × edge weight``; ties by id), with that part."""
        rows = np.array([self.index[item] for item in weights if item in self.index], np.int64)
        if not len(rows):
            return {}
        history = np.array([weights[self.items[r]] for r in rows], dtype=np.float64)
        columns = self.matrix[rows].tocsc()  # the history's edges, by the item they lead to
        found = {}
        for item in items:
            column = self.index.get(item)
            if column is None:
                continue
            start, end = columns.indptr[column], columns.indptr[column + 1]
            if start == end:
                continue
            leading = columns.indices[start:end]  # positions in the history
            parts = columns.data[start:end] * history[leading]
            best = np.lexsort((self.order[rows[leading]], -parts))[0]
            found[item] = (self.items[rows[leading[best]]], float(parts[best]))
        return found


def table_of(run_id: str, rows: Iterable[Mapping[str, Any]]) -> NeighbourTable:
    """The table of ``embeddings/similar_table`` rows (item, similar ids, weights)."""
    sources: list[str] = []
    targets: list[str] = []
    values: list[float] = []
    for row in rows:
        similar = list(row["similar"])
        sources.extend([row["item"]] * len(similar))
        targets.extend(similar)
        values.extend(float(w) for w in row["weights"])
    items = sorted({*sources, *targets})
    index = {item: n for n, item in enumerate(items)}
    matrix = sparse.csr_matrix(
        (
            np.asarray(values, dtype=np.float64),
            (np.fromiter((index[s] for s in sources), np.int64, len(sources)),
             np.fromiter((index[t] for t in targets), np.int64, len(targets))),
        ),
        shape=(len(items), len(items)),
    )  # fmt: skip
    # ids are sorted, so an item's position is its rank among the ids
    return NeighbourTable(run_id, items, index, np.arange(len(items)), matrix)


def load(graph: Graph, run_id: str, slot: int) -> NeighbourTable:
    """The run's table, read from its slot's ``SIMILAR_TO`` edges."""
    return table_of(run_id, graph.stream("embeddings/similar_table", slot=slot))


class TableCache:
    """The served run's table per process, loaded in the background on first demand."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._table: NeighbourTable | None = None
        self._loading: str | None = None  # the run id being loaded

    def get(self, graph: Graph, run_id: str, slot: int) -> NeighbourTable | None:
        """The table of ``run_id`` when loaded; else None, and its loading is started."""
        with self._lock:
            if self._table is not None and self._table.run_id == run_id:
                return self._table
            if self._loading == run_id:
                return None
            self._loading = run_id
        threading.Thread(
            target=self._load, args=(graph, run_id, slot), name="item-table", daemon=True
        ).start()
        return None

    def wait(self, graph: Graph, run_id: str, slot: int) -> NeighbourTable:
        """The table of ``run_id``, loaded now if need be (batch jobs, which rank many users)."""
        with self._lock:
            if self._table is not None and self._table.run_id == run_id:
                return self._table
        table = load(graph, run_id, slot)
        with self._lock:
            self._table = table
        return table

    def _load(self, graph: Graph, run_id: str, slot: int) -> None:
        try:
            table = load(graph, run_id, slot)
        except Exception:  # the Cypher walk keeps answering; the next request tries again
            logger.exception("loading the item-to-item table of run %s failed", run_id)
            table = None
        with self._lock:
            if table is not None:
                self._table = table
            if self._loading == run_id:
                self._loading = None
        if table is not None:
            logger.info("item-to-item table of run %s: %d items, %d edges",
                        run_id, len(table.items), table.matrix.nnz)  # fmt: skip


TABLES = TableCache()  # this process's
