"""Evolving interests read from the graph: signals by Cypher, statistics by the pure modules.

``graph.evolution.strength`` (profiles), ``graph.evolution.facets``, ``graph.evolution.trends`` and ``graph.evolution.shifts`` do the
arithmetic; this module fetches a user's signals up to an instant (never later ones) and shapes
the answers of the API.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from neo4j import Driver

from cypher import query
from graph.evolution import facets
from graph.evolution import shifts
from graph.evolution import strength
from graph.evolution import trends
from graph.evolution.strength import Signal, split_target

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ITEM_INTERESTS = 5  # of an item's ABOUT interests, the strongest this many carry its events


def user_known(driver: Driver, user_id: str, *, database: str | None = None) -> bool:
    records, _, _ = driver.execute_query(
        query("evolution/user_exists"), user_id=user_id, database_=database, routing_="r"
    )
    return bool(records[0]["known"])


def user_signals(
    driver: Driver,
    user_id: str,
    *,
    since: datetime = EPOCH,
    until: datetime,
    database: str | None = None,
) -> list[Signal]:
    """The user's signals in ``[since, until]``, oldest first (only those with a target)."""
    records, _, _ = driver.execute_query(
        query("evolution/user_signals"),
        user_id=user_id,
        since=since,
        until=until,
        database_=database,
        routing_="r",
    )
    signals = []
    for r in records:
        targets = (*r["targets"], *strongest_about(r["about"]))
        if targets:
            signals.append(Signal(float(r["at"]), float(r["weight"]), r["source"], targets))
    return signals


def strongest_about(about: Sequence[Sequence[Any]]) -> list[str]:
    """Of an item's ``[weight, target]`` ABOUT pairs, the ``ITEM_INTERESTS`` strongest targets."""
    return [key for _, key in sorted(about, key=lambda wk: -wk[0])[:ITEM_INTERESTS]]


def interest_details(
    driver: Driver, keys: Sequence[str], *, database: str | None = None
) -> dict[str, tuple[str, np.ndarray | None]]:
    records, _, _ = driver.execute_query(
        query("evolution/interest_details"), keys=list(keys), database_=database, routing_="r"
    )
    return {
        r["key"]: (r["name"], None if r["embedding"] is None else np.array(r["embedding"]))
        for r in records
    }


def describe_profile(
    driver: Driver,
    signals: Sequence[Signal],
    as_of: datetime,
    *,
    horizon: str,
    limit: int,
    database: str | None = None,
) -> dict[str, Any]:
    """The profile at ``as_of``: targets by strength in ``horizon``, and the interests' facets."""
    ranked = strength.profile(signals, as_of.timestamp())
    ranked.sort(key=lambda s: (-s.value(horizon), s.target))
    top = ranked[:limit]
    interest_keys = [key for kind, key in map(split_target, (s.target for s in ranked[:200]))
                     if kind == "interest"]  # fmt: skip
    details = interest_details(driver, interest_keys, database=database)
    embeddings = {k: v for k, (_, v) in details.items() if v is not None}
    by_key = {split_target(s.target)[1]: s.value(horizon) for s in ranked[:200]
              if s.target.startswith("interest:")}  # fmt: skip
    return {
        "as_of": iso(as_of),
        "horizon": horizon,
        "signals": sum(1 for s in signals if s.at <= as_of.timestamp()),
        "interests": [_entry(s, horizon, details) for s in top],
        "facets": [
            {
                "name": details.get(f.name, (f.name, None))[0],
                "key": f.name,
                "strength": round(f.strength, 6),
                "members": [{"key": k, "strength": round(v, 6)} for k, v in f.members[:10]],
            }
            for f in facets.facets(by_key, embeddings)
        ],
    }


def _entry(
    s: strength.Strength, horizon: str, details: dict[str, tuple[str, np.ndarray | None]]
) -> dict[str, Any]:
    kind, key = split_target(s.target)
    return {
        "type": kind,
        "key": key,
        "name": details[key][0] if kind == "interest" and key in details else key,
        "strength": round(s.value(horizon), 6),
        "short": round(s.short, 6),
        "long": round(s.long, 6),
        "blended": round(s.blended, 6),
        "signals": s.signals,
        "last_signal_at": iso(datetime.fromtimestamp(s.last_at, UTC)),
    }


def describe_timeline(
    signals: Sequence[Signal],
    start: datetime,
    end: datetime,
    bucket: str,
    *,
    targets: Sequence[str] | None = None,
    limit: int = 10,
) -> dict[str, Any]:
    """Per target, weight and count in each bucket of ``[start, end)``, with its trend."""
    starts = trends.bucket_starts(start, end, bucket)
    per_target = trends.series(signals, starts, end)
    if targets:
        chosen = [t for t in targets if t in per_target]
    else:
        chosen = sorted(per_target, key=lambda t: (-per_target[t][0].clip(min=0).sum(), t))
        chosen = chosen[:limit]
    series = []
    for target in chosen:
        sums, counts = per_target[target]
        found = trends.trend(counts.tolist())
        kind, key = split_target(target)
        series.append({
            "type": kind,
            "key": key,
            "weights": [round(float(v), 6) for v in sums],
            "counts": [int(v) for v in counts],
            "trend": None if found is None else {"label": found.label, **found.numbers},
        })  # fmt: skip
    return {
        "from": iso(start),
        "to": iso(end),
        "bucket": bucket,
        "buckets": [iso(s) for s in starts],
        "series": series,
    }


def describe_shifts(signals: Sequence[Signal]) -> list[dict[str, Any]]:
    return [
        {
            "at": iso(datetime.fromtimestamp(s.at, UTC)),
            "signal_index": s.index,
            "divergence": s.divergence,
            "rose": [_change(t, v) for t, v in s.rose],
            "fell": [_change(t, v) for t, v in s.fell],
        }
        for s in shifts.detect(signals)
    ]


def _change(target: str, change: float) -> dict[str, Any]:
    kind, key = split_target(target)
    return {"type": kind, "key": key, "share_change": change}


def trending(
    driver: Driver,
    end: datetime,
    window_days: int,
    *,
    limit: int = 20,
    min_signals: int = 3,
    database: str | None = None,
) -> list[dict[str, Any]]:
    """Targets whose signals across all users grew most from the previous window to this one."""
    window = timedelta(days=window_days)
    records, _, _ = driver.execute_query(
        query("evolution/trending"),
        start=end - 2 * window,
        middle=end - window,
        end=end,
        min_signals=min_signals,
        database_=database,
        routing_="r",
    )
    rows = []
    for r in records:
        ratio, p = trends.trending_score(r["recent"], r["before"])
        kind, key = split_target(r["target"])
        rows.append({
            "type": kind, "key": key, "recent_signals": r["recent"],
            "previous_signals": r["before"], "recent_users": r["recent_users"],
            "log_ratio": round(ratio, 4), "p_value": round(p, 6),
        })  # fmt: skip
    rows.sort(key=lambda row: (row["p_value"], -row["log_ratio"], row["key"]))
    return rows[:limit]


def iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")
