"""Off-policy estimators for slates with additive rewards (pure; no Neo4j)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from embeddings.policy_evaluation import (
    LoggedItem,
    LoggedSlate,
    doubly_robust,
    evaluate,
    ips,
    slate_terms,
    snips,
)

ITEMS = 6
K = 2


def slate_policy(rng: np.random.Generator, concentration: float) -> tuple[list, np.ndarray]:
    """A distribution over every slate of K of ITEMS items, and each item's marginal inclusion
    probability under it (exact: the sum over the slates that hold the item)."""
    slates = list(itertools.combinations(range(ITEMS), K))
    chances = rng.dirichlet(np.full(len(slates), concentration))
    marginal = np.zeros(ITEMS)
    for slate, p in zip(slates, chances, strict=True):
        marginal[list(slate)] += p
    return list(zip(slates, chances, strict=True)), marginal


def logged(
    n: int, *, seed: int, model_error: float = 0.0, noisy: bool = True
) -> tuple[list[LoggedSlate], float, np.ndarray]:
    """``n`` recommendations logged under one slate policy, evaluated for another; the target's
    true value per recommendation is ``sum_i pi_i q_i`` (additive rewards). The direct method's
    value is the model's expectation under the target, ``sum_i pi_i rhat_i``."""
    rng = np.random.default_rng(seed)
    logging_policy, mu = slate_policy(rng, 2.0)
    target_policy, pi = slate_policy(rng, 0.5)
    q = rng.uniform(0.05, 0.6, size=ITEMS)  # each item's click chance (reward 1 on a click)
    rhat = np.clip(q + model_error * rng.normal(size=ITEMS), 0, 1)
    chosen = rng.choice(len(logging_policy), size=n, p=[p for _, p in logging_policy])
    direct = float(pi @ rhat)
    rows = []
    for choice in chosen:
        shown = logging_policy[choice][0]
        items = tuple(
            LoggedItem(
                float(rng.random() < q[i]) if noisy else float(q[i]),
                float(mu[i]),
                float(pi[i]),
                float(rhat[i]),
            )
            for i in shown
        )
        rows.append(LoggedSlate(items, K, direct))
    return rows, float(pi @ q), rhat


def test_ips_and_dr_find_the_target_value_over_many_recommendations() -> None:
    rows, truth, _ = logged(40_000, seed=3, model_error=0.2)
    found = evaluate(rows, seed=1, resamples=200)
    assert found.ips.value == pytest.approx(truth, abs=0.02)
    assert found.dr.value == pytest.approx(truth, abs=0.02)
    assert found.snips.value == pytest.approx(truth, abs=0.03)
    for interval in (found.ips, found.snips, found.dr):
        assert interval.low <= interval.value <= interval.high
    assert found.recommendations == 40_000 and found.items == 80_000


def test_dr_with_a_perfect_model_is_exact_where_ips_still_varies() -> None:
    """Noiseless rewards and a perfect model: DR's residuals vanish, IPS keeps its weights'
    variance."""
    rows, truth, _ = logged(2_000, seed=5, model_error=0.0, noisy=False)
    found = evaluate(rows, seed=2, resamples=300)
    assert found.dr.value == pytest.approx(truth)
    assert found.dr.high - found.dr.low == pytest.approx(0.0, abs=1e-9)
    assert found.ips.high - found.ips.low > 0.01


def test_on_policy_weights_give_the_empirical_mean() -> None:
    rewards = [(1.0, 0.0, 0.5), (0.0, 0.25), (0.3,)]
    rows = [
        LoggedSlate(tuple(LoggedItem(r, 0.4, 0.4) for r in slate), len(slate)) for slate in rewards
    ]
    terms = slate_terms(rows)
    mean = np.mean([sum(slate) for slate in rewards])
    assert ips(terms) == pytest.approx(mean)
    assert snips(terms) == pytest.approx(mean)
    assert doubly_robust(terms) == pytest.approx(mean)  # rhat = 0, dm = 0


def test_snips_equals_ips_when_every_slates_weights_sum_to_k() -> None:
    rows = [
        LoggedSlate((LoggedItem(1.0, 0.8, 0.4), LoggedItem(0.2, 0.4, 0.6)), 2),  # w 0.5 + 1.5
        LoggedSlate((LoggedItem(0.0, 0.5, 0.125), LoggedItem(0.7, 0.25, 0.4375)), 2),  # .25 + 1.75
    ]
    assert [sum(i.weight for i in r.items) for r in rows] == pytest.approx([2.0, 2.0])
    terms = slate_terms(rows)
    assert snips(terms) == pytest.approx(ips(terms))
    assert ips(terms) == pytest.approx((0.5 * 1.0 + 1.5 * 0.2 + 1.75 * 0.7) / 2)


def test_dr_adds_the_weighted_residuals_to_the_direct_method() -> None:
    row = LoggedSlate((LoggedItem(1.0, 0.5, 0.25, estimate=0.4),), 1, direct_value=0.3)
    assert doubly_robust(slate_terms([row])) == pytest.approx(0.3 + 0.5 * (1.0 - 0.4))


def test_the_bootstrap_is_seeded() -> None:
    rows, _, _ = logged(500, seed=7)
    assert evaluate(rows, seed=4, resamples=100) == evaluate(rows, seed=4, resamples=100)
    assert evaluate(rows, seed=4, resamples=100) != evaluate(rows, seed=5, resamples=100)


@pytest.mark.parametrize(
    ("mu", "pi"), [(0.0, 0.5), (1.2, 0.5), (float("nan"), 0.5), (0.5, -0.1), (0.5, 1.5)]
)
def test_propensities_out_of_range_are_refused(mu: float, pi: float) -> None:
    with pytest.raises(ValueError):
        slate_terms([LoggedSlate((LoggedItem(1.0, mu, pi),), 1)])


def test_effective_sample_size_counts_equal_weights_fully() -> None:
    rows = [LoggedSlate((LoggedItem(0.0, 0.5, 0.5),), 1) for _ in range(10)]
    found = evaluate(rows, resamples=10)
    assert found.effective_sample_size == pytest.approx(10.0)
    assert found.max_weight == pytest.approx(1.0)
