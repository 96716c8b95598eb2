"""How interests move on, learnt from the population: a linear map from a forecast to what
followed it. Pure functions.

A forecast (``graph.evolution.forecast``) mixes a user's own profile with the population and the
item model, target by target: a share of Sci-Fi predicts Sci-Fi. It does not know that people whose
shares look like this one tend to go on to that: fans of Children's films to Animation, say.
``fit`` learns it from samples ``(forecast at a cut, shares of the positive signals after the
cut)`` over many users' histories (each history cut at nested points, ``cuts``), by ridge
regression of the change: ``after - x ≈ x W + b``, with ``W`` shrunk towards zero (towards leaving
the forecast as it is) by ``ALPHA``. ``Transition.apply`` adds ``SHARE`` of the learnt change to a
forecast. What follows a cut is measured by its clear positives (``CLEAR``), what a forecast is
asked to rank. Only the targets in ``targets`` (the categories) take part; the others keep their
scores. ``ALPHA`` and ``SHARE`` are chosen on the validation split of ``bench/evolution.py``;
``CLEAR`` and ``LEVELS`` were chosen on it in a one-off comparison (bench/README.md gives the
figures).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

ALPHA = 3e-4  # ridge penalty per sample
CLEAR = 0.6  # what follows a cut counts signals this strong: a rating of 4 of 5, a bookmark, a like
SHARE = 0.5  # of the learnt change added to a forecast
LEVELS = 3  # nested cuts per history: at 80%, at 80% of that, ...
MIN_SAMPLES = 20  # fewer: no model


@dataclass(frozen=True)
class Transition:
    targets: tuple[str, ...]
    weights: np.ndarray  # len(targets) × len(targets): row = share before, column = change
    bias: np.ndarray  # len(targets)

    def change(self, scores: dict[str, float]) -> dict[str, float]:
        """The learnt change of each modelled target for a forecast's ``scores``."""
        x = np.array([scores.get(t, 0.0) for t in self.targets])
        return dict(zip(self.targets, (x @ self.weights + self.bias).tolist(), strict=True))

    def apply(self, scores: dict[str, float], *, share: float = SHARE) -> dict[str, float]:
        """``scores`` with ``share`` of the learnt change added to the modelled targets."""
        moved = dict(scores)
        for target, change in self.change(scores).items():
            moved[target] = scores.get(target, 0.0) + share * change
        return moved

    def to_json(self) -> str:
        return json.dumps({"targets": list(self.targets), "weights": self.weights.tolist(),
                           "bias": self.bias.tolist()})  # fmt: skip

    @classmethod
    def from_json(cls, text: str) -> Transition:
        data = json.loads(text)
        return cls(tuple(data["targets"]), np.asarray(data["weights"]), np.asarray(data["bias"]))


def cuts(count: int, *, levels: int = LEVELS) -> list[tuple[int, int]]:
    """Nested ``(cut, end)`` positions in a history of ``count`` signals: the first ``cut`` are
    before, ``[cut, end)`` after; the first cut is at ceil(80%) of the whole, the next at 80% of
    what came before it, and so on (the split ``bench/evolution.py`` scores)."""
    found, end = [], count
    for _ in range(levels):
        cut = math.ceil(0.8 * end)
        if cut < 1 or cut >= end:
            break
        found.append((cut, end))
        end = cut
    return found


def fit(
    samples: Iterable[tuple[dict[str, float], dict[str, float]]],
    targets: Sequence[str],
    *,
    alpha: float = ALPHA,
    min_samples: int = MIN_SAMPLES,
) -> Transition | None:
    """Ridge regression of ``after - before`` on ``before`` over ``targets`` (intercept not
    penalised); ``None`` with fewer than ``min_samples`` samples or no targets."""
    targets = tuple(sorted(targets))
    pairs = list(samples)
    if len(pairs) < min_samples or not targets:
        return None
    x = np.array([[before.get(t, 0.0) for t in targets] for before, _ in pairs])
    y = np.array([[after.get(t, 0.0) for t in targets] for _, after in pairs]) - x
    x_mean, y_mean = x.mean(axis=0), y.mean(axis=0)
    xc, yc = x - x_mean, y - y_mean
    gram = xc.T @ xc + alpha * len(pairs) * np.eye(len(targets))
    weights = np.linalg.solve(gram, xc.T @ yc)
    return Transition(targets, weights, y_mean - x_mean @ weights)
