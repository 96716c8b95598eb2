"""New items for a user: what no one has interacted with yet, matched to the profile through the
graph (``service.new_items``), through the API."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient

from graph.evolution import profiles
from graph.store import Graph
from service.new_items import ABOUT_FACTOR, cosine_parts, fetch_new_items, target_weights
from service.recommend import profile_targets
from tests.support import LATER, PSEUDONYMS, given_two_tastes, json_of


def test_a_rare_shared_target_counts_more_and_an_interest_less_than_a_category() -> None:
    weights = target_weights({"category:Drama": 50, "category:Noir": 2}, 100)
    assert weights == {"category:Drama": math.log(2), "category:Noir": math.log(50)}
    user = {"category:Drama": 1.0, "category:Noir": 1.0}
    _, parts = cosine_parts(user, weights)
    assert [t for t, _ in parts] == ["category:Noir", "category:Drama"]
    about = target_weights({"interest:noir": 2}, 100)
    assert about == {"interest:noir": pytest.approx(ABOUT_FACTOR * math.log(50))}
    # a lone shared target is a cosine of 1 whatever its weight; targets the user lacks dilute it
    assert cosine_parts({"category:Noir": 0.3}, {"category:Noir": 2.0})[0] == pytest.approx(1.0)
    diluted, _ = cosine_parts({"category:Noir": 0.3}, {"category:Noir": 2.0, "category:War": 2.0})
    assert diluted == pytest.approx(1 / math.sqrt(2))
    assert cosine_parts({"category:War": 1.0}, {"category:Noir": 2.0}) == (0.0, [])


@pytest.mark.neo4j
def test_the_graph_scores_as_the_pure_functions_do_and_of_equals_the_newest_first(
    client: FlaskClient, graph: Graph, prefix: str
) -> None:
    given_two_tastes(client, prefix)
    kinds = [["comedy"], ["comedy", "musical"], ["comedy", "horror"], ["horror"]]
    new = [{"id": f"{prefix}new{n}", "title": f"new {n}",
            "categories": [f"{prefix}{kind}" for kind in kind_list]}
           for n, kind_list in enumerate(kinds)]  # fmt: skip
    assert client.post("/v1/items", json=new).status_code == 200
    later = {"id": f"{prefix}later", "title": "later", "categories": [f"{prefix}comedy"]}
    assert client.post("/v1/items", json=[later]).status_code == 200
    user, as_of = PSEUDONYMS.user(f"{prefix}u0"), datetime.fromtimestamp(LATER["as_of"], UTC)
    targets = profile_targets(profiles.user_signals(graph, user, until=as_of), as_of)
    found = fetch_new_items(graph, targets, 10, as_of=as_of, seen=[])
    strengths = {s.target: s.blended for s in targets}
    assert [n.item for n in found] == [f"{prefix}{i}" for i in ("later", "new0", "new2", "new1")]
    for item in found:  # new3 (horror only) shares nothing with u0
        assert item.score == pytest.approx(cosine_parts(strengths, item.weights)[0], rel=1e-9)
    weights = found[3].weights  # log(items / members): ten comedies now, one musical
    comedy, musical = weights[f"category:{prefix}comedy"], weights[f"category:{prefix}musical"]
    assert comedy == pytest.approx(musical - math.log(10), rel=1e-9)


@pytest.mark.neo4j
def test_new_items_match_the_profile_and_leave_once_someone_tries_them(
    client: FlaskClient, prefix: str
) -> None:
    given_two_tastes(client, prefix)  # u0 likes comedies; every comedy and horror film was tried
    new = [
        {"id": f"{prefix}fresh-comedy", "title": "A", "categories": [f"{prefix}comedy"]},
        {"id": f"{prefix}odd-comedy", "title": "B",
         "categories": [f"{prefix}comedy", f"{prefix}musical"]},
        {"id": f"{prefix}fresh-horror", "title": "C", "categories": [f"{prefix}horror"]},
    ]  # fmt: skip
    assert client.post("/v1/items", json=new).status_code == 200
    url = f"/v1/users/{prefix}u0/new-items"
    body = json_of(client.get(url, query_string={**LATER, "explain": "true"}))
    assert body["cold_start"] is False
    ids = [item["item_id"] for item in body["items"]]
    # only untried items that reach u0's comedies; the musical dilutes the second
    assert ids == [f"{prefix}fresh-comedy", f"{prefix}odd-comedy"]
    first, second = body["items"]
    assert first["sources"]["targets"] == pytest.approx(1.0)
    assert 0 < second["sources"]["targets"] < first["sources"]["targets"]
    assert first["explanations"][0]["path"][1]["category"] == f"{prefix}comedy"
    assert first["reason"].startswith(f"you like {prefix}comedy")
    tried = {"event_id": f"{prefix}tried", "user_id": f"{prefix}u5", "kind": "view",
             "item_id": f"{prefix}fresh-comedy", "timestamp": 1_700_000_500}  # fmt: skip
    assert client.post("/v1/events", json=[tried]).status_code == 200
    after = json_of(client.get(url, query_string=LATER))
    assert [item["item_id"] for item in after["items"]] == [f"{prefix}odd-comedy"]
    assert "explanations" not in after["items"][0]
    before = json_of(client.get(url, query_string={"as_of": 1_700_000_400}))
    assert [item["item_id"] for item in before["items"]] == ids  # not yet tried then


@pytest.mark.neo4j
def test_a_user_without_a_profile_gets_the_newest_new_items(
    client: FlaskClient, prefix: str
) -> None:
    given_two_tastes(client, prefix)
    new = [{"id": f"{prefix}new{n}", "title": f"new {n}", "categories": [f"{prefix}comedy"]}
           for n in range(3)]  # fmt: skip
    assert client.post("/v1/items", json=new).status_code == 200
    body = json_of(client.get(f"/v1/users/{prefix}nobody/new-items", query_string={"k": 3}))
    assert body["cold_start"] is True
    assert [item["item_id"] for item in body["items"]] == [f"{prefix}new{n}" for n in range(3)]
    assert all(item["reason"].startswith("new: added to the catalogue on ")
               for item in body["items"])  # fmt: skip


@pytest.mark.parametrize(("args", "field"), [({"k": 0}, "k"), ({"k": 101}, "k"),
                                             ({"as_of": "soon"}, "as_of")])  # fmt: skip
def test_bad_parameters_are_named(client: FlaskClient, args: dict[str, object], field: str) -> None:
    answer = client.get("/v1/users/anyone/new-items", query_string=args)
    assert answer.status_code == 400
    assert json_of(answer)["error"]["details"][0]["field"] == field
