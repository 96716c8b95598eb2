"""Interests and their polarity from short user texts, in English and Chinese, on a labelled set.

    python -m bench.user_texts [FILE] [--split test|dev|all] [--smoke] [--errors]

FILE is JSON lines (default bench/data/user_texts.jsonl), one text a line: ``{"id", "lang",
"text", "interests": [{"phrase", "polarity": 1 | -1}], "split": "dev" | "test"}``. The set was
written for this project: likes, dislikes, negation, contrast, lists, slang, tags and mixed
language; ``dev`` is the only part any rule or setting was tuned on, ``test`` is held out. Its
labels: the interests are what the writer says they like (+1) or dislike (-1), each as the phrase
that names it (without determiners, opinion words or a verb of doing: "watching horror films" is
"horror films", 打篮球 is 篮球); a text with no opinion in it (a tag, a query) is interested in
what it names.

Matching, one to one within a text: a predicted phrase matches a gold one when their normalised
forms are equal, exactly. Normalised: NFKC, lowercase; a leading determiner or possessive dropped
(the, a, my, ...); English words split at non-letters ("sci-fi" is "sci fi") and Porter-stemmed
("horror films" is "horror film"); spaces next to Chinese characters dropped. No credit for
containment or a shared head word: "films" does not match "horror films". Predictions that
normalise alike count once. Precision = matched / predicted, recall = matched / gold (both over
all texts of a language), polarity accuracy = matched with the gold polarity / matched.

- ours: ``graph.text.extraction.Extractor`` as the service runs it (top 10 phrases a text);
- ours, every polarity +1: the same phrases with the cues' polarity ignored;
- YAKE (n=3, top 2, chosen before any run; every polarity +1; Chinese segmented by jieba first, as
  YAKE splits on spaces).
"""

from __future__ import annotations

import argparse
import json
import re
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import snowballstemmer
import yake

from graph.text.encoder import encode
from graph.text.extraction import Extractor, english_pipeline

DATA = Path(__file__).resolve().parent / "data" / "user_texts.jsonl"
LANGUAGES = ("en", "zh")
YAKE_TOP = 2
CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
TOKEN = re.compile(r"[^\W_]+")
SPACE_BY_CJK = re.compile(rf"\s*([{CJK}]+)\s*")
LATIN = re.compile(rf"^[^{CJK}]+$")
LEADING = {"the", "a", "an", "my", "our", "your", "his", "her", "their", "this", "that", "these",
           "those", "some"}  # fmt: skip
_stemmer = snowballstemmer.stemmer("porter")

Predicted = list[tuple[str, int]]  # (phrase, polarity) per text


@dataclass(frozen=True)
class Record:
    id: str
    lang: str
    text: str
    interests: list[tuple[str, int]]
    split: str


@dataclass(frozen=True)
class Score:
    predicted: int
    gold: int
    matched: int
    polarity_right: int

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def polarity(self) -> float:
        return self.polarity_right / self.matched if self.matched else 0.0


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=DATA)
    parser.add_argument("--split", choices=("test", "dev", "all"), default="test")
    parser.add_argument("--smoke", action="store_true", help="the first 10 texts of each language")
    parser.add_argument("--errors", action="store_true", help="print ours' misses per text")
    args = parser.parse_args(argv)
    records = [r for r in load(args.data) if args.split in ("all", r.split)]
    if args.smoke:
        records = [r for lang in LANGUAGES for r in [r for r in records if r.lang == lang][:10]]
    counts = {lang: sum(r.lang == lang for r in records) for lang in LANGUAGES}
    print(f"data: {args.data} (split {args.split}: {counts['en']} English, {counts['zh']} Chinese)")
    encode(["warm up"])
    extractor = Extractor(english_pipeline(), encode)
    texts = [r.text for r in records]
    started = time.perf_counter()
    ours = [[(p.text, p.polarity) for p in e.phrases] for e in extractor.extract(texts)]
    seconds = time.perf_counter() - started
    methods: dict[str, Callable[[], list[Predicted]]] = {
        "ours (graph.text.extraction)": lambda: ours,
        "ours, every polarity +1": lambda: [[(p, 1) for p, _ in found] for found in ours],
        f"YAKE n=3 top {YAKE_TOP}": lambda: yake_top(records),
    }
    results = []
    for name, method in methods.items():
        predicted = method()
        for lang in LANGUAGES:
            chosen = [i for i, r in enumerate(records) if r.lang == lang]
            s = score([records[i] for i in chosen], [predicted[i] for i in chosen])
            results.append(
                {"method": name, "lang": lang, "texts": len(chosen), "predicted": s.predicted,
                 "gold": s.gold, "precision": round(s.precision, 4), "recall": round(s.recall, 4),
                 "f1": round(s.f1, 4), "polarity_accuracy": round(s.polarity, 4)}
            )  # fmt: skip
    if args.errors:
        print_errors(records, ours)
    print(f"{'method':<30} {'lang':<4} {'texts':>5} {'P':>6} {'R':>6} {'F1':>6} {'polarity':>8}")
    for row in results:
        print(f"{row['method']:<30} {row['lang']:<4} {row['texts']:>5} "
              f"{row['precision']:>6.3f} {row['recall']:>6.3f} {row['f1']:>6.3f} "
              f"{row['polarity_accuracy']:>8.3f}")  # fmt: skip
    print(f"ours: {seconds:.2f} s for {len(records)} texts")
    print(json.dumps({"benchmark": "user_texts", "split": args.split, "texts": len(records),
                      "results": results}, ensure_ascii=False))  # fmt: skip


