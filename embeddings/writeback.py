"""Writing a run's results into Neo4j: its vectors in the run's slot property on each node, its
item-to-item edges tagged with the slot, in batches, the items' popularity (positive
interactions) that ranking uses, and each category's and interest's members in that order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from embeddings.item_similarity import Neighbours
from embeddings.runs import LABELS, slot_property
from graph.store import Graph, Rows

BATCH = 5_000
SIMILAR_BATCH = 1_000  # items, each with its kept neighbours
RANKED_DEPTH = 2_000  # items kept in a target's ranked list; a user who has seen more walks all
WRITERS = {
    "user": "embeddings/write_user_vectors",
    "item": "embeddings/write_item_vectors",
    "interest": "embeddings/write_interest_vectors",
    "category": "embeddings/write_category_vectors",
}


def write_vectors(graph: Graph, slot: int, labels: Sequence[str], vectors: np.ndarray) -> int:
    """Clear the slot, then write each vector (labels ``u:<id>`` …) to its node's slot property."""
    prop = slot_property(slot)
    graph.run("embeddings/clear_slot", property=prop)
    write_popularity(graph)
    rows: dict[str, list[dict[str, object]]] = defaultdict(list)
    for label, vector in zip(labels, vectors, strict=True):
        prefix, _, identifier = label.partition(":")
        rows[LABELS[prefix]].append({"id": identifier, "vector": vector.tolist()})
    written = 0
    for label, batch_rows in rows.items():
        for start in range(0, len(batch_rows), BATCH):
            chunk = batch_rows[start : start + BATCH]
            graph.write(WRITERS[label], rows=Rows(chunk), property=prop)
            written += len(chunk)
    return written


def write_popularity(graph: Graph) -> None:
    """Each item's popularity, then each category's and interest's members ranked by it: the
    lists ``service.recommend`` walks for a profile's targets (stale lists are marked so first)."""
    graph.write("embeddings/popularity_changes")
    graph.run("embeddings/item_popularity")
    graph.run("embeddings/rank_targets", depth=RANKED_DEPTH)


def write_similar(graph: Graph, slot: int, neighbours: Neighbours) -> int:
    """Replace the slot's ``SIMILAR_TO`` edges with ``neighbours``; the number of edges written."""
    graph.run("embeddings/clear_similar", slot=slot)
    rows = [
        {"item": item, "similar": [{"item": other, "weight": w} for other, w in similar]}
        for item, similar in neighbours.items()
    ]
    for start in range(0, len(rows), SIMILAR_BATCH):
        graph.write(
            "embeddings/write_similar", rows=Rows(rows[start : start + SIMILAR_BATCH]), slot=slot
        )
    return sum(len(similar) for similar in neighbours.values())
