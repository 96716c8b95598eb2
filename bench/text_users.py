"""Users known only by what they wrote: their tags in, recommendations out (issue 18 §2).

    python -m bench.text_users [ML_DIR] [--smoke] [--seed N] [--epochs N] [--no-relations]

Protocol (ml-latest-small): the per-user temporal split of ``bench/recommend.py``
(``bench.baselines.split``: each user's oldest ceil(80%) ratings by time, ties by item id, train;
the rest are held out; positives are held-out ratings >= 4). A user's cut is the time of their
last training rating; their pre-cut tags are their ``tags.csv`` rows with a timestamp at or before
it. Text-only users: those with at least one pre-cut tag and at least one held-out positive.

Every other user's training ratings are imported into the benchmarks' Neo4j as the service
imports MovieLens (``graph.ingest.importers``: ``rate`` events under the benchmarks' pseudonyms),
with their pre-cut tags as user texts about the tagged movies (``import_texts``); the catalogue is
every item of the training part (all users'), with titles and genres. Then, as ``interests demo``
does, the knowledge relations are built (ABOUT from titles, interests' categories, related
interests; ``--no-relations`` skips them), and the embeddings and item-to-item model are trained
(``embeddings.retraining.retrain``, RotatE with few epochs: a text-only user has no interactions,
so neither the embeddings nor the item model can reach them; the small run keeps the benchmark
short). The API is served under gunicorn (1 worker, 2 threads: one spaCy load on two cores).
Each text-only user's pre-cut tags, and nothing else, are posted with
``POST /v1/users/{id}/texts`` (source ``tag``, the tag's timestamp, no ``item_id``: only what they
wrote, not which movie they wrote it on), then ``GET /v1/users/{id}/recommendations?k=10`` answers
(the default policy, as a client calls it). Its items are scored against the held-out positives:
NDCG@10, Recall@10, HR@10 (``bench.baselines.metrics``); the candidates are the whole catalogue
(nothing is excluded: no method knows what the user rated). A second request with
``policy=current&explain=true`` gives the ranking without exploration, scored too, and the reasons.

The text-only blend the service ships (``recommend.TEXT_ONLY_WEIGHTS``) is chosen here, before
the test, on a validation split of the same users that holds none of their test ratings: each
text-only user's training ratings split again as above (the oldest ceil(80%) by time), the tags
at or before that earlier cut posted through the API under a validation id (``val-`` and the
user's), each ranked in this process at the API's instant (``recommend.gather``: the service's
candidates) and scored on the rest of their training ratings >= 4 by the service's own search
(``blend_tuning.search`` over ``blend_tuning.text_only_blends``, the shipped blend first, at
least ``blend_tuning.MIN_USERS`` users); then the validation users are erased. The report gives
every blend's validation NDCG@10, the chosen one, and whether it is the shipped one.

Baselines, same users, same catalogue, same run:
- MostPop: the catalogue items most often rated in the imported training part (ties by item id);
- TF-IDF: scikit-learn's ``TfidfVectorizer`` (English stop words, otherwise its defaults), fitted
  on one document per catalogue item (its title and the pre-cut tags other users put on it), the
  user's document being their pre-cut tags joined; cosine; top 10, ties (zero included) by
  popularity, then item id.

Reports the number of users, each method's mean with a seeded percentile bootstrap 95% interval
(1,000 resamples of users), and the paired bootstrap interval of ours minus the best baseline (by
mean NDCG@10); what answered each user (``cold_start``, the sources of each item, the reasons);
then one JSON line.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from bench import baselines, intervals
from bench.common import (
    BENCH_PSEUDONYMS,
    SHARED_DATA,
    Rating,
    api_server,
    bench_server,
    delete_all_interests,
    delete_all_users,
    http,
    read_movies,
    read_ratings,
)
from bench.intervals import interval_cell
from embeddings import retraining
from embeddings.training import TrainingConfig
from graph.ingest import importers
from graph.ingest.records import EventIn, ItemIn
from graph.privacy import erasure
from graph.store import Graph
from service import blend_tuning, recommend

K = 10
TEXT_BATCH = 100  # texts per POST (the API's default INTERESTS_MAX_TEXT_BATCH)
METRICS = ("ndcg@10", "recall@10", "hr@10")
OURS = "ours (API, default policy)"
OURS_CURRENT = "ours (API, policy=current)"
MOST_POP = "MostPop"
TFIDF = "TF-IDF (tags vs title + tags)"
BASELINES = (MOST_POP, TFIDF)

Tag = tuple[int, int, str]  # MovieLens: timestamp, movie id, tag


@dataclass(frozen=True)
class Split:
    """The temporal split, and who is a text-only user."""

    train: dict[str, list[Rating]]
    held: dict[str, list[Rating]]
    text_users: dict[str, list[Tag]]  # each text-only user's pre-cut tags, oldest first
    others: list[str]  # every other user, by id

    def other_tags(self, tags: Mapping[str, Sequence[Tag]]) -> dict[str, list[Tag]]:
        """The other users' pre-cut tags."""
        found = {u: pre_cut_tags(tags.get(u, ()), self.train[u]) for u in self.others}
        return {u: t for u, t in found.items() if t}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("movielens", nargs="?", type=Path, default=SHARED_DATA / "ml-latest-small")
    parser.add_argument(
        "--smoke", action="store_true", help="10 text users, 60 others (fewest ratings), 2 epochs"
    )
    parser.add_argument("--seed", type=int, default=1, help="of the bootstrap")
    parser.add_argument("--epochs", type=int, default=10, help="of the embedding run (smoke: 2)")
    parser.add_argument("--answers", type=Path, help="write the API's answers here (JSON)")
    parser.add_argument("--no-relations", action="store_true",
                        help="skip the relations (ABOUT from titles, categories)")  # fmt: skip
    args = parser.parse_args(argv)
    started = time.perf_counter()
    titles, genres = read_movies(args.movielens)
    ratings = read_ratings(args.movielens)
    tags = read_tags(args.movielens)
    split = split_users(ratings, tags)
    if args.smoke:
        split = subset(split, text_users=10, others=60)
    report, served = run(args, split, tags, titles, genres)
    if args.answers:
        answers = {u: {"texts": s.texts, "default": s.default, "current": s.current}
                   for u, s in served.items()}  # fmt: skip
        args.answers.write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
    report["seconds"] = time.perf_counter() - started
    print_report(report)
    print(json.dumps(report))


