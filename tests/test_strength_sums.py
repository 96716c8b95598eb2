"""The profile's sums over a matrix of reaches equal the sums signal by signal."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Sequence

import pytest

from graph.evolution import strength
from graph.evolution.strength import DAY, LONG, SHORT, Horizon, Signal, Strength


def horizon_by_signal(
    signals: Sequence[Signal], as_of: float, horizon: Horizon
) -> dict[str, float]:
    """The sums as the profile first made them, one signal at a time (the reference)."""
    totals: dict[str, float] = defaultdict(float)
    for signal, factor in zip(signals, strength.decay(signals, as_of, horizon), strict=True):
        if factor > 0:
            for target in signal.targets:
                totals[target] += strength.evidence(signal) * factor
    scale = sum(abs(v) for v in totals.values())
    return {t: v / scale for t, v in totals.items()} if scale else dict(totals)


def profile_by_signal(signals: Sequence[Signal], as_of: float) -> list[Strength]:
    short = horizon_by_signal(signals, as_of, SHORT)
    long = horizon_by_signal(signals, as_of, LONG)
    counts: dict[str, int] = defaultdict(int)
    last: dict[str, float] = {}
    for signal in signals:
        if signal.at <= as_of:
            for target in signal.targets:
                counts[target] += 1
                last[target] = max(last.get(target, -math.inf), signal.at)
    share = strength.BLEND_SHORT
    found = [Strength(t, short.get(t, 0.0), long.get(t, 0.0),
                      share * short.get(t, 0.0) + (1 - share) * long.get(t, 0.0), counts[t],
                      last[t]) for t in counts]  # fmt: skip
    return sorted(found, key=lambda s: (-s.blended, s.target))


def random_signals(rng: random.Random, count: int) -> list[Signal]:
    targets = [f"category:c{n}" for n in range(12)] + [f"interest:i{n}" for n in range(30)]
    at = 1_500_000_000.0
    signals = []
    for _ in range(count):
        at += rng.choice([0.0, 60.0, DAY, 30 * DAY * rng.random()])  # bursts and gaps
        signals.append(Signal(at, rng.choice([-1.0, -0.5, 0.25, 0.5, 1.0]),
                              rng.choice(["event", "event", "text"]),
                              tuple(rng.sample(targets, rng.randint(1, 4)))))  # fmt: skip
    return signals


@pytest.mark.parametrize("matrix_from", [0, 10**9])  # every history by matrix, none
@pytest.mark.parametrize("seed", range(6))
def test_the_profile_is_the_sum_signal_by_signal(
    seed: int, matrix_from: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(strength, "MATRIX_FROM", matrix_from)
    rng = random.Random(seed)
    signals = random_signals(rng, rng.choice([1, 5, 60, 700]))
    for as_of in (signals[0].at - 1, signals[len(signals) // 2].at, signals[-1].at + 90 * DAY):
        expected = profile_by_signal(signals, as_of)
        found = strength.profile(signals, as_of)
        assert [s.target for s in found] == [s.target for s in expected]
        for f, e in zip(found, expected, strict=True):
            assert (f.signals, f.last_at) == (e.signals, e.last_at)
            assert (f.short, f.long, f.blended) == pytest.approx((e.short, e.long, e.blended))
        for horizon in (SHORT, LONG, Horizon("t", 7.0, None), Horizon("p", None, 3.0)):
            by_matrix = strength.horizon_strengths(signals, as_of, horizon)
            assert by_matrix == pytest.approx(horizon_by_signal(signals, as_of, horizon))


def test_no_signals_no_profile() -> None:
    assert strength.profile([], 0.0) == []
