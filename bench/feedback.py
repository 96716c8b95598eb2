"""Simulated people whose interests drift, served by each recommendation policy (issue 15).

    python -m bench.feedback [ML_DIR] [--smoke] [--seed 1] [--users 200] [--steps 60] [--k 10]
        [--policies current,random,epsilon,bandit] [--clients 16] [--refresh-every 10]
        [--out REPORT.json] [--log SHOWN.jsonl]

ML_DIR is a MovieLens folder (default ../shared/data/ml-latest-small); its genres are the
categories the simulated people care about, its ratings give each movie a quality and a
popularity. Each simulated person likes two or three genres (with a little interest in all) and
their taste drifts: half change it at once at a seeded step, half move to new genres over
``RAMP_STEPS`` steps. At every step each person asks the real service (gunicorn, over HTTP) for
``k`` recommendations under one policy, clicks with a chance that rises with the item's affinity
to their taste at that step, dwells longer on what they like (and on better movies), and every
reaction is posted back (``POST /v1/feedback``). The reward of a shown item is click × min(dwell,
300 s) / 300. The people, their drift and every random draw are the same under every policy
(common random numbers: a person reacts to an item at a step the same way whoever showed it), so
the policies differ only in what they show. An oracle that knows the latent taste shows, each
step, the ``k`` items not yet clicked with the highest expected reward.

In the same run, on the benchmarks' own Neo4j: ``current`` (today's ranking, no online learning),
``random``, ``epsilon`` (ε-greedy over current), ``bandit`` (ours), and the oracle. Each policy
serves its own copies of the people (ids ``sim<seed>-<policy>-<n>``), so they share no state.
Before the first step every copy gets the same eight 4–5 star ratings of popular movies of its
first liked genres (``POST /v1/events``); the embeddings and item model are then trained with
those users in the graph, and their rankings are computed ahead, again every ``--refresh-every``
steps (as ``interests precompute`` would run on a schedule).

Reports, per policy: the cumulative reward per person, the reward per step, the ratio to
``current`` and to the oracle with bootstrap intervals over people; the reward in steps 1..5
(what exploring costs at first); the reward per step around an abrupt shift (people aligned at
their shift) for ours, current and the oracle, and how many steps each takes to come back to 80%
of its pre-shift reward; and the throughput of ``POST /v1/feedback`` (batches of 1,000 from 8
clients) beside ``POST /v1/events`` in the same run. Goals (issue 15): ours ≥ 1.3 × current and
≥ 0.75 × the oracle in cumulative reward, back to 80% within 10 steps of a shift, feedback at
≥ 5,000 records/s. The user and choice models are argued for in the bench's notes.
"""

from __future__ import annotations

import argparse
import csv
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import quote

import numpy as np
from scipy.special import ndtr, ndtri

from bench.common import (
    BENCH_PSEUDONYMS,
    SHARED_DATA,
    SMOKE_SCORED,
    api_server,
    bench_server,
    delete_all_users,
    http,
    read_movies,
)
from bench.load import server_timing, timing_table
from embeddings import retraining
from embeddings.policy_evaluation import Interval, OffPolicyEstimates
from embeddings.training import TrainingConfig
from graph.ingest import importers
from graph.store import Graph
from service import precomputed
from service.cli_support import THREADS, WORKERS
from service.evaluate_policy import TARGETS, evaluate_logged

POLICIES = ("current", "random", "epsilon", "bandit")
OURS, BASELINE, ORACLE = "bandit", "current", "oracle"
SEED_EVENTS = 8  # ratings each simulated person has before the first step
SEED_POOL = 40  # ... drawn from this many most popular movies of their first liked genres
SEED_AFFINITY = 0.5  # ... that match their first taste at least this well
RAMP_STEPS = 20  # a gradual drift takes this many steps (fewer when the run is short)
FIRST_STEPS = 5  # exploration's cost: the reward in steps 1..5
RECOVERY_BEFORE, RECOVERY_AFTER = 5, 15  # the curve around an abrupt shift, in steps
RECOVERY_SHARE = 0.8  # "recovered": back to this share of the pre-shift reward ...
RECOVERY_WINDOW = 3  # ... as a moving average over this many steps
RESAMPLES = 1000  # bootstrap draws over people
GOAL_VS_CURRENT, GOAL_VS_ORACLE, GOAL_RECOVERY_STEPS = 1.3, 0.75, 10
THROUGHPUT_BATCH, THROUGHPUT_CLIENTS = 1_000, 8
GOAL_FEEDBACK_PER_S = 5_000
GOAL_OPE_ERROR = 0.10  # off-policy estimates within 10% of the on-policy value
EVENT_BATCH = 1_000

Drift = Literal["abrupt", "gradual"]


# --- the world: catalogue, people, reactions (pure) -------------------------------------------


@dataclass(frozen=True)
class UserModel:
    """The parameters of the simulated people (argued for in the bench's notes)."""

    liked_genres: tuple[int, int] = (2, 3)  # how many genres a taste holds, inclusive
    concentration: float = 1.0  # Dirichlet over the liked genres' weights
    background: float = 0.1  # share of a taste spread evenly over every genre
    click_floor: float = 0.02  # click chance of an item of no affinity
    click_slope: float = 0.6  # ... rising linearly to 0.62 at affinity 1
    dwell_min_s: float = 15.0  # mean dwell at affinity 0 and quality 0
    dwell_max_s: float = 180.0  # mean dwell at affinity 1 and quality 1
    quality_share: float = 0.3  # of the dwell's rise that the movie's quality drives
    dwell_sigma: float = 0.75  # log-normal spread of the dwell
    dwell_cap_s: float = 300.0  # the reward's cap


@dataclass(frozen=True, eq=False)
class Catalogue:
    """The movies as the simulator sees them, by index (ids sorted as numbers)."""

    item_ids: tuple[str, ...]
    genres: tuple[str, ...]
    membership: np.ndarray  # items × genres; a row is 1/|genres| on the item's genres, else 0
    quality: np.ndarray  # in [0, 1]: the rank of the item's shrunk mean rating
    popularity: np.ndarray  # number of ratings
    index: Mapping[str, int]

    def __len__(self) -> int:
        return len(self.item_ids)


