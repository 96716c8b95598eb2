from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue

from graph import reads
from service.api.params import instant_arg, int_arg
from service.errors import bad_parameter, not_found
from service.neo4j_ext import neo4j

blueprint = Blueprint("users", __name__, url_prefix="/v1/users")


@blueprint.get("/<user_id>/events")
def user_events(user_id: str) -> ResponseReturnValue:
    """The user's events in ``[from, to)``, newest first."""
    start, end = instant_arg("from"), instant_arg("to")
    if start and end and start >= end:
        raise bad_parameter("to", "must be later than 'from'")
    limit = int_arg("limit", 100, low=1, high=10_000)
    ext = neo4j()
    events = reads.user_events(
        ext.driver, user_id, start=start, end=end, limit=limit, database=ext.database
    )
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
                "timestamp": e.at.isoformat().replace("+00:00", "Z"),
            }
            for e in events
        ],
    }
