"""Text-to-interest throughput: end to end, next to spaCy alone and the encoder alone.

    python -m bench.texts [ML_DIR] [KPCROWD_DIR] [--texts N] [--smoke]

10,000 short texts by default: the MovieLens tags (``tags.csv``) and then sentences of the
KPCrowd articles. In one run: spaCy's ``nlp.pipe`` over the texts; the encoder over the texts;
and the whole path (extraction, linking, graph writes through
``graph.ingest.importers.import_texts``) into the benchmarks' own Neo4j. Goal: end to end at least
half the slower raw stage.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import time
from collections.abc import Sequence
from pathlib import Path

from bench.common import (
    BENCH_PSEUDONYMS,
    SHARED_DATA,
    bench_server,
    delete_all_interests,
    delete_all_users,
)
from graph.ingest.importers import import_texts
from graph.text.encoder import encode
from graph.text.extraction import default_extractor, english_pipeline

SENTENCE = re.compile(r"(?<=[.!?])\s+")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("movielens", nargs="?", type=Path, default=SHARED_DATA / "ml-latest-small")
    parser.add_argument("kpcrowd", nargs="?", type=Path, default=SHARED_DATA / "500N-KPCrowd")
    parser.add_argument("--texts", type=int, default=10_000)
    parser.add_argument("--smoke", action="store_true", help="500 texts")
    args = parser.parse_args(argv)
    texts = short_texts(args.movielens, args.kpcrowd, 500 if args.smoke else args.texts)
    print(
        f"{len(texts):,} texts, {sum(len(t) for t in texts) / len(texts):.0f} characters on average"
    )
    nlp = english_pipeline()
    encode(["warm up"])
    extractor = default_extractor()
    results = {}
    started = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=64):
        pass
    results["spaCy alone (nlp.pipe)"] = time.perf_counter() - started
    started = time.perf_counter()
    encode(texts)
    results["encoder alone (texts)"] = time.perf_counter() - started
    records = [
        {"user_id": f"bench-u{n % 500}", "text": text, "timestamp": 1_600_000_000 + n,
         "source": "bench", "text_id": f"bench-{n}"}
        for n, text in enumerate(texts)
    ]  # fmt: skip
    with bench_server() as (_, _, graph):
        delete_all_users(graph)
        delete_all_interests(graph)
        report = import_texts(graph, extractor, lambda: records, BENCH_PSEUDONYMS, progress=False)
        results["end to end (extract, link, write)"] = report.seconds
        delete_all_users(graph)
    rates = {name: len(texts) / seconds for name, seconds in results.items()}
    slower_raw = min(rates["spaCy alone (nlp.pipe)"], rates["encoder alone (texts)"])
    print(f"{'stage':<36} {'seconds':>8} {'texts/s':>8}")
    for name, seconds in results.items():
        print(f"{name:<36} {seconds:>8.1f} {rates[name]:>8.0f}")
    ratio = rates["end to end (extract, link, write)"] / slower_raw
    print(f"end to end / slower raw stage: {ratio:.2f} (goal >= 0.5)")
    print(json.dumps({"benchmark": "texts", "texts": len(texts), "texts_per_s": rates,
                      "ratio_to_slower_raw": round(ratio, 3)}))  # fmt: skip


def short_texts(movielens: Path, kpcrowd: Path, count: int) -> list[str]:
    texts: list[str] = []
    with (movielens / "tags.csv").open(encoding="utf-8", newline="") as handle:
        texts.extend(row["tag"] for row in csv.DictReader(handle))
    for path in sorted((kpcrowd / "docsutf8").glob("*.txt")):
        if len(texts) >= count:
            break
        body = path.read_text(encoding="utf-8", errors="replace")
        texts.extend(s.strip() for s in SENTENCE.split(body) if 20 <= len(s.strip()) <= 300)
    return texts[:count]


if __name__ == "__main__":
    main()
