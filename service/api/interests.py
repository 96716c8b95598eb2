from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue

from graph.ingest import reads
from service.errors import not_found
from service.neo4j_ext import neo4j

blueprint = Blueprint("interests", __name__, url_prefix="/v1/interests")


@blueprint.get("/<path:key>")
def get_interest(key: str) -> ResponseReturnValue:
    """An interest with its aliases, related interests, categories and mention counts."""
    ext = neo4j()
    found = reads.interest(ext.driver, key, database=ext.database)
    if found is None:
        raise not_found("interest", key)
    return found
