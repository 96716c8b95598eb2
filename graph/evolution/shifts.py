"""Shifts: where a user's mix of interests changed markedly. Pure functions.

Each signal becomes a vector over the user's most frequent targets (its targets share 1 between
them; the rest count as "other"). Change points of that sequence minimise the L2 cost (squared
distance of each vector from its segment's mean) plus ``penalty`` per change point, solved
exactly by ``ruptures.KernelCPD`` with a linear kernel (PELT in C): a split is kept when it lowers
the cost by more than ``penalty``. Each change point
is then described by the Jensen-Shannon divergence between the mix before and after it and the
targets that rose and fell most; those below ``min_divergence`` are dropped as unremarkable.
The defaults were chosen on simulated users with known shifts (bench/evolution.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import ruptures
from scipy.spatial.distance import jensenshannon

from graph.evolution.strength import Signal

PENALTY = 3.0  # cost a new segment must save
MIN_SEGMENT = 5  # signals per segment, at least
MIN_DIVERGENCE = 0.2  # Jensen-Shannon distance (base 2, 0..1) a shift must reach
TOP_TARGETS = 20  # dimensions of the vectors; the rest are "other"


@dataclass(frozen=True)
class Shift:
    index: int  # position of the first signal of the new mix (in the signals given)
    at: float  # its epoch seconds
    divergence: float
    rose: list[tuple[str, float]]  # targets whose share grew most, with the change
    fell: list[tuple[str, float]]


def vectors(signals: Sequence[Signal], top: int = TOP_TARGETS) -> tuple[np.ndarray, list[str]]:
    """One row per signal over the ``top`` most frequent targets, plus a last "other" column."""
    frequency = Counter(t for s in signals for t in s.targets)
    names = [t for t, _ in sorted(frequency.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
    column = {name: i for i, name in enumerate(names)}
    rows = np.zeros((len(signals), len(names) + 1))
    for row, signal in zip(rows, signals, strict=True):
        for target in signal.targets:
            row[column.get(target, len(names))] += 1.0 / len(signal.targets)
    return rows, names


def detect(
    signals: Sequence[Signal],
    *,
    penalty: float = PENALTY,
    min_segment: int = MIN_SEGMENT,
    min_divergence: float = MIN_DIVERGENCE,
) -> list[Shift]:
    """The shifts in ``signals`` (oldest first, each with at least one target)."""
    if len(signals) < 2 * min_segment:
        return []
    rows, names = vectors(signals)
    detector = ruptures.KernelCPD(kernel="linear", min_size=min_segment)  # L2 cost, in C
    ends = detector.fit(rows).predict(pen=penalty)
    bounds = [0, *ends]
    shifts = []
    for before, cut, after in zip(bounds, bounds[1:], bounds[2:], strict=False):
        old, new = _mix(rows[before:cut]), _mix(rows[cut:after])
        divergence = float(jensenshannon(old, new, base=2))
        if divergence < min_divergence:
            continue
        change = new - old
        order = np.argsort(change)
        label = [*names, "other"]
        rose = [(label[i], float(change[i])) for i in order[::-1][:3] if change[i] > 0]
        fell = [(label[i], float(change[i])) for i in order[:3] if change[i] < 0]
        shifts.append(Shift(int(cut), signals[cut].at, divergence, rose, fell))
    return shifts


def _mix(rows: np.ndarray) -> np.ndarray:
    total = rows.sum(axis=0)
    return total / total.sum()
