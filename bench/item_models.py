"""The item-to-item model: EASE against item-item neighbourhoods that scale; their cost by size.

    python -m bench.item_models [ML_DIR] [--scaled DIR ...] [--users N] [--seed S] [--smoke]

Protocol: ``bench.recommend``'s split (per user the oldest ceil(80%) of the ratings by time train,
the rest are held out; positives are held-out ratings >= 4; candidates are the training part's
items the user has not interacted with). Each model is fit by ``embeddings.item_similarity.fit``
as the service runs it (on the positive interactions), and its kept neighbours are walked from the
user's history with the service's history weights (``embeddings.item_model.history_weights``),
in memory; NDCG@10, Recall@10 and HR@10 over users with a held-out positive.

1. Choice, on the validation split (the last 20% of each user's training part, the model fit on
   the first 80%): the neighbourhood's weighting (BM25 over a grid of k1 and b, TF-IDF, cosine).
   The best is compared with ``ItemSimilarityConfig``'s defaults, which it should equal.
2. Test, same run: EASE (what the service fits up to ``max_items`` items), the neighbourhood with
   the shipped settings (what it fits above), and MostPop.
3. Cost, on ML_DIR and each ``--scaled`` folder (for example ``bench.generate``'s 10x and 50x):
   the test NDCG@10 of the model the service fits at that size and of EASE on the 12,000 most
   popular items (the model before the switch), each with its fit time and the peak memory the
   fit added (the fresh process's resident memory, sampled every 50 ms during the fit, above
   what it held before it).
   Above ``--users`` users, a seeded sample of them is scored.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np
import psutil
from scipy import sparse

from bench import baselines
from bench.baselines import Rating, metrics, positives, split_all
from bench.common import SHARED_DATA, PeakRss, read_ratings
from embeddings import item_model, item_similarity
from embeddings.item_similarity import ItemSimilarityConfig, Neighbours
from graph.ingest.signals import interaction_weight

K1_GRID = (0.6, 1.2, 2.0, 4.0)
B_GRID = (0.0, 0.05, 0.1, 0.25, 0.5, 1.0)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("movielens", nargs="?", type=Path, default=SHARED_DATA / "ml-latest-small")
    parser.add_argument("--scaled", type=Path, nargs="*", default=[],
                        help="more folders of the same format, for the cost table")  # fmt: skip
    parser.add_argument("--users", type=int, default=3000, help="users scored per folder, at most")
    parser.add_argument("--seed", type=int, default=1, help="of the sample of scored users")
    parser.add_argument("--smoke", action="store_true", help="100 users; a small grid")
    args = parser.parse_args(argv)
    shipped = ItemSimilarityConfig()
    ratings = read_ratings(args.movielens)
    if args.smoke:
        ratings = {u: ratings[u] for u in sorted(ratings, key=int)[:100]}
    train, test = split_all(ratings)
    inner, valid = split_all(train)
    report: dict[str, Any] = {"benchmark": "item_models", "smoke": args.smoke}

    grid = candidate_configs(shipped, smoke=args.smoke)
    validation = {name: evaluate(inner, valid, config)["ndcg@10"] for name, config in grid.items()}
    best = max(validation, key=validation.__getitem__)
    ships = next(name for name, config in grid.items() if config == neighbourhood(shipped))
    print("validation NDCG@10 of the neighbourhood's settings:")
    for name, value in sorted(validation.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<28} {value:.4f}")
    ease = replace(shipped, model="ease", max_items=10**9)
    report["validation_ease"] = evaluate(inner, valid, ease)["ndcg@10"]
    print(f"  {'(EASE, for reference)':<28} {report['validation_ease']:.4f}")
    print(f"best on validation: {best}; shipped: {ships} "
          f"({'the same' if best == ships else 'NOT the best'})")  # fmt: skip
    report["validation"] = validation
    report["chosen"], report["shipped"] = best, ships

    methods = {
        "EASE (lambda 200, all items)": ease,
        f"neighbourhood ({ships})": neighbourhood(shipped),
    }
    results = {name: evaluate(train, test, config) for name, config in methods.items()}
    matrix = baselines.Matrix(train)
    wanted = positives(matrix, test)
    popular = baselines.most_popular(matrix, 10)
    results["MostPop"] = baselines.mean(
        metrics(popular(matrix.user_row[u]), p) for u, p in wanted.items()
    )
    print(f"test, {len(wanted)} users with a held-out positive, {len(matrix.items)} items")
    print(f"{'method':<40} {'Recall@10':>9} {'NDCG@10':>8} {'HR@10':>6}")
    for name, values in results.items():
        print(f"{name:<40} {values['recall@10']:>9.4f} {values['ndcg@10']:>8.4f} "
              f"{values['hr@10']:>6.4f}")  # fmt: skip
    report["test"] = results

    report["cost"] = []
    for folder in [args.movielens, *args.scaled]:
        for label, config in (("served", shipped), ("EASE on the 12,000 most popular",
                              replace(shipped, model="ease"))):  # fmt: skip
            row = cost(folder, config, users=args.users, seed=args.seed, smoke=args.smoke)
            row["model"] = label
            report["cost"].append(row)
            print(f"{folder.name:<18} {label:<32} {row['fitted']:<14} items {row['items']:>7,} "
                  f"NDCG@10 {row['ndcg@10']:.4f} (n={row['users']}) fit {row['seconds']:.1f} s "
                  f"+{row['peak_mb']:,.0f} MB")  # fmt: skip
    print(json.dumps(report))


def candidate_configs(shipped: ItemSimilarityConfig, *, smoke: bool) -> dict[str, Any]:
    """The neighbourhood's settings compared on validation, the shipped ones among them."""
    base = neighbourhood(shipped)
    grid = {f"bm25 k1 {k1:g} b {b:g}": replace(base, weighting="bm25", bm25_k1=k1, bm25_b=b)
            for k1, b in itertools.product(K1_GRID[:1] if smoke else K1_GRID,
                                           B_GRID[:2] if smoke else B_GRID)}  # fmt: skip
    grid["tfidf"] = replace(base, weighting="tfidf")
    grid["cosine"] = replace(base, weighting="cosine")
    if base not in grid.values():
        grid[f"{base.weighting} (shipped)"] = base
    return grid


