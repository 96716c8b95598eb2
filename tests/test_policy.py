"""The policy's arithmetic without a database: rewards, propensities, the online state."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from embeddings.bandit import Bandit, Example
from graph.evolution import feedback_state
from graph.evolution.feedback_state import FeedbackState, Outcome
from graph.ingest.feedback import FeedbackIn, plan
from graph.ingest.signals import DWELL_CAP_S, feedback_weight, reward
from service.api.recommendation_json import reason
from service.evaluate_policy import slates
from service.policy import (
    Candidate,
    CategoryTops,
    Pick,
    at_most,
    candidate_pool,
    choose,
    explore,
    shown_item,
    top_k,
)
from service.policy_features import ACTION_FEATURES, feature_table
from service.recommend import Explored, FedBack, ItemDetails, Recommendations, Recommended

AT = datetime(2026, 1, 1, tzinfo=UTC)


def test_the_reward_is_click_times_capped_scaled_dwell() -> None:
    assert reward(True, 150.0) == pytest.approx(0.5)
    assert reward(True, 10 * DWELL_CAP_S) == 1.0  # one outlier cannot dominate
    assert reward(False, 300.0) == 0.0 and reward(True, None) == 0.0 and reward(True, 0.0) == 0.0
    assert feedback_weight("click", 300.0) == 1.0 and feedback_weight("click", 0.0) == 0.25
    assert feedback_weight("skip", None) == -0.1 and feedback_weight("dislike", None) == -1.0
    assert feedback_weight("impression", None) is None


def test_a_record_validates_dwell_against_its_kind() -> None:
    common = {"recommendation_id": "r:1", "item_id": "i", "timestamp": AT}
    assert FeedbackIn(**common, kind="click", dwell_s=3.0).dwell_s == 3.0
    for bad in ({"kind": "skip", "dwell_s": 3.0}, {"kind": "click", "dwell_s": -1.0},
                {"kind": "click", "dwell_s": float("inf")}):  # fmt: skip
        with pytest.raises(ValueError):
            FeedbackIn(**common, **bad)
    first = FeedbackIn(**common, kind="click", dwell_s=3.0)
    assert first.key == FeedbackIn(**common, kind="click", dwell_s=3.0).key  # retries match
    assert first.key != FeedbackIn(**common, kind="click", dwell_s=4.0).key


def test_only_the_first_outcome_of_a_shown_item_is_learnt() -> None:
    found = {("r:1", "i"): {"user_id": "u", "categories": ["Comedy"], "feedback_ids": [],
                            "clicked_at": None, "dwell_s": None, "resolved_at": None}}  # fmt: skip
    common = {"recommendation_id": "r:1", "item_id": "i"}
    records = [FeedbackIn(**common, kind="impression", timestamp=AT),
               FeedbackIn(**common, kind="click", dwell_s=60.0, timestamp=AT + timedelta(1)),
               FeedbackIn(**common, kind="dislike", timestamp=AT + timedelta(2))]  # fmt: skip
    updates, events, outcomes = plan(records, found)
    assert [e["kind"] for e in events] == ["click", "dislike"]  # an impression is no signal
    assert updates[0]["resolves"] and updates[0]["properties"]["reward"] == pytest.approx(0.2)
    assert [o.reward for o in outcomes["u"]] == [pytest.approx(0.2)]


def candidates(n: int) -> list[Candidate]:
    return [Candidate(f"i{j}", ItemDetails(None, ["c"]), 0.0, None) for j in range(n)]


@pytest.mark.parametrize(
    ("k", "n", "rate"), [(5, 20, 0.3), (10, 40, 0.05), (3, 4, 0.5), (4, 4, 0.3), (6, 8, 0.6)]
)
def test_propensities_are_the_chances_of_being_shown(k: int, n: int, rate: float) -> None:
    """Over many draws, how often each item is shown matches the propensity it was shown with,
    and the propensities of all candidates add up to the list's length."""
    greedy = candidates(n)
    rng = random.Random(3)
    draws = 20_000
    shown: Counter[str] = Counter()
    stated: dict[str, float] = {}
    for _ in range(draws):
        picks = explore(greedy, k, rate, rng)
        assert len({p.candidate.item_id for p in picks}) == len(picks) == k
        for p in picks:
            shown[p.candidate.item_id] += 1
            assert stated.setdefault(p.candidate.item_id, p.propensity) == p.propensity
    for item, propensity in stated.items():
        assert shown[item] / draws == pytest.approx(propensity, abs=0.015)
    assert sum(stated.values()) == pytest.approx(k, abs=1e-9)


