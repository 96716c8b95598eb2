"""The statistics of interest evolution: decay, profiles, trends, shifts, facets (no Neo4j)."""

from __future__ import annotations

import numpy as np
import pytest

from bench.drift import match, simulate
from graph.evolution import facets, shifts, strength, trends
from graph.evolution.strength import DAY, LONG, SHORT, Horizon, Signal


def signal(day: float, *targets: str, weight: float = 1.0) -> Signal:
    return Signal(1_700_000_000 + day * DAY, weight, "event", targets)


def test_nothing_after_as_of_counts() -> None:
    signals = [signal(0, "category:Drama"), signal(10, "category:Horror")]
    early = strength.profile(signals, signals[0].at + 1)
    assert [s.target for s in early] == ["category:Drama"]
    assert early[0].long == pytest.approx(1.0) and early[0].signals == 1


def test_time_decay_halves_per_half_life_and_position_decay_per_signal() -> None:
    signals = [signal(0, "a"), signal(30, "b")]
    by_time = strength.decay(signals, signals[1].at, Horizon("t", 30.0, None))
    assert by_time == pytest.approx([0.5, 1.0])
    same_day = [signal(0, "a"), signal(0, "b"), signal(0, "c")]
    by_position = strength.decay(same_day, same_day[-1].at, Horizon("p", None, 1.0))
    assert by_position == pytest.approx([0.25, 0.5, 1.0])


def test_short_horizon_follows_the_latest_signals_long_keeps_history() -> None:
    signals = [signal(n / 10, "category:Drama") for n in range(40)]
    signals += [signal(4 + n / 10, "category:Horror") for n in range(10)]
    [first, second] = strength.profile(signals, signals[-1].at, blend_short=0.0)
    assert (first.target, second.target) == ("category:Drama", "category:Horror")
    assert second.short > first.short  # the last ten signals were all horror
    assert first.long > second.long
    assert SHORT.half_life_signals and not LONG.half_life_signals


def test_aversion_lowers_strength() -> None:
    signals = [signal(0, "category:Drama"), signal(1, "category:Drama", weight=-1.0),
               signal(1, "category:Horror")]  # fmt: skip
    ranked = {s.target: s.long for s in strength.profile(signals, signals[-1].at)}
    assert ranked["category:Horror"] > ranked["category:Drama"]


@pytest.mark.parametrize(
    ("counts", "label"),
    [
        ([0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 1], "emerging"),
        ([3, 2, 3, 2, 1, 0, 0, 0, 0, 0, 0], "dormant"),
        ([3, 2, 0, 0, 0, 0, 0, 0, 2, 1, 1], "returning"),
        ([1, 1, 1, 1, 1, 1, 1, 1, 6, 7, 8], "growing"),
        ([6, 6, 6, 6, 6, 6, 6, 6, 1, 0, 1], "declining"),
        ([2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2], "stable"),
        ([0, 0, 0], None),
    ],
)
def test_trend_rule(counts: list[int], label: str | None) -> None:
    found = trends.trend(counts)
    assert (found.label if found else None) == label
    if label in ("growing", "declining", "stable"):
        assert found is not None and found.test is not None


def test_buckets_align_to_the_calendar() -> None:
    from datetime import UTC, datetime

    start, end = datetime(2024, 1, 17, 5, tzinfo=UTC), datetime(2024, 4, 2, tzinfo=UTC)
    months = trends.bucket_starts(start, end, "month")
    assert [m.month for m in months] == [1, 2, 3, 4] and months[0].day == 1
    weeks = trends.bucket_starts(start, end, "week")
    assert all(w.weekday() == 0 for w in weeks)


def test_shifts_found_where_the_simulated_mix_changed() -> None:
    rng = np.random.default_rng(3)
    users = [simulate(rng) for _ in range(10)]
    truth = sum(len(u.changes) for u in users)
    found = [[s.index for s in shifts.detect(u.signals)] for u in users]
    matched = sum(len(match(u.changes, f, 10)) for u, f in zip(users, found, strict=True))
    assert matched >= 0.8 * truth
    assert sum(len(f) for f in found) <= truth + 2


def test_no_shift_in_a_steady_mix() -> None:
    rng = np.random.default_rng(5)
    topics = ["category:a", "category:b", "category:c"]
    steady = [signal(n, topics[int(rng.choice(3, p=[0.5, 0.3, 0.2]))]) for n in range(300)]
    assert shifts.detect(steady) == []


def test_a_shift_names_what_rose_and_what_fell() -> None:
    signals = [signal(n, "category:Drama") for n in range(30)]
    signals += [signal(30 + n, "category:Horror") for n in range(30)]
    [shift] = shifts.detect(signals)
    assert shift.index == 30 and shift.divergence > 0.9
    assert shift.rose[0][0] == "category:Horror" and shift.fell[0][0] == "category:Drama"


def test_facets_keep_unrelated_interests_apart() -> None:
    space, cooking = np.eye(4)[0], np.eye(4)[1]
    embeddings = {
        "space documentary": space,
        "astronomy": space + 0.1 * cooking,
        "italian cooking": cooking,
        "pasta": cooking + 0.1 * space,
    }
    strengths = {"space documentary": 0.3, "astronomy": 0.2, "italian cooking": 0.4,
                 "pasta": 0.05, "no vector": 0.5, "aversion": -0.2}  # fmt: skip
    found = facets.facets(strengths, embeddings)
    assert [(f.name, round(f.strength, 2)) for f in found] == [
        ("space documentary", 0.5),
        ("italian cooking", 0.45),
    ]
    assert [k for k, _ in found[1].members] == ["italian cooking", "pasta"]
