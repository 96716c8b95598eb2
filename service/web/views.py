"""The pages under ``/ui``: sign-in, overview, a user, an item, an interest, the embedding runs,
search, and feedback sent from a user's recommendations.

Each page asks the same functions the JSON API's blueprint asks (``graph.*``, ``service.*``,
``embeddings.runs``) and the same scope; it only turns their answers into HTML.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError, CSRFProtect
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from embeddings import runs
from graph.access import api_keys
from graph.access.api_keys import ApiKey
from graph.evolution import profiles, shifts, trends
from graph.evolution.profiles import Profile
from graph.evolution.strength import split_target
from graph.ingest import browse, reads
from graph.ingest.feedback import FeedbackIn
from graph.ingest.records import BatchError, content_key
from graph.store import UNAVAILABLE_ERRORS
from service import forecast, new_items, policy, recommend
from service.api.params import user_node
from service.api.recommendation_json import explanation_json, reason
from service.auth import Auth
from service.errors import ApiError, not_found
from service.metrics import count_taken, fetch_state
from service.neo4j_ext import store
from service.shown_log import take_feedback
from service.timeline_picture import render_svg
from service.web import charts

logger = logging.getLogger(__name__)

blueprint = Blueprint(
    "web", __name__, url_prefix="/ui", template_folder="templates",
    static_folder="static", static_url_path="/static",
)  # fmt: skip
csrf: CSRFProtect | None = None  # set by service.web.init_app

F = TypeVar("F", bound=Callable[..., ResponseReturnValue])

RECOMMENDED = 6  # items shown on a user's page
NEW_ITEMS = 4  # new items (no one has tried them) shown on a user's page
DWELL_S = 120.0  # the dwell a "read it" click reports
FEEDBACK_KINDS = {"click": "Read it", "skip": "Skip", "dislike": "Not for me"}
RECENT_S = 24 * 3600  # the window of the overview's rates
TRENDING_DAYS = 7
INTEREST_TREND_DAYS = 30
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")  # fmt: skip


# --- signing in ---------------------------------------------------------------------------


def page(scope: str) -> Callable[[F], F]:
    """The view needs a signed-in key with ``scope`` (as its API twin does)."""

    def wrap(view: F) -> F:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            key_id = session.get("key_id")
            if not key_id:
                return redirect(url_for("web.signin", next=request.full_path.rstrip("?")))
            key = _signed_in_key(str(key_id))
            if key is None or key.revoked_at is not None:
                session.clear()
                return redirect(url_for("web.signin", expired=1))
            signed_in = session.get("signed_in_at", 0)
            hours = float(current_app.config["WEB_SIGNIN_HOURS"])
            if datetime.now(UTC).timestamp() - signed_in > hours * 3600:
                session.clear()
                return redirect(url_for("web.signin", expired=1))
            if not key.allows(scope):
                return _error(403, f"This API key lacks the “{scope}” scope this page needs.")
            g.page_key = key
            return view(*args, **kwargs)

        checked.required_scope = scope  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]

    return wrap


def _signed_in_key(key_id: str) -> ApiKey | None:
    """The key a session signed in with, as the graph holds it now (revoked, or gone: None)."""
    return next((k for k in api_keys.list_keys(store()) if k.id == key_id), None)


def _auth() -> Auth:
    found: Auth = current_app.extensions["auth"]
    return found


@blueprint.before_request
def _check_csrf() -> None:
    if request.method == "POST" and csrf is not None:
        csrf.protect()


@blueprint.after_request
def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@blueprint.get("/signin")
def signin() -> ResponseReturnValue:
    return render_template("signin.html", next=_safe_next(request.args.get("next")),
                           expired=bool(request.args.get("expired")))  # fmt: skip


@blueprint.post("/signin")
def signin_post() -> ResponseReturnValue:
    token = request.form.get("api_key", "").strip()
    next_url = _safe_next(request.form.get("next"))
    key = _auth().key(token) if token else None
    if key is None or key.revoked_at is not None:
        message = "That API key is unknown or revoked."
        return render_template("signin.html", next=next_url, message=message), 401
    session.clear()  # a fresh session: nothing from before the sign-in survives it
    session["key_id"] = key.id  # the cookie names the key, never holds its secret
    session["signed_in_at"] = datetime.now(UTC).timestamp()
    logger.info("web sign-in with key %s", key.id)
    return redirect(next_url or url_for("web.overview"))


@blueprint.post("/signout")
def signout() -> ResponseReturnValue:
    session.clear()
    return redirect(url_for("web.signin"))


def _safe_next(value: str | None) -> str | None:
    """A place to go after signing in: only a path under /ui of this site."""
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith("/ui/") or "\\" in value:
        return None
    return value


@blueprint.app_context_processor
def _page_context() -> dict[str, Any]:
    key: ApiKey | None = g.get("page_key")
    return {"signed_in": key, "scopes": key.scopes if key is not None else ()}


# --- pages --------------------------------------------------------------------------------


@blueprint.get("/")
@page("read")
def overview() -> ResponseReturnValue:
    graph = store()
    now = datetime.now(UTC)
    counts = browse.counts(graph, window_s=RECENT_S)
    trending = profiles.trending(graph, now, TRENDING_DAYS, limit=10)
    rows = [(split_target(t.counts.target)[1], t.counts.recent) for t in trending]
    context: dict[str, Any] = {
        "counts": counts,
        "trending": [(split_target(t.counts.target), t) for t in trending],
        "trending_days": TRENDING_DAYS,
        "trending_chart": charts.bars(rows, value_title=f"signals, last {TRENDING_DAYS} days")
        if rows
        else None,
        "service": None,
    }
    if g.page_key.allows("metrics"):  # what GET /metrics reports needs its scope
        window_s = int(current_app.config["METRICS_FEEDBACK_WINDOW_SECONDS"])
        state = fetch_state(graph, window_s=window_s)
        context["service"] = {"state": state, "next_retraining": _next_retraining(now),
                              "cron": current_app.config.get("RETRAIN_CRON")}  # fmt: skip
    return render_template("overview.html", **context)


@blueprint.get("/users/<user_id>")
@page("read")
def user(user_id: str) -> ResponseReturnValue:
    graph = store()
    node = user_node(user_id)
    if not profiles.user_known(graph, node):
        raise not_found("user", user_id)
    now = datetime.now(UTC)
    rows = profiles.history_rows(graph, node, until=now)
    signals = profiles.profile_signals(rows)
    profile = profiles.profile_at(graph, signals, now, horizon="blended", limit=12)
    found_shifts = shifts.detect(signals)
    timeline = _timeline(signals, now)
    picture = render_svg(user_id, timeline, found_shifts) if timeline is not None else None
    trend_of = {s.target: s.trend for s in timeline.series} if timeline is not None else {}
    predicted = forecast.forecast(graph, rows, now, limit=8)
    forecast_chart = charts.bars(
        [(split_target(t.target)[1], t.score) for t in predicted.targets], value_title="score"
    ) if predicted.targets else None  # fmt: skip
    policies: policy.Policies = current_app.extensions["policies"]
    answer = policy.recommend_now(graph, policies, node, caller=user_id, k=RECOMMENDED,
                                  explain=True)  # fmt: skip
    fresh = new_items.new_items(graph, node, k=NEW_ITEMS, as_of=now, explain=True, caller=user_id,
                                rows=rows)  # fmt: skip
    events = reads.user_events(graph, node, limit=20) or []
    titles = recommend.fetch_items(graph, sorted({e.item_id for e in events}))
    expressions = list(reversed(reads.user_expressions(graph, node)))[:20]
    return render_template(
        "user.html",
        user_id=user_id,
        profile=profile,
        split_target=split_target,
        trend_of=trend_of,
        timeline=timeline,
        timeline_svg=charts.data_uri(picture) if picture is not None else None,
        shifts=found_shifts,
        at=_at,
        forecast=predicted,
        forecast_chart=forecast_chart,
        answer=answer,
        fresh=fresh,
        explanations={
            item.item_id: [explanation_json(e, user_id) for e in item.explanations or []]
            for item in answer.items
        },
        reason=reason,
        feedback_kinds=FEEDBACK_KINDS,
        events=events,
        titles=titles,
        expressions=expressions,
        texts=reads.user_texts(graph, node)[:10],
    )


@blueprint.post("/users/<user_id>/feedback")
@page("write")
def feedback(user_id: str) -> ResponseReturnValue:
    """One reaction to one recommended item, as ``POST /v1/feedback`` takes it; answers with the
    profile before and after (the htmx partial, or the user's page without JavaScript)."""
    graph = store()
    node = user_node(user_id)
    kind = request.form.get("kind", "")
    item_id = request.form.get("item_id", "")
    now = datetime.now(UTC)
    recommendation_id = request.form.get("recommendation_id", "")
    try:  # one reaction per kind, item and answer: a button pressed twice changes nothing more
        record = FeedbackIn.model_validate({
            "recommendation_id": recommendation_id, "item_id": item_id, "kind": kind,
            "timestamp": now, "dwell_s": DWELL_S if kind == "click" else None,
            "feedback_id": content_key(["web", recommendation_id, item_id, kind]),
        })  # fmt: skip
    except ValidationError as exc:
        return _error(400, f"The feedback is not valid: {exc.errors()[0]['msg']}")
    before = profiles.user_signals(graph, node, until=now)
    try:
        written = take_feedback(graph, current_app.extensions["policies"].log, [record])
    except BatchError as exc:
        return _error(400, "; ".join(e.reason for e in exc.errors) or "the feedback was refused")
    count_taken("feedback", created=written.created, duplicates=written.duplicates)
    after_at = datetime.now(UTC) + timedelta(seconds=1)
    after = profiles.user_signals(graph, node, until=after_at)
    move = _profile_move(
        profiles.profile_at(graph, before, after_at, horizon="short", limit=8),
        profiles.profile_at(graph, after, after_at, horizon="short", limit=8),
    )
    if request.headers.get("HX-Request") != "true":
        return redirect(url_for("web.user", user_id=user_id))
    titles = recommend.fetch_items(graph, [item_id])
    title = titles[item_id].title if item_id in titles else item_id
    return render_template("_feedback.html", kind=kind, label=FEEDBACK_KINDS.get(kind, kind),
                           title=title, created=written.created, move=move,
                           signals=(len(before), len(after)))  # fmt: skip


@blueprint.get("/items/<item_id>")
@page("read")
def item(item_id: str) -> ResponseReturnValue:
    graph = store()
    found = reads.item(graph, item_id)
    if found is None:
        raise not_found("item", item_id)
    similar = recommend.similar_items(graph, item_id, 8)
    return render_template("item.html", item=found, similar=similar)


@blueprint.get("/interests/<path:key>")
@page("read")
def interest(key: str) -> ResponseReturnValue:
    graph = store()
    found = reads.interest(graph, key)
    if found is None:
        raise not_found("interest", key)
    now = datetime.now(UTC)
    counts = profiles.window_counts(graph, now, INTEREST_TREND_DAYS, min_signals=1)
    mine = next((c for c in counts if c.target == f"interest:{key}"), None)
    trend = None
    if mine is not None:
        log_ratio, p_value = trends.trending_score(mine.recent, mine.before)
        trend = {"counts": mine, "log_ratio": log_ratio, "p_value": p_value}
    return render_template("interest.html", interest=found, trend=trend,
                           days=INTEREST_TREND_DAYS)  # fmt: skip


@blueprint.get("/runs")
@page("metrics")
def embedding_runs() -> ResponseReturnValue:
    """Every embedding run (newest first), the serving one, the training lease, the schedule:
    what ``GET /metrics`` reports of them, so the same ``metrics`` scope."""
    graph = store()
    now = datetime.now(UTC)
    serving = runs.serving(graph)
    found = runs.recent(graph, limit=200)
    for run in found:
        run["duration_s"] = _duration(run.get("started_at"), run.get("finished_at"))
    return render_template(
        "runs.html", runs=found, serving=serving, lease=runs.lease_holder(graph),
        cron=current_app.config.get("RETRAIN_CRON"), next_retraining=_next_retraining(now),
    )  # fmt: skip


@blueprint.get("/search")
@page("read")
def search() -> ResponseReturnValue:
    text = request.args.get("q", "").strip()[:200]
    found: dict[str, Any] = {"users": [], "items": [], "interests": []}
    if text:
        graph = store()
        try:
            if profiles.user_known(graph, user_node(text)):
                found["users"] = [text]
        except ApiError:
            pass  # not a valid user id: no user to find
        found["items"] = browse.search_items(graph, text)
        found["interests"] = browse.search_interests(graph, text)
    return render_template("search.html", q=text, found=found)


# --- errors -------------------------------------------------------------------------------


@blueprint.errorhandler(CSRFError)
def _csrf_error(error: CSRFError) -> ResponseReturnValue:
    return _error(400, f"The form has expired or did not come from this site "
                       f"({error.description}). Reload the page and try again.")  # fmt: skip


@blueprint.errorhandler(ApiError)
def _api_error(error: ApiError) -> ResponseReturnValue:
    return _error(error.status, error.message)


@blueprint.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> ResponseReturnValue:
    return _error(error.code or 500, error.description or error.name)


def _unavailable(error: Exception) -> ResponseReturnValue:
    logger.warning("Neo4j unavailable (web page): %s", type(error).__name__)
    page, status = _error(503, "The graph database is not reachable just now; nothing was "
                               "changed. Try again in a moment.")  # fmt: skip
    return page, status, {"Retry-After": str(current_app.config["RETRY_AFTER_SECONDS"])}


for _down in UNAVAILABLE_ERRORS:  # a page, not the API's JSON body, while Neo4j is away
    blueprint.register_error_handler(_down, _unavailable)


def _error(status: int, message: str) -> tuple[str, int]:
    return render_template("error.html", status=status, message=message), status


# --- helpers ------------------------------------------------------------------------------


def _timeline(signals: list[Any], now: datetime) -> profiles.Timeline | None:
    """The user's active span in buckets that keep the picture readable (at most ~120)."""
    week = timedelta(days=7)
    span = profiles.active_span(signals, bucket=week, until=now)
    if span is None:
        return None
    days = (span[1] - span[0]).days
    bucket = "day" if days <= 120 else "week" if days <= 840 else "month"
    chosen = profiles.timeline(signals, span[0], span[1], bucket, limit=6)
    return chosen if chosen.series else None


def _profile_move(before: Profile, after: Profile) -> list[dict[str, Any]]:
    """Each target of either profile: its signals and short-horizon share before and after,
    those whose signals changed first."""
    old = {e.strength.target: e for e in before.entries}
    new = {e.strength.target: e for e in after.entries}
    rows: list[dict[str, Any]] = []
    for target in dict.fromkeys([*new, *old]):
        was, now = old.get(target), new.get(target)
        name = (now or was).name  # type: ignore[union-attr]
        rows.append({
            "target": target, "name": name,
            "signals_before": was.strength.signals if was else 0,
            "signals_after": now.strength.signals if now else 0,
            "before": was.strength.short if was else 0.0,
            "after": now.strength.short if now else 0.0,
        })  # fmt: skip
    for row in rows:
        row["change"] = row["after"] - row["before"]
        row["signals_change"] = row["signals_after"] - row["signals_before"]
    rows.sort(key=lambda r: (-abs(r["signals_change"]), -abs(r["change"])))
    return rows


def _at(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, UTC).strftime("%Y-%m-%d %H:%M")


def _duration(started: str | None, finished: str | None) -> float | None:
    if not started or not finished:
        return None
    return (datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds()


def _next_retraining(now: datetime) -> datetime | None:
    """When the retraining schedule (``INTERESTS_RETRAIN_CRON``, what ``interests train
    --schedule`` runs on) fires next; None without one."""
    cron = current_app.config.get("RETRAIN_CRON")
    if not cron:
        return None
    from apscheduler.triggers.cron import CronTrigger

    try:
        trigger = CronTrigger.from_crontab(str(cron), timezone="UTC")
    except ValueError:
        return None
    found: datetime | None = trigger.get_next_fire_time(None, now)
    return found
