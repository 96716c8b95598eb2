"""Recommendations against MostPop, ItemKNN and EASE on one split; training cost; API latency.

    python -m bench.recommend [ML_DIR] [--smoke] [--model M] [--models TransE,DistMult,...]

Protocol (ml-latest-small): every rating is an interaction; per user the oldest ceil(80%) by time
(ties by item id) train and the rest are held out; positives are held-out ratings >= 4;
candidates are the training part's items the user has not interacted with; Recall@10, NDCG@10
and HR@10 over users with a positive. The baselines rank from the same binary training matrix.

Ours runs the service's own code (``service.recommend``) on the benchmarks' Neo4j. The blend
weights are chosen on a validation split (the last 20% of each user's training part, with the
graph and the embeddings built from the first 80% only), then the graph is loaded with the whole
training part, the embeddings retrained, and the test split scored once. That run also makes
the choice every training run makes (``service.blend_tuning``: history setting and blend, on
its own split of the graph it is given); the test split is scored with that choice too, and its
difference from the defaults is given with a bootstrap interval over users. The history weights of
the item-to-item source (half-life and floor) are compared on the same validation split first,
with the service's own model and weighting functions scored in memory.

Also: the link-prediction quality (MRR, Hits@10) and training time of each model asked for, on
the training graph; export and write-back time against training time; and the latency of
``GET /v1/users/{id}/recommendations`` under gunicorn with 16 concurrent clients in a second
process (``bench/load.py``): ranked live, then from rankings computed ahead (``interests
precompute``), with the time the refresh took.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import baselines, item_models
from bench.baselines import Rating, metrics, positives, split_all
from bench.common import (
    BENCH_PSEUDONYMS,
    SHARED_DATA,
    SMOKE_SCORED,
    api_server,
    bench_server,
    delete_all_users,
    load_run,
    read_movies,
    read_ratings,
)
from bench.intervals import mean_and_interval
from embeddings import item_model, item_similarity, retraining, runs
from embeddings.training import TrainingConfig, export_triples, train
from graph.ingest import importers
from graph.ingest.records import EventIn, ItemIn
from graph.store import Graph
from service import blend_tuning, precomputed, recommend
from service.cli_support import THREADS, WORKERS
from service.recommend import BlendWeights, Gathered

FUTURE = datetime(2100, 1, 1, tzinfo=UTC)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("movielens", nargs="?", type=Path, default=SHARED_DATA / "ml-latest-small")
    parser.add_argument("--smoke", action="store_true", help="60 users, few epochs, short load")
    parser.add_argument("--models", default="TransE,DistMult,ComplEx,RotatE",
                        help="models compared on link prediction ('' for none)")  # fmt: skip
    parser.add_argument("--model", default=TrainingConfig.model, help="the model ours uses")
    args = parser.parse_args(argv)
    titles, genres, ratings = read(args.movielens, max_users=60 if args.smoke else None)
    config = TrainingConfig(model=args.model)
    if args.smoke:
        config = TrainingConfig(model=args.model, epochs=6, check_every=3, scored=SMOKE_SCORED)
    train_part, test_part = split_all(ratings)
    inner, valid = split_all(train_part)
    report: dict[str, Any] = {"benchmark": "recommend", "smoke": args.smoke}

    matrix = baselines.Matrix(train_part)
    test_positives = positives(matrix, test_part)
    print(f"{len(test_positives)} users with a held-out positive, {len(matrix.items)} items")
    results = {}
    for name, make in (("MostPop", baselines.most_popular), ("ItemKNN (cosine)",
                       baselines.item_knn), ("EASE (lambda 200)", baselines.ease)):  # fmt: skip
        ranker = make(matrix, 10)
        results[name] = baselines.mean(
            metrics(ranker(matrix.user_row[u]), p) for u, p in test_positives.items()
        )
    report["history_sweep"] = sweep_history(inner, valid)
    with bench_server() as (_, conn, graph):
        weights, validation = tune(graph, config, titles, genres, inner, valid)
        report["validation"] = validation
        print(f"blend chosen on validation: {weights}")
        load_graph(graph, titles, genres, train_part)
        run = retraining.retrain(graph, config, quality_floor=0.0, choose_blend=blend_tuning.choose)
        report["training"] = {"status": run.status, "metrics": run.metrics, "seconds": run.seconds,
                              "blend": run.blend}  # fmt: skip
        if run.blend is not None:
            print(f"blend the run chose on its own validation split: {run.blend}")
        served = runs.serving(graph)
        started = time.perf_counter()
        gathered = gather_all(graph, list(test_positives), served)
        report["gather_seconds_per_user"] = (time.perf_counter() - started) / len(gathered)
        chosen = recommend.serving_weights(served)
        results[f"ours ({config.model}, the run's choice)"] = score(
            gathered, matrix, test_positives, chosen
        )
        # the defaults: the default blend, and histories weighed as by default
        plain = served if served is None or served.blend is None else replace(served, blend=None)
        by_default = gathered if plain is served else gather_all(graph, list(test_positives), plain)
        gap = paired_difference(
            (gathered, chosen), (by_default, recommend.DEFAULT_WEIGHTS), matrix, test_positives
        )
        report["run_choice_minus_defaults"] = gap
        print(f"the run's choice minus the defaults, NDCG@10 on test: {gap['mean']:+.4f} "
              f"(95% interval {gap['ci95'][0]:+.4f} to {gap['ci95'][1]:+.4f})")  # fmt: skip
        results[f"ours ({config.model}, tuned blend)"] = score(
            by_default, matrix, test_positives, weights
        )
        results[f"ours ({config.model}, default blend)"] = score(
            by_default, matrix, test_positives, recommend.DEFAULT_WEIGHTS
        )
        if args.models:
            report["models"] = compare_models(graph, args.models.split(","), config)
        load_seconds = 0.5 if args.smoke else 30
        report["latency"] = latency(graph, conn, list(test_positives), seconds=load_seconds)
        delete_all_users(graph)
    report["results"] = results
    print(f"{'method':<34} {'Recall@10':>9} {'NDCG@10':>8} {'HR@10':>6}")
    for name, values in results.items():
        print(f"{name:<34} {values['recall@10']:>9.4f} {values['ndcg@10']:>8.4f} "
              f"{values['hr@10']:>6.4f}")  # fmt: skip
    seconds = run.seconds
    training = sum(seconds.get(stage, 0) for stage in ("training", "item_similarity", "transition"))
    share = (seconds.get("export", 0) + seconds.get("write_back", 0)) / training
    print(f"training {training:.1f} s (PyKEEN {seconds['training']:.1f} s, "
          f"{run.metrics.get('epochs', 0):.0f} epochs; item-to-item model "
          f"{seconds.get('item_similarity', 0):.1f} s; transition model "
          f"{seconds.get('transition', 0):.1f} s), export {seconds.get('export', 0):.1f} s, "
          f"write-back {seconds.get('write_back', 0):.1f} s: {share:.0%} of training "
          "(goal <= 20%)")  # fmt: skip
    print(json.dumps(report))


def read(
    folder: Path, *, max_users: int | None
) -> tuple[dict[int, str], dict[int, list[str]], dict[str, list[Rating]]]:
    titles, genres = read_movies(folder)
    ratings = read_ratings(folder)
    users = sorted(ratings, key=int)[:max_users]
    return titles, genres, {u: ratings[u] for u in users}


def load_graph(
    graph: Graph,
    titles: dict[int, str],
    genres: dict[int, list[str]],
    part: dict[str, list[Rating]],
) -> None:
    """Replace the users with ``part``'s; its items as the catalogue."""
    delete_all_users(graph)
    movies = sorted({m for events in part.values() for _, m, _ in events})
    items = [{"id": str(m), "title": titles[m], "categories": genres[m]} for m in movies]
    events = [
        {"user_id": u, "item_id": str(m), "kind": "rate",
         "value": r, "timestamp": t}
        for u, rows in part.items() for t, m, r in rows
    ]  # fmt: skip
    importers.import_records(graph, ItemIn, lambda: items, progress=False)
    importers.import_records(
        graph, EventIn, lambda: events, row=BENCH_PSEUDONYMS.event_row, progress=False
    )