def run(
    args: argparse.Namespace,
    split: Split,
    tags: Mapping[str, Sequence[Tag]],
    titles: Mapping[int, str],
    genres: Mapping[int, list[str]],
) -> tuple[dict[str, Any], dict[str, Served]]:
    catalogue = baselines.Matrix(split.train)  # every training item; rows: every user
    loaded = {u: split.train[u] for u in split.others}
    popularity = popularity_counts(catalogue.items, loaded)
    other_tags = split.other_tags(tags)
    wanted = {u: positive_columns(split.held[u], catalogue.item_col) for u in split.text_users}
    users = sorted(split.text_users, key=int)
    print(f"{len(users)} text-only users ({sum(map(len, split.text_users.values()))} pre-cut "
          f"tags), {len(split.others)} other users ({sum(map(len, other_tags.values()))} pre-cut "
          f"tags), {len(catalogue.items)} catalogue items")  # fmt: skip
    top = most_popular(popularity, K)
    tfidf = tfidf_ranker(item_documents(catalogue.items, titles, other_tags), popularity, K)
    ranked: dict[str, dict[str, list[int]]] = {
        MOST_POP: {u: top for u in users},
        TFIDF: {u: tfidf(user_document(split.text_users[u])) for u in users},
    }
    report: dict[str, Any] = {"benchmark": "text_users", "smoke": args.smoke, "seed": args.seed,
                              "users": len(users), "other_users": len(split.others),
                              "items": len(catalogue.items)}  # fmt: skip
    seconds: dict[str, float] = {}
    epochs = 2 if args.smoke else args.epochs
    config = TrainingConfig(epochs=epochs, check_every=epochs)  # one validation check (minutes)
    with bench_server() as (_, conn, graph):
        clock = time.perf_counter()
        wipe(graph)
        seconds["wipe"] = time.perf_counter() - clock
        clock = time.perf_counter()
        load(graph, catalogue.items, titles, genres, loaded, other_tags)
        seconds["import"] = time.perf_counter() - clock
        if not args.no_relations:
            clock = time.perf_counter()
            report["relations"] = build_relations(graph)
            seconds["relations"] = time.perf_counter() - clock
        trained = retraining.retrain(graph, config, quality_floor=0.0)
        seconds["training"] = sum(trained.seconds.values())
        report["training"] = {"status": trained.status, "model": config.model, "epochs": epochs,
                              "stages": trained.seconds}  # fmt: skip
        print(f"imported in {seconds['import']:.0f} s, relations "
              f"{seconds.get('relations', 0):.0f} s, training ({trained.status}, {epochs} "
              f"epochs) {seconds['training']:.0f} s")  # fmt: skip
        with api_server(graph, conn, workers=1, threads=2) as (base, _, headers):
            clock = time.perf_counter()
            report["validation"] = validate(graph, base, headers, validation_users(split, tags))
            seconds["validation"] = time.perf_counter() - clock
            clock = time.perf_counter()
            served = {u: ask(base, headers, u, split.text_users[u]) for u in users}
            seconds["api"] = time.perf_counter() - clock
        delete_all_users(graph)
    col = catalogue.item_col
    ranked[OURS] = {u: columns(s.default["items"], col) for u, s in served.items()}
    ranked[OURS_CURRENT] = {u: columns(s.current["items"], col) for u, s in served.items()}
    per_user = {
        method: [baselines.metrics(ranked[method][u], wanted[u]) for u in users]
        for method in (OURS, OURS_CURRENT, *BASELINES)
    }
    report["seconds_by_stage"] = seconds
    report["results"] = summarise(per_user, seed=args.seed)
    report["answered_by"] = answered_by(served)
    report["examples"] = examples(served, users[:3])
    return report, served


