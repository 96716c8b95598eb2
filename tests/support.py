"""What the tests share besides fixtures (those are in conftest.py): the pseudonym secret, the
app factory with the tests' key, small graphs with known tastes, trainers that need no PyKEEN."""

from __future__ import annotations

import socket
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from embeddings import runs
from embeddings.training import DIMENSIONS, Trained, TrainingConfig
from embeddings.vectors import user_vector
from graph.privacy.pseudonyms import Pseudonyms
from graph.store import Graph
from graph.store.config import Connection

T = TypeVar("T")

#: The pseudonym secret of every app, CLI command and importer the tests run.
TEST_SECRET = "test-secret-for-pseudonyms-0123456789"


PSEUDONYMS = Pseudonyms(TEST_SECRET)


TINY = TrainingConfig(epochs=20, batch_size=256, check_every=5, negatives=4)


LATER = {"as_of": 1_800_000_000}


class AuthorizedClient(FlaskClient):
    """A test client that sends the tests' admin key unless a request names another."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        token = self.application.config["TEST_API_KEY"]
        self.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"


def create_test_app(conn: Connection, token: str, **config: object) -> Flask:
    from service.app import create_app

    # POLICY_LEARN_S 0: the policy learns before each answer, in no thread of its own; and each
    # answer is logged before it returns (tests/test_shown_log.py tests the log written behind);
    # POLICY_SEED: exploration draws the same in every run
    settings = {"TESTING": True, "NEO4J_CONNECTION": conn, "TEST_API_KEY": token,
                "POLICY_LEARN_S": 0.0, "POLICY_LOG_BEHIND": False, "POLICY_SEED": 0}  # fmt: skip
    app = create_app({**settings, **config})
    app.test_client_class = AuthorizedClient
    return app


def run_concurrently(task: Callable[[], T], count: int) -> list[T]:
    """Run ``task`` in ``count`` threads at once; return their results."""
    results: list[T] = []
    threads = [threading.Thread(target=lambda: results.append(task())) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def found_anywhere(graph: Graph, needle: str) -> list[tuple[list[str], str]]:
    """Where ``needle`` occurs in the graph's text properties: (labels or type, key) pairs."""
    records = graph.read("admin/find_text_anywhere", needle=needle)
    return [(record["owner"], record["key"]) for record in records]


def json_of(response: TestResponse) -> Any:
    """The answer's JSON body."""
    return response.json


def given_two_tastes(client: FlaskClient, prefix: str) -> None:
    """Eight users: four like the comedies, four the horror films."""
    items = [{"id": f"{prefix}{kind}{n}", "title": f"{kind} {n}", "categories": [f"{prefix}{kind}"]}
             for kind in ("comedy", "horror") for n in range(6)]  # fmt: skip
    assert client.post("/v1/items", json=items).status_code == 200
    events = [
        {"event_id": f"{prefix}e{u}-{n}", "user_id": f"{prefix}u{u}", "kind": "like",
         "item_id": f"{prefix}{'comedy' if u < 4 else 'horror'}{n}", "timestamp": 1_700_000_000 + n}
        for u in range(8) for n in range(6) if (u + n) % 5  # each user misses one or two
    ]  # fmt: skip
    assert client.post("/v1/events", json=events).status_code == 200


def given_three_tastes(client: FlaskClient, prefix: str) -> None:
    """Thirty users: ten like the comedies, ten the horror films, ten the dramas (ten films of
    each; every user misses two): enough structure that a model learns it in a few seconds."""
    kinds = ("comedy", "horror", "drama")
    items = [{"id": f"{prefix}{kind}{n}", "title": f"{kind} {n}", "categories": [f"{prefix}{kind}"]}
             for kind in kinds for n in range(10)]  # fmt: skip
    assert client.post("/v1/items", json=items).status_code == 200
    events = [
        {"event_id": f"{prefix}e{u}-{n}", "user_id": f"{prefix}u{u}", "kind": "like",
         "item_id": f"{prefix}{kinds[u % 3]}{n}", "timestamp": 1_700_000_000 + n}
        for u in range(30) for n in range(10) if (u + n) % 5
    ]  # fmt: skip
    assert client.post("/v1/events", json=events).status_code == 200


def fake_trainer(mrr: float) -> Any:
    def trainer(triples: np.ndarray, config: TrainingConfig) -> Trained:
        labels = sorted({str(x) for row in triples for x in (row[0], row[2])})
        rng = np.random.default_rng(0)
        vectors = rng.normal(size=(len(labels), DIMENSIONS)).astype(np.float32)
        return Trained(labels, vectors, {"mrr": mrr, "hits_at_10": 0.5}, 3, 0.1, "cpu")

    return trainer


def vector_of(graph: Graph, user_id: str, slot: int) -> np.ndarray | None:
    return user_vector(graph, PSEUDONYMS.user(user_id), runs.slot_property(slot))


def taste_trainer(triples: np.ndarray, config: TrainingConfig) -> Trained:
    """Embeddings that know the two tastes: every entity near its taste's direction, a user by
    what it liked. (PyKEEN on a graph this small learns noise; tests/test_embeddings.py trains it
    for real. These tests are about what the service does with embeddings that mean something.)"""
    labels = sorted({str(x) for row in triples for x in (row[0], row[2])})
    liked: dict[str, list[str]] = defaultdict(list)
    for head, relation, tail in triples:
        if relation == "interacted":
            liked[str(head)].append(str(tail))
    rng = np.random.default_rng(7)
    vectors = rng.normal(scale=0.1, size=(len(labels), DIMENSIONS)).astype(np.float32)
    for row, label in enumerate(labels):
        text = " ".join(liked[label]) if label.startswith("u:") else label
        vectors[row, 0 if text.count("comedy") >= text.count("horror") else 1] += 1.0
    return Trained(labels, vectors, {"mrr": 0.5, "hits_at_10": 0.5}, 1, 0.1, "cpu")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port
