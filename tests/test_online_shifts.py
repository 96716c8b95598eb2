"""Online shift detection: alarms from the signals so far, a state that survives JSON (no Neo4j)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bench.drift import score_online, simulate
from graph.evolution import online_shifts
from graph.evolution.online_shifts import OnlineShiftDetector
from graph.evolution.strength import DAY, Signal


def stream(
    rng: np.random.Generator, topics: list[str], count: int, *, start: int = 0
) -> list[Signal]:
    """Events that each reach a category and one of its three interests, as ingestion makes them."""
    signals = []
    for n in range(count):
        topic = str(rng.choice(topics))
        interest = f"interest:{topic}-{int(rng.integers(3))}"
        signals.append(Signal(1_700_000_000 + (start + n) * DAY, 1.0, "event",
                              (f"category:{topic}", interest)))  # fmt: skip
    return signals


def test_an_abrupt_shift_is_caught_within_a_few_signals() -> None:
    rng = np.random.default_rng(3)
    before = stream(rng, ["drama", "crime", "history"], 60)
    after = stream(rng, ["horror", "anime"], 40, start=60)
    [shift] = online_shifts.detect(before + after)
    assert 60 <= shift.index <= 60 + 6  # fired a few signals after the change, not before
    assert abs(shift.change - 60) <= 2
    assert shift.at == (before + after)[shift.change].at
    assert shift.surprise > online_shifts.THRESHOLD


def test_no_alarm_on_a_stationary_stream() -> None:
    for seed in range(5):
        rng = np.random.default_rng(seed)
        assert online_shifts.detect(stream(rng, ["drama", "crime", "history", "war"], 300)) == []


def test_each_alarm_sees_only_the_signals_before_it() -> None:
    rng = np.random.default_rng(4)
    signals = stream(rng, ["drama", "crime"], 50) + stream(rng, ["horror"], 30, start=50)
    whole = online_shifts.detect(signals)
    for shift in whole:  # cut right after the alarm: the same alarm, whatever follows
        assert online_shifts.detect(signals[: shift.index + 1])[-1] == shift
    assert online_shifts.detect(signals[: whole[0].index]) == []


def test_restored_mid_stream_gives_the_same_alarms() -> None:
    user = simulate(np.random.default_rng(11))
    assert user.changes
    straight = online_shifts.detect(user.signals)
    assert straight  # the comparison below must cover alarms
    detector = OnlineShiftDetector()
    resumed = []
    for n, signal in enumerate(user.signals):
        if n % 7 == 3:  # kept on the user node as JSON between signals
            detector = OnlineShiftDetector.from_dict(json.loads(json.dumps(detector.to_dict())))
        if (shift := detector.push(signal)) is not None:
            resumed.append(shift)
    assert resumed == straight
    assert detector.seen == len(user.signals)


def test_state_round_trips_and_stays_bounded() -> None:
    detector = OnlineShiftDetector(reference=20, recent=5, threshold=8.0)
    many = tuple(f"interest:x{n}" for n in range(50))
    rng = np.random.default_rng(5)
    for signal in stream(rng, ["drama", "crime"], 500):
        detector.push(signal)
    detector.push(Signal(1.0, 1.0, "event", many))
    state = detector.to_dict()
    assert OnlineShiftDetector.from_dict(json.loads(json.dumps(state))).to_dict() == state
    assert state["seen"] == 501
    assert state["settings"] == {"reference": 20, "recent": 5, "drift": 1.0, "threshold": 8.0}
    assert len(state["window"]) <= 20 + 5
    assert all(len(targets) <= online_shifts.MAX_TARGETS for _, targets in state["window"])
    assert len(json.dumps(state)) < 5_000


def test_unknown_state_version_is_refused() -> None:
    state = OnlineShiftDetector().to_dict() | {"version": 99}
    with pytest.raises(ValueError, match="version"):
        OnlineShiftDetector.from_dict(state)


def test_simulated_drift_meets_the_goal_with_the_defaults() -> None:
    rng = np.random.default_rng(2026)  # neither the bench's development nor its test users
    users = [simulate(rng) for _ in range(40)]
    found = [[(s.index, s.change) for s in online_shifts.detect(u.signals)] for u in users]
    score = score_online(users, found, horizon=10)
    assert score.f1 >= 0.9
    assert score.median_delay <= 5
    assert score.false_alarms_per_1000 < 2
