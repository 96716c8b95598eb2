"""Interest extraction quality and speed on key-phrase data sets, against YAKE in the same run.

    python -m bench.extraction [DATA_DIR ...] [--seed N] [--smoke] [--limit N] [--sweep]
                               [--with-embedding-ranker]

Each DATA_DIR holds ``docsutf8/*.txt`` and ``keys/*.key`` (default: 500N-KPCrowd, news, and
SemEval2017, science paragraphs, under ../shared/data). Each folder's documents (sorted by name, the
first N with ``--limit``) are split by a seeded shuffle into a development half and a test half:
settings are chosen on the development parts only (``--sweep``), and the test parts report how
they hold up. For each document the top 10 phrases are compared with the gold key phrases, both
lowercased and Porter-stemmed, by exact phrase match; precision, recall and F1 at 10 are averaged
over the documents of a part.

- ours: ``graph.text.extraction.Extractor`` (batched parse and encode, prior + cosine ranking, MMR);
- YAKE (``yake`` package, n=3, top 10);
- with ``--with-embedding-ranker`` (slow: over 15 minutes on both folders): spaCy noun chunks and
  entities ranked by cosine to the document embedding with the same MiniLM, one parse and one
  encode per document (the straightforward implementation).

``--sweep`` scores every setting of ``GRID`` (``Weights`` of the extractor) on the development
parts of all the folders at once, and picks one setting for all: of those that score no lower than
the current default on any folder, the one with the highest geometric mean of F1 over the folders
(so that a gain on one folder counts as much as the same relative gain on another). The default
``Weights`` are what it picked.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

import snowballstemmer
import yake

from bench.common import SHARED_DATA
from graph.text.encoder import CachedEncoder, encode
from graph.text.extraction import Extractor, Weights, english_pipeline, trim

K = 10
SEED = 19
PARTS = ("dev", "test")
DATA = (SHARED_DATA / "500N-KPCrowd", SHARED_DATA / "SemEval2017")
#: the settings ``--sweep`` tries: every combination of these values of ``Weights``' fields
GRID: dict[str, tuple[float, ...]] = {
    "similarity": (0.5, 0.75, 1.0),
    "frequency": (0.15, 0.3, 0.5),
    "entity": (0.0, 0.15),
    "head": (-0.3, -0.2, -0.1),
    "joined": (-1.0, 0.0, 0.1),
    "length": (0.0, 0.05, 0.1),
}
WORD = re.compile(r"\w+")
_stemmer = snowballstemmer.stemmer("porter")

Method = Callable[[list[str]], list[list[str]]]


@dataclass(frozen=True)
class Part:
    """One half of a folder's documents: their names, texts and stemmed gold key phrases."""

    names: list[str]
    docs: list[str]
    gold: list[set[str]]


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="*", type=Path, default=list(DATA))
    parser.add_argument("--seed", type=int, default=SEED, help="of the dev/test split")
    parser.add_argument("--smoke", action="store_true", help="the first 20 documents only")
    parser.add_argument("--limit", type=int, help="the first N documents of each folder only")
    parser.add_argument("--sweep", action="store_true", help="choose the weights on the dev parts")
    parser.add_argument("--with-embedding-ranker", action="store_true", help="slow")
    args = parser.parse_args(argv)
    limit = 20 if args.smoke else args.limit
    corpora = {folder.name: load_parts(folder, limit=limit, seed=args.seed) for folder in args.data}
    for name, parts in corpora.items():
        counts = ", ".join(f"{p} {len(parts[p].docs)}" for p in PARTS)
        gold = [keys for part in parts.values() for keys in part.gold]
        print(f"data: {name} ({counts} documents, {sum(map(len, gold)) / max(len(gold), 1):.1f} "
              f"gold phrases each; seed {args.seed})")  # fmt: skip
    nlp = english_pipeline()
    encode(["warm up"])
    weights = Weights()
    report: dict[str, Any] = {"benchmark": "extraction", "seed": args.seed}
    if args.sweep:
        dev = {name: parts["dev"] for name, parts in corpora.items()}
        yake_dev = {name: score(yake_top(part.docs), part.gold).f1 for name, part in dev.items()}
        weights, table = sweep(nlp, dev, yake_dev)
        report["sweep"] = {
            "settings": len(table),
            "default": asdict(Weights()),
            "chosen": asdict(weights),
            "chosen_is_default": weights == Weights(),
        }
    extractor = Extractor(nlp, encode, top_k=K, weights=weights)
    methods: dict[str, Method] = {
        "ours (graph.text.extraction)": lambda texts: [
            [p.text for p in e.phrases] for e in extractor.extract(texts)
        ],
        "YAKE n=3": yake_top,
    }
    if args.with_embedding_ranker:
        methods["embedding ranker (per document)"] = lambda texts: [
            embedding_ranker(nlp, t) for t in texts
        ]
    folders = []
    print(f"{'data':<14} {'part':<5} {'method':<34} {'P@10':>6} {'R@10':>6} {'F1@10':>6} "
          f"{'seconds':>8}")  # fmt: skip
    for name, parts in corpora.items():
        rows = []
        for part_name in PARTS:
            part = parts[part_name]
            results = run_methods(methods, part)
            ours, theirs = results[0]["f1"], results[1]["f1"]
            ratio = round(ours / theirs, 3) if theirs else None
            rows.append({"part": part_name, "documents": len(part.docs), "results": results,
                         "ours_over_yake": ratio})  # fmt: skip
            where = f"{name[:14]:<14} {part_name:<5}"
            for row in results:
                print(f"{where} {row['method']:<34} {row['precision']:>6.3f} {row['recall']:>6.3f} "
                      f"{row['f1']:>6.3f} {row['seconds']:>8.1f}")  # fmt: skip
            shown = ratio if ratio is not None else float("nan")
            print(f"{where} {'ours / YAKE (F1@10)':<34} {'':>6} {'':>6} {shown:>6.2f}")
        folders.append({"data": name, "parts": rows})
    report["weights"] = asdict(weights)
    report["folders"] = folders
    print(json.dumps(report))


