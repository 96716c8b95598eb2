"""Recommendations: candidates from four sources, one tuned blend, facets spread, explained paths.

Candidates come from
- the user's profile at ``as_of`` (``graph.evolution.strength``): items in their strongest categories and
  about their strongest interests (Cypher over ``IN_CATEGORY`` and ``ABOUT``);
- the item-to-item model of the served run (``SIMILAR_TO`` edges, ``embeddings.item_similarity``)
  walked from the user's history, each past interaction weighted by its strength and its recency
  (``history_weights``: what a user did last says most about what they want next);
- the served graph embeddings: items nearest the composed query ``(user, interacted, ?)`` in the
  item vector index;
- neighbours: items liked by the users whose vectors lie nearest the user's.
Each source's score is scaled to 0..1 over the candidates and blended with ``BlendWeights`` (set
from the validation split by ``bench/recommend.py``), then items are picked greedily so that one
category does not take every place. A user with no history gets the popular recent items.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from neo4j import Driver

from cypher import query
from embeddings import item_model, runs
from embeddings.training import compose
from embeddings.vectors import user_vector
from graph.evolution import profiles
from graph.evolution import strength
from graph.evolution.strength import split_target

PROFILE_TARGETS = 10  # strongest positive targets that fetch candidates
CANDIDATES = 300  # per source
PER_TARGET = 100  # most popular unseen items per profile target
NEIGHBOURS = 20  # nearest users
SPREAD = 0.8  # each earlier pick in the same category multiplies an item's score by this
RECENT = timedelta(days=90)  # "recent" for the popular items of a cold start


SOURCES = ("profile", "items", "embedding", "neighbours", "popularity")


@dataclass(frozen=True)
class BlendWeights:
    """Chosen by grid search on the validation split (bench/recommend.py, 242 blends). With the
    item-to-item source in, the embedding and neighbour scores added nothing on MovieLens: their
    weight is 0, so they only bring candidates; other data may tune them otherwise."""

    profile: float = 0.5
    items: float = 1.0
    embedding: float = 0.0
    neighbours: float = 0.0
    popularity: float = 0.0

    def active(self) -> frozenset[str]:
        """The sources whose scores count (a weight above 0)."""
        return frozenset(s for s in SOURCES if getattr(self, s) > 0)


DEFAULT_WEIGHTS = BlendWeights()


@dataclass
class Candidate:
    item: str
    features: dict[str, float] = field(default_factory=dict)  # raw score per source
    via: list[str] = field(default_factory=list)  # profile targets that reached it
    users: int = 0  # neighbours who liked it
    popularity: int = 0
    score: float = 0.0


@dataclass
class Gathered:
    """Everything ranking needs for one user at one instant."""

    targets: list[strength.Strength]  # the strongest positive profile targets
    seen: list[str]
    history: list[dict[str, Any]]  # the item-to-item source's weighted history: item, weight, at
    serving: runs.Serving | None
    candidates: dict[str, Candidate]
    details: dict[str, dict[str, Any]]  # per candidate: title, categories, popularity


def gather(
    driver: Driver,
    user_id: str,
    *,
    as_of: datetime,
    exclude_seen: bool = True,
    sources: Collection[str] | None = None,
    database: str | None = None,
) -> Gathered:
    """The user's profile targets and the candidates of every source, with their raw scores;
    of the item-to-item, embedding and neighbour sources only those in ``sources`` when given
    (a source whose weight is 0 only brings candidates that score 0: a ranking saves its
    queries, while explanations and the benchmark's search of blends want them all)."""
    wanted = set(SOURCES if sources is None else sources)
    db: dict[str, Any] = {"database_": database, "routing_": "r"}
    signals = profiles.user_signals(driver, user_id, until=as_of, database=database)
    history, seen = _history(driver, user_id, as_of, db)
    seen = seen if exclude_seen else []
    serving = runs.serving(driver, database=database)
    ranked = strength.profile(signals, as_of.timestamp())
    targets = [s for s in ranked if s.blended > 0][:PROFILE_TARGETS]
    candidates: dict[str, Candidate] = {}
    if not targets:
        return Gathered(targets, seen, history, serving, candidates, {})
    rows = [{"type": split_target(s.target)[0], "key": split_target(s.target)[1],
             "strength": s.blended} for s in targets]  # fmt: skip
    records, _, _ = driver.execute_query(
        query("recommend/profile_candidates"), targets=rows, seen=seen, limit=CANDIDATES,
        per_target=PER_TARGET, **db,
    )  # fmt: skip
    for r in records:
        c = candidates.setdefault(r["item"], Candidate(r["item"]))
        c.features["profile"] = r["affinity"]
        c.via = r["via"]
    if serving is not None and "items" in wanted:
        for item, score in _item_model(driver, serving, history, seen, CANDIDATES, db):
            candidates.setdefault(item, Candidate(item)).features["items"] = score
    by_vector = wanted & {"embedding", "neighbours"}
    if serving is not None and by_vector:
        vector = user_vector(driver, user_id, serving.property, database=database)
        if vector is not None:
            _embedding_candidates(
                driver, serving, vector, user_id, as_of, seen, candidates, db, by_vector
            )
    details = _items(driver, list(candidates), db)
    for c in candidates.values():
        c.popularity = details.get(c.item, {}).get("popularity", 0)
        c.features["popularity"] = math.log1p(c.popularity)
    return Gathered(targets, seen, history, serving, candidates, details)


def predicted_items(
    driver: Driver, user_id: str, *, as_of: datetime, limit: int, database: str | None = None
) -> tuple[runs.Serving | None, list[tuple[str, float]]]:
    """The served run and the item-to-item model's best ``limit`` unseen items for the user at
    ``as_of``, with their scores (none before the first run)."""
    db: dict[str, Any] = {"database_": database, "routing_": "r"}
    serving = runs.serving(driver, database=database)
    if serving is None:
        return None, []
    history, seen = _history(driver, user_id, as_of, db)
    return serving, _item_model(driver, serving, history, seen, limit, db)


def _history(
    driver: Driver, user_id: str, as_of: datetime, db: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[str]]:
    """The weighted history the item-to-item model walks (item, weight, at), and the items seen."""
    rows = item_model.interactions(driver, user_id, as_of, db)
    at = {item: when for item, _, when in rows}
    weights = item_model.history_weights([(item, weight) for item, weight, _ in rows])
    history = [{"item": item, "weight": w, "at": at[item]} for item, w in weights.items()]
    return history, list(at)


def rank(gathered: Gathered, k: int, weights: BlendWeights = DEFAULT_WEIGHTS) -> list[Candidate]:
    """Blend the sources, then pick ``k`` with the categories spread."""
    ranked = blend(list(gathered.candidates.values()), weights)
    categories = {item: d["categories"] for item, d in gathered.details.items()}
    return spread(ranked, k, categories)


def recommend(
    driver: Driver,
    user_id: str,
    *,
    k: int,
    as_of: datetime,
    exclude_seen: bool = True,
    explain: bool = False,
    weights: BlendWeights = DEFAULT_WEIGHTS,
    caller: str | None = None,
    database: str | None = None,
) -> dict[str, Any]:
    """The answer of ``GET /v1/users/{id}/recommendations``; ``caller`` is the id the answer
    names the user by (the API's caller knows the user by an id the graph does not hold)."""
    db: dict[str, Any] = {"database_": database, "routing_": "r"}
    gathered = gather(driver, user_id, as_of=as_of, exclude_seen=exclude_seen,
                      sources=None if explain else weights.active(), database=database)  # fmt: skip
    answer: dict[str, Any] = {
        "user_id": caller or user_id,
        "as_of": profiles.iso(as_of),
        "embedding_run": gathered.serving.run_id if gathered.serving else None,
    }
    if not gathered.targets:
        items = _popular(driver, k, as_of, gathered.seen, db)
        return {**answer, "cold_start": True, "items": items}
    chosen = rank(gathered, k, weights)
    items = describe(chosen, gathered.details)
    if explain:
        _explain(driver, user_id, caller or user_id, as_of, chosen, items, gathered, db)
    return {**answer, "cold_start": False, "items": items}


def _item_model(
    driver: Driver,
    serving: runs.Serving,
    history: list[dict[str, Any]],
    seen: list[str],
    limit: int,
    db: dict[str, Any],
) -> list[tuple[str, float]]:
    if not history:
        return []
    records, _, _ = driver.execute_query(
        query("recommend/item_model_candidates"), history=_weighted(history), slot=serving.slot,
        seen=seen, limit=limit, **db,
    )  # fmt: skip
    return [(r["item"], float(r["score"])) for r in records]


def _weighted(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"item": h["item"], "weight": h["weight"]} for h in history]


