"""Rate limits shared by several API hosts (docs/scaling.md): two apps, as two hosts would run,
count one key's requests in one Redis (Debian's ``redis-server``, started here on a free port);
with the default per-process storage each would count only its own."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest
import redis
from flask import Flask

from graph.access import api_keys
from graph.store import Graph
from graph.store.config import Connection
from tests.support import create_test_app, free_port

REDIS_SERVER = "/usr/bin/redis-server"  # scripts/setup.sh installs it


@pytest.fixture(scope="module")
def redis_uri() -> Iterator[str]:
    assert shutil.which(REDIS_SERVER), "redis-server is missing: run scripts/setup.sh as root"
    port = free_port()
    server = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    uri = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if redis.Redis.from_url(uri).ping():
                    break
            except redis.ConnectionError:
                assert server.poll() is None, "redis-server exited"
                assert time.monotonic() < deadline, "redis-server did not answer"
                time.sleep(0.1)
        yield uri
    finally:
        server.terminate()
        server.wait(timeout=10)


def hosts(conn: Connection, token: str, storage: str) -> list[Flask]:
    return [create_test_app(conn, token, RATELIMIT_DEFAULT="3 per minute",
                            RATELIMIT_STORAGE_URI=storage) for _ in range(2)]  # fmt: skip


def statuses(apps: list[Flask], token: str, path: str, count: int) -> list[int]:
    """``count`` requests with ``token``, alternating between the apps."""
    clients = [app.test_client() for app in apps]
    headers = {"Authorization": f"Bearer {token}"}
    return [clients[n % 2].get(path, headers=headers).status_code for n in range(count)]


def test_two_hosts_count_one_keys_requests_together_in_redis(
    neo4j_connection: Connection, admin_token: str, graph: Graph, prefix: str, redis_uri: str
) -> None:
    key, token = api_keys.create(graph, f"{prefix}limited", ["read"])
    other_key, other_token = api_keys.create(graph, f"{prefix}other", ["read"])
    path = f"/v1/items/{prefix}x"
    try:
        shared = hosts(neo4j_connection, admin_token, redis_uri)
        assert statuses(shared, token, path, 4) == [404, 404, 404, 429]
        assert statuses(shared, other_token, path, 1) == [404]  # counted per key
        apart = hosts(neo4j_connection, admin_token, "memory://")
        assert statuses(apart, token, path, 4) == [404] * 4  # two apart: two each, none limited
    finally:
        api_keys.delete(graph, key.id)
        api_keys.delete(graph, other_key.id)
