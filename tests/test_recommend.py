"""Recommendations and similar items through the API, on a small graph with trained embeddings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient

from graph.store import Graph
from service.recommend import BlendWeights, Popular, gather, rank, recommend
from tests.support import LATER, PSEUDONYMS, json_of

pytestmark = pytest.mark.neo4j


def test_recommends_unseen_items_of_the_users_taste_with_reasons(
    client: FlaskClient, prefix: str, trained: str
) -> None:
    answer = client.get(
        f"/v1/users/{prefix}u0/recommendations", query_string={**LATER, "k": 3, "explain": "true"}
    )
    assert answer.status_code == 200
    body = json_of(answer)
    assert body["embedding_run"] == trained and body["cold_start"] is False
    ids = [item["item_id"] for item in body["items"]]
    # u0 (a comedy fan) saw every comedy but comedy0 and comedy5
    assert ids[:2] == sorted([f"{prefix}comedy0", f"{prefix}comedy5"], key=ids.index)
    top = body["items"][0]
    assert top["categories"] == [f"{prefix}comedy"] and "profile" in top["sources"]
    profile_path = next(e for e in top["explanations"] if e["source"] == "profile")
    assert profile_path["path"][1] == {
        "category": f"{prefix}comedy", **{k: profile_path["path"][1][k] for k in
                                          ("strength", "signals", "last_signal_at")},
    }  # fmt: skip
    assert profile_path["path"][1]["signals"] == 4
    assert top["reason"].startswith(f"you like {prefix}comedy")
    sources = {e["source"] for item in body["items"] for e in item["explanations"]}
    assert "embedding" in sources
    # the item-to-item model: other comedy fans liked comedy0 and comedy5 with u0's comedies
    for item in body["items"][:2]:
        assert item["sources"]["items"] > 0
        path = next(e for e in item["explanations"] if e["source"] == "items")["path"]
        assert path[1]["item"] in {f"{prefix}comedy{n}" for n in (1, 2, 3, 4)}
        assert path[1]["at"].startswith("2023-11-14") and path[2]["weight"] > 0


def test_a_ranking_skips_the_sources_that_carry_no_weight(
    graph: Graph, prefix: str, trained: str
) -> None:
    user, as_of = PSEUDONYMS.user(f"{prefix}u0"), datetime.fromtimestamp(LATER["as_of"], UTC)
    every = gather(graph, user, as_of=as_of, exclude_seen=False)
    weights = BlendWeights(profile=0.5, items=1.0, embedding=0.0, neighbours=0.0)
    assert weights.active() == {"profile", "items"}
    fewer = gather(graph, user, as_of=as_of, exclude_seen=False, sources=weights.active())
    found = {s for c in every.candidates.values() for s in c.features}
    assert "neighbours" in found  # (the taste trainer makes no relation vectors: no "embedding")
    assert not {"embedding", "neighbours"} & {s for c in fewer.candidates.values()
                                              for s in c.features}  # fmt: skip
    assert [c.item for c in rank(fewer, 4, weights)] == [c.item for c in rank(every, 4, weights)]


def test_a_ranking_that_finds_fewer_than_k_is_filled_with_popular_items(
    graph: Graph, prefix: str, trained: str
) -> None:
    user, as_of = PSEUDONYMS.user(f"{prefix}u0"), datetime.fromtimestamp(LATER["as_of"], UTC)
    profile_only = BlendWeights(profile=1.0, items=0.0, embedding=0.0, neighbours=0.0)
    answer = recommend(graph, user, k=6, as_of=as_of, weights=profile_only)
    ids = [item.item_id for item in answer.items]
    assert len(ids) == 6 == len(set(ids)) and answer.cold_start is False
    # the profile reaches the two comedies u0 has not seen; popular items fill the rest
    assert set(ids[:2]) == {f"{prefix}comedy0", f"{prefix}comedy5"}
    assert all(item.score > 0 and item.reason is None for item in answer.items[:2])
    filled = answer.items[2:]
    assert all(item.score == 0.0 and isinstance(item.reason, Popular) for item in filled)
    assert not {f"{prefix}comedy{n}" for n in (1, 2, 3, 4)} & set(ids)  # seen stays out


def test_seen_items_come_back_only_when_asked(
    client: FlaskClient, prefix: str, trained: str
) -> None:
    args = {**LATER, "k": 6, "exclude_seen": "false"}
    answer = client.get(f"/v1/users/{prefix}u0/recommendations", query_string=args)
    ids = [i["item_id"] for i in json_of(answer)["items"]]
    assert f"{prefix}comedy1" in ids


def test_cold_start_gets_popular_items_then_personal_ones(
    client: FlaskClient, prefix: str, trained: str
) -> None:
    new = json_of(client.get(f"/v1/users/{prefix}newcomer/recommendations", query_string=LATER))
    assert new["cold_start"] is True and len(new["items"]) == 10
    assert all(item["reason"].startswith("popular") for item in new["items"])
    event = {"event_id": f"{prefix}first", "user_id": f"{prefix}newcomer", "kind": "like",
             "item_id": f"{prefix}horror0", "timestamp": 1_700_000_100}  # fmt: skip
    assert client.post("/v1/events", json=[event]).status_code == 200
    after = json_of(client.get(f"/v1/users/{prefix}newcomer/recommendations", query_string=LATER))
    assert after["cold_start"] is False
    assert all(item["categories"] == [f"{prefix}horror"] for item in after["items"][:3])
    before = json_of(
        client.get(
            f"/v1/users/{prefix}newcomer/recommendations", query_string={"as_of": 1_600_000_000}
        )
    )
    assert before["cold_start"] is True  # as of before the first event, nothing is known


def test_similar_items(client: FlaskClient, prefix: str, trained: str) -> None:
    answer = json_of(client.get(f"/v1/items/{prefix}comedy0/similar", query_string={"k": 3}))
    assert answer["method"] == "embedding" and len(answer["similar"]) == 3
    assert f"{prefix}comedy0" not in [s["item_id"] for s in answer["similar"]]
    assert client.get(f"/v1/items/{prefix}nothing/similar").status_code == 404


@pytest.mark.parametrize(("args", "field"), [({"k": 0}, "k"), ({"explain": "maybe"}, "explain"),
                                             ({"as_of": "soon"}, "as_of")])  # fmt: skip
def test_bad_parameters(client: FlaskClient, args: dict[str, object], field: str) -> None:
    answer = client.get("/v1/users/anyone/recommendations", query_string=args)
    assert answer.status_code == 400
    assert json_of(answer)["error"]["details"][0]["field"] == field
