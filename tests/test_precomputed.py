"""Rankings computed ahead: the same answer as the live one, and never used once they no longer
hold (a new signal, a new embedding run, explanations, as_of, large k)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from embeddings import retraining
from graph.store import Graph
from service import precomputed
from tests.support import PSEUDONYMS, TINY, json_of, taste_trainer

pytestmark = pytest.mark.neo4j


def ask(client: FlaskClient, user: str, **args: object) -> dict[str, Any]:
    """The answer of the current ranking (the policy that does not explore)."""
    args.setdefault("policy", "current")
    answer = client.get(f"/v1/users/{user}/recommendations", query_string=args)
    body: dict[str, Any] = json_of(answer)
    assert answer.status_code == 200, body
    return body


def ids(answer: dict[str, Any]) -> list[str]:
    return [item["item_id"] for item in answer["items"]]


def test_a_ranking_computed_ahead_answers_like_the_live_one_until_it_no_longer_holds(
    client: FlaskClient,
    graph: Graph,
    prefix: str,
    trained: str,  # noqa: F811
) -> None:
    user = f"{prefix}u0"  # whose ranking finds two items (the comedies it has not seen)
    assert ask(client, user, k=2)["precomputed"] is False
    assert precomputed.refresh(graph, user_ids=[PSEUDONYMS.user(user)]) == 1
    ahead = ask(client, user, k=2)
    assert ahead["precomputed"] is True and ahead["user_id"] == user
    live = ask(client, user, k=2, as_of=ahead["as_of"])
    assert live["precomputed"] is False and ids(live) == ids(ahead)
    assert [i["score"] for i in live["items"]] == [i["score"] for i in ahead["items"]]
    assert ask(client, user, k=2, explain="true")["precomputed"] is False
    assert ask(client, user, k=2, exclude_seen="false")["precomputed"] is False
    assert ask(client, user, k=precomputed.KEPT // 4 + 1)["precomputed"] is False
    more = ask(client, user, k=3)  # more than were kept: ranked live, filled with popular items
    assert more["precomputed"] is False and ids(more)[:2] == ids(ahead) and len(ids(more)) == 3
    assert more["items"][2]["score"] == 0 and more["items"][2]["reason"].startswith("popular")

    event = {"event_id": f"{prefix}late", "user_id": user, "kind": "like",
             "item_id": f"{prefix}horror0", "timestamp": 1_700_000_500}  # fmt: skip
    assert client.post("/v1/events", json=[event]).status_code == 200
    assert ask(client, user, k=2)["precomputed"] is False  # a new signal: ranked live
    assert precomputed.refresh(graph) >= 1  # finds the stale ones by itself
    assert ask(client, user, k=2)["precomputed"] is True

    retraining.retrain(graph, TINY, quality_floor=0.0, trainer=taste_trainer)
    assert ask(client, user, k=2)["precomputed"] is False  # another run serves now
