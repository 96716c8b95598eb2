from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue

from graph.store.driver import UNAVAILABLE_ERRORS
from graph.store.schema import schema_version
from service.neo4j_ext import neo4j

blueprint = Blueprint("health", __name__)


@blueprint.get("/health")
def health() -> ResponseReturnValue:
    """200 when Neo4j answers, 503 when it does not."""
    ext = neo4j()
    try:
        version = schema_version(ext.driver, database=ext.database)
    except UNAVAILABLE_ERRORS:
        return {"status": "unavailable", "neo4j": "unreachable"}, 503, {"Retry-After": "5"}
    return {"status": "ok", "neo4j": "up", "schema_version": version}
