"""The drifting-people simulator of ``bench.feedback``: its pure parts (no Neo4j, no HTTP)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
import pytest

from bench import feedback as fb
from bench.feedback import (
    ArmRun,
    Catalogue,
    Reaction,
    Served,
    ServedItem,
    ServiceError,
    SimUser,
    UserModel,
    World,
)

MODEL = UserModel()
GENRES = ("Action", "Comedy", "Drama", "Horror", "Romance", "Sci-Fi")


def catalogue(items: int = 120, seed: int = 0) -> Catalogue:
    """Items of one or two genres each (and one without any), with random ratings."""
    rng = np.random.default_rng(seed)
    genres: dict[str, list[str]] = {}
    for n in range(items):
        size = 1 + n % 2
        genres[str(n + 1)] = [str(g) for g in rng.choice(GENRES, size=size, replace=False)]
    genres[str(items + 1)] = []
    ratings = [(str(rng.integers(1, items + 2)), float(rng.integers(1, 6))) for _ in range(3000)]
    return fb.build_catalogue(genres, ratings)


def user(before: dict[str, float], after: dict[str, float], **drift: object) -> SimUser:
    def weights(shares: dict[str, float]) -> np.ndarray:
        found = np.full(len(GENRES), 0.01)
        for genre, share in shares.items():
            found[GENRES.index(genre)] += share
        return found / found.sum()

    options = {"drift": "abrupt", "shift_step": 3, "ramp_steps": 1, **drift}
    return SimUser(0, weights(before), weights(after), **options)  # type: ignore[arg-type]


def test_the_catalogue_shrinks_ratings_before_ranking_quality() -> None:
    genres = {"1": ["Drama"], "2": ["Drama", "Comedy"], "3": [], "10": ["Comedy"]}
    ratings = [("1", 5.0)] * 3 + [("2", 4.5)] * 100 + [("10", 2.0)] * 50 + [("99", 5.0)]
    found = fb.build_catalogue(genres, ratings)
    assert found.item_ids == ("1", "2", "3", "10")
    assert found.genres == ("Comedy", "Drama")
    assert found.membership[found.index["2"]] == pytest.approx([0.5, 0.5])
    assert found.membership[found.index["3"]].sum() == 0
    assert list(found.popularity) == [3, 100, 0, 50]
    by_quality = sorted(found.item_ids, key=lambda i: found.quality[found.index[i]])
    assert by_quality == ["10", "3", "1", "2"]  # three 5-star ratings do not beat a hundred 4.5s
    assert found.quality.min() == 0.0 and found.quality.max() == 1.0


def test_people_are_seeded_half_abrupt_half_gradual_with_new_genres() -> None:
    items = catalogue()
    first = fb.make_users(7, 40, 60, items, MODEL)
    again = fb.make_users(7, 40, 60, items, MODEL)
    other = fb.make_users(8, 40, 60, items, MODEL)
    assert all(np.array_equal(a.before, b.before) for a, b in zip(first, again, strict=True))
    assert not all(np.array_equal(a.before, b.before) for a, b in zip(first, other, strict=True))
    assert [u.drift for u in first[:4]] == ["abrupt", "gradual", "abrupt", "gradual"]
    for person in first:
        for weights in (person.before, person.after):
            assert weights.sum() == pytest.approx(1.0)
            assert 2 <= len(fb.liked(weights, MODEL)) <= 3
        assert not set(fb.liked(person.before, MODEL)) & set(fb.liked(person.after, MODEL))
        if person.drift == "abrupt":
            assert 24 <= person.shift_step <= 36 and person.ramp_steps == 1
        else:
            assert 12 <= person.shift_step <= 24 and person.ramp_steps == 20


def test_a_short_run_keeps_its_ramp_within_a_third_of_the_steps() -> None:
    people = fb.make_users(1, 4, 12, catalogue(), MODEL)
    assert {u.ramp_steps for u in people if u.drift == "gradual"} == {4}


def test_an_abrupt_shift_replaces_the_taste_a_gradual_one_blends_it() -> None:
    abrupt = user({"Drama": 1.0}, {"Horror": 1.0}, shift_step=3)
    assert np.array_equal(abrupt.weights(2), abrupt.before)
    assert np.array_equal(abrupt.weights(3), abrupt.after)
    gradual = user({"Drama": 1.0}, {"Horror": 1.0}, drift="gradual", shift_step=10, ramp_steps=4)
    assert np.array_equal(gradual.weights(9), gradual.before)
    assert gradual.weights(11) == pytest.approx(0.5 * gradual.before + 0.5 * gradual.after)
    assert np.array_equal(gradual.weights(13), gradual.after)
    assert np.array_equal(gradual.weights(50), gradual.after)


def test_affinity_is_the_mean_over_an_items_genres_relative_to_the_strongest() -> None:
    items = fb.build_catalogue({"1": ["Drama"], "2": ["Drama", "Horror"], "3": []}, [])
    weights = np.array([0.8, 0.2])  # Drama, Horror
    assert list(fb.affinity(items, weights)) == pytest.approx([1.0, 0.625, 0.625])


def test_expected_reward_rises_with_affinity_and_matches_sampled_dwell() -> None:
    levels = np.linspace(0, 1, 5)
    expected = fb.expected_reward(levels, np.full(5, 0.5), MODEL)
    assert np.all(np.diff(expected) > 0)
    rng = np.random.default_rng(0)
    for a, q in ((0.2, 0.1), (0.9, 0.9)):
        mu = fb.dwell_log_mean(np.array([a]), np.array([q]), MODEL)[0]
        dwell = np.exp(mu + MODEL.dwell_sigma * rng.standard_normal(400_000))
        assert dwell.mean() == pytest.approx(
            MODEL.dwell_min_s + (MODEL.dwell_max_s - MODEL.dwell_min_s) * (0.7 * a + 0.3 * q),
            rel=0.01,
        )
        sampled = fb.click_chance(np.array([a]), MODEL)[0] * np.minimum(dwell, 300).mean() / 300
        closed = fb.expected_reward(np.array([a]), np.array([q]), MODEL)[0]
        assert closed == pytest.approx(sampled, rel=0.01)


def test_draws_are_uniform_and_fixed_by_key_and_item() -> None:
    items = np.arange(50_000)
    found = fb.draws((1, 2, 3, 0), items)
    assert np.all((found > 0) & (found < 1))
    assert found.mean() == pytest.approx(0.5, abs=0.01)
    assert np.array_equal(fb.draws((1, 2, 3, 0), items[::-1]), found[::-1])
    assert not np.array_equal(fb.draws((1, 2, 4, 0), items), found)
    assert abs(np.corrcoef(found, fb.draws((1, 2, 3, 1), items))[0, 1]) < 0.02


def test_reactions_depend_on_the_item_not_on_the_slate_or_position() -> None:
    world = World(catalogue(), MODEL, seed=3)
    person = fb.make_users(3, 1, 20, world.catalogue, MODEL)[0]
    alone = {r.item: r for r in world.respond(person, 5, [4, 9, 30], [])}
    mixed = {r.item: r for r in world.respond(person, 5, [30, 11, 4, 2, 9], [])}
    for item in (4, 9, 30):
        assert alone[item] == mixed[item]


def test_consumed_items_earn_nothing_and_clicks_follow_the_chance() -> None:
    world = World(catalogue(), MODEL, seed=4)
    person = user({"Drama": 0.7, "Comedy": 0.3}, {"Horror": 1.0}, shift_step=10_000)
    items = list(range(len(world.catalogue)))
    assert not any(r.clicked for r in world.respond(person, 0, items, consumed=items))
    chance = fb.click_chance(fb.affinity(world.catalogue, person.before), MODEL)
    clicks = np.zeros(len(items))
    for step in range(400):
        for r in world.respond(person, step, items, []):
            clicks[r.item] += r.clicked
            assert r.clicked == (r.dwell_s is not None)
            assert 0.0 <= r.reward <= 1.0 and (r.reward > 0) == r.clicked
    assert clicks.sum() / 400 == pytest.approx(chance.sum(), rel=0.05)


def test_the_oracle_shows_the_best_unconsumed_items() -> None:
    world = World(catalogue(), MODEL, seed=5)
    person = user({"Horror": 1.0}, {"Romance": 1.0}, shift_step=2)
    expected = world.expected(person, 0)
    best = world.oracle(person, 0, [], 5)
    assert best == sorted(best, key=lambda i: (-expected[i], i))
    assert min(expected[best]) >= np.sort(expected)[-5]
    without = world.oracle(person, 0, best[:2], 5)
    assert not set(best[:2]) & set(without) and without[:3] == best[2:]
    after = world.oracle(person, 2, [], 3)
    romance = world.catalogue.genres.index("Romance")
    assert all(world.catalogue.membership[i, romance] > 0 for i in after)


def test_seed_history_rates_popular_matching_items() -> None:
    world = World(catalogue(400), MODEL, seed=6)
    person = fb.make_users(6, 1, 20, world.catalogue, MODEL)[0]
    history = world.seed_history(person)
    taste = fb.affinity(world.catalogue, person.before)
    assert len(history) == fb.SEED_EVENTS == len({i for i, _ in history})
    for item, rating in history:
        assert taste[item] >= fb.SEED_AFFINITY
        assert rating == (5.0 if taste[item] >= 0.75 else 4.0)
    assert world.seed_history(person) == history


class Fixed:
    """Shows the same items every step (from the world, no service)."""

    def __init__(self, name: str, items: Sequence[int], *, fail_at: int | None = None) -> None:
        self.name, self.items, self.fail_at = name, list(items), fail_at
        self.posted: list[tuple[int, int]] = []

    def recommend(self, person: SimUser, step: int, consumed: frozenset[int]) -> Served:
        if step == self.fail_at:
            raise ServiceError("down")
        shown = tuple(ServedItem(i, n, 0.5, n == 1) for n, i in enumerate(self.items, start=1))
        return Served(f"r:{person.index}:{step}", shown)

    def feedback(self, person: SimUser, served: Served, reactions: Sequence[Reaction]) -> None:
        self.posted.append((person.index, len(reactions)))


def test_simulate_runs_every_person_under_every_policy_step_by_step() -> None:
    world = World(catalogue(), MODEL, seed=8)
    people = fb.make_users(8, 6, 8, world.catalogue, MODEL)
    fixed = Fixed("fixed", [1, 2, 3], fail_at=4)
    stepped: list[int] = []
    logged: list[dict[str, object]] = []
    runs = fb.simulate(world, people, [fixed, fb.OraclePolicy(world, 3)], 8,
                       consumed={0: [1]}, clients=3, between_steps=stepped.append,
                       log=logged.append)  # fmt: skip
    assert stepped == list(range(8))
    assert runs["fixed"].rewards.shape == (6, 8)
    # each item pays at most once: three items, so at most three rewarded clicks per person
    assert runs["fixed"].clicks.sum(axis=1).max() <= 3
    assert runs["fixed"].clicks[0].sum() <= 2  # item 1 was consumed before the first step
    assert runs["fixed"].rewards[:, 4].sum() == 0 and len(runs["fixed"].errors) == 6
    assert len(fixed.posted) == 6 * 7
    assert runs["fixed"].explored.sum() == 6 * 7  # one explored slot per answered step
    assert runs["oracle"].rewards.sum() > runs["fixed"].rewards.sum()
    assert len(logged) == 2 * 6 * 8 - 6
    row = next(r for r in logged if r["policy"] == "fixed")
    assert {"recommendation_id", "items", "step", "drift"} <= set(row)


def test_the_oracle_arm_is_the_same_whatever_runs_beside_it() -> None:
    world = World(catalogue(), MODEL, seed=9)
    people = fb.make_users(9, 4, 6, world.catalogue, MODEL)
    alone = fb.simulate(world, people, [fb.OraclePolicy(world, 4)], 6, consumed={}, clients=2)
    beside = fb.simulate(world, people, [Fixed("x", [5]), fb.OraclePolicy(world, 4)], 6,
                         consumed={}, clients=4)  # fmt: skip
    assert np.array_equal(alone["oracle"].rewards, beside["oracle"].rewards)


def test_a_first_step_without_answers_stops_the_run() -> None:
    world = World(catalogue(), MODEL, seed=10)
    people = fb.make_users(10, 2, 3, world.catalogue, MODEL)
    with pytest.raises(SystemExit, match="every request of the first step failed"):
        fb.simulate(world, people, [Fixed("down", [1], fail_at=0)], 3, consumed={})


def test_ratio_interval_is_paired_over_people() -> None:
    ours = np.array([1.0, 5.0, 2.0, 8.0])
    assert fb.ratio_interval(2 * ours, ours, seed=0) == fb.Interval(2.0, 2.0, 2.0)
    noisy = fb.ratio_interval(ours + np.array([1, -1, 0.5, 0]), ours, seed=0)
    assert noisy.low <= noisy.value <= noisy.high
    with pytest.raises(ValueError):
        fb.ratio_interval(ours, ours[:2], seed=0)


def test_aligned_curve_and_recovery() -> None:
    rewards = np.ones((2, 30))
    starts = [10, 20]
    for row, start in enumerate(starts):
        rewards[row, start : start + 4] = [0.1, 0.3, 0.6, 0.9]
    curve = fb.aligned_curve(rewards, starts, before=3, after=6)
    assert curve.offsets == tuple(range(-3, 7))
    assert curve.mean[3:7] == pytest.approx((0.1, 0.3, 0.6, 0.9))
    back = fb.recovery(curve, share=0.8, window=3)
    assert back.pre_shift == pytest.approx(1.0) and back.trough == pytest.approx(0.1)
    assert back.steps == 2  # (0.6 + 0.9 + 1.0) / 3 >= 0.8
    assert fb.recovery(curve, share=0.8, window=1).steps == 3
    rewards[:, :] = 1.0
    rewards[0, 10:] = rewards[1, 20:] = 0.2
    assert fb.recovery(fb.aligned_curve(rewards, starts, before=3, after=6)).steps is None


def test_aligned_curve_skips_people_whose_run_does_not_reach_an_offset() -> None:
    curve = fb.aligned_curve(np.arange(10.0).reshape(2, 5), [1, 4], before=2, after=1)
    assert curve.people == (1, 2, 2, 1)
    assert curve.mean == pytest.approx((7.0, 4.0, 5.0, 2.0))


def test_parse_served_reads_the_contracts_answer() -> None:
    index = {"1": 0, "2": 1, "3": 2}
    body = {
        "user_id": "sim1-bandit-0",
        "recommendation_id": "r:abc",
        "policy": {"name": "bandit", "version": "vw-0+1"},
        "items": [
            {"item_id": "3", "position": 1, "propensity": 0.97, "explored": False},
            {"item_id": "999", "position": 2, "propensity": 0.5, "explored": False},
            {"item_id": "1", "position": 3, "propensity": 0.05, "explored": True},
        ],
    }
    served = fb.parse_served(body, index)
    assert served == Served("r:abc", (ServedItem(2, 1, 0.97, False), ServedItem(0, 3, 0.05, True)),
                            unknown=1)  # fmt: skip
    with pytest.raises(ServiceError, match="recommendation_id"):
        fb.parse_served({"items": []}, index)


def test_feedback_records_follow_the_contract() -> None:
    served = Served("r:x", (ServedItem(0, 1), ServedItem(1, 2)))
    reactions = [Reaction(0, True, 42.123456, 0.14, 0.1), Reaction(1, False, None, 0.0, 0.05)]
    at = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
    records = fb.feedback_records(served, reactions, ("10", "20"), at)
    assert [(r["item_id"], r["kind"]) for r in records] == [
        ("10", "impression"), ("10", "click"), ("20", "impression"), ("20", "skip")
    ]  # fmt: skip
    assert records[1]["dwell_s"] == 42.123
    assert all("dwell_s" not in r for r in records if r["kind"] != "click")
    assert {r["timestamp"] for r in records} == {"2026-11-30T14:00:00Z"}
    assert len({r["feedback_id"] for r in records}) == 4
    assert fb.feedback_records(Served(None, ()), [], (), at) == []


def test_seed_events_give_every_policys_copy_the_same_history_before_now() -> None:
    people = fb.make_users(1, 2, 10, catalogue(), MODEL)
    histories = {0: [(3, 5.0), (7, 4.0)], 1: [(1, 4.0)]}
    now = datetime(2026, 11, 30, tzinfo=UTC)
    events = fb.seed_events(1, ["current", "bandit"], people, histories, ("a", "b", "c", "d",
                            "e", "f", "g", "h"), now)  # fmt: skip
    assert len(events) == 6
    assert {e["user_id"] for e in events} == {"sim1-current-0", "sim1-current-1",
                                               "sim1-bandit-0", "sim1-bandit-1"}  # fmt: skip
    first = [e for e in events if e["user_id"] == "sim1-bandit-0"]
    assert [(e["item_id"], e["value"]) for e in first] == [("d", 5.0), ("h", 4.0)]
    assert all(e["timestamp"] < "2026-11-30" for e in events)
    assert len({e["event_id"] for e in events}) == 6


def test_replayed_feedback_gets_new_ids() -> None:
    records = [{"recommendation_id": "r:1", "item_id": "1", "kind": "impression",
                "feedback_id": "old"}]  # fmt: skip
    replayed = fb.replayed_feedback(records, 5, "tp0")
    assert len(replayed) == 5 and len({r["feedback_id"] for r in replayed}) == 5
    assert fb.replayed_feedback([], 5, "tp0") == []


def test_figures_report_the_goals() -> None:
    people = fb.make_users(2, 4, 20, catalogue(), MODEL)

    def arm(name: str, level: float) -> ArmRun:
        run = ArmRun.empty(name, 4, 20)
        run.rewards[:] = level
        run.shown[:] = 10
        return run

    runs = {"current": arm("current", 1.0), "bandit": arm("bandit", 1.5),
            "oracle": arm("oracle", 2.0)}  # fmt: skip
    runs["bandit"].rewards[:, :5] = 0.5
    found = fb.figures(runs, people, seed=0)
    goals = found["goals"]
    assert goals["ours_vs_current"]["value"] == pytest.approx((15 * 1.5 + 5 * 0.5) / 20)
    assert goals["ours_vs_current"]["met"] is False
    assert goals["ours_vs_oracle"]["value"] == pytest.approx(25 / 40)
    assert goals["first_steps_vs_current"]["ratio"] == pytest.approx(0.5)
    assert goals["recovery_steps"]["met"] is True
    assert found["abrupt_people"] == 2
    assert set(found["shift"]) == {"current", "bandit", "oracle"}


def test_unknown_policies_are_refused_before_anything_starts() -> None:
    with pytest.raises(SystemExit) as stopped:
        fb.main(["--policies", "current,greedy"])
    assert stopped.value.code == 2
