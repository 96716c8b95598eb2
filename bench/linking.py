"""Linking quality on hand-labelled surface-form pairs (same interest or not), within English and
across Chinese and English.

    python -m bench.linking [PAIRS_TSV] [--cross CROSS_TSV]

Two forms link when their normalised keys are equal or their vectors' cosine reaches the
threshold. English pairs (``tests/data/linking_pairs.tsv``): precision, recall and F1 at the
configured threshold and at a sweep of others (the configured one was chosen from this sweep, so
its figures are optimistic for new data). Chinese–English pairs
(``bench/data/cross_language_pairs.tsv``): the same at the configured threshold, the Chinese side
embedded as the service links it (the vector of its English gloss, ``graph.text.glossary``)
against the baseline of its own vector, in the same run.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from graph.text.encoder import encode
from graph.text.extraction import normalise
from graph.text.glossary import english_gloss
from graph.text.linking import LINK_THRESHOLD

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT / "tests" / "data" / "linking_pairs.tsv"
CROSS = ROOT / "bench" / "data" / "cross_language_pairs.tsv"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", nargs="?", type=Path, default=PAIRS)
    parser.add_argument("--cross", type=Path, default=CROSS, help="Chinese–English pairs")
    args = parser.parse_args(argv)
    rows = read_pairs(args.pairs)
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
    cross = cross_language(read_pairs(args.cross))
    print(f"Chinese–English pairs: {args.cross} ({cross['pairs']}: {cross['same']} same; "
          f"{cross['glossed']} Chinese forms glossed), at {LINK_THRESHOLD}:")  # fmt: skip
    for name in ("own vector", "English gloss"):
        p, r, f = cross[name]
        print(f"  {name:<14} precision {p:.3f} recall {r:.3f} F1 {f:.3f}")
    print(json.dumps({"benchmark": "linking", "pairs": len(rows), "threshold": LINK_THRESHOLD,
                      "sweep": sweep, "cross_language": cross}))  # fmt: skip


def read_pairs(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader((line for line in handle if not line.startswith("#")),
                                   delimiter="\t"))  # fmt: skip


def cross_language(rows: list[dict[str, str]]) -> dict[str, Any]:
    """Precision, recall and F1 at the threshold of the Chinese forms' own vectors and of their
    English glosses' (a form without a gloss keeps its own vector, as in the service)."""
    same = np.array([row["same"] == "1" for row in rows])
    english = encode([r["en"] for r in rows])
    glosses = [english_gloss(r["zh"]) for r in rows]
    own = encode([r["zh"] for r in rows])
    glossed = encode([g or r["zh"] for g, r in zip(glosses, rows, strict=True)])
    return {
        "pairs": len(rows), "same": int(same.sum()), "glossed": sum(g is not None for g in glosses),
        "own vector": metrics((own * english).sum(axis=1) >= LINK_THRESHOLD, same),
        "English gloss": metrics((glossed * english).sum(axis=1) >= LINK_THRESHOLD, same),
    }  # fmt: skip


def metrics(linked: np.ndarray, same: np.ndarray) -> tuple[float, float, float]:
    hits = int((linked & same).sum())
    precision = hits / max(int(linked.sum()), 1)
    recall = hits / max(int(same.sum()), 1)
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return round(precision, 4), round(recall, 4), round(f1, 4)


if __name__ == "__main__":
    main()
