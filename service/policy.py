"""Which list to show: a policy that recommends from what it believes and explores to learn.

Every answer "now" goes through a policy, which picks ``k`` items from a candidate pool and logs
what it showed (``graph.ingest.feedback.write_shown``) with each item's position and propensity,
so that feedback can be tied to it and other policies evaluated off-line from the logs.

The pool: the current ranking's answer (``service.recommend`` / ``service.precomputed``), the
best ``POOL_KEPT`` of the user's kept ranking, and the best liked unseen items of every category
(deeper in the categories the user's feedback favours or knows least of).

Policies (``POLICIES``):
- ``current``: the ranking with no online learning, as before (propensity 1);
- ``random``: ``k`` candidates uniformly at random (propensity k/n);
- ``epsilon``: the current ranking, each slot explored with probability ``EPSILON``;
- ``bandit`` (the default): each candidate's expected reward from the contextual bandit
  (``embeddings.bandit``) over what the user's feedback says of its categories
  (``graph.evolution.feedback_state``), the ranking's blend and popularity, plus an optimism bonus
  for categories little known (``OPTIMISM``); the best fill the list, and each slot is explored
  with the user's exploration rate (high for a new user and right after a shift).
Exploring slots take candidates outside the greedy list, uniformly; so every item's propensity (the
probability it is in the list) is exact: the greedy item at rank r is shown unless more than
k - r slots explore (a binomial tail), each of the M others with probability E[min(m, M)] / M for
m ~ Binomial(k, rate) exploring slots (``explore``).
"""

from __future__ import annotations

import itertools
import logging
import math
import random
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import NamedTuple

import cachetools
import numpy as np
from apscheduler.schedulers.background import BackgroundScheduler

from embeddings.bandit import Learner
from graph.evolution import feedback_state
from graph.evolution.feedback_state import FeedbackState
from graph.ingest.feedback import Shown, ShownItem
from graph.store import Graph
from service import precomputed, recommend
from service.policy_features import ACTION_FEATURES, feature_table, shared_features
from service.recommend import Explored, FedBack, ItemDetails, Recommendations, Recommended
from service.shown_log import ShownLog, issued_at, new_recommendation_id

logger = logging.getLogger(__name__)

POLICIES = ("bandit", "current", "random", "epsilon")
DEFAULT_POLICY = "bandit"
POOL_KEPT = 40  # best candidates of the kept ranking in the pool
PER_CATEGORY = 2  # best liked unseen items of every category in the pool
FAVOURED = 4  # categories with the best optimistic reward get ...
PER_FAVOURED = 100  # ... this many
CATEGORY_TTL_S = 600.0
EPSILON = 0.1  # the ``epsilon`` policy's exploration rate
OPTIMISM = 0.05  # bonus per unit of category uncertainty (1/sqrt(1 + shown))
LEARN_EVERY_S = 2.0  # a worker learns from new outcomes this often (app setting POLICY_LEARN_S)


class Candidate(NamedTuple):
    """One item the policy may show. A tuple: an answer makes hundreds of them."""

    item_id: str
    details: ItemDetails
    blend: float  # the kept ranking's blended score scaled to its best (0: not from it)
    answer: Recommended | None  # the current answer's item, when it is one


@dataclass(frozen=True)
class Pick:
    candidate: Candidate
    propensity: float
    explored: bool


@dataclass(frozen=True)
class Choice:
    """A policy's list, with what it knew (for the log)."""

    picks: list[Pick]
    features: dict[str, str]  # per shown item, as VW text
    predicted: dict[str, float]  # per candidate
    shared: str
    explore_rate: float
    candidates: int