def load(path: Path) -> list[Record]:
    records = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                interests = [(i["phrase"], int(i["polarity"])) for i in row["interests"]]
                records.append(Record(row["id"], row["lang"], row["text"], interests, row["split"]))
    return records


def normalise(phrase: str) -> str:
    """The form phrases are matched by (see the module's docstring)."""
    tokens = TOKEN.findall(unicodedata.normalize("NFKC", phrase).lower())
    while len(tokens) > 1 and tokens[0] in LEADING:
        tokens = tokens[1:]
    words = [_stemmer.stemWord(t) if LATIN.match(t) else t for t in tokens]
    return SPACE_BY_CJK.sub(r"\1", " ".join(words)).strip()


def match(predicted: Predicted, gold: list[tuple[str, int]]) -> list[tuple[int, int]]:
    """Pairs ``(predicted polarity, gold polarity)`` of the matched phrases of one text."""
    unmatched: dict[str, list[int]] = {}
    for phrase, polarity in gold:
        unmatched.setdefault(normalise(phrase), []).append(polarity)
    pairs = []
    for phrase, polarity in dedupe(predicted):
        waiting = unmatched.get(normalise(phrase))
        if waiting:
            pairs.append((polarity, waiting.pop(0)))
    return pairs


def dedupe(predicted: Predicted) -> Predicted:
    """Predictions that normalise alike, once (the first)."""
    seen: dict[str, tuple[str, int]] = {}
    for phrase, polarity in predicted:
        seen.setdefault(normalise(phrase), (phrase, polarity))
    return [p for key, p in seen.items() if key]


def score(records: Sequence[Record], predicted: Sequence[Predicted]) -> Score:
    totals = [0, 0, 0, 0]
    for record, found in zip(records, predicted, strict=True):
        pairs = match(found, record.interests)
        totals[0] += len(dedupe(found))
        totals[1] += len(record.interests)
        totals[2] += len(pairs)
        totals[3] += sum(p == g for p, g in pairs)
    return Score(*totals)


def yake_top(records: Sequence[Record]) -> list[Predicted]:
    import jieba

    english = yake.KeywordExtractor(lan="en", n=3, top=YAKE_TOP)
    chinese = yake.KeywordExtractor(lan="zh", n=3, top=YAKE_TOP)
    found = []
    for record in records:
        if record.lang == "zh":
            words = " ".join(w for w in jieba.cut(record.text) if w.strip())
            keywords = chinese.extract_keywords(words)
        else:
            keywords = english.extract_keywords(record.text)
        found.append([(phrase, 1) for phrase, _ in keywords])
    return found


def print_errors(records: Sequence[Record], predicted: Sequence[Predicted]) -> None:
    for record, found in zip(records, predicted, strict=True):
        gold = {normalise(p): (p, s) for p, s in record.interests}
        mine = {normalise(p): (p, s) for p, s in dedupe(found)}
        wrong = [
            f"{p} {s:+d}" + (f" (gold {gold[k][1]:+d})" if k in gold else " (extra)")
            for k, (p, s) in mine.items()
            if k not in gold or gold[k][1] != s
        ]
        missed = [f"{p} {s:+d}" for k, (p, s) in gold.items() if k not in mine]
        if wrong or missed:
            print(f"  {record.id} {record.text!r}: wrong {wrong}, missed {missed}")


if __name__ == "__main__":
    main()
