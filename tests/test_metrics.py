"""GET /metrics: refused without the scope; the route histograms, the records taken, the Neo4j
errors and the graph's state it reports; and, under ``interests serve``, the numbers of several
gunicorn workers added up."""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psutil
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask.typing import ResponseReturnValue
from neo4j.exceptions import ClientError
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.parser import text_string_to_metric_families

from embeddings import runs
from graph.access import api_keys
from graph.store import Graph
from graph.store.config import Connection
from service import precomputed
from service.metrics import FeedbackWindow, GraphState, Rankings, Run, state_metrics
from tests.support import PSEUDONYMS, create_test_app, free_port, json_of
from tests.test_feedback import ask, given_a_catalogue, react

ROOT = Path(__file__).resolve().parents[1]
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
EVENTS_CREATED = "interests_events_taken_total", {"result": "created"}
EVENTS_REPEATED = "interests_events_taken_total", {"result": "duplicate"}


def parse(text: str) -> Samples:
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}  # fmt: skip


def value(found: Samples, name: str, labels: dict[str, str] | None = None) -> float | None:
    return found.get((name, frozenset((labels or {}).items())))


def scrape(client: FlaskClient) -> Samples:
    answer = client.get("/metrics")
    assert answer.status_code == 200, answer.text
    return parse(answer.text)


def delta(before: Samples, after: Samples, name: str, labels: dict[str, str] | None = None
          ) -> float:  # fmt: skip
    return (value(after, name, labels) or 0.0) - (value(before, name, labels) or 0.0)


@pytest.fixture
def fresh(neo4j_connection: Connection, admin_token: str) -> Flask:
    """An app that reads the graph's state at every scrape."""
    return create_test_app(neo4j_connection, admin_token, METRICS_CACHE_SECONDS=0)


@pytest.fixture
def metrics_only(graph: Graph) -> Iterator[str]:
    """A key with only the ``metrics`` scope, stored as ``api_keys.create`` stores one."""
    key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    graph.write("access/create_key", id=key_id, name="test-metrics", scopes=["metrics"],
                secret_sha256=hashlib.sha256(secret.encode()).hexdigest())  # fmt: skip
    yield f"{api_keys.PREFIX}{key_id}_{secret}"
    api_keys.delete(graph, key_id)


def test_metrics_need_the_metrics_scope(app: Flask, graph: Graph, metrics_only: str) -> None:
    client = app.test_client()
    admin = client.get("/metrics")
    assert admin.status_code == 200
    assert admin.content_type.startswith("text/plain")
    assert "flask_http_request_duration_seconds" in admin.text
    anonymous = client.get("/metrics", headers={"Authorization": ""})
    assert anonymous.status_code == 401
    made = [api_keys.create(graph, f"test-{scope}", [scope]) for scope in ("read", "write")]
    try:
        for _, token in made:
            refused = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
            assert refused.status_code == 403
            assert "'metrics'" in json_of(refused)["error"]["message"]
    finally:
        for key, _ in made:
            api_keys.delete(graph, key.id)
    scraper = {"Authorization": f"Bearer {metrics_only}"}
    assert client.get("/metrics", headers=scraper).status_code == 200
    assert client.get("/v1/items/anything", headers=scraper).status_code == 403  # reads no data
    openmetrics = client.get("/metrics", headers={"Accept": "application/openmetrics-text"})
    assert openmetrics.content_type.startswith("application/openmetrics-text")


