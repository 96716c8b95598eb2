"""Evolving interests: profiles as of an instant, forecasts, timelines with trends, shifts,
trending."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

from flask import Blueprint, Response
from flask.typing import ResponseReturnValue
from pydantic import Field

from graph.evolution import online_shifts, profiles, shifts
from graph.evolution.profiles import Timeline
from graph.evolution.strength import Signal
from service import forecast
from service.api import evolution_json
from service.api.params import user_node
from service.api.render import iso
from service.api.spec import Count, Flag, Instant, Query, Span, Whole, operation, query_args
from service.errors import bad_parameter, not_found
from service.neo4j_ext import store
from service.timeline_picture import render_svg

blueprint = Blueprint("evolution", __name__)

MAX_BUCKETS = 2_000
DEFAULT_SPAN = timedelta(days=365)
BUCKET_DAYS = {"day": 1, "week": 7, "month": 28}
Bucket = Literal["day", "week", "month"]


class ProfileQuery(Query):
    as_of: Instant | None = None
    horizon: Literal["short", "long", "blended"] = "blended"
    limit: Whole = Count(20, 1, 500)


class ForecastQuery(Query):
    as_of: Instant | None = None
    limit: Whole = Count(20, 1, 500)


class TimelineQuery(Span):
    bucket: Bucket = "week"
    interests: str = Field("", description="comma-separated interest keys")
    limit: Whole = Count(8, 1, 50)


class TrendingQuery(Query):
    window: Whole = Count(7, 1, 3650)
    limit: Whole = Count(20, 1, 200)
    as_of: Instant | None = None


@blueprint.get("/v1/users/<user_id>/interests")
@operation("The profile as of an instant, with facets", query=ProfileQuery)
def user_interests(user_id: str) -> ResponseReturnValue:
    """The profile at ``as_of`` (default now): strengths in a horizon, and facets."""
    args = query_args(ProfileQuery)
    as_of = args.as_of or _now()
    signals = _signals(user_id, until=as_of)
    profile = profiles.profile_at(store(), signals, as_of, horizon=args.horizon, limit=args.limit)
    return {"user_id": user_id, **evolution_json.profile_json(profile)}


@blueprint.get("/v1/users/<user_id>/interests/forecast")
@operation("What the next signals will likely be about", query=ForecastQuery)
def user_forecast(user_id: str) -> ResponseReturnValue:
    """What the user's next positive signals are likely to be about, at ``as_of`` (default now):
    the profile shrunk towards the population's tastes, mixed with the targets of the items the
    item-to-item model predicts; each part's share is in the answer."""
    args = query_args(ForecastQuery)
    as_of = args.as_of or _now()
    graph = store()
    node = user_node(user_id)
    if not profiles.user_known(graph, node):
        raise not_found("user", user_id)
    rows = profiles.history_rows(graph, node, until=as_of)
    found = forecast.forecast(graph, rows, as_of, limit=args.limit)
    return {"user_id": user_id, **evolution_json.forecast_json(found)}


@blueprint.get("/v1/users/<user_id>/interests/timeline")
@operation("Interest series per bucket, with trends", query=TimelineQuery)
def user_timeline(user_id: str) -> ResponseReturnValue:
    """Weights and counts per bucket of the strongest (or the named) interests, with trends.
    Without ``from`` and ``to``, over the user's active span: first to last signal, with a
    small margin; a bound left out is the active span's (only signals up to ``to``, or now)."""
    timeline = _timeline(user_id)[0]
    return {"user_id": user_id, **evolution_json.timeline_json(timeline)}


@blueprint.get("/v1/users/<user_id>/interests/timeline.svg")
@operation("The timeline drawn (SVG)", query=TimelineQuery, media_type="image/svg+xml")
def user_timeline_picture(user_id: str) -> ResponseReturnValue:
    """The timeline drawn as a stream graph, shifts marked."""
    timeline, signals = _timeline(user_id)
    svg = render_svg(user_id, timeline, shifts.detect(signals))
    return Response(svg, mimetype="image/svg+xml")


class ShiftsQuery(Span):
    online: Flag = False


