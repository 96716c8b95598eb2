"""How the costs grow with the data: one run per size, one table (issue 16 §3).

    python -m bench.scale [DATA_DIR ...] [--epochs 1] [--rank-users 300]
                          [--seconds 10] [--clients 16] [--max-ratings N] [--scored N]
                          [--smoke]

Each DATA_DIR is a MovieLens-format folder (default ml-latest-small): ml-latest-small and the
folders that ``bench.generate ... --scale N`` writes from it, smallest first. For each, in
order, on a Neo4j of its own (a fresh store under ``var/bench-scale/``, the benchmarks' ports;
removed afterwards, so that its size is the data's alone):

1. ingestion: the movies as items, then the ratings as events through ``interests import events``
   (its own process, launch to exit, after a warm-up import of 5,000 events that is deleted);
2. training: one DistMult run of ``--epochs`` epochs (no validation check; the test scored on
   at most ``TrainingConfig.scored`` triples), the item-to-item model, the transition model and
   the write-back, each stage timed, the epochs apart from the test's evaluation (PyKEEN's own
   figures), and this process's peak resident memory over the run;
3. ranking ahead: the item-to-item table loaded once, then ``--rank-users`` users drawn with a
   seeded generator (and the heaviest) ranked ahead, timed per user (without the categories' top
   lists, which a refresh reads once whatever its users: timed apart);
4. queries: every class of ``bench.latency`` under ``--clients`` clients for ``--seconds`` each,
   over the users ranked ahead, then over the heaviest user; the service's peak memory;
5. the store's size on disk and Neo4j's peak resident memory over the whole size.

The goals it prints against (issue 16): each class's p99 at the largest size at most twice its
value at the first; ingestion's rate within 20% across sizes; training time linear in the
triples (seconds per million triples about constant).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from bench import latency
from bench.common import (
    BENCH_ENV,
    BENCH_PSEUDONYMS,
    ROOT,
    SHARED_DATA,
    PeakRss,
    bench_server,
    delete_all_users,
)
from bench.ingest import WARM_UP_EVENTS, bulk_import, write_events_csv
from embeddings import item_table, retraining, runs
from embeddings.training import TrainingConfig
from graph.ingest.importers import import_records, movielens_movies, movielens_ratings
from graph.ingest.records import EventIn, ItemIn
from graph.store import Graph, local_server
from service import precomputed, recommend

STORES = ROOT / "var" / "bench-scale"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[SHARED_DATA / "ml-latest-small"],
                        help="MovieLens-format folders, smallest first")  # fmt: skip
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--rank-users", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=10.0, help="per query class and group")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--max-ratings", type=int, default=None, help="the first N of each")
    parser.add_argument("--seed", type=int, default=1, help="draws the users ranked ahead")
    parser.add_argument("--scored", type=int, default=TrainingConfig.scored,
                        help="test triples the run scores (default: as shipped)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=None, help="the report as JSON")
    parser.add_argument("--smoke", action="store_true",
                        help="10,000 ratings, 20 users ranked, 0.5 s for the first class alone "
                             "(bench.latency --smoke runs them all)")  # fmt: skip
    args = parser.parse_args(argv)
    args.classes = latency.CLASSES
    if args.smoke:
        args.max_ratings, args.rank_users, args.seconds = 10_000, 20, 0.5
        args.classes = latency.CLASSES[:1]
    sizes = []
    for folder in args.folders:
        print(f"== {folder}", flush=True)
        sizes.append(measure_size(folder, args))
        if args.out:
            args.out.write_text(json.dumps({"benchmark": "scale", "sizes": sizes}, indent=1))
    print_table(sizes)
    print(json.dumps({"benchmark": "scale", "smoke": args.smoke, "sizes": sizes}))


def ratings_of(folder: Path, limit: int | None) -> Iterator[dict[str, Any]]:
    return islice(movielens_ratings(folder), limit)


def measure_size(folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Every figure of one data folder, on a fresh store (see the module's description)."""
    activity = Counter(row["user_id"] for row in ratings_of(folder, args.max_ratings))
    heaviest = max(activity, key=lambda user: (activity[user], user))
    store = STORES / folder.resolve().name
    shutil.rmtree(store, ignore_errors=True)
    env = {**BENCH_ENV, "INTERESTS_DATA_DIR": str(store)}
    found: dict[str, Any] = {
        "data": str(folder),
        "users": len(activity),
        "ratings": sum(activity.values()),
        "heaviest": {"user": heaviest, "ratings": activity[heaviest]},
    }
    try:
        with bench_server(env) as (server, conn, graph), tempfile.TemporaryDirectory() as tmp:
            neo4j_pid = local_server.status(server).pid or 0
            with PeakRss(neo4j=neo4j_pid) as neo4j_rss:
                found["ingest"] = ingest(graph, conn, folder, args.max_ratings, Path(tmp),
                                         neo4j_pid)  # fmt: skip
                found["training"] = train(graph, args.epochs, args.scored)
                ranked = draw_users(sorted(activity), args.rank_users, args.seed, heaviest)
                found["precompute"] = rank_ahead(graph, ranked)
                found.update(latency.measure(graph, conn, ranked, heaviest, args.seconds,
                                             args.clients, neo4j_pid,
                                             classes=args.classes))  # fmt: skip
            found["neo4j_peak_mib"] = round(neo4j_rss.mib("neo4j"))
        found["store_mib"] = round(size_of(store / "neo4j" / "data") / 2**20)
    finally:
        shutil.rmtree(store, ignore_errors=True)
    print(f"   {json.dumps(found)}", flush=True)
    return found