def test_at_most_is_the_binomial_distribution() -> None:
    assert at_most(0, 3, 0.5) == pytest.approx(0.125)
    assert at_most(3, 3, 0.5) == pytest.approx(1.0)
    assert at_most(1, 4, 0.1) == pytest.approx(0.9**4 + 4 * 0.1 * 0.9**3)


def outcomes(category: str, reward_: float, n: int) -> list[Outcome]:
    return [Outcome(f"{category}{j}", [category], reward_, reward_ > 0, reward_ == 0)
            for j in range(n)]  # fmt: skip


def test_the_state_believes_what_earned_and_forgets_slowly() -> None:
    state = feedback_state.update(FeedbackState(), outcomes("Comedy", 0.6, 10))
    state = feedback_state.update(state, outcomes("Horror", 0.0, 10))
    comedy = feedback_state.belief(state, "x", ["Comedy"])
    horror = feedback_state.belief(state, "x", ["Horror"])
    unknown = feedback_state.belief(state, "x", ["Western"])
    assert comedy.affinity_mean > unknown.affinity_mean > horror.affinity_mean
    assert horror.negative == 1.0 and unknown.uncertainty == 1.0 > comedy.uncertainty
    assert FeedbackState.from_json(state.to_json()) == FeedbackState.from_json(state.to_json())
    assert feedback_state.belief(state, "Horror0", ["Horror"]).skips == 1
    assert feedback_state.exploration_rate(state) < feedback_state.EXPLORE_START


def test_a_shift_in_what_earns_raises_exploration_at_once() -> None:
    state = feedback_state.update(FeedbackState(), outcomes("Comedy", 0.5, 80))
    settled = feedback_state.exploration_rate(state)
    assert state.shift_at is None
    after, lean = state, 0
    while after.shift_at is None and lean < 30:  # the comedies stop earning
        after = feedback_state.update(after, outcomes("Comedy", 0.0, 1))
        lean += 1
    assert after.shift_at is not None and lean <= 15, lean
    assert feedback_state.exploration_rate(after) == feedback_state.EXPLORE_SHIFT > settled
    assert feedback_state.belief(after, "x", ["Comedy"]).uncertainty > 0.3  # re-learnt


def test_features_and_beliefs_of_a_pool_are_each_candidates_own() -> None:
    """The pool's beliefs and features, computed once per set of categories, are what each
    candidate's alone would be: items that share categories differ in skips, blend, answer and
    popularity."""
    state = feedback_state.update(FeedbackState(), outcomes("Comedy", 0.6, 10))
    state = feedback_state.update(state, outcomes("Horror", 0.0, 4))
    sets = (["Comedy"], ["Horror", "Comedy"], [], ["Comedy", "Horror"], ["Western"])
    answer = Recommended("i0", None, ["Comedy"], 1.0, {})
    ids = ["Horror0", "Horror1", *(f"i{j}" for j in range(38))]
    pool = [Candidate(item, ItemDetails(None, sets[j % len(sets)], popularity=j * 7),
                      j / 40, answer if j % 3 == 0 else None)
            for j, item in enumerate(ids)]  # fmt: skip
    items = {c.item_id: c.details.categories for c in pool}
    found = feedback_state.beliefs(state, items)
    assert found == {i: feedback_state.belief(state, i, cats) for i, cats in items.items()}
    assert found["Horror0"].skips == 1 and found["i5"].skips == 0
    profile = {"Comedy": 0.4, "Horror": 0.1}
    table = feature_table(state, pool, profile)
    for i, c in enumerate(pool):
        alone = feature_table(state, [c], profile)
        assert table.rows[i].tolist() == alone.rows[0].tolist()
        assert table.text(i) == alone.text(0)
        assert table.affinity[i] == found[c.item_id].affinity_mean
        assert table.uncertainty[i] == found[c.item_id].uncertainty
    assert len({table.text(i) for i in range(len(pool))}) == len(pool)
    horror = ids.index("Horror0")  # ["Comedy"], popularity 0, skipped once, in the answer
    b = found["Horror0"]
    assert table.text(horror) == (
        f"aff:{b.affinity_mean:.4f} affmax:{b.affinity_max:.4f} prof:0.4000 profmax:0.4000 "
        f"unc:{b.uncertainty:.4f} neg:{b.negative:.4f} skips:1 blend:0.0000 kept:0 answer:1 "
        "pop:0.0000"
    )


