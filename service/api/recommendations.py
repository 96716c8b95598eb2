"""Recommendations with explanations, and similar items."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint
from flask.typing import ResponseReturnValue

from graph.ingest import reads
from service import precomputed, recommend
from service.api.params import user_node
from service.api.recommendation_json import recommendations_json, similar_json
from service.api.spec import Count, Flag, Instant, Query, Whole, operation, query_args
from service.errors import not_found
from service.neo4j_ext import store

blueprint = Blueprint("recommendations", __name__)


class RecommendationsQuery(Query):
    k: Whole = Count(10, 1, 100)
    as_of: Instant | None = None
    explain: Flag = False
    exclude_seen: Flag = True


class SimilarQuery(Query):
    k: Whole = Count(10, 1, 100)


@blueprint.get("/v1/users/<user_id>/recommendations")
@operation("Recommendations with explanations", query=RecommendationsQuery)
def recommendations(user_id: str) -> ResponseReturnValue:
    """``k`` items for the user at ``as_of``; a user with no history gets popular recent ones.
    Without ``as_of`` (now), explanations or seen items, a ranking computed ahead answers while
    it holds (``service.precomputed``)."""
    args = query_args(RecommendationsQuery)
    k, as_of, explain, exclude_seen = args.k, args.as_of, args.explain, args.exclude_seen
    graph = store()
    node = user_node(user_id)
    if as_of is None and exclude_seen and not explain:
        ahead = precomputed.answer(graph, node, k, caller=user_id)
        if ahead is not None:
            return recommendations_json(ahead)
    answer = recommend.recommend(
        graph, node, k=k, as_of=as_of or datetime.now(UTC), explain=explain,
        exclude_seen=exclude_seen, caller=user_id,
    )  # fmt: skip
    return recommendations_json(answer)


@blueprint.get("/v1/items/<item_id>/similar")
@operation("Items nearest in the graph embeddings", query=SimilarQuery)
def similar(item_id: str) -> ResponseReturnValue:
    """Items nearest in the served graph embeddings (else liked by the same users)."""
    k = query_args(SimilarQuery).k
    graph = store()
    if reads.item(graph, item_id) is None:
        raise not_found("item", item_id)
    return similar_json(recommend.similar_items(graph, item_id, k))
