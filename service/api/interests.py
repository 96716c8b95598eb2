from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask.typing import ResponseReturnValue

from graph.ingest import reads
from service.api.spec import operation
from service.errors import not_found
from service.neo4j_ext import store

blueprint = Blueprint("interests", __name__, url_prefix="/v1/interests")


@blueprint.get("/<path:key>")
@operation("An interest: aliases, related interests, categories")
def get_interest(key: str) -> ResponseReturnValue:
    """An interest with its aliases, related interests, categories and mention counts."""
    found = reads.interest(store(), key)
    if found is None:
        raise not_found("interest", key)
    return interest_answer(found)


def interest_answer(interest: reads.Interest) -> dict[str, Any]:
    """The JSON answer for one interest (related weights as stored: the graph rounds them)."""
    return {
        "key": interest.key,
        "name": interest.name,
        "aliases": interest.aliases,
        "related": [{"key": r.key, "name": r.name, "weight": r.weight} for r in interest.related],
        "categories": interest.categories,
        "positive_mentions": interest.positive_mentions,
        "negative_mentions": interest.negative_mentions,
    }
