"""How strong a user's interests are at an instant: decayed sums of signals. Pure functions.

A signal is one event or one expressed interest: when it happened, its signed weight (see
``graph.ingest.signals``; aversion is negative) and the targets it reaches, ``category:Drama`` or
``interest:sci-fi``. Each target gets the signal's full evidence: its weight, plus ``ATTENTION``
for an event, since acting on an item at all shows attention (a middling rating is weak interest,
not indifference; a very low one stays an aversion). On MovieLens this ranks next-period genres
better than the bare weights (bench/evolution.py).

The strength at ``as_of`` sums only the signals up to ``as_of``, each decayed
``0.5 ** (age / half_life)``. A horizon may decay by time (days) and by position (how many newer
signals there are), or both: people act in bursts, and "the last ten things you did" says more
about the moment than "the last thirty days" when all of them happened on one evening.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

DAY = 86_400.0


@dataclass(frozen=True)
class Signal:
    at: float  # epoch seconds
    weight: float  # signed: negative is aversion
    source: str  # "event" or "text"
    targets: tuple[str, ...]  # "category:<name>" or "interest:<key>"


@dataclass(frozen=True)
class Horizon:
    name: str
    half_life_days: float | None  # decay by age in days; None: none
    half_life_signals: float | None  # decay by the number of newer signals; None: none


SHORT = Horizon("short", half_life_days=30.0, half_life_signals=10.0)
LONG = Horizon("long", half_life_days=365.0, half_life_signals=None)
ATTENTION = 0.5  # evidence of interest in any event, added to its signed weight
# from this many signals the sums go over a matrix: quicker for a long history, slower to build
# than a short loop (bench/README.md, Live answers); both give the same sums
MATRIX_FROM = 500
BLEND_SHORT = 0.35  # share of the short horizon in the blended profile (bench/evolution.py)


@dataclass(frozen=True)
class Strength:
    target: str
    short: float  # each horizon's strengths are scaled to sum (in absolute value) to 1
    long: float
    blended: float
    signals: int  # how many signals up to as_of reached the target
    last_at: float  # epoch seconds of the newest

    def value(self, horizon: str) -> float:
        return float(getattr(self, horizon))


def decay(signals: Sequence[Signal], as_of: float, horizon: Horizon) -> np.ndarray:
    """Each signal's decay factor at ``as_of`` (0 for signals after it). Signals oldest first."""
    return decay_at(np.array([s.at for s in signals], dtype=np.float64), as_of, horizon)


def decay_at(ats: np.ndarray, as_of: float, horizon: Horizon) -> np.ndarray:
    """``decay`` of the signals' instants (epoch seconds, oldest first)."""
    factors = (ats <= as_of).astype(np.float64)
    if horizon.half_life_days:
        age = np.maximum(as_of - ats, 0.0) / DAY
        factors *= np.exp2(-age / horizon.half_life_days)
    if horizon.half_life_signals:
        newer = np.cumsum(factors[::-1] > 0)[::-1] - 1  # signals after this one, up to as_of
        factors *= np.exp2(-np.maximum(newer, 0) / horizon.half_life_signals)
    return factors


@dataclass(frozen=True)
class Reach:
    """Which targets each signal reaches, as a signals × targets matrix (1 per reach, in signal
    order), with the signals' instants and evidence: what every horizon's sums are made of."""

    targets: list[str]  # in the order signals first reach them
    matrix: sparse.csr_matrix
    ats: np.ndarray
    evidence: np.ndarray

    @classmethod
    def of(cls, signals: Sequence[Signal]) -> Reach:
        column: dict[str, int] = {}
        rows: list[int] = []
        columns: list[int] = []
        for row, signal in enumerate(signals):
            for target in signal.targets:
                rows.append(row)
                columns.append(column.setdefault(target, len(column)))
        matrix = sparse.csr_matrix(
            (np.ones(len(rows)), (rows, columns)), shape=(len(signals), len(column))
        )
        ats = np.array([s.at for s in signals], dtype=np.float64)
        return cls(list(column), matrix, ats, np.array([evidence(s) for s in signals]))

    def strengths(self, as_of: float, horizon: Horizon) -> dict[str, float]:
        """``horizon_strengths``: each target reached by a signal that still counts, its decayed
        evidence scaled so the absolute values sum to 1."""
        factors = decay_at(self.ats, as_of, horizon)
        totals = self.matrix.T @ (self.evidence * factors)
        counted = np.flatnonzero(self.matrix.T @ (factors > 0))
        scale = float(np.abs(totals[counted]).sum())
        divisor = scale if scale else 1.0
        return {self.targets[t]: float(totals[t]) / divisor for t in counted}