@blueprint.get("/v1/users/<user_id>/shifts")
@operation("Where the user's mix of interests changed", query=ShiftsQuery)
def user_shifts(user_id: str) -> ResponseReturnValue:
    """Where the user's mix of interests changed markedly in ``[from, to]`` (segmenting the
    whole range); with ``online=true`` also where an online detector, judging each signal with
    only the signals before it, raised its alarms, and how many signals late."""
    args = query_args(ShiftsQuery)
    start, end = _range(args, default_start=profiles.EPOCH)
    signals = _signals(user_id, since=start, until=end)
    answer = {
        "user_id": user_id,
        "from": iso(start),
        "to": iso(end),
        "signals": len(signals),
        "shifts": [evolution_json.shift_json(s) for s in shifts.detect(signals)],
    }
    if args.online:
        alarms = online_shifts.detect(signals)
        answer["online"] = [evolution_json.online_shift_json(a, signals) for a in alarms]
    return answer


@blueprint.get("/v1/interests/trending")
@operation("Interests gaining attention across users", query=TrendingQuery)
def trending() -> ResponseReturnValue:
    """Interests and categories whose signals grew most, all users, window against the last."""
    args = query_args(TrendingQuery)
    end = args.as_of or _now()
    rows = profiles.trending(store(), end, args.window, limit=args.limit)
    return {
        "as_of": iso(end),
        "window_days": args.window,
        "trending": [evolution_json.trending_json(row) for row in rows],
    }


def _timeline(user_id: str) -> tuple[Timeline, list[Signal]]:
    args = query_args(TimelineQuery)
    named = [t.strip() for t in args.interests.split(",") if t.strip()]
    targets = [t if ":" in t else f"interest:{t}" for t in named]
    if args.start is not None and args.end is not None:  # checked before the user is looked up
        start, end = _within_buckets(args, *_range(args, default_start=None))
        signals = _signals(user_id, since=start, until=end)
    else:
        until = args.end or _now()
        signals = _signals(user_id, since=args.start or profiles.EPOCH, until=until)
        start, end = _within_buckets(args, *_active_range(args, signals, until))
        signals = [s for s in signals if start.timestamp() <= s.at]
    found = profiles.timeline(
        signals, start, end, args.bucket, targets=targets or None, limit=args.limit
    )
    return found, signals


def _active_range(
    args: TimelineQuery, signals: list[Signal], until: datetime
) -> tuple[datetime, datetime]:
    """The bound left out of ``from`` and ``to`` is that of the user's active span in
    ``signals`` (read up to ``until``), else (no signals) ``until`` and ``DEFAULT_SPAN`` before
    it. A start left out keeps the timeline within ``MAX_BUCKETS``."""
    bucket = timedelta(days=BUCKET_DAYS[args.bucket])
    span = profiles.active_span(signals, bucket=bucket, until=until)
    end = args.end or (span[1] if span else until)
    if args.start is not None:
        start = args.start
    else:
        start = max(span[0] if span else end - DEFAULT_SPAN, end - MAX_BUCKETS * bucket)
    if start >= end:
        raise bad_parameter("to", "must be later than 'from'")
    return start, end


def _within_buckets(
    args: TimelineQuery, start: datetime, end: datetime
) -> tuple[datetime, datetime]:
    if (end - start).days / BUCKET_DAYS[args.bucket] > MAX_BUCKETS:
        raise bad_parameter("bucket", f"over {MAX_BUCKETS} buckets: widen them or narrow the range")
    return start, end


def _range(args: Span, *, default_start: datetime | None) -> tuple[datetime, datetime]:
    end = args.end or _now()
    start = args.start or default_start or end - DEFAULT_SPAN
    if start >= end:
        raise bad_parameter("to", "must be later than 'from'")
    return start, end


def _signals(user_id: str, *, until: datetime, since: datetime = profiles.EPOCH) -> list[Signal]:
    graph = store()
    node = user_node(user_id)
    if not profiles.user_known(graph, node):
        raise not_found("user", user_id)
    return profiles.user_signals(graph, node, since=since, until=until)


def _now() -> datetime:
    return datetime.now(UTC)
