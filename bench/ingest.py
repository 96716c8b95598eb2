"""Ingestion benchmark: MovieLens ratings through the bulk path and the HTTP API.

    python -m bench.ingest [DATA_DIR] [--smoke] [--clients N]

DATA_DIR is a MovieLens-format folder (default ../shared/data/ml-latest-small). In one run, on the
benchmarks' own Neo4j (var/bench, Bolt 7689; wiped between measurements):

- baseline: the textbook one-statement MERGE import, one writer, datetimes sent as values;
- bulk path: ``interests import events FILE`` in its own process, on the ratings as an events CSV;
- HTTP API: ``POST /v1/events`` under gunicorn (2 workers × 4 threads), batches of 1,000 and 10,000,
  from ``--clients`` concurrent client threads in this process.

A warm-up import of a few thousand events precedes the measurements so that every path meets a
server whose query plans are compiled. Prints events/s, seconds and peak RSS (Python, Neo4j).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from itertools import islice
from pathlib import Path
from typing import Any

from bench.common import (
    BENCH_PSEUDONYMS,
    BENCH_SECRET,
    SHARED_DATA,
    PeakRss,
    api_server,
    bench_server,
    delete_all_users,
)
from graph.ingest.importers import import_records, movielens_movies, movielens_ratings
from graph.ingest.records import EventIn, ItemIn
from graph.ingest.writes import chunks
from graph.store import Graph, Tx, local_server

ROOT = Path(__file__).resolve().parents[1]
WARM_UP_EVENTS = 5_000
FIELDS = ["event_id", "user_id", "item_id", "kind", "value", "timestamp"]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=SHARED_DATA / "ml-latest-small")
    parser.add_argument("--smoke", action="store_true", help="a quick run on 6,000 ratings")
    parser.add_argument("--clients", type=int, default=2, help="concurrent API clients")
    args = parser.parse_args(argv)
    limit = 6_000 if args.smoke else None
    ratings = islice(movielens_ratings(args.data), limit)
    events = [{**rating, "event_id": f"e{n}"} for n, rating in enumerate(ratings)]
    print(f"data: {args.data} ({len(events):,} ratings)  cpus: {os.cpu_count()}")

    with bench_server() as (server, conn, graph), tempfile.TemporaryDirectory() as tmp:
        neo4j_pid = local_server.status(server).pid or 0
        import_records(graph, ItemIn, lambda: movielens_movies(args.data), progress=False)
        import_records(
            graph,
            EventIn,
            lambda: events[:WARM_UP_EVENTS],
            row=BENCH_PSEUDONYMS.event_row,
            progress=False,
        )
        delete_all_users(graph)

        results = [naive_baseline(graph, events, neo4j_pid)]
        delete_all_users(graph)
        results.append(bulk_path(conn, events, Path(tmp), neo4j_pid))
        for batch_size in (1_000, 10_000):
            delete_all_users(graph)
            results.append(api_path(graph, conn, events, batch_size, args.clients, neo4j_pid))
        delete_all_users(graph)

    print(
        f"{'path':<44} {'events':>8} {'seconds':>8} {'events/s':>9} {'py MiB':>7} {'neo4j MiB':>9}"
    )
    for r in results:
        print(
            f"{r['path']:<44} {r['events']:>8,} {r['seconds']:>8.2f} {r['events_per_s']:>9,.0f} "
            f"{r['python_peak_mib']:>7.0f} {r['neo4j_peak_mib']:>9.0f}"
        )
    print(json.dumps({"benchmark": "ingest", "smoke": args.smoke, "results": results}))


def naive_baseline(graph: Graph, events: list[dict[str, Any]], neo4j_pid: int) -> dict[str, Any]:
    """One MERGE statement per batch of 10,000, one writer (the textbook approach)."""
    rows = [
        {**e, "at": datetime.fromtimestamp(e["timestamp"], timezone.utc), "weight": 0.0}
        for e in events
    ]
    with PeakRss(python=os.getpid(), neo4j=neo4j_pid) as rss:
        started = time.perf_counter()
        for chunk in chunks(rows, 10_000):
            graph.transaction(naive_write, chunk)
        seconds = time.perf_counter() - started
    return result("baseline: one MERGE statement, 1 writer", len(events), seconds, rss)


def naive_write(tx: Tx, rows: Sequence[dict[str, Any]]) -> None:
    tx.run("bench/naive_merge_events", rows=rows).consume()


def bulk_path(conn: Any, events: list[dict[str, Any]], tmp: Path, neo4j_pid: int) -> dict[str, Any]:
    """``interests import events`` in its own process, timed from launch to exit."""
    path = tmp / "events.csv"
    write_events_csv(events, path)
    return bulk_import(conn, path, len(events), neo4j_pid)


def write_events_csv(events: Iterable[dict[str, Any]], path: Path) -> int:
    """The events as an events CSV (``FIELDS``); how many were written."""
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, FIELDS)
        writer.writeheader()
        for event in events:
            writer.writerow(event)
            count += 1
    return count


def bulk_import(conn: Any, path: Path, count: int, neo4j_pid: int) -> dict[str, Any]:
    """``interests import events PATH`` (``count`` new events) in its own process, under the
    benchmarks' pseudonym secret, timed from launch to exit."""
    env = {**os.environ, "NEO4J_URI": conn.uri, "NEO4J_PASSWORD": conn.password,
           "INTERESTS_SECRET": BENCH_SECRET}  # fmt: skip
    command = [sys.executable, "-m", "service.cli", "import", "events", str(path)]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    with PeakRss(python=process.pid, neo4j=neo4j_pid) as rss:
        output, _ = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode != 0 or f"{count} new" not in output:
        raise SystemExit(f"bulk import failed ({process.returncode}): {output}")
    return result("bulk: `interests import events` (process)", count, seconds, rss)


def api_path(
    graph: Graph,
    conn: Any,
    events: list[dict[str, Any]],
    batch_size: int,
    clients: int,
    neo4j_pid: int,
) -> dict[str, Any]:
    """POST /v1/events under gunicorn from ``clients`` threads, timed first send to last answer."""
    server = api_server(graph, conn, workers=2, threads=4)  # as measured before
    with server as (base, pid, headers):
        bodies = [json.dumps(list(chunk)).encode() for chunk in chunks(events, batch_size)]
        url = f"{base}/v1/events"
        with (
            PeakRss(python=pid, neo4j=neo4j_pid, trees=["python"]) as rss,
            ThreadPoolExecutor(clients) as pool,
        ):
            started = time.perf_counter()
            created = sum(pool.map(lambda body: post(url, body, headers)["created"], bodies))
            seconds = time.perf_counter() - started
    if created != len(events):
        raise SystemExit(f"the API created {created} of {len(events)} events")
    return result(
        f"api: POST /v1/events, batch {batch_size:,}, {clients} clients", len(events), seconds, rss
    )


def result(path: str, count: int, seconds: float, rss: PeakRss) -> dict[str, Any]:
    return {
        "path": path,
        "events": count,
        "seconds": round(seconds, 3),
        "events_per_s": round(count / seconds),
        "python_peak_mib": round(rss.mib("python"), 1),
        "neo4j_peak_mib": round(rss.mib("neo4j"), 1),
    }


def post(url: str, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    headers = {"Content-Type": "application/json", **headers}
    request = urllib.request.Request(url, body, headers, method="POST")
    with urllib.request.urlopen(request, timeout=120) as answer:
        return json.load(answer)


if __name__ == "__main__":
    main()
