"""The forecast: what ``graph.evolution.forecast.compose`` needs, fetched (the population's
shares, the item-to-item model's predicted items and the targets they reach, the serving run's
transition model), and composed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from graph.evolution.forecast import (
    PREDICTED_ITEMS,
    Forecast,
    compose,
    item_targets,
    population_shares,
)
from graph.evolution.strength import Signal
from graph.evolution.transitions import Transition
from graph.store import Graph
from service import recommend


def forecast(
    graph: Graph, user_id: str, signals: Sequence[Signal], as_of: datetime, *, limit: int
) -> Forecast:
    """The forecast of ``GET /v1/users/{id}/interests/forecast`` (``signals`` up to ``as_of``)."""
    population = population_shares(graph, as_of)
    serving, items = recommend.predicted_items(graph, user_id, as_of=as_of, limit=PREDICTED_ITEMS)
    reached = item_targets(graph, [item for item, _ in items])
    transition = (Transition.from_json(serving.transition)
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