def test_the_bandit_predicts_rows_of_numbers_as_it_predicts_their_text() -> None:
    """The affine shortcut gives VW's own predictions of the actions written as text, for a
    bandit that learnt and for one that knows nothing (every prediction 0)."""
    draw = random.Random(3)
    state = feedback_state.update(FeedbackState(), outcomes("Comedy", 0.6, 30))
    pool = [Candidate(f"i{j}", ItemDetails(None, draw.sample(["Comedy", "Horror", "Drama"],
                                                             draw.randint(0, 2)),
                                           popularity=draw.randint(0, 500)),
                      draw.random() * (j % 2), None) for j in range(60)]  # fmt: skip
    table = feature_table(state, pool, {"Drama": 0.3})
    texts = [table.text(i) for i in range(len(pool))]
    bandit = Bandit()
    assert bandit.predict_rows("fb:0.1 shift:0", ACTION_FEATURES, table.rows).tolist() == [0.0] * 60
    for j in range(400):
        reward = draw.random() * (0.2 + 0.6 * (table.rows[j % 60, 0] > 0.1))
        bandit.learn([Example(f"fb:{j / 400:.4f} shift:{j % 2}", texts[j % 60], reward, 0.3)])
    for shared in ("fb:0.3000 shift:0", "fb:0.9000 shift:1"):
        rows = bandit.predict_rows(shared, ACTION_FEATURES, table.rows)
        assert rows == pytest.approx(bandit.predict(shared, texts), abs=1e-5)
        assert len(set(rows.round(6).tolist())) > 10


def test_the_bandit_predicts_each_action_what_it_learnt() -> None:
    bandit = Bandit()
    for _ in range(100):
        bandit.learn([Example("fb:0", "good:1", 1.0, 0.5), Example("fb:0", "bad:1", 0.0, 0.5)])
    for _ in range(500):  # each prediction's examples go back to VW: none accumulate
        good, bad, again = bandit.predict("fb:0", ["good:1", "bad:1", "good:1"])
    assert good == again and good > 0.8 and bad < 0.2
    assert bandit.predict("fb:0", ["bad:1", "good:1"]) == [bad, good]


def test_the_state_stays_small() -> None:
    state = FeedbackState()
    for batch in range(30):
        state = feedback_state.update(state, outcomes(f"c{batch}", 0.5, 40))
    assert len(state.clicked) <= feedback_state.KEPT_ITEMS
    assert len(state.to_json()) < 40_000


def test_the_logs_become_slates_for_each_target_policy() -> None:
    logged = [{"k": 2, "candidates": 8, "dm_current": 0.3, "dm_random": 0.1, "shown": [
        {"reward": 0.5, "propensity": 0.9, "current": True, "predicted": 0.2},
        {"reward": 0.0, "propensity": 0.1, "current": False, "predicted": 0.05}]}]  # fmt: skip
    current, random_ = slates(logged, "current"), slates(logged, "random")
    assert [i.target_propensity for i in current[0].items] == [1.0, 0.0]
    assert [i.target_propensity for i in random_[0].items] == [0.25, 0.25]
    assert current[0].direct_value == 0.3 and random_[0].direct_value == 0.1
    with pytest.raises(ValueError, match="unknown target"):
        slates(logged, "oracle")


