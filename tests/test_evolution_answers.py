"""The evolution answers computed from plain signals and numbers, and written as JSON (no Neo4j)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from graph.evolution import profiles, trends
from graph.evolution.forecast import ItemTargets, compose
from graph.evolution.profiles import InterestDetails, WindowCounts
from graph.evolution.shifts import Shift
from graph.evolution.strength import DAY, Signal
from graph.evolution.transitions import Transition
from service.api import evolution_json

START = datetime(2024, 1, 1, tzinfo=UTC)  # a Monday


def signal(day: float, *targets: str, weight: float = 1.0) -> Signal:
    return Signal(START.timestamp() + day * DAY, weight, "event", targets)


def at_day(day: float) -> datetime:
    return datetime.fromtimestamp(START.timestamp() + day * DAY, UTC)


def test_a_profile_names_its_interests_and_counts_only_the_past() -> None:
    signals = [signal(0, "category:Drama", "interest:space"), signal(1, "interest:astronomy"),
               signal(2, "interest:unnamed"), signal(30, "category:Horror")]  # fmt: skip
    as_of = at_day(5)
    ranked = profiles.ranked_targets(signals, as_of, "long")
    assert "category:Horror" not in {s.target for s in ranked}
    keys = profiles.facet_candidates(ranked)
    assert sorted(keys) == ["astronomy", "space", "unnamed"]
    space = np.array([1.0, 0.0])
    details = {"space": InterestDetails("Space", space),
               "astronomy": InterestDetails("Astronomy", space + 0.1)}  # fmt: skip
    found = profiles.build_profile(signals, as_of, ranked, details, horizon="long", limit=3)
    assert found.signals == 3 and found.as_of == as_of and found.horizon == "long"
    assert len(found.entries) == 3
    names = {e.strength.target: e.name for e in found.entries}
    assert names.get("interest:space", "Space") == "Space"
    assert all(name == t.partition(":")[2] for t, name in names.items()
               if t not in ("interest:space", "interest:astronomy"))  # fmt: skip
    values = [e.strength.long for e in found.entries]
    assert values == sorted(values, reverse=True)
    [facet] = found.facets  # the two named interests with vectors are alike
    assert facet.name in ("Space", "Astronomy")
    assert {k for k, _ in facet.facet.members} == {"space", "astronomy"}


def test_facet_candidates_stop_at_the_pool() -> None:
    signals = [signal(n, f"interest:i{n:03}") for n in range(profiles.FACET_POOL + 5)]
    ranked = profiles.ranked_targets(signals, at_day(1_000), "long")
    assert len(profiles.facet_candidates(ranked)) == profiles.FACET_POOL


def test_a_timeline_keeps_the_strongest_or_the_named_targets() -> None:
    signals = [signal(0, "category:a"), signal(1, "category:a"), signal(8, "category:b"),
               signal(9, "category:c", weight=-1.0)]  # fmt: skip
    found = profiles.timeline(signals, START, at_day(14), "week", limit=2)
    assert found.starts == [START, at_day(7)]
    assert [s.target for s in found.series] == ["category:a", "category:b"]
    assert found.series[0].weights == [2.0, 0.0] and found.series[0].counts == [2, 0]
    named = profiles.timeline(signals, START, at_day(14), "week",
                              targets=["category:c", "category:nothing"])  # fmt: skip
    assert [(s.target, s.weights) for s in named.series] == [("category:c", [0.0, -1.0])]


def test_trending_ranks_by_p_value_then_ratio_as_answers_round_them() -> None:
    counts = [
        WindowCounts("category:steady", 10, 10, 3),
        WindowCounts("category:new", 30, 0, 5),
        WindowCounts("category:newer", 40, 0, 6),
        WindowCounts("category:some", 8, 1, 2),
    ]
    found = profiles.rank_trending(counts, limit=3)
    # 30 and 40 new signals: p-values that round to 0, so the larger log ratio first
    assert [r.counts.target for r in found] == ["category:newer", "category:new", "category:some"]
    assert found[0].p_value < 1e-9 and found[0].log_ratio == pytest.approx(np.log(41))


def test_a_forecast_composes_its_parts() -> None:
    signals = [signal(0, "category:a"), signal(1, "category:a")]
    population = {"category:a": 0.2, "category:b": 0.8}
    items = [("i1", 2.0), ("i2", 1.0)]
    reached = {"i1": ItemTargets("One", ("category:c",))}
    plain = compose(signals, at_day(2), population, items, reached, embedding_run="run",
                    transition=None, limit=5)  # fmt: skip
    scores = {t.target: t for t in plain.targets}
    assert scores["category:c"].predicted == 1.0  # i2 reaches nothing
    a = scores["category:a"]
    assert a.score == pytest.approx(0.6 * (2 * a.profile + 20 * 0.2) / 22 + 0.4 * 0.0)
    assert a.transition == 0 and plain.signals == 2 and plain.embedding_run == "run"
    assert [(p.item_id, p.title) for p in plain.predicted_items] == [("i1", "One"), ("i2", None)]
    assert [t.score for t in plain.targets] == sorted((t.score for t in plain.targets),
                                                       reverse=True)  # fmt: skip
    moving = Transition(("category:a",), np.zeros((1, 1)), np.array([0.1]))
    moved = compose(signals, at_day(2), population, items, reached, embedding_run=None,
                    transition=moving, limit=5)  # fmt: skip
    after = {t.target: t for t in moved.targets}
    assert after["category:a"].transition == pytest.approx(0.05)  # half the learnt change
    assert after["category:a"].score == pytest.approx(a.score + 0.05)
    assert after["category:b"].transition == 0  # not modelled: left as it was
    assert len(compose(signals, at_day(2), population, items, reached, embedding_run=None,
                       transition=None, limit=1).targets) == 1  # fmt: skip


def test_answers_round_and_write_instants_as_before() -> None:
    shift = Shift(3, START.timestamp() + 0.5, 0.123456, [("category:a", 0.333333)],
                  [("interest:b", -0.333333)])  # fmt: skip
    assert evolution_json.shift_json(shift) == {
        "at": "2024-01-01T00:00:00.500000Z",
        "signal_index": 3,
        "divergence": 0.1235,
        "rose": [{"type": "category", "key": "a", "share_change": 0.3333}],
        "fell": [{"type": "interest", "key": "b", "share_change": -0.3333}],
    }
    signals = [signal(0, "category:a"), signal(0, "category:b", weight=-0.2)]
    ranked = profiles.ranked_targets(signals, START, "short")
    found = profiles.build_profile(signals, START, ranked, {}, horizon="short", limit=1)
    [entry] = evolution_json.profile_json(found)["interests"]
    # evidence 1.5 and 0.3; the short horizon halves a's per ten newer signals
    short = 1.5 * 2**-0.1 / (1.5 * 2**-0.1 + 0.3)
    assert entry == {"type": "category", "key": "a", "name": "a", "strength": 0.823483,
                     "short": 0.823483, "long": 0.833333, "blended": 0.829886, "signals": 1,
                     "last_signal_at": "2024-01-01T00:00:00Z"}  # fmt: skip
    assert round(short, 6) == 0.823483 and round(0.35 * short + 0.65 * 1.5 / 1.8, 6) == 0.829886
    row = profiles.rank_trending([WindowCounts("interest:x", 2, 1, 1)], limit=1)[0]
    written = evolution_json.trending_json(row)
    assert written["log_ratio"] == 0.4055 and written["p_value"] == 0.5


def test_a_trend_is_written_with_what_its_rule_looked_at() -> None:
    growing = trends.trend([1, 1, 1, 1, 1, 1, 1, 1, 6, 7, 8])
    written = evolution_json.trend_json(growing)
    assert written is not None and list(written) == [
        "label", "recent_buckets", "recent_signals", "baseline_buckets", "baseline_signals",
        "recent_rate", "baseline_rate", "rate_ratio", "p_value", "alpha",
    ]  # fmt: skip
    assert written["label"] == "growing" and written["recent_signals"] == 21
    assert written["recent_rate"] == 7.0 and written["baseline_rate"] == 1.0
    assert written["rate_ratio"] == 7.0 and 0 < written["p_value"] < 0.05
    assert written["p_value"] == round(written["p_value"], 6)
    dormant = evolution_json.trend_json(trends.trend([3, 2, 1, 0, 0, 0]))
    assert dormant == {
        "label": "dormant", "recent_buckets": 3, "recent_signals": 0, "baseline_buckets": 3,
        "baseline_signals": 6, "buckets_since_last": 3,
    }  # fmt: skip
    assert evolution_json.trend_json(trends.trend([0, 0])) is None