def sweep_history(
    inner: dict[str, list[Rating]], valid: dict[str, list[Rating]]
) -> dict[str, float]:
    """NDCG@10 of the item-to-item source alone on the validation split, per history half-life
    and floor: ``item_similarity.fit`` and ``history_weights`` as the service runs them, the
    walk over the kept edges done in memory instead of in Cypher."""
    matrix = baselines.Matrix(inner)
    wanted = positives(matrix, valid)
    strength = item_models.strengths(inner)
    neighbours = item_similarity.fit(item_models.liked_pairs(strength))
    col = {str(m): j for m, j in matrix.item_col.items()}
    model = item_models.neighbour_matrix(neighbours, col)
    found: dict[str, float] = {}
    for half_life, floor in itertools.product((2.0, 4.0, 8.0, 16.0), (0.0, 0.05, 0.1, 0.2)):
        walked = item_models.walk_metrics(
            model, matrix, wanted, strength, half_life=half_life, floor=floor
        )
        found[f"half-life {half_life:g}, floor {floor:g}"] = walked["ndcg@10"]
    best = max(found, key=found.__getitem__)
    ours = f"half-life {item_model.HISTORY_HALF_LIFE:g}, floor {item_model.HISTORY_FLOOR:g}"
    print(f"item-to-item source alone on validation: best {best} (NDCG@10 {found[best]:.4f}); "
          f"the service's {ours}: {found[ours]:.4f}")  # fmt: skip
    return found


