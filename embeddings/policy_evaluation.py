"""Off-policy evaluation of slate recommendations from logged propensities (pure numpy, no I/O).

A logged recommendation showed a slate of items; each shown item ``i`` carries its reward ``r_i``,
the logging policy's marginal inclusion probability ``mu_i = P(i in slate | logging policy)``, the
target policy's ``pi_i = P(i in slate | target policy)`` and a reward model's estimate ``rhat_i``.
With rewards additive over the items of a slate (an item's reward does not depend on its
neighbours or its position), the value of a policy is ``sum_i P(i in slate) E[r_i]``, and
importance weights on the item level, ``w_i = pi_i / mu_i``, estimate it without bias wherever
``mu_i > 0`` when ``pi_i > 0`` (Li et al. 2018, "Offline evaluation of ranking policies with
click models"; Swaminathan et al. 2017, the pseudo-inverse estimator, which reduces to this one
for additive rewards and independent slots):

- IPS: ``mean_n sum_i w_i r_i``;
- SNIPS: ``sum_n sum_i w_i r_i / sum_n (sum_i w_i / k_n)``, where ``k_n`` is the target's slate
  size, the expected value of ``sum_i w_i`` under the logging policy (self-normalised: biased,
  lower variance, equal to IPS when every slate's weights sum to ``k_n``);
- DR (doubly robust): ``mean_n [dm_n + sum_i w_i (r_i - rhat_i)]``, where ``dm_n`` is the direct
  method's value of the target policy for that recommendation (the sum of ``rhat`` over the
  target's slate): unbiased when either the propensities or the model are right.

Intervals are percentile bootstrap intervals over recommendations (seeded), so items of one slate
move together.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

logger = logging.getLogger(__name__)

RESAMPLES = 1000
CONFIDENCE = 0.95
_BOOTSTRAP_CELLS = 4_000_000  # resamples × recommendations drawn at once (memory bound)


@dataclass(frozen=True)
class LoggedItem:
    """One shown item of a logged recommendation."""

    reward: float
    logging_propensity: float  # mu_i, in (0, 1]
    target_propensity: float  # pi_i, in [0, 1]
    estimate: float = 0.0  # rhat_i, the reward model's expected reward for the item

    @property
    def weight(self) -> float:
        return self.target_propensity / self.logging_propensity


@dataclass(frozen=True)
class LoggedSlate:
    """One logged recommendation: its shown items, the target policy's slate size ``k`` and the
    direct method's value of the target policy for it (the sum of ``rhat`` over its slate)."""

    items: tuple[LoggedItem, ...]
    k: int
    direct_value: float = 0.0


@dataclass(frozen=True)
class SlateTerms:
    """Per recommendation, the sums each estimator averages (one entry per logged slate)."""

    weighted_reward: np.ndarray  # sum_i w_i r_i
    normalised_weight: np.ndarray  # sum_i w_i / k
    doubly_robust: np.ndarray  # dm + sum_i w_i (r_i - rhat_i)
    weights: np.ndarray  # every item's w_i, flat (diagnostics)


@dataclass(frozen=True)
class Interval:
    value: float
    low: float
    high: float


@dataclass(frozen=True)
class OffPolicyEstimates:
    """The target policy's value per recommendation by three estimators, with intervals."""

    ips: Interval
    snips: Interval
    dr: Interval
    recommendations: int
    items: int
    effective_sample_size: float  # (sum w)^2 / sum w^2 over items: how many carry the estimate
    max_weight: float


def slate_terms(slates: Sequence[LoggedSlate]) -> SlateTerms:
    """The per-recommendation sums; raises ``ValueError`` on propensities out of range."""
    if not slates:
        raise ValueError("no logged recommendations")
    sizes = np.array([len(s.items) for s in slates])
    owner = np.repeat(np.arange(len(slates)), sizes)
    flat = [item for s in slates for item in s.items]
    reward = np.array([i.reward for i in flat], dtype=np.float64)
    mu = np.array([i.logging_propensity for i in flat], dtype=np.float64)
    pi = np.array([i.target_propensity for i in flat], dtype=np.float64)
    rhat = np.array([i.estimate for i in flat], dtype=np.float64)
    k = np.array([s.k for s in slates], dtype=np.float64)
    if np.any(~(mu > 0) | (mu > 1)):
        raise ValueError("logging propensities must lie in (0, 1]")
    if np.any(~(pi >= 0) | (pi > 1)):
        raise ValueError("target propensities must lie in [0, 1]")
    if np.any(k < 1):
        raise ValueError("a target slate holds at least one item")
    w = pi / mu
    n = len(slates)
    direct = np.array([s.direct_value for s in slates], dtype=np.float64)
    return SlateTerms(
        weighted_reward=np.bincount(owner, w * reward, minlength=n),
        normalised_weight=np.bincount(owner, w, minlength=n) / k,
        doubly_robust=direct + np.bincount(owner, w * (reward - rhat), minlength=n),
        weights=w,
    )


def ips(terms: SlateTerms) -> float:
    return float(terms.weighted_reward.mean())


def snips(terms: SlateTerms) -> float:
    total = float(terms.normalised_weight.sum())
    return float(terms.weighted_reward.sum()) / total if total > 0 else 0.0


def doubly_robust(terms: SlateTerms) -> float:
    return float(terms.doubly_robust.mean())


def evaluate(
    slates: Sequence[LoggedSlate],
    *,
    seed: int = 0,
    resamples: int = RESAMPLES,
    confidence: float = CONFIDENCE,
) -> OffPolicyEstimates:
    """IPS, SNIPS and DR of the target policy, each with a bootstrap interval over
    recommendations (``resamples`` draws from ``seed``)."""
    terms = slate_terms(slates)
    low, high = _bootstrap(terms, seed=seed, resamples=resamples, confidence=confidence)
    w = terms.weights
    square = float(np.square(w).sum())
    return OffPolicyEstimates(
        ips=Interval(ips(terms), float(low[0]), float(high[0])),
        snips=Interval(snips(terms), float(low[1]), float(high[1])),
        dr=Interval(doubly_robust(terms), float(low[2]), float(high[2])),
        recommendations=len(slates),
        items=len(w),
        effective_sample_size=float(w.sum()) ** 2 / square if square > 0 else 0.0,
        max_weight=float(w.max()) if len(w) else 0.0,
    )


def _bootstrap(
    terms: SlateTerms, *, seed: int, resamples: int, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile intervals of (IPS, SNIPS, DR) over resampled recommendations."""
    if resamples < 1 or not 0 < confidence < 1:
        raise ValueError("need at least one resample and a confidence in (0, 1)")
    rng = np.random.default_rng(seed)
    n = len(terms.weighted_reward)
    per_chunk = max(1, _BOOTSTRAP_CELLS // n)
    found = np.empty((resamples, 3))
    for start in range(0, resamples, per_chunk):
        stop = min(resamples, start + per_chunk)
        drawn = rng.integers(0, n, size=(stop - start, n))
        reward = terms.weighted_reward[drawn].sum(axis=1)
        weight = terms.normalised_weight[drawn].sum(axis=1)
        found[start:stop, 0] = reward / n
        found[start:stop, 1] = np.divide(reward, weight, out=np.zeros_like(reward),
                                         where=weight > 0)  # fmt: skip
        found[start:stop, 2] = terms.doubly_robust[drawn].mean(axis=1)
    tail = (1 - confidence) / 2
    return np.quantile(found, tail, axis=0), np.quantile(found, 1 - tail, axis=0)