def build_catalogue(
    genres_by_item: Mapping[str, Sequence[str]],
    ratings: Iterable[tuple[str, float]],
    *,
    prior_ratings: float = 10.0,
) -> Catalogue:
    """The catalogue from each item's genres and every (item, rating): quality is the percentile
    rank of the mean rating shrunk towards the global mean by ``prior_ratings`` ratings (a movie
    with three 5-star ratings is not the best of the catalogue)."""
    item_ids = tuple(sorted(genres_by_item, key=lambda i: (len(i), i)))
    index = {item: n for n, item in enumerate(item_ids)}
    genres = tuple(sorted({g for gs in genres_by_item.values() for g in gs}))
    column = {g: n for n, g in enumerate(genres)}
    membership = np.zeros((len(item_ids), len(genres)))
    for item, gs in genres_by_item.items():
        for g in set(gs):
            membership[index[item], column[g]] = 1.0 / len(set(gs))
    total, count = np.zeros(len(item_ids)), np.zeros(len(item_ids))
    for item, value in ratings:
        n = index.get(item)
        if n is not None:
            total[n] += value
            count[n] += 1
    overall = total.sum() / count.sum() if count.sum() else 0.0
    shrunk = (total + prior_ratings * overall) / (count + prior_ratings)
    order = np.argsort(shrunk, kind="stable")
    quality = np.empty(len(item_ids))
    quality[order] = np.arange(len(item_ids)) / max(1, len(item_ids) - 1)
    return Catalogue(item_ids, genres, membership, quality, count, index)


@dataclass(frozen=True, eq=False)
class SimUser:
    """A simulated person: their taste (weights over the catalogue's genres) before and after
    their drift, which starts at ``shift_step`` and takes ``ramp_steps`` (1: abrupt)."""

    index: int
    before: np.ndarray
    after: np.ndarray
    drift: Drift
    shift_step: int
    ramp_steps: int

    def weights(self, step: int) -> np.ndarray:
        """The taste at ``step`` (0-based): ``before`` until the shift, then a linear blend that
        reaches ``after`` on the ramp's last step."""
        share = min(1.0, max(0.0, (step - self.shift_step + 1) / self.ramp_steps))
        mixed: np.ndarray = (1 - share) * self.before + share * self.after
        return mixed


def taste(
    rng: np.random.Generator, prevalence: np.ndarray, model: UserModel, *, avoid: Iterable[int] = ()
) -> np.ndarray:
    """Weights over genres: two or three liked genres (drawn as often as they are common in the
    catalogue, never one of ``avoid``) with Dirichlet shares, plus an even background."""
    chance = prevalence.astype(np.float64).copy()
    chance[list(avoid)] = 0.0
    low, high = model.liked_genres
    size = min(int(rng.integers(low, high + 1)), int((chance > 0).sum()))
    liked = rng.choice(len(chance), size=size, replace=False, p=chance / chance.sum())
    weights = np.full(len(chance), model.background / len(chance))
    weights[liked] += (1 - model.background) * rng.dirichlet(np.full(size, model.concentration))
    return weights


def liked(weights: np.ndarray, model: UserModel) -> list[int]:
    """The genres a taste likes (above the background)."""
    return [int(g) for g in np.flatnonzero(weights > 1.5 * model.background / len(weights))]


