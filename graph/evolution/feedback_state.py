"""What a user's reactions to shown items say, online: pure functions over a small state.

The recommendation policy keeps, per user, decayed sums of what was shown and what it earned per
category, the items clicked and skipped, and two reward rates (a short and a long horizon). Each
outcome (a click with its reward, a skip, a dislike) updates it at once, so the next answer
already uses it; the service keeps it as JSON on the user node, updated in the same transaction as
the feedback.

Decay counts outcomes, not days: a user who reacts to fifty items in a minute has told as much as
one who does so over a month. A *shift* is flagged when the short-horizon reward rate falls below
``SHIFT_RATIO`` of the long one after enough outcomes: what used to earn no longer does. Then the
category beliefs are discounted (``SHIFT_DISCOUNT``), so that they are re-learnt, and exploration
rises for ``SHIFT_WINDOW`` outcomes (``exploration_rate``).
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

HALF_LIFE = 60.0  # outcomes: a category's evidence halves after this many further outcomes
SHORT_HALF_LIFE = 8.0  # outcomes: the short-horizon reward rate
LONG_HALF_LIFE = 80.0  # outcomes: the long-horizon reward rate
SHIFT_RATIO = 0.35  # short rate below this share of the long rate: the user's tastes moved
SHIFT_MIN_OUTCOMES = 40  # no shift is flagged before this many outcomes
SHIFT_WINDOW = 40  # outcomes of raised exploration after a shift
SHIFT_DISCOUNT = 0.1  # what a shift leaves of the category evidence
PRIOR_REWARD = 0.05  # the reward per shown item assumed where nothing is known
PRIOR_WEIGHT = 2.0  # how many shown items that prior is worth
EXPLORE_START = 0.15  # exploration rate of a user with no outcomes
EXPLORE_FLOOR = 0.03  # ... and of one the policy knows well
EXPLORE_SHIFT = 0.2  # ... and right after a shift
EXPLORE_SCALE = 60.0  # outcomes over which exploration falls from start towards the floor
KEPT_ITEMS = 500  # clicked / skipped items remembered


@dataclass(frozen=True)
class Outcome:
    """What came of one shown item."""

    item_id: str
    categories: Sequence[str]
    reward: float  # click × scaled dwell, in [0, 1]
    clicked: bool
    negative: bool  # skipped or disliked


@dataclass
class FeedbackState:
    categories: dict[str, list[float]] = field(default_factory=dict)  # [shown, reward, negative]
    outcomes: int = 0
    short: list[float] = field(default_factory=lambda: [0.0, 0.0])  # [shown, reward]
    long: list[float] = field(default_factory=lambda: [0.0, 0.0])
    clicked: list[str] = field(default_factory=list)  # newest last
    skipped: dict[str, int] = field(default_factory=dict)
    shift_at: int | None = None  # ``outcomes`` when the latest shift was flagged

    def to_json(self) -> str:
        return json.dumps(
            {"c": {k: [round(x, 5) for x in v] for k, v in self.categories.items()},
             "n": self.outcomes, "s": self.short, "l": self.long, "k": self.clicked,
             "x": self.skipped, "f": self.shift_at},
            separators=(",", ":"),
        )  # fmt: skip

    @classmethod
    def from_json(cls, text: str | None) -> FeedbackState:
        if not text:
            return cls()
        d = json.loads(text)
        return cls(d["c"], d["n"], d["s"], d["l"], d["k"], d["x"], d["f"])


@dataclass(frozen=True)
class Belief:
    """What the state says of one item."""

    affinity_mean: float  # posterior reward per shown item, averaged over the item's categories
    affinity_max: float
    uncertainty: float  # 1/sqrt(1 + shown), averaged over the categories
    negative: float  # share of shown items skipped or disliked in its categories
    skips: int  # times this item was skipped


def update(state: FeedbackState, outcomes: Iterable[Outcome]) -> FeedbackState:
    """The state after ``outcomes`` (in the order they happened); ``state`` is not changed."""
    new = FeedbackState.from_json(state.to_json())
    decay = 0.5 ** (1 / HALF_LIFE)
    short, long_ = 0.5 ** (1 / SHORT_HALF_LIFE), 0.5 ** (1 / LONG_HALF_LIFE)
    for o in outcomes:
        for stats in new.categories.values():
            stats[0] *= decay
            stats[1] *= decay
            stats[2] *= decay
        for category in o.categories:
            stats = new.categories.setdefault(category, [0.0, 0.0, 0.0])
            stats[0] += 1.0
            stats[1] += o.reward
            stats[2] += 1.0 if o.negative else 0.0
        new.short = [new.short[0] * short + 1.0, new.short[1] * short + o.reward]
        new.long = [new.long[0] * long_ + 1.0, new.long[1] * long_ + o.reward]
        new.outcomes += 1
        if o.clicked and o.item_id not in new.clicked:
            new.clicked = [*new.clicked, o.item_id][-KEPT_ITEMS:]
        if o.negative:
            new.skipped[o.item_id] = new.skipped.get(o.item_id, 0) + 1
            if len(new.skipped) > KEPT_ITEMS:
                new.skipped.pop(next(iter(new.skipped)))
        if shifted(new):
            new.shift_at = new.outcomes
            for stats in new.categories.values():
                stats[:] = [x * SHIFT_DISCOUNT for x in stats]
            new.long = [new.short[0], new.short[1]]  # the old rate no longer describes them
    return new


def shifted(state: FeedbackState) -> bool:
    """Whether the short-horizon reward rate has fallen far below the long one."""
    if state.outcomes < SHIFT_MIN_OUTCOMES or state.long[1] <= 0:
        return False
    if state.shift_at is not None and state.outcomes - state.shift_at < SHIFT_WINDOW:
        return False
    short_rate = state.short[1] / state.short[0]
    long_rate = state.long[1] / state.long[0]
    return short_rate < SHIFT_RATIO * long_rate


def exploration_rate(state: FeedbackState) -> float:
    """The share of a list to explore with: high while little is known or right after a shift,
    falling towards ``EXPLORE_FLOOR`` as outcomes accumulate."""
    known = EXPLORE_FLOOR + (EXPLORE_START - EXPLORE_FLOOR) * math.exp(
        -state.outcomes / EXPLORE_SCALE
    )
    if recently_shifted(state):
        return max(known, EXPLORE_SHIFT)
    return known


def belief(state: FeedbackState, item_id: str, categories: Sequence[str]) -> Belief:
    """The posterior reward, uncertainty and aversion the state implies for an item."""
    return beliefs(state, {item_id: categories})[item_id]


def beliefs(state: FeedbackState, items: Mapping[str, Sequence[str]]) -> dict[str, Belief]:
    """:func:`belief` of many items (each set of categories computed once)."""
    keys = [tuple(categories) for categories in items.values()]
    sets = CategorySets.of(keys)
    found = set_beliefs(state, sets).tolist()
    skipped = state.skipped
    made = {}
    for item_id, key in zip(items, keys, strict=True):
        mean, best, unsure, negative = found[sets.index[key]]
        made[item_id] = Belief(mean, best, unsure, negative, skipped.get(item_id, 0))
    return made


@dataclass(frozen=True)
class CategorySets:
    """Distinct sets of categories as flat arrays, for means and maxima over each set's
    categories of any per-category value. A set without categories counts as one unknown ("")."""

    sets: list[tuple[str, ...]]
    index: dict[tuple[str, ...], int]  # of each set in ``sets``
    categories: list[str]  # every category named, once
    flat: np.ndarray  # indices into ``categories``, set after set
    starts: np.ndarray  # where each set begins in ``flat``
    sizes: np.ndarray

    @classmethod
    def of(cls, keys: Iterable[tuple[str, ...]]) -> CategorySets:
        sets = list(dict.fromkeys(keys))
        members = [s or ("",) for s in sets]
        names = list(itertools.chain.from_iterable(members))
        categories = list(dict.fromkeys(names))
        column = {c: i for i, c in enumerate(categories)}
        sizes = np.fromiter(map(len, members), dtype=np.int64, count=len(members))
        starts = np.zeros(len(sets), dtype=np.int64)
        np.cumsum(sizes[:-1], out=starts[1:])
        flat = np.fromiter(map(column.__getitem__, names), dtype=np.int64, count=len(names))
        return cls(sets, {s: i for i, s in enumerate(sets)}, categories, flat, starts, sizes)

    def mean(self, values: np.ndarray) -> np.ndarray:
        """Per set, the mean of ``values`` (one per category, in ``categories`` order)."""
        if not self.sets:
            return np.empty(0)
        return np.asarray(np.add.reduceat(values[self.flat], self.starts) / self.sizes)

    def max(self, values: np.ndarray) -> np.ndarray:
        if not self.sets:
            return np.empty(0)
        return np.asarray(np.maximum.reduceat(values[self.flat], self.starts))


def set_beliefs(state: FeedbackState, sets: CategorySets) -> np.ndarray:
    """Per set of categories (a row each), what an item of them is believed to earn: the mean and
    the best of its categories' posterior reward per shown item, their mean uncertainty and their
    mean share of negative outcomes."""
    stats = np.array([state.categories.get(c, (0.0, 0.0, 0.0)) for c in sets.categories],
                     dtype=float).reshape(-1, 3)  # fmt: skip
    shown, reward, bad = stats[:, 0], stats[:, 1], stats[:, 2]
    posterior = (reward + PRIOR_REWARD * PRIOR_WEIGHT) / (shown + PRIOR_WEIGHT)
    unsure = 1.0 / np.sqrt(1.0 + shown)
    negative = np.divide(bad, shown, out=np.zeros_like(bad), where=shown > 0)
    columns = (sets.mean(posterior), sets.max(posterior), sets.mean(unsure), sets.mean(negative))
    return np.column_stack(columns) if sets.sets else np.empty((0, 4))


def recently_shifted(state: FeedbackState) -> bool:
    return state.shift_at is not None and state.outcomes - state.shift_at < SHIFT_WINDOW
