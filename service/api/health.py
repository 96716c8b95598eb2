from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue

from graph.store import UNAVAILABLE_ERRORS
from graph.store.schema import schema_version
from service.api.spec import operation
from service.neo4j_ext import store

blueprint = Blueprint("health", __name__)


@blueprint.get("/health")
@operation("Liveness and Neo4j reachability (no key needed)")
def health() -> ResponseReturnValue:
    """200 when Neo4j answers, 503 when it does not."""
    try:
        version = schema_version(store())
    except UNAVAILABLE_ERRORS:
        return {"status": "unavailable", "neo4j": "unreachable"}, 503, {"Retry-After": "5"}
    return {"status": "ok", "neo4j": "up", "schema_version": version}
