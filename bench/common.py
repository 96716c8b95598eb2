"""What the benchmarks share: their own Neo4j server, memory sampling, argument defaults."""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil

from graph.access import api_keys
from graph.ingest.importers import NO_GENRE
from graph.privacy import pseudonyms
from graph.store import Graph, local_server
from graph.store.config import Connection, LocalServer, connection
from graph.store.config import local_server as local_settings
from graph.store.schema import apply_schema
from service.cli_support import THREADS, WORKERS, gunicorn_command

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
#: The benchmarks' own Neo4j; ``INTERESTS_BENCH_*`` move it (two checkouts benchmarking at once).
BENCH_ENV = {
    "INTERESTS_DATA_DIR": os.environ.get("INTERESTS_BENCH_DATA_DIR", str(ROOT / "var" / "bench")),
    "INTERESTS_BOLT_PORT": os.environ.get("INTERESTS_BENCH_BOLT_PORT", "7689"),
    "INTERESTS_HTTP_PORT": os.environ.get("INTERESTS_BENCH_HTTP_PORT", "7476"),
}
#: Triples a smoke run's training scores (``TrainingConfig.scored``): PyKEEN ranks each against
#: every entity, which dominates a smoke run otherwise; full runs score as shipped.
SMOKE_SCORED = 300
#: The benchmarks' pseudonym secret (``var/bench/secret``): their importers and APIs agree.
BENCH_SECRET = pseudonyms.secret(BENCH_ENV)
BENCH_PSEUDONYMS = pseudonyms.Pseudonyms(BENCH_SECRET)


@contextmanager
def bench_server(
    env: Mapping[str, str] = BENCH_ENV,
) -> Iterator[tuple[LocalServer, Connection, Graph]]:
    """The benchmarks' own local Neo4j (never the demo's or NEO4J_URI's: benchmarks wipe it), and
    the one ``Graph`` over it that the benchmark passes down; ``env`` may move its data folder."""
    server = local_settings(env)
    started_here = not local_server.status(server).running
    local_server.start(server, password=os.environ.get("NEO4J_PASSWORD"))
    conn = connection(env)
    graph = Graph.connect(conn, retry_time_s=30)
    try:
        apply_schema(graph)
        yield server, conn, graph
    finally:
        graph.close()
        if started_here:
            local_server.stop(server)


@contextmanager
def api_server(
    graph: Graph, conn: Connection, *, workers: int = WORKERS, threads: int = THREADS
) -> Iterator[tuple[str, int, dict[str, str]]]:
    """The API under gunicorn on a free port, against ``conn`` (which ``graph`` reaches), as
    ``interests serve`` runs it unless told otherwise: (base URL, gunicorn's pid, the headers that
    authorise a request). Rate limits are lifted: the benchmarks measure the rest."""
    port = free_port()
    env = {**os.environ, "NEO4J_URI": conn.uri, "NEO4J_PASSWORD": conn.password,
           "INTERESTS_SECRET": BENCH_SECRET,
           "INTERESTS_RATELIMIT_DEFAULT": "1000000 per minute"}  # fmt: skip
    key, token = api_keys.create(graph, "bench", ["admin"])
    command = gunicorn_command(
        "127.0.0.1", port, workers=workers, threads=threads, access_log=False
    )
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    try:
        wait_for(f"http://127.0.0.1:{port}/health")
        yield f"http://127.0.0.1:{port}", server.pid, {"Authorization": f"Bearer {token}"}
    finally:
        server.terminate()
        server.wait(timeout=30)


def load_run(
    url: str,
    ids: str,
    env: dict[str, str],
    seconds: float,
    what: str,
    *,
    clients: int = 16,
    goal_ms: float = 100,
    watch: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """``bench/load.py`` in a second process on ``url`` (holding ``{id}``, filled from the file
    ``ids``) after its warm-up from two clients (3 seconds, or ``seconds`` if shorter): its
    figures, printed in a line, with the CPU time per request of each process tree in ``watch``
    (name: pid) and of the load itself, over the measured run alone."""
    warm_up = str(min(3.0, seconds))
    command = [sys.executable, "-m", "bench.load", url, ids, "--clients", str(clients),
               "--seconds", str(seconds), "--warm-up", warm_up, "--hold"]  # fmt: skip
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                          env=env) as load:  # fmt: skip
        assert load.stdin is not None and load.stdout is not None
        if load.stdout.readline().strip() != "warmed up":
            raise RuntimeError(f"bench.load {url}: no warm-up (exit {load.wait()})")
        before = {name: cpu_seconds(pid) for name, pid in (watch or {}).items()}
        load.stdin.write("go\n")
        load.stdin.flush()
        out = load.stdout.read()
        if load.wait() != 0:
            raise subprocess.CalledProcessError(load.returncode, command, out)
    spent = {name: cpu_seconds(pid) - before[name] for name, pid in (watch or {}).items()}
    figures: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    spent["load"] = figures.pop("cpu_seconds")
    requests = max(figures["requests"], 1)
    figures["cpu_ms_per_request"] = {
        name: round(used * 1000 / requests, 2) for name, used in spent.items()
    }
    cpu = ", ".join(f"{name} {ms}" for name, ms in figures["cpu_ms_per_request"].items())
    print(f"latency, {what}, {clients} client(s), "
          f"{figures['requests']} requests, {figures['errors']} errors: p50 {figures['p50_ms']} "
          f"ms, p99 {figures['p99_ms']} ms, {figures['per_second']} requests/s "
          f"(goal p99 <= {goal_ms:g} ms); CPU ms per request: {cpu}", flush=True)  # fmt: skip
    if figures.get("server_timing"):
        parts = ", ".join(f"{name} {t['p50_ms']:.2f} / {t['p99_ms']:.2f}"
                          for name, t in figures["server_timing"].items())  # fmt: skip
        print(f"  server time p50 / p99 ms: {parts}", flush=True)
    return figures


