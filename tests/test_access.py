"""API keys, scopes, rate limits, request size limits and the OpenAPI description."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cachetools import TTLCache
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from graph.access import api_keys
from graph.store import Graph
from graph.store.config import Connection
from service.auth import PAGE_BLUEPRINTS
from service.cli import main
from service.openapi import Undescribed, document
from tests.support import create_test_app, found_anywhere

pytestmark = pytest.mark.neo4j


@pytest.fixture
def keys(graph: Graph) -> Iterator[dict[str, str]]:
    """One key per scope (and one revoked), deleted afterwards."""
    made = {scope: api_keys.create(graph, f"test-{scope}", [scope]) for scope in api_keys.SCOPES}
    revoked, token = api_keys.create(graph, "test-revoked", ["admin"])
    api_keys.revoke(graph, revoked.id)
    yield {**{scope: token for scope, (_, token) in made.items()}, "revoked": token}
    for key, _ in [*made.values(), (revoked, token)]:
        api_keys.delete(graph, key.id)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def anonymous(app: Flask) -> FlaskClient:
    client = app.test_client()
    client.environ_base.pop("HTTP_AUTHORIZATION")
    return client


def event(prefix: str) -> list[dict[str, object]]:
    return [{"user_id": f"{prefix}u", "item_id": f"{prefix}i", "kind": "view",
             "timestamp": 1_700_000_000}]  # fmt: skip


def test_every_route_but_health_needs_a_key(app: Flask, prefix: str) -> None:
    client = anonymous(app)
    assert client.get("/health").status_code in (200, 503)
    for method, path in [("get", f"/v1/items/{prefix}i"), ("get", "/openapi.json"),
                         ("post", "/v1/events"), ("delete", f"/v1/users/{prefix}u"),
                         ("get", f"/v1/users/{prefix}u/recommendations")]:  # fmt: skip
        answer = getattr(client, method)(path)
        assert answer.status_code == 401, (method, path)
        assert answer.json["error"]["code"] == "unauthorized"
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = client.get(f"/v1/items/{prefix}i", headers={"Authorization": "Bearer ig_nope_nope"})
    assert wrong.status_code == 401 and "unknown or revoked" in wrong.json["error"]["message"]
    basic = client.get(f"/v1/items/{prefix}i", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert basic.status_code == 401


def test_scopes(app: Flask, keys: dict[str, str], prefix: str) -> None:
    client = anonymous(app)
    read, write, admin = (bearer(keys[s]) for s in ("read", "write", "admin"))
    assert client.post("/v1/events", json=event(prefix), headers=read).status_code == 403
    assert client.post("/v1/events", json=event(prefix), headers=write).status_code == 200
    assert client.get(f"/v1/users/{prefix}u/events", headers=read).status_code == 200
    denied = client.get(f"/v1/users/{prefix}u/events", headers=write)
    assert denied.status_code == 403 and denied.json["error"]["code"] == "forbidden"
    assert client.post("/v1/extract", json={"text": "I love jazz"}, headers=read).status_code == 200
    for headers in (read, write):
        assert client.get(f"/v1/users/{prefix}u/export", headers=headers).status_code == 403
        assert client.delete(f"/v1/users/{prefix}u", headers=headers).status_code == 403
    assert client.get(f"/v1/users/{prefix}u/export", headers=admin).status_code == 200
    assert client.get(f"/v1/users/{prefix}u/events", headers=admin).status_code == 200
    revoked = client.get(f"/v1/users/{prefix}u/events", headers=bearer(keys["revoked"]))
    assert revoked.status_code == 401


def test_a_revoked_key_stops_working(
    graph: Graph, neo4j_connection: object, admin_token: str, prefix: str
) -> None:
    app = create_test_app(neo4j_connection, admin_token, AUTH_CACHE_SECONDS=0)  # type: ignore[arg-type]
    key, token = api_keys.create(graph, "test-soon-revoked", ["read"])
    try:
        client = anonymous(app)
        assert client.get(f"/v1/items/{prefix}x", headers=bearer(token)).status_code == 404
        api_keys.revoke(graph, key.id)
        assert client.get(f"/v1/items/{prefix}x", headers=bearer(token)).status_code == 401
    finally:
        api_keys.delete(graph, key.id)


def test_rate_limit_per_key_answers_429(
    neo4j_connection: object, admin_token: str, keys: dict[str, str], prefix: str
) -> None:
    app = create_test_app(neo4j_connection, admin_token, RATELIMIT_DEFAULT="3 per minute")  # type: ignore[arg-type]
    client = anonymous(app)
    answers = [client.get(f"/v1/items/{prefix}x", headers=bearer(keys["read"])) for _ in range(4)]
    assert [a.status_code for a in answers] == [404, 404, 404, 429]
    assert answers[-1].json["error"]["code"] == "too_many_requests"
    assert "Retry-After" in answers[-1].headers
    other = client.get(f"/v1/items/{prefix}x", headers=bearer(keys["admin"]))
    assert other.status_code == 404  # counted per key
    assert client.get("/health").status_code in (200, 503)  # not limited


def test_request_size_limit(neo4j_connection: object, admin_token: str) -> None:
    app = create_test_app(neo4j_connection, admin_token, MAX_CONTENT_LENGTH=1_000)  # type: ignore[arg-type]
    answer = app.test_client().post("/v1/events", data=b"[" + b" " * 2_000 + b"]",
                                    content_type="application/json")  # fmt: skip
    assert answer.status_code == 413 and answer.json["error"]["code"] == "request_entity_too_large"


def test_cli_creates_lists_and_revokes_keys(cli_env: None, graph: Graph) -> None:
    runner = CliRunner()
    created = runner.invoke(main, ["keys", "create", "test-cli", "--scope", "read",
                                   "--scope", "write"])  # fmt: skip
    assert created.exit_code == 0, created.output
    key_id = created.output.split()[1]
    token = created.output.split()[-1]
    try:
        found = api_keys.verify(graph, token)
        assert found is not None and found.scopes == ("read", "write")
        listed = runner.invoke(main, ["keys", "list"])
        assert key_id in listed.output and "active" in listed.output
        assert token not in listed.output  # shown once, stored hashed
        assert runner.invoke(main, ["keys", "revoke", key_id]).exit_code == 0
        assert api_keys.verify(graph, token).revoked_at is not None  # type: ignore[union-attr]
        assert runner.invoke(main, ["keys", "revoke", "nosuchkey"]).exit_code == 1
        bad = runner.invoke(main, ["keys", "create", "x", "--scope", "root"])
        assert bad.exit_code == 2 and "root" in bad.output
    finally:
        api_keys.delete(graph, key_id)


def test_keys_are_stored_hashed(graph: Graph) -> None:
    key, token = api_keys.create(graph, "test-hash", ["read"])
    try:
        assert found_anywhere(graph, token.split("_", 2)[2]) == []
        assert found_anywhere(graph, key.id) != []
        assert api_keys.verify(graph, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    finally:
        api_keys.delete(graph, key.id)


def test_openapi_describes_every_route(app: Flask, client: FlaskClient) -> None:
    spec = client.get("/openapi.json").json
    validate(spec)
    described = {(method.upper(), path) for path, ops in spec["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.partition(".")[0] in PAGE_BLUEPRINTS:  # web pages, not the API
            continue
        path = rule.rule.replace("<path:", "{").replace("<", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:  # type: ignore[operator]
            assert (method, path) in described, (method, path)


def test_the_description_is_what_the_views_enforce(client: FlaskClient) -> None:
    """Every bound and choice the description states is the one the view applies: a value
    past it answers 400 naming the parameter, the bound itself is taken."""
    spec = client.get("/openapi.json").json
    checked = 0
    for path, operations in spec["paths"].items():
        if "get" not in operations or "{key}" in path:
            continue
        url = path.replace("{user_id}", "nobody").replace("{item_id}", "nothing")
        for parameter in operations["get"]["parameters"]:
            name, schema = parameter["name"], parameter["schema"]
            bad = ([schema["maximum"] + 1, schema["minimum"] - 1] if "maximum" in schema
                   else ["neither"] if "enum" in schema or schema.get("format") == "date-time"
                   else [])  # fmt: skip
            for value in bad:
                answer = client.get(url, query_string={name: value})
                assert answer.status_code == 400, (path, name, value)
                assert [d["field"] for d in answer.json["error"]["details"]] == [name]
                checked += 1
            if "maximum" in schema:
                answer = client.get(url, query_string={name: schema["maximum"]})
                assert answer.status_code != 400, (path, name, answer.json)
    assert checked >= 25


def test_a_route_without_a_declaration_cannot_be_described(
    neo4j_connection: Connection, admin_token: str
) -> None:
    app = create_test_app(neo4j_connection, admin_token)
    app.add_url_rule("/v1/undeclared", "undeclared", lambda: {})
    with pytest.raises(Undescribed):
        document(app)


def test_a_key_that_expires_from_the_cache_mid_lookup_is_checked_again(
    app: Flask, client: FlaskClient, prefix: str
) -> None:
    """The clock moves between a cache's membership test and its read (the soak bench met it)."""
    ticks = iter(range(0, 10_000, 6))  # every look at the clock: 6 s later; entries live 10 s
    auth = app.extensions["auth"]
    auth._cache = TTLCache(maxsize=8, ttl=10, timer=lambda: next(ticks))
    for _ in range(5):
        assert client.get(f"/v1/items/{prefix}x").status_code == 404
