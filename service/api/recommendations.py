"""Recommendations with explanations, and similar items."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from flask import Blueprint, current_app
from flask.typing import ResponseReturnValue

from graph.ingest import reads
from service import new_items, policy, recommend
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
    policy: Literal["bandit", "current", "random", "epsilon"] = "bandit"


class NewItemsQuery(Query):
    k: Whole = Count(10, 1, 100)
    as_of: Instant | None = None
    explain: Flag = False


class SimilarQuery(Query):
    k: Whole = Count(10, 1, 100)


@blueprint.get("/v1/users/<user_id>/recommendations")
@operation("Recommendations with explanations", query=RecommendationsQuery)
def recommendations(user_id: str) -> ResponseReturnValue:
    """``k`` items for the user. For now (no ``as_of``) with seen items excluded, a ``policy``
    chooses the list from the ranking and what feedback says (``service.policy``; the default
    ``bandit`` learns online and explores) and the answer is logged: its ``recommendation_id``
    is what feedback refers to, and each item carries its position, propensity and whether it
    was shown to explore. With ``as_of`` (what the ranking said then) or ``exclude_seen=false``
    the ranking answers alone and nothing is logged."""
    args = query_args(RecommendationsQuery)
    graph = store()
    node = user_node(user_id)
    if args.as_of is None and args.exclude_seen:
        policies: policy.Policies = current_app.extensions["policies"]
        timings: dict[str, float] = {}
        answer = policy.recommend_now(graph, policies, node, caller=user_id, k=args.k,
                                      policy=args.policy, explain=args.explain,
                                      timings=timings)  # fmt: skip
        spent = ", ".join(f"{name};dur={seconds * 1000:.2f}" for name, seconds in timings.items())
        return recommendations_json(answer), 200, {"Server-Timing": spent}
    answer = recommend.recommend(
        graph, node, k=args.k, as_of=args.as_of or datetime.now(UTC), explain=args.explain,
        exclude_seen=args.exclude_seen, caller=user_id,
    )  # fmt: skip
    return recommendations_json(answer)


@blueprint.get("/v1/users/<user_id>/new-items")
@operation("New items for the user", query=NewItemsQuery)
def new_items_for(user_id: str) -> ResponseReturnValue:
    """``k`` items no one has interacted with yet (up to ``as_of``), which the ordinary list
    cannot rank: those whose categories and interests best match the user's profile (a cosine
    weighed by how rare each shared target is), each explained by the targets it shares; a user
    without a profile gets the newest (``cold_start``). Nothing is logged."""
    args = query_args(NewItemsQuery)
    answer = new_items.new_items(
        store(), user_node(user_id), k=args.k, as_of=args.as_of or datetime.now(UTC),
        explain=args.explain, caller=user_id,
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
