"""The forecast's transition model, fitted from the graph with each embedding run.

For up to ``MAX_USERS`` users (a seeded sample of those with at least ``MIN_EVENTS``
interactions): the signals the profile reads (``graph.evolution.profiles.user_signals``) and the
interactions the item model walks (``embeddings.item_model.interactions``), fetched for all of
them in a few batched queries. At each nested cut of a history
(``graph.evolution.forecast.samples``) the forecast is rebuilt from what came before it: the
profile, the population's shares (of these users' positive interactions up to the cut) and the
items the run's item-to-item model predicts from the history before the cut
(``embeddings.item_model.walk_item_model``, as the service walks it in Cypher). The samples
(``transition_samples``, pure) go to ``graph.evolution.transitions.fit``. The run's model has
seen every interaction, including the ones after each cut; the benchmark fits the same way
(``bench/evolution.py``).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from embeddings import item_model
from graph.evolution import forecast
from graph.evolution.profiles import EPOCH, signals_of
from graph.evolution.strength import Signal
from graph.evolution.transitions import Transition, fit
from graph.store import Graph

logger = logging.getLogger(__name__)

MAX_USERS = 2_000
SEED = 20_261_128  # of the sample of users, so that runs on the same graph learn the same
MIN_EVENTS = 5
USERS_BATCH = 500  # users per signals or interactions query
TARGETS_BATCH = 5_000  # items per item_targets query

Interaction = tuple[str, float, int]  # item, weight, epoch seconds
Sample = tuple[dict[str, float], dict[str, float]]  # the forecast at a cut, the shares after it


@dataclass(frozen=True)
class History:
    """What the fit knows of one user: signals and interactions, oldest first."""

    signals: list[Signal]
    interactions: list[Interaction]


def fit_transition(
    graph: Graph,
    neighbours: Mapping[str, Sequence[tuple[str, float]]],
    *,
    max_users: int = MAX_USERS,
    history: item_model.HistorySettings = item_model.DEFAULT_HISTORY,
) -> tuple[Transition | None, int]:
    """The transition model (``None`` with too few samples) and the number of samples;
    ``history``: how the run weighs a history for its item-to-item model, as the service will."""
    candidates = graph.read("embeddings/transition_users", min_events=MIN_EVENTS)
    users = sample_users([r["user"] for r in candidates], max_users)
    histories = fetch_histories(graph, users, datetime.now(UTC))
    reached = fetch_reached(graph, neighbours)
    samples, names = transition_samples(histories, neighbours, reached, history=history)
    logger.info("transition model: %d samples from %d users", len(samples), len(histories))
    return fit(samples, names), len(samples)


def sample_users(users: Sequence[str], max_users: int) -> list[str]:
    """All ``users``, or a sample of ``max_users`` of them drawn with ``SEED``."""
    if len(users) > max_users:
        return random.Random(SEED).sample(list(users), max_users)
    return list(users)


def fetch_histories(graph: Graph, users: Sequence[str], as_of: datetime) -> list[History]:
    """Each user's signals and interactions up to ``as_of``, in the order of ``users``."""
    signals: dict[str, list[Signal]] = {}
    interactions: dict[str, list[Interaction]] = {}
    for start in range(0, len(users), USERS_BATCH):
        batch = list(users[start : start + USERS_BATCH])
        for r in graph.read("embeddings/transition_signals", users=batch, since=EPOCH, until=as_of):
            signals[r["user"]] = signals_of(r["signals"])
        for r in graph.read("embeddings/transition_interactions", users=batch, as_of=as_of):
            interactions[r["user"]] = [
                (item, float(weight), at) for item, weight, at in r["interactions"]
            ]
    return [History(signals.get(u, []), interactions.get(u, [])) for u in users]


def fetch_reached(
    graph: Graph, neighbours: Mapping[str, Sequence[tuple[str, float]]]
) -> dict[str, tuple[str, ...]]:
    """The targets (categories, strongest interests) of every item the model can predict."""
    items = sorted(
        {*neighbours, *(other for similar in neighbours.values() for other, _ in similar)}
    )
    reached = {}
    for start in range(0, len(items), TARGETS_BATCH):
        found = forecast.item_targets(graph, items[start : start + TARGETS_BATCH])
        reached.update({item: found[item].targets for item in found})
    return reached


def transition_samples(
    histories: Sequence[History],
    neighbours: Mapping[str, Sequence[tuple[str, float]]],
    reached: Mapping[str, Sequence[str]],
    *,
    history: item_model.HistorySettings = item_model.DEFAULT_HISTORY,
) -> tuple[list[Sample], list[str]]:
    """The samples of every history (``graph.evolution.forecast.samples``), and the categories
    the population's shares name (the targets the transition model learns); the item-to-item
    model walks each history weighed with ``history``."""
    population = forecast.PopulationTimeline(
        (s.at, forecast.categories(s.targets))
        for history in histories for s in history.signals
        if s.source == "event" and s.weight > 0
    )  # fmt: skip

    def predicted(rows: list[Interaction], at: float) -> dict[str, float]:
        before = [row for row in rows if row[2] <= at]
        weights = item_model.history_weights(
            [(item, weight) for item, weight, _ in before],
            half_life=history.half_life, floor=history.floor,
        )  # fmt: skip
        best = item_model.walk_item_model(
            neighbours, weights, {item for item, _, _ in before}, forecast.PREDICTED_ITEMS
        )
        return forecast.shares((reached.get(item, ()), score) for item, score in best)

    samples = [
        sample
        for history in histories
        for sample in forecast.samples(
            history.signals, population.shares, partial(predicted, history.interactions)
        )
    ]
    return samples, population.names
