"""Recommendations with explanations, and similar items."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint
from flask.typing import ResponseReturnValue

from service import precomputed

from graph.ingest import reads

from service import recommend
from service.api.params import bool_arg, instant_arg, int_arg, user_node
from service.errors import not_found
from service.neo4j_ext import neo4j

blueprint = Blueprint("recommendations", __name__)


@blueprint.get("/v1/users/<user_id>/recommendations")
def recommendations(user_id: str) -> ResponseReturnValue:
    """``k`` items for the user at ``as_of``; a user with no history gets popular recent ones.
    Without ``as_of`` (now), explanations or seen items, a ranking computed ahead answers while
    it holds (``service.precomputed``)."""
    k = int_arg("k", 10, low=1, high=100)
    as_of = instant_arg("as_of")
    explain = bool_arg("explain", False)
    exclude_seen = bool_arg("exclude_seen", True)
    ext = neo4j()
    node = user_node(user_id)
    if as_of is None and exclude_seen and not explain:
        ahead = precomputed.answer(ext.driver, node, k, database=ext.database)
        if ahead is not None:
            return {"user_id": user_id, **ahead}
    answer = recommend.recommend(
        ext.driver, node, k=k, as_of=as_of or datetime.now(UTC), explain=explain,
        exclude_seen=exclude_seen, caller=user_id, database=ext.database,
    )  # fmt: skip
    return {**answer, "precomputed": False}


@blueprint.get("/v1/items/<item_id>/similar")
def similar(item_id: str) -> ResponseReturnValue:
    """Items nearest in the served graph embeddings (else liked by the same users)."""
    k = int_arg("k", 10, low=1, high=100)
    ext = neo4j()
    if reads.item(ext.driver, item_id, database=ext.database) is None:
        raise not_found("item", item_id)
    return recommend.similar_items(ext.driver, item_id, k, database=ext.database)
