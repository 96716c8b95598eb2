"""Interest extraction quality and speed on 500N-KPCrowd, against two baselines in the same run.

    python -m bench.extraction [DATA_DIR] [--smoke] [--limit N]

DATA_DIR holds ``docsutf8/*.txt`` and ``keys/*.key`` (default ../shared/data/500N-KPCrowd). For each
document the top 10 phrases are compared with the gold key phrases, both lowercased and Porter-
stemmed, by exact phrase match; precision, recall and F1 at 10 are averaged over documents.

- ours: ``graph.text.extraction.Extractor`` (batched parse and encode, prior + cosine ranking, MMR);
- YAKE (``yake`` package, n=3, top 10);
- embedding ranker: spaCy noun chunks and entities ranked by cosine to the document embedding with
  the same MiniLM, one parse and one encode per document (the straightforward implementation).
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import snowballstemmer
import yake

from bench.common import SHARED_DATA
from graph.text.encoder import encode
from graph.text.extraction import Extractor, english_pipeline, trim

K = 10
WORD = re.compile(r"\w+")
_stemmer = snowballstemmer.stemmer("porter")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=SHARED_DATA / "500N-KPCrowd")
    parser.add_argument("--smoke", action="store_true", help="the first 20 documents only")
    parser.add_argument("--limit", type=int, help="the first N documents only")
    args = parser.parse_args(argv)
    docs, gold = load(args.data, 20 if args.smoke else args.limit)
    print(
        f"data: {args.data} ({len(docs)} documents, {sum(map(len, gold)) / len(gold):.1f} "
        f"gold phrases each)"
    )
    nlp = english_pipeline()
    encode(["warm up"])
    extractor = Extractor(nlp, encode, top_k=K)
    methods: dict[str, Callable[[list[str]], list[list[str]]]] = {
        "ours (graph.text.extraction)": lambda texts: [
            [p.text for p in e.phrases] for e in extractor.extract(texts)
        ],
        "YAKE n=3": yake_top,
        "embedding ranker (per document)": lambda texts: [embedding_ranker(nlp, t) for t in texts],
    }
    results = []
    for name, method in methods.items():
        started = time.perf_counter()
        predicted = method(docs)
        seconds = time.perf_counter() - started
        p, r, f = score(predicted, gold)
        results.append(
            {
                "method": name,
                "precision": round(p, 4),
                "recall": round(r, 4),
                "f1": round(f, 4),
                "seconds": round(seconds, 2),
            }
        )
    print(f"{'method':<34} {'P@10':>6} {'R@10':>6} {'F1@10':>6} {'seconds':>8}")
    for row in results:
        print(f"{row['method']:<34} {row['precision']:>6.3f} {row['recall']:>6.3f} "
              f"{row['f1']:>6.3f} {row['seconds']:>8.1f}")  # fmt: skip
    print(json.dumps({"benchmark": "extraction", "documents": len(docs), "results": results}))


def load(folder: Path, limit: int | None) -> tuple[list[str], list[set[str]]]:
    docs, gold = [], []
    for path in sorted((folder / "docsutf8").glob("*.txt"))[:limit]:
        keys = folder / "keys" / f"{path.stem}.key"
        docs.append(path.read_text(encoding="utf-8", errors="replace"))
        lines = keys.read_text(encoding="utf-8", errors="replace").splitlines()
        gold.append({stem(line) for line in lines if line.strip()})
    return docs, gold


def stem(phrase: str) -> str:
    return " ".join(_stemmer.stemWords(WORD.findall(phrase.lower())))


def score(predicted: list[list[str]], gold: list[set[str]]) -> tuple[float, float, float]:
    """Mean precision, recall and F1 at K over documents (stemmed exact phrase match)."""
    totals = [0.0, 0.0, 0.0]
    for phrases, keys in zip(predicted, gold, strict=True):
        top = list(dict.fromkeys(s for s in map(stem, phrases) if s))[:K]
        hits = len(set(top) & keys)
        precision = hits / K
        recall = hits / len(keys) if keys else 0.0
        f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
        for i, value in enumerate((precision, recall, f1)):
            totals[i] += value
    p, r, f = (total / len(gold) for total in totals)
    return p, r, f


def yake_top(texts: list[str]) -> list[list[str]]:
    extractor = yake.KeywordExtractor(lan="en", n=3, top=K)
    return [[phrase for phrase, _ in extractor.extract_keywords(text)] for text in texts]


def embedding_ranker(nlp: object, text: str) -> list[str]:
    doc = nlp(text)  # type: ignore[operator]
    spans = [trim(s) for s in [*doc.ents, *doc.noun_chunks]]
    candidates = list(dict.fromkeys(s.text for s in spans if s is not None))
    if not candidates:
        return []
    vectors = encode([text, *candidates])
    similarity = vectors[1:] @ vectors[0]
    return [candidates[i] for i in similarity.argsort()[::-1][:K]]


if __name__ == "__main__":
    main()
