"""Series over time buckets and the trend of each: a stated rule, with its numbers. Pure functions.

The rule, for the signal counts ``c`` of one target over buckets, judged at the last bucket, with
a recent window of ``w`` buckets and the ``3w`` buckets before it as the baseline:

- *emerging*: the first signal ever falls in the recent window;
- *dormant*: no signal in the recent window (but some before);
- *returning*: signals in the recent window after at least ``w`` empty buckets, with older ones;
- otherwise the recent rate is compared with the baseline rate by an exact conditional test for
  two Poisson rates (given ``n = recent + baseline`` signals, ``recent ~ Binomial(n, w / 4w)``
  when the rate did not change): *growing* when the recent rate is higher at p < ``alpha``,
  *declining* when lower at p < ``alpha``, else *stable*.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import numpy as np
from scipy.stats import binomtest

from graph.evolution.strength import Signal

RECENT = 3  # buckets in the recent window
BASELINE = 3  # the baseline is this many recent windows long
ALPHA = 0.05


@dataclass(frozen=True)
class RateTest:
    """The binomial test of the recent window's rate against the baseline's."""

    recent_rate: float  # signals per bucket
    baseline_rate: float
    rate_ratio: float | None  # None with a baseline rate of 0
    p_value: float
    alpha: float


@dataclass(frozen=True)
class Trend:
    """A target's label and what the rule looked at."""

    label: str  # emerging, growing, stable, declining, dormant, returning
    recent_buckets: int
    recent_signals: int
    baseline_buckets: int
    baseline_signals: int
    buckets_since_last: int | None = None  # dormant: buckets since the last signal
    gap_buckets: int | None = None  # returning: the silent buckets before the recent window
    test: RateTest | None = None  # growing, declining, and stable with a baseline


def bucket_starts(start: datetime, end: datetime, bucket: str) -> list[datetime]:
    """The starts of the buckets that cover ``[start, end)``, aligned to the calendar (UTC)."""
    first = _floor(start.astimezone(UTC), bucket)
    starts = [first]
    while (following := _next(starts[-1], bucket)) < end:
        starts.append(following)
    return starts


def _floor(instant: datetime, bucket: str) -> datetime:
    day = instant.replace(hour=0, minute=0, second=0, microsecond=0)
    if bucket == "day":
        return day
    if bucket == "week":
        return day - timedelta(days=day.weekday())  # Mondays
    return day.replace(day=1)


def _next(start: datetime, bucket: str) -> datetime:
    if bucket == "day":
        return start + timedelta(days=1)
    if bucket == "week":
        return start + timedelta(weeks=1)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def series(
    signals: Sequence[Signal], starts: Sequence[datetime], end: datetime
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per target: (summed weight, signal count) in each bucket ``[starts[i], starts[i+1])``."""
    edges = np.array([s.timestamp() for s in starts] + [end.timestamp()])
    sums: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(len(starts)))
    counts: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(len(starts), dtype=np.int64))
    for signal in signals:
        index = int(np.searchsorted(edges, signal.at, side="right")) - 1
        if 0 <= index < len(starts):
            for target in signal.targets:
                sums[target][index] += signal.weight
                counts[target][index] += 1
    return {target: (sums[target], counts[target]) for target in counts}


def trend(counts: Sequence[int], *, recent: int = RECENT, alpha: float = ALPHA) -> Trend | None:
    """The label of one target's bucket counts (oldest first), or None when there are none."""
    c = np.asarray(counts, dtype=np.int64)
    if c.sum() == 0:
        return None
    recent = min(recent, len(c))
    now, before = c[-recent:], c[:-recent]
    baseline = before[-BASELINE * recent :]
    emerging = Trend("emerging", recent, int(now.sum()), len(baseline), int(baseline.sum()))
    if before.sum() == 0:
        return emerging
    if now.sum() == 0:
        silent = len(c) - 1 - int(np.flatnonzero(c)[-1])
        return replace(emerging, label="dormant", buckets_since_last=silent)
    active_before = np.flatnonzero(before)
    gap = len(before) - 1 - int(active_before[-1])
    if gap >= recent:
        return replace(emerging, label="returning", gap_buckets=gap)
    if len(baseline) == 0:
        return replace(emerging, label="stable")
    recent_rate = now.sum() / recent
    baseline_rate = baseline.sum() / len(baseline)
    n = int(now.sum() + baseline.sum())
    p = binomtest(int(now.sum()), n, recent / (recent + len(baseline))).pvalue
    test = RateTest(
        recent_rate=float(recent_rate),
        baseline_rate=float(baseline_rate),
        rate_ratio=float(recent_rate / baseline_rate) if baseline_rate else None,
        p_value=float(p),
        alpha=alpha,
    )
    if p < alpha:
        label = "growing" if recent_rate > baseline_rate else "declining"
        return replace(emerging, label=label, test=test)
    return replace(emerging, label="stable", test=test)


def trending_score(recent: int, before: int) -> tuple[float, float]:
    """(log rate ratio with add-one smoothing, one-sided p of growth) of two equal windows."""
    ratio = float(np.log((recent + 1) / (before + 1)))
    p = binomtest(recent, recent + before, 0.5, alternative="greater").pvalue if recent else 1.0
    return ratio, float(p)