def test_an_explored_item_says_so_and_why() -> None:
    state = feedback_state.update(FeedbackState(), outcomes("Comedy", 0.5, 10))
    comedy = Candidate("c", ItemDetails("A comedy", ["Comedy"]), 0.0, None)
    western = Candidate("w", ItemDetails("A western", ["Western", "Comedy"]), 0.0, None)
    explored = shown_item(Pick(western, 0.02, True), 3, state)
    assert explored.explored and explored.position == 3 and explored.propensity == 0.02
    assert explored.reason == Explored("Western", 0.0)  # the category least known
    followed = shown_item(Pick(comedy, 0.9, False), 1, state)
    assert isinstance(followed.reason, FedBack) and followed.reason.category == "Comedy"
    assert followed.reason.rate == pytest.approx(0.5)
    assert reason(explored.reason).startswith("shown to explore: little is known")
    assert reason(followed.reason).startswith("you engaged with Comedy lately")


def test_a_bandit_that_knows_nothing_yet_follows_the_ranking() -> None:
    """A new user (no kept ranking, no feedback) under a bandit with no outcomes to go on: every
    prediction ties, so the greedy list is the ranking's answer in its order, not ids' order."""
    ranked = [Recommended(f"z{n}", None, ["c"], 1.0 - n / 10, {}) for n in range(5)]
    answer = Recommendations("u", AT, None, False, ranked)
    pool = [Candidate(r.item_id, ItemDetails(None, ["c"]), r.score / ranked[0].score, r)
            for r in ranked] + candidates(20)  # fmt: skip
    for seed in range(5):
        choice = choose("bandit", pool, answer, FeedbackState(), 5, learner=None,
                        rng=random.Random(seed))  # fmt: skip
        greedy = [p.candidate.item_id for p in choice.picks if not p.explored]
        assert greedy == [r.item_id for r in ranked][: len(greedy)]
    unscored = [Candidate(r.item_id, ItemDetails(None, ["c"]), 0.0, r) for r in ranked]
    choice = choose("bandit", unscored + candidates(20), answer, FeedbackState(), 5,
                    learner=None, rng=random.Random(0))  # fmt: skip
    greedy = [p.candidate.item_id for p in choice.picks if not p.explored]
    assert greedy == [r.item_id for r in ranked][: len(greedy)]  # equals: the answer's order


@pytest.mark.parametrize("seed", range(20))
def test_the_top_k_are_the_first_k_of_the_whole_pool_sorted(seed: int) -> None:
    """Scores with many ties (a few distinct values), part of the pool in the current answer:
    ``top_k`` orders only what can reach the top, and gives what sorting everything gives."""
    rng = random.Random(seed)
    n, k = rng.randint(1, 60), rng.randint(1, 12)
    pool = candidates(n)
    rng.shuffle(pool)
    current = rng.sample(pool, rng.randint(0, n))
    scores = np.array([rng.choice([0.1, 0.2, 0.3, 0.5]) for _ in pool])
    order = {c.item_id: rank for rank, c in enumerate(current)}
    everything = sorted(range(n), key=lambda i: (
        -scores[i], order.get(pool[i].item_id, len(order)), pool[i].item_id))  # fmt: skip
    assert top_k(scores, pool, current, k) == everything[:k]


def test_the_pool_scores_a_ranked_answer_but_not_a_cold_starts_popular_items() -> None:
    class NoCategories:
        def category_tops(self) -> CategoryTops:
            return CategoryTops({}, {})

    ranked = [Recommended(f"z{n}", None, ["c"], 5.0 - n, {}) for n in range(3)]
    warm = Recommendations("u", AT, None, False, ranked)
    pool = candidate_pool(None, NoCategories(), "u", warm, None, FeedbackState())  # type: ignore[arg-type]
    assert [c.blend for c in pool] == [1.0, 0.8, 0.6]  # the ranking's score, scaled to its best
    cold = Recommendations("u", AT, None, True, ranked)  # popular items: counts, not a ranking
    pool = candidate_pool(None, NoCategories(), "u", cold, None, FeedbackState())  # type: ignore[arg-type]
    assert all(c.blend == 0.0 for c in pool)