class Policies:
    """Per worker: the bandit learner (started lazily), the categories' popular items and the log
    of what was shown (written behind the answers unless ``log_behind`` is False)."""

    def __init__(
        self,
        graph: Graph,
        *,
        learn_every_s: float = LEARN_EVERY_S,
        log_behind: bool = True,
        seed: int | None = None,
    ) -> None:
        self.graph = graph
        # exploration's draws: repeatable from a seed (tests), else fresh for every answer
        self.rng = random.Random(seed) if seed is not None else None
        self.learn_every_s = learn_every_s
        self.log = ShownLog(graph, background=log_behind)
        self._learner: Learner | None = None
        self._lock = threading.Lock()
        self._scheduler: BackgroundScheduler | None = None
        self._categories: cachetools.TTLCache[str, CategoryTops]
        self._categories = cachetools.TTLCache(maxsize=1, ttl=CATEGORY_TTL_S)

    def learner(self) -> Learner:
        """The worker's learner. It learns from new outcomes every ``learn_every_s`` in a
        background job of this process (started with the first request, so after gunicorn forks
        its workers); with 0 it learns before every answer instead (tests)."""
        with self._lock:
            if self._learner is None:
                self._learner = Learner(self.graph)
                if self.learn_every_s > 0:
                    self._scheduler = BackgroundScheduler(daemon=True)
                    self._scheduler.add_job(self._catch_up, "interval", seconds=self.learn_every_s,
                                            max_instances=1, coalesce=True)  # fmt: skip
                    self._scheduler.start()
            learner = self._learner
        if self.learn_every_s <= 0:
            learner.catch_up()
        return learner

    def _catch_up(self) -> None:
        if self._learner is not None:
            try:
                self._learner.catch_up()
            except Exception as error:  # an outage: the next run tries again
                logger.warning("the policy could not read new outcomes: %s", type(error).__name__)

    def category_tops(self) -> CategoryTops:
        """Every category's best liked items, and each of those items' details (cached)."""
        found = self._categories.get("tops")
        if found is None:
            tops = recommend.fetch_category_tops(self.graph, precomputed.CATEGORY_DEPTH)
            described = {item: d for items in tops.values() for item, d in items}
            found = CategoryTops(tops, described)
            self._categories["tops"] = found
        return found


@dataclass(frozen=True)
class CategoryTops:
    by_category: dict[str, list[tuple[str, ItemDetails]]]
    details: dict[str, ItemDetails]  # of every item in ``by_category``


def recommend_now(
    graph: Graph,
    policies: Policies,
    user_id: str,
    *,
    caller: str,
    k: int,
    policy: str = DEFAULT_POLICY,
    explain: bool = False,
    rng: random.Random | None = None,
    timings: dict[str, float] | None = None,
) -> Recommendations:
    """The answer for now under ``policy``, logged; see the module's description. ``timings``,
    when given, receives the seconds spent reading, choosing (the policy's own work, without
    reads and writes) and logging."""
    clock = timings if timings is not None else {}
    started = time.perf_counter()
    kept = precomputed.read(graph, user_id)
    state = FeedbackState.from_json(kept.policy_state)
    ranking = kept.ranking
    if ranking is not None and not explain and ranking.answers(k):
        answer = precomputed.kept_answer(caller, ranking.computed_at, ranking.run, ranking.ranked,
                                         ranking.details, k)  # fmt: skip
    else:
        answer = recommend.recommend(graph, user_id, k=k, as_of=_now(graph), explain=explain,
                                     caller=caller)  # fmt: skip
    learner = policies.learner() if policy == "bandit" else None
    chosen_at = time.perf_counter()
    clock["read"] = chosen_at - started
    pool = candidate_pool(graph, policies, user_id, answer, ranking, state)
    draws = rng or policies.rng or random.Random()
    choice = choose(policy, pool, answer, state, k, learner=learner, rng=draws,
                    profile=ranking.profile if ranking is not None else None)  # fmt: skip
    version = learner.version if learner is not None else "1"
    recommendation_id = new_recommendation_id()
    log = shown_log(recommendation_id, user_id, kept.known, policy, version, k, choice, answer)
    items = [shown_item(p, position, state) for position, p in enumerate(choice.picks, start=1)]
    logged_at = time.perf_counter()
    clock["choose"] = logged_at - chosen_at
    policies.log.put(log)
    clock["log"] = time.perf_counter() - logged_at
    return replace(answer, items=items, recommendation_id=recommendation_id, policy=policy,
                   policy_version=version)  # fmt: skip


def _now(graph: Graph) -> datetime:
    now: datetime = graph.read("admin/now")[0]["now"].to_native()
    return now


