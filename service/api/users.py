from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue

from graph.privacy import erasure

from graph.ingest import reads
from service.api.params import instant_arg, int_arg, user_node
from service.auth import requires
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
        ext.driver, user_node(user_id), start=start, end=end, limit=limit, database=ext.database
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


@blueprint.delete("/<user_id>")
def erase(user_id: str) -> ResponseReturnValue:
    """Erase everything held about the user (admin scope). A repeat answers 404."""
    ext = neo4j()
    erased = erasure.erase_user(ext.driver, user_node(user_id), database=ext.database)
    if erased is None:
        raise not_found("user", user_id)
    return {"user_id": user_id, "erased": erased.__dict__}


@blueprint.get("/<user_id>/export")
@requires("admin")
def export(user_id: str) -> ResponseReturnValue:
    """Everything held about the user (admin scope): the node, events, expressions, texts."""
    ext = neo4j()
    held = erasure.export_user(ext.driver, user_node(user_id), database=ext.database)
    if held is None:
        raise not_found("user", user_id)
    return {"user_id": user_id, "stored_as": held["user"].get("id"), **held}
