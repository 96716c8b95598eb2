"""Neo4j stops in the middle of a stream of ingestion requests and comes back: clients that retry
with the same event ids end with exactly the events they sent; the service answers 503 meanwhile
and recovers without a restart."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from flask import Flask

from graph.store import local_server
from graph.store.config import LocalServer

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

CLIENTS, BATCHES, PER_BATCH = 3, 30, 5


def test_outage_in_the_middle_of_ingestion_loses_and_doubles_nothing(
    app: Flask, test_server: LocalServer | None, prefix: str
) -> None:
    if test_server is None:
        pytest.skip("stops the server: runs only against the project's own test Neo4j")
    statuses: Counter[int] = Counter()
    succeeded = threading.Semaphore(0)
    lock = threading.Lock()

    def client(number: int) -> None:
        http = app.test_client()
        for batch in range(BATCHES):
            user = f"{prefix}u{number}"
            events = [{"event_id": f"{prefix}c{number}-b{batch}-e{n}", "user_id": user,
                       "item_id": f"{prefix}i{(batch * PER_BATCH + n) % 7}", "kind": "view",
                       "timestamp": 1_700_000_000 + batch * PER_BATCH + n}
                      for n in range(PER_BATCH)]  # fmt: skip
            deadline = time.monotonic() + 180
            while True:  # the same batch, the same ids, until it is taken
                answer = http.post("/v1/events", json=events)
                with lock:
                    statuses[answer.status_code] += 1
                if answer.status_code == 200:
                    succeeded.release()
                    break
                assert answer.status_code == 503, answer.json
                assert answer.json["error"]["code"] == "database_unavailable"
                assert time.monotonic() < deadline, "the service did not recover"
                time.sleep(float(answer.headers.get("Retry-After", "1")) / 5)
            time.sleep(0.05)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for _ in range(CLIENTS * 5):  # a stream is flowing
        assert succeeded.acquire(timeout=60)
    local_server.stop(test_server)
    time.sleep(2)
    down = app.test_client().get(f"/v1/users/{prefix}u0/events")
    assert down.status_code == 503 and down.headers["Retry-After"]
    local_server.start(test_server)
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads)

    assert statuses[503] > 0 and set(statuses) == {200, 503}, statuses
    assert statuses[200] == CLIENTS * BATCHES
    http = app.test_client()
    for number in range(CLIENTS):
        answer = http.get(f"/v1/users/{prefix}u{number}/events", query_string={"limit": 10_000})
        assert answer.status_code == 200  # the same app, never restarted
        stored = [e["event_id"] for e in answer.json["events"]]
        sent = {f"{prefix}c{number}-b{b}-e{n}" for b in range(BATCHES) for n in range(PER_BATCH)}
        assert len(stored) == len(sent) and set(stored) == sent  # none lost, none doubled
