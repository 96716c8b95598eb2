"""How recommendations and similar items are written as JSON: scores rounded, instants in ISO,
each explanation as a path from the user to the item with a reason in words."""

from __future__ import annotations

from typing import Any

from service.api.render import iso, score
from service.recommend import (
    EmbeddingPath,
    Explanation,
    Explored,
    FedBack,
    ItemModelPath,
    NeighbourPath,
    NewArrival,
    ProfilePath,
    Reason,
    Recommendations,
    Recommended,
    SimilarItems,
)

STRENGTH_DIGITS = 4  # a profile target's strength and an embedding similarity on a path
PROPENSITY_DIGITS = 6  # off-policy estimates divide by it


def recommendations_json(answer: Recommendations) -> dict[str, Any]:
    """The body of ``GET /v1/users/{id}/recommendations``."""
    head: dict[str, Any] = {
        "user_id": answer.user_id,
        "as_of": iso(answer.as_of),
        "embedding_run": answer.embedding_run,
        "cold_start": answer.cold_start,
    }
    if answer.recommendation_id is not None:
        head["recommendation_id"] = answer.recommendation_id
        head["policy"] = {"name": answer.policy, "version": answer.policy_version}
    items = [item_json(item, answer.user_id) for item in answer.items]
    if answer.precomputed:
        return {**head, "precomputed": True, "items": items}
    return {**head, "items": items, "precomputed": False}


def item_json(item: Recommended, user_id: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "item_id": item.item_id,
        "title": item.title,
        "categories": item.categories,
        "score": score(item.score),
        "sources": {source: score(value) for source, value in item.sources.items()},
    }
    if item.position is not None:
        body["position"] = item.position
        body["propensity"] = score(item.propensity or 0.0, PROPENSITY_DIGITS)
        body["explored"] = item.explored
    if item.explanations is not None:
        body["explanations"] = [explanation_json(e, user_id) for e in item.explanations]
    if item.reason is not None:
        body["reason"] = reason(item.reason)
    return body


def explanation_json(explanation: Explanation, user_id: str) -> dict[str, Any]:
    return {
        "source": explanation.source,
        "path": [{"user": user_id}, *_path(explanation)],
        "reason": reason(explanation),
    }


def _path(e: Explanation) -> list[dict[str, Any]]:
    """The path's steps after the user."""
    if isinstance(e, ProfilePath):
        return [{e.target_type: e.target_key, "strength": score(e.strength, STRENGTH_DIGITS),
                 "signals": e.signals, "last_signal_at": iso(e.last_signal_at)},
                {"item": e.item_id}]  # fmt: skip
    if isinstance(e, ItemModelPath):
        return [{"item": e.anchor_id, "title": e.anchor_title, "at": iso(e.anchor_at)},
                {"item": e.item_id, "weight": score(e.weight)}]  # fmt: skip
    if isinstance(e, EmbeddingPath):
        similarity = score(e.similarity, STRENGTH_DIGITS)
        return [{"item": e.anchor_id, "title": e.anchor_title, "at": iso(e.anchor_at)},
                {"item": e.item_id, "similarity": similarity}]  # fmt: skip
    return [{"similar_users": e.users}, {"item": e.item_id}]


def reason(why: Reason) -> str:
    """Why an item is shown, in words."""
    if isinstance(why, ProfilePath):
        return f"you like {why.target_key} ({why.signals} signals, latest {_day(why)})"
    if isinstance(why, ItemModelPath):
        return f"people who liked {why.anchor_title} (you, {_day(why)}) liked this too"
    if isinstance(why, EmbeddingPath):
        return f"similar to {why.anchor_title}, which you liked on {_day(why)}"
    if isinstance(why, NeighbourPath):
        return f"liked by {why.users} of the {why.neighbours} users most like you"
    if isinstance(why, Explored):
        if why.category is None:
            return "shown to explore"
        return (f"shown to explore: little is known of how you take {why.category} "
                f"({why.shown:.1f} of its items shown to you lately)")  # fmt: skip
    if isinstance(why, NewArrival):
        added = f" on {iso(why.added)[:10]}" if why.added is not None else ""
        return f"new: added to the catalogue{added}, no one has tried it yet"
    if isinstance(why, FedBack):
        return f"you engaged with {why.category} lately ({why.rate:.2f} reward per item shown)"
    return "popular lately" if why.recent_positives else "popular"


def _day(why: ProfilePath | ItemModelPath | EmbeddingPath) -> str:
    at = why.last_signal_at if isinstance(why, ProfilePath) else why.anchor_at
    return iso(at)[:10]


def similar_json(answer: SimilarItems) -> dict[str, Any]:
    """The body of ``GET /v1/items/{id}/similar``."""
    similar = []
    for s in answer.similar:
        found = s.details
        described = ({"title": found.title, "categories": found.categories,
                      "popularity": found.popularity} if found is not None else {})  # fmt: skip
        similar.append({"item_id": s.item_id, **described, "score": score(s.score)})
    return {
        "item_id": answer.item_id,
        "method": answer.method,
        "embedding_run": answer.embedding_run,
        "similar": similar,
    }