def make_users(
    seed: int, count: int, steps: int, catalogue: Catalogue, model: UserModel
) -> list[SimUser]:
    """``count`` people from ``seed``: even indices shift abruptly at a step drawn in the middle
    fifth of the run (40–60%), odd ones drift over ``RAMP_STEPS`` (at most a third of the run)
    starting between 20% and 40% of it; the new taste likes none of the old liked genres."""
    rng = np.random.default_rng((seed, 1))
    prevalence = (catalogue.membership > 0).sum(axis=0)
    ramp = max(2, min(RAMP_STEPS, steps // 3))
    users = []
    for n in range(count):
        before = taste(rng, prevalence, model)
        after = taste(rng, prevalence, model, avoid=liked(before, model))
        if n % 2 == 0:
            start = int(rng.integers(int(0.4 * steps), int(0.6 * steps) + 1))
            users.append(SimUser(n, before, after, "abrupt", start, 1))
        else:
            start = int(rng.integers(int(0.2 * steps), int(0.4 * steps) + 1))
            users.append(SimUser(n, before, after, "gradual", start, ramp))
    return users


def affinity(catalogue: Catalogue, weights: np.ndarray) -> np.ndarray:
    """Each item's affinity to a taste, in [0, 1]: the mean of the taste's weights over the
    item's genres, relative to the taste's strongest genre (an item without genres: the mean
    weight). The mean, not the max: a liked genre mixed with unliked ones is a weaker match."""
    strongest = float(weights.max())
    found: np.ndarray = catalogue.membership @ weights
    found[catalogue.membership.sum(axis=1) == 0] = float(weights.mean())
    return found / strongest


def click_chance(affinity_: np.ndarray, model: UserModel) -> np.ndarray:
    chance: np.ndarray = model.click_floor + model.click_slope * affinity_
    return chance


def dwell_log_mean(affinity_: np.ndarray, quality: np.ndarray, model: UserModel) -> np.ndarray:
    """The mean of log dwell: the dwell's mean rises from ``dwell_min_s`` to ``dwell_max_s``
    with affinity and (for ``quality_share`` of the rise) quality."""
    drive = (1 - model.quality_share) * affinity_ + model.quality_share * quality
    mean = model.dwell_min_s + (model.dwell_max_s - model.dwell_min_s) * drive
    found: np.ndarray = np.log(mean) - model.dwell_sigma**2 / 2
    return found


def expected_reward(affinity_: np.ndarray, quality: np.ndarray, model: UserModel) -> np.ndarray:
    """E[click × min(dwell, cap) / cap]: the click chance times the log-normal dwell's capped
    mean, E[min(D, c)] = e^(mu + s²/2) Φ((ln c − mu − s²)/s) + c (1 − Φ((ln c − mu)/s))."""
    mu, s, cap = dwell_log_mean(affinity_, quality, model), model.dwell_sigma, model.dwell_cap_s
    below = np.exp(mu + s**2 / 2) * ndtr((np.log(cap) - mu - s**2) / s)
    capped = below + cap * (1 - ndtr((np.log(cap) - mu) / s))
    found: np.ndarray = click_chance(affinity_, model) * capped / cap
    return found


@dataclass(frozen=True)
class Reaction:
    """A person's reaction to one shown item."""

    item: int
    clicked: bool
    dwell_s: float | None
    reward: float
    expected: float  # the expected reward the item had for the person at that step


_MIX = (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB)  # splitmix64


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, element-wise on uint64 (wrapping arithmetic)."""
    x = x + np.uint64(_MIX[0])
    x = (x ^ (x >> np.uint64(30))) * np.uint64(_MIX[1])
    x = (x ^ (x >> np.uint64(27))) * np.uint64(_MIX[2])
    mixed: np.ndarray = x ^ (x >> np.uint64(31))
    return mixed


def draws(key: Sequence[int], items: np.ndarray) -> np.ndarray:
    """Uniform numbers in (0, 1), one per item, fixed by ``key`` and the item alone."""
    state = np.zeros(1, dtype=np.uint64)
    for part in key:
        state = _mix(state ^ np.array([part], dtype=np.uint64))
    bits = _mix(state ^ np.asarray(items, dtype=np.uint64))
    found: np.ndarray = ((bits >> np.uint64(11)).astype(np.float64) + 0.5) / 2.0**53
    return found


class World:
    """The catalogue and the people's reactions, seeded: the draws for a person, a step and an
    item depend on nothing else (a hash of ``(seed, person, step, item)``), so every policy meets
    the same ones (common random numbers)."""

    def __init__(self, catalogue: Catalogue, model: UserModel, seed: int) -> None:
        self.catalogue, self.model, self.seed = catalogue, model, seed

    def expected(self, user: SimUser, step: int) -> np.ndarray:
        found = affinity(self.catalogue, user.weights(step))
        return expected_reward(found, self.catalogue.quality, self.model)

    def respond(
        self, user: SimUser, step: int, items: Sequence[int], consumed: Iterable[int]
    ) -> list[Reaction]:
        """Reactions to ``items``, each on its own (no position effect, so rewards add up over a
        slate): a click with chance rising with affinity, unless the item was clicked before
        (consumed: no reward again); a click's dwell is log-normal."""
        picked = np.asarray(items, dtype=np.int64)
        weights = user.weights(step)
        taste_ = self.catalogue.membership[picked] @ weights / float(weights.max())
        no_genre = self.catalogue.membership[picked].sum(axis=1) == 0
        taste_[no_genre] = float(weights.mean() / weights.max())
        quality = self.catalogue.quality[picked]
        chance = click_chance(taste_, self.model)
        log_dwell = dwell_log_mean(taste_, quality, self.model)
        expected = expected_reward(taste_, quality, self.model)
        uniform = draws((self.seed, user.index, step, 0), picked)
        normal = ndtri(draws((self.seed, user.index, step, 1), picked))
        done = set(consumed)
        found = []
        for n, item in enumerate(items):
            if item in done or uniform[n] >= chance[n]:
                found.append(Reaction(item, False, None, 0.0, 0.0 if item in done else expected[n]))
                continue
            dwell = float(np.exp(log_dwell[n] + self.model.dwell_sigma * normal[n]))
            reward = min(dwell, self.model.dwell_cap_s) / self.model.dwell_cap_s
            found.append(Reaction(item, True, dwell, reward, float(expected[n])))
        return found

    def oracle(self, user: SimUser, step: int, consumed: Iterable[int], k: int) -> list[int]:
        """The ``k`` items not yet consumed with the highest expected reward (ties by index)."""
        scores = self.expected(user, step)
        scores[list(consumed)] = -np.inf
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k] if k else np.array([], dtype=np.int64)
        best = top[np.lexsort((top, -scores[top]))]
        return [int(i) for i in best]

    def seed_history(self, user: SimUser, count: int = SEED_EVENTS) -> list[tuple[int, float]]:
        """``count`` (item, rating) the person gave before the first step: popular movies that
        match their first taste (affinity ≥ ``SEED_AFFINITY``), 5 stars where it is ≥ 0.75."""
        rng = np.random.default_rng((self.seed, 3, user.index))
        taste_ = affinity(self.catalogue, user.before)
        matching = np.flatnonzero(taste_ >= SEED_AFFINITY)
        pool = matching[np.argsort(-self.catalogue.popularity[matching], kind="stable")]
        chosen = rng.choice(pool[:SEED_POOL], size=min(count, len(pool)), replace=False)
        return [(int(i), 5.0 if taste_[i] >= 0.75 else 4.0) for i in sorted(chosen)]


# --- the loop over steps (HTTP-free; the service is behind ``Policy``) ------------------------


@dataclass(frozen=True)
class ServedItem:
    item: int  # catalogue index
    position: int
    propensity: float | None = None
    explored: bool = False


@dataclass(frozen=True)
class Served:
    """What a policy showed a person at a step."""

    recommendation_id: str | None
    items: tuple[ServedItem, ...]
    unknown: int = 0  # items the catalogue does not hold (shown, never rewarded)


class Policy(Protocol):
    name: str

    def recommend(self, user: SimUser, step: int, consumed: frozenset[int]) -> Served: ...

    def feedback(self, user: SimUser, served: Served, reactions: Sequence[Reaction]) -> None: ...


class OraclePolicy:
    """Knows the latent taste (in the simulator; the service is not asked)."""

    name = ORACLE

    def __init__(self, world: World, k: int) -> None:
        self.world, self.k = world, k

    def recommend(self, user: SimUser, step: int, consumed: frozenset[int]) -> Served:
        best = self.world.oracle(user, step, consumed, self.k)
        return Served(None, tuple(ServedItem(i, p) for p, i in enumerate(best, start=1)))

    def feedback(self, user: SimUser, served: Served, reactions: Sequence[Reaction]) -> None:
        return None


class ServiceError(Exception):
    """The service answered with an error or a body the contract does not describe."""


@dataclass
class ArmRun:
    """One policy's run: per person and step, the reward, clicks, shown and explored items."""

    name: str
    rewards: np.ndarray
    clicks: np.ndarray
    shown: np.ndarray
    explored: np.ndarray
    errors: list[str] = field(default_factory=list)
    recommend_ms: list[float] = field(default_factory=list)
    feedback_ms: list[float] = field(default_factory=list)
    unknown_items: int = 0

    @classmethod
    def empty(cls, name: str, users: int, steps: int) -> ArmRun:
        def zeros() -> np.ndarray:
            return np.zeros((users, steps))

        return cls(name, zeros(), zeros(), zeros(), zeros())


def simulate(
    world: World,
    users: Sequence[SimUser],
    policies: Sequence[Policy],
    steps: int,
    *,
    consumed: Mapping[int, Iterable[int]],
    clients: int = 16,
    between_steps: Callable[[int], None] | None = None,
    log: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, ArmRun]:
    """Every person under every policy, step after step (all people finish a step before the
    next, so ``between_steps(step)`` can refresh the rankings as a schedule would). ``consumed``
    holds what each person had before the first step. An error shows nothing that step."""
    runs = {p.name: ArmRun.empty(p.name, len(users), steps) for p in policies}
    state = {p.name: {u.index: set(consumed.get(u.index, ())) for u in users} for p in policies}
    lock = threading.Lock()
    row = {u.index: n for n, u in enumerate(users)}

    def one(policy: Policy, user: SimUser, step: int) -> None:
        run, done = runs[policy.name], state[policy.name][user.index]
        started = time.perf_counter()
        try:
            served = policy.recommend(user, step, frozenset(done))
        except (OSError, ValueError, KeyError, ServiceError) as exc:
            with lock:
                run.errors.append(f"recommend: {exc}")
            return
        asked = time.perf_counter()
        reactions = world.respond(user, step, [s.item for s in served.items], done)
        done.update(r.item for r in reactions if r.clicked)
        n = row[user.index]
        run.rewards[n, step] = sum(r.reward for r in reactions)
        run.clicks[n, step] = sum(r.clicked for r in reactions)
        run.shown[n, step] = len(reactions)
        run.explored[n, step] = sum(s.explored for s in served.items)
        try:
            policy.feedback(user, served, reactions)
        except (OSError, ValueError, KeyError, ServiceError) as exc:
            with lock:
                run.errors.append(f"feedback: {exc}")
        answered = time.perf_counter()
        with lock:
            run.recommend_ms.append((asked - started) * 1000)
            run.feedback_ms.append((answered - asked) * 1000)
            run.unknown_items += served.unknown
        if log is not None:
            log(logged_row(world, policy.name, user, step, served, reactions))

    with ThreadPoolExecutor(clients) as pool:
        for step in range(steps):
            tasks = [pool.submit(one, p, u, step) for u in users for p in policies]
            for task in tasks:
                task.result()
            if step == 0:
                _stop_if_nothing_answered(runs, len(users))
            if between_steps is not None:
                between_steps(step)
    return runs


def _stop_if_nothing_answered(runs: Mapping[str, ArmRun], users: int) -> None:
    for run in runs.values():
        if users and len(run.errors) >= users:
            raise SystemExit(f"policy {run.name}: every request of the first step failed, e.g. "
                             f"{run.errors[0][:300]}")  # fmt: skip


def logged_row(
    world: World,
    policy: str,
    user: SimUser,
    step: int,
    served: Served,
    reactions: Sequence[Reaction],
) -> dict[str, Any]:
    """One shown list as a JSON line: for off-policy checks, each item's true expected reward
    beside what happened."""
    ids = world.catalogue.item_ids
    return {
        "policy": policy, "user": user.index, "drift": user.drift, "step": step,
        "recommendation_id": served.recommendation_id,
        "items": [{"item_id": ids[s.item], "position": s.position, "propensity": s.propensity,
                   "explored": s.explored, "clicked": r.clicked, "dwell_s": r.dwell_s,
                   "reward": r.reward, "expected_reward": r.expected}
                  for s, r in zip(served.items, reactions, strict=True)],
    }  # fmt: skip


# --- figures (pure) ---------------------------------------------------------------------------


def ratio_interval(
    numerator: np.ndarray,
    denominator: np.ndarray,
    *,
    seed: int,
    resamples: int = RESAMPLES,
    confidence: float = 0.95,
) -> Interval:
    """The ratio of two policies' total rewards over the same people, with a paired percentile
    bootstrap interval over people."""
    if len(numerator) != len(denominator) or not len(numerator):
        raise ValueError("need the same people, at least one, under both policies")
    total = float(denominator.sum())
    value = float(numerator.sum()) / total if total else float("nan")
    rng = np.random.default_rng(seed)
    drawn = rng.integers(0, len(numerator), size=(resamples, len(numerator)))
    top, bottom = numerator[drawn].sum(axis=1), denominator[drawn].sum(axis=1)
    ratios = np.divide(top, bottom, out=np.full_like(top, np.nan), where=bottom > 0)
    tail = (1 - confidence) / 2
    if np.isnan(ratios).all():
        return Interval(value, float("nan"), float("nan"))
    low, high = np.nanquantile(ratios, [tail, 1 - tail])
    return Interval(value, float(low), float(high))


def mean_interval(values: np.ndarray, *, seed: int, resamples: int = RESAMPLES) -> Interval:
    """The mean over people with a percentile bootstrap interval."""
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), size=(resamples, len(values)))].mean(axis=1)
    low, high = np.quantile(means, [0.025, 0.975])
    return Interval(float(values.mean()), float(low), float(high))


