"""Every query class's latency under load, as ``interests serve`` runs the API (issue 16 §1).

    python -m bench.latency [ML_DIR] [--seconds 20] [--clients 16] [--epochs 10] [--smoke]

On the benchmarks' Neo4j: the ratings imported as the demo imports them (events; the movies as
items; no tags), one training run (``--model``, at most ``--epochs`` epochs, no quality floor:
the item-to-item model and the popularity lists come with it) and the rankings computed ahead
(``interests precompute``, timed per user). Then the API under gunicorn with the serving default,
and ``bench/load.py`` in a second process (``--clients`` clients) on each query class in turn
for ``--seconds``: first over every user, then over the heaviest user alone. The classes:
recommendations answered from the ranking computed ahead (then also from one client, with the
policy's share of the server's time), ranked live (``as_of`` given), live with explanations,
the profile (``/interests``), its timeline, the shifts and the forecast. Goals (issue 16): p99
<= 100 ms for the live rankings and the forecast, <= 50 ms for the rest.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import (
    BENCH_PSEUDONYMS,
    SHARED_DATA,
    SMOKE_SCORED,
    PeakRss,
    api_server,
    bench_server,
    delete_all_users,
    load_run,
    settle,
)
from embeddings import retraining
from embeddings.training import TrainingConfig
from graph.ingest import importers
from graph.store import local_server
from service import precomputed

LATER = "as_of=2100-01-01T00:00:00Z"
#: name, path and query under /v1/users/{id}, goal for p99 in ms
CLASSES = (
    ("recommendations, ranked ahead", "recommendations?k=10", 50),
    ("recommendations, live", f"recommendations?k=10&{LATER}", 100),
    ("recommendations, live, explained", f"recommendations?k=10&explain=true&{LATER}", 100),
    ("profile", "interests", 50),
    ("timeline", "interests/timeline", 50),
    ("shifts", "shifts", 50),
    ("forecast", "interests/forecast", 100),
)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("movielens", nargs="?", type=Path, default=SHARED_DATA / "ml-latest-small")
    parser.add_argument("--seconds", type=float, default=20.0, help="per query class and group")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--model", default="DistMult")
    parser.add_argument("--smoke", action="store_true", help="10,000 ratings, 2 epochs, 0.5 s each")
    args = parser.parse_args(argv)
    max_ratings = 10_000 if args.smoke else None
    seconds = 0.5 if args.smoke else args.seconds
    epochs = 2 if args.smoke else args.epochs
    scored = SMOKE_SCORED if args.smoke else TrainingConfig.scored
    config = TrainingConfig(
        model=args.model, epochs=epochs, check_every=min(10, epochs), scored=scored
    )
    ratings = Counter(
        row["user_id"]
        for row in _first(importers.movielens_ratings(args.movielens), max_ratings)
    )  # fmt: skip
    heaviest = max(ratings, key=lambda user: (ratings[user], user))
    report: dict[str, Any] = {
        "benchmark": "latency",
        "smoke": args.smoke,
        "users": len(ratings),
        "heaviest": {"user": heaviest, "ratings": ratings[heaviest]},
    }
    with bench_server() as (server, conn, graph):
        delete_all_users(graph)
        importers.import_movielens(graph, args.movielens, BENCH_PSEUDONYMS, max_ratings=max_ratings,
                                   progress=False)  # fmt: skip
        run = retraining.retrain(graph, config, quality_floor=0.0)
        report["training"] = {"status": run.status, "seconds": run.seconds}
        started = time.perf_counter()
        ranked = precomputed.refresh(graph)
        report["precompute"] = {"users": ranked, "seconds": time.perf_counter() - started}
        print(f"{len(ratings)} users ({heaviest} the heaviest, {ratings[heaviest]} ratings); "
              f"trained in {sum(run.seconds.values()):.0f} s; ranked {ranked} users ahead in "
              f"{report['precompute']['seconds']:.1f} s", flush=True)  # fmt: skip
        neo4j_pid = local_server.status(server).pid
        report.update(measure(graph, conn, sorted(ratings), heaviest, seconds, args.clients,
                              neo4j_pid))  # fmt: skip
        delete_all_users(graph)
    print_table(report["classes"], heaviest, ratings[heaviest], args.clients)
    alone = report["ranked_ahead_one_client"]
    choose = alone.get("server_timing", {}).get("choose", {})
    print(f"ranked ahead, one client: p50 / p99 {alone['p50_ms']} / {alone['p99_ms']} ms; the "
          f"policy's choice within it {choose.get('p50_ms', float('nan')):.2f} / "
          f"{choose.get('p99_ms', float('nan')):.2f} ms (goal: adds <= 5 ms at p99)")  # fmt: skip
    print(json.dumps(report))


def measure(
    graph: Any,
    conn: Any,
    users: list[str],
    heaviest: str,
    seconds: float,
    clients: int,
    neo4j_pid: int | None = None,
    *,
    classes: Sequence[tuple[str, str, int]] = CLASSES,
) -> dict[str, Any]:
    """Each of ``classes`` under load over ``users``, then over the heaviest: ``classes`` (a row
    each, with the CPU time per request of the service, Neo4j when its pid is given, and the
    load), the rankings computed ahead from one client alone, and the service's peak resident
    memory (gunicorn and its workers) in MiB."""
    folder = Path(tempfile.mkdtemp(prefix="bench-latency-"))
    (folder / "all").write_text("\n".join(users))
    (folder / "heaviest").write_text(heaviest)
    found = []
    with (
        api_server(graph, conn) as (base, pid, headers),
        PeakRss(trees=["service"], service=pid) as rss,
    ):
        env = {**os.environ, "INTERESTS_API_KEY": headers["Authorization"].removeprefix("Bearer ")}
        watch = {"service": pid, **({"neo4j": neo4j_pid} if neo4j_pid else {})}
        waited = settle(watch)  # the workers load the item-to-item table as they start
        print(f"the service settled {waited:.0f} s after it started", flush=True)
        for name, path, goal in classes:
            row: dict[str, Any] = {"class": name, "goal_p99_ms": goal}
            for group in ("all", "heaviest"):
                url = f"{base}/v1/users/{{id}}/{path}"
                row[group] = load_run(url, str(folder / group), env, seconds, f"{name}, {group}",
                                      clients=clients, goal_ms=goal, watch=watch)  # fmt: skip
            found.append(row)
        # an answer's own time without queueing, and the policy's part of it
        url = f"{base}/v1/users/{{id}}/{CLASSES[0][1]}"
        alone = load_run(url, str(folder / "all"), env, seconds, f"{CLASSES[0][0]}, one client",
                         clients=1, goal_ms=CLASSES[0][2], watch=watch)  # fmt: skip
    for file in folder.iterdir():
        file.unlink()
    folder.rmdir()
    return {"classes": found, "ranked_ahead_one_client": alone,
            "service_peak_mib": round(rss.mib("service"))}  # fmt: skip


def print_table(rows: list[dict[str, Any]], heaviest: str, events: int, clients: int) -> None:
    print(f"\n{clients} clients; p50 / p99 in ms (requests/s); heaviest: user {heaviest}, "
          f"{events} ratings")  # fmt: skip
    print(f"{'class':<34} {'every user':>24} {'heaviest user':>24} {'goal p99':>8}")
    for row in rows:
        cells = [
            f"{f['p50_ms']} / {f['p99_ms']} ({f['per_second']:.0f})"
            + (f" {f['errors']} errors" if f["errors"] else "")
            for f in (row["all"], row["heaviest"])
        ]
        print(f"{row['class']:<34} {cells[0]:>24} {cells[1]:>24} {row['goal_p99_ms']:>8}")


def _first(rows: Any, count: int | None) -> Any:
    for n, row in enumerate(rows):
        if count is not None and n >= count:
            return
        yield row


if __name__ == "__main__":
    main()
