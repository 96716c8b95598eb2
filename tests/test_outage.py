"""Neo4j stops under a running service: 503 meanwhile, nothing half-written, recovery by itself."""

from __future__ import annotations

import os

import pytest
from flask import Flask
from flask.testing import FlaskClient

from graph.access import api_keys
from graph.store import Graph, local_server
from graph.store.config import LocalServer
from tests.web_support import sign_in

pytestmark = [
    pytest.mark.neo4j,
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(os.environ.get("NEO4J_URI")), reason="stops the project's own test server"
    ),
]


def test_an_outage_answers_503_in_json_and_in_pages_and_the_service_recovers_by_itself(
    app: Flask, client: FlaskClient, graph: Graph, test_server: LocalServer, prefix: str
) -> None:
    """One outage (each costs a stop and a start of the server), seen by the API and the web UI."""
    batch = [
        {
            "event_id": f"{prefix}e{n}",
            "user_id": f"{prefix}u",
            "item_id": f"{prefix}i{n}",
            "kind": "view",
            "timestamp": 1_700_000_000 + n,
        }
        for n in range(50)
    ]
    assert client.post("/v1/events", json=batch[:10]).json["created"] == 10
    key, token = api_keys.create(graph, "web-outage", ["read"])
    page = app.test_client()
    try:
        sign_in(page, token)
        assert page.get("/ui/").status_code == 200

        local_server.stop(test_server)
        try:
            down = client.post("/v1/events", json=batch)
            assert down.status_code == 503
            assert down.headers["Retry-After"].isdigit()
            assert down.json["error"]["code"] == "database_unavailable"
            assert client.get("/health").status_code == 503
            stored_down = client.get(f"/v1/users/{prefix}u/events")
            assert stored_down.status_code == 503
            assert stored_down.json["error"]["code"] == "database_unavailable"  # JSON, not a page
            down_page = page.get("/ui/")
            assert down_page.status_code == 503 and down_page.headers["Retry-After"].isdigit()
            assert down_page.mimetype == "text/html"
            assert "graph database is not reachable" in down_page.text
            assert "<h1>503</h1>" in down_page.text
        finally:
            local_server.start(test_server)

        assert client.get("/health").status_code == 200
        assert page.get("/ui/").status_code == 200  # back without signing in again
        stored = client.get(f"/v1/users/{prefix}u/events", query_string={"limit": 100}).json
        assert stored["count"] == 10  # the batch sent during the outage left nothing behind
        retried = client.post("/v1/events", json=batch)
        assert retried.json == {"received": 50, "created": 40, "duplicates": 10}
    finally:
        api_keys.delete(graph, key.id)
