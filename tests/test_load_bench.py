"""The load generator (``bench.load``) and its caller (``bench.common.load_run``), against a small
HTTP server started here."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench.common import load_run


class Server(ThreadingHTTPServer):
    daemon_threads = True
    paths: list[str]
    keys: set[str]


class Handler(BaseHTTPRequestHandler):
    server: Server

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        self.server.paths.append(self.path)
        self.server.keys.add(self.headers.get("Authorization", ""))
        self.send_response(200)
        self.send_header("Server-Timing", "read;dur=1.5, choose;dur=0.5")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[Server]:
    found = Server(("127.0.0.1", 0), Handler)
    found.paths, found.keys = [], set()
    thread = threading.Thread(target=found.serve_forever, daemon=True)
    thread.start()
    yield found
    found.shutdown()
    found.server_close()


def test_a_load_run_counts_the_measured_requests_alone(server: Server, tmp_path: Path) -> None:
    ids = tmp_path / "ids"
    ids.write_text("7\n8\n\n")
    url = f"http://127.0.0.1:{server.server_address[1]}/v1/users/{{id}}/interests"
    env = {**os.environ, "INTERESTS_API_KEY": "secret"}
    figures = load_run(url, str(ids), env, 0.5, "test", clients=2, watch={"me": os.getpid()})
    assert figures["errors"] == 0 and figures["clients"] == 2
    # the warm-up's requests reached the server but are not counted
    assert 0 < figures["requests"] < len(server.paths)
    assert set(server.paths) == {"/v1/users/7/interests", "/v1/users/8/interests"}
    assert server.keys == {"Bearer secret"}
    assert figures["server_timing"]["read"] == {"p50_ms": 1.5, "p99_ms": 1.5}
    assert set(figures["cpu_ms_per_request"]) == {"me", "load"}
    assert "cpu_seconds" not in figures


def test_a_load_run_that_cannot_start_fails_loudly(tmp_path: Path) -> None:
    env = {**os.environ, "INTERESTS_API_KEY": "secret"}
    with pytest.raises(RuntimeError, match="no warm-up"):
        load_run("http://127.0.0.1:9/{id}", str(tmp_path / "missing"), env, 0.2, "test")
