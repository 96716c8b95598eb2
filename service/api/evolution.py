"""Evolving interests: profiles as of an instant, forecasts, timelines with trends, shifts,
trending."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Blueprint, Response, request
from flask.typing import ResponseReturnValue

from service import forecast

from graph.evolution import profiles
from graph.evolution.strength import HORIZONS, Signal
from graph.evolution.trends import BUCKETS
from service.api.params import instant_arg, int_arg, user_node
from service.errors import bad_parameter, not_found
from service.neo4j_ext import neo4j
from service.timeline_picture import render_svg

blueprint = Blueprint("evolution", __name__)

MAX_BUCKETS = 2_000
DEFAULT_SPAN = timedelta(days=365)
BUCKET_DAYS = {"day": 1, "week": 7, "month": 28}


@blueprint.get("/v1/users/<user_id>/interests")
def user_interests(user_id: str) -> ResponseReturnValue:
    """The profile at ``as_of`` (default now): strengths in a horizon, and facets."""
    as_of = instant_arg("as_of") or _now()
    horizon = request.args.get("horizon", "blended")
    if horizon not in (*HORIZONS, "blended"):
        raise bad_parameter("horizon", "expected one of short, long, blended")
    limit = int_arg("limit", 20, low=1, high=500)
    signals = _signals(user_id, until=as_of)
    ext = neo4j()
    answer = profiles.describe_profile(
        ext.driver, signals, as_of, horizon=horizon, limit=limit, database=ext.database
    )
    return {"user_id": user_id, **answer}


@blueprint.get("/v1/users/<user_id>/interests/forecast")
def user_forecast(user_id: str) -> ResponseReturnValue:
    """What the user's next positive signals are likely to be about, at ``as_of`` (default now):
    the profile shrunk towards the population's tastes, mixed with the targets of the items the
    item-to-item model predicts; each part's share is in the answer."""
    as_of = instant_arg("as_of") or _now()
    limit = int_arg("limit", 20, low=1, high=500)
    signals = _signals(user_id, until=as_of)
    ext = neo4j()
    answer = forecast.forecast(
        ext.driver, user_node(user_id), signals, as_of, limit=limit, database=ext.database
    )
    return {"user_id": user_id, **answer}


@blueprint.get("/v1/users/<user_id>/interests/timeline")
def user_timeline(user_id: str) -> ResponseReturnValue:
    """Weights and counts per bucket of the strongest (or the named) interests, with trends."""
    return {"user_id": user_id, **_timeline(user_id)[0]}


@blueprint.get("/v1/users/<user_id>/interests/timeline.svg")
def user_timeline_picture(user_id: str) -> ResponseReturnValue:
    """The timeline drawn as a stream graph, shifts marked."""
    timeline, signals = _timeline(user_id)
    svg = render_svg(user_id, timeline, profiles.describe_shifts(signals))
    return Response(svg, mimetype="image/svg+xml")


@blueprint.get("/v1/users/<user_id>/shifts")
def user_shifts(user_id: str) -> ResponseReturnValue:
    """Where the user's mix of interests changed markedly in ``[from, to]``."""
    start, end = _range(default_start=profiles.EPOCH)
    signals = _signals(user_id, since=start, until=end)
    return {
        "user_id": user_id,
        "from": profiles.iso(start),
        "to": profiles.iso(end),
        "signals": len(signals),
        "shifts": profiles.describe_shifts(signals),
    }


@blueprint.get("/v1/interests/trending")
def trending() -> ResponseReturnValue:
    """Interests and categories whose signals grew most, all users, window against the last."""
    window = int_arg("window", 7, low=1, high=3650)
    limit = int_arg("limit", 20, low=1, high=200)
    end = instant_arg("as_of") or _now()
    ext = neo4j()
    rows = profiles.trending(ext.driver, end, window, limit=limit, database=ext.database)
    return {"as_of": profiles.iso(end), "window_days": window, "trending": rows}


def _timeline(user_id: str) -> tuple[dict[str, object], list[Signal]]:
    start, end = _range(default_start=None)
    bucket = request.args.get("bucket", "week")
    if bucket not in BUCKETS:
        raise bad_parameter("bucket", f"expected one of {', '.join(BUCKETS)}")
    if (end - start).days / BUCKET_DAYS[bucket] > MAX_BUCKETS:
        raise bad_parameter("bucket", f"over {MAX_BUCKETS} buckets: widen them or narrow the range")
    named = [t.strip() for t in request.args.get("interests", "").split(",") if t.strip()]
    targets = [t if ":" in t else f"interest:{t}" for t in named]
    limit = int_arg("limit", 8, low=1, high=50)
    signals = _signals(user_id, since=start, until=end)
    timeline = profiles.describe_timeline(
        signals, start, end, bucket, targets=targets or None, limit=limit
    )
    return timeline, signals


def _range(*, default_start: datetime | None) -> tuple[datetime, datetime]:
    end = instant_arg("to") or _now()
    start = instant_arg("from") or default_start or end - DEFAULT_SPAN
    if start >= end:
        raise bad_parameter("to", "must be later than 'from'")
    return start, end


def _signals(user_id: str, *, until: datetime, since: datetime = profiles.EPOCH) -> list[Signal]:
    ext = neo4j()
    node = user_node(user_id)
    if not profiles.user_known(ext.driver, node, database=ext.database):
        raise not_found("user", user_id)
    return profiles.user_signals(ext.driver, node, since=since, until=until, database=ext.database)


def _now() -> datetime:
    return datetime.now(UTC)