def _embedding_candidates(
    driver: Driver,
    serving: runs.Serving,
    vector: np.ndarray,
    user_id: str,
    as_of: datetime,
    seen: list[str],
    candidates: dict[str, Candidate],
    db: dict[str, Any],
    sources: Collection[str],
) -> None:
    relation = serving.relations.get("interacted")
    if relation is not None and "embedding" in sources:
        composed = compose(serving.model, vector, np.asarray(relation, dtype=np.float32))
        records, _, _ = driver.execute_query(
            query("recommend/embedding_candidates"), index=serving.index("item"),
            k=min(CANDIDATES + len(seen), 5_000), vector=composed.tolist(), seen=seen, **db,
        )  # fmt: skip
        for r in records[:CANDIDATES]:
            c = candidates.setdefault(r["item"], Candidate(r["item"]))
            c.features["embedding"] = r["cosine"]
    if "neighbours" not in sources:
        return
    records, _, _ = driver.execute_query(
        query("recommend/neighbour_candidates"), index=serving.index("user"), users=NEIGHBOURS + 1,
        vector=vector.tolist(), user_id=user_id, as_of=as_of, seen=seen, limit=CANDIDATES, **db,
    )  # fmt: skip
    for r in records:
        c = candidates.setdefault(r["item"], Candidate(r["item"]))
        c.features["neighbours"] = r["support"]
        c.users = r["users"]


