from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, current_app
from flask.typing import ResponseReturnValue

from graph.ingest import reads
from graph.privacy import erasure
from service.api.params import user_node
from service.api.render import iso
from service.api.spec import Count, Span, Whole, operation, query_args
from service.auth import requires
from service.errors import bad_parameter, not_found
from service.neo4j_ext import store

blueprint = Blueprint("users", __name__, url_prefix="/v1/users")


class EventsQuery(Span):
    limit: Whole = Count(100, 1, 10_000)


@blueprint.get("/<user_id>/events")
@operation("The user's events, newest first", query=EventsQuery)
def user_events(user_id: str) -> ResponseReturnValue:
    """The user's events in ``[from, to)``, newest first."""
    args = query_args(EventsQuery)
    start, end = args.start, args.end
    if start and end and start >= end:
        raise bad_parameter("to", "must be later than 'from'")
    events = reads.user_events(store(), user_node(user_id), start=start, end=end, limit=args.limit)
    if events is None:
        raise not_found("user", user_id)
    return {
        "user_id": user_id,
        "count": len(events),
        "events": [
            {
                "event_id": e.event_id,
                "item_id": e.item_id,
                "kind": e.kind,
                "value": e.value,
                "weight": e.weight,
                "timestamp": iso(e.at),
            }
            for e in events
        ],
    }


@blueprint.delete("/<user_id>")
@operation("Erase everything held about the user")
def erase(user_id: str) -> ResponseReturnValue:
    """Erase everything held about the user (admin scope). A repeat answers 404."""
    flush_shown()  # this worker's answers for the user, before the erasure; others' are dropped
    erased = erasure.erase_user(store(), user_node(user_id))
    if erased is None:
        raise not_found("user", user_id)
    return {"user_id": user_id, "erased": erased.__dict__}


@blueprint.get("/<user_id>/export")
@operation("Everything held about the user")
@requires("admin")
def export(user_id: str) -> ResponseReturnValue:
    """Everything held about the user (admin scope): the node, events, expressions, texts, and
    the recommendations shown with the feedback on each item."""
    flush_shown()
    held = erasure.export_user(store(), user_node(user_id))
    if held is None:
        raise not_found("user", user_id)
    return {
        "user_id": user_id,
        "stored_as": held.user.get("id"),
        "user": _properties(held.user),
        "events": [_properties(e) for e in held.events],
        "expressions": [_properties(e) for e in held.expressions],
        "texts": [_properties(t) for t in held.texts],
        "recommendations": [
            {
                **_properties({k: v for k, v in r.items() if k != "items"}),
                "items": [_properties(i) for i in r["items"]],
            }
            for r in held.recommendations
        ],
    }


def _properties(values: dict[str, Any]) -> dict[str, Any]:
    """A property map as JSON, keys sorted: instants as ``render.iso`` writes them."""
    return {key: iso(v) if isinstance(v, datetime) else v for key, v in sorted(values.items())}


def flush_shown() -> None:
    """Write this worker's pending log of what was shown (``service.shown_log``)."""
    current_app.extensions["policies"].log.flush()
