"""The item-to-item model walked from a user's history: what a user did last says most.

Each past interaction is weighted by its strength and its recency by position
(``history_weights``); the model's ``SIMILAR_TO`` neighbours of the history's items, weighted by
the edge and the history weight, are the candidates. The service walks it in memory once a
process holds the served run's table (``embeddings.item_table``), in Cypher until then
(``recommend/item_model_candidates``); ``walk_item_model`` is the same arithmetic over a dict,
for the transition model's fit and the benchmarks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graph.store import Graph

# History weights of the item-to-item source; chosen on the validation split of bench/recommend.py
# (half-lives 2, 4, 8, 16 and floors 0, 0.05, 0.1, 0.2 compared; without the floor -0.016 NDCG@10).
HISTORY_HALF_LIFE = 4.0  # interactions: the 4th most recent counts half as much as the last
HISTORY_FLOOR = 0.05  # what every older interaction keeps


@dataclass(frozen=True)
class HistorySettings:
    """How ``history_weights`` weighs a history: the defaults above, or what a run chose on its
    validation split (``service.blend_tuning``)."""

    half_life: float = HISTORY_HALF_LIFE
    floor: float = HISTORY_FLOOR


DEFAULT_HISTORY = HistorySettings()


def history_of(blend: Mapping[str, Any] | None) -> HistorySettings:
    """The history setting a run's blend names (``runs.Serving.blend``); the defaults for a run
    that chose none."""
    chosen = (blend or {}).get("history")
    if not chosen:
        return DEFAULT_HISTORY
    return HistorySettings(float(chosen["half_life"]), float(chosen["floor"]))


def interactions(graph: Graph, user_id: str, as_of: datetime) -> list[tuple[str, float, int]]:
    """The user's interactions up to ``as_of`` as (item, weight, epoch seconds), oldest first."""
    records = graph.read("recommend/history", user_id=user_id, as_of=as_of)
    return [(r["item"], float(r["weight"]), r["at"]) for r in records]


def interactions_of(rows: Iterable[Mapping[str, Any]]) -> list[tuple[str, float, int]]:
    """What ``interactions`` reads, from a user's ``evolution/user_signals`` rows: the events as
    (item, weight, whole epoch seconds), oldest first, ties by item id."""
    events = [row for row in rows if row["source"] == "event"]
    events.sort(key=lambda row: (row["at"], row["item"]))
    return [(row["item"], float(row["weight"]), int(row["second"])) for row in events]


def walk_item_model(
    neighbours: Mapping[str, Sequence[tuple[str, float]]],
    weights: Mapping[str, float],
    seen: Collection[str],
    limit: int,
) -> list[tuple[str, float]]:
    """What ``recommend/item_model_candidates`` does in Cypher, in memory: each item's summed
    ``history weight × edge weight`` over the history's neighbours, the best ``limit`` unseen."""
    scores: dict[str, float] = defaultdict(float)
    for item, weight in weights.items():
        for other, edge in neighbours.get(item, ()):
            scores[other] += weight * edge
    unseen = [item for item in scores if item not in seen]
    return [(item, scores[item]) for item in sorted(unseen, key=lambda i: (-scores[i], i))[:limit]]


def history_weights(
    history: Sequence[tuple[str, float]],
    *,
    half_life: float = HISTORY_HALF_LIFE,
    floor: float = HISTORY_FLOOR,
) -> dict[str, float]:
    """Per item, the positive strength of the user's interactions (oldest first) times their
    recency by position, ``floor + (1 - floor) * 0.5 ** (age / half_life)``, where ``age`` counts
    the interactions after it; an item seen twice keeps its larger weight."""
    weights: dict[str, float] = {}
    last = len(history) - 1
    for position, (item, weight) in enumerate(history):
        if weight <= 0:
            continue
        recency = floor + (1 - floor) * 0.5 ** ((last - position) / half_life)
        weights[item] = max(weights.get(item, 0.0), weight * recency)
    return weights