def test_routes_are_timed_by_their_rule_never_their_path(fresh: Flask, prefix: str) -> None:
    client = fresh.test_client()
    user = f"{prefix}someone"
    event = {"user_id": user, "item_id": f"{prefix}i", "kind": "view", "timestamp": 1_700_000_000}
    assert client.post("/v1/events", json=[event]).status_code == 200
    assert client.get(f"/v1/users/{user}/events").status_code == 200
    assert client.get(f"/v1/items/{prefix}nothing").status_code == 404
    assert client.get(f"/{prefix}no/such/route").status_code == 404
    assert client.get("/v1/items/x", headers={"Authorization": ""}).status_code == 401
    assert client.open("/v1/items/x", method="BREW").status_code == 405
    text = client.get("/metrics").text
    found = parse(text)
    count = "flask_http_request_duration_seconds_count"
    rule = {"method": "GET", "route": "/v1/users/<user_id>/events", "status": "200"}
    assert value(found, count, rule) == 1
    assert value(found, count, {"method": "GET", "route": "/v1/items/<item_id>",
                                "status": "404"}) == 1  # fmt: skip
    refused = {"method": "GET", "route": "/v1/items/<item_id>", "status": "401"}
    assert value(found, count, refused) == 1  # refused before Neo4j: timed all the same
    assert value(found, count, {"method": "GET", "route": "unmatched", "status": "404"}) == 1
    assert value(found, "flask_http_request_total", {"method": "GET", "status": "200"}) == 1
    assert prefix not in text  # no user or item id ever becomes a label
    assert "BREW" not in text  # a made-up method makes no series


def test_counters_move_by_exactly_the_records_taken(
    fresh: Flask, graph: Graph, prefix: str
) -> None:
    client = fresh.test_client()
    before = scrape(client)
    events = [{"event_id": f"{prefix}e{n}", "user_id": f"{prefix}u", "item_id": f"{prefix}i{n}",
               "kind": "view", "timestamp": 1_700_000_000 + n} for n in range(5)]  # fmt: skip
    assert json_of(client.post("/v1/events", json=events[:3]))["created"] == 3
    assert json_of(client.post("/v1/events", json=events)) == {"received": 5, "created": 2,
                                                                "duplicates": 3}  # fmt: skip
    bad = client.post("/v1/events", json=[{**events[0], "kind": "teleport"}])
    assert bad.status_code == 400
    texts = [{"text": "I love jazz and Italian cooking.", "timestamp": 1_700_000_000,
              "text_id": f"{prefix}t0"},
             {"text": "Superhero movies bore me.", "timestamp": 1_700_000_100,
              "text_id": f"{prefix}t1"}]  # fmt: skip
    assert json_of(client.post(f"/v1/users/{prefix}u/texts", json=texts))["stored"] == 2
    assert json_of(client.post(f"/v1/users/{prefix}u/texts", json=texts[:1]))["stored"] == 0
    after = scrape(client)
    assert delta(before, after, *EVENTS_CREATED) == 5
    assert delta(before, after, *EVENTS_REPEATED) == 3
    assert delta(before, after, "interests_texts_taken_total", {"result": "created"}) == 2
    assert delta(before, after, "interests_texts_taken_total", {"result": "duplicate"}) == 1
    assert delta(before, after, "interests_text_extraction_seconds_count") == 2  # two batches
    assert delta(before, after, "interests_text_extraction_seconds_sum") > 0
    assert value(after, "interests_workers") == 1

    given_a_catalogue(client, graph, prefix)
    before = scrape(client)
    answer = ask(client, f"{prefix}fan", k=6)
    records = react(answer, likes="comedy")
    assert json_of(client.post("/v1/feedback", json=records))["created"] == len(records)
    assert json_of(client.post("/v1/feedback", json=records[:3]))["duplicates"] == 3
    after = scrape(client)
    assert delta(before, after, "interests_feedback_taken_total",
                 {"result": "created"}) == len(records)  # fmt: skip
    assert delta(before, after, "interests_feedback_taken_total", {"result": "duplicate"}) == 3

    # the answer and its feedback, in the window's gauges (the database's view, read at scrape)
    bandit = {"policy": "bandit"}
    shown = len(answer["items"])
    explored = sum(item["explored"] for item in answer["items"])
    clicked = sum("comedy" in item["item_id"] for item in answer["items"])
    assert delta(before, after, "interests_feedback_window_answers", bandit) == 1
    assert delta(before, after, "interests_feedback_window_shown_items", bandit) == shown
    assert delta(before, after, "interests_feedback_window_explored_items", bandit) == explored
    assert delta(before, after, "interests_feedback_window_clicked_items", bandit) == clicked
    earned = delta(before, after, "interests_feedback_window_reward", bandit)
    assert earned == pytest.approx(clicked * 240 / 300)  # click × dwell, capped at 300 s
    total_shown = value(after, "interests_feedback_window_shown_items", bandit)
    total_reward = value(after, "interests_feedback_window_reward", bandit)
    total_explored = value(after, "interests_feedback_window_explored_items", bandit)
    assert total_shown and total_reward is not None and total_explored is not None
    rate = value(after, "interests_reward_rate", bandit)
    assert rate == pytest.approx(total_reward / total_shown)
    share = value(after, "interests_exploration_share", bandit)
    assert share == pytest.approx(total_explored / total_shown)
    assert value(after, "interests_feedback_window_seconds") == 3600


