"""The item-to-item model (EASE, or a neighbourhood above a catalogue size) and the history
weights that walk it: plain numbers, no I/O."""

from __future__ import annotations

import pytest

from embeddings.item_model import history_weights
from embeddings.item_similarity import ItemSimilarityConfig, Weighting, fit

# six users like a and b, four like c and d, one likes a alone, one likes a and c
PAIRS = [
    *((f"u{n}", item) for n in range(6) for item in ("a", "b")),
    *((f"v{n}", item) for n in range(4) for item in ("c", "d")),
    ("w", "a"), ("x", "a"), ("x", "c"), ("x", "a"),
]  # fmt: skip


def test_items_liked_together_predict_each_other() -> None:
    found = fit(PAIRS, config=ItemSimilarityConfig(regularisation=1.0))
    assert found["a"][0][0] == "b" and found["b"][0][0] == "a"
    assert found["c"][0][0] == "d"
    weights = dict(found["a"])
    assert weights["b"] > weights.get("c", 0.0) and all(w > 0 for _, w in found["a"])
    assert "d" not in weights  # nobody liked a and d: the model gives d a negative weight


def test_neighbours_and_items_are_capped() -> None:
    few = fit(PAIRS, config=ItemSimilarityConfig(regularisation=1.0, neighbours=1))
    assert all(len(similar) == 1 for similar in few.values())
    popular = fit(PAIRS, config=ItemSimilarityConfig(regularisation=1.0, max_items=2, model="ease"))
    assert set(popular) == {"a", "b"}  # a forced EASE: a (8 users) and b (6) only
    assert fit([("u", "a")]) == {}


@pytest.mark.parametrize("weighting", ["bm25", "tfidf", "cosine"])
def test_a_neighbourhood_links_items_liked_together(weighting: Weighting) -> None:
    config = ItemSimilarityConfig(model="neighbourhood", weighting=weighting)
    found = fit(PAIRS, config=config)
    assert set(found) == {"a", "b", "c", "d"}
    assert found["a"][0][0] == "b" and found["b"] == [("a", found["a"][0][1])]  # symmetric
    assert found["c"][0][0] == "d" and dict(found["a"])["b"] > dict(found["a"])["c"] > 0
    assert "d" not in dict(found["a"])  # nobody liked a and d: no edge
    assert all(w > 0 and other != item for item, similar in found.items() for other, w in similar)
    few = fit(PAIRS, config=ItemSimilarityConfig(model="neighbourhood", neighbours=1))
    assert all(len(similar) == 1 for similar in few.values())


def test_above_max_items_every_item_gets_a_neighbourhood_instead_of_ease() -> None:
    above = fit(PAIRS, config=ItemSimilarityConfig(max_items=3))
    assert above == fit(PAIRS, config=ItemSimilarityConfig(model="neighbourhood"))
    assert set(above) == {"a", "b", "c", "d"}  # none left out, as EASE's cap would
    within = fit(PAIRS, config=ItemSimilarityConfig(max_items=4))
    assert within == fit(PAIRS, config=ItemSimilarityConfig(model="ease"))
    assert within != above


def test_history_weights_favour_recent_and_strong_interactions() -> None:
    history = [("old", 1.0), ("disliked", -0.6), ("twice", 0.2), ("mid", 0.6), ("twice", 1.0),
               ("last", 1.0)]  # fmt: skip
    weights = history_weights(history, half_life=1.0, floor=0.1)
    assert "disliked" not in weights
    assert weights["last"] == pytest.approx(1.0)
    assert weights["twice"] == pytest.approx(0.1 + 0.9 * 0.5)  # its later, stronger one counts
    assert weights["mid"] == pytest.approx(0.6 * (0.1 + 0.9 * 0.25))
    assert weights["old"] == pytest.approx(0.1 + 0.9 * 0.5**5)
    assert history_weights([]) == {}
