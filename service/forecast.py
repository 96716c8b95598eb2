"""The forecast: what ``graph.evolution.forecast.compose`` needs, fetched (the population's
shares, the item-to-item model's predicted items and the targets they reach, the serving run's
transition model), and composed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from embeddings import item_model
from graph.evolution import profiles
from graph.evolution.forecast import (
    PREDICTED_ITEMS,
    Forecast,
    compose,
    item_targets,
    population_shares,
)
from graph.evolution.transitions import Transition
from graph.store import Graph
from service import recommend


def forecast(
    graph: Graph, rows: Sequence[Mapping[str, Any]], as_of: datetime, *, limit: int
) -> Forecast:
    """The forecast of ``GET /v1/users/{id}/interests/forecast`` from the user's
    ``profiles.history_rows`` up to ``as_of``."""
    signals = profiles.profile_signals(rows)
    population = population_shares(graph, as_of)
    interactions = item_model.interactions_of(rows)
    serving, items = recommend.predicted_items(graph, interactions, limit=PREDICTED_ITEMS)
    reached = item_targets(graph, [item for item, _ in items])
    transition = (transition_of(serving.transition)
                  if serving is not None and serving.transition else None)  # fmt: skip
    return compose(
        signals,
        as_of,
        population,
        items,
        reached,
        embedding_run=serving.run_id if serving is not None else None,
        transition=transition,
        limit=limit,
    )


@lru_cache(maxsize=2)
def transition_of(text: str) -> Transition:
    """The serving run's transition model, parsed once per process (it changes with the run)."""
    return Transition.from_json(text)
