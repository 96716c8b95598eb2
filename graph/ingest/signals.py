"""How much one interaction says about a user's interest in an item: pure functions, no I/O."""

from __future__ import annotations

#: Weight of one event by kind; ``rate`` is weighted by its value instead.
KIND_WEIGHTS: dict[str, float] = {
    "view": 0.25,
    "click": 0.5,
    "dwell": 0.5,
    "bookmark": 0.8,
    "like": 1.0,
    "share": 1.0,
    "add_to_cart": 1.0,
    "purchase": 1.5,
    "dislike": -1.0,
    "rate": 1.0,
}
EVENT_KINDS: tuple[str, ...] = tuple(KIND_WEIGHTS)
RATING_MIN, RATING_MAX = 0.0, 5.0
RATING_NEUTRAL = 2.5


def interaction_weight(kind: str, value: float | None) -> float:
    """Signed weight of an event: positive means interest, negative means aversion.

    A rating maps linearly from the 0–5 scale onto [-1, 1] around the neutral 2.5
    (5 → 1.0, 4 → 0.6, 2 → -0.2); every other kind has a fixed weight.
    """
    if kind == "rate":
        if value is None:
            raise ValueError("a rating needs a value")
        return round((value - RATING_NEUTRAL) / (RATING_MAX - RATING_NEUTRAL), 6)
    return KIND_WEIGHTS[kind]
