"""Where a user's interests go next: the profile, the population and the item-to-item model.

A profile says what a user has shown; a forecast ranks what their next positive signals will be
about. It mixes three shares of the targets (categories and interests):
- the blended profile (``graph.evolution.strength``), shrunk towards the population's shares of
  positive interactions by ``PRIOR_SIGNALS`` pseudo-signals, so that a user with few signals
  borrows what most people like (``(n × profile + k × population) / (n + k)`` for ``n`` signals);
- the targets of the items the item-to-item model predicts from the user's recent history
  (``service.recommend.predicted_items``), weighted by their scores, with weight
  ``PREDICTED_SHARE`` (none before the first training run).
Then the serving run's transition model (``graph.evolution.transitions``, fitted with each
embedding run on the population's histories by ``embeddings.transition_fit``) moves the
categories' scores the way people's interests moved after forecasts like this one.
The settings were chosen on the validation split of ``bench/evolution.py``. Only signals up to
``as_of`` count; the population's shares come from the hour before it (cached a while).
``item_targets`` and ``population_shares`` read the graph; ``compose`` makes the ``Forecast`` from
what they (and ``service.recommend.predicted_items``) return, and is pure.
"""

from __future__ import annotations

import bisect
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import numpy as np
from cachetools import TTLCache

from graph.evolution import strength
from graph.evolution.profiles import strongest_about
from graph.evolution.strength import Signal
from graph.evolution.transitions import CLEAR, Transition, cuts
from graph.store import Graph

PRIOR_SIGNALS = 20.0
PREDICTED_SHARE = 0.4
PREDICTED_ITEMS = 100
SHOWN_ITEMS = 10  # predicted items listed in the answer
_population: TTLCache[tuple[str | None, datetime], dict[str, float]] = TTLCache(64, ttl=600)
_population_lock = threading.Lock()


@dataclass(frozen=True)
class TargetForecast:
    """One target's forecast score and its parts (``transition``: what the transition model
    added to the combination of the other three)."""

    target: str
    score: float
    profile: float
    population: float
    predicted: float
    transition: float


@dataclass(frozen=True)
class PredictedItem:
    item_id: str
    title: str | None
    score: float


@dataclass(frozen=True)
class Forecast:
    as_of: datetime
    signals: int
    embedding_run: str | None  # the serving run whose models took part; None before the first
    targets: list[TargetForecast]  # best first
    predicted_items: list[PredictedItem]  # the model's best SHOWN_ITEMS, best first


class ItemTargets(NamedTuple):
    """An item's title and the targets it reaches (a tuple: ``title, targets = ...`` works)."""

    title: str | None
    targets: tuple[str, ...]  # categories, then the strongest ABOUT interests


def shares(weighted: Iterable[tuple[Sequence[str], float]]) -> dict[str, float]:
    """Each target's share of the positive weight spread over the targets it came with."""
    totals: dict[str, float] = defaultdict(float)
    for targets, weight in weighted:
        if weight > 0:
            for target in targets:
                totals[target] += weight
    total = sum(totals.values())
    return {t: v / total for t, v in totals.items()} if total else {}


def combine(
    profile: dict[str, float],
    signals: int,
    population: dict[str, float],
    predicted: dict[str, float],
    *,
    prior_signals: float = PRIOR_SIGNALS,
    predicted_share: float = PREDICTED_SHARE,
) -> dict[str, float]:
    """The forecast score of every target; see the module's description."""
    n, k = float(signals), prior_signals
    shrunk = {t: (n * profile.get(t, 0.0) + k * population.get(t, 0.0)) / (n + k) if n + k else 0.0
              for t in {*profile, *population}}  # fmt: skip
    m = predicted_share if predicted else 0.0
    return {t: (1 - m) * shrunk.get(t, 0.0) + m * predicted.get(t, 0.0)
            for t in {*shrunk, *predicted}}  # fmt: skip


