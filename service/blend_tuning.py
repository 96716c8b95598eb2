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

A user known only by texts has no interactions, so only the profile and popularity can score
their candidates: ``choose_text_only`` gathers held-out users who wrote before their cut (a
sample of its own, among the users who wrote) as if they had only written
(``recommend.gather(texts_only=True)``) and searches the blends of ``TEXT_ONLY_GRID``
(``recommend.TEXT_ONLY_WEIGHTS`` first) on their held-out positives, with the same
``MIN_USERS``. ``bench/text_users.py`` runs that search on its text-only users' earlier
tags and ratings.
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
from embeddings.holdout import HeldOut, choose_holdout
from embeddings.item_model import HistorySettings
from graph.evolution import profiles
from graph.store import Graph
from service import recommend
from service.recommend import DEFAULT_WEIGHTS, SOURCES, TEXT_ONLY_WEIGHTS, BlendWeights, Gathered

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
# a text-only user's blends: (profile, popularity); a profile candidate's other scores are 0
TEXT_ONLY_GRID: tuple[tuple[float, float], ...] = (
    *((0.5, popularity) for popularity in (0.0, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0)),
    (0.0, 1.0),  # the profile's candidates by popularity alone
)
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
    scores: tuple[float, ...] = ()  # the mean NDCG@10 of each blend tried, in order


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
    text_only = choose_text_only(graph, serving, choose_holdout(graph, writers=True))
    logger.info("history %s and blend %s chosen on %d held-out users (NDCG@10 %.4f, the "
                "defaults' %.4f); text-only blend %s on %d (%.4f, the defaults' %.4f)",
                history.settings, choice.weights, choice.users, choice.ndcg, choice.default_ndcg,
                text_only.weights, text_only.users, text_only.ndcg,
                text_only.default_ndcg)  # fmt: skip
    return {**choice_json(choice), "history": asdict(history.settings),
            "history_ndcg": history.ndcg, "history_default_ndcg": history.default_ndcg,
            "text_only": choice_json(text_only)}  # fmt: skip


def choose_text_only(graph: Graph, serving: runs.Serving, holdout: Mapping[str, HeldOut]) -> Choice:
    """The text-only blend chosen on the held-out users who wrote before their cut, each ranked
    as if known only by those texts (``recommend.gather(texts_only=True)``). ``holdout``: drawn
    among the users who wrote (``choose_holdout(writers=True)``), so that a graph where few
    people write still has enough; their held-out interactions trained the run, which a
    text-only ranking does not read (the profile's member lists count every interaction)."""
    gathered = {}
    for user, held in holdout.items():
        found = recommend.gather(graph, user, as_of=held.as_of, serving=serving, texts_only=True)
        if found.targets:
            gathered[user] = found
    wanted = {user: holdout[user].positives for user in gathered}
    return search(gathered, wanted, blends=text_only_blends())


def text_only_blends() -> list[BlendWeights]:
    """``TEXT_ONLY_WEIGHTS``, then the other blends of ``TEXT_ONLY_GRID``."""
    grid = [BlendWeights(profile=p, items=0.0, popularity=q) for p, q in TEXT_ONLY_GRID]
    return [TEXT_ONLY_WEIGHTS, *(w for w in grid if w != TEXT_ONLY_WEIGHTS)]


def choice_json(choice: Choice) -> dict[str, Any]:
    """A choice as a run stores it."""
    return {"weights": asdict(choice.weights), "ndcg": choice.ndcg,
            "default_ndcg": choice.default_ndcg, "users": choice.users,
            "tried": choice.tried}  # fmt: skip


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
    blends: Sequence[BlendWeights] | None = None,
    min_users: int = MIN_USERS,
) -> Choice:
    """The best of ``blends`` (by default ``DEFAULT_WEIGHTS``, then every other blend of
    ``GRID``) by mean NDCG@10 over the users of ``wanted`` (each user's candidates in
    ``gathered``); the first, the defaults, unless one scores higher, and alone with fewer than
    ``min_users`` users. Every blend is ranked at once per user (``Prepared.ranked_all``), and
    scored as ``ndcg_at`` scores."""
    prepared = [Prepared.of(gathered[user]) for user in wanted]
    targets = [wanted[user] for user in wanted]
    blends = list(blends) if blends is not None else warm_blends()
    if len(prepared) < min_users:
        blends = blends[:1]
    matrix = np.array([[getattr(w, source) for source in SOURCES] for w in blends])
    found = np.zeros((len(prepared), len(blends)))  # NDCG@10: a row per user, a column per blend
    for row, (p, t) in zip(found, zip(prepared, targets, strict=True), strict=True):
        row[:] = p.ndcg_all(matrix, t)
    means = [float(np.mean(found[:, n])) if len(prepared) else 0.0 for n in range(len(blends))]
    best = 0  # the first of the best, the defaults first
    for n, score in enumerate(means):
        if score > means[best]:
            best = n
    return Choice(blends[best], means[best], means[0], len(prepared), len(blends), tuple(means))


