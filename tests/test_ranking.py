"""Ranking and the recommendation answers from plain data, without Neo4j: the candidates of the
sources, the blend and spread, explanation paths, and how the answers are written as JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np

from graph.evolution.strength import Strength
from service.api.recommendation_json import recommendations_json, similar_json
from service.precomputed import decode, encode, kept_answer
from service.recommend import (
    NEIGHBOURS,
    BlendWeights,
    Candidate,
    EmbeddingAnchor,
    Gathered,
    HistoryItem,
    ItemDetails,
    ItemModelAnchor,
    Liked,
    NeighbourHit,
    NeighbourPath,
    Popular,
    PopularHit,
    ProfileHit,
    ProfilePath,
    Recommendations,
    Similar,
    SimilarItems,
    add_popularity,
    blend,
    collect_candidates,
    embedding_anchors,
    explained_items,
    popular_items,
    recommended_items,
    spread,
    target_rows,
    weighted_history,
)

AS_OF = datetime(2024, 5, 1, 12, tzinfo=UTC)
DAY = 86_400


def test_blend_scales_each_source_and_spread_mixes_categories() -> None:
    a = Candidate("a", {"profile": 2.0, "popularity": 1.0})
    b = Candidate("b", {"profile": 1.0, "embedding": 0.5})
    c = Candidate("c", {"embedding": 0.25})
    ranked = blend([c, b, a], BlendWeights(profile=1.0, embedding=1.0, neighbours=0, popularity=0))
    assert [x.item for x in ranked] == ["b", "a", "c"]  # 0.5 + 1.0, 1.0, 0.5
    categories = {"a": ["Drama"], "b": ["Drama"], "c": ["Horror"]}
    assert [x.item for x in spread(ranked, 2, categories)] == ["b", "a"]
    c.score = 0.9
    assert [x.item for x in spread(ranked, 2, categories)] == ["b", "c"]  # 1.0 × 0.8 < 0.9


def test_of_equal_scores_the_more_popular_ranks_first() -> None:
    """A profile of a few targets (a user known by a few texts) scores many items alike."""
    a = Candidate("a", {"profile": 1.0}, popularity=2)
    b = Candidate("b", {"profile": 1.0}, popularity=9)
    c = Candidate("c", {"profile": 1.0}, popularity=2)
    d = Candidate("d", {"profile": 0.5}, popularity=90)
    assert [x.item for x in blend([d, c, a, b], BlendWeights())] == ["b", "a", "c", "d"]


def test_candidates_of_every_source_meet_once_per_item() -> None:
    found = collect_candidates(
        [ProfileHit("a", 1.5, ["category:Drama"])],
        [("a", 0.4), ("b", 0.2)],
        [("c", 0.9)],
        [NeighbourHit("b", 1.2, 3)],
    )
    assert list(found) == ["a", "b", "c"]
    add_popularity(found, {"a": ItemDetails("A", ["Drama"], popularity=9)})
    a, b, c = found["a"], found["b"], found["c"]
    assert a.via == ["category:Drama"] and a.popularity == 9
    assert a.features == {"profile": 1.5, "items": 0.4, "popularity": np.log1p(9)}
    assert b.features == {"items": 0.2, "neighbours": 1.2, "popularity": 0.0} and b.users == 3
    assert c.features == {"embedding": 0.9, "popularity": 0.0}


def test_the_history_weighs_the_last_interactions_most_and_lists_what_was_seen() -> None:
    history, seen = weighted_history([("a", 1.0, 10), ("b", -1.0, 20), ("c", 1.0, 30)])
    assert seen == ["a", "b", "c"]
    assert [h.item for h in history] == ["a", "c"]  # the dislike leads nowhere
    assert history[1] == HistoryItem("c", 1.0, 30) and 0 < history[0].weight < 1


def test_profile_targets_are_passed_by_type_and_key() -> None:
    target = Strength("interest:jazz", 0.5, 0.5, 0.5, 2, 0.0)
    assert target_rows([target]) == [{"type": "interest", "key": "jazz", "strength": 0.5}]


def test_the_nearest_liked_item_anchors_an_embedding_explanation() -> None:
    liked = [Liked("x", "X", AS_OF), Liked("y", "Y", AS_OF), Liked("novector", None, AS_OF)]
    vectors = {"x": np.array([1.0, 0.0], dtype=np.float32),
               "y": np.array([0.0, 2.0], dtype=np.float32),
               "i": np.array([0.1, 1.0], dtype=np.float32)}  # fmt: skip
    found = embedding_anchors(liked, vectors, ["i", "missing"])
    assert list(found) == ["i"] and found["i"].liked.item == "y"
    assert abs(found["i"].similarity - 1.0 / np.hypot(0.1, 1.0)) < 1e-6
    assert embedding_anchors([], vectors, ["i"]) == {}


def explained() -> Recommendations:
    """Two explained items: one reached by every source, one by none (shown as popular)."""
    target = Strength("category:Drama", 0.4, 0.6, 0.5123456, 4, AS_OF.timestamp() - DAY)
    full = Candidate("i", {"profile": 1.0, "items": 0.25, "popularity": 0.0}, via=[
        "category:Drama", "interest:gone"], users=3, score=1.23456789)  # fmt: skip
    bare = Candidate("j", {"popularity": 0.5}, score=0)
    gathered = Gathered(
        [target], [], [HistoryItem("h", 0.5, int(AS_OF.timestamp()) - 2 * DAY)], None,
        {"i": full, "j": bare}, {"i": ItemDetails("I", ["Drama"]), "j": ItemDetails("J", [])},
    )  # fmt: skip
    items = explained_items(
        [full, bare], gathered, {"i": ItemModelAnchor("i", "h", "H", 0.123456789)},
        {"i": EmbeddingAnchor(Liked("e", "E", AS_OF), 0.87654321)},
    )  # fmt: skip
    return Recommendations("caller", AS_OF, "run-1", False, items)


def test_explanations_are_paths_of_facts_strongest_source_first() -> None:
    full, bare = explained().items
    assert full.explanations is not None and bare.explanations == []
    assert [e.source for e in full.explanations] == ["profile", "items", "embedding", "neighbours"]
    assert full.explanations[0] == ProfilePath(
        "i", "category", "Drama", 0.5123456, 4, datetime(2024, 4, 30, 12, tzinfo=UTC)
    )
    assert full.explanations[3] == NeighbourPath("i", 3, NEIGHBOURS)
    assert full.reason == full.explanations[0] and bare.reason == Popular(0)
    assert full.sources == {"items": 0.25, "popularity": 0.0, "profile": 1.0}


def test_the_answer_is_written_with_rounded_scores_iso_instants_and_reasons_in_words() -> None:
    body = recommendations_json(explained())
    assert list(body) == ["user_id", "as_of", "embedding_run", "cold_start", "items",
                          "precomputed"]  # fmt: skip
    assert body["as_of"] == "2024-05-01T12:00:00Z" and body["precomputed"] is False
    full, bare = body["items"]
    assert list(full) == ["item_id", "title", "categories", "score", "sources", "explanations",
                          "reason"]  # fmt: skip
    assert full["score"] == 1.234568 and bare["score"] == 0
    assert full["explanations"] == [
        {"source": "profile",
         "path": [{"user": "caller"}, {"category": "Drama", "strength": 0.5123, "signals": 4,
                   "last_signal_at": "2024-04-30T12:00:00Z"}, {"item": "i"}],
         "reason": "you like Drama (4 signals, latest 2024-04-30)"},
        {"source": "items",
         "path": [{"user": "caller"}, {"item": "h", "title": "H", "at": "2024-04-29T12:00:00Z"},
                  {"item": "i", "weight": 0.123457}],
         "reason": "people who liked H (you, 2024-04-29) liked this too"},
        {"source": "embedding",
         "path": [{"user": "caller"}, {"item": "e", "title": "E", "at": "2024-05-01T12:00:00Z"},
                  {"item": "i", "similarity": 0.8765}],
         "reason": "similar to E, which you liked on 2024-05-01"},
        {"source": "neighbours",
         "path": [{"user": "caller"}, {"similar_users": 3}, {"item": "i"}],
         "reason": f"liked by 3 of the {NEIGHBOURS} users most like you"},
    ]  # fmt: skip
    assert full["reason"] == "you like Drama (4 signals, latest 2024-04-30)"
    assert bare["explanations"] == [] and bare["reason"] == "popular"


def test_an_unexplained_answer_has_no_reasons() -> None:
    chosen = [Candidate("i", {"profile": 0.3333333333}, score=0.5)]
    items = recommended_items(chosen, {})
    body = recommendations_json(Recommendations("u", AS_OF, None, False, items))
    assert body["items"] == [{"item_id": "i", "title": None, "categories": [], "score": 0.5,
                              "sources": {"profile": 0.333333}}]  # fmt: skip


def test_a_cold_start_shows_popular_items_with_whole_counts() -> None:
    items = popular_items([PopularHit("p", 5, 40), PopularHit("q", 0, 30)],
                          {"p": ItemDetails("P", ["Drama"], 40)})  # fmt: skip
    body = recommendations_json(Recommendations("u", AS_OF, None, True, items))
    assert json.dumps(body["items"]) == json.dumps([
        {"item_id": "p", "title": "P", "categories": ["Drama"], "score": 5.0,
         "sources": {"recent_positives": 5, "popularity": 40}, "reason": "popular lately"},
        {"item_id": "q", "title": None, "categories": [], "score": 0.0,
         "sources": {"recent_positives": 0, "popularity": 30}, "reason": "popular"},
    ])  # fmt: skip


def test_a_kept_ranking_round_trips_and_answers_like_the_live_one() -> None:
    ranked = blend([Candidate("a", {"profile": 1.0}), Candidate("b", {"items": 0.5})],
                   BlendWeights())  # fmt: skip
    details = {"a": ItemDetails("A", ["Drama"], 3), "b": ItemDetails("B", ["Drama"], 1)}
    text = encode(ranked, details)
    again, kept = decode(text)
    assert [(c.item, c.score, c.features) for c in again] == [
        (c.item, c.score, c.features) for c in ranked
    ]
    assert kept == {"a": ItemDetails("A", ["Drama"]), "b": ItemDetails("B", ["Drama"])}
    answer = kept_answer("caller", AS_OF, "run-1", again, kept, 2)
    live = Recommendations("caller", AS_OF, "run-1", False,
                           recommended_items(spread(ranked, 2, {"a": ["Drama"], "b": ["Drama"]}),
                                             details))  # fmt: skip
    body, live_body = recommendations_json(answer), recommendations_json(live)
    assert list(body) == ["user_id", "as_of", "embedding_run", "cold_start", "precomputed",
                          "items"]  # fmt: skip
    assert body["precomputed"] is True and body["items"] == live_body["items"]


def test_similar_items_are_written_with_their_details() -> None:
    answer = SimilarItems(
        "i",
        "co-interaction",
        None,
        [Similar("j", 2.0, ItemDetails("J", ["Drama"], 7)), Similar("k", 0.1234567, None)],
    )
    assert similar_json(answer) == {
        "item_id": "i", "method": "co-interaction", "embedding_run": None,
        "similar": [{"item_id": "j", "title": "J", "categories": ["Drama"], "popularity": 7,
                     "score": 2.0}, {"item_id": "k", "score": 0.123457}],
    }  # fmt: skip
