"""The item-to-item model (EASE) and the history weights that walk it: plain numbers, no I/O."""

from __future__ import annotations

import pytest

from embeddings.item_model import history_weights
from embeddings.item_similarity import ItemSimilarityConfig, fit

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
    popular = fit(PAIRS, config=ItemSimilarityConfig(regularisation=1.0, max_items=2))
    assert set(popular) == {"a", "b"}  # a (8 users) and b (6) take part; c and d do not
    assert fit([("u", "a")]) == {}


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
