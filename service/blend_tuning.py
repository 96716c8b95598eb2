"""Each run's blend, chosen on the validation split of the live graph.

``choose`` (the ``embeddings.retraining`` hook ``choose_blend``) first chooses how the
item-to-item source weighs a history (``search_history``: every setting of ``HISTORY_GRID``
walks the staged run's model from each held-out user's history before the cut, scored alone by
NDCG@10 on the held-out positives), then gathers each held-out user's candidates at the cut with
the staged run and that setting (``recommend.gather`` with every source, as of just before the
first held-out interaction), and ``search`` (pure) scores every blend of ``GRID`` by NDCG@10,
ranking exactly as the service ranks (``recommend.rank``: the blend, then the categories
spread), and keeps the best. The defaults stand unless a setting or blend beats them, and with
fewer than ``MIN_USERS`` held-out users (too few to tell them apart) the defaults are kept
without a search. ``bench/recommend.py`` runs the same searches on its own validation split.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from embeddings import item_model, item_table, runs
from embeddings.holdout import HeldOut
from embeddings.item_model import HistorySettings
from graph.evolution import profiles
from graph.store import Graph
from service import recommend
from service.recommend import DEFAULT_WEIGHTS, SOURCES, BlendWeights, Candidate, Gathered

logger = logging.getLogger(__name__)

K = 10
MIN_USERS = 30
GRID: dict[str, tuple[float, ...]] = {
    "profile": (0.0, 0.5, 1.0),
    "items": (0.0, 0.5, 1.0),
    "embedding": (0.0, 0.5, 1.0),
    "neighbours": (0.0, 0.5, 1.0),
    "popularity": (0.0, 0.25, 0.5),
}
HISTORY_GRID = tuple(
    HistorySettings(half_life, floor)
    for half_life, floor in itertools.product((2.0, 4.0, 8.0, 16.0), (0.0, 0.05, 0.1, 0.2))
)


@dataclass(frozen=True)
class Choice:
    weights: BlendWeights
    ndcg: float  # mean NDCG@10 of ``weights`` over the held-out users
    default_ndcg: float
    users: int
    tried: int  # blends scored


@dataclass(frozen=True)
class HistoryChoice:
    settings: HistorySettings
    ndcg: float  # mean NDCG@10 of the item-to-item source alone with ``settings``
    default_ndcg: float


def choose(graph: Graph, serving: runs.Serving, holdout: Mapping[str, HeldOut]) -> dict[str, Any]:
    """The history setting and blend chosen with the staged run ``serving`` on ``holdout``: what
    a run stores (``runs.store_blend``) and ``serving_weights`` / ``serving_history`` read."""
    wanted = {user: held.positives for user, held in holdout.items()}
    table = item_table.TABLES.wait(graph, serving.run_id, serving.slot)
    histories = {
        user: item_model.interactions_of(profiles.history_rows(graph, user, until=held.as_of))
        for user, held in holdout.items()
    }
    history = search_history(table, histories, wanted)
    staged = replace(serving, blend={"history": asdict(history.settings)})
    gathered = {
        user: recommend.gather(graph, user, as_of=held.as_of, serving=staged)
        for user, held in holdout.items()
    }
    choice = search(gathered, wanted)
    logger.info("history %s and blend %s chosen on %d held-out users (NDCG@10 %.4f, the "
                "defaults' %.4f)", history.settings, choice.weights, choice.users, choice.ndcg,
                choice.default_ndcg)  # fmt: skip
    return {"weights": asdict(choice.weights), "ndcg": choice.ndcg,
            "default_ndcg": choice.default_ndcg, "users": choice.users, "tried": choice.tried,
            "history": asdict(history.settings), "history_ndcg": history.ndcg,
            "history_default_ndcg": history.default_ndcg}  # fmt: skip


def search_history(
    table: item_table.NeighbourTable,
    histories: Mapping[str, Sequence[tuple[str, float, int]]],
    wanted: Mapping[str, Collection[str]],
    *,
    min_users: int = MIN_USERS,
) -> HistoryChoice:
    """The ``HISTORY_GRID`` setting under which the item-to-item source alone (``table`` walked
    from each user's ``histories``: item, weight, epoch second, oldest first) scores the best
    mean NDCG@10 on ``wanted``; the defaults unless one scores higher."""
    users = [user for user in wanted if user in histories]

    def mean_ndcg(settings: HistorySettings) -> float:
        found = []
        for user in users:
            weighted, seen = recommend.weighted_history(histories[user], settings)
            walked = table.walk({h.item: h.weight for h in weighted}, seen, K)
            found.append(ndcg_at([item for item, _ in walked], wanted[user]))
        return float(np.mean(found)) if found else 0.0

    default = mean_ndcg(item_model.DEFAULT_HISTORY)
    best = (default, item_model.DEFAULT_HISTORY)
    if len(users) >= min_users:
        for settings in HISTORY_GRID:
            if settings != item_model.DEFAULT_HISTORY and (score := mean_ndcg(settings)) > best[0]:
                best = (score, settings)
    return HistoryChoice(best[1], best[0], default)


def search(
    gathered: Mapping[str, Gathered],
    wanted: Mapping[str, Collection[str]],
    *,
    min_users: int = MIN_USERS,
) -> Choice:
    """The best blend of ``GRID`` by mean NDCG@10 over the users of ``wanted`` (each user's
    candidates in ``gathered``); the defaults unless one scores higher."""
    prepared = [Prepared.of(gathered[user]) for user in wanted]
    targets = [wanted[user] for user in wanted]

    def mean_ndcg(weights: BlendWeights) -> float:
        found = [ndcg_at(p.ranked(weights), t) for p, t in zip(prepared, targets, strict=True)]
        return float(np.mean(found)) if found else 0.0

    default = mean_ndcg(DEFAULT_WEIGHTS)
    best = (default, DEFAULT_WEIGHTS)
    tried = 1
    if len(prepared) >= min_users:
        for values in itertools.product(*GRID.values()):
            weights = BlendWeights(**dict(zip(GRID, values, strict=True)))
            if not any(values) or weights == DEFAULT_WEIGHTS:
                continue
            score = mean_ndcg(weights)
            tried += 1
            if score > best[0]:
                best = (score, weights)
    return Choice(best[1], best[0], default, len(prepared), tried)


def ndcg_at(chosen: Sequence[str], wanted: Collection[str], k: int = K) -> float:
    """NDCG@k of the ``chosen`` items against the ``wanted`` ones (binary relevance)."""
    if not wanted:
        return 0.0
    dcg = sum(1 / math.log2(n + 2) for n, item in enumerate(chosen[:k]) if item in wanted)
    ideal = sum(1 / math.log2(n + 2) for n in range(min(len(wanted), k)))
    return dcg / ideal


@dataclass(frozen=True)
class Prepared:
    """One user's candidates as arrays, so that a blend ranks them without rereading the
    features: ``recommend.blend``'s arithmetic term by term (the same floating-point sums), its
    order (score, then item id) and ``recommend.spread`` over the best."""

    items: list[str]  # sorted, so that an index tie-break is the item id's
    terms: np.ndarray  # (items, sources): the raw features, 0 where blend skips them
    categories: dict[str, list[str]]

    @classmethod
    def of(cls, gathered: Gathered) -> Prepared:
        items = sorted(gathered.candidates)
        rows = [[gathered.candidates[i].features.get(s, 0.0) for s in SOURCES] for i in items]
        raw = np.array(rows, dtype=np.float64).reshape(len(items), len(SOURCES))
        best = raw.max(axis=0, initial=0.0)
        counted = (raw > 0) & (best > 0)
        categories = {item: d.categories for item, d in gathered.details.items()}
        return cls(items, np.where(counted, raw, 0.0), categories) if items else cls([], raw, {})

    def ranked(self, weights: BlendWeights, k: int = K) -> list[str]:
        if not self.items:
            return []
        best = self.terms.max(axis=0, initial=0.0)
        score = np.zeros(len(self.items))
        for n, source in enumerate(SOURCES):
            if best[n] > 0:
                score = score + getattr(weights, source) * self.terms[:, n] / best[n]
        order = np.lexsort((np.arange(len(self.items)), -score))[: 4 * k]
        pool = [Candidate(self.items[n], score=float(score[n])) for n in order]
        return [c.item for c in recommend.spread(pool, k, self.categories)]