@dataclass(frozen=True)
class Curve:
    """The mean reward per step at offsets from each person's own start (shift) step."""

    offsets: tuple[int, ...]
    mean: tuple[float, ...]
    people: tuple[int, ...]  # how many people have a step at each offset


def aligned_curve(rewards: np.ndarray, starts: Sequence[int], *, before: int, after: int) -> Curve:
    """Rows of ``rewards`` (people × steps) aligned at ``starts`` (one per row): the mean at
    offsets ``-before .. after`` over the people whose run covers that offset."""
    offsets = tuple(range(-before, after + 1))
    means, people = [], []
    for offset in offsets:
        steps = np.asarray(starts) + offset
        inside = (steps >= 0) & (steps < rewards.shape[1])
        rows = np.flatnonzero(inside)
        people.append(len(rows))
        means.append(float(rewards[rows, steps[rows]].mean()) if len(rows) else float("nan"))
    return Curve(offsets, tuple(means), tuple(people))


@dataclass(frozen=True)
class Recovery:
    pre_shift: float  # mean reward per step over the offsets before the shift
    trough: float  # lowest reward per step from the shift on
    steps: int | None  # first offset ≥ 0 whose moving average reaches the share; None: never


def recovery(
    curve: Curve, *, share: float = RECOVERY_SHARE, window: int = RECOVERY_WINDOW
) -> Recovery:
    """How soon after the shift the reward is back to ``share`` of its pre-shift level: the
    first offset s ≥ 0 whose mean over offsets s .. s + window − 1 reaches it (a moving average,
    so that one lucky step does not count as recovered)."""
    values = np.asarray(curve.mean)
    offsets = np.asarray(curve.offsets)
    pre = float(np.nanmean(values[offsets < 0])) if (offsets < 0).any() else float("nan")
    after = values[offsets >= 0]
    trough = float(np.nanmin(after)) if len(after) else float("nan")
    for s in range(len(after) - window + 1):
        if float(np.mean(after[s : s + window])) >= share * pre:
            return Recovery(pre, trough, s)
    return Recovery(pre, trough, None)