def blend(candidates: list[Candidate], weights: BlendWeights) -> list[Candidate]:
    """Score = sum of weight × (source score / the best score of that source); best first."""
    best = {s: max((c.features.get(s, 0.0) for c in candidates), default=0.0) for s in SOURCES}
    for c in candidates:
        c.score = sum(
            getattr(weights, s) * c.features.get(s, 0.0) / best[s]
            for s in SOURCES
            if best[s] > 0 and c.features.get(s, 0.0) > 0
        )
    return sorted(candidates, key=lambda c: (-c.score, c.item))


def spread(
    ranked: Sequence[Candidate], k: int, categories: dict[str, list[str]]
) -> list[Candidate]:
    """Pick ``k`` greedily; an item loses ``SPREAD`` per earlier pick sharing its first category."""
    pool = list(ranked[: 4 * k])
    picked: list[Candidate] = []
    used: Counter[str] = Counter()
    while pool and len(picked) < k:

        def adjusted(c: Candidate) -> float:
            first = (categories.get(c.item) or [""])[0]
            return c.score * SPREAD ** used[first]

        best = max(pool, key=lambda c: (adjusted(c), -pool.index(c)))
        pool.remove(best)
        picked.append(best)
        used[(categories.get(best.item) or [""])[0]] += 1
    return picked


def _items(driver: Driver, ids: list[str], db: dict[str, Any]) -> dict[str, dict[str, Any]]:
    records, _, _ = driver.execute_query(query("recommend/items_by_id"), ids=ids, **db)
    return {
        r["item"]: {"title": r["title"], "categories": sorted(r["categories"]),
                    "popularity": r["popularity"]}
        for r in records
    }  # fmt: skip


def describe(chosen: list[Candidate], details: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "item_id": c.item,
            "title": details.get(c.item, {}).get("title"),
            "categories": details.get(c.item, {}).get("categories", []),
            "score": round(c.score, 6),
            "sources": {s: round(v, 6) for s, v in sorted(c.features.items())},
        }
        for c in chosen
    ]


def _popular(
    driver: Driver, k: int, as_of: datetime, seen: list[str], db: dict[str, Any]
) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(
        query("recommend/popular_recent"), since=as_of - RECENT, as_of=as_of, seen=seen, limit=k,
        **db,
    )  # fmt: skip
    details = _items(driver, [r["item"] for r in records], db)
    return [
        {
            "item_id": r["item"],
            "title": details.get(r["item"], {}).get("title"),
            "categories": details.get(r["item"], {}).get("categories", []),
            "score": float(r["recent"]),
            "sources": {"recent_positives": r["recent"], "popularity": r["popularity"]},
            "reason": "popular lately" if r["recent"] else "popular",
        }
        for r in records
    ]


