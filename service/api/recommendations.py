"""Recommendations with explanations, and similar items."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint
from flask.typing import ResponseReturnValue

from graph import reads, recommend
from service.api.params import bool_arg, instant_arg, int_arg, user_node
from service.errors import not_found
from service.neo4j_ext import neo4j

blueprint = Blueprint("recommendations", __name__)


@blueprint.get("/v1/users/<user_id>/recommendations")
def recommendations(user_id: str) -> ResponseReturnValue:
    """``k`` items for the user at ``as_of``; a user with no history gets popular recent ones."""
    k = int_arg("k", 10, low=1, high=100)
    as_of = instant_arg("as_of") or datetime.now(UTC)
    explain = bool_arg("explain", False)
    exclude_seen = bool_arg("exclude_seen", True)
    ext = neo4j()
    return recommend.recommend(
        ext.driver, user_node(user_id), k=k, as_of=as_of, explain=explain,
        exclude_seen=exclude_seen, caller=user_id, database=ext.database,
    )  # fmt: skip


@blueprint.get("/v1/items/<item_id>/similar")
def similar(item_id: str) -> ResponseReturnValue:
    """Items nearest in the served graph embeddings (else liked by the same users)."""
    k = int_arg("k", 10, low=1, high=100)
    ext = neo4j()
    if reads.item(ext.driver, item_id, database=ext.database) is None:
        raise not_found("item", item_id)
    return recommend.similar_items(ext.driver, item_id, k, database=ext.database)
