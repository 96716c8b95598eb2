"""Fixtures: the project's own Neo4j for tests (or NEO4J_URI's), the app, per-test id prefixes.

Tests run against a separate local server under ``var/test`` (Bolt 7688, HTTP 7475) so that they
never touch the demo's data. Each test writes under its own id prefix and deletes it afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from flask import Flask
from flask.testing import FlaskClient

from embeddings import retraining
from graph.access import api_keys
from graph.store import Graph, local_server
from graph.store.config import Connection, LocalServer, connection
from graph.store.config import local_server as local_settings
from graph.store.schema import apply_schema
from tests.support import TEST_SECRET, TINY, create_test_app, given_two_tastes, taste_trainer

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]
TEST_ENV = {
    "INTERESTS_DATA_DIR": os.environ.get("INTERESTS_TEST_DATA_DIR", str(ROOT / "var" / "test")),
    "INTERESTS_BOLT_PORT": os.environ.get("INTERESTS_TEST_BOLT_PORT", "7688"),
    "INTERESTS_HTTP_PORT": os.environ.get("INTERESTS_TEST_HTTP_PORT", "7475"),
    "INTERESTS_HEAP": "768m",
    "INTERESTS_PAGECACHE": "256m",
}


os.environ["INTERESTS_SECRET"] = TEST_SECRET  # before any app or importer reads it


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test that reaches the graph (its fixtures do) is marked ``neo4j``, so that
    ``pytest -m "not neo4j"`` runs the pure tests alone. Tests marked ``gpu`` are deselected
    (not skipped) on a machine whose torch sees no CUDA device."""
    for item in items:
        if "test_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.neo4j)
    gpu = [item for item in items if item.get_closest_marker("gpu")]
    if gpu and not cuda_available():
        config.hook.pytest_deselected(items=gpu)
        items[:] = [item for item in items if not item.get_closest_marker("gpu")]


def cuda_available() -> bool:
    import torch

    return bool(torch.cuda.is_available())


def pytest_report_header() -> str:
    seen = cuda_available()
    return "gpu tests: " + ("run (CUDA device seen)" if seen else "deselected (no CUDA)")


def external_server() -> bool:
    return bool(os.environ.get("NEO4J_URI"))


@pytest.fixture(scope="session")
def test_server() -> Iterator[LocalServer | None]:
    """The local test server, started unless running (then stopped again); None with NEO4J_URI."""
    if external_server():
        yield None
        return
    server = local_settings(TEST_ENV)
    started_here = not local_server.status(server).running
    local_server.start(server, password=os.environ.get("NEO4J_PASSWORD"))
    yield server
    if started_here:
        local_server.stop(server)


@pytest.fixture(scope="session")
def neo4j_connection(test_server: LocalServer | None) -> Connection:
    return connection() if test_server is None else connection(TEST_ENV)


@pytest.fixture(scope="session")
def graph(neo4j_connection: Connection) -> Iterator[Graph]:
    """The store over the test server, with the schema applied."""
    with Graph.connect(neo4j_connection) as store:
        apply_schema(store)
        yield store


@pytest.fixture
def prefix(graph: Graph) -> Iterator[str]:
    """A unique id prefix for this test's items and categories; those and the users created
    during the test (stored under pseudonyms, so not findable by prefix) are removed afterwards."""
    value = f"test-{uuid.uuid4().hex[:10]}-"
    now = graph.read("admin/now")[0]["now"]
    yield value
    remove_prefix(graph, value)
    graph.run("admin/delete_created_since", since=now)


def remove_prefix(graph: Graph, value: str) -> None:
    graph.run("admin/delete_by_id_prefix", prefix=value)
    graph.run("admin/delete_categories_by_prefix", prefix=value)


@pytest.fixture(scope="session")
def admin_token(graph: Graph) -> Iterator[str]:
    """An API key with every scope, for the tests' clients; deleted at the end."""
    key, token = api_keys.create(graph, "tests", ["admin"])
    yield token
    api_keys.delete(graph, key.id)


@pytest.fixture
def app(neo4j_connection: Connection, admin_token: str) -> Flask:
    return create_test_app(neo4j_connection, admin_token)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, neo4j_connection: Connection) -> None:
    """Point the CLI at the test server."""
    monkeypatch.setenv("NEO4J_URI", neo4j_connection.uri)
    monkeypatch.setenv("NEO4J_USER", neo4j_connection.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_connection.password)


@pytest.fixture
def trained(client: FlaskClient, graph: Graph, prefix: str) -> str:
    given_two_tastes(client, prefix)
    report = retraining.retrain(graph, TINY, quality_floor=0.0, trainer=taste_trainer)
    assert report.status == "finished", report.message
    return report.run_id