def settle(pids: Mapping[str, int], *, idle: float = 0.1, timeout_s: float = 300) -> float:
    """Wait until the process trees ``pids`` use less than ``idle`` of a core between two
    samples a second apart (a fresh server's workers load what they hold in the background);
    return the seconds waited. Gives up after ``timeout_s``."""
    started = time.monotonic()
    before = sum(cpu_seconds(pid) for pid in pids.values())
    while time.monotonic() - started < timeout_s:
        time.sleep(1.0)
        now = sum(cpu_seconds(pid) for pid in pids.values())
        if now - before < idle:
            break
        before = now
    return time.monotonic() - started


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a process and its children (0 once it is gone)."""
    total = 0.0
    for p in _family(pid, with_children=True):
        try:
            times = p.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def http(
    method: str, url: str, headers: dict[str, str], body: Any = None, *, timeout_s: float = 120
) -> tuple[int, bytes]:
    """One request (a JSON body when given): the status and the answer's bytes, 4xx/5xx too."""
    data = None if body is None else json.dumps(body).encode()
    sent = {**headers, **({"Content-Type": "application/json"} if data is not None else {})}
    request = urllib.request.Request(url, data, sent, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_for(url: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout_s:.0f} s")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


Rating = tuple[int, int, float]  # MovieLens: timestamp, movie id, rating


def read_movies(folder: Path) -> tuple[dict[int, str], dict[int, list[str]]]:
    """``movies.csv``: titles and genres by movie id (no genre for "(no genres listed)")."""
    titles: dict[int, str] = {}
    genres: dict[int, list[str]] = {}
    with (folder / "movies.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            titles[int(row["movieId"])] = row["title"]
            genres[int(row["movieId"])] = [g for g in row["genres"].split("|") if g != NO_GENRE]
    return titles, genres


def read_ratings(folder: Path) -> dict[str, list[Rating]]:
    """``ratings.csv`` by user id, each user's ratings by time, ties by movie id."""
    ratings: dict[str, list[Rating]] = defaultdict(list)
    with (folder / "ratings.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            ratings[row["userId"]].append(
                (int(row["timestamp"]), int(row["movieId"]), float(row["rating"]))
            )
    for events in ratings.values():
        events.sort(key=lambda e: (e[0], e[1]))
    return dict(ratings)


def delete_all_users(graph: Graph) -> None:
    """Every user with their edges, in batches small enough for Neo4j's transaction memory."""
    while True:
        records = graph.write("admin/delete_some_events", limit=20_000)
        if not records[0]["deleted"]:
            break
    graph.run("admin/delete_all_users")
    time.sleep(2)  # let Neo4j settle after the mass delete before the next measurement


def delete_all_interests(graph: Graph) -> None:
    graph.run("admin/delete_all_interests")


class PeakRss:
    """Samples the resident memory of processes every 50 ms; ``trees`` names those whose children
    count too (gunicorn's workers)."""

    def __init__(self, *, trees: Sequence[str] = (), **pids: int) -> None:
        self.pids = pids
        self.trees = set(trees)
        self.peak = dict.fromkeys(pids, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, pid in self.pids.items():
                self.peak[name] = max(self.peak[name], _rss(pid, name in self.trees))
            time.sleep(0.05)

    def mib(self, name: str) -> float:
        return self.peak[name] / 2**20


def _rss(pid: int, with_children: bool) -> int:
    try:
        return sum(p.memory_info().rss for p in _family(pid, with_children=with_children))
    except psutil.Error:
        return 0


def _family(pid: int, *, with_children: bool) -> list[psutil.Process]:
    """The process and, when asked, its children; empty once it is gone."""
    try:
        process = psutil.Process(pid)
        return [process, *process.children(recursive=True)] if with_children else [process]
    except psutil.Error:
        return []
