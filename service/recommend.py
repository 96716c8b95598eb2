"""Recommendations: candidates from four sources, one tuned blend, facets spread, explained paths.

Candidates come from
- the user's profile at ``as_of`` (``graph.evolution.strength``): items in their strongest
  categories and about their strongest interests (Cypher over ``IN_CATEGORY`` and ``ABOUT``);
- the item-to-item model of the served run (``SIMILAR_TO`` edges, ``embeddings.item_similarity``)
  walked from the user's history, each past interaction weighted by its strength and its recency
  (``embeddings.item_model.history_weights``: what a user did last says most about what they
  want next);
- the served graph embeddings: items nearest the composed query ``(user, interacted, ?)`` in the
  item vector index;
- neighbours: items liked by the users whose vectors lie nearest the user's.
Each source's score is scaled to 0..1 over the candidates and blended with ``BlendWeights``
(those the served run chose on its validation split, ``service.blend_tuning``; else the
defaults; a user known only by texts has a blend of their own), then items are picked greedily
so that one category does not take every place. A user with no history gets the popular recent
items.

The ``fetch_*`` functions read the graph and return plain data; the rest (targets, candidates,
blend, spread, the answer's items and explanation paths) is computed from that data alone. Answers
are dataclasses with raw numbers and instants; ``service.api.recommendation_json`` writes them.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import ClassVar, TypeAlias

import numpy as np
from cachetools import LRUCache

from embeddings import item_model, item_table, runs
from embeddings.training import compose
from embeddings.vectors import user_vector
from graph.evolution import profiles, strength
from graph.evolution.strength import Signal, split_target
from graph.store import UNAVAILABLE_ERRORS, Graph

logger = logging.getLogger(__name__)

PROFILE_TARGETS = 10  # strongest positive targets that fetch candidates
CANDIDATES = 300  # per source
PER_TARGET = 100  # most popular unseen items per profile target
NEIGHBOURS = 20  # nearest users
SPREAD = 0.8  # each earlier pick in the same category multiplies an item's score by this
RECENT = timedelta(days=90)  # "recent" for the popular items of a cold start
LIKED_ANCHORS = 200  # newest liked items an embedding explanation may start from
LISTS_HELD = 2_000  # ranked member lists a worker keeps (each at most 2,000 ids), least used out


SOURCES = ("profile", "items", "embedding", "neighbours", "popularity")


@dataclass(frozen=True)
class BlendWeights:
    """The defaults: chosen by the grid search of ``service.blend_tuning`` on the validation split
    of bench/recommend.py (242 blends). With the item-to-item source in, the embedding and
    neighbour scores added nothing on MovieLens: their weight is 0, so they only bring
    candidates. Each run chooses its own on its graph (``serving_weights``)."""

    profile: float = 0.5
    items: float = 1.0
    embedding: float = 0.0
    neighbours: float = 0.0
    popularity: float = 0.0

    def active(self) -> frozenset[str]:
        """The sources whose scores count (a weight above 0)."""
        return frozenset(s for s in SOURCES if getattr(self, s) > 0)


DEFAULT_WEIGHTS = BlendWeights()
# A text-only user's blend (one with texts and no interactions: only the profile and popularity
# score), chosen by ``service.blend_tuning.search`` over ``blend_tuning.TEXT_ONLY_GRID`` on the
# validation split of bench/text_users.py (each text-only user's earlier tags and ratings; 33
# users: popularity 0.5, 1 and 2 scored NDCG@10 0.0133, popularity 0 0.0122; the first kept).
TEXT_ONLY_WEIGHTS = BlendWeights(profile=0.5, items=0.0, popularity=0.5)


def serving_weights(serving: runs.Serving | None) -> BlendWeights:
    """The blend the served run chose on its validation split (``service.blend_tuning``); the
    defaults for a run that chose none, and before the first run."""
    blend = serving.blend if serving is not None else None
    return _weights((blend or {}).get("weights"), DEFAULT_WEIGHTS)


def serving_text_only_weights(serving: runs.Serving | None) -> BlendWeights:
    """The blend the served run chose for text-only users (``blend_tuning.choose_text_only``);
    ``TEXT_ONLY_WEIGHTS`` for a run that chose none, and before the first run."""
    blend = serving.blend if serving is not None else None
    return _weights(((blend or {}).get("text_only") or {}).get("weights"), TEXT_ONLY_WEIGHTS)


def _weights(chosen: Mapping[str, float] | None, default: BlendWeights) -> BlendWeights:
    if not chosen:
        return default
    return BlendWeights(**{s: float(chosen[s]) for s in SOURCES if s in chosen})


def blend_for(gathered: Gathered, weights: BlendWeights | None = None) -> BlendWeights:
    """``weights`` when given; else the served run's blend for the user's situation: a user
    known only by texts (no interactions) gets the text-only blend, every other the warm one."""
    if weights is not None:
        return weights
    if not gathered.history:
        return serving_text_only_weights(gathered.serving)
    return serving_weights(gathered.serving)


def serving_history(serving: runs.Serving | None) -> item_model.HistorySettings:
    """How the served run weighs a history for its item-to-item model (chosen with its blend);
    the defaults for a run that chose none."""
    return item_model.history_of(serving.blend if serving is not None else None)


@dataclass
class Candidate:
    item: str
    features: dict[str, float] = field(default_factory=dict)  # raw score per source
    via: list[str] = field(default_factory=list)  # profile targets that reached it
    users: int = 0  # neighbours who liked it
    popularity: int = 0
    score: float = 0.0


@dataclass(frozen=True)
class ItemDetails:
    """What answers and the spread need of an item."""

    title: str | None
    categories: list[str]
    popularity: int = 0


@dataclass(frozen=True)
class HistoryItem:
    """One item of the history the item-to-item source walks from."""

    item: str
    weight: float  # strength × recency (``item_model.history_weights``)
    at: int  # epoch seconds of the user's interaction


@dataclass(frozen=True)
class ProfileHit:
    item: str
    affinity: float  # summed strength of the profile targets that reach the item
    via: list[str]


@dataclass(frozen=True)
class NeighbourHit:
    item: str
    support: float  # summed similarity of the neighbours who liked it
    users: int


@dataclass(frozen=True)
class PopularHit:
    item: str
    recent: int  # positive interactions within ``RECENT``
    popularity: int


@dataclass(frozen=True)
class Liked:
    """A liked item an embedding explanation may start from."""

    item: str
    title: str | None
    at: datetime


@dataclass(frozen=True)
class ItemModelAnchor:
    """The history item that gave a candidate the largest part of its item-to-item score."""

    item: str
    anchor: str
    title: str | None
    part: float


@dataclass(frozen=True)
class EmbeddingAnchor:
    liked: Liked
    similarity: float


@dataclass
class Gathered:
    """Everything ranking needs for one user at one instant."""

    targets: list[strength.Strength]  # the strongest positive profile targets
    seen: list[str]
    history: list[HistoryItem]  # the item-to-item source's weighted history
    serving: runs.Serving | None
    candidates: dict[str, Candidate]
    details: dict[str, ItemDetails]


@dataclass(frozen=True)
class ProfilePath:
    """user → a profile target that reached the item → the item."""

    source: ClassVar[str] = "profile"
    item_id: str
    target_type: str
    target_key: str
    strength: float
    signals: int
    last_signal_at: datetime


@dataclass(frozen=True)
class ItemModelPath:
    """user → a history item whose item-to-item edge led most → the item."""

    source: ClassVar[str] = "items"
    item_id: str
    anchor_id: str
    anchor_title: str | None
    anchor_at: datetime  # when the user interacted with the anchor
    weight: float  # the anchor's part of the item's score


@dataclass(frozen=True)
class EmbeddingPath:
    """user → the liked item nearest the item in the embedding space → the item."""

    source: ClassVar[str] = "embedding"
    item_id: str
    anchor_id: str
    anchor_title: str | None
    anchor_at: datetime
    similarity: float


@dataclass(frozen=True)
class NeighbourPath:
    """user → the users most like them, ``users`` of ``neighbours`` of whom liked the item."""

    source: ClassVar[str] = "neighbours"
    item_id: str
    users: int
    neighbours: int


@dataclass(frozen=True)
class Popular:
    """Shown for its popularity: positive interactions within ``RECENT`` (0: popular overall)."""

    recent_positives: int


@dataclass(frozen=True)
class NewArrival:
    """Shown as new: no one has interacted with it yet (``service.new_items``); ``added``: when
    it entered the catalogue."""

    added: datetime | None


@dataclass(frozen=True)
class Explored:
    """Shown to explore: the policy knows little of how the user takes ``category`` (``shown``:
    decayed count of the user's items of it shown lately)."""

    category: str | None
    shown: float


@dataclass(frozen=True)
class FedBack:
    """Shown because the user's reactions to ``category`` lately earned ``rate`` per item."""

    category: str
    rate: float


Explanation: TypeAlias = ProfilePath | ItemModelPath | EmbeddingPath | NeighbourPath
Reason: TypeAlias = Explanation | Popular | NewArrival | Explored | FedBack


@dataclass(frozen=True)
class Recommended:
    item_id: str
    title: str | None
    categories: list[str]
    score: float
    sources: dict[str, float]  # raw score per source (a cold start: recent positives, popularity)
    explanations: list[Explanation] | None = None  # when explanations were asked for
    reason: Reason | None = None  # when explained, and on a cold start
    position: int | None = None  # 1-based, when a policy chose the list
    propensity: float | None = None  # the probability that the policy put the item in the list
    explored: bool = False


@dataclass(frozen=True)
class Recommendations:
    """The answer of ``GET /v1/users/{id}/recommendations``."""

    user_id: str  # the id the caller knows the user by
    as_of: datetime
    embedding_run: str | None
    cold_start: bool
    items: list[Recommended]
    precomputed: bool = False
    recommendation_id: str | None = None  # when the answer was logged (feedback refers to it)
    policy: str | None = None
    policy_version: str | None = None


@dataclass(frozen=True)
class Similar:
    item_id: str
    score: float  # cosine, or how many users liked both
    details: ItemDetails | None


@dataclass(frozen=True)
class SimilarItems:
    """The answer of ``GET /v1/items/{id}/similar``."""

    item_id: str
    method: str  # "embedding" or "co-interaction"
    embedding_run: str | None
    similar: list[Similar]


# --- composition -----------------------------------------------------------------------------


def gather(
    graph: Graph,
    user_id: str,
    *,
    as_of: datetime,
    exclude_seen: bool = True,
    sources: Collection[str] | None = None,
    serving: runs.Serving | None = None,
    texts_only: bool = False,
) -> Gathered:
    """The user's profile targets and the candidates of every source, with their raw scores;
    of the item-to-item, embedding and neighbour sources only those in ``sources`` when given
    (a source whose weight is 0 only brings candidates that score 0: a ranking saves its
    queries, while explanations and the search of blends want them all). ``serving``: the run
    to rank with (by default the served one; a run's blend search passes its staged run).
    ``texts_only``: the user as if known only by their texts (no interactions, so only the
    profile source): how the text-only blend is chosen on users who also interacted."""
    wanted = set(SOURCES if sources is None else sources)
    serving = serving if serving is not None else runs.serving(graph)
    rows = profiles.history_rows(graph, user_id, until=as_of)
    if texts_only:
        rows = [row for row in rows if row["source"] == "text"]
        wanted = set()
    signals = profiles.profile_signals(rows)
    history, seen = weighted_history(item_model.interactions_of(rows), serving_history(serving))
    seen = seen if exclude_seen else []
    targets = profile_targets(signals, as_of)
    if not targets:
        return Gathered(targets, seen, history, serving, {}, {})
    by_profile = fetch_profile_candidates(graph, targets, seen)
    by_items: list[tuple[str, float]] = []
    if serving is not None and "items" in wanted:
        by_items = fetch_item_model(graph, serving, history, seen, CANDIDATES)
    by_embedding: list[tuple[str, float]] = []
    by_neighbours: list[NeighbourHit] = []
    by_vector = wanted & {"embedding", "neighbours"}
    vector = None
    if serving is not None and by_vector:
        vector = user_vector(graph, user_id, serving.property)
    if serving is not None and vector is not None:
        relation = serving.relations.get("interacted")
        if relation is not None and "embedding" in by_vector:
            composed = compose(serving.model, vector, np.asarray(relation, dtype=np.float32))
            by_embedding = fetch_embedding_candidates(graph, serving, composed, seen)
        if "neighbours" in by_vector:
            by_neighbours = fetch_neighbour_candidates(
                graph, serving, vector, user_id, as_of=as_of, seen=seen
            )
    candidates = collect_candidates(by_profile, by_items, by_embedding, by_neighbours)
    details = fetch_items(graph, list(candidates))
    for gone in candidates.keys() - details.keys():  # deleted since the run's model was loaded
        del candidates[gone]
    add_popularity(candidates, details)
    return Gathered(targets, seen, history, serving, candidates, details)


def predicted_items(
    graph: Graph, interactions: Sequence[tuple[str, float, int]], *, limit: int
) -> tuple[runs.Serving | None, list[tuple[str, float]]]:
    """The served run and the item-to-item model's best ``limit`` unseen items after the user's
    ``interactions`` (``item_model.interactions``), with their scores (none before the first
    run)."""
    serving = runs.serving(graph)
    if serving is None:
        return None, []
    history, seen = weighted_history(interactions, serving_history(serving))
    return serving, fetch_item_model(graph, serving, history, seen, limit)


def rank(gathered: Gathered, k: int, weights: BlendWeights = DEFAULT_WEIGHTS) -> list[Candidate]:
    """Blend the sources, then pick ``k`` with the categories spread."""
    ranked = blend(list(gathered.candidates.values()), weights)
    categories = {item: d.categories for item, d in gathered.details.items()}
    return spread(ranked, k, categories)


def recommend(
    graph: Graph,
    user_id: str,
    *,
    k: int,
    as_of: datetime,
    exclude_seen: bool = True,
    explain: bool = False,
    weights: BlendWeights | None = None,
    caller: str | None = None,
) -> Recommendations:
    """``k`` items for the user at ``as_of``, blended with ``weights`` (by default the served
    run's for the user's situation, ``blend_for``); ``caller`` is the id the answer names the
    user by (the API's caller knows the user by an id the graph does not hold)."""
    serving = runs.serving(graph)
    active = (weights if weights is not None else serving_weights(serving)).active()
    gathered = gather(graph, user_id, as_of=as_of, exclude_seen=exclude_seen,
                      sources=None if explain else active, serving=serving)  # fmt: skip
    shown = caller or user_id
    run = gathered.serving.run_id if gathered.serving else None
    if not gathered.targets:
        hits = fetch_popular(graph, k, as_of=as_of, seen=gathered.seen)
        details = fetch_items(graph, [h.item for h in hits])
        return Recommendations(shown, as_of, run, True, popular_items(hits, details))
    chosen = rank(gathered, k, blend_for(gathered, weights))
    taken = [*gathered.seen, *(c.item for c in chosen)]
    filler = popular_filler(graph, k - len(chosen), as_of, taken)
    if not explain:
        items = recommended_items(chosen, gathered.details)
        return Recommendations(shown, as_of, run, False, items + filler)
    embedding = fetch_embedding_anchors(graph, user_id, as_of, chosen, gathered.serving)
    item_model_anchors = fetch_item_model_anchors(graph, chosen, gathered)
    items = explained_items(chosen, gathered, item_model_anchors, embedding)
    return Recommendations(shown, as_of, run, False, items + filler)


def popular_filler(
    graph: Graph, missing: int, as_of: datetime, taken: Sequence[str]
) -> list[Recommended]:
    """Popular items after a ranking that found fewer than ``k`` (a profile whose interests reach
    few items): scored 0, below every ranked item, each saying why it is there."""
    if missing <= 0:
        return []
    hits = fetch_popular(graph, missing, as_of=as_of, seen=taken)
    details = fetch_items(graph, [h.item for h in hits])
    return [replace(item, score=0.0) for item in popular_items(hits, details)]


def similar_items(graph: Graph, item_id: str, k: int) -> SimilarItems:
    """Items nearest in the served embeddings, else those liked by the same users."""
    serving = runs.serving(graph)
    found: list[tuple[str, float]] = []
    if serving is not None:
        found = fetch_similar_by_embedding(graph, serving, item_id, k)
    method = "embedding" if found else "co-interaction"
    if not found:
        found = fetch_co_interacted(graph, item_id, k)
    details = fetch_items(graph, [item for item, _ in found])
    similar = [Similar(item, score, details.get(item)) for item, score in found]
    return SimilarItems(item_id, method, serving.run_id if serving else None, similar)


def fetch_embedding_anchors(
    graph: Graph,
    user_id: str,
    as_of: datetime,
    chosen: Sequence[Candidate],
    serving: runs.Serving | None,
) -> dict[str, EmbeddingAnchor]:
    """For each chosen item, the liked item most like it in the embedding space."""
    if serving is None:
        return {}
    liked = fetch_liked(graph, user_id, as_of)
    ids = [*dict.fromkeys(like.item for like in liked), *(c.item for c in chosen)]
    vectors = fetch_item_vectors(graph, ids, serving.property)
    return embedding_anchors(liked, vectors, [c.item for c in chosen])


def fetch_item_model_anchors(
    graph: Graph, chosen: Sequence[Candidate], gathered: Gathered
) -> dict[str, ItemModelAnchor]:
    """For each chosen item the item-to-item source reached, the history item that led most."""
    items = [c.item for c in chosen if "items" in c.features]
    if gathered.serving is None or not items:
        return {}
    serving = gathered.serving
    table = item_table.TABLES.get(graph, serving.run_id, serving.slot)
    if table is not None:
        led = table.anchors({h.item: h.weight for h in gathered.history}, items)
        titles = fetch_items(graph, sorted({anchor for anchor, _ in led.values()}))
        return {
            item: ItemModelAnchor(item, anchor, _title(titles.get(anchor)), part)
            for item, (anchor, part) in led.items()
        }
    records = graph.read(
        "recommend/item_model_anchors", history=_weighted(gathered.history),
        slot=gathered.serving.slot, items=items,
    )  # fmt: skip
    return {
        r["item"]: ItemModelAnchor(r["item"], r["anchor"], r["title"], float(r["part"]))
        for r in records
    }


@dataclass(frozen=True)
class RankedList:
    """A profile target's members ranked at the last run (``embeddings/rank_targets``): ids and
    popularity, best first; ``complete`` when no member was left out."""

    type: str
    key: str
    items: Sequence[str]
    counts: Sequence[int]
    complete: bool

    def first_unseen(self, seen: Collection[str], count: int) -> list[tuple[str, int]] | None:
        """The first ``count`` members not in ``seen``, with their popularity; None when the
        list ran out before (it left members out, so the rest must be read)."""
        found = []
        for item, popularity in zip(self.items, self.counts, strict=True):
            if item not in seen:
                found.append((item, popularity))
                if len(found) == count:
                    return found
        return found if self.complete else None


class TargetLists:
    """The ranked member lists this process holds, by version: each is read once per run."""

    def __init__(self, size: int = LISTS_HELD) -> None:
        self._lock = threading.Lock()
        # by target (type, key): the version held and its ids and popularity
        self._lists: LRUCache[tuple[str, str], tuple[str, Sequence[str], Sequence[int]]]
        self._lists = LRUCache(size)

    def fetch(self, graph: Graph, rows: Sequence[Mapping[str, object]]) -> list[RankedList]:
        """The lists of the targets (``target_rows``) whose lists hold now."""
        with self._lock:
            kept = [self._lists.get((str(r["type"]), str(r["key"]))) for r in rows]
        held = [k[0] for k in kept if k is not None]
        found = []
        for r in graph.read("recommend/target_lists", targets=list(rows), held=held):
            if not r["holds"]:
                continue
            target = (r["type"], r["key"])
            with self._lock:
                if r["top"] is not None:
                    self._lists[target] = (r["version"], r["top"], r["counts"])
                held_now = self._lists.get(target)
            if held_now is None or held_now[0] != r["version"]:
                continue  # replaced or dropped meanwhile: the full read answers for it
            found.append(RankedList(*target, held_now[1], held_now[2], r["complete"]))
        return found


TARGET_LISTS = TargetLists()  # this process's


def warm_up(graph: Graph) -> None:
    """Start loading the served run's item-to-item table in this process (in the background),
    so that a fresh worker walks it in memory sooner than its first live answer would start it;
    a graph that does not answer leaves it to that answer."""
    try:
        serving = runs.serving(graph)
    except UNAVAILABLE_ERRORS as error:  # Neo4j not up yet: the first live answer starts it
        logger.info("no warm-up of the item-to-item table: %s", type(error).__name__)
        return
    if serving is not None:
        item_table.TABLES.get(graph, serving.run_id, serving.slot)


# --- fetch -----------------------------------------------------------------------------------


def fetch_profile_candidates(
    graph: Graph, targets: Sequence[strength.Strength], seen: Sequence[str]
) -> list[ProfileHit]:
    """Each target's ``PER_TARGET`` most popular unseen items, from its member list ranked at
    the last run (walked in memory) where the list holds, from every member of the other
    targets; the best ``CANDIDATES``."""
    rows = target_rows(targets)
    unseen = set(seen)
    found: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for ranked in TARGET_LISTS.fetch(graph, rows):
        first = ranked.first_unseen(unseen, PER_TARGET)
        if first is not None:
            found[(ranked.type, ranked.key)] = first
    rest = [row for row in rows if (row["type"], row["key"]) not in found]
    if rest:
        found.update(fetch_target_members(graph, rest, seen))
    return profile_hits(targets, found, CANDIDATES)


def fetch_target_members(
    graph: Graph, rows: Sequence[Mapping[str, object]], seen: Sequence[str]
) -> dict[tuple[str, str], list[tuple[str, int]]]:
    """Each target's ``PER_TARGET`` most popular unseen items, read from every member."""
    records = graph.read("recommend/profile_candidates", targets=list(rows), seen=list(seen),
                         per_target=PER_TARGET)  # fmt: skip
    return {(r["type"], r["key"]): [(item, pop) for item, pop in r["found"]] for r in records}


def fetch_item_model(
    graph: Graph,
    serving: runs.Serving,
    history: Sequence[HistoryItem],
    seen: Sequence[str],
    limit: int,
) -> list[tuple[str, float]]:
    """The item-to-item model's best ``limit`` items not in ``seen`` (no query without history):
    walked in memory once this process holds the run's table, in Cypher until then."""
    if not history:
        return []
    table = item_table.TABLES.get(graph, serving.run_id, serving.slot)
    if table is not None:
        return table.walk({h.item: h.weight for h in history}, seen, limit)
    records = graph.read(
        "recommend/item_model_candidates", history=_weighted(history), slot=serving.slot,
        seen=list(seen), limit=limit,
    )  # fmt: skip
    return [(r["item"], float(r["score"])) for r in records]


def fetch_embedding_candidates(
    graph: Graph, serving: runs.Serving, composed: np.ndarray, seen: Sequence[str]
) -> list[tuple[str, float]]:
    """The ``CANDIDATES`` unseen items nearest ``composed`` in the item index, with the cosine."""
    records = graph.read(
        "recommend/embedding_candidates", index=serving.index("item"),
        k=min(CANDIDATES + len(seen), 5_000), vector=composed.tolist(), seen=list(seen),
        limit=CANDIDATES,
    )  # fmt: skip
    return [(item, cosine) for item, cosine in records[0]["found"]]


def fetch_neighbour_candidates(
    graph: Graph,
    serving: runs.Serving,
    vector: np.ndarray,
    user_id: str,
    *,
    as_of: datetime,
    seen: Sequence[str],
) -> list[NeighbourHit]:
    records = graph.read(
        "recommend/neighbour_candidates", index=serving.index("user"), users=NEIGHBOURS + 1,
        vector=vector.tolist(), user_id=user_id, as_of=as_of, seen=list(seen), limit=CANDIDATES,
    )  # fmt: skip
    return [NeighbourHit(item, support, users) for item, support, users in records[0]["found"]]


def fetch_items(graph: Graph, ids: list[str]) -> dict[str, ItemDetails]:
    record = graph.read_one("recommend/items_by_id", ids=ids)
    rows = record["items"] if record is not None else []
    return {item: ItemDetails(title, sorted(categories), popularity)
            for item, title, popularity, categories in rows}  # fmt: skip


def fetch_category_tops(graph: Graph, depth: int) -> dict[str, list[tuple[str, ItemDetails]]]:
    """The ``depth`` best liked items of every category (by appeal, the mean weight of their
    interactions shrunk towards neutral, then popularity), best first."""
    tops: dict[str, list[tuple[str, ItemDetails]]] = {}
    for r in graph.read("recommend/category_tops", per_category=depth):
        details = ItemDetails(r["title"], list(r["categories"]), r["popularity"])
        tops.setdefault(r["category"], []).append((r["item"], details))
    return tops


def fetch_popular(
    graph: Graph, k: int, *, as_of: datetime, seen: Sequence[str]
) -> list[PopularHit]:
    records = graph.read(
        "recommend/popular_recent", since=as_of - RECENT, as_of=as_of, seen=list(seen), limit=k
    )
    return [PopularHit(r["item"], r["recent"], r["popularity"]) for r in records]


def fetch_liked(graph: Graph, user_id: str, as_of: datetime) -> list[Liked]:
    """The user's newest ``LIKED_ANCHORS`` positive interactions, newest first."""
    records = graph.read("recommend/liked_items", user_id=user_id, as_of=as_of, limit=LIKED_ANCHORS)
    return [Liked(item, title, at.to_native()) for item, title, at in records[0]["liked"]]


def fetch_item_vectors(graph: Graph, ids: list[str], property: str) -> dict[str, np.ndarray]:
    records = graph.read("recommend/item_vectors", ids=ids, property=property)
    return {item: np.asarray(vector, dtype=np.float32) for item, vector in records[0]["vectors"]}


def fetch_similar_by_embedding(
    graph: Graph, serving: runs.Serving, item_id: str, k: int
) -> list[tuple[str, float]]:
    records = graph.read(
        "recommend/similar_items", item_id=item_id, property=serving.property,
        index=serving.index("item"), k=k,
    )  # fmt: skip
    return [(r["item"], float(r["cosine"])) for r in records]


def fetch_co_interacted(graph: Graph, item_id: str, k: int) -> list[tuple[str, float]]:
    records = graph.read("recommend/co_interacted_items", item_id=item_id, k=k)
    return [(r["item"], float(r["users"])) for r in records]


def _title(details: ItemDetails | None) -> str | None:
    return details.title if details is not None else None


def _weighted(history: Sequence[HistoryItem]) -> list[dict[str, object]]:
    return [{"item": h.item, "weight": h.weight} for h in history]


# --- compute ---------------------------------------------------------------------------------


def weighted_history(
    interactions: Sequence[tuple[str, float, int]],
    settings: item_model.HistorySettings = item_model.DEFAULT_HISTORY,
) -> tuple[list[HistoryItem], list[str]]:
    """From the user's interactions (item, weight, epoch seconds; oldest first): the weighted
    history the item-to-item model walks (``settings``: the served run's), and the items seen."""
    at = {item: when for item, _, when in interactions}
    weights = item_model.history_weights(
        [(item, weight) for item, weight, _ in interactions],
        half_life=settings.half_life, floor=settings.floor,
    )  # fmt: skip
    return [HistoryItem(item, w, at[item]) for item, w in weights.items()], list(at)


def profile_targets(signals: Sequence[Signal], as_of: datetime) -> list[strength.Strength]:
    """The ``PROFILE_TARGETS`` strongest positive targets of the profile at ``as_of``."""
    ranked = strength.profile(signals, as_of.timestamp())
    return [s for s in ranked if s.blended > 0][:PROFILE_TARGETS]


def target_rows(targets: Sequence[strength.Strength]) -> list[dict[str, object]]:
    """The profile targets as ``recommend/profile_candidates`` takes them."""
    rows: list[dict[str, object]] = []
    for s in targets:
        kind, key = split_target(s.target)
        rows.append({"type": kind, "key": key, "strength": s.blended})
    return rows


def profile_hits(
    targets: Sequence[strength.Strength],
    found: Mapping[tuple[str, str], Sequence[tuple[str, int]]],
    limit: int,
) -> list[ProfileHit]:
    """The items the targets reached (``found`` per target's type and key, with popularity),
    each with its affinity (the summed strength of the targets that reach it) and those targets;
    the best ``limit`` by affinity × log(2 + popularity), then id."""
    affinity: dict[str, float] = {}
    via: dict[str, list[str]] = {}
    popularity: dict[str, int] = {}
    for target in targets:
        for item, pop in found.get(split_target(target.target), ()):
            affinity[item] = affinity.get(item, 0.0) + target.blended
            via.setdefault(item, []).append(target.target)
            popularity[item] = pop
    ranked = sorted(affinity, key=lambda i: (-affinity[i] * math.log(2 + popularity[i]), i))
    return [ProfileHit(item, affinity[item], via[item]) for item in ranked[:limit]]


def collect_candidates(
    by_profile: Sequence[ProfileHit],
    by_items: Sequence[tuple[str, float]],
    by_embedding: Sequence[tuple[str, float]],
    by_neighbours: Sequence[NeighbourHit],
) -> dict[str, Candidate]:
    """Every source's candidates, one per item, with each source's raw score."""
    candidates: dict[str, Candidate] = {}
    for hit in by_profile:
        c = candidates.setdefault(hit.item, Candidate(hit.item))
        c.features["profile"] = hit.affinity
        c.via = hit.via
    for item, score in by_items:
        candidates.setdefault(item, Candidate(item)).features["items"] = score
    for item, cosine in by_embedding:
        candidates.setdefault(item, Candidate(item)).features["embedding"] = cosine
    for n in by_neighbours:
        c = candidates.setdefault(n.item, Candidate(n.item))
        c.features["neighbours"] = n.support
        c.users = n.users
    return candidates


def add_popularity(candidates: Mapping[str, Candidate], details: Mapping[str, ItemDetails]) -> None:
    """The popularity source: ``log(1 + popularity)`` of each candidate."""
    for c in candidates.values():
        found = details.get(c.item)
        c.popularity = found.popularity if found is not None else 0
        c.features["popularity"] = math.log1p(c.popularity)


def tie_order(c: Candidate) -> tuple[int, str]:
    """How equal blended scores are ordered: the more popular first, then by id."""
    return -c.popularity, c.item


def blend(candidates: list[Candidate], weights: BlendWeights) -> list[Candidate]:
    """Score = sum of weight × (source score / the best score of that source); best first, of
    equal scores the more popular first, then by id (a profile reached only by a few targets,
    as a user known by a few texts has, scores many items alike)."""
    best = {s: max((c.features.get(s, 0.0) for c in candidates), default=0.0) for s in SOURCES}
    for c in candidates:
        c.score = sum(
            getattr(weights, s) * c.features.get(s, 0.0) / best[s]
            for s in SOURCES
            if best[s] > 0 and c.features.get(s, 0.0) > 0
        )
    return sorted(candidates, key=lambda c: (-c.score, *tie_order(c)))


def spread(
    ranked: Sequence[Candidate], k: int, categories: Mapping[str, list[str]]
) -> list[Candidate]:
    """Pick ``k`` greedily; an item loses ``SPREAD`` per earlier pick sharing its first category."""
    pool = [(c, (categories.get(c.item) or [""])[0]) for c in ranked[: 4 * k]]
    picked: list[Candidate] = []
    used: Counter[str] = Counter()
    while pool and len(picked) < k:
        # the best adjusted score; of equals the one ranked first
        at = max(
            range(len(pool)), key=lambda n: (pool[n][0].score * SPREAD ** used[pool[n][1]], -n)
        )
        best, first = pool.pop(at)
        picked.append(best)
        used[first] += 1
    return picked


def recommended_items(
    chosen: Sequence[Candidate], details: Mapping[str, ItemDetails]
) -> list[Recommended]:
    """The answer's items, without explanations."""
    return [_recommended(c, details.get(c.item)) for c in chosen]


def _recommended(
    c: Candidate,
    found: ItemDetails | None,
    explanations: list[Explanation] | None = None,
    reason: Reason | None = None,
) -> Recommended:
    return Recommended(
        c.item,
        found.title if found is not None else None,
        found.categories if found is not None else [],
        c.score,
        dict(sorted(c.features.items())),
        explanations,
        reason,
    )


def explained_items(
    chosen: Sequence[Candidate],
    gathered: Gathered,
    item_model_anchors: Mapping[str, ItemModelAnchor],
    embedding: Mapping[str, EmbeddingAnchor],
) -> list[Recommended]:
    """The answer's items, each with its graph paths (strongest source first) and its reason:
    the first path, else its popularity."""
    by_target = {s.target: s for s in gathered.targets}
    at = {h.item: h.at for h in gathered.history}
    items = []
    for c in chosen:
        paths = explain(c, by_target, item_model_anchors.get(c.item), embedding.get(c.item), at)
        reason: Reason = paths[0] if paths else Popular(0)
        items.append(_recommended(c, gathered.details.get(c.item), paths, reason))
    return items


def explain(
    candidate: Candidate,
    by_target: Mapping[str, strength.Strength],
    predictor: ItemModelAnchor | None,
    anchor: EmbeddingAnchor | None,
    history_at: Mapping[str, int],
) -> list[Explanation]:
    """One candidate's paths: up to two profile targets, the item-to-item anchor, the embedding
    anchor, the neighbours who liked it."""
    paths: list[Explanation] = []
    for target in candidate.via[:2]:
        s = by_target.get(target)
        if s is None:
            continue
        kind, key = split_target(target)
        last = datetime.fromtimestamp(s.last_at, UTC)
        paths.append(ProfilePath(candidate.item, kind, key, s.blended, s.signals, last))
    if predictor is not None:
        at = datetime.fromtimestamp(history_at[predictor.anchor], UTC)
        paths.append(ItemModelPath(
            candidate.item, predictor.anchor, predictor.title, at, predictor.part
        ))  # fmt: skip
    if anchor is not None:
        liked = anchor.liked
        paths.append(EmbeddingPath(
            candidate.item, liked.item, liked.title, liked.at, anchor.similarity
        ))  # fmt: skip
    if candidate.users:
        paths.append(NeighbourPath(candidate.item, candidate.users, NEIGHBOURS))
    return paths


def embedding_anchors(
    liked: Sequence[Liked], vectors: Mapping[str, np.ndarray], chosen: Sequence[str]
) -> dict[str, EmbeddingAnchor]:
    """For each chosen item with a vector, the liked item with a vector nearest it (cosine)."""
    by_item = {like.item: like for like in liked}
    anchor_ids = [i for i in by_item if i in vectors]
    if not anchor_ids:
        return {}
    matrix = np.stack([vectors[i] for i in anchor_ids])
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True) + 1e-9
    found = {}
    for item in chosen:
        if item not in vectors:
            continue
        v = vectors[item] / (np.linalg.norm(vectors[item]) + 1e-9)
        similarities = matrix @ v
        best = int(np.argmax(similarities))
        found[item] = EmbeddingAnchor(by_item[anchor_ids[best]], float(similarities[best]))
    return found


def popular_items(
    hits: Sequence[PopularHit], details: Mapping[str, ItemDetails]
) -> list[Recommended]:
    """A cold start's items: the most liked lately, then the most popular."""
    items = []
    for h in hits:
        found = details.get(h.item)
        items.append(Recommended(
            h.item, found.title if found is not None else None,
            found.categories if found is not None else [], float(h.recent),
            {"recent_positives": h.recent, "popularity": h.popularity}, reason=Popular(h.recent),
        ))  # fmt: skip
    return items
