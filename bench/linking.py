"""Linking quality on hand-labelled surface-form pairs (same interest or not).

    python -m bench.linking [PAIRS_TSV]

Two forms link when their normalised keys are equal or their embeddings' cosine reaches the
threshold. Prints precision, recall and F1 at the configured threshold and at a sweep of others
(the configured one was chosen from this sweep, so its figures are optimistic for new data).
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from graph.text.encoder import encode
from graph.text.extraction import normalise
from graph.text.linking import LINK_THRESHOLD

PAIRS = Path(__file__).resolve().parents[1] / "tests" / "data" / "linking_pairs.tsv"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", nargs="?", type=Path, default=PAIRS)
    args = parser.parse_args(argv)
    with args.pairs.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader((line for line in handle if not line.startswith("#")),
                                   delimiter="\t"))  # fmt: skip
    same = np.array([row["same"] == "1" for row in rows])
    cosine = (encode([r["a"] for r in rows]) * encode([r["b"] for r in rows])).sum(axis=1)
    exact = np.array([normalise(r["a"]) == normalise(r["b"]) for r in rows])
    print(f"pairs: {args.pairs} ({len(rows)}: {same.sum()} same, {(~same).sum()} different)")
    print(f"{'threshold':>9} {'precision':>9} {'recall':>6} {'F1':>6}")
    sweep = []
    for threshold in sorted({*np.round(np.arange(0.55, 0.95, 0.05), 2), LINK_THRESHOLD}):
        p, r, f = metrics(exact | (cosine >= threshold), same)
        marker = "  <- configured" if threshold == LINK_THRESHOLD else ""
        print(f"{threshold:>9.2f} {p:>9.3f} {r:>6.3f} {f:>6.3f}{marker}")
        sweep.append({"threshold": float(threshold), "precision": p, "recall": r, "f1": f})
    print(json.dumps({"benchmark": "linking", "pairs": len(rows), "threshold": LINK_THRESHOLD,
                      "sweep": sweep}))  # fmt: skip


def metrics(linked: np.ndarray, same: np.ndarray) -> tuple[float, float, float]:
    hits = int((linked & same).sum())
    precision = hits / max(int(linked.sum()), 1)
    recall = hits / max(int(same.sum()), 1)
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return round(precision, 4), round(recall, 4), round(f1, 4)


if __name__ == "__main__":
    main()
