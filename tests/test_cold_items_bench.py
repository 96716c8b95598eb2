"""The new-items benchmark (``bench.cold_items``): its pure parts, on data written here."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from bench import cold_items as ci
from service import new_items

DAY = 86_400


def five(user: int, items: list[int], last: float = 5.0) -> list[tuple[int, int, float]]:
    """Five ratings by time: the oldest four train (ceil 80%), the newest is held out."""
    return [((user * 10 + t) * DAY, m, last if t == 4 else 4.0) for t, m in enumerate(items)]


def test_new_items_are_a_seeded_share_of_the_rated_items() -> None:
    items = list(range(100, 150)) * 2
    chosen = ci.choose_new_items(items, seed=7)
    assert len(chosen) == 10 and chosen <= set(range(100, 150))
    assert chosen == ci.choose_new_items(list(reversed(items)), seed=7)  # order does not matter
    assert chosen != ci.choose_new_items(items, seed=8)


def test_new_items_have_no_training_rating_and_positives_are_new_items_only() -> None:
    ratings = {str(u): five(u, [u, u + 1, u + 2, u + 3, 50 + u]) for u in range(1, 40)}
    split = ci.cold_split(ratings, seed=3)
    new = split.new_items
    assert new and len(new) == round(0.2 * len({m for r in ratings.values() for _, m, _ in r}))
    for user, events in split.train.items():
        assert all(m not in new for _, m, _ in events)
        before, _ = ci.baselines.split(ratings[user])
        assert [e for e in before if e[1] not in new] == events  # the rest of training is kept
        assert split.cuts[user] == max(t for t, _, _ in before)
    assert split.positives
    for user, wanted in split.positives.items():
        assert wanted <= new
        assert wanted == {50 + int(user)}  # the held-out rating, when its item is new
    held_new = {u for u in ratings if 50 + int(u) in new}
    assert set(split.positives) == held_new


def test_low_held_out_ratings_and_items_rated_before_the_cut_are_not_positives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ratings = {
        "1": five(1, [10, 11, 12, 13, 20], last=3.5),  # held out, but below 4
        "2": five(2, [20, 11, 12, 13, 21]),  # 20 rated in training: not a candidate for 2
        "3": five(3, [11, 12, 13, 14, 20]),
    }
    new = frozenset({20, 21})
    monkeypatch.setattr(ci, "choose_new_items", lambda items, *, seed, share: new)
    split = ci.cold_split(ratings, seed=0)
    assert "1" not in split.positives
    assert split.positives == {"2": {21}, "3": {20}}
    assert split.seen_new["2"] == {20}
    assert split.candidates("2") == [21] and split.candidates("3") == [20, 21]
    assert split.train["2"] == [e for e in ratings["2"][:4] if e[1] != 20]


def test_tags_loaded_are_those_before_each_users_cut_on_catalogue_items() -> None:
    tags = {"1": [(5, 10, "early"), (9, 99, "not in catalogue"), (11, 10, "late")],
            "2": [(1, 10, "x")]}  # fmt: skip
    assert ci.loaded_tags(tags, {"1": 10}, {10}) == {"1": [(5, 10, "early")]}
    assert ci.tagged_positives({"1": {10, 11}}, {"1": [(5, 10, "early")]}) == 1


def test_halves_are_seeded_disjoint_and_cover_the_users() -> None:
    users = [str(u) for u in range(1, 22)]
    dev, test = ci.halves(users, seed=2)
    assert len(dev) == 10 and len(test) == 11
    assert set(dev) | set(test) == set(users) and not set(dev) & set(test)
    assert (dev, test) == ci.halves(list(reversed(users)), seed=2)


def test_genre_popularity_ranks_items_by_their_genres_training_ratings() -> None:
    genres = {1: ["Drama"], 2: ["Comedy"], 3: ["Drama", "Comedy"], 4: [], 5: ["Horror"]}
    train = {"a": [(1, 1, 4.0), (2, 2, 2.0)], "b": [(1, 1, 5.0), (2, 3, 3.0)]}
    # Drama: items 1, 1, 3 -> 3 ratings; Comedy: items 2, 3 -> 2
    scores = ci.genre_popularity(train, genres, [3, 4, 5, 6])
    assert scores == {3: 2.5, 4: 0.0, 5: 0.0, 6: 0.0}
    assert ci.rank_items(scores, [6, 5, 4, 3], {}) == [3, 4, 5, 6]  # ties by id


def test_genre_profile_uses_the_shares_of_liked_genres() -> None:
    genres = {1: ["Drama"], 2: ["Drama", "War"], 3: ["Comedy"], 7: ["War"], 8: ["Comedy"],
              9: ["Drama", "War"]}  # fmt: skip
    liked = ci.liked_items([(1, 1, 4.0), (2, 2, 5.0), (3, 3, 2.0)])
    assert liked == [1, 2]
    scores = ci.genre_profile(liked, genres, [7, 8, 9])
    assert scores == pytest.approx({7: 1 / 3, 8: 0.0, 9: 1.0})
    popularity = {8: 5.0, 7: 1.0}
    assert ci.rank_items(scores, [7, 8, 9], popularity) == [9, 7, 8]
    assert ci.genre_profile([], genres, [7, 8]) == {7: 0.0, 8: 0.0}
    # nothing liked: every score ties, the genre popularity decides
    assert ci.rank_items(ci.genre_profile([], genres, [7, 8]), [7, 8], popularity) == [8, 7]


def test_tfidf_ranks_by_shared_words_in_titles_and_tags() -> None:
    titles = {1: "Alien (1979)", 2: "Heat (1995)", 3: "Aliens (1986)", 4: "Toy Story (1995)"}
    tags = {"5": [(1, 3, "space marines")], "2": [(1, 1, "space horror")]}
    docs = ci.item_texts([1, 2, 3, 4], titles, tags)
    assert docs[1] == "Alien (1979) space horror" and docs[2] == "Heat (1995)"
    score = ci.tfidf_scorer(docs)
    found = score("space horror", [2, 3, 4, 1])
    assert set(found) == {1, 2, 3, 4}
    assert ci.rank_items(found, [2, 3, 4, 1], {4: 9.0, 2: 1.0}) == [1, 3, 4, 2]
    assert found[1] > found[3] > 0 and found[2] == 0.0


def test_profile_affinity_sums_the_targets_an_item_reaches() -> None:
    targets = {"category:Drama": 2.0, "interest:space": 0.5}
    reaches = {1: ["category:Drama", "interest:space"], 2: ["category:War"], 3: ["interest:space"]}
    assert ci.profile_affinity(targets, reaches) == {1: 2.5, 3: 0.5}


def test_cosines_and_category_popularity() -> None:
    found = ci.cosines(np.array([1.0, 0.0]), {1: np.array([2.0, 0.0]), 2: np.array([0.0, 3.0])})
    assert found == pytest.approx({1: 1.0, 2: 0.0})
    categories = {1: ["A"], 2: ["A", "B"], 3: ["B"], 4: []}
    popularity = {1: 10, 2: 0, 3: 4}
    assert ci.category_popularity(categories, popularity, [2, 3, 4]) == {2: 7.0, 3: 4.0, 4: 0.0}


def test_targets_weigh_rare_targets_and_items_with_few_targets_higher() -> None:
    # 10 catalogue items: Drama on 8 of them, the interest "space" on 2, War on 1
    frequency = Counter({"category:Drama": 8, "interest:space": 2, "category:War": 1})
    reaches = {1: ["category:Drama"], 2: ["category:Drama", "interest:space"],
               3: ["category:War"], 4: ["category:Drama", "category:Drama"]}  # fmt: skip
    profiles = ci.TargetProfiles({}, reaches, frequency, 10)
    assert new_items.idf(8, 10) == pytest.approx(np.log(10 / 8))
    assert new_items.idf(0, 10) == new_items.idf(1, 10)
    items = profiles.items(0.5)
    assert items[2] == pytest.approx({"category:Drama": np.log(1.25),
                                      "interest:space": 0.5 * np.log(5)})  # fmt: skip
    assert items[4] == items[1]  # a target reached twice counts once
    user = {"category:Drama": 1.0, "interest:space": 1.0}
    found = new_items.target_cosines(user, items)
    assert set(found) == {1, 2, 4}  # War shares nothing with the user
    assert found[2] > found[1] and found[1] == pytest.approx(1 / np.sqrt(2))
    assert new_items.target_cosines({}, items) == {}


def test_the_about_factor_is_chosen_on_dev_users_only() -> None:
    frequency = Counter({"category:A": 2, "category:B": 2, "category:C": 2, "interest:x": 2})
    reaches = {1: ["category:A", "category:B", "category:C"], 2: ["interest:x", "category:B"]}
    targets = {u: {"category:A": 1.0, "interest:x": 1.0} for u in ("1", "2")}
    profiles = ci.TargetProfiles(targets, reaches, frequency, 4)
    # cosines: item 1 1/sqrt(6); item 2 f/sqrt(2 (1 + f^2)), above item 1's only when f = 1
    split = ci.ColdSplit(frozenset({1, 2}), {}, {}, {}, {"1": {1}, "2": {2}})
    tie: dict[str, ci.Scores] = {"1": {}, "2": {}}
    factor, found = ci.choose_about_factor(profiles, split, ["1"], tie)
    assert factor == 0.0 and found["0"] == found["0.25"] == found["0.5"] == 1.0 > found["1"]
    factor, found = ci.choose_about_factor(profiles, split, ["2"], tie)
    assert factor == 1.0 and found["1"] == 1.0 > found["0.5"]


def test_a_feature_table_ranks_as_rank_items_does_ties_included() -> None:
    scores: dict[str, dict[str, ci.Scores]] = {
        ci.PROFILE: {"u": {1: 2.0, 2: 2.0, 3: 1.0, 4: 0.0}},
        ci.EMBEDDING: {"u": {5: -1.0}},
        ci.TARGETS: {"u": {}},
        ci.CATEGORY_POP: {"u": {}},
        ci.GENRE_POP: {"u": {2: 3.0, 1: 3.0, 4: 9.0}},
    }
    table = ci.feature_table(scores, "u", [5, 4, 3, 2, 1, 6])
    assert sorted(table.ids.tolist()) == [1, 2, 3, 4, 5]  # 6: no feature scores it
    weights = {"profile": 1.0, "embedding": 0.5, "targets": 0.0, "category_popularity": 0.0}
    by_hand = {1: 1.0, 2: 1.0, 3: 0.5, 4: 0.0, 5: -0.5}  # normalised by the best, then weighed
    expected = ci.rank_items(by_hand, [5, 4, 3, 2, 1, 6], scores[ci.GENRE_POP]["u"])
    assert table.ranked(weights) == expected == [1, 2, 3, 4, 5]
    assert table.ranked(weights, k=2) == [1, 2]


def test_combination_is_chosen_on_dev_users_only() -> None:
    def scores_for(
        profile_hits: dict[str, int], embedding_hits: dict[str, int]
    ) -> dict[str, dict[str, ci.Scores]]:
        items = [1, 2, 3]
        return {
            ci.PROFILE: {u: {m: float(m == h) for m in items} for u, h in profile_hits.items()},
            ci.EMBEDDING: {u: {m: float(m == h) for m in items} for u, h in embedding_hits.items()},
            ci.TARGETS: {u: {} for u in profile_hits},
            ci.CATEGORY_POP: {u: {1: 1.0, 2: 0.5, 3: 0.0} for u in profile_hits},
            ci.GENRE_POP: {u: {} for u in profile_hits},
        }

    split = ci.ColdSplit(frozenset({1, 2, 3}), {}, {}, {},
                         {"1": {2}, "2": {2}, "3": {3}})  # fmt: skip
    # on dev users 1 and 2 the embedding finds the positive, the profile does not
    scores = scores_for({"1": 3, "2": 3, "3": 3}, {"1": 2, "2": 2, "3": 1})
    weights = ci.choose_weights(scores, split, ["1", "2"])
    assert weights["embedding"] > weights["profile"]
    assert weights["dev_ndcg@10"] == pytest.approx(1.0)
    # the test user (3) would have wanted the profile: it is not consulted
    assert ci.feature_table(scores, "3", [1, 2, 3]).ranked(weights)[0] == 1


def test_summary_takes_the_best_baseline_and_the_ratio() -> None:
    def rows(values: list[float]) -> list[dict[str, float]]:
        return [{"ndcg@10": v, "recall@10": v} for v in values]

    per_user = {
        ci.OURS: rows([0.4, 0.2, 0.6]),
        ci.GENRE_POP: rows([0.1, 0.1, 0.1]),
        ci.GENRE_PROFILE: rows([0.3, 0.1, 0.5]),
        ci.TFIDF: rows([0.0, 0.0, 0.3]),
    }
    summary = ci.summarise(per_user, seed=1)
    paired = summary["ours_minus_best_baseline"]
    assert paired["baseline"] == ci.GENRE_PROFILE
    assert paired["ndcg@10"]["mean"] == pytest.approx(0.1)
    assert paired["ndcg@10"]["ci95"] == pytest.approx([0.1, 0.1])
    assert paired["ratio_ndcg@10"] == pytest.approx(0.4 / 0.3)


def test_the_services_factor_is_chosen_on_its_own_lists_of_dev_users() -> None:
    split = ci.ColdSplit(frozenset({1, 2}), {}, {}, {}, {"1": {1}, "2": {2}})
    lists = {f: {"1": [2, 1], "2": [2, 1]} for f in ci.ABOUT_FACTORS}
    lists[0.5] = {"1": [1, 2], "2": [1, 2]}  # best for dev user "1", worst for "2"
    factor, found = ci.choose_list_factor(lists, split, ["1"])
    assert factor == 0.5 and found["0.5"] == 1.0 > found["0"]
    factor, found = ci.choose_list_factor(lists, split, ["2"])
    assert factor == ci.ABOUT_FACTORS[0] and found["0.5"] < found["0"] == 1.0