def ingest(
    graph: Graph, conn: Any, folder: Path, limit: int | None, tmp: Path, neo4j_pid: int
) -> dict[str, Any]:
    """The catalogue, then the ratings through the bulk path (after a warm-up, deleted)."""
    started = time.perf_counter()
    items = import_records(graph, ItemIn, lambda: movielens_movies(folder), progress=False)
    catalogue_s = time.perf_counter() - started
    warm_up = [{**r, "event_id": f"warm{n}"}
               for n, r in enumerate(ratings_of(folder, WARM_UP_EVENTS))]  # fmt: skip
    import_records(graph, EventIn, lambda: warm_up, row=BENCH_PSEUDONYMS.event_row, progress=False)
    delete_all_users(graph)
    path = tmp / "events.csv"
    count = write_events_csv(
        ({**r, "event_id": f"e{n}"} for n, r in enumerate(ratings_of(folder, limit))), path
    )
    bulk = bulk_import(conn, path, count, neo4j_pid)
    path.unlink()
    return {"items": items.records, "catalogue_s": round(catalogue_s, 1), **bulk}


def train(graph: Graph, epochs: int, scored: int) -> dict[str, Any]:
    """One DistMult run: seconds per stage, triples, epochs, peak memory of this process."""
    # no validation check (it comes every check_every epochs): one evaluation, the test's
    config = TrainingConfig(model="DistMult", epochs=epochs, check_every=epochs + 1, scored=scored)
    with PeakRss(python=os.getpid()) as rss:
        run = retraining.retrain(graph, config, quality_floor=0.0)
    if run.status != "finished":
        raise SystemExit(f"training did not finish: {run.status} {run.message}")
    triples = run.metrics["training_triples"]
    return {
        "seconds": {stage: round(s, 1) for stage, s in run.seconds.items()},
        "epochs": int(run.metrics["epochs"]),
        "training_triples": int(triples),
        "seconds_per_epoch": round(run.metrics["train_seconds"] / max(run.metrics["epochs"], 1), 1),
        "evaluate_seconds": round(run.metrics["evaluate_seconds"], 1),
        "similar_edges": int(run.metrics.get("similar_edges", 0)),
        "python_peak_mib": round(rss.mib("python")),
        "mrr": round(run.metrics["mrr"], 4),
    }