def horizon_strengths(
    signals: Sequence[Signal], as_of: float, horizon: Horizon
) -> dict[str, float]:
    """Decayed weight per target, scaled so the absolute values sum to 1: signal by signal for
    a short history, over a ``Reach`` matrix for a long one (the same sums; the matrix costs
    more to build than a short loop does)."""
    if len(signals) >= MATRIX_FROM:
        return Reach.of(signals).strengths(as_of, horizon)
    totals: dict[str, float] = defaultdict(float)
    for signal, factor in zip(signals, decay(signals, as_of, horizon), strict=True):
        if factor > 0:
            for target in signal.targets:
                totals[target] += evidence(signal) * factor
    scale = sum(abs(v) for v in totals.values())
    return {t: v / scale for t, v in totals.items()} if scale else dict(totals)


def evidence(signal: Signal) -> float:
    """What one signal says about its targets: the weight, plus attention for an event."""
    return signal.weight + (ATTENTION if signal.source == "event" else 0.0)


def profile(
    signals: Sequence[Signal], as_of: float, *, blend_short: float = BLEND_SHORT
) -> list[Strength]:
    """Every target reached up to ``as_of``, strongest (blended) first."""
    if len(signals) < MATRIX_FROM:
        return _profile_by_signal(signals, as_of, blend_short)
    reach = Reach.of(signals)
    short = reach.strengths(as_of, SHORT)
    long = reach.strengths(as_of, LONG)
    counted = np.flatnonzero(reach.ats <= as_of)
    up_to = reach.matrix[counted].tocsc()  # by target: the signals up to as_of that reach it
    counts = np.asarray(up_to.sum(axis=0)).ravel()
    reached = np.flatnonzero(np.diff(up_to.indptr) > 0)
    if not len(reached):
        return []
    # the newest of each reached target's signals (its entries lie together, column by column)
    newest = np.maximum.reduceat(reach.ats[counted][up_to.indices], up_to.indptr[reached])
    result = []
    for t, last_at in zip(reached, newest, strict=True):
        target = reach.targets[t]
        s, lo = short.get(target, 0.0), long.get(target, 0.0)
        blended = blend_short * s + (1 - blend_short) * lo
        result.append(Strength(target, s, lo, blended, int(counts[t]), float(last_at)))
    return sorted(result, key=lambda x: (-x.blended, x.target))


def _profile_by_signal(
    signals: Sequence[Signal], as_of: float, blend_short: float
) -> list[Strength]:
    """``profile`` signal by signal: quicker than the matrix for a short history."""
    short = horizon_strengths(signals, as_of, SHORT)
    long = horizon_strengths(signals, as_of, LONG)
    counts: dict[str, int] = defaultdict(int)
    last: dict[str, float] = {}
    for signal in signals:
        if signal.at <= as_of:
            for target in signal.targets:
                counts[target] += 1
                last[target] = max(last.get(target, -math.inf), signal.at)
    result = []
    for target in counts:
        s, lo = short.get(target, 0.0), long.get(target, 0.0)
        blended = blend_short * s + (1 - blend_short) * lo
        result.append(Strength(target, s, lo, blended, counts[target], last[target]))
    return sorted(result, key=lambda x: (-x.blended, x.target))


def split_target(target: str) -> tuple[str, str]:
    """``"category:Drama"`` → ``("category", "Drama")``."""
    kind, _, key = target.partition(":")
    return kind, key
