"""Evolving interests: a user's signals, interests' names and vectors and the targets trending
across users, read from the graph; profiles, timelines and the trending ranking computed from
them (with ``graph.evolution.strength``, ``facets``, ``trends``), as dataclasses.

Fetch functions take the ``Graph`` and return plain data, never signals after an instant they
are given; the compute functions are pure; ``profile_at`` and ``trending`` compose the two. The
answers' JSON is written by the service (``service.api.evolution_json``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from graph.evolution import facets, strength, trends
from graph.evolution.facets import Facet
from graph.evolution.strength import Signal, Strength, split_target
from graph.evolution.trends import Trend
from graph.store import Graph

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
BEGINNING = datetime(1, 1, 1, tzinfo=UTC)  # a history for the item-to-item walk starts here
ITEM_INTERESTS = 5  # of an item's ABOUT interests, the strongest this many carry its events
TITLE_EVIDENCE_ITEMS = 2  # items a user acted on whose titles alone say it, for an interest
FACET_POOL = 200  # the interests among this many strongest targets may form facets
TRENDING_P_DIGITS = 6  # p-values equal to this many places tie in the trending ranking
TRENDING_RATIO_DIGITS = 4  # and so do log ratios, to this many
ACTIVE_MARGIN = 0.02  # of a user's active span, added on each side of a timeline drawn over it


@dataclass(frozen=True)
class InterestDetails:
    name: str
    embedding: np.ndarray | None


@dataclass(frozen=True)
class ProfileEntry:
    """One target of a profile: its strengths, and the name it is shown by."""

    strength: Strength
    name: str  # an interest's name; otherwise (a category, an interest out of reach) its key


@dataclass(frozen=True)
class ProfileFacet:
    facet: Facet
    name: str  # the name of the facet's medoid interest


@dataclass(frozen=True)
class Profile:
    """A user's interests at ``as_of``, strongest in ``horizon`` first, and their facets."""

    as_of: datetime
    horizon: str
    signals: int  # signals up to as_of
    entries: list[ProfileEntry]
    facets: list[ProfileFacet]


@dataclass(frozen=True)
class Series:
    """One target's summed weight and signal count per bucket of a timeline, and its trend."""

    target: str
    weights: list[float]
    counts: list[int]
    trend: Trend | None


@dataclass(frozen=True)
class Timeline:
    start: datetime
    end: datetime
    bucket: str
    starts: list[datetime]  # of the buckets
    series: list[Series]


@dataclass(frozen=True)
class WindowCounts:
    """A target's signals across all users in a window and in the one before it."""

    target: str
    recent: int
    before: int
    recent_users: int


@dataclass(frozen=True)
class TrendingTarget:
    counts: WindowCounts
    log_ratio: float
    p_value: float  # one-sided, of growth


def user_known(graph: Graph, user_id: str) -> bool:
    record = graph.read_one("evolution/user_exists", user_id=user_id)
    return record is not None and bool(record["known"])


def user_signals(
    graph: Graph, user_id: str, *, since: datetime = EPOCH, until: datetime
) -> list[Signal]:
    """The user's signals in ``[since, until]``, oldest first (only those with a target)."""
    return signals_of(user_rows(graph, user_id, since=since, until=until))


def history_rows(graph: Graph, user_id: str, *, until: datetime) -> list[dict[str, Any]]:
    """Every ``evolution/user_signals`` row of the user up to ``until``: what a ranking and a
    forecast read once for the profile (``profile_signals``) and the item-to-item walk."""
    return user_rows(graph, user_id, since=BEGINNING, until=until)


def profile_signals(rows: Iterable[Mapping[str, Any]]) -> list[Signal]:
    """``user_signals`` from ``history_rows``: a profile counts signals from ``EPOCH``."""
    return signals_of(row for row in rows if row["at"] >= 0)


def user_rows(
    graph: Graph, user_id: str, *, since: datetime = EPOCH, until: datetime
) -> list[dict[str, Any]]:
    """The user's ``evolution/user_signals`` rows in ``[since, until]``, oldest first: what
    ``signals_of`` reads, and the interactions a ranking walks (one read for both)."""
    record = graph.read_one("evolution/user_signals", user_id=user_id, since=since, until=until)
    return rows_of(record) if record is not None else []


