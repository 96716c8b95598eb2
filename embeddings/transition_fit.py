"""The forecast's transition model, fitted from the graph with each embedding run.

For up to ``MAX_USERS`` users (a seeded sample of those with at least ``MIN_EVENTS``
interactions): the signals the profile reads (``graph.evolution.profiles.user_signals``) and the
interactions the item model walks. At each nested cut of a history (``graph.evolution.forecast.samples``)
the forecast is rebuilt from what came before it: the profile, the population's shares (of these
users' positive interactions up to the cut) and the items the run's item-to-item model predicts
from the history before the cut (``embeddings.item_model.walk_item_model``, as the service walks it in
Cypher). The samples go to ``graph.evolution.transitions.fit``. The run's model has seen every
interaction, including the ones after each cut; the benchmark fits the same way
(``bench/evolution.py``).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

from neo4j import Driver

from cypher import query
from graph.evolution import forecast
from graph.evolution import profiles
from embeddings import item_model
from graph.evolution.transitions import Transition, fit

logger = logging.getLogger(__name__)

MAX_USERS = 2_000
SEED = 20_261_128  # of the sample of users, so that runs on the same graph learn the same
MIN_EVENTS = 5
TARGETS_BATCH = 5_000  # items per item_targets query


def fit_transition(
    driver: Driver,
    neighbours: Mapping[str, Sequence[tuple[str, float]]],
    *,
    max_users: int = MAX_USERS,
    database: str | None = None,
) -> tuple[Transition | None, int]:
    """The transition model (``None`` with too few samples) and the number of samples."""
    db: dict[str, Any] = {"database_": database, "routing_": "r"}
    records, _, _ = driver.execute_query(
        query("embeddings/transition_users"), min_events=MIN_EVENTS, **db
    )
    users = [r["user"] for r in records]
    if len(users) > max_users:
        users = random.Random(SEED).sample(users, max_users)
    now = datetime.now(UTC)
    histories = {}
    for user in users:
        signals = profiles.user_signals(driver, user, until=now, database=database)
        histories[user] = (signals, item_model.interactions(driver, user, now, db))
    population = forecast.PopulationTimeline(
        (s.at, forecast.categories(s.targets))
        for signals, _ in histories.values() for s in signals
        if s.source == "event" and s.weight > 0
    )  # fmt: skip
    items = sorted(
        {*neighbours, *(other for similar in neighbours.values() for other, _ in similar)}
    )
    reached = {}
    for start in range(0, len(items), TARGETS_BATCH):
        found = forecast.item_targets(
            driver, items[start : start + TARGETS_BATCH], database=database
        )
        reached.update({item: targets for item, (_, targets) in found.items()})

    def predicted(history: list[tuple[str, float, int]], at: float) -> dict[str, float]:
        before = [row for row in history if row[2] <= at]
        weights = item_model.history_weights([(item, weight) for item, weight, _ in before])
        best = item_model.walk_item_model(
            neighbours, weights, {item for item, _, _ in before}, forecast.PREDICTED_ITEMS
        )
        return forecast.shares((reached.get(item, ()), score) for item, score in best)

    samples = [
        sample
        for signals, history in histories.values()
        for sample in forecast.samples(signals, population.shares, partial(predicted, history))
    ]
    logger.info("transition model: %d samples from %d users", len(samples), len(histories))
    return fit(samples, population.names), len(samples)