def neighbourhood(config: ItemSimilarityConfig) -> ItemSimilarityConfig:
    """``config`` forced to the neighbourhood, the settings that do not apply to it reset."""
    plain = ItemSimilarityConfig(model="neighbourhood")
    if config.weighting != "bm25":
        config = replace(config, bm25_k1=plain.bm25_k1, bm25_b=plain.bm25_b)
    return replace(config, model="neighbourhood", regularisation=plain.regularisation,
                   max_items=plain.max_items)  # fmt: skip


def strengths(part: dict[str, list[Rating]]) -> dict[str, list[tuple[str, float]]]:
    """Per user, their interactions (oldest first) as the service weighs them."""
    return {u: [(str(m), interaction_weight("rate", r)) for _, m, r in rows]
            for u, rows in part.items()}  # fmt: skip


def liked_pairs(strength: dict[str, list[tuple[str, float]]]) -> Iterable[tuple[str, str]]:
    """The (user, item) pairs the service fits the model on: the positive interactions."""
    return ((u, i) for u, rows in strength.items() for i, w in rows if w > 0)


def neighbour_matrix(neighbours: Neighbours, col: dict[str, int]) -> sparse.csr_matrix:
    """The kept edges as a (to, from) matrix, so that ``model @ history`` walks them."""
    edges = [(col[a], col[b], w) for a, similar in neighbours.items() for b, w in similar
             if a in col and b in col]  # fmt: skip
    sources, targets, values = zip(*edges, strict=True) if edges else ((), (), ())
    return sparse.csr_matrix((values, (sources, targets)), shape=(len(col), len(col))).T.tocsr()


def walk_metrics(
    model: sparse.csr_matrix,
    matrix: baselines.Matrix,
    wanted: dict[str, set[int]],
    strength: dict[str, list[tuple[str, float]]],
    *,
    half_life: float = item_model.HISTORY_HALF_LIFE,
    floor: float = item_model.HISTORY_FLOOR,
) -> dict[str, float]:
    """Mean metrics of the model walked from each user's history weights, in memory."""
    col = {str(m): j for m, j in matrix.item_col.items()}
    rows = []
    for user, positive in wanted.items():
        history = np.zeros(len(col))
        weights = item_model.history_weights(strength[user], half_life=half_life, floor=floor)
        for item, w in weights.items():
            history[col[item]] = w
        rows.append(metrics(matrix.top(model @ history, matrix.user_row[user], 10), positive))
    return baselines.mean(rows)


def evaluate(
    train: dict[str, list[Rating]],
    held: dict[str, list[Rating]],
    config: ItemSimilarityConfig,
    users: Sequence[str] | None = None,
) -> dict[str, float]:
    """The model ``config`` fits on ``train``, scored on ``held`` (of ``users``, else all)."""
    matrix = baselines.Matrix(train)
    wanted = positives(matrix, {u: held[u] for u in (users or held)})
    strength = strengths(train)
    neighbours = item_similarity.fit(liked_pairs(strength), config=config)
    col = {str(m): j for m, j in matrix.item_col.items()}
    return walk_metrics(neighbour_matrix(neighbours, col), matrix, wanted, strength)


def cost(
    folder: Path, config: ItemSimilarityConfig, *, users: int, seed: int, smoke: bool
) -> dict[str, Any]:
    """Fit time, added peak memory and test quality of ``config`` on ``folder``, in a fresh
    process so that its peak memory is the fit's alone."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        found: dict[str, Any] = pool.apply(_cost, (folder, asdict(config), users, seed, smoke))
    return found


def _cost(folder: Path, config: dict[str, Any], users: int, seed: int, smoke: bool) -> dict:
    ratings = read_ratings(folder)
    if smoke:
        ratings = {u: ratings[u] for u in sorted(ratings, key=int)[:100]}
    train, test = split_all(ratings)
    strength = strengths(train)
    pairs = list(liked_pairs(strength))
    settings = ItemSimilarityConfig(**config)
    items = len({i for _, i in pairs})
    before = psutil.Process().memory_info().rss
    with PeakRss(fit=os.getpid()) as peak:
        started = time.perf_counter()
        neighbours = item_similarity.fit(pairs, config=settings)
        seconds = time.perf_counter() - started
    fitted = settings.model or ("ease" if items <= settings.max_items else "neighbourhood")
    matrix = baselines.Matrix(train)
    scored = sorted(test, key=int)
    if len(scored) > users:
        scored = sorted(random.Random(seed).sample(scored, users), key=int)
    wanted = positives(matrix, {u: test[u] for u in scored})
    col = {str(m): j for m, j in matrix.item_col.items()}
    quality = walk_metrics(neighbour_matrix(neighbours, col), matrix, wanted, strength)
    return {
        "folder": str(folder), "items": items, "fitted": fitted, "seconds": seconds,
        "peak_mb": max(0, peak.peak["fit"] - before) / 2**20, "users": len(wanted),
        "items_with_edges": len(neighbours), **quality,
    }  # fmt: skip


if __name__ == "__main__":
    main()
