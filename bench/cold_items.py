"""New items (item cold start): held-out items ranked for the users who liked them (issue 18 §1).

    python -m bench.cold_items [ML_DIR] [--seed N] [--smoke] [--epochs N]

Protocol (ml-latest-small): the per-user temporal split of ``bench/recommend.py``
(``bench.baselines.split``: each user's oldest ceil(80%) ratings by time, ties by item id, train;
the rest are held out). A user's cut is the time of their last training rating. Of the items with
at least one rating, a seeded 20% (``--seed``) are *new*: every rating of them is removed from
training. They stay in the catalogue with their titles and genres, and every user's tags written
at or before that user's cut are loaded as texts about the tagged items (new ones included).
Positives: held-out ratings >= 4 of new items. Scored users: those with at least one. Each method
ranks, for each scored user, the new items the user did not rate before their cut (every method
gets the same candidates; those ratings were removed from training, so nothing else knows them).
NDCG@10 and Recall@10 (``bench.baselines.metrics``).

Ours: the graph is loaded as ``bench/text_users.py`` loads it (catalogue, training ratings as
``rate`` events, the pre-cut tags as texts with their item ids), the knowledge relations are built
(ABOUT from titles, categories of interests, related interests), and ``retraining.retrain`` trains
the embeddings and the item-to-item model (RotatE, ``--epochs`` epochs with a single validation
check, and a 98/1/1 triple split so that PyKEEN's two evaluations take a minute rather than eight
on two cores; the split only decides what is held out for the run's MRR). Then, per user, with
the service's own functions:
- shipped: the service's new-items list (``service.new_items``, ``GET
  /v1/users/{id}/new-items``: the targets cosine below with the shipped ``ABOUT_FACTOR``, ties
  to the newest), the user's candidates in its order; it leaves out items the user wrote about,
  and a list may be short (only items that share a target with the profile are listed); its
  answer time in process (one user at a time, the bench's Neo4j) is reported. The list is also
  asked with each of ``ABOUT_FACTORS``, and the factor whose list scores best on the dev half is
  reported beside the shipped one (``choose_list_factor``: what ``ABOUT_FACTOR`` ships, chosen
  by the service's own ranking, ties included). The report also
  counts the new items the ordinary list would show (``recommend.gather`` with every
  source, blended with ``DEFAULT_WEIGHTS`` and spread by ``recommend.rank``);
- embedding: every new item by the cosine between its served vector and the query the embedding
  source composes from the user's vector and ``interacted`` (no vector: not ranked);
- profile: every new item by the summed strength of the user's profile targets (the ones
  ``gather`` found) that reach it through ``IN_CATEGORY`` or ``ABOUT``, as
  ``recommend/profile_candidates`` scores affinity, without its per-target popularity cut;
- targets: the cosine between the user's profile targets (their strengths) and the item's
  targets (its categories and ``ABOUT`` interests), each item target weighed by its inverse
  document frequency over the catalogue (``log(items / items reaching it)``: a rare interest says
  more than "Drama") and the interests by a factor (``ABOUT_FACTORS``) chosen on the dev half
  (``service.new_items``' functions, with this benchmark's ties);
- combination: ``w · (score / the user's best)`` over profile, embedding, targets and the
  category popularity the graph holds (the summed popularity of the items of an item's
  categories), the weights chosen by grid search on the dev half of the scored users (seeded) and
  reported on the other half, the test half, with every method's figures there. The ratio to
  the goal (>= 1.3× the best baseline's NDCG@10) is on the test half.

Baselines, same users and candidates: genre popularity (the mean, over an item's genres, of the
number of training ratings of items of that genre), the user's genre profile (the shares of
genres among their training ratings >= 4, summed over the item's genres), and TF-IDF (cosine
between the user's liked titles and pre-cut tags and each item's title and pre-cut tags;
``TfidfVectorizer`` with English stop words, fitted on the catalogue's documents). Ties: by genre
popularity, then item id.

Reports each method's means with a seeded percentile bootstrap 95% interval (1,000 resamples of
users), the paired interval of ours minus the best baseline, the ratio; then one JSON line.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from bench import baselines, intervals
from bench.common import (
    BENCH_PSEUDONYMS,
    SHARED_DATA,
    Rating,
    bench_server,
    delete_all_users,
    read_movies,
    read_ratings,
)
from bench.intervals import interval_cell
from bench.text_users import (
    Tag,
    build_relations,
    load,
    read_tags,
    wipe,
)
from embeddings import retraining, runs
from embeddings.training import TrainingConfig, compose
from embeddings.vectors import user_vector
from graph.evolution import profiles as profiles_of
from graph.store import Graph
from service import new_items, recommend

K = 10
NEW_SHARE = 0.2
FUTURE = datetime(2100, 1, 1, tzinfo=UTC)  # as bench/recommend.py ranks
METRICS = ("ndcg@10", "recall@10")
GENRE_POP = "genre popularity"
GENRE_PROFILE = "user genre profile"
TFIDF = "TF-IDF (liked titles + tags)"
BASELINES = (GENRE_POP, GENRE_PROFILE, TFIDF)
SHIPPED = "ours: the service's new-items list"
EMBEDDING = "ours: embedding only"
PROFILE = "ours: profile only"
TARGETS = "ours: targets, IDF cosine"
CATEGORY_POP = "ours: category popularity (graph)"
COMBINED = "ours: combination (dev-chosen)"
OURS = COMBINED
FEATURES = ("profile", "embedding", "targets", "category_popularity")
GRID = (0.0, 0.25, 0.5, 1.0)
# an ABOUT interest's weight against a category's, in targets (0: the interests left out)
ABOUT_FACTORS = (0.0, 0.1, 0.25, 0.5, 1.0)

Scores = dict[int, float]  # new item id -> score (an item missing is not ranked)


@dataclass(frozen=True)
class ColdSplit:
    """The temporal split with the new items taken out of training."""

    new_items: frozenset[int]
    train: dict[str, list[Rating]]  # training ratings, new items removed
    cuts: dict[str, int]  # each user's cut (their last training rating before removal)
    seen_new: dict[str, set[int]]  # new items each user rated before the cut (not candidates)
    positives: dict[str, set[int]]  # scored users: held-out ratings >= 4 of new items

    def candidates(self, user: str) -> list[int]:
        """The new items ``user`` is ranked on, by id."""
        return sorted(self.new_items - self.seen_new.get(user, set()))


@dataclass(frozen=True)
class TargetProfiles:
    """What the targets feature compares: each scored user's profile targets (key -> strength),
    each new item's targets, and how many catalogue items reach each target."""

    targets: dict[str, dict[str, float]]
    reaches: dict[int, list[str]]  # new item -> its target keys ('category:...', 'interest:...')
    frequency: Counter[str]  # target key -> catalogue items reaching it
    catalogue: int

    def items(self, about_factor: float) -> dict[int, dict[str, float]]:
        """Each new item's target weights: IDF, times ``about_factor`` for an interest."""
        return {m: new_items.target_weights({t: self.frequency[t] for t in keys}, self.catalogue,
                                            about_factor)
                for m, keys in self.reaches.items()}  # fmt: skip


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("movielens", nargs="?", type=Path, default=SHARED_DATA / "ml-latest-small")
    parser.add_argument("--seed", type=int, default=1, help="new items, dev half, bootstrap")
    parser.add_argument("--smoke", action="store_true", help="60 users (fewest ratings), 2 epochs")
    parser.add_argument("--epochs", type=int, default=30, help="of the embedding run (smoke: 2)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    titles, genres = read_movies(args.movielens)
    ratings = read_ratings(args.movielens)
    if args.smoke:
        ratings = fewest_ratings(ratings, 60)
    tags = read_tags(args.movielens)
    split = cold_split(ratings, seed=args.seed)
    report = run(args, split, tags, titles, genres)
    report["seconds"] = time.perf_counter() - started
    print_report(report)
    print(json.dumps(report))


def run(
    args: argparse.Namespace,
    split: ColdSplit,
    tags: Mapping[str, Sequence[Tag]],
    titles: Mapping[int, str],
    genres: Mapping[int, list[str]],
) -> dict[str, Any]:
    catalogue = sorted({m for u in split.cuts for m in rated_items(split, u)} | split.new_items)
    texts = loaded_tags(tags, split.cuts, set(catalogue))
    users = sorted(split.positives, key=int)
    dev, test = halves(users, seed=args.seed)
    tagged = tagged_positives(split.positives, texts)
    print(f"{len(users)} scored users ({len(dev)} dev, {len(test)} test), {len(split.new_items)} "
          f"new items of {len(catalogue)}, {sum(map(len, texts.values()))} pre-cut tags; "
          f"{tagged} positives tagged by their user before the cut")  # fmt: skip
    report: dict[str, Any] = {"benchmark": "cold_items", "smoke": args.smoke, "seed": args.seed,
                              "users": len(users), "dev_users": len(dev), "test_users": len(test),
                              "new_items": len(split.new_items), "items": len(catalogue),
                              "positives": sum(map(len, split.positives.values())),
                              "positives_tagged_before_cut": tagged}  # fmt: skip
    scores = baseline_scores(split, users, titles, genres, texts)
    seconds: dict[str, float] = {}
    epochs = 2 if args.smoke else args.epochs
    config = TrainingConfig(epochs=epochs, check_every=epochs, split=(0.98, 0.01, 0.01))
    with bench_server() as (_, _, graph):
        clock = time.perf_counter()
        wipe(graph)
        load(graph, catalogue, titles, genres, split.train, texts)
        seconds["wipe_and_import"] = time.perf_counter() - clock
        clock = time.perf_counter()
        report["relations"] = build_relations(graph)
        seconds["relations"] = time.perf_counter() - clock
        trained = retraining.retrain(graph, config, quality_floor=0.0)
        seconds["training"] = sum(trained.seconds.values())
        report["training"] = {"status": trained.status, "config": config.as_dict(),
                              "metrics": trained.metrics, "stages": trained.seconds}  # fmt: skip
        mrr = trained.metrics.get("mrr", 0.0)
        print(f"import {seconds['wipe_and_import']:.0f} s, relations {seconds['relations']:.0f} "
              f"s, training ({config.model}, {trained.status}, {epochs} epochs, one check) "
              f"{seconds['training']:.0f} s, test MRR {mrr:.4f}")  # fmt: skip
        clock = time.perf_counter()
        ours, reach, profiles, lists = graph_scores(graph, split, users)
        seconds["ranking"] = time.perf_counter() - clock
        delete_all_users(graph)
    scores.update(ours)
    report["reach"] = reach
    rankings = {m: {u: rank_items(s[u], split.candidates(u), scores[GENRE_POP][u]) for u in users}
                for m, s in scores.items()}  # fmt: skip
    listed, by_list = choose_list_factor(lists, split, dev)
    report["service_about_factor"] = {"chosen_on_dev": listed, "shipped": new_items.ABOUT_FACTOR,
                                      "dev_ndcg@10": by_list}  # fmt: skip
    rankings[SHIPPED] = lists[new_items.ABOUT_FACTOR]
    factor, by_factor = choose_about_factor(profiles, split, dev, scores[GENRE_POP])
    report["about_factor"] = {"chosen": factor, "dev_ndcg@10": by_factor}
    scores[TARGETS] = {u: new_items.target_cosines(profiles.targets[u], profiles.items(factor))
                       for u in users}  # fmt: skip
    rankings[TARGETS] = {u: rank_items(scores[TARGETS][u], split.candidates(u),
                                       scores[GENRE_POP][u]) for u in users}  # fmt: skip
    weights = choose_weights(scores, split, dev)
    report["weights"] = weights
    rankings[COMBINED] = {u: feature_table(scores, u, split.candidates(u)).ranked(weights)
                          for u in users}  # fmt: skip
    per_user = {m: {u: baselines.metrics(r[u], split.positives[u]) for u in users}
                for m, r in rankings.items()}  # fmt: skip
    report["test"] = summarise({m: [v[u] for u in test] for m, v in per_user.items()},
                               seed=args.seed)  # fmt: skip
    report["dev"] = summarise({m: [v[u] for u in dev] for m, v in per_user.items()},
                              seed=args.seed)  # fmt: skip
    report["all"] = summarise({m: [v[u] for u in users] for m, v in per_user.items()},
                              seed=args.seed)  # fmt: skip
    report["seconds_by_stage"] = seconds
    return report


# --- split and protocol (pure) ----------------------------------------------------------------


def fewest_ratings(ratings: Mapping[str, list[Rating]], count: int) -> dict[str, list[Rating]]:
    """The ``count`` users with the fewest ratings (ties by id): a small catalogue for --smoke."""
    chosen = sorted(ratings, key=lambda u: (len(ratings[u]), int(u)))[:count]
    return {u: ratings[u] for u in sorted(chosen, key=int)}


def choose_new_items(
    items: Sequence[int], *, seed: int, share: float = NEW_SHARE
) -> frozenset[int]:
    """A seeded ``share`` of ``items`` (rounded to the nearest item), independent of their order."""
    ordered = sorted(set(items))
    rng = np.random.default_rng(seed)
    count = round(share * len(ordered))
    return frozenset(int(m) for m in rng.choice(ordered, size=count, replace=False))


def cold_split(
    ratings: Mapping[str, list[Rating]], *, seed: int, share: float = NEW_SHARE
) -> ColdSplit:
    """The temporal split, then a seeded ``share`` of the rated items made new: their ratings
    leave training; the held-out ratings >= 4 of them are the positives."""
    new = choose_new_items([m for events in ratings.values() for _, m, _ in events],
                           seed=seed, share=share)  # fmt: skip
    train: dict[str, list[Rating]] = {}
    cuts: dict[str, int] = {}
    seen_new: dict[str, set[int]] = {}
    wanted: dict[str, set[int]] = {}
    for user, events in ratings.items():
        before, held = baselines.split(events)
        if before:
            cuts[user] = max(t for t, _, _ in before)
        train[user] = [e for e in before if e[1] not in new]
        seen_new[user] = {m for _, m, _ in before if m in new}
        found = {m for _, m, r in held if r >= 4 and m in new} - seen_new[user]
        if found:
            wanted[user] = found
    return ColdSplit(new, train, cuts, seen_new, wanted)


def rated_items(split: ColdSplit, user: str) -> set[int]:
    return {m for _, m, _ in split.train.get(user, ())}


def loaded_tags(
    tags: Mapping[str, Sequence[Tag]], cuts: Mapping[str, int], catalogue: set[int]
) -> dict[str, list[Tag]]:
    """Every user's tags at or before their cut, on catalogue items."""
    found = {}
    for user, cut in cuts.items():
        kept = [t for t in tags.get(user, ()) if t[0] <= cut and t[1] in catalogue]
        if kept:
            found[user] = kept
    return found


def tagged_positives(positives: Mapping[str, set[int]], texts: Mapping[str, Sequence[Tag]]) -> int:
    """Positives the same user tagged before the cut (their tag is in the graph; a leak every
    text method shares)."""
    return sum(len(p & {m for _, m, _ in texts.get(u, ())}) for u, p in positives.items())


def halves(users: Sequence[str], *, seed: int) -> tuple[list[str], list[str]]:
    """A seeded half of ``users`` as dev, the rest as test; both by id."""
    ordered = sorted(users, key=int)
    rng = np.random.default_rng(seed)
    dev = set(rng.permutation(len(ordered))[: len(ordered) // 2].tolist())
    return ([u for i, u in enumerate(ordered) if i in dev],
            [u for i, u in enumerate(ordered) if i not in dev])  # fmt: skip


def rank_items(scores: Scores, candidates: Sequence[int], tie: Scores, k: int = K) -> list[int]:
    """The best ``k`` candidates with a score, by score, then ``tie`` (higher first), then id."""
    scored = [m for m in candidates if m in scores]
    return sorted(scored, key=lambda m: (-round(scores[m], 12), -tie.get(m, 0.0), m))[:k]


# --- baselines (pure) -------------------------------------------------------------------------


def genre_popularity(
    train: Mapping[str, Sequence[Rating]], genres: Mapping[int, list[str]], items: Sequence[int]
) -> Scores:
    """Each item's mean, over its genres, of the genre's training ratings (no genre: 0)."""
    counts: Counter[str] = Counter()
    for events in train.values():
        for _, m, _ in events:
            counts.update(genres.get(m, ()))
    return {m: float(np.mean([counts[g] for g in genres[m]])) if genres.get(m) else 0.0
            for m in items}  # fmt: skip


def genre_profile(
    liked: Sequence[int], genres: Mapping[int, list[str]], items: Sequence[int]
) -> Scores:
    """The user's genre shares among their liked items, summed over each item's genres."""
    counts: Counter[str] = Counter(g for m in liked for g in genres.get(m, ()))
    total = sum(counts.values())
    shares = {g: c / total for g, c in counts.items()} if total else {}
    return {m: sum(shares.get(g, 0.0) for g in genres.get(m, ())) for m in items}


def liked_items(events: Sequence[Rating]) -> list[int]:
    return [m for _, m, r in events if r >= 4]


def item_texts(
    items: Sequence[int], titles: Mapping[int, str], tags: Mapping[str, Sequence[Tag]]
) -> dict[int, str]:
    """Each item's title, then the loaded tags put on it (users by id, each in time order)."""
    on_item: dict[int, list[str]] = defaultdict(list)
    for user in sorted(tags, key=int):
        for _, m, text in tags[user]:
            on_item[m].append(text)
    return {m: " ".join([titles.get(m, ""), *on_item.get(m, [])]) for m in items}


def tfidf_scorer(documents: Mapping[int, str]) -> Callable[[str, Sequence[int]], Scores]:
    """The TF-IDF cosine between a query text and each item's document, fitted on ``documents``."""
    ids = list(documents)
    row = {m: i for i, m in enumerate(ids)}
    vectorizer = TfidfVectorizer(stop_words="english")
    matrix = vectorizer.fit_transform([documents[m] for m in ids])  # unit rows: a dot is a cosine

    def score(text: str, items: Sequence[int]) -> Scores:
        cosine = np.asarray((matrix @ vectorizer.transform([text]).T).todense()).ravel()
        return {m: float(cosine[row[m]]) for m in items}

    return score


def baseline_scores(
    split: ColdSplit,
    users: Sequence[str],
    titles: Mapping[int, str],
    genres: Mapping[int, list[str]],
    texts: Mapping[str, Sequence[Tag]],
) -> dict[str, dict[str, Scores]]:
    """Each baseline's score of every new item, per user."""
    new = sorted(split.new_items)
    popular = genre_popularity(split.train, genres, new)
    everything = sorted({m for u in split.train for m in rated_items(split, u)} | split.new_items)
    tfidf = tfidf_scorer(item_texts(everything, titles, texts))
    found: dict[str, dict[str, Scores]] = {GENRE_POP: {}, GENRE_PROFILE: {}, TFIDF: {}}
    for user in users:
        liked = liked_items(split.train.get(user, []))
        found[GENRE_POP][user] = popular
        found[GENRE_PROFILE][user] = genre_profile(liked, genres, new)
        query = " ".join([*(titles.get(m, "") for m in liked),
                          *(text for _, _, text in texts.get(user, ()))])  # fmt: skip
        found[TFIDF][user] = tfidf(query, new)
    return found


# --- ours: the graph's scores --------------------------------------------------------------------


def profile_affinity(targets: Mapping[str, float], reaches: Mapping[int, Sequence[str]]) -> Scores:
    """Each item's summed target strength over the targets it reaches (none reached: no score)."""
    found = {}
    for item, reached in reaches.items():
        hit = [targets[t] for t in set(reached) if t in targets]
        if hit:
            found[item] = float(sum(hit))
    return found


def cosines(query: np.ndarray, vectors: Mapping[int, np.ndarray]) -> Scores:
    """The cosine between ``query`` and each item's vector."""
    q = query / (np.linalg.norm(query) + 1e-9)
    return {m: float(v @ q / (np.linalg.norm(v) + 1e-9)) for m, v in vectors.items()}


def category_popularity(
    categories: Mapping[int, Sequence[str]], popularity: Mapping[int, int], items: Sequence[int]
) -> Scores:
    """Each item's mean, over its categories, of the summed popularity of the category's items."""
    totals: Counter[str] = Counter()
    for m, cats in categories.items():
        for c in cats:
            totals[c] += popularity.get(m, 0)
    return {m: float(np.mean([totals[c] for c in categories[m]])) if categories.get(m) else 0.0
            for m in items}  # fmt: skip


def graph_scores(
    graph: Graph, split: ColdSplit, users: Sequence[str]
) -> tuple[
    dict[str, dict[str, Scores]], dict[str, Any], TargetProfiles, dict[float, dict[str, list[int]]]
]:
    """Ours, per user: the embedding cosine, the profile affinity, and the category popularity
    the graph holds; with what reached new items, what the targets feature compares, and the
    service's new-items list for each of ``ABOUT_FACTORS``."""
    new = sorted(split.new_items)
    ids = [str(m) for m in new]
    everything = sorted({m for u in split.train for m in rated_items(split, u)} | split.new_items)
    rows = graph.read("evolution/item_targets", ids=[str(m) for m in everything])
    reached = {int(r["item"]): [*r["categories"], *(k for _, k in r["about"])] for r in rows}
    reaches = {m: reached[m] for m in new if m in reached}
    frequency = Counter(t for keys in reached.values() for t in set(keys))
    details = recommend.fetch_items(graph, [str(m) for m in everything])
    categories = {int(i): d.categories for i, d in details.items()}
    popularity = {int(i): d.popularity for i, d in details.items()}
    prior = category_popularity(categories, popularity, new)
    serving = runs.serving(graph)
    vectors = {}
    relation = None
    if serving is not None:
        vectors = {
            int(i): v for i, v in recommend.fetch_item_vectors(graph, ids, serving.property).items()
        }
        if "interacted" in serving.relations:
            relation = np.asarray(serving.relations["interacted"], dtype=np.float32)
    found: dict[str, dict[str, Scores]] = {EMBEDDING: {}, PROFILE: {}, CATEGORY_POP: {}}
    sources: Counter[str] = Counter()
    profiles = TargetProfiles({}, reaches, frequency, len(everything))
    no_targets = 0
    in_ordinary = 0  # new items the ordinary ranking (gather + blend) would list, all users
    answered: list[float] = []  # seconds of each new-items answer, in process, one at a time
    lists: dict[float, dict[str, list[int]]] = {}  # the service's list per ABOUT factor and user
    for user in users:
        who = BENCH_PSEUDONYMS.user(user)
        gathered = recommend.gather(graph, who, as_of=FUTURE)
        mine = set(split.candidates(user))
        kept = {i: c for i, c in gathered.candidates.items() if i.isdigit() and int(i) in mine}
        for c in kept.values():
            sources["+".join(sorted(s for s, v in c.features.items() if v and s != "popularity"))
                    or "(popularity only)"] += 1  # fmt: skip
        asked = K + len(split.seen_new.get(user, ()))
        clock = time.perf_counter()
        history = profiles_of.history_rows(graph, who, until=FUTURE)  # read once, as one answer
        read = time.perf_counter() - clock
        for factor in ABOUT_FACTORS:
            clock = time.perf_counter()
            listed = new_items.new_items(graph, who, k=asked, as_of=FUTURE, about_factor=factor,
                                         rows=history).items  # fmt: skip
            if factor == new_items.ABOUT_FACTOR:
                answered.append(read + time.perf_counter() - clock)
            chosen = [int(i.item_id) for i in listed if int(i.item_id) in mine][:K]
            lists.setdefault(factor, {})[user] = chosen
        ordinary = recommend.rank(replace(gathered, candidates=kept), K)
        in_ordinary += len(ordinary)
        targets = {s.target: s.blended for s in gathered.targets}
        profiles.targets[user] = targets
        no_targets += not targets
        found[PROFILE][user] = profile_affinity(targets, {m: reaches.get(m, []) for m in mine})
        vector = user_vector(graph, who, serving.property) if serving is not None else None
        if vector is not None and relation is not None and serving is not None:
            query = compose(serving.model, vector, relation)
            found[EMBEDDING][user] = cosines(query, {m: vectors[m] for m in mine if m in vectors})
        else:
            found[EMBEDDING][user] = {}
        found[CATEGORY_POP][user] = prior
    reach = {
        "new_items_with_vector": len(vectors),
        "new_items_with_about": sum(
            any(k.startswith("interest:") for k in reaches.get(m, [])) for m in new
        ),  # fmt: skip
        "new_items_with_category": sum(
            any(k.startswith("category:") for k in reaches.get(m, [])) for m in new
        ),  # fmt: skip
        "users_without_profile_targets": no_targets,
        "gathered_new_candidates_by_source": dict(sources.most_common()),
        "new_items_in_ordinary_lists": in_ordinary,
        "new_items_answer_ms": {f"p{q}": 1000 * float(np.percentile(answered, q)) for q in (50, 99)}
        if answered
        else {},  # fmt: skip
    }
    return found, reach, profiles, lists


def choose_about_factor(
    profiles: TargetProfiles, split: ColdSplit, dev: Sequence[str], tie: Mapping[str, Scores]
) -> tuple[float, dict[str, float]]:
    """The ``ABOUT_FACTORS`` value whose targets feature alone has the best mean NDCG@10 on
    ``dev`` (of equals the first), with each value's figure."""
    lists = {}
    for factor in ABOUT_FACTORS:
        items = profiles.items(factor)
        lists[factor] = {u: rank_items(new_items.target_cosines(profiles.targets[u], items),
                                       split.candidates(u), tie[u]) for u in dev}  # fmt: skip
    return choose_list_factor(lists, split, dev)


def choose_list_factor(
    lists: Mapping[float, Mapping[str, Sequence[int]]], split: ColdSplit, dev: Sequence[str]
) -> tuple[float, dict[str, float]]:
    """The ``ABOUT_FACTORS`` value whose lists (``lists``: per factor, each user's) have the best
    mean NDCG@10 on ``dev`` (of equals the first), with each value's figure; of the service's
    lists, what ``service.new_items.ABOUT_FACTOR`` ships."""
    found = {f"{f:g}": float(np.mean([baselines.metrics(lists[f][u], split.positives[u])["ndcg@10"]
                                      for u in dev])) if dev else 0.0
             for f in ABOUT_FACTORS}  # fmt: skip
    best = max(ABOUT_FACTORS, key=lambda f: (found[f"{f:g}"], -ABOUT_FACTORS.index(f)))
    return best, found


def normalised(scores: Scores) -> Scores:
    """Scores over the user's best absolute score (cosines may be negative): -1..1."""
    best = max((abs(v) for v in scores.values()), default=0.0)
    return {m: v / best for m, v in scores.items()} if best > 0 else {m: 0.0 for m in scores}


@dataclass(frozen=True)
class FeatureTable:
    """One user's candidates that some feature scores (by id), each feature's normalised score
    (0 where it has none) and the tie-breaking genre popularity: a combination ranks by
    ``values @ weights`` in ``rank_items``'s order (the sums may differ from Python's in the last
    bit, which can swap two candidates only on a boundary of the 12-place rounding)."""

    ids: np.ndarray
    values: np.ndarray  # candidates × FEATURES
    tie: np.ndarray

    def ranked(self, weights: Mapping[str, float], k: int = K) -> list[int]:
        """The best ``k`` by ``sum w · normalised score``, then ``tie`` (higher first), then id."""
        combined = np.round(self.values @ np.array([weights[f] for f in FEATURES]), 12)
        order = np.lexsort((self.ids, -self.tie, -combined))[:k]
        return [int(m) for m in self.ids[order]]


def feature_table(
    scores: Mapping[str, Mapping[str, Scores]], user: str, candidates: Sequence[int]
) -> FeatureTable:
    """The user's FEATURES over ``candidates``, each normalised (``normalised``); a candidate no
    feature scores is not ranked."""
    named = {"profile": PROFILE, "embedding": EMBEDDING, "targets": TARGETS,
             "category_popularity": CATEGORY_POP}  # fmt: skip
    parts = [normalised(dict(scores[named[f]][user])) for f in FEATURES]
    ids = [m for m in candidates if any(m in part for part in parts)]
    values = np.array([[part.get(m, 0.0) for part in parts] for m in ids], dtype=float)
    tie = np.array([scores[GENRE_POP][user].get(m, 0.0) for m in ids], dtype=float)
    return FeatureTable(np.array(ids, dtype=np.int64), values.reshape(len(ids), len(FEATURES)), tie)


def choose_weights(
    scores: Mapping[str, Mapping[str, Scores]], split: ColdSplit, dev: Sequence[str]
) -> dict[str, float]:
    """The FEATURES weights (GRID each, not all 0) with the best mean NDCG@10 on ``dev``; of
    equals the first tried."""
    best: tuple[float, dict[str, float]] | None = None
    tables = {u: feature_table(scores, u, split.candidates(u)) for u in dev}
    for values in itertools.product(GRID, repeat=len(FEATURES)):
        if not any(values):
            continue
        weights = dict(zip(FEATURES, values, strict=True))
        ndcg = float(np.mean([
            baselines.metrics(tables[u].ranked(weights), split.positives[u])["ndcg@10"]
            for u in dev
        ])) if dev else 0.0  # fmt: skip
        if best is None or ndcg > best[0] + 1e-12:
            best = (ndcg, weights)
    assert best is not None
    return {**best[1], "dev_ndcg@10": best[0]}


# --- report -------------------------------------------------------------------------------------


def summarise(per_user: Mapping[str, Sequence[dict[str, float]]], *, seed: int) -> dict[str, Any]:
    """Each method's means and intervals; ours minus the best baseline, paired, and the ratio."""
    found = intervals.summarise(per_user, seed=seed, metrics=METRICS, baselines=BASELINES,
                                ours=OURS)  # fmt: skip
    paired = found["ours_minus_best_baseline"]
    base = found[paired["baseline"]]["ndcg@10"]["mean"]
    paired["ratio_ndcg@10"] = found[OURS]["ndcg@10"]["mean"] / base if base > 0 else math.inf
    return found


def print_report(report: dict[str, Any]) -> None:
    print(f"{report['users']} scored users, {report['new_items']} new items of "
          f"{report['items']}; weights chosen on {report['dev_users']} dev users: "
          f"{report['weights']}")  # fmt: skip
    print(f"reach: {report['reach']}")
    chosen = report["service_about_factor"]
    print(f"the service's list, ABOUT factor chosen on dev: {chosen['chosen_on_dev']:g} (shipped: "
          f"{chosen['shipped']:g}); dev NDCG@10 by factor {chosen['dev_ndcg@10']}")  # fmt: skip
    for part in ("test", "all"):
        results = report[part]
        print(f"-- {part} users; 95% bootstrap intervals (1,000 resamples, seed {report['seed']})")
        print(f"{'method':<36} {'NDCG@10':>24} {'Recall@10':>24}")
        for method, values in results.items():
            if method != "ours_minus_best_baseline":
                print(f"{method:<36} {interval_cell(values['ndcg@10']):>24} "
                      f"{interval_cell(values['recall@10']):>24}")  # fmt: skip
        paired = results["ours_minus_best_baseline"]
        label = f"ours − {paired['baseline']}"[:36]
        print(f"{label:<36} {interval_cell(paired['ndcg@10']):>24} "
              f"{interval_cell(paired['recall@10']):>24}")  # fmt: skip
        print(f"ratio ours / best baseline NDCG@10: {paired['ratio_ndcg@10']:.2f} (goal >= 1.3)")
    print(f"stages (s): { {k: round(v, 1) for k, v in report['seconds_by_stage'].items()} }, "
          f"total {report['seconds']:.0f} s")  # fmt: skip


if __name__ == "__main__":
    main()
