"""Bootstrap intervals over users and the tables the benchmarks print them in."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

RESAMPLES = 1_000


def bootstrap_interval(
    values: Sequence[float], *, seed: int, resamples: int = RESAMPLES
) -> tuple[float, float]:
    """The percentile 95% interval of the mean over ``resamples`` draws (with replacement)."""
    data = np.asarray(values, dtype=np.float64)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(data), size=(resamples, len(data)))
    means = data[draws].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def mean_and_interval(values: Sequence[float], *, seed: int) -> dict[str, Any]:
    """``{"mean", "ci95"}`` of ``values`` (NaN for none)."""
    if not values:
        return {"mean": math.nan, "ci95": [math.nan, math.nan]}
    low, high = bootstrap_interval(values, seed=seed)
    return {"mean": float(np.mean(values)), "ci95": [low, high]}


def summarise(
    per_user: Mapping[str, Sequence[dict[str, float]]],
    *,
    seed: int,
    metrics: Sequence[str],
    baselines: Sequence[str],
    ours: str,
) -> dict[str, Any]:
    """Each method's means and bootstrap intervals per metric, and under
    ``"ours_minus_best_baseline"`` ours minus the best baseline (by NDCG@10), paired: the same
    users' differences, one seed."""
    found: dict[str, Any] = {
        method: {m: mean_and_interval([r[m] for r in rows], seed=seed) for m in metrics}
        for method, rows in per_user.items()
    }
    best = max(baselines, key=lambda m: found[m]["ndcg@10"]["mean"])
    paired: dict[str, Any] = {"baseline": best}
    for metric in metrics:
        gaps = [o[metric] - b[metric] for o, b in zip(per_user[ours], per_user[best], strict=True)]
        paired[metric] = mean_and_interval(gaps, seed=seed)
    found["ours_minus_best_baseline"] = paired
    return found


def interval_cell(value: Mapping[str, Any]) -> str:
    """A table cell: the mean and its interval."""
    low, high = value["ci95"]
    return f"{value['mean']:.4f} [{low:.4f}, {high:.4f}]"