def load_parts(folder: Path, *, limit: int | None, seed: int) -> dict[str, Part]:
    """The folder's documents (the first ``limit`` by name), split into ``dev`` and ``test``."""
    names = [path.stem for path in sorted((folder / "docsutf8").glob("*.txt"))][:limit]
    if not names:
        raise SystemExit(f"no documents in {folder / 'docsutf8'}")
    dev, test = split(names, seed=seed)
    return {"dev": load(folder, dev), "test": load(folder, test)}


def split(names: Sequence[str], *, seed: int) -> tuple[list[str], list[str]]:
    """A seeded shuffle of the names, halved: (dev, test), each sorted. The same names and seed
    always give the same halves, whatever order the names come in."""
    shuffled = sorted(names)
    random.Random(seed).shuffle(shuffled)
    half = len(shuffled) // 2
    return sorted(shuffled[:half]), sorted(shuffled[half:])


def load(folder: Path, names: Sequence[str]) -> Part:
    docs, gold = [], []
    for name in names:
        text = folder / "docsutf8" / f"{name}.txt"
        docs.append(text.read_text(encoding="utf-8", errors="replace"))
        keys = folder / "keys" / f"{name}.key"
        lines = keys.read_text(encoding="utf-8", errors="replace").splitlines()
        gold.append({stem(line) for line in lines if line.strip()})
    return Part(list(names), docs, gold)


def run_methods(methods: Mapping[str, Method], part: Part) -> list[dict[str, Any]]:
    results = []
    for name, method in methods.items():
        started = time.perf_counter()
        predicted = method(part.docs)
        seconds = time.perf_counter() - started
        found = score(predicted, part.gold)
        results.append({"method": name, "precision": round(found.precision, 4),
                        "recall": round(found.recall, 4), "f1": round(found.f1, 4),
                        "seconds": round(seconds, 2)})  # fmt: skip
    return results


def stem(phrase: str) -> str:
    return " ".join(_stemmer.stemWords(WORD.findall(phrase.lower())))


def score(predicted: list[list[str]], gold: list[set[str]]) -> Score:
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
    p, r, f = (total / max(len(gold), 1) for total in totals)
    return Score(p, r, f)


def settings(grid: Mapping[str, Sequence[float]], base: Weights) -> list[Weights]:
    """``base`` first, then every combination of the grid's values (``base`` elsewhere)."""
    known = {f.name for f in fields(Weights)}
    if unknown := set(grid) - known:
        raise ValueError(f"not fields of Weights: {sorted(unknown)}")
    combos = [replace(base, **dict(zip(grid, values, strict=True)))
              for values in itertools.product(*grid.values())]  # fmt: skip
    return list(dict.fromkeys([base, *combos]))


def choose(scores: Mapping[Weights, Mapping[str, float]], base: Weights) -> Weights:
    """Of the settings that score no lower than ``base`` on any folder, the one with the highest
    geometric mean of F1 over the folders (``base`` itself on a tie)."""
    floor = scores[base]

    def mean(values: Mapping[str, float]) -> float:
        return math.exp(sum(math.log(max(v, 1e-9)) for v in values.values()) / len(values))

    allowed = [w for w, s in scores.items() if all(s[f] >= floor[f] for f in floor)]
    return max(allowed, key=lambda w: (mean(scores[w]), w == base))


def sweep(
    nlp: Any, dev: Mapping[str, Part], yake_f1: Mapping[str, float]
) -> tuple[Weights, list[dict[str, Any]]]:
    """Every setting of ``GRID`` on the dev parts (one parse, each phrase encoded once); prints
    the best ten and returns the one ``choose`` picks with the whole table."""
    started = time.perf_counter()
    encoder = CachedEncoder(encode, size=2_000_000)
    parsed = {name: Extractor(nlp, encoder).candidates(part.docs) for name, part in dev.items()}
    base = Weights()
    scores: dict[Weights, dict[str, float]] = {}
    for weights in settings(GRID, base):
        extractor = Extractor(nlp, encoder, top_k=K, weights=weights)
        scores[weights] = {}
        for name, part in dev.items():
            found = extractor.rank(extractor.shortlist(parsed[name]))
            predicted = [[p.text for p in e.phrases] for e in found]
            scores[weights][name] = score(predicted, part.gold).f1
    chosen = choose(scores, base)
    table = [{"weights": asdict(w), "f1": {n: round(f, 4) for n, f in s.items()}}
             for w, s in scores.items()]  # fmt: skip
    ranked = sorted(scores, key=lambda w: -math.prod(scores[w].values()))
    seconds = time.perf_counter() - started
    print(f"sweep: {len(scores)} settings on the dev parts in {seconds:.0f} s; F1@10 (× YAKE's)")
    for label, weights in [("default", base), ("chosen", chosen), *(("", w) for w in ranked[:10])]:
        cells = "  ".join(
            f"{n[:14]} {f1:.3f} ({f1 / yake_f1[n] if yake_f1[n] else math.nan:.2f}x)"
            for n, f1 in scores[weights].items()
        )
        changed = {k: v for k, v in asdict(weights).items() if v != getattr(base, k)}
        print(f"  {label:<8} {cells}  {changed or 'as default'}")
    return chosen, table


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