def test_the_serving_run_and_the_rankings_ahead(fresh: Flask, graph: Graph, prefix: str) -> None:
    client = fresh.test_client()
    given_a_catalogue(client, graph, prefix)  # trains a run with test MRR 0.5; it serves
    serving = runs.serving(graph)
    assert serving is not None
    found = scrape(client)
    assert value(found, "interests_graph_state_up") == 1
    assert value(found, "interests_embedding_run_info", {"run": "serving", "run_id":
                 serving.run_id, "model": serving.model}) == 1  # fmt: skip
    assert value(found, "interests_embedding_run_mrr", {"run": "serving"}) == 0.5
    assert value(found, "interests_embedding_run_hits_at_10", {"run": "serving"}) == 0.5
    assert value(found, "interests_embedding_run_ndcg_at_10", {"run": "serving"}) is None
    assert value(found, "interests_embedding_run_status",
                 {"run": "serving", "status": "finished"}) == 1  # fmt: skip
    assert value(found, "interests_embedding_run_status",
                 {"run": "serving", "status": "failed"}) == 0  # fmt: skip
    age = value(found, "interests_embedding_run_age_seconds", {"run": "serving"})
    took = value(found, "interests_embedding_run_duration_seconds", {"run": "serving"})
    assert age is not None and took is not None and 0 <= took <= age < 600
    assert (value(found, "interests_embedding_runs", {"status": "finished"}) or 0) >= 1

    user = PSEUDONYMS.user(f"{prefix}other0")
    before = scrape(client)
    assert precomputed.refresh(graph, user_ids=[user]) == 1
    kept = scrape(client)
    assert delta(before, kept, "interests_rankings_ahead_users") == 1
    newest = value(kept, "interests_rankings_ahead_newest_age_seconds")
    oldest = value(kept, "interests_rankings_ahead_oldest_age_seconds")
    assert newest is not None and oldest is not None and 0 <= newest <= oldest and newest < 60
    event = {"user_id": f"{prefix}other0", "item_id": f"{prefix}comedy1", "kind": "like",
             "timestamp": 1_700_000_500}  # fmt: skip
    assert client.post("/v1/events", json=[event]).status_code == 200
    signalled = scrape(client)
    assert delta(kept, signalled, "interests_rankings_ahead_stale_users") == 1  # voided by it


def test_the_dashboard_asks_only_for_what_the_service_reports(fresh: Flask) -> None:
    dashboard = json.loads((ROOT / "docs" / "grafana-dashboard.json").read_text(encoding="utf-8"))
    asked = {name for panel in dashboard["panels"] for target in panel.get("targets", [])
             for name in re.findall(r"\b(?:flask|interests)_\w+", target["expr"])}  # fmt: skip
    reported = {family.name for family in text_string_to_metric_families(
        fresh.test_client().get("/metrics").text)}  # fmt: skip
    suffixes = ("", "_bucket", "_count", "_sum", "_total")

    def known(name: str) -> bool:
        return any(name.endswith(x) and name.removesuffix(x) in reported for x in suffixes)

    assert len(asked) > 15 and {name for name in asked if not known(name)} == set()