def rows_of(columns: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """The rows of ``evolution/user_signals``'s columns (a text's item is None)."""
    names = list(columns.keys())
    lists = [columns[name] for name in names]
    rows = [dict(zip(names, values, strict=True)) for values in zip(*lists, strict=True)]
    for row in rows:
        row["item"] = row["item"] or None
    return rows


def signals_of(rows: Iterable[Mapping[str, Any]]) -> list[Signal]:
    """The signals of a user's ``evolution/user_signals`` rows (oldest first), those with a target.

    Titles are not descriptions: an interest that only items' titles are about (no description,
    no text about the item says so) is a target of a signal once ``TITLE_EVIDENCE_ITEMS`` items
    carrying it have come in these rows up to that signal, so one "First Date" makes no interest
    in dates, and a signal is never judged by later ones."""
    titled: dict[str, set[str]] = defaultdict(set)  # interest → items only titles say it of
    evidenced: set[str] = set()  # interests admitted so far
    found = []
    for row in rows:
        pairs = row["about"]
        for _, key, *flag in pairs:
            if flag and not flag[0]:
                titled[key].add(row.get("item") or "")
            if not flag or flag[0] or len(titled[key]) >= TITLE_EVIDENCE_ITEMS:
                evidenced.add(key)
        signal = signal_of(row, [pair for pair in pairs if pair[1] in evidenced])
        if signal is not None:
            found.append(signal)
    return found


def signal_of(
    row: Mapping[str, Any], about: Sequence[Sequence[Any]] | None = None
) -> Signal | None:
    """The signal of one ``evolution/user_signals`` row (``at``, ``weight``, ``source``,
    ``targets``, ``about``; ``about`` given: instead of the row's), or None when it has no
    target."""
    pairs = row["about"] if about is None else about
    targets = (*row["targets"], *strongest_about(pairs)) if pairs else tuple(row["targets"])
    if not targets:
        return None
    return Signal(float(row["at"]), float(row["weight"]), row["source"], targets)


def strongest_about(about: Sequence[Sequence[Any]]) -> list[str]:
    """Of an item's ``[weight, target, ...]`` ABOUT pairs, the ``ITEM_INTERESTS`` strongest
    targets."""
    if len(about) == 1:
        return [about[0][1]]
    return [pair[1] for pair in sorted(about, key=lambda pair: -pair[0])[:ITEM_INTERESTS]]


def interest_details(graph: Graph, keys: Sequence[str]) -> dict[str, InterestDetails]:
    """The names and vectors (None when not embedded) of the interests with these keys."""
    records = graph.read("evolution/interest_details", keys=list(keys))
    return {
        r["key"]: InterestDetails(
            r["name"], None if r["embedding"] is None else np.array(r["embedding"])
        )
        for r in records
    }


def ranked_targets(signals: Sequence[Signal], as_of: datetime, horizon: str) -> list[Strength]:
    """Every target reached up to ``as_of``, strongest in ``horizon`` first (ties by target)."""
    ranked = strength.profile(signals, as_of.timestamp())
    ranked.sort(key=lambda s: (-s.value(horizon), s.target))
    return ranked


def facet_candidates(ranked: Sequence[Strength]) -> list[str]:
    """The keys of the interests among the ``FACET_POOL`` strongest targets: those a profile
    needs the names and vectors of."""
    return [key for kind, key in (split_target(s.target) for s in ranked[:FACET_POOL])
            if kind == "interest"]  # fmt: skip


def build_profile(
    signals: Sequence[Signal],
    as_of: datetime,
    ranked: Sequence[Strength],
    details: dict[str, InterestDetails],
    *,
    horizon: str,
    limit: int,
) -> Profile:
    """The profile at ``as_of`` from ``ranked_targets`` and the ``interest_details`` of its
    ``facet_candidates``: the ``limit`` strongest targets, and the interests' facets."""
    embeddings = {k: d.embedding for k, d in details.items() if d.embedding is not None}
    by_key = {split_target(s.target)[1]: s.value(horizon) for s in ranked[:FACET_POOL]
              if s.target.startswith("interest:")}  # fmt: skip
    return Profile(
        as_of=as_of,
        horizon=horizon,
        signals=sum(1 for s in signals if s.at <= as_of.timestamp()),
        entries=[ProfileEntry(s, _name(s.target, details)) for s in ranked[:limit]],
        facets=[
            ProfileFacet(f, details[f.name].name if f.name in details else f.name)
            for f in facets.facets(by_key, embeddings)
        ],
    )


def _name(target: str, details: dict[str, InterestDetails]) -> str:
    kind, key = split_target(target)
    return details[key].name if kind == "interest" and key in details else key


def profile_at(
    graph: Graph, signals: Sequence[Signal], as_of: datetime, *, horizon: str, limit: int
) -> Profile:
    """The profile of ``signals`` at ``as_of``, with the names and vectors of its interests."""
    ranked = ranked_targets(signals, as_of, horizon)
    details = interest_details(graph, facet_candidates(ranked))
    return build_profile(signals, as_of, ranked, details, horizon=horizon, limit=limit)


def timeline(
    signals: Sequence[Signal],
    start: datetime,
    end: datetime,
    bucket: str,
    *,
    targets: Sequence[str] | None = None,
    limit: int = 10,
) -> Timeline:
    """Per target, weight and count in each bucket of ``[start, end)``, with its trend: the
    named ``targets`` that have signals, else the ``limit`` with the most positive weight."""
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
        series.append(Series(target, [float(v) for v in sums], [int(v) for v in counts], found))
    return Timeline(start, end, bucket, starts, series)


def active_span(
    signals: Sequence[Signal], *, bucket: timedelta, until: datetime
) -> tuple[datetime, datetime] | None:
    """The span a timeline shows when none is asked for: the user's first to last signal,
    widened on each side by ``ACTIVE_MARGIN`` of it, at least a day and at most one ``bucket``
    (so the last signal stays in the recent window the trends judge), and never past ``until``
    (the instant the signals were read up to) but always past the last signal. None without
    signals."""
    if not signals:
        return None
    first = min(s.at for s in signals)
    last = max(s.at for s in signals)
    margin = min(max((last - first) * ACTIVE_MARGIN, strength.DAY), bucket.total_seconds())
    end = max(min(last + margin, until.timestamp()), last + 1.0)  # [start, end) holds `last`
    return datetime.fromtimestamp(first - margin, UTC), datetime.fromtimestamp(end, UTC)


def window_counts(
    graph: Graph, end: datetime, window_days: int, *, min_signals: int
) -> list[WindowCounts]:
    """Per target with at least ``min_signals`` signals (all users) in the window ending at
    ``end``: those, the ones in the window before it, and the users of the recent ones."""
    window = timedelta(days=window_days)
    records = graph.read(
        "evolution/trending",
        start=end - 2 * window,
        middle=end - window,
        end=end,
        min_signals=min_signals,
    )
    return [WindowCounts(r["target"], r["recent"], r["before"], r["recent_users"])
            for r in records]  # fmt: skip


def rank_trending(counts: Sequence[WindowCounts], *, limit: int) -> list[TrendingTarget]:
    """The ``limit`` targets whose signals grew most surely: by p-value of growth, then by log
    rate ratio (each compared at the places answers show), then by key."""
    rows = []
    for c in counts:
        ratio, p = trends.trending_score(c.recent, c.before)
        rows.append(TrendingTarget(c, ratio, p))
    rows.sort(key=lambda row: (round(row.p_value, TRENDING_P_DIGITS),
                               -round(row.log_ratio, TRENDING_RATIO_DIGITS),
                               split_target(row.counts.target)[1]))  # fmt: skip
    return rows[:limit]


def trending(
    graph: Graph, end: datetime, window_days: int, *, limit: int = 20, min_signals: int = 3
) -> list[TrendingTarget]:
    """Targets whose signals across all users grew most from the previous window to this one."""
    counts = window_counts(graph, end, window_days, min_signals=min_signals)
    return rank_trending(counts, limit=limit)