@dataclass(frozen=True)
class ArmSummary:
    name: str
    cumulative: Interval  # reward summed over the steps, mean over people
    per_step: float
    vs_current: Interval | None
    vs_oracle: Interval | None
    first_steps: float  # mean reward per step in steps 1..FIRST_STEPS
    clicks_per_step: float
    explored_share: float
    errors: int
    recommend_p50_ms: float | None
    recommend_p99_ms: float | None


def summarise(runs: Mapping[str, ArmRun], *, seed: int) -> dict[str, ArmSummary]:
    found = {}
    totals = {name: run.rewards.sum(axis=1) for name, run in runs.items()}
    for name, run in runs.items():
        steps = run.rewards.shape[1]
        shown = float(run.shown.sum())
        ms = np.asarray(run.recommend_ms)
        vs_current = vs_oracle = None
        if BASELINE in runs and name != BASELINE:
            vs_current = ratio_interval(totals[name], totals[BASELINE], seed=seed)
        if ORACLE in runs and name != ORACLE:
            vs_oracle = ratio_interval(totals[name], totals[ORACLE], seed=seed)
        found[name] = ArmSummary(
            name=name,
            cumulative=mean_interval(totals[name], seed=seed),
            per_step=float(run.rewards.mean()),
            vs_current=vs_current,
            vs_oracle=vs_oracle,
            first_steps=float(run.rewards[:, : min(FIRST_STEPS, steps)].mean()),
            clicks_per_step=float(run.clicks.mean()),
            explored_share=float(run.explored.sum()) / shown if shown else 0.0,
            errors=len(run.errors),
            recommend_p50_ms=float(np.percentile(ms, 50)) if len(ms) else None,
            recommend_p99_ms=float(np.percentile(ms, 99)) if len(ms) else None,
        )
    return found


def shift_curves(
    runs: Mapping[str, ArmRun], users: Sequence[SimUser]
) -> dict[str, tuple[Curve, Recovery]]:
    """Each policy's reward around the abrupt shifts, and its recovery."""
    rows = [n for n, u in enumerate(users) if u.drift == "abrupt"]
    starts = [users[n].shift_step for n in rows]
    found = {}
    for name, run in runs.items():
        curve = aligned_curve(run.rewards[rows], starts, before=RECOVERY_BEFORE,
                              after=RECOVERY_AFTER)  # fmt: skip
        found[name] = (curve, recovery(curve))
    return found


# --- the service: requests and bodies ---------------------------------------------------------


def api_user_id(seed: int, policy: str, user: SimUser) -> str:
    return f"sim{seed}-{policy}-{user.index}"


def parse_served(body: Mapping[str, Any], index: Mapping[str, int]) -> Served:
    """A recommendations answer (the feedback contract's fields) as what was shown."""
    recommendation_id = body.get("recommendation_id")
    if not isinstance(recommendation_id, str):
        raise ServiceError("the answer has no recommendation_id (is the policy API there?)")
    items, unknown = [], 0
    for n, item in enumerate(body.get("items", []), start=1):
        found = index.get(str(item["item_id"]))
        if found is None:
            unknown += 1
            continue
        propensity = item.get("propensity")
        items.append(ServedItem(found, int(item.get("position", n)),
                                None if propensity is None else float(propensity),
                                bool(item.get("explored", False))))  # fmt: skip
    return Served(recommendation_id, tuple(items), unknown)


def feedback_records(
    served: Served, reactions: Sequence[Reaction], item_ids: Sequence[str], at: datetime
) -> list[dict[str, Any]]:
    """One impression per shown item, then a click (with its dwell) or a skip; ids derived from
    the recommendation so that a retry changes nothing."""
    if served.recommendation_id is None:
        return []
    stamp = at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    records: list[dict[str, Any]] = []
    for reaction in reactions:
        item_id = item_ids[reaction.item]
        base: dict[str, Any] = {"recommendation_id": served.recommendation_id, "item_id": item_id,
                "timestamp": stamp}  # fmt: skip
        key = f"{served.recommendation_id}:{item_id}"
        records.append({**base, "kind": "impression", "feedback_id": f"{key}:impression"})
        if reaction.clicked:
            records.append({**base, "kind": "click", "dwell_s": round(reaction.dwell_s or 0.0, 3),
                            "feedback_id": f"{key}:click"})  # fmt: skip
        else:
            records.append({**base, "kind": "skip", "feedback_id": f"{key}:skip"})
    return records


def seed_events(
    seed: int,
    policies: Sequence[str],
    users: Sequence[SimUser],
    histories: Mapping[int, Sequence[tuple[int, float]]],
    item_ids: Sequence[str],
    now: datetime,
) -> list[dict[str, Any]]:
    """Every copy of every person's seed ratings, a day apart, the last a day before ``now``."""
    events: list[dict[str, Any]] = []
    for policy in policies:
        for user in users:
            history = histories[user.index]
            for n, (item, rating) in enumerate(history):
                at = now - timedelta(days=len(history) - n)
                user_id = api_user_id(seed, policy, user)
                events.append({"user_id": user_id, "item_id": item_ids[item], "kind": "rate",
                               "value": rating, "event_id": f"{user_id}-seed-{n}",
                               "timestamp": at.isoformat().replace("+00:00", "Z")})  # fmt: skip
    return events


class ServicePolicy:
    """A policy of the service, asked over HTTP (``?policy=name``); feedback posted back."""

    def __init__(
        self,
        name: str,
        base: str,
        headers: dict[str, str],
        *,
        k: int,
        seed: int,
        catalogue: Catalogue,
        records: list[dict[str, Any]] | None = None,
        keep: int = 0,
        shadow: tuple[World, Sequence[str]] | None = None,
    ) -> None:
        self.name, self.base, self.headers, self.k, self.seed = name, base, headers, k, seed
        self.catalogue = catalogue
        self.records, self.keep = records, keep  # the first ``keep`` records posted (replayed)
        self.timings: list[dict[str, float]] = []  # the answers' Server-Timing, in ms
        # Other policies asked for the same person at the same step, never shown: the expected
        # reward of their lists is the truth that off-policy estimates from this arm's logs aim at
        self.shadow = shadow
        self.shadow_values: dict[str, list[float]] = {t: [] for t in (shadow[1] if shadow else ())}

    def recommend(self, user: SimUser, step: int, consumed: frozenset[int]) -> Served:
        if self.shadow is not None:
            world, targets = self.shadow
            expected = world.expected(user, step)
            expected[list(consumed)] = 0.0  # a consumed item earns nothing again
            for target in targets:
                listed = self._ask(user, target)
                value = float(sum(expected[i.item] for i in listed.items))
                self.shadow_values[target].append(value)
        return self._ask(user, self.name, timed=True)

    def _ask(self, user: SimUser, policy: str, *, timed: bool = False) -> Served:
        user_id = quote(api_user_id(self.seed, self.name, user), safe="")
        url = f"{self.base}/v1/users/{user_id}/recommendations?k={self.k}&policy={policy}"
        request = urllib.request.Request(url, headers=self.headers)
        try:
            with urllib.request.urlopen(request, timeout=120) as answer:
                status, body = answer.status, answer.read()
                if timed:
                    self.timings.append(server_timing(answer.headers.get("Server-Timing", "")))
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        if status != 200:
            raise ServiceError(f"GET recommendations: {status} {body[:300]!r}")
        return parse_served(json.loads(body), self.catalogue.index)

    def feedback(self, user: SimUser, served: Served, reactions: Sequence[Reaction]) -> None:
        records = feedback_records(served, reactions, self.catalogue.item_ids, datetime.now(UTC))
        if not records:
            return
        status, body = http("POST", f"{self.base}/v1/feedback", self.headers, records)
        if status != 200:
            raise ServiceError(f"POST feedback: {status} {body[:300]!r}")
        if self.records is not None and len(self.records) < self.keep:
            self.records.extend(records)