def _explain(
    driver: Driver,
    user_id: str,
    shown_id: str,
    as_of: datetime,
    chosen: list[Candidate],
    items: list[dict[str, Any]],
    gathered: Gathered,
    db: dict[str, Any],
) -> None:
    """Add each item's graph paths and a readable reason."""
    by_target = {s.target: s for s in gathered.targets}
    anchors = _anchors(driver, user_id, as_of, chosen, gathered.serving, db)
    predictors = _item_model_anchors(chosen, gathered, db, driver)
    for candidate, item in zip(chosen, items, strict=True):
        paths: list[dict[str, Any]] = []
        for target in candidate.via[:2]:
            s = by_target.get(target)
            if s is None:
                continue
            kind, key = split_target(target)
            paths.append({
                "source": "profile",
                "path": [{"user": shown_id}, {kind: key, "strength": round(s.blended, 4),
                         "signals": s.signals, "last_signal_at": _iso(s.last_at)},
                         {"item": candidate.item}],
                "reason": f"you like {key} ({s.signals} signals, latest {_iso(s.last_at)[:10]})",
            })  # fmt: skip
        predictor = predictors.get(candidate.item)
        if predictor is not None:
            paths.append({
                "source": "items",
                "path": [{"user": shown_id}, {"item": predictor["item"], "title":
                         predictor["title"], "at": predictor["at"]},
                         {"item": candidate.item, "weight": round(predictor["part"], 6)}],
                "reason": f"people who liked {predictor['title']} (you, {predictor['at'][:10]}) "
                          "liked this too",
            })  # fmt: skip
        anchor = anchors.get(candidate.item)
        if anchor is not None:
            paths.append({
                "source": "embedding",
                "path": [{"user": shown_id}, {"item": anchor["item"], "title": anchor["title"],
                         "at": profiles.iso(anchor["at"].to_native())},
                         {"item": candidate.item, "similarity": round(anchor["similarity"], 4)}],
                "reason": f"similar to {anchor['title']}, which you liked on "
                          f"{profiles.iso(anchor['at'].to_native())[:10]}",
            })  # fmt: skip
        if candidate.users:
            paths.append({
                "source": "neighbours",
                "path": [{"user": shown_id}, {"similar_users": candidate.users},
                         {"item": candidate.item}],
                "reason": f"liked by {candidate.users} of the {NEIGHBOURS} users most like you",
            })  # fmt: skip
        item["explanations"] = paths
        item["reason"] = paths[0]["reason"] if paths else "popular"


def _item_model_anchors(
    chosen: list[Candidate], gathered: Gathered, db: dict[str, Any], driver: Driver
) -> dict[str, dict[str, Any]]:
    """For each chosen item the item-to-item source reached, the history item that led most."""
    items = [c.item for c in chosen if "items" in c.features]
    if gathered.serving is None or not items:
        return {}
    records, _, _ = driver.execute_query(
        query("recommend/item_model_anchors"), history=_weighted(gathered.history),
        slot=gathered.serving.slot, items=items, **db,
    )  # fmt: skip
    at = {h["item"]: h["at"] for h in gathered.history}
    return {
        r["item"]: {"item": r["anchor"], "title": r["title"], "part": r["part"],
                    "at": _iso(at[r["anchor"]])}
        for r in records
    }  # fmt: skip


def _anchors(
    driver: Driver,
    user_id: str,
    as_of: datetime,
    chosen: list[Candidate],
    serving: runs.Serving | None,
    db: dict[str, Any],
) -> dict[str, dict[str, Any]]:
    """For each chosen item, the liked item most like it in the embedding space."""
    if serving is None:
        return {}
    records, _, _ = driver.execute_query(
        query("recommend/liked_items"), user_id=user_id, as_of=as_of, limit=200, **db
    )
    liked = {r["item"]: r for r in records}
    ids = [*liked, *(c.item for c in chosen)]
    records, _, _ = driver.execute_query(
        query("recommend/item_vectors"), ids=ids, property=serving.property, **db
    )
    vectors = {r["item"]: np.asarray(r["vector"], dtype=np.float32) for r in records}
    anchors_ids = [i for i in liked if i in vectors]
    if not anchors_ids:
        return {}
    matrix = np.stack([vectors[i] for i in anchors_ids])
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True) + 1e-9
    found = {}
    for c in chosen:
        if c.item not in vectors:
            continue
        v = vectors[c.item] / (np.linalg.norm(vectors[c.item]) + 1e-9)
        similarities = matrix @ v
        best = int(np.argmax(similarities))
        found[c.item] = {**liked[anchors_ids[best]], "similarity": float(similarities[best])}
    return found


def similar_items(
    driver: Driver, item_id: str, k: int, *, database: str | None = None
) -> dict[str, Any]:
    """Items nearest in the served embeddings, else those liked by the same users."""
    db: dict[str, Any] = {"database_": database, "routing_": "r"}
    serving = runs.serving(driver, database=database)
    records = []
    how = "co-interaction"
    if serving is not None:
        records, _, _ = driver.execute_query(
            query("recommend/similar_items"), item_id=item_id, property=serving.property,
            index=serving.index("item"), k=k, **db,
        )  # fmt: skip
        how = "embedding"
    if not records:
        records, _, _ = driver.execute_query(
            query("recommend/co_interacted_items"), item_id=item_id, k=k, **db
        )
        how = "co-interaction"
    details = _items(driver, [r["item"] for r in records], db)
    return {
        "item_id": item_id,
        "method": how,
        "embedding_run": serving.run_id if serving else None,
        "similar": [
            {
                "item_id": r["item"],
                **details.get(r["item"], {}),
                "score": round(float(r.get("cosine", r.get("users", 0))), 6),
            }
            for r in records
        ],  # fmt: skip
    }


def _iso(epoch: float) -> str:
    return profiles.iso(datetime.fromtimestamp(epoch, UTC))
