"""Linking phrases to canonical interests: exact key, else the nearest interest by embedding above
a threshold (Neo4j vector index), else a new interest. Phrases new to the graph that are alike
are merged with each other before they are created.

The threshold, 0.75 cosine, was chosen on the hand-labelled pairs in tests/data/linking_pairs.tsv
(bench/linking.py): precision before recall, since a wrong merge corrupts an interest while a
missed one only leaves a duplicate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from neo4j import Driver

from cypher import query
from graph.extraction import SAME_INTEREST, Phrase

LINK_THRESHOLD = SAME_INTEREST


@dataclass(frozen=True)
class Link:
    phrase: Phrase
    interest_key: str
    interest_name: str
    how: str  # "exact", "similar", "new" (a new interest) or "merged" (into another new one)
    similarity: float
    embedding: np.ndarray  # the phrase's


def plan_links(
    driver: Driver,
    phrases: Sequence[Phrase],
    embeddings: np.ndarray,
    *,
    threshold: float = LINK_THRESHOLD,
    database: str | None = None,
) -> list[Link]:
    """Decide, reading only, which interest each phrase links to."""
    if not phrases:
        return []
    keys = sorted({p.key for p in phrases})
    records, _, _ = driver.execute_query(
        query("texts/interests_by_key"), keys=keys, database_=database, routing_="r"
    )
    exact = {r["key"]: r["name"] for r in records}
    unknown = {p.key: i for i, p in enumerate(phrases) if p.key not in exact}
    nearest: dict[str, tuple[str, str, float]] = {}
    if unknown:
        rows = [{"key": k, "vector": embeddings[i].tolist()} for k, i in unknown.items()]
        records, _, _ = driver.execute_query(
            query("texts/nearest_interests"), rows=rows, database_=database, routing_="r"
        )
        nearest = {r["key"]: (r["interest_key"], r["name"], r["cosine"]) for r in records}
    links: list[Link] = []
    fresh: list[Link] = []  # new interests of this batch, to merge alike phrases into
    for phrase, vector in zip(phrases, embeddings, strict=True):
        if phrase.key in exact:
            links.append(Link(phrase, phrase.key, exact[phrase.key], "exact", 1.0, vector))
            continue
        found = nearest.get(phrase.key)
        if found is not None and found[2] >= threshold:
            links.append(Link(phrase, found[0], found[1], "similar", round(found[2], 4), vector))
            continue
        twin = _most_similar(vector, fresh)
        if twin is not None and float(vector @ twin.embedding) >= threshold:
            similarity = round(float(vector @ twin.embedding), 4)
            links.append(
                Link(phrase, twin.interest_key, twin.interest_name, "merged", similarity, vector)
            )
            continue
        link = Link(phrase, phrase.key, phrase.text, "new", 1.0, vector)
        fresh.append(link)
        links.append(link)
    return links


def _most_similar(vector: np.ndarray, links: Sequence[Link]) -> Link | None:
    if not links:
        return None
    similarities = np.stack([link.embedding for link in links]) @ vector
    return links[int(np.argmax(similarities))]


def interest_rows(links: Sequence[Link]) -> list[dict[str, object]]:
    """Rows for ``texts/merge_interests``: each linked interest with the surface form as alias."""
    rows: dict[tuple[str, str], dict[str, object]] = {}
    for link in links:
        rows.setdefault(
            (link.interest_key, link.phrase.key),
            {
                "key": link.interest_key,
                "name": link.interest_name,
                "alias": link.phrase.key,
                "embedding": link.embedding.tolist(),
            },
        )
    return list(rows.values())