def draw_users(users: list[str], count: int, seed: int, heaviest: str) -> list[str]:
    """``count`` users drawn with ``seed``, and the heaviest among them."""
    drawn = random.Random(seed).sample(users, min(count, len(users)))
    return sorted({*drawn, heaviest})


def rank_ahead(graph: Graph, users: list[str]) -> dict[str, Any]:
    """The item-to-item table's load, then ``users`` ranked ahead: seconds per user."""
    serving = runs.serving(graph)
    assert serving is not None, "a run serves after training"
    started = time.perf_counter()
    item_table.TABLES.wait(graph, serving.run_id, serving.slot)
    table_s = time.perf_counter() - started
    started = time.perf_counter()
    recommend.fetch_category_tops(graph, precomputed.CATEGORY_DEPTH)
    tops_s = time.perf_counter() - started  # read once per refresh, whatever its users
    started = time.perf_counter()
    stored = precomputed.refresh(graph, user_ids=[BENCH_PSEUDONYMS.user(u) for u in users])
    seconds = time.perf_counter() - started
    return {
        "users": stored,
        "seconds": round(seconds, 1),
        "seconds_per_user": round(max(seconds - tops_s, 0.0) / max(stored, 1), 4),
        "category_tops_s": round(tops_s, 1),
        "item_table_load_s": round(table_s, 1),
    }


def size_of(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def print_table(sizes: list[dict[str, Any]]) -> None:
    """One column per size; then the goals, the first size against the last."""
    if not sizes:
        return
    names = [Path(s["data"]).name for s in sizes]
    rows: list[tuple[str, list[str]]] = [
        ("users / ratings", [f"{s['users']:,} / {s['ratings']:,}" for s in sizes]),
        ("ingest events/s", [f"{s['ingest']['events_per_s']:,.0f}" for s in sizes]),
        ("precompute s/user", [f"{s['precompute']['seconds_per_user']:.3f}" for s in sizes]),
        ("training s/epoch (training triples)",
         [f"{s['training']['seconds_per_epoch']} ({s['training']['training_triples']:,})"
          for s in sizes]),
        ("test's evaluation s", [f"{s['training']['evaluate_seconds']}" for s in sizes]),
        ("item model s", [f"{s['training']['seconds'].get('item_similarity', 0)}" for s in sizes]),
        ("this process's peak MiB (training)",
         [f"{s['training']['python_peak_mib']:,}" for s in sizes]),
        ("store MiB", [f"{s['store_mib']:,}" for s in sizes]),
        ("Neo4j / service peak MiB",
         [f"{s['neo4j_peak_mib']:,} / {s['service_peak_mib']:,}" for s in sizes]),
    ]  # fmt: skip
    for n, row in enumerate(sizes[0]["classes"]):
        for group in ("all", "heaviest"):
            label = f"{row['class']}, {'sample' if group == 'all' else 'heaviest'} p50/p99"
            cells = [f"{s['classes'][n][group]['p50_ms']} / {s['classes'][n][group]['p99_ms']}"
                     for s in sizes]  # fmt: skip
            rows.append((label, cells))
    print(f"\n{'':<52}" + "".join(f"{name:>24}" for name in names))
    for label, cells in rows:
        print(f"{label:<52}" + "".join(f"{cell:>24}" for cell in cells))
    first, last = sizes[0], sizes[-1]
    rates = [s["ingest"]["events_per_s"] for s in sizes]
    print(f"\ningest rate spread: {max(rates) / min(rates) - 1:.1%} (goal <= 20%)")
    per_million = [s["training"]["seconds_per_epoch"] / s["training"]["training_triples"] * 1e6
                   for s in sizes]  # fmt: skip
    print("training s/epoch per million triples: " + ", ".join(f"{x:.1f}" for x in per_million))
    for n, row in enumerate(first["classes"]):
        for group in ("all", "heaviest"):
            ratio = last["classes"][n][group]["p99_ms"] / first["classes"][n][group]["p99_ms"]
            print(f"p99 {names[-1]} / {names[0]}, {row['class']}, {group}: {ratio:.2f} (goal <= 2)")


if __name__ == "__main__":
    main()
