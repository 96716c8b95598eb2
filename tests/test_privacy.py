"""Pseudonymous users, PII scrubbing, erasure, export and retention."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from embeddings import retraining, runs
from embeddings.training import TrainingConfig, export_triples
from graph.ingest.records import EventIn
from graph.privacy import erasure, pii, pseudonyms
from graph.privacy.pseudonyms import Pseudonyms
from graph.store import Graph
from service.cli import main
from tests.support import PSEUDONYMS, fake_trainer, found_anywhere, vector_of

pytestmark = pytest.mark.neo4j

OLD, NEW = 1_500_000_000, 1_700_000_000  # 2017 and 2023


def given_a_user(client: FlaskClient, prefix: str, name: str = "alice") -> str:
    user = f"{prefix}{name}"
    events = [{"event_id": f"{prefix}e{n}-{name}", "user_id": user, "item_id": f"{prefix}i{n}",
               "kind": "like", "timestamp": OLD if n == 0 else NEW + n}
              for n in range(3)]  # fmt: skip
    assert client.post("/v1/events", json=events).status_code == 200
    texts = [{"text": "Write to alice@example.com: I love harpsichord recitals",
              "timestamp": NEW, "text_id": f"{prefix}t1"},
             {"text": "Call +44 20 7946 0958 about baroque opera", "timestamp": OLD,
              "text_id": f"{prefix}t2"}]  # fmt: skip
    assert client.post(f"/v1/users/{user}/texts", json=texts).status_code == 200
    return user


@pytest.fixture
def keeping_text(app: Flask) -> Flask:
    app.config["STORE_RAW_TEXT"] = True
    return app


def test_pseudonyms_are_kept_per_instance_up_to_a_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pseudonyms, "USERS_KNOWN", 2)
    kept = Pseudonyms("a secret of sixteen or more")
    fresh = Pseudonyms("a secret of sixteen or more")
    other = Pseudonyms("another secret of sixteen")
    names = [kept.user(u) for u in ("u1", "u2", "u3", "u1", "u3", "u2")]
    assert names == [fresh.user(u) for u in ("u1", "u2", "u3", "u1", "u3", "u2")]
    assert len(set(names)) == 3 and all(n.startswith("p:") and len(n) == 34 for n in names)
    assert other.user("u1") != kept.user("u1")


def test_a_bulk_row_is_the_pseudonymous_events_row() -> None:
    """The import's rows (no copy of each event) are what the API path writes: the pseudonym,
    and an id derived from it unless the caller gave one."""
    names = Pseudonyms("a secret of sixteen or more")
    for event_id in (None, "e1"):
        at = datetime(2024, 5, 1, 12, tzinfo=UTC)
        event = EventIn(user_id="u1", item_id="i1", kind="rate", value=4.5, timestamp=at,
                        event_id=event_id)  # fmt: skip
        row = names.event_row(event)
        assert row == names.event(event).row()
        assert row["user_id"] == names.user("u1")
        if event_id is None:  # derived from the pseudonym, not from the caller's id
            assert row["event_id"] != event.row()["event_id"]
        else:
            assert row["event_id"] == event_id


def test_the_graph_holds_pseudonyms_not_the_callers_ids(
    client: FlaskClient, keeping_text: Flask, graph: Graph, prefix: str
) -> None:
    user = given_a_user(client, prefix)
    assert found_anywhere(graph, user) == []  # no node or edge property holds the raw id
    assert found_anywhere(graph, PSEUDONYMS.user(user)) != []
    answer = client.get(f"/v1/users/{user}/events").json
    assert answer["user_id"] == user and len(answer["events"]) == 3  # the caller's id comes back
    assert all(f"{prefix}alice" not in str(t) for t in export_triples(graph).tolist())


def test_pii_is_scrubbed_before_extraction_and_storage(
    client: FlaskClient, keeping_text: Flask, graph: Graph, prefix: str
) -> None:
    user = given_a_user(client, prefix)
    for secret in ("alice@example.com", "7946 0958", "+44 20"):
        assert found_anywhere(graph, secret) == [], secret
    held = client.get(f"/v1/users/{user}/export").json
    bodies = {t["text_id"]: t["body"] for t in held["texts"]}
    assert bodies[f"{prefix}t1"] == "Write to [email]: I love harpsichord recitals"
    assert bodies[f"{prefix}t2"] == "Call [phone] about baroque opera"
    interests = {e["interest"] for e in held["expressions"]}
    assert "harpsichord recital" in interests and not interests & {"email", "phone", "[phone"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail bob.smith+tag@mail.example.org now", "mail [email] now"),
        ("card 4111 1111 1111 1111!", "card [card]!"),
        ("not a card: 4111 1111 1111 1112", "not a card: 4111 1111 1111 1112"),
        ("see https://bob:hunter2@example.com/x ok", "see [url] ok"),
        ("see https://example.com/x ok", "see https://example.com/x ok"),
        ("ring (650) 253-0000 or +33 1 42 68 53 00", "ring [phone] or [phone]"),
        *[(kept, kept) for kept in ["Blade Runner 2049 on 2024-05-01, 12 Monkeys"]],
    ],
)  # fmt: skip
def test_scrub(text: str, expected: str) -> None:
    assert pii.scrub(text) == expected
    assert pii.scrub(expected) == expected


def test_export_returns_everything_held(
    client: FlaskClient, keeping_text: Flask, graph: Graph, prefix: str
) -> None:
    user = given_a_user(client, prefix)
    retraining.retrain(graph, TrainingConfig(), trainer=fake_trainer(0.5))
    held = client.get(f"/v1/users/{user}/export").json
    assert held["user_id"] == user and held["stored_as"] == PSEUDONYMS.user(user)
    assert [e["event_id"] for e in held["events"]] == [f"{prefix}e{n}-alice" for n in range(3)]
    assert held["events"][0]["at"] == "2017-07-14T02:40:00Z" and held["events"][0]["kind"] == "like"
    assert {e["text_id"] for e in held["expressions"]} == {f"{prefix}t1", f"{prefix}t2"}
    assert len(held["texts"]) == 2
    serving = runs.serving(graph)
    assert serving is not None and len(held["user"][serving.property]) > 0  # its vector too
    assert client.get(f"/v1/users/{prefix}nobody/export").status_code == 404


def test_erasure_removes_the_user_everywhere(
    client: FlaskClient, keeping_text: Flask, graph: Graph, prefix: str
) -> None:
    user = given_a_user(client, prefix)
    other = given_a_user(client, prefix, "bob")
    report = retraining.retrain(graph, TrainingConfig(), trainer=fake_trainer(0.5))
    assert vector_of(graph, user, report.slot) is not None
    expressions = len(client.get(f"/v1/users/{user}/export").json["expressions"])
    erased = client.delete(f"/v1/users/{user}")
    assert erased.status_code == 200
    assert erased.json["erased"] == {
        "events": 3,
        "expressions": expressions,
        "texts": 2,
        "recommendations": 0,
    }
    assert found_anywhere(graph, PSEUDONYMS.user(user)) == []  # node, edges, texts, vectors
    assert vector_of(graph, user, report.slot) is None
    assert not any(PSEUDONYMS.user(user) in str(t) for t in export_triples(graph).tolist())
    assert client.get(f"/v1/users/{user}/events").status_code == 404
    assert client.delete(f"/v1/users/{user}").status_code == 404  # a repeat changes nothing
    assert len(client.get(f"/v1/users/{other}/events").json["events"]) == 3  # others untouched
    assert client.get(f"/v1/items/{prefix}i1").status_code == 200  # items stay


def test_retention_expires_old_events_texts_and_expressions(
    client: FlaskClient, keeping_text: Flask, graph: Graph, prefix: str, cli_env: None
) -> None:
    user = given_a_user(client, prefix)
    expired = erasure.expire(graph, datetime(2020, 1, 1, tzinfo=UTC))
    assert expired.events >= 1 and expired.expressions >= 1 and expired.texts >= 1
    held: dict[str, Any] = client.get(f"/v1/users/{user}/export").json
    assert [e["event_id"] for e in held["events"]] == [f"{prefix}e1-alice", f"{prefix}e2-alice"]
    assert {e["text_id"] for e in held["expressions"]} == {f"{prefix}t1"}
    assert [t["text_id"] for t in held["texts"]] == [f"{prefix}t1"]
    result = CliRunner().invoke(main, ["retention", "--days", "100000"])
    assert result.exit_code == 0 and "0 events" in result.output, result.output
    assert CliRunner().invoke(main, ["retention", "--days", "0"]).exit_code == 2
