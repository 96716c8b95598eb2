"""The JSON of the evolution answers: profiles, timelines, shifts, trending, forecasts.

The domain returns dataclasses with raw floats and datetimes; these functions write them the way
the answers always have: instants by ``render.iso``, strengths and scores to six places, a
shift's shares to four, trending numbers to the places its ranking compares.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph.evolution.forecast import Forecast
from graph.evolution.online_shifts import OnlineShift
from graph.evolution.profiles import (
    TRENDING_P_DIGITS,
    TRENDING_RATIO_DIGITS,
    Profile,
    ProfileEntry,
    Timeline,
    TrendingTarget,
)
from graph.evolution.shifts import Shift
from graph.evolution.strength import Signal, split_target
from graph.evolution.trends import Trend
from service.api.render import iso, iso_epoch, score

FACET_MEMBERS = 10  # members shown per facet
SHARE_DIGITS = 4  # a shift's divergence and share changes


def profile_json(profile: Profile) -> dict[str, Any]:
    return {
        "as_of": iso(profile.as_of),
        "horizon": profile.horizon,
        "signals": profile.signals,
        "interests": [_entry(e, profile.horizon) for e in profile.entries],
        "facets": [
            {
                "name": f.name,
                "key": f.facet.name,
                "strength": score(f.facet.strength),
                "members": [
                    {"key": k, "strength": score(v)} for k, v in f.facet.members[:FACET_MEMBERS]
                ],
            }  # fmt: skip
            for f in profile.facets
        ],
    }


def _entry(entry: ProfileEntry, horizon: str) -> dict[str, Any]:
    s = entry.strength
    kind, key = split_target(s.target)
    return {
        "type": kind,
        "key": key,
        "name": entry.name,
        "strength": score(s.value(horizon)),
        "short": score(s.short),
        "long": score(s.long),
        "blended": score(s.blended),
        "signals": s.signals,
        "last_signal_at": iso_epoch(s.last_at),
    }


def timeline_json(timeline: Timeline) -> dict[str, Any]:
    return {
        "from": iso(timeline.start),
        "to": iso(timeline.end),
        "bucket": timeline.bucket,
        "buckets": [iso(s) for s in timeline.starts],
        "series": [
            {
                "type": split_target(s.target)[0],
                "key": split_target(s.target)[1],
                "weights": [score(w) for w in s.weights],
                "counts": s.counts,
                "trend": trend_json(s.trend),
            }
            for s in timeline.series
        ],
    }


def trend_json(trend: Trend | None) -> dict[str, Any] | None:
    """The trend's label and what the rule looked at: rates to four places, p to six."""
    if trend is None:
        return None
    found: dict[str, Any] = {
        "label": trend.label,
        "recent_buckets": trend.recent_buckets,
        "recent_signals": trend.recent_signals,
        "baseline_buckets": trend.baseline_buckets,
        "baseline_signals": trend.baseline_signals,
    }
    if trend.buckets_since_last is not None:
        found["buckets_since_last"] = trend.buckets_since_last
    if trend.gap_buckets is not None:
        found["gap_buckets"] = trend.gap_buckets
    if trend.test is not None:
        ratio = trend.test.rate_ratio
        found.update(
            recent_rate=score(trend.test.recent_rate, 4),
            baseline_rate=score(trend.test.baseline_rate, 4),
            rate_ratio=None if ratio is None else score(ratio, 4),
            p_value=score(trend.test.p_value),
            alpha=trend.test.alpha,
        )
    return found


def shift_json(shift: Shift) -> dict[str, Any]:
    return {
        "at": iso_epoch(shift.at),
        "signal_index": shift.index,
        "divergence": score(shift.divergence, SHARE_DIGITS),
        "rose": [_change(t, v) for t, v in shift.rose],
        "fell": [_change(t, v) for t, v in shift.fell],
    }


def online_shift_json(alarm: OnlineShift, signals: Sequence[Signal]) -> dict[str, Any]:
    """An online alarm: the signal it fired at, the change it estimated, the delay between."""
    return {
        "detected_at": iso_epoch(signals[alarm.index].at),
        "detected_signal_index": alarm.index,
        "change_at": iso_epoch(alarm.at),
        "change_signal_index": alarm.change,
        "delay_signals": alarm.index - alarm.change,
        "surprise": score(alarm.surprise, SHARE_DIGITS),
    }


def _change(target: str, change: float) -> dict[str, Any]:
    kind, key = split_target(target)
    return {"type": kind, "key": key, "share_change": score(change, SHARE_DIGITS)}


def trending_json(row: TrendingTarget) -> dict[str, Any]:
    kind, key = split_target(row.counts.target)
    return {
        "type": kind,
        "key": key,
        "recent_signals": row.counts.recent,
        "previous_signals": row.counts.before,
        "recent_users": row.counts.recent_users,
        "log_ratio": score(row.log_ratio, TRENDING_RATIO_DIGITS),
        "p_value": score(row.p_value, TRENDING_P_DIGITS),
    }


def forecast_json(forecast: Forecast) -> dict[str, Any]:
    return {
        "as_of": iso(forecast.as_of),
        "signals": forecast.signals,
        "embedding_run": forecast.embedding_run,
        "forecast": [
            {
                "type": split_target(t.target)[0],
                "key": split_target(t.target)[1],
                "score": score(t.score),
                "profile": score(t.profile),
                "population": score(t.population),
                "predicted": score(t.predicted),
                "transition": score(t.transition),
            }
            for t in forecast.targets
        ],
        "predicted_items": [
            {"item_id": p.item_id, "title": p.title, "score": score(p.score)}
            for p in forecast.predicted_items
        ],
    }