# --- throughput -------------------------------------------------------------------------------


def post_all(
    url: str, headers: dict[str, str], batches: Sequence[list[dict[str, Any]]], clients: int
) -> tuple[float, int, list[str]]:
    """Every batch from ``clients`` threads: seconds from the first send to the last answer,
    records the service created, and errors."""
    errors: list[str] = []

    def send(batch: list[dict[str, Any]]) -> int:
        status, body = http("POST", url, headers, batch)
        if status != 200:
            errors.append(f"{status} {body[:200]!r}")
            return 0
        return int(json.loads(body).get("created", 0))

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        created = sum(pool.map(send, batches))
    return time.perf_counter() - started, created, errors


def replayed_feedback(
    records: Sequence[dict[str, Any]], count: int, tag: str
) -> list[dict[str, Any]]:
    """``count`` records replaying the simulation's own (same mix of impressions, clicks and
    skips, valid recommendations and instants) under new feedback ids, so all are created."""
    if not records:
        return []
    return [{**records[n % len(records)], "feedback_id": f"{tag}-{n}"} for n in range(count)]


def synthetic_events(
    count: int, item_ids: Sequence[str], tag: str, now: datetime
) -> list[dict[str, Any]]:
    """``count`` click events on the catalogue by 1,000 throughput users, one second apart."""
    return [{"user_id": f"{tag}-u{n % 1000}", "item_id": item_ids[(n * 7919) % len(item_ids)],
             "kind": "click", "event_id": f"{tag}-{n}",
             "timestamp": (now - timedelta(seconds=count - n)).isoformat().replace("+00:00", "Z")}
            for n in range(count)]  # fmt: skip