# --- data and protocol (pure) -----------------------------------------------------------------


def read_tags(folder: Path) -> dict[str, list[Tag]]:
    """``tags.csv`` by user id, each user's tags by time (ties by movie id, then tag)."""
    tags: dict[str, list[Tag]] = defaultdict(list)
    with (folder / "tags.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            tags[row["userId"]].append((int(row["timestamp"]), int(row["movieId"]), row["tag"]))
    for found in tags.values():
        found.sort()
    return dict(tags)


def pre_cut_tags(tags: Sequence[Tag], train: Sequence[Rating]) -> list[Tag]:
    """The tags written at or before the user's cut (their last training rating); none without
    training ratings."""
    if not train:
        return []
    cut = max(t for t, _, _ in train)
    return [tag for tag in tags if tag[0] <= cut]


def split_users(ratings: Mapping[str, list[Rating]], tags: Mapping[str, Sequence[Tag]]) -> Split:
    """The temporal split of every user with ratings, and the text-only users among them: a tag
    at or before their cut and a held-out rating >= 4."""
    train, held = {}, {}
    for user, events in ratings.items():
        train[user], held[user] = baselines.split(events)
    text_users = {}
    for user in ratings:
        written = pre_cut_tags(tags.get(user, ()), train[user])
        if written and any(r >= 4 for _, _, r in held[user]):
            text_users[user] = written
    others = sorted((u for u in ratings if u not in text_users), key=int)
    return Split(train, held, text_users, others)


@dataclass(frozen=True)
class Earlier:
    """A text-only user's validation part: what they wrote, and liked, before their test cut."""

    tags: list[Tag]  # at or before the validation cut
    positives: set[int]  # movies rated >= 4 after the validation cut, before the test cut


def validation_users(split: Split, tags: Mapping[str, Sequence[Tag]]) -> dict[str, Earlier]:
    """Each text-only user's training ratings split as the test split splits them all; those
    with a tag at or before the validation cut and a rating >= 4 after it."""
    found = {}
    for user in split.text_users:
        before, after = baselines.split(split.train[user])
        written = pre_cut_tags(tags.get(user, ()), before)
        positives = {m for _, m, r in after if r >= 4}
        if written and positives:
            found[user] = Earlier(written, positives)
    return found


def subset(split: Split, *, text_users: int, others: int) -> Split:
    """``text_users`` text-only users and ``others`` other users, those with the fewest ratings
    (ties by id): a small catalogue, so that the relations job is short."""

    def fewest(users: Sequence[str], count: int) -> list[str]:
        size = {u: len(split.train[u]) + len(split.held[u]) for u in users}
        return sorted(sorted(users, key=lambda u: (size[u], int(u)))[:count], key=int)

    chosen = fewest(list(split.text_users), text_users)
    rest = fewest(split.others, others)
    keep = set(chosen) | set(rest)
    return Split(
        {u: r for u, r in split.train.items() if u in keep},
        {u: r for u, r in split.held.items() if u in keep},
        {u: split.text_users[u] for u in chosen},
        rest,
    )


def positive_columns(held: Sequence[Rating], item_col: Mapping[int, int]) -> set[int]:
    """The catalogue columns of the held-out ratings >= 4 (an item outside the catalogue gets a
    column of its own that no method can recommend: a miss)."""
    return {item_col.get(m, -1 - m) for _, m, r in held if r >= 4}


def popularity_counts(items: Sequence[int], loaded: Mapping[str, Sequence[Rating]]) -> np.ndarray:
    """How many loaded users rated each catalogue item (one per user and item)."""
    col = {m: j for j, m in enumerate(items)}
    counts = np.zeros(len(items))
    for events in loaded.values():
        for m in {m for _, m, _ in events}:
            counts[col[m]] += 1
    return counts


def most_popular(popularity: np.ndarray, k: int) -> list[int]:
    """The ``k`` most popular columns, ties by column (item id)."""
    order = np.lexsort((np.arange(len(popularity)), -popularity))
    return [int(j) for j in order[:k]]


def item_documents(
    items: Sequence[int], titles: Mapping[int, str], tags: Mapping[str, Sequence[Tag]]
) -> list[str]:
    """One document per catalogue item: its title, then every tag put on it in ``tags``."""
    on_item: dict[int, list[str]] = defaultdict(list)
    for user in sorted(tags, key=int):
        for _, movie, text in tags[user]:
            on_item[movie].append(text)
    return [" ".join([titles.get(m, ""), *on_item.get(m, [])]) for m in items]


def user_document(tags: Sequence[Tag]) -> str:
    return " ".join(text for _, _, text in tags)


def tfidf_ranker(
    documents: Sequence[str], popularity: np.ndarray, k: int
) -> Callable[[str], list[int]]:
    """Rank the documents' columns by the TF-IDF cosine to a query text, best ``k`` first; ties
    (no shared term included) by popularity, then column."""
    vectorizer = TfidfVectorizer(stop_words="english")
    matrix = vectorizer.fit_transform(documents)  # rows are unit length: a dot is the cosine
    columns = np.arange(len(documents))

    def rank(text: str) -> list[int]:
        query = vectorizer.transform([text])
        cosine = np.asarray((matrix @ query.T).todense()).ravel()
        order = np.lexsort((columns, -popularity, -np.round(cosine, 12)))
        return [int(j) for j in order[:k]]

    return rank


def summarise(per_user: Mapping[str, Sequence[dict[str, float]]], *, seed: int) -> dict[str, Any]:
    """Each method's means and bootstrap intervals, and ours minus the best baseline, paired."""
    return intervals.summarise(per_user, seed=seed, metrics=METRICS, baselines=BASELINES,
                               ours=OURS)  # fmt: skip


# --- the graph and the API ------------------------------------------------------------------


def wipe(graph: Graph) -> None:
    """An empty benchmark graph: users, then items (so the catalogue's titles are analysed again
    for ABOUT), then interests."""
    delete_all_users(graph)
    graph.run("admin/delete_by_id_prefix", prefix="")
    delete_all_interests(graph)


def load(
    graph: Graph,
    items: Sequence[int],
    titles: Mapping[int, str],
    genres: Mapping[int, list[str]],
    ratings: Mapping[str, Sequence[Rating]],
    tags: Mapping[str, Sequence[Tag]],
) -> None:
    """The catalogue, the ratings as ``rate`` events and the tags as texts about their movies,
    as ``importers.import_movielens`` writes them."""
    from graph.text.extraction import default_extractor

    catalogue = [{"id": str(m), "title": titles[m], "categories": genres[m]} for m in items]
    events = [
        {"user_id": u, "item_id": str(m), "kind": "rate", "value": r, "timestamp": t}
        for u, rows in ratings.items() for t, m, r in rows
    ]  # fmt: skip
    # text ids as importers.movielens_tags makes them
    texts = [
        {"user_id": u, "item_id": str(m), "text": text, "timestamp": t, "source": "tag",
         "text_id": f"ml-tag:{m}:{hashlib.sha256(text.encode()).hexdigest()[:12]}"}
        for u, rows in tags.items() for t, m, text in rows
    ]  # fmt: skip
    importers.import_records(graph, ItemIn, lambda: catalogue, progress=False)
    importers.import_records(
        graph, EventIn, lambda: events, row=BENCH_PSEUDONYMS.event_row, progress=False
    )
    if texts:
        importers.import_texts(
            graph, default_extractor(), lambda: texts, BENCH_PSEUDONYMS, progress=False
        )


def build_relations(graph: Graph) -> dict[str, int]:
    from graph.text import relations
    from graph.text.encoder import encode
    from graph.text.extraction import default_extractor

    built = relations.build_relations(graph, default_extractor(), encode, progress=False)
    return {"items_analysed": built.items_analysed, "category_links": built.category_links,
            "related_pairs": built.related_pairs}  # fmt: skip


@dataclass(frozen=True)
class Served:
    """What the API said to one text-only user."""

    texts: list[dict[str, Any]]  # the answers of POST /v1/users/{id}/texts, per text
    default: dict[str, Any]  # GET .../recommendations?k=10
    current: dict[str, Any]  # GET ...?k=10&policy=current&explain=true


def ask(base: str, headers: dict[str, str], user: str, tags: Sequence[Tag]) -> Served:
    """Post the user's tags, then ask for recommendations twice."""
    texts = post_texts(base, headers, user, tags)
    url = f"{base}/v1/users/{quote(user)}"
    default = call("GET", f"{url}/recommendations?k={K}", headers)
    current = call("GET", f"{url}/recommendations?k={K}&policy=current&explain=true", headers)
    return Served(texts, default, current)


def post_texts(
    base: str, headers: dict[str, str], user: str, tags: Sequence[Tag]
) -> list[dict[str, Any]]:
    """Post the user's tags (in batches the API takes); the API's answer per text."""
    url = f"{base}/v1/users/{quote(user)}/texts"
    texts: list[dict[str, Any]] = []
    body = [{"text": text, "timestamp": datetime.fromtimestamp(t, UTC).isoformat(),
             "source": "tag"} for t, _, text in tags]  # fmt: skip
    for start in range(0, len(body), TEXT_BATCH):
        texts += call("POST", url, headers, body[start : start + TEXT_BATCH])["texts"]
    return texts


def validate(
    graph: Graph, base: str, headers: dict[str, str], users: Mapping[str, Earlier]
) -> dict[str, Any]:
    """The text-only blend chosen on the validation split (see the module's description)."""
    ids = {user: BENCH_PSEUDONYMS.user(f"val-{user}") for user in users}
    for user, earlier in users.items():
        post_texts(base, headers, f"val-{user}", earlier.tags)
    now = graph.read("admin/now")[0]["now"].to_native()
    gathered = {}
    for user in users:
        found = recommend.gather(graph, ids[user], as_of=now)
        if found.targets:
            gathered[ids[user]] = found
    wanted = {ids[u]: {str(m) for m in users[u].positives} for u in users if ids[u] in gathered}
    blends = blend_tuning.text_only_blends()
    choice = blend_tuning.search(gathered, wanted, blends=blends)
    for pseudonym in ids.values():
        erasure.erase_user(graph, pseudonym)
    return {"users": len(users), "ranked": choice.users, "chosen": asdict(choice.weights),
            "shipped": asdict(recommend.TEXT_ONLY_WEIGHTS),
            "shipped_is_chosen": choice.weights == recommend.TEXT_ONLY_WEIGHTS,
            "ndcg": choice.ndcg, "shipped_ndcg": choice.default_ndcg,
            "blends": [{"profile": w.profile, "popularity": w.popularity, "ndcg": score}
                       for w, score in zip(blends, choice.scores, strict=False)]}  # fmt: skip


def call(method: str, url: str, headers: dict[str, str], body: Any = None) -> dict[str, Any]:
    status, answer = http(method, url, headers, body)
    if status != 200:
        raise SystemExit(f"{method} {url}: {status} {answer[:300]!r}")
    found: dict[str, Any] = json.loads(answer)
    return found


def columns(items: Sequence[Mapping[str, Any]], item_col: Mapping[int, int]) -> list[int]:
    """An answer's items as catalogue columns (an item outside the catalogue matches nothing)."""
    return [item_col.get(int(i["item_id"]), -(10**9)) if i["item_id"].isdigit() else -(10**9)
            for i in items]  # fmt: skip


def reason_kind(reason: str | None) -> str:
    """A reason in words without its particulars: "you like sci-fi (3 signals, …)" is "you like"."""
    if reason is None:
        return "none"
    for kind in ("you like", "people who liked", "similar to", "liked by", "shown to explore",
                 "you engaged with", "popular lately", "popular"):  # fmt: skip
        if reason.startswith(kind):
            return kind
    return "other"


def answered_by(served: Mapping[str, Served]) -> dict[str, Any]:
    """Which sources answered: cold starts, the sources with a score on each item, the reasons,
    and what the texts were linked to."""
    found: dict[str, Any] = {}
    for name, pick in (("default", lambda s: s.default), ("current", lambda s: s.current)):
        answers = [pick(s) for s in served.values()]
        sources: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        for answer in answers:
            for item in answer["items"]:
                scored = sorted(k for k, v in item["sources"].items() if v)
                sources["+".join(scored) or "(none)"] += 1
                reasons[reason_kind(item.get("reason"))] += 1
        found[name] = {"cold_start": sum(bool(a["cold_start"]) for a in answers),
                       "answers": len(answers),
                       "items": sum(len(a["items"]) for a in answers),
                       "item_sources": dict(sources.most_common()),
                       "reasons": dict(reasons.most_common()),
                       "explored": sum(i.get("explored", False) for a in answers
                                       for i in a["items"])}  # fmt: skip
    texts = [t for s in served.values() for t in s.texts]
    links = Counter(i["link"] for t in texts for i in t["interests"])
    nothing_stored = sum(not any(t["stored"] for t in s.texts) for s in served.values())
    found["texts"] = {"posted": len(texts), "stored": sum(t["stored"] for t in texts),
                      "without_interest": sum(not t["interests"] for t in texts),
                      "links": dict(links), "users_with_none_stored": nothing_stored}  # fmt: skip
    return found


def examples(served: Mapping[str, Served], users: Sequence[str]) -> list[dict[str, Any]]:
    """A few users' linked interests and the top of their explained answer (titles, reasons)."""
    found = []
    for user in users:
        s = served[user]
        interests = Counter(i["interest"]["key"] for t in s.texts for i in t["interests"])
        found.append({
            "user": user,
            "interests": [k for k, _ in interests.most_common(8)],
            "answer": [(i["title"], i.get("reason")) for i in s.current["items"][:5]],
        })  # fmt: skip
    return found


def print_report(report: dict[str, Any]) -> None:
    results = report["results"]
    print(f"{report['users']} text-only users; 95% bootstrap intervals over users "
          f"({intervals.RESAMPLES} resamples, seed {report['seed']})")  # fmt: skip
    print(f"{'method':<32} {'NDCG@10':>22} {'Recall@10':>22} {'HR@10':>22}")
    for method, values in results.items():
        if method == "ours_minus_best_baseline":
            continue
        cells = [interval_cell(values[m]) for m in METRICS]
        print(f"{method:<32} {cells[0]:>22} {cells[1]:>22} {cells[2]:>22}")
    paired = results["ours_minus_best_baseline"]
    cells = [interval_cell(paired[m]) for m in METRICS]
    label = f"ours − {paired['baseline']}"[:32]
    print(f"{label:<32} {cells[0]:>22} {cells[1]:>22} {cells[2]:>22}")
    found = report["validation"]
    print(f"validation ({found['ranked']} of {found['users']} users ranked): chosen "
          f"{found['chosen']} NDCG@10 {found['ndcg']:.4f}; shipped {found['shipped']} "
          f"{found['shipped_ndcg']:.4f} (the shipped one is the chosen one: "
          f"{found['shipped_is_chosen']})")  # fmt: skip
    for blend in found["blends"]:
        print(f"  validation: profile {blend['profile']:g}, popularity {blend['popularity']:g}: "
              f"NDCG@10 {blend['ndcg']:.4f}")  # fmt: skip
    for name, found in report["answered_by"].items():
        print(f"{name}: {found}")
    for example in report["examples"]:
        print(f"example: {example}")
    print(f"stages (s): { {k: round(v, 1) for k, v in report['seconds_by_stage'].items()} }, "
          f"total {report['seconds']:.0f} s")  # fmt: skip


if __name__ == "__main__":
    main()