def candidate_pool(
    graph: Graph,
    policies: Policies,
    user_id: str,
    answer: Recommendations,
    ranking: precomputed.KeptRanking | None,
    state: FeedbackState,
) -> list[Candidate]:
    """The answer's items, the best of the kept ranking, and best liked unseen items per category
    (kept with the ranking, else looked up), without what the user clicked."""
    pool: dict[str, Candidate] = {}
    # scored by the ranking too when none was kept (a new user); a cold start's popular items are
    # not a ranking's (their score counts recent likes)
    best_answer = 0.0 if answer.cold_start else max((i.score for i in answer.items), default=0.0)
    for item in answer.items:
        details = ItemDetails(item.title, item.categories)
        blend = item.score / best_answer if best_answer > 0 else 0.0
        pool[item.item_id] = Candidate(item.item_id, details, blend, item)
    if ranking is not None:
        best = max((c.score for c in ranking.ranked[:POOL_KEPT]), default=0.0) or 1.0
        for c in ranking.ranked[:POOL_KEPT]:
            details = ranking.details.get(c.item) or ItemDetails(None, [])
            found = pool.get(c.item)
            pool[c.item] = Candidate(c.item, details, c.score / best,
                                     found.answer if found else None)  # fmt: skip
    tops = policies.category_tops()
    described = tops.details
    if ranking is not None:
        unseen = ranking.pool  # computed ahead without the items the user had seen
    else:
        unseen = {category: [item for item, _ in items]
                  for category, items in tops.by_category.items()}  # fmt: skip
    clicked = set(state.clicked)
    extra: dict[str, ItemDetails] = {}
    taken = clicked | pool.keys()
    for category, quota in category_quota(state, list(unseen), pool.values()).items():
        fresh = (i for i in unseen[category] if i not in taken and i in described)
        for item_id in list(itertools.islice(fresh, quota)):
            extra[item_id] = described[item_id]
            taken.add(item_id)
    if extra and ranking is None:
        seen = graph.read("feedback/seen_among", user_id=user_id, item_ids=list(extra))
        for item_id in seen[0]["seen"]:
            del extra[item_id]
    for item_id, details in extra.items():
        pool[item_id] = Candidate(item_id, details, 0.0, None)
    return [c for c in pool.values() if c.item_id not in clicked]


def category_quota(
    state: FeedbackState, categories: Sequence[str], ranked: Iterable[Candidate]
) -> dict[str, int]:
    """How many best liked items of each category join the pool: ``PER_FAVOURED`` for the
    ``FAVOURED`` categories with the best optimistic reward (of equals, those the ranking holds
    most of: the user's history is the prior), ``PER_CATEGORY`` for the others."""
    held = Counter(category for c in ranked for category in c.details.categories)
    sets = feedback_state.CategorySets.of((c,) for c in categories)
    believed = feedback_state.set_beliefs(state, sets)  # one category each
    optimistic = dict(zip(categories, (believed[:, 0] + OPTIMISM * believed[:, 2]).tolist(),
                          strict=True))  # fmt: skip
    order = sorted(categories, key=lambda c: (-round(optimistic[c], 6), -held[c], c))
    favoured = set(order[:FAVOURED])
    return {c: PER_FAVOURED if c in favoured else PER_CATEGORY for c in categories}


def choose(
    policy: str,
    pool: Sequence[Candidate],
    answer: Recommendations,
    state: FeedbackState,
    k: int,
    *,
    learner: Learner | None,
    rng: random.Random,
    profile: Mapping[str, float] | None = None,
) -> Choice:
    """The list ``policy`` shows from ``pool``, with each item's propensity. Pure but for the
    bandit's prediction and ``rng``."""
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}; one of {', '.join(POLICIES)}")
    table = feature_table(state, pool, profile or {})
    shared = shared_features(state)
    if learner is not None:
        expected = learner.bandit.predict_rows(shared, ACTION_FEATURES, table.rows)
    else:
        expected = table.affinity
    predicted = dict(zip((c.item_id for c in pool), expected.tolist(), strict=True))
    current = [c for c in pool if c.answer is not None]
    if policy == "current":
        picks, rate = [Pick(c, 1.0, False) for c in current[:k]], 0.0
    elif policy == "random":
        n = len(pool)
        picks = [Pick(c, min(1.0, k / n), False) for c in rng.sample(list(pool), min(k, n))]
        rate = 1.0
    else:
        if policy == "epsilon":
            rest = sorted((c for c in pool if c.answer is None), key=lambda c: -c.blend)
            greedy, rate = [*current, *rest], EPSILON
        else:
            blend = np.array([c.blend for c in pool], dtype=float)
            best = top_k(expected + OPTIMISM * table.uncertainty + 1e-3 * blend, pool, current, k)
            chosen = set(best)
            greedy = [pool[i] for i in best] + [c for i, c in enumerate(pool) if i not in chosen]
            rate = feedback_state.exploration_rate(state)
        picks = explore(greedy, k, rate, rng)
    at = {c.item_id: i for i, c in enumerate(pool)}
    shown = {p.candidate.item_id: table.text(at[p.candidate.item_id]) for p in picks}
    return Choice(picks, shown, predicted, shared, rate, len(pool))


def top_k(
    scores: np.ndarray, pool: Sequence[Candidate], current: Sequence[Candidate], k: int
) -> list[int]:
    """The indices of the ``k`` best scored candidates of ``pool``, best first; of equals (an
    untrained bandit's), the current answer's order, then by item id. Only the candidates scored
    at least the k-th best score are ordered (the others are drawn from uniformly)."""
    n = len(pool)
    if n == 0 or k <= 0:
        return []
    kth = -np.partition(-scores, min(k, n) - 1)[min(k, n) - 1]
    contenders = np.flatnonzero(scores >= kth).tolist()
    values = scores.tolist()
    order = {c.item_id: rank for rank, c in enumerate(current)}
    return sorted(contenders, key=lambda i: (
        -values[i], order.get(pool[i].item_id, len(order)), pool[i].item_id))[:k]  # fmt: skip