def warm_blends() -> list[BlendWeights]:
    """``DEFAULT_WEIGHTS``, then every other blend of ``GRID`` (one weight above 0 at least)."""
    blends = [DEFAULT_WEIGHTS]
    for values in itertools.product(*GRID.values()):
        weights = BlendWeights(**dict(zip(GRID, values, strict=True)))
        if any(values) and weights != DEFAULT_WEIGHTS:
            blends.append(weights)
    return blends


def ndcg_at(chosen: Sequence[str], wanted: Collection[str], k: int = K) -> float:
    """NDCG@k of the ``chosen`` items against the ``wanted`` ones (binary relevance)."""
    if not wanted:
        return 0.0
    dcg = sum(1 / math.log2(n + 2) for n, item in enumerate(chosen[:k]) if item in wanted)
    ideal = sum(1 / math.log2(n + 2) for n in range(min(len(wanted), k)))
    return dcg / ideal


@dataclass(frozen=True)
class Prepared:
    """One user's candidates as arrays, so that blends rank them without rereading the features:
    ``recommend.blend``'s arithmetic term by term (the same floating-point sums), its order
    (score, then popularity, then item id) and ``recommend.spread`` over the best, for many
    blends at once."""

    items: list[str]  # in ``recommend.tie_order``: an index tie-break is ``recommend.blend``'s
    terms: np.ndarray  # (items, sources): the raw features, 0 where blend skips them
    first_categories: np.ndarray  # (items,): the index of each item's first category

    @classmethod
    def of(cls, gathered: Gathered) -> Prepared:
        ordered = sorted(gathered.candidates.values(), key=recommend.tie_order)
        items = [c.item for c in ordered]
        rows = [[c.features.get(s, 0.0) for s in SOURCES] for c in ordered]
        raw = np.array(rows, dtype=np.float64).reshape(len(items), len(SOURCES))
        best = raw.max(axis=0, initial=0.0)
        counted = (raw > 0) & (best > 0)
        names: dict[str, int] = {}
        firsts = []
        for item in items:
            details = gathered.details.get(item)
            first = (details.categories if details is not None else None) or [""]
            firsts.append(names.setdefault(first[0], len(names)))
        return cls(items, np.where(counted, raw, 0.0), np.array(firsts, dtype=np.int64))

    def ranked(self, weights: BlendWeights, k: int = K) -> list[str]:
        """The ``k`` items the service shows with ``weights``, in order."""
        matrix = np.array([[getattr(weights, source) for source in SOURCES]])
        return [self.items[n] for n in self.ranked_all(matrix, k)[0]]

    def ranked_all(self, blends: np.ndarray, k: int = K) -> np.ndarray:
        """The indices of the items shown under each blend (a row of weights per blend, in
        ``SOURCES`` order): (blends, at most ``k``)."""
        count = len(self.items)
        if not count:
            return np.zeros((len(blends), 0), dtype=np.int64)
        best = self.terms.max(axis=0, initial=0.0)
        score = np.zeros((count, len(blends)))
        for n in range(len(SOURCES)):
            if best[n] > 0:
                score = score + blends[:, n][None, :] * self.terms[:, n][:, None] / best[n]
        # recommend.blend's order (score, then popularity, then id), the best 4 k as spread's pool
        order = np.argsort(-score, axis=0, kind="stable")[: 4 * k].T  # (blends, pool)
        rows = np.arange(len(blends))[:, None]
        pool_score = score.T[rows, order]
        pool_category = self.first_categories[order]
        # recommend.spread: k greedy picks of the best score × SPREAD ** (earlier picks of its
        # first category), of equals the one ranked first
        powers = np.array([recommend.SPREAD**used for used in range(k + 1)])
        used = np.zeros((len(blends), int(self.first_categories.max()) + 1), dtype=np.int64)
        taken = np.zeros(order.shape, dtype=bool)
        picked = np.zeros((len(blends), min(k, order.shape[1])), dtype=np.int64)
        at = np.arange(len(blends))
        for step in range(picked.shape[1]):
            adjusted = pool_score * powers[used[rows, pool_category]]
            adjusted[taken] = -np.inf
            pick = adjusted.argmax(axis=1)
            picked[:, step] = order[at, pick]
            taken[at, pick] = True
            used[at, pool_category[at, pick]] += 1
        return picked

    def ndcg_all(self, blends: np.ndarray, wanted: Collection[str], k: int = K) -> np.ndarray:
        """``ndcg_at`` of each blend's ranking (``ranked_all``) against ``wanted``."""
        if not wanted:
            return np.zeros(len(blends))
        picked = self.ranked_all(blends, k)
        relevant = np.array([item in wanted for item in self.items])
        dcg = np.zeros(len(blends))
        for step in range(picked.shape[1]):  # position by position, as ndcg_at sums
            dcg = dcg + np.where(relevant[picked[:, step]], 1 / math.log2(step + 2), 0.0)
        ideal = sum(1 / math.log2(n + 2) for n in range(min(len(wanted), k)))
        return dcg / ideal
