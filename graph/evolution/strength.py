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
    ats = np.array([s.at for s in signals], dtype=np.float64)
    factors = (ats <= as_of).astype(np.float64)
    if horizon.half_life_days:
        age = np.maximum(as_of - ats, 0.0) / DAY
        factors *= np.exp2(-age / horizon.half_life_days)
    if horizon.half_life_signals:
        newer = np.cumsum(factors[::-1] > 0)[::-1] - 1  # signals after this one, up to as_of
        factors *= np.exp2(-np.maximum(newer, 0) / horizon.half_life_signals)
    return factors


def horizon_strengths(
    signals: Sequence[Signal], as_of: float, horizon: Horizon
) -> dict[str, float]:
    """Decayed weight per target, scaled so the absolute values sum to 1."""
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
    short = horizon_strengths(signals, as_of, SHORT)
    long = horizon_strengths(signals, as_of, LONG)
    counts: dict[str, int] = defaultdict(int)
    last: dict[str, float] = {}
    for signal in signals:
        if signal.at <= as_of:
            for target in signal.targets:
                counts[target] += 1
                last[target] = max(last.get(target, -math.inf), signal.at)
    result = [
        Strength(
            target,
            short.get(target, 0.0),
            long.get(target, 0.0),
            blend_short * short.get(target, 0.0) + (1 - blend_short) * long.get(target, 0.0),
            counts[target],
            last[target],
        )
        for target in counts
    ]
    return sorted(result, key=lambda s: (-s.blended, s.target))


def split_target(target: str) -> tuple[str, str]:
    """``"category:Drama"`` → ``("category", "Drama")``."""
    kind, _, key = target.partition(":")
    return kind, key
