"""What the policy's bandit knows of a user and of each candidate: numbers, and the VW text logged.

A candidate's features are a row of ``ACTION_FEATURES``: the feedback's beliefs of its categories
(``graph.evolution.feedback_state``), the user's profile (short-horizon strength of its
categories, from the history when the ranking was computed), how often the user skipped it, the
kept ranking's score, whether the current answer holds it, and popularity. Values are rounded to
the four decimals the log writes, so the bandit predicts from exactly what it later learns from.
What depends on the categories alone is computed once per set of categories; a pool of hundreds
of candidates is an array, and only the shown items are formatted as text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from graph.evolution import feedback_state
from graph.evolution.feedback_state import FeedbackState

if TYPE_CHECKING:
    from service.policy import Candidate

ACTION_FEATURES = ("aff", "affmax", "prof", "profmax", "unc", "neg",
                   "skips", "blend", "kept", "answer", "pop")  # fmt: skip
_WHOLE = frozenset({"skips", "kept", "answer"})  # counts and flags, written without decimals


@dataclass(frozen=True)
class FeatureTable:
    """The pool's features: ``rows[i]`` is candidate ``i``'s, in ``ACTION_FEATURES`` order."""

    rows: np.ndarray  # candidates × ACTION_FEATURES, rounded as logged
    affinity: np.ndarray  # each candidate's posterior reward per shown item (unrounded)
    uncertainty: np.ndarray  # ... and the uncertainty of its categories (unrounded)

    def text(self, index: int) -> str:
        """Candidate ``index``'s features in VW's input format, as logged."""
        return " ".join(
            f"{name}:{int(value)}" if name in _WHOLE else f"{name}:{value:.4f}"
            for name, value in zip(ACTION_FEATURES, self.rows[index].tolist(), strict=True)
        )


def feature_table(
    state: FeedbackState, pool: Sequence[Candidate], profile: Mapping[str, float]
) -> FeatureTable:
    """The features of every candidate of ``pool`` for a user in ``state`` with ``profile``."""
    keys = [tuple(c.details.categories) for c in pool]
    sets = feedback_state.CategorySets.of(keys)
    believed = feedback_state.set_beliefs(state, sets)  # mean, best, uncertainty, negative
    shares = np.array([profile.get(c, 0.0) for c in sets.categories], dtype=float)
    per_set = np.column_stack([believed[:, 0], believed[:, 1], sets.mean(shares),
                               sets.max(shares), believed[:, 2], believed[:, 3]])  # fmt: skip
    at = [sets.index[key] for key in keys]
    rows = np.empty((len(pool), len(ACTION_FEATURES)))
    rows[:, :6] = np.round(per_set[at], 4)
    rows[:, 6] = [state.skipped.get(c.item_id, 0) for c in pool]
    blend = np.array([c.blend for c in pool], dtype=float)
    rows[:, 7] = np.round(blend, 4)
    rows[:, 8] = blend > 0
    rows[:, 9] = [c.answer is not None for c in pool]
    rows[:, 10] = np.round(np.log1p([c.details.popularity for c in pool]) / 10, 4)
    return FeatureTable(rows, believed[at, 0], believed[at, 2])


def shared_features(state: FeedbackState) -> str:
    """What the bandit knows of the user, in VW's input format."""
    shifted = int(feedback_state.recently_shifted(state))
    return f"fb:{math.log1p(state.outcomes) / 5:.4f} shift:{shifted}"