def test_neo4j_errors_are_counted(neo4j_connection: Connection, admin_token: str) -> None:
    down = Connection("bolt://127.0.0.1:1", "neo4j", "nothing-listens-there")
    app = create_test_app(down, admin_token, DB_RETRY_SECONDS=0, AUTH_CACHE_SECONDS=0)

    def broken() -> ResponseReturnValue:
        raise ClientError("a statement the database refused")

    app.add_url_rule("/v1/broken", "broken", broken)
    client = app.test_client()
    answer = client.get("/v1/items/x")
    assert answer.status_code == 503 and json_of(answer)["error"]["code"] == "database_unavailable"
    metrics = app.extensions["metrics"]

    def errors(kind: str) -> float | None:
        found: float | None = metrics.registry.get_sample_value(
            "interests_neo4j_errors_total", {"kind": kind}
        )
        return found

    assert errors("unavailable") == 1
    assert errors("error") == 0
    state = {m.name: m for m in metrics.state.collect()}  # a scrape while Neo4j is down
    assert state["interests_graph_state_up"].samples[0].value == 0
    assert errors("unavailable") == 2

    working = create_test_app(neo4j_connection, admin_token)
    working.add_url_rule("/v1/broken", "broken", broken)
    assert working.test_client().get("/v1/broken").status_code == 500
    registry = working.extensions["metrics"].registry
    assert registry.get_sample_value("interests_neo4j_errors_total", {"kind": "error"}) == 1


def test_state_gauges_from_plain_numbers() -> None:
    state = GraphState(
        now_ms=1_000_000,
        serving=Run("r1", "TransE", "finished", 400_000, 700_000, {"mrr": 0.3, "ndcg_at_10": 0.1}),
        latest=Run("r2", "TransE", "failed", 900_000, 950_000, {}),
        runs={"finished": 3, "failed": 1},
        rankings=Rankings(users=10, stale=2, oldest_ms=100_000, newest_ms=990_000),
        feedback=[
            FeedbackWindow("bandit", 4, 40, 6, 5, 3.0),
            FeedbackWindow("random", 1, 0, 0, 0, 0.0),
        ],
        window_s=3600,
    )
    text = "".join(
        f"{s.name} {sorted(s.labels.items())} {s.value}\n"
        for family in state_metrics(state)
        for s in family.samples
    )
    found = {(s.name, frozenset(s.labels.items())): s.value
             for family in state_metrics(state) for s in family.samples}  # fmt: skip
    assert value(found, "interests_embedding_run_age_seconds", {"run": "serving"}) == 600
    assert value(found, "interests_embedding_run_duration_seconds", {"run": "serving"}) == 300
    assert value(found, "interests_embedding_run_ndcg_at_10", {"run": "serving"}) == 0.1
    assert value(found, "interests_embedding_run_mrr", {"run": "latest"}) is None
    latest = "interests_embedding_run_status"
    assert value(found, latest, {"run": "latest", "status": "failed"}) == 1
    assert value(found, "interests_embedding_run_status",
                 {"run": "latest", "status": "finished"}) == 0  # fmt: skip
    assert value(found, "interests_embedding_runs", {"status": "rejected"}) == 0
    assert value(found, "interests_embedding_runs", {"status": "finished"}) == 3
    assert value(found, "interests_rankings_ahead_oldest_age_seconds") == 900
    assert value(found, "interests_rankings_ahead_newest_age_seconds") == 10
    assert value(found, "interests_rankings_ahead_stale_users") == 2
    assert value(found, "interests_reward_rate", {"policy": "bandit"}) == 3.0 / 40
    assert value(found, "interests_exploration_share", {"policy": "bandit"}) == 6 / 40
    assert value(found, "interests_reward_rate", {"policy": "random"}) is None, text  # none shown
    assert value(found, "interests_feedback_window_answers", {"policy": "random"}) == 1


# --- under gunicorn -------------------------------------------------------------------------


