"""The text-only users benchmark (``bench.text_users``): its pure parts, on data written here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench import text_users as tu
from bench.baselines import metrics
from bench.intervals import bootstrap_interval

DAY = 86_400


def ratings_of(*rows: tuple[int, int, float]) -> list[tuple[int, int, float]]:
    return sorted(rows)


def test_tags_are_read_by_user_in_time_order(tmp_path: Path) -> None:
    (tmp_path / "tags.csv").write_text(
        "userId,movieId,tag,timestamp\n"
        "7,20,space opera,300\n"
        "7,10,funny,100\n"
        '8,10,"dark, gritty",50\n',
        encoding="utf-8",
    )
    assert tu.read_tags(tmp_path) == {
        "7": [(100, 10, "funny"), (300, 20, "space opera")],
        "8": [(50, 10, "dark, gritty")],
    }


def test_pre_cut_tags_stop_at_the_last_training_rating() -> None:
    train = ratings_of((10 * DAY, 1, 4.0), (20 * DAY, 2, 3.0))
    tags = [(5 * DAY, 1, "early"), (20 * DAY, 2, "at the cut"), (20 * DAY + 1, 3, "after")]
    assert tu.pre_cut_tags(tags, train) == [(5 * DAY, 1, "early"), (20 * DAY, 2, "at the cut")]
    assert tu.pre_cut_tags(tags, []) == []


def test_text_only_users_need_a_pre_cut_tag_and_a_held_out_positive() -> None:
    # five ratings: the oldest four train (ceil 80%), the newest is held out
    def five(last: float) -> list[tuple[int, int, float]]:
        return [(t * DAY, 100 + t, 3.0) for t in range(1, 5)] + [(9 * DAY, 200, last)]

    ratings = {"1": five(4.0), "2": five(4.0), "3": five(3.5), "4": five(5.0)}
    tags = {
        "1": [(2 * DAY, 101, "sci-fi")],  # before the cut, positive held out: counts
        "2": [(8 * DAY, 200, "too late")],  # only after the cut (day 4)
        "3": [(DAY, 101, "noir")],  # before the cut, but the held-out rating is 3.5
    }
    split = tu.split_users(ratings, tags)
    assert split.text_users == {"1": [(2 * DAY, 101, "sci-fi")]}
    assert split.others == ["2", "3", "4"]
    assert [m for _, m, _ in split.train["1"]] == [101, 102, 103, 104]
    assert [m for _, m, _ in split.held["1"]] == [200]
    # the others' tags that may be loaded: before their own cut only
    assert split.other_tags(tags) == {"3": [(DAY, 101, "noir")]}


def test_validation_holds_none_of_the_test_ratings() -> None:
    """A text-only user's training ratings split again: tags up to the earlier cut, positives
    after it and before the test cut; a user without either is left out."""
    # ten ratings: eight train (the test cut: day 8); of those, seven are before the validation
    # cut (day 7) and one, on day 8, is a validation positive
    ratings = {u: [(t * DAY, 100 + t, 4.0) for t in range(1, 11)] for u in ("1", "2", "3")}
    ratings["3"][7] = (8 * DAY, 108, 3.0)  # its only validation rating is not positive
    tags = {
        "1": [(2 * DAY, 102, "early"), (8 * DAY, 108, "after the validation cut")],
        "2": [(8 * DAY, 108, "only after the validation cut")],
        "3": [(2 * DAY, 102, "early")],
    }
    split = tu.split_users(ratings, tags)
    assert sorted(split.text_users) == ["1", "2", "3"]
    found = tu.validation_users(split, tags)
    assert found == {"1": tu.Earlier([(2 * DAY, 102, "early")], {108})}
    assert not found["1"].positives & {m for _, m, _ in split.held["1"]}


def test_the_smoke_subset_takes_the_users_with_fewest_ratings() -> None:
    ratings = {
        str(u): [(t, t, 4.0) for t in range(1, 5 + u)] + [(100, 999, 5.0)] for u in range(1, 7)
    }
    tags = {u: [(1, 1, "tag")] for u in ("5", "2", "6")}
    split = tu.split_users(ratings, tags)
    small = tu.subset(split, text_users=2, others=1)
    assert sorted(small.text_users) == ["2", "5"]
    assert small.others == ["1"]
    assert sorted(small.train) == ["1", "2", "5"]


def test_positives_outside_the_catalogue_are_misses() -> None:
    held = [(1, 10, 4.0), (2, 11, 2.0), (3, 12, 5.0)]
    found = tu.positive_columns(held, {10: 0, 11: 1})
    assert 0 in found and 1 not in found and len(found) == 2
    assert metrics([0, 1], found)["recall@10"] == 0.5


def test_most_popular_counts_users_once_and_breaks_ties_by_item() -> None:
    items = [10, 20, 30, 40]
    loaded = {
        "a": [(1, 20, 4.0), (2, 20, 1.0), (3, 30, 5.0)],  # 20 twice by one user: once
        "b": [(1, 30, 4.0), (2, 40, 2.0)],
        "c": [(1, 40, 4.0)],
    }
    popularity = tu.popularity_counts(items, loaded)
    assert popularity.tolist() == [0, 1, 2, 2]
    assert tu.most_popular(popularity, 3) == [2, 3, 1]


def test_item_documents_join_the_title_and_tags() -> None:
    tags = {"9": [(1, 1, "space horror")], "3": [(5, 1, "xenomorph")]}
    docs = tu.item_documents([1, 2], {1: "Alien (1979)", 2: "Heat (1995)"}, tags)
    assert docs == ["Alien (1979) xenomorph space horror", "Heat (1995)"]


def test_tfidf_ranks_by_matching_words_then_popularity() -> None:
    documents = [
        "Toy Story (1995) pixar animation",
        "Alien (1979) space horror",
        "Heat (1995) heist crime",
        "Aliens (1986) space marines",
        "Jumanji (1995)",
    ]
    popularity = np.array([5.0, 1.0, 3.0, 2.0, 9.0])
    rank = tu.tfidf_ranker(documents, popularity, 4)
    found = rank("space horror")
    assert found[:2] == [1, 3]  # both words, then one of them
    assert found[2:] == [4, 0]  # no shared word: by popularity
    assert rank("nothing in common") == [4, 0, 2, 3]


def test_bootstrap_interval_is_seeded_and_brackets_the_mean() -> None:
    values = [0.0] * 30 + [1.0] * 10
    low, high = bootstrap_interval(values, seed=3)
    assert (low, high) == bootstrap_interval(values, seed=3)
    assert low < 0.25 < high
    assert 0.1 < low and high < 0.4
    assert bootstrap_interval([0.5] * 8, seed=1) == (0.5, 0.5)


def test_summary_pairs_ours_with_the_best_baseline() -> None:
    def rows(ndcg: list[float]) -> list[dict[str, float]]:
        return [{"ndcg@10": v, "recall@10": v, "hr@10": float(v > 0)} for v in ndcg]

    per_user = {
        tu.OURS: rows([0.5, 0.4, 0.6, 0.5]),
        tu.OURS_CURRENT: rows([0.5, 0.4, 0.6, 0.5]),
        tu.MOST_POP: rows([0.1, 0.0, 0.2, 0.1]),
        tu.TFIDF: rows([0.3, 0.2, 0.4, 0.3]),
    }
    summary = tu.summarise(per_user, seed=1)
    paired = summary["ours_minus_best_baseline"]
    assert paired["baseline"] == tu.TFIDF
    assert paired["ndcg@10"]["mean"] == pytest.approx(0.2)
    assert paired["ndcg@10"]["ci95"] == pytest.approx([0.2, 0.2])  # the same gap for everyone
    assert summary[tu.MOST_POP]["ndcg@10"]["mean"] == pytest.approx(0.1)
    low, high = summary[tu.MOST_POP]["ndcg@10"]["ci95"]
    assert 0.0 <= low < 0.1 < high <= 0.2


def test_answers_map_to_catalogue_columns_and_reasons_to_kinds() -> None:
    items = [{"item_id": "20"}, {"item_id": "999"}, {"item_id": "x1"}]
    assert tu.columns(items, {10: 0, 20: 1}) == [1, -(10**9), -(10**9)]
    assert tu.reason_kind("you like sci-fi (3 signals, latest 2016-01-01)") == "you like"
    assert tu.reason_kind("popular lately") == "popular lately"
    assert tu.reason_kind(None) == "none"
