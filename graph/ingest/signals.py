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
    "skip": -0.1,  # shown, passed over (feedback on recommendations)
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


# --- feedback on shown items -------------------------------------------------------------------

FEEDBACK_KINDS: tuple[str, ...] = ("impression", "click", "skip", "dislike")
DWELL_CAP_S = 300.0  # dwell beyond five minutes says no more (one outlier cannot dominate)
CLICK_WEIGHT = 0.25  # interest signal of a click with no dwell; a full dwell adds up to 1.0
SKIP_WEIGHT = KIND_WEIGHTS["skip"]  # a shown item passed over: weak evidence against


def reward(clicked: bool, dwell_s: float | None) -> float:
    """The reward of a shown item: click × dwell, the dwell capped at ``DWELL_CAP_S`` and scaled
    to [0, 1]. A click without a dwell earns 0 (the dwell is unknown); no click earns 0."""
    if not clicked or dwell_s is None:
        return 0.0
    return min(max(dwell_s, 0.0), DWELL_CAP_S) / DWELL_CAP_S


def feedback_weight(kind: str, dwell_s: float | None) -> float | None:
    """The interest signal a feedback record leaves (an event's weight), None for an impression:
    a click weighs ``CLICK_WEIGHT`` plus the rest up to 1.0 in proportion to its scaled dwell."""
    if kind == "click":
        return round(CLICK_WEIGHT + (1 - CLICK_WEIGHT) * reward(True, dwell_s or 0.0), 6)
    if kind == "skip":
        return SKIP_WEIGHT
    if kind == "dislike":
        return KIND_WEIGHTS["dislike"]
    return None