def http(url: str, token: str, body: Any = None) -> tuple[int, str]:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    request = urllib.request.Request(url, data, headers, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_until(check: Any, what: str, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {timeout_s:.0f} s")


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def created_per_worker(folder: Path) -> dict[int, float]:
    """Events created as each worker's own file holds them."""
    found: dict[int, float] = {}
    for path in folder.glob("counter_*.db"):
        pid = int(path.stem.rpartition("_")[2])
        for key, count, _, _ in MmapedDict.read_all_values_from_file(str(path)):
            if '"interests_events_taken_total"' in key and '"created"' in key:
                found[pid] = found.get(pid, 0.0) + count
    return found


@pytest.mark.slow
def test_serve_under_gunicorn_adds_up_its_workers(
    neo4j_connection: Connection, admin_token: str, prefix: str, tmp_path: Path
) -> None:
    port = free_port()
    folder = tmp_path / "metrics" / f"gunicorn-{port}"
    folder.mkdir(parents=True)
    (folder / "counter_999999.db").write_bytes(b"left by an earlier server")
    env = {**os.environ, "NEO4J_URI": neo4j_connection.uri, "NEO4J_USER": neo4j_connection.user,
           "NEO4J_PASSWORD": neo4j_connection.password, "INTERESTS_DATA_DIR": str(tmp_path),
           "INTERESTS_METRICS_CACHE_SECONDS": "0"}  # fmt: skip
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    command = [str(Path(sys.executable).parent / "interests"), "serve", "--port", str(port),
               "--workers", "2"]  # fmt: skip
    with open(tmp_path / "serve.log", "wb") as log:
        serve = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                 start_new_session=True)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: answers(f"{base}/health"), "the server answers")
        assert not (folder / "counter_999999.db").exists()  # emptied at start
        arbiter = psutil.Process(serve.pid).children()[0]
        wait_until(lambda: len(arbiter.children()) == 2, "two workers")

        sent = 0

        def send(n: int) -> int:
            event = {"event_id": f"{prefix}e{n}", "user_id": f"{prefix}u{n % 3}",
                     "item_id": f"{prefix}i{n}", "kind": "view",
                     "timestamp": 1_700_000_000 + n}  # fmt: skip
            status, body = http(f"{base}/v1/events", admin_token, [event])
            assert status == 200, body
            return n

        with ThreadPoolExecutor(max_workers=6) as pool:
            while sent < 240 and len([c for c in created_per_worker(folder).values() if c]) < 2:
                list(pool.map(send, range(sent, sent + 24)))
                sent += 24
        per_worker = created_per_worker(folder)
        assert len([c for c in per_worker.values() if c]) == 2, per_worker  # both took events

        status, text = http(f"{base}/metrics", admin_token)
        assert status == 200, text
        found = parse(text)
        assert value(found, *EVENTS_CREATED) == sent  # added up over the workers
        assert value(found, *EVENTS_REPEATED) == 0
        assert value(found, "interests_workers") == 2
        states = [k for k in found if k[0] == "interests_graph_state_up"]
        assert len(states) == 1 and found[states[0]] == 1  # read once, not once per worker
        events_route = {"method": "POST", "route": "/v1/events", "status": "200"}
        assert value(found, "flask_http_request_duration_seconds_count", events_route) == sent

        # a worker dies: its counts stay, its live gauge goes (gunicorn's child_exit hook)
        victim = arbiter.children()[0]
        victim.send_signal(signal.SIGKILL)
        wait_until(
            lambda: (
                len(arbiter.children()) == 2
                and all((folder / f"gauge_livesum_{c.pid}.db").exists() for c in arbiter.children())
                and victim.pid not in [c.pid for c in arbiter.children()]
            ),
            "a new worker",
        )
        status, text = http(f"{base}/metrics", admin_token)
        found = parse(text)
        assert value(found, "interests_workers") == 2
        assert value(found, *EVENTS_CREATED) == sent

        arbiter.terminate()
        assert serve.wait(timeout=60) == 0
        assert not folder.exists()  # emptied and removed at exit
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGTERM)
            serve.wait(timeout=30)