def throughput(
    base: str,
    headers: dict[str, str],
    records: Sequence[dict[str, Any]],
    item_ids: Sequence[str],
    *,
    count: int,
    rounds: int,
) -> list[dict[str, Any]]:
    """``POST /v1/events`` (the baseline) and ``POST /v1/feedback``, ``count`` records each in
    batches of ``THROUGHPUT_BATCH`` from ``THROUGHPUT_CLIENTS`` clients, alternating for
    ``rounds``, after one batch of each to warm up."""
    found = []
    now = datetime.now(UTC)

    def batches(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
        return [rows[n : n + THROUGHPUT_BATCH] for n in range(0, len(rows), THROUGHPUT_BATCH)]

    post_all(f"{base}/v1/events", headers, batches(synthetic_events(THROUGHPUT_BATCH, item_ids,
             "tp-warm", now)), 1)  # fmt: skip
    post_all(f"{base}/v1/feedback", headers,
             batches(replayed_feedback(records, THROUGHPUT_BATCH, "tp-warm")), 1)  # fmt: skip
    for n in range(rounds):
        for path, rows in (
            ("events", synthetic_events(count, item_ids, f"tp{n}", now)),
            ("feedback", replayed_feedback(records, count, f"tp{n}")),
        ):
            if not rows:
                continue
            seconds, created, errors = post_all(f"{base}/v1/{path}", headers, batches(rows),
                                                THROUGHPUT_CLIENTS)  # fmt: skip
            found.append({"path": f"POST /v1/{path}", "round": n + 1, "records": len(rows),
                          "created": created, "seconds": round(seconds, 3),
                          "records_per_s": round(len(rows) / seconds),
                          "errors": len(errors), "first_errors": errors[:3]})  # fmt: skip
    return found


# --- the run ----------------------------------------------------------------------------------


def load_catalogue(folder: Path) -> Catalogue:
    _, genres = read_movies(folder)
    with (folder / "ratings.csv").open(encoding="utf-8", newline="") as handle:
        ratings = [(row["movieId"], float(row["rating"])) for row in csv.DictReader(handle)]
    return build_catalogue({str(m): g for m, g in genres.items()}, ratings)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("movielens", nargs="?", type=Path, default=SHARED_DATA / "ml-latest-small")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="8 people, 12 steps, 10,000 ratings, 2 epochs, 10,000 records",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--users", type=int, default=200, help="simulated people per policy")
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--policies", default=",".join(POLICIES))
    parser.add_argument("--clients", type=int, default=16, help="concurrent simulated people")
    parser.add_argument(
        "--refresh-every",
        type=int,
        default=10,
        help="steps between refreshes of the rankings ahead (0: never)",
    )
    parser.add_argument("--model", default="DistMult", help="graph embedding model trained")
    parser.add_argument("--epochs", type=int, default=20, help="at most (the shipped blend gives "
                        "the embeddings weight 0: they bring candidates only)")  # fmt: skip
    parser.add_argument("--throughput-records", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=None, help="threads per worker")
    parser.add_argument("--out", type=Path, help="write the report here (JSON)")
    parser.add_argument("--log", type=Path, help="write every shown list here (JSON lines)")
    args = parser.parse_args(argv)
    policies = [p for p in args.policies.split(",") if p]
    if unknown := set(policies) - set(POLICIES):
        parser.error(f"unknown policies {sorted(unknown)}; choose among {', '.join(POLICIES)}")
    if args.smoke:
        args.users, args.steps, args.throughput_records = 8, 12, 10_000
    report = run(args, policies)
    text = json.dumps(report)
    if args.out:
        args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
        print(f"report written to {args.out}")
    print(text)


class Refresher:
    """Ranks the simulated people ahead (``service.precomputed``) before the first step and
    after every ``every`` steps, as ``interests precompute`` on a schedule would; says how far
    the run is."""

    def __init__(self, graph: Graph, user_ids: list[str], *, every: int, steps: int) -> None:
        self.graph, self.user_ids, self.every, self.steps = graph, user_ids, every, steps
        self.seconds: list[float] = []
        self.started = time.perf_counter()

    def __call__(self, step: int | None = None) -> None:
        if step is not None:
            print(f"step {step + 1}/{self.steps}, {time.perf_counter() - self.started:.0f} s",
                  flush=True)  # fmt: skip
            if not self.every or (step + 1) % self.every or step + 1 == self.steps:
                return
        started = time.perf_counter()
        precomputed.refresh(self.graph, user_ids=self.user_ids)
        self.seconds.append(time.perf_counter() - started)


def run(args: argparse.Namespace, policies: list[str]) -> dict[str, Any]:
    catalogue = load_catalogue(args.movielens)
    model = UserModel()
    world = World(catalogue, model, args.seed)
    users = make_users(args.seed, args.users, args.steps, catalogue, model)
    histories = {u.index: world.seed_history(u) for u in users}
    consumed = {u.index: [i for i, _ in histories[u.index]] for u in users}
    print(f"{len(users)} people × {args.steps} steps × {len(policies)} policies and the oracle, "
          f"k {args.k}, {len(catalogue):,} items in {len(catalogue.genres)} genres, "
          f"seed {args.seed}")  # fmt: skip
    epochs = 2 if args.smoke else args.epochs
    scored = SMOKE_SCORED if args.smoke else TrainingConfig.scored
    config = TrainingConfig(
        model=args.model, epochs=epochs, check_every=min(5, epochs), scored=scored
    )
    report: dict[str, Any] = {"benchmark": "feedback", "smoke": args.smoke, "seed": args.seed,
                              "users": len(users), "steps": args.steps, "k": args.k,
                              "model": asdict(model)}  # fmt: skip
    log_handle = args.log.open("w", encoding="utf-8") if args.log else None
    log_lock = threading.Lock()

    def log(row: dict[str, Any]) -> None:
        assert log_handle is not None
        with log_lock:
            log_handle.write(json.dumps(row) + "\n")

    with bench_server() as (_, conn, graph):
        delete_all_users(graph)
        importers.import_movielens(graph, args.movielens, BENCH_PSEUDONYMS,
                                   max_ratings=10_000 if args.smoke else None,
                                   progress=False)  # fmt: skip
        workers, threads = args.workers or WORKERS, args.threads or THREADS
        with api_server(graph, conn, workers=workers, threads=threads) as (base, _, headers):
            events = seed_events(args.seed, policies, users, histories, catalogue.item_ids,
                                 datetime.now(UTC))  # fmt: skip
            for n in range(0, len(events), EVENT_BATCH):
                status, body = http("POST", f"{base}/v1/events", headers,
                                     events[n : n + EVENT_BATCH])  # fmt: skip
                if status != 200:
                    raise SystemExit(f"seeding the people failed: {status} {body[:300]!r}")
            trained = retraining.retrain(graph, config, quality_floor=0.0)
            report["training"] = {"status": trained.status, "seconds": trained.seconds}
            graph_ids = [BENCH_PSEUDONYMS.user(api_user_id(args.seed, p, u))
                         for p in policies for u in users]  # fmt: skip
            refresh = Refresher(graph, graph_ids, every=args.refresh_every, steps=args.steps)
            refresh()
            print(f"seeded {len(events):,} ratings, trained ({trained.status}), ranked ahead "
                  f"in {refresh.seconds[0]:.1f} s")  # fmt: skip
            records: list[dict[str, Any]] = []
            targets = [t for t in TARGETS if OURS in policies]
            arms: list[Policy] = [ServicePolicy(p, base, headers, k=args.k, seed=args.seed,
                                                catalogue=catalogue, records=records,
                                                keep=args.throughput_records,
                                                shadow=(world, targets) if p == OURS else None)
                                  for p in policies]  # fmt: skip
            arms.append(OraclePolicy(world, args.k))
            started, logged_since = time.perf_counter(), graph.read("admin/now")[0]["now"]
            runs = simulate(world, users, arms, args.steps, consumed=consumed,
                            clients=args.clients, between_steps=refresh,
                            log=log if log_handle else None)  # fmt: skip
            report["simulation_seconds"] = time.perf_counter() - started
            report["server_timing"] = {arm.name: timing_table(arm.timings) for arm in arms
                                       if isinstance(arm, ServicePolicy)}  # fmt: skip
            if OURS in policies:
                estimates = evaluate_logged(graph, policy=OURS, since=logged_since.to_native(),
                                            seed=args.seed)  # fmt: skip
                ours = next(a for a in arms if isinstance(a, ServicePolicy) and a.name == OURS)
                report["off_policy"] = off_policy(estimates, runs, ours.shadow_values)
            report["refresh_seconds"] = refresh.seconds
            report["throughput"] = throughput(
                base, headers, records, catalogue.item_ids,
                count=args.throughput_records, rounds=1 if args.smoke else 2,
            )  # fmt: skip
        delete_all_users(graph)
    if log_handle is not None:
        log_handle.close()
    report.update(figures(runs, users, seed=args.seed))
    print_report(report, runs)
    return report


def off_policy(
    estimates: Mapping[str, OffPolicyEstimates],
    runs: Mapping[str, ArmRun],
    shadow: Mapping[str, Sequence[float]],
) -> dict[str, Any]:
    """Each target's IPS, SNIPS and DR value per answer from ours' logs, against the truth on the
    same people at the same moments (the expected reward of the target's list, asked for but not
    shown: ``measured``) and beside what the target earned on its own people (``own_arm``: their
    states differ, since what each person consumed depends on what they were shown)."""
    found: dict[str, Any] = {}
    for target, e in estimates.items():
        values = shadow.get(target) or []
        measured = float(np.mean(values)) if values else None
        own = float(runs[target].rewards.mean()) if target in runs else None
        row: dict[str, Any] = {"measured": measured, "own_arm": own, "answers": e.recommendations,
                               "effective_sample": e.effective_sample_size}  # fmt: skip
        for name, interval in (("ips", e.ips), ("snips", e.snips), ("dr", e.dr)):
            error = interval.value / measured - 1 if measured else None
            close = error is not None and abs(error) <= GOAL_OPE_ERROR
            row[name] = {**asdict(interval), "relative_error": error, "within_10pct": close}
        found[target] = row
    return found


def figures(runs: Mapping[str, ArmRun], users: Sequence[SimUser], *, seed: int) -> dict[str, Any]:
    summaries = summarise(runs, seed=seed)
    shifts = shift_curves(runs, users)
    steps = next(iter(runs.values())).rewards.shape[1]
    per_step = {name: [float(v) for v in run.rewards.mean(axis=0)] for name, run in runs.items()}
    goals: dict[str, Any] = {}
    ours = summaries.get(OURS)
    if ours is not None and ours.vs_current is not None:
        goals["ours_vs_current"] = {"goal": GOAL_VS_CURRENT, "value": ours.vs_current.value,
                                    "met": ours.vs_current.value >= GOAL_VS_CURRENT}  # fmt: skip
    if ours is not None and ours.vs_oracle is not None:
        goals["ours_vs_oracle"] = {"goal": GOAL_VS_ORACLE, "value": ours.vs_oracle.value,
                                   "met": ours.vs_oracle.value >= GOAL_VS_ORACLE}  # fmt: skip
    if OURS in shifts:
        back = shifts[OURS][1].steps
        goals["recovery_steps"] = {
            "goal": GOAL_RECOVERY_STEPS,
            "value": back,
            "met": back is not None and back <= GOAL_RECOVERY_STEPS,
        }
    if OURS in summaries and BASELINE in summaries:
        first = summaries[BASELINE].first_steps
        goals["first_steps_vs_current"] = {
            "steps": min(FIRST_STEPS, steps),
            "ours": summaries[OURS].first_steps, "current": first,
            "ratio": summaries[OURS].first_steps / first if first else None,
        }  # fmt: skip
    return {
        "policies": {name: asdict(s) for name, s in summaries.items()},
        "errors": {name: run.errors[:5] for name, run in runs.items() if run.errors},
        "unknown_items": {name: run.unknown_items for name, run in runs.items()},
        "reward_per_step": per_step,
        "shift": {
            name: {"curve": asdict(curve), "recovery": asdict(back)}
            for name, (curve, back) in shifts.items()
        },  # fmt: skip
        "abrupt_people": sum(u.drift == "abrupt" for u in users),
        "goals": goals,
    }


def print_report(report: Mapping[str, Any], runs: Mapping[str, ArmRun]) -> None:
    def interval(found: Mapping[str, float] | None) -> str:
        if found is None:
            return "-"
        return f"{found['value']:.3f} ({found['low']:.3f}–{found['high']:.3f})"

    print(f"\n{'policy':<8} {'cumulative per person':>26} {'per step':>8} {'steps 1-5':>9} "
          f"{'clicks':>6} {'explored':>8} {'× current':>21} {'× oracle':>21} {'p50 ms':>7} "
          f"{'errors':>6}")  # fmt: skip
    for name, s in report["policies"].items():
        p50 = s["recommend_p50_ms"]
        print(f"{name:<8} {interval(s['cumulative']):>26} {s['per_step']:>8.3f} "
              f"{s['first_steps']:>9.3f} {s['clicks_per_step']:>6.2f} "
              f"{s['explored_share']:>8.1%} {interval(s['vs_current']):>21} "
              f"{interval(s['vs_oracle']):>21} {'-' if p50 is None else f'{p50:.0f}':>7} "
              f"{s['errors']:>6}")  # fmt: skip
    shift = report["shift"]
    shown = [n for n in (OURS, BASELINE, ORACLE) if n in shift]
    print(f"\nreward per step around an abrupt shift ({report['abrupt_people']} people, "
          f"aligned at their shift; offset 0 is the first step of the new taste)")  # fmt: skip
    print(f"{'offset':>6} " + " ".join(f"{n:>8}" for n in shown))
    offsets = shift[shown[0]]["curve"]["offsets"] if shown else []
    for n, offset in enumerate(offsets):
        print(f"{offset:>6} " + " ".join(f"{shift[p]['curve']['mean'][n]:>8.3f}" for p in shown))
    for name in shown:
        back = shift[name]["recovery"]
        steps = "not within the curve" if back["steps"] is None else f"{back['steps']} steps"
        print(f"{name}: pre-shift {back['pre_shift']:.3f}, trough {back['trough']:.3f}, back to "
              f"{RECOVERY_SHARE:.0%} after {steps}")  # fmt: skip
    print("\nserver time of an answer, p50 / p99 ms (read: the kept ranking and state; choose: "
          "the policy's own work; log: writing what was shown):")  # fmt: skip
    for name, parts in report.get("server_timing", {}).items():
        cells = "  ".join(f"{part} {t['p50_ms']:.2f} / {t['p99_ms']:.2f}"
                          for part, t in parts.items())  # fmt: skip
        print(f"  {name:8} {cells}")
    print("\nthroughput (batches of 1,000, 8 clients):")
    for t in report["throughput"]:
        print(
            f"  {t['path']:<18} round {t['round']}: {t['records']:,} records in "
            f"{t['seconds']:.2f} s, {t['records_per_s']:,}/s, {t['errors']} errors"
        )
    if "off_policy" in report:
        print(f"\noff-policy estimates from {OURS}'s logs (value per answer) against the true "
              "value of the target's lists for the same people at the same steps:")  # fmt: skip
        for target, row in report["off_policy"].items():
            cells = "  ".join(f"{n.upper()} {row[n]['value']:.3f} [{row[n]['low']:.3f}, "
                              f"{row[n]['high']:.3f}] ({row[n]['relative_error']:+.1%})"
                              if row[n]["relative_error"] is not None else ""
                              for n in ("ips", "snips", "dr"))  # fmt: skip
            own = "-" if row["own_arm"] is None else f"{row['own_arm']:.3f}"
            print(f"  {target:8} true {row['measured']:.3f} (its own arm {own})  {cells}")
    print(f"\ngoals: {json.dumps(report['goals'])}")
    feedback_rates = [t["records_per_s"] for t in report["throughput"]
                      if t["path"] == "POST /v1/feedback"]  # fmt: skip
    if feedback_rates:
        best = max(feedback_rates)
        print(
            f"feedback {best:,}/s (goal >= {GOAL_FEEDBACK_PER_S:,}/s: "
            f"{'met' if best >= GOAL_FEEDBACK_PER_S else 'not met'})"
        )
    for name, run in runs.items():
        if run.errors:
            print(f"{name}: {len(run.errors)} errors, first: {run.errors[0][:300]}")


if __name__ == "__main__":
    main()
