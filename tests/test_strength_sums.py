"""The profile's sums over a matrix of reaches (long histories) equal the sums signal by signal
(short ones), on random histories and at instants before, within and after them."""

from __future__ import annotations

import random

import pytest

from graph.evolution import strength
from graph.evolution.strength import DAY, LONG, SHORT, Horizon, Signal


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


@pytest.mark.parametrize("seed", range(6))
def test_by_matrix_and_by_signal_the_profile_is_the_same(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    signals = random_signals(rng, rng.choice([1, 5, 60, 700]))
    for as_of in (signals[0].at - 1, signals[len(signals) // 2].at, signals[-1].at + 90 * DAY):
        monkeypatch.setattr(strength, "MATRIX_FROM", 10**9)  # every history signal by signal
        by_signal = strength.profile(signals, as_of)
        horizons = (SHORT, LONG, Horizon("t", 7.0, None), Horizon("p", None, 3.0))
        by_signal_horizons = [strength.horizon_strengths(signals, as_of, h) for h in horizons]
        monkeypatch.setattr(strength, "MATRIX_FROM", 0)  # every history by matrix
        by_matrix = strength.profile(signals, as_of)
        assert [s.target for s in by_matrix] == [s.target for s in by_signal]
        assert len(by_signal) > 0 or as_of < signals[0].at
        for m, s in zip(by_matrix, by_signal, strict=True):
            assert (m.signals, m.last_at) == (s.signals, s.last_at)
            assert (m.short, m.long, m.blended) == pytest.approx((s.short, s.long, s.blended))
        for horizon, expected in zip(horizons, by_signal_horizons, strict=True):
            assert strength.horizon_strengths(signals, as_of, horizon) == pytest.approx(expected)


@pytest.mark.parametrize("matrix_from", [0, 10**9])
def test_no_signals_no_profile(matrix_from: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(strength, "MATRIX_FROM", matrix_from)
    assert strength.profile([], 0.0) == []
