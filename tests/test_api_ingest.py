"""Ingestion through the HTTP API into the real Neo4j and back."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.support import run_concurrently

pytestmark = pytest.mark.neo4j


def events(prefix: str, count: int, **fields: Any) -> list[dict[str, Any]]:
    return [
        {
            "event_id": f"{prefix}e{n}",
            "user_id": f"{prefix}u{n % 3}",
            "item_id": f"{prefix}i{n % 5}",
            "kind": "rate",
            "value": 1 + n % 5,
            "timestamp": 1_700_000_000 + 3600 * n,
            **fields,
        }
        for n in range(count)
    ]


def user_events(client: FlaskClient, user: str, **args: Any) -> Any:
    return client.get(f"/v1/users/{user}/events", query_string=args)


def test_health_reports_neo4j_up(client: FlaskClient) -> None:
    answer = client.get("/health")
    assert answer.status_code == 200
    assert answer.json["neo4j"] == "up" and answer.json["schema_version"] >= 1


def test_items_round_trip_and_upsert_replaces_categories(client: FlaskClient, prefix: str) -> None:
    item = {
        "id": f"{prefix}m1",
        "title": "Alien",
        "categories": [f"{prefix}Horror", f"{prefix}Sci-Fi"],
        "description": "In space no one can hear you scream.",
    }
    assert client.post("/v1/items", json=[item]).json == {"received": 1, "upserted": 1}
    got = client.get(f"/v1/items/{prefix}m1").json
    assert got == {
        **item,
        "placeholder": False,
        "interactions": 0,
        "categories": sorted(item["categories"]),
    }
    changed = {**item, "categories": [f"{prefix}Sci-Fi"]}
    assert client.post("/v1/items", json={"items": [changed]}).status_code == 200
    assert client.get(f"/v1/items/{prefix}m1").json["categories"] == [f"{prefix}Sci-Fi"]


def test_events_round_trip_newest_first_with_time_window_and_limit(
    client: FlaskClient, prefix: str
) -> None:
    batch = events(prefix, 30)
    answer = client.post("/v1/events", json=batch)
    assert answer.status_code == 200
    assert answer.json == {"received": 30, "created": 30, "duplicates": 0}

    mine = [e for e in batch if e["user_id"] == f"{prefix}u0"]
    listed = user_events(client, f"{prefix}u0").json
    assert listed["count"] == len(mine) == 10
    assert [e["event_id"] for e in listed["events"]] == [e["event_id"] for e in reversed(mine)]
    first = listed["events"][-1]
    assert first == {
        "event_id": f"{prefix}e0",
        "item_id": f"{prefix}i0",
        "kind": "rate",
        "value": 1.0,
        "weight": -0.6,
        "timestamp": "2023-11-14T22:13:20Z",
    }

    window = user_events(
        client, f"{prefix}u0", **{"from": "2023-11-14T23:00:00Z", "to": "2023-11-15T05:00:00+00:00"}
    ).json
    assert [e["event_id"] for e in window["events"]] == [f"{prefix}e6", f"{prefix}e3"]
    assert user_events(client, f"{prefix}u0", limit=2).json["count"] == 2


def test_unknown_items_become_placeholders_until_the_catalogue_names_them(
    client: FlaskClient, prefix: str
) -> None:
    client.post("/v1/events", json=events(prefix, 1))
    placeholder = client.get(f"/v1/items/{prefix}i0").json
    assert placeholder["placeholder"] is True and placeholder["interactions"] == 1
    client.post("/v1/items", json=[{"id": f"{prefix}i0", "title": "Now known"}])
    assert client.get(f"/v1/items/{prefix}i0").json["placeholder"] is False


def test_sending_the_same_events_again_changes_nothing(client: FlaskClient, prefix: str) -> None:
    batch = events(prefix, 12)
    client.post("/v1/events", json=batch)
    again = client.post("/v1/events", json=batch[5:] + events(prefix, 14)[12:])
    assert again.json == {"received": 9, "created": 2, "duplicates": 7}
    assert sum(user_events(client, f"{prefix}u{u}").json["count"] for u in range(3)) == 14


def test_events_without_ids_are_idempotent_too(client: FlaskClient, prefix: str) -> None:
    batch = [{k: v for k, v in e.items() if k != "event_id"} for e in events(prefix, 4)]
    assert client.post("/v1/events", json=batch).json["created"] == 4
    assert client.post("/v1/events", json=batch).json["created"] == 0


def test_concurrent_senders_of_the_same_batch_store_it_once(
    client: FlaskClient, app: Any, prefix: str
) -> None:
    batch = events(prefix, 200)
    results = run_concurrently(
        lambda: app.test_client().post("/v1/events", json=batch).json["created"], 4
    )
    assert sum(results) == 200
    assert (
        sum(user_events(client, f"{prefix}u{u}", limit=1000).json["count"] for u in range(3)) == 200
    )


def test_a_batch_with_one_bad_record_is_rejected_whole(client: FlaskClient, prefix: str) -> None:
    batch = events(prefix, 5)
    batch[3] = {**batch[3], "kind": "teleport", "timestamp": "soon"}
    answer = client.post("/v1/events", json=batch)
    assert answer.status_code == 400
    error = answer.json["error"]
    assert error["code"] == "invalid_records"
    assert {(d["index"], d["field"]) for d in error["details"]} == {(3, "kind"), (3, "timestamp")}
    for user in range(3):
        assert user_events(client, f"{prefix}u{user}").status_code == 404


def test_bad_item_records_are_named(client: FlaskClient, prefix: str) -> None:
    answer = client.post(
        "/v1/items",
        json=[{"id": f"{prefix}a", "title": "ok"}, {"id": f"{prefix}b", "categories": "x"}],
    )
    assert answer.status_code == 400
    assert [(d["index"], d["field"]) for d in answer.json["error"]["details"]] == [
        (1, "title"),
        (1, "categories"),
    ]
    assert client.get(f"/v1/items/{prefix}a").status_code == 404


def test_oversize_batches_and_bodies_answer_413(client: FlaskClient, app: Any, prefix: str) -> None:
    app.config["MAX_BATCH"] = 10
    answer = client.post("/v1/events", json=events(prefix, 11))
    assert answer.status_code == 413 and answer.json["error"]["code"] == "batch_too_large"
    app.config["MAX_CONTENT_LENGTH"] = 100
    answer = client.post("/v1/events", json=events(prefix, 5))
    assert answer.status_code == 413 and "error" in answer.json


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"", "empty_body"),
        (b"{not json", "malformed_json"),
        (b"\xff\xfe", "malformed_json"),
        (b'{"user_id": "u"}', "invalid_records"),
        (b"[]", "invalid_records"),
    ],
)
def test_malformed_bodies_answer_400(client: FlaskClient, body: bytes, code: str) -> None:
    answer = client.post("/v1/events", data=body, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json["error"]["code"] == code


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"limit": "ten"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"from": "last week"}, "from"),
        ({"to": "2024-01-01T00:00:00"}, "to"),
        ({"from": "2024-02-01T00:00:00Z", "to": "2024-01-01T00:00:00Z"}, "to"),
    ],
)
def test_bad_query_parameters_are_named(
    client: FlaskClient, prefix: str, args: dict[str, str], field: str
) -> None:
    client.post("/v1/events", json=events(prefix, 1))
    answer = user_events(client, f"{prefix}u0", **args)
    assert answer.status_code == 400
    assert answer.json["error"]["details"][0]["field"] == field


def test_unknown_user_and_item_answer_404(client: FlaskClient, prefix: str) -> None:
    assert user_events(client, f"{prefix}nobody").status_code == 404
    answer = client.get(f"/v1/items/{prefix}nothing")
    assert answer.status_code == 404 and answer.json["error"]["code"] == "not_found"


def test_unknown_route_is_json(client: FlaskClient) -> None:
    answer = client.get("/v1/nothing-here")
    assert answer.status_code == 404 and answer.json["error"]["code"] == "not_found"