def gather_all(
    graph: Graph, users: Sequence[str], serving: runs.Serving | None = None
) -> dict[str, Gathered]:
    """Every user's candidates with the served run (or ``serving``)."""
    return {
        u: recommend.gather(graph, BENCH_PSEUDONYMS.user(u), as_of=FUTURE, serving=serving)
        for u in users
    }


def score(
    gathered: dict[str, Gathered],
    matrix: baselines.Matrix,
    wanted: dict[str, set[int]],
    weights: BlendWeights,
) -> dict[str, float]:
    return baselines.mean(per_user(gathered, matrix, wanted, weights))


def per_user(
    gathered: dict[str, Gathered],
    matrix: baselines.Matrix,
    wanted: dict[str, set[int]],
    weights: BlendWeights,
) -> list[dict[str, float]]:
    rows = []
    for user, found in wanted.items():
        chosen = recommend.rank(gathered[user], 10, weights)
        columns = [matrix.item_col.get(int(c.item), -(10**9)) for c in chosen]
        rows.append(metrics(columns, found))
    return rows


def paired_difference(
    ours: tuple[dict[str, Gathered], BlendWeights],
    theirs: tuple[dict[str, Gathered], BlendWeights],
    matrix: baselines.Matrix,
    wanted: dict[str, set[int]],
) -> dict[str, Any]:
    """NDCG@10 of ``ours`` (candidates and blend) minus that of ``theirs``, user by user: the
    mean and its bootstrap 95% interval over users."""
    a = per_user(ours[0], matrix, wanted, ours[1])
    b = per_user(theirs[0], matrix, wanted, theirs[1])
    gaps = [x["ndcg@10"] - y["ndcg@10"] for x, y in zip(a, b, strict=True)]
    return mean_and_interval(gaps, seed=1)


