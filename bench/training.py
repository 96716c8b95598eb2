"""Training cost per device: the shipped PyKEEN configuration on the same triples, on the CPU and
on the GPU, in one run.

    python -m bench.training [ML_DIR] [--export TRIPLES.tsv] [--triples TRIPLES.tsv]
                             [--devices cpu,cuda] [--seeds 1,2] [--model M] [--epochs N]
                             [--scored N]

The triples are the training graph of ``bench.recommend`` (the data folder's items, genres and
every rating, imported into the benchmarks' Neo4j and exported as the service exports them), or a
TSV file of them written by ``--export`` on a machine with Neo4j, so that a GPU host without one
trains on exactly the same triples. Each (device, seed) trains ``embeddings.training.train`` with
the shipped ``TrainingConfig`` (early stopping on the validation part; ``--epochs N`` fixes the
number of epochs instead, for a per-epoch comparison; ``--scored N`` scores at most N validation
and test triples, for quicker checks on a large graph); printed: seconds, epochs, seconds per
epoch (of the whole run, and of PyKEEN's training alone with its validation checks), test MRR
and Hits@10, and the GPU's speed-up over the CPU of the same machine.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from embeddings.training import TrainingConfig, train

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("movielens", nargs="?", type=Path, default=SHARED_DATA / "ml-latest-small")
    parser.add_argument("--triples", type=Path, help="train on this TSV instead of the data folder")
    parser.add_argument("--export", type=Path, help="write the data folder's triples here and stop")
    parser.add_argument("--devices", default="cpu,cuda", help="torch devices; absent ones skipped")
    parser.add_argument("--seeds", default="1", help="comma-separated training seeds")
    parser.add_argument("--model", default=TrainingConfig.model)
    parser.add_argument("--epochs", type=int, help="exactly this many epochs (no early stopping)")
    parser.add_argument("--scored", type=int, help="validation and test triples scored at most")
    parser.add_argument("--out", type=Path, help="also write the report as JSON here")
    args = parser.parse_args(argv)
    triples = read_triples(args.triples) if args.triples else graph_triples(args.movielens)
    if args.export:
        write_triples(args.export, triples)
        print(f"{len(triples)} triples written to {args.export}")
        return
    config = TrainingConfig(model=args.model)
    if args.epochs:
        config = replace(config, epochs=args.epochs, check_every=args.epochs, patience=1)
    if args.scored:
        config = replace(config, scored=args.scored)
    devices = [d for d in args.devices.split(",") if available(d)]
    report: dict[str, Any] = {
        "benchmark": "training", "triples": len(triples), "config": config.as_dict(),
        "machine": machine(), "runs": [],
    }  # fmt: skip
    print(f"{len(triples)} triples; {config.model}; devices {devices}; {report['machine']}")
    print(f"{'device':<6} {'seed':>4} {'seconds':>8} {'epochs':>6} {'s/epoch':>8} "
          f"{'train s/epoch':>13} {'MRR':>7} {'Hits@10':>8}")  # fmt: skip
    for where in devices:
        for seed in (int(s) for s in args.seeds.split(",")):
            trained = train(triples, replace(config, seed=seed), where=where)
            row = {
                "device": where, "seed": seed, "seconds": trained.seconds,
                "epochs": trained.epochs, "seconds_per_epoch": trained.seconds / trained.epochs,
                "train_seconds_per_epoch": trained.metrics["train_seconds"] / trained.epochs,
                "mrr": trained.metrics["mrr"], "hits_at_10": trained.metrics["hits_at_10"],
            }  # fmt: skip
            report["runs"].append(row)
            print(f"{where:<6} {seed:>4} {row['seconds']:>8.1f} {row['epochs']:>6} "
                  f"{row['seconds_per_epoch']:>8.2f} {row['train_seconds_per_epoch']:>13.2f} "
                  f"{row['mrr']:>7.4f} "
                  f"{row['hits_at_10']:>8.4f}", flush=True)  # fmt: skip
            if args.out:
                args.out.write_text(json.dumps(report, indent=1))
    report["speedup"] = speedup(report["runs"])
    if report["speedup"]:
        print("GPU over CPU, seconds per epoch: " + ", ".join(
            f"{k} {v:.1f}×" for k, v in report["speedup"].items()))  # fmt: skip
    if args.out:
        args.out.write_text(json.dumps(report, indent=1))
    print(json.dumps(report))


def available(where: str) -> bool:
    import torch

    return where == "cpu" or (where.startswith("cuda") and torch.cuda.is_available())


def machine() -> dict[str, Any]:
    import torch

    found = {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
             "torch": torch.__version__, "threads": torch.get_num_threads()}  # fmt: skip
    if torch.cuda.is_available():
        found["gpu"] = torch.cuda.get_device_name(0)
    return found


def speedup(runs: list[dict[str, Any]]) -> dict[str, float]:
    """The CPU's mean seconds per epoch over each GPU's, per GPU device."""
    per_device: dict[str, list[float]] = {}
    for run in runs:
        per_device.setdefault(run["device"], []).append(run["seconds_per_epoch"])
    if "cpu" not in per_device:
        return {}
    cpu = float(np.mean(per_device["cpu"]))
    return {d: cpu / float(np.mean(v)) for d, v in per_device.items() if d != "cpu"}


def graph_triples(folder: Path) -> np.ndarray:
    """The data folder's training graph as ``bench.recommend`` loads it, exported from the
    benchmarks' Neo4j as a training run exports it."""
    from bench.common import bench_server, delete_all_users
    from bench.recommend import load_graph, read
    from embeddings.training import export_triples

    titles, genres, ratings = read(folder, max_users=None)
    with bench_server() as (_, _, graph):
        load_graph(graph, titles, genres, ratings)
        triples = export_triples(graph)
        delete_all_users(graph)
    return triples


def write_triples(path: Path, triples: np.ndarray) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out, delimiter="\t").writerows(triples.tolist())


def read_triples(path: Path) -> np.ndarray:
    with path.open(newline="", encoding="utf-8") as rows:
        return np.array(list(csv.reader(rows, delimiter="\t")), dtype=str).reshape(-1, 3)


if __name__ == "__main__":
    main()