def samples(
    signals: Sequence[Signal],
    population: Callable[[float], dict[str, float]],
    predicted: Callable[[float], dict[str, float]],
) -> list[tuple[dict[str, float], dict[str, float]]]:
    """What the transition model learns from one history: at each nested cut
    (``graph.evolution.transitions.cuts``), the forecast from the signals before it
    (``population`` and ``predicted`` give their parts at an instant) and the categories' shares
    of the clear positives after it (``graph.evolution.transitions.CLEAR``), up to the later cut
    it nests in."""
    found = []
    for cut, end in cuts(len(signals)):
        after = shares((categories(s.targets), 1.0) for s in signals[cut:end] if s.weight >= CLEAR)
        if after:
            at = signals[cut - 1].at
            before = signals[:cut]
            profile = {s.target: s.blended for s in strength.profile(before, at)}
            found.append((combine(profile, cut, population(at), predicted(at)), after))
    return found


def categories(targets: Iterable[str]) -> tuple[str, ...]:
    return tuple(t for t in targets if t.startswith("category:"))


class PopulationTimeline:
    """The population's shares of positive interactions per category at any instant, in memory
    (what ``population_shares`` reads from Neo4j), from ``(at, categories)`` of positive events."""

    def __init__(self, events: Iterable[tuple[float, Sequence[str]]]) -> None:
        ordered = sorted((at, tuple(targets)) for at, targets in events)
        self.times = [at for at, _ in ordered]
        self.names = sorted({t for _, targets in ordered for t in targets})
        column = {name: j for j, name in enumerate(self.names)}
        counts = np.zeros((len(ordered) + 1, len(self.names)))
        for row, (_, targets) in enumerate(ordered, start=1):
            for target in targets:
                counts[row, column[target]] += 1
        self.cumulative = np.cumsum(counts, axis=0)

    def shares(self, as_of: float) -> dict[str, float]:
        row = self.cumulative[bisect.bisect_right(self.times, as_of)]
        return shares(((name,), float(v)) for name, v in zip(self.names, row, strict=True))


def compose(
    signals: Sequence[Signal],
    as_of: datetime,
    population: dict[str, float],
    items: Sequence[tuple[str, float]],
    reached: Mapping[str, ItemTargets],
    *,
    embedding_run: str | None,
    transition: Transition | None,
    limit: int,
) -> Forecast:
    """The ``limit`` best targets for a user with ``signals`` (up to ``as_of``), given the
    population's shares, the item model's predicted ``items`` with their scores, the targets
    those reach and the serving run's transition model (None: none)."""
    profile = {s.target: s.blended for s in strength.profile(signals, as_of.timestamp())}
    nowhere = ItemTargets(None, ())
    predicted = shares((reached.get(item, nowhere).targets, score) for item, score in items)
    combined = combine(profile, len(signals), population, predicted)
    scores = transition.apply(combined) if transition is not None else combined
    ranked = sorted(scores, key=lambda t: (-scores[t], t))[:limit]
    return Forecast(
        as_of=as_of,
        signals=len(signals),
        embedding_run=embedding_run,
        targets=[
            TargetForecast(
                t,
                scores[t],
                profile.get(t, 0.0),
                population.get(t, 0.0),
                predicted.get(t, 0.0),
                scores[t] - combined.get(t, 0.0),
            )
            for t in ranked
        ],  # fmt: skip
        predicted_items=[
            PredictedItem(item, reached.get(item, nowhere).title, score)
            for item, score in items[:SHOWN_ITEMS]
        ],  # fmt: skip
    )


def item_targets(graph: Graph, ids: Sequence[str]) -> dict[str, ItemTargets]:
    """Each item's title and the targets it reaches: categories, its strongest interests."""
    if not ids:
        return {}
    records = graph.read("evolution/item_targets", ids=list(ids))
    return {
        r["item"]: ItemTargets(r["title"], (*r["categories"], *strongest_about(r["about"])))
        for r in records
    }


def population_shares(graph: Graph, as_of: datetime) -> dict[str, float]:
    """The categories' shares of all users' positive interactions up to the hour before
    ``as_of`` (never after it), cached for ten minutes per hour."""
    hour = as_of.replace(minute=0, second=0, microsecond=0)
    key = (graph.database, hour)
    with _population_lock:
        cached = _population.get(key)
    if cached is not None:
        return cached
    records = graph.read("evolution/population_shares", as_of=hour)
    found = shares(((r["target"],), float(r["signals"])) for r in records)
    with _population_lock:
        _population[key] = found
    return found


def forget_population() -> None:
    """Drop the cached population shares (tests change the population between requests)."""
    with _population_lock:
        _population.clear()