def explore(greedy: Sequence[Candidate], k: int, rate: float, rng: random.Random) -> list[Pick]:
    """Each of the ``k`` slots explores with probability ``rate``: explored slots take uniformly
    drawn candidates from outside the greedy top ``k`` (as many as there are), the others the
    greedy items in order. Propensities are exact: with ``m`` exploring slots and ``M`` others,
    ``min(m, M)`` are explored, so the greedy item at rank r is shown when that is at most k - r,
    and each other candidate with probability E[min(m, M)] / M."""
    k = min(k, len(greedy))
    top, others = list(greedy[:k]), list(greedy[k:])
    n_others = len(others)
    exploring = [rng.random() < rate for _ in range(k)]
    drawn = rng.sample(others, min(sum(exploring), n_others))
    explored_share = expected_explored(k, rate, n_others) / n_others if n_others else 0.0
    picks: list[Pick] = []
    greedy_at = 0
    for slot_explores in exploring:
        if slot_explores and drawn:
            picks.append(Pick(drawn.pop(), explored_share, True))
        else:
            room = k - (greedy_at + 1)  # explored slots that leave this item its place
            shown = 1.0 if room >= n_others else at_most(room, k, rate)
            picks.append(Pick(top[greedy_at], shown, False))
            greedy_at += 1
    return picks


def expected_explored(k: int, rate: float, others: int) -> float:
    """E[min(m, others)] for m ~ Binomial(k, rate): how many slots are explored on average."""
    return sum(min(j, others) * math.comb(k, j) * rate**j * (1 - rate) ** (k - j)
               for j in range(k + 1))  # fmt: skip


def at_most(m: int, n: int, p: float) -> float:
    """P(X <= m) for X ~ Binomial(n, p): the chance that at most ``m`` of ``n`` slots explore."""
    return min(1.0, sum(math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(m + 1)))


def shown_log(
    recommendation_id: str,
    user_id: str,
    known: bool,
    policy: str,
    version: str,
    k: int,
    choice: Choice,
    answer: Recommendations,
) -> Shown:
    """The log entry of an answer: per item what the policy knew; per answer the predicted value
    of the current ranking's list and of a random one (the direct method of off-policy
    evaluation)."""
    current = {item.item_id for item in answer.items}
    predicted = choice.predicted
    dm_current = sum(predicted.get(item, 0.0) for item in current)
    dm_random = min(k, len(predicted)) * sum(predicted.values()) / max(len(predicted), 1)
    items = [
        ShownItem(p.candidate.item_id, position, p.propensity, p.explored,
                  choice.features[p.candidate.item_id], predicted[p.candidate.item_id],
                  p.candidate.item_id in current, list(p.candidate.details.categories))
        for position, p in enumerate(choice.picks, start=1)
    ]  # fmt: skip
    return Shown(recommendation_id, user_id, issued_at(recommendation_id) or datetime.now(UTC),
                 known, policy, version, k, choice.candidates,
                 choice.explore_rate, choice.shared, dm_current, dm_random, items)  # fmt: skip


def shown_item(pick: Pick, position: int, state: FeedbackState) -> Recommended:
    """The answer's item for a pick: the ranking's item (with its paths) or one from the pool, its
    position and propensity, and why it is shown when the policy brought it."""
    c = pick.candidate
    base = c.answer or Recommended(c.item_id, c.details.title, c.details.categories, c.blend, {})
    reason = base.reason
    if pick.explored:
        category = _least_known(state, c.details.categories)
        shown = state.categories.get(category or "", [0.0])[0]
        reason = Explored(category, shown)
    elif c.answer is None:
        category = _best_liked(state, c.details.categories)
        if category is not None:
            stats = state.categories[category]
            reason = FedBack(category, stats[1] / stats[0] if stats[0] else 0.0)
    return replace(base, reason=reason, position=position, propensity=pick.propensity,
                   explored=pick.explored)  # fmt: skip


def _least_known(state: FeedbackState, categories: Sequence[str]) -> str | None:
    return min(categories, key=lambda c: state.categories.get(c, [0.0])[0], default=None)


def _best_liked(state: FeedbackState, categories: Sequence[str]) -> str | None:
    known = [c for c in categories if state.categories.get(c, [0.0])[0] > 0]
    if not known:
        return None
    return max(known, key=lambda c: state.categories[c][1] / state.categories[c][0])