def tune(
    graph: Graph,
    config: TrainingConfig,
    titles: dict[int, str],
    genres: dict[int, list[str]],
    inner: dict[str, list[Rating]],
    valid: dict[str, list[Rating]],
) -> tuple[BlendWeights, dict[str, Any]]:
    """The blend chosen on the benchmark's validation split: the service's search
    (``service.blend_tuning.search``) over the graph and embeddings of the inner part."""
    load_graph(graph, titles, genres, inner)
    run = retraining.retrain(graph, config, quality_floor=0.0)
    matrix = baselines.Matrix(inner)
    wanted = positives(matrix, valid)
    gathered = gather_all(graph, list(wanted))
    ids = {user: {movie_id(matrix, col) for col in cols} for user, cols in wanted.items()}
    choice = blend_tuning.search(gathered, ids)
    print(f"validation: {choice.tried} blends, best NDCG@10 {choice.ndcg:.4f}, "
          f"default {choice.default_ndcg:.4f}")  # fmt: skip
    return choice.weights, {"run": run.status, "weights": asdict(choice.weights),
                            "ndcg": choice.ndcg, "default_ndcg": choice.default_ndcg,
                            "users": choice.users, "tried": choice.tried}  # fmt: skip


def movie_id(matrix: baselines.Matrix, col: int) -> str:
    """The item id of a column of ``positives`` (a negative column is an item unseen in
    training: ``-1 - movie``)."""
    return str(matrix.items[col] if col >= 0 else -1 - col)


def compare_models(graph: Graph, models: list[str], config: TrainingConfig) -> dict[str, Any]:
    """Link prediction on the loaded training graph, one training per model, same split."""
    triples = export_triples(graph)
    found = {}
    for model in models:
        trained = train(triples, TrainingConfig(**{**config.as_dict(), "model": model}))
        found[model] = {**trained.metrics, "epochs": trained.epochs, "seconds": trained.seconds,
                        "device": trained.device}  # fmt: skip
        print(f"{model:<9} MRR {trained.metrics['mrr']:.4f}  Hits@10 "
              f"{trained.metrics['hits_at_10']:.4f}  {trained.epochs} epochs, "
              f"{trained.seconds:.1f} s on {trained.device}")  # fmt: skip
    return found


def latency(graph: Graph, conn: Any, users: list[str], *, seconds: float) -> dict[str, Any]:
    """The recommendations endpoint under 16 clients of a second process, gunicorn as ``interests
    serve`` runs it: ranked live (``as_of`` given), then answered from rankings computed ahead
    (``service.precomputed``; no ``as_of``), also from one client (an answer's own time, without
    queueing behind others on the two cores); the latter again under 2 workers × 4 threads (the
    earlier default) for comparison."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as ids:
        ids.write("\n".join(users))
    found: dict[str, Any] = {}
    with api_server(graph, conn) as (base, _, headers):
        env = {**os.environ, "INTERESTS_API_KEY": headers["Authorization"].removeprefix("Bearer ")}
        url = f"{base}/v1/users/{{id}}/recommendations?k=10"
        live = f"{url}&as_of=2100-01-01T00:00:00Z"
        found["live"] = load_run(live, ids.name, env, seconds, "live")
        started = time.perf_counter()
        count = precomputed.refresh(graph)
        found["refresh"] = {"users": count, "seconds": time.perf_counter() - started}
        print(f"precomputed {count} users in {found['refresh']['seconds']:.1f} s")
        found["precomputed"] = load_run(
            url, ids.name, env, seconds, f"precomputed, {WORKERS} workers × {THREADS} thread(s)"
        )
        found["precomputed_1_client"] = load_run(
            url, ids.name, env, seconds, "precomputed, one client", clients=1
        )
    with api_server(graph, conn, workers=2, threads=4) as (base, _, headers):
        env = {**os.environ, "INTERESTS_API_KEY": headers["Authorization"].removeprefix("Bearer ")}
        url = f"{base}/v1/users/{{id}}/recommendations?k=10"
        found["precomputed_2x4"] = load_run(
            url, ids.name, env, seconds, "precomputed, 2 workers × 4 threads"
        )
    Path(ids.name).unlink()
    return found


if __name__ == "__main__":
    main()
