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

from graph.store import Graph, Rows
from graph.text.extraction import SAME_INTEREST, Phrase

LINK_THRESHOLD = SAME_INTEREST


@dataclass(frozen=True)
class Link:
    phrase: Phrase
    interest_key: str
    interest_name: str
    how: str  # "exact", "similar", "new" (a new interest) or "merged" (into another new one)
    similarity: float
    embedding: np.ndarray  # the phrase's
    embeds: bool = False  # the phrase's vector becomes the interest's (a new one, or one without)


@dataclass(frozen=True)
class KnownInterests:
    """What the graph holds for a batch's phrases: the interests their keys name exactly, and
    for every other phrase the interest nearest to its embedding."""

    exact: dict[str, tuple[str, bool]]  # phrase key -> (name, whether it has an embedding)
    nearest: dict[str, tuple[str, str, float]]  # phrase key -> (interest key, name, cosine)


NOTHING_KNOWN = KnownInterests({}, {})


def plan_links(
    graph: Graph,
    phrases: Sequence[Phrase],
    embeddings: np.ndarray,
    *,
    threshold: float = LINK_THRESHOLD,
) -> list[Link]:
    """Decide, reading only, which interest each phrase links to."""
    known = known_interests(graph, phrases, embeddings)
    return choose_links(phrases, embeddings, known, threshold=threshold)


def known_interests(
    graph: Graph, phrases: Sequence[Phrase], embeddings: np.ndarray
) -> KnownInterests:
    """The interests the phrases name exactly, and the nearest one to each other phrase."""
    if not phrases:
        return NOTHING_KNOWN
    keys = sorted({p.key for p in phrases})
    records = graph.read("texts/interests_by_key", keys=keys)
    exact = {r["key"]: (r["name"], r["embedded"]) for r in records}
    unknown = {p.key: i for i, p in enumerate(phrases) if p.key not in exact}
    nearest: dict[str, tuple[str, str, float]] = {}
    if unknown:
        rows = [{"key": k, "vector": embeddings[i].tolist()} for k, i in unknown.items()]
        records = graph.read("texts/nearest_interests", rows=Rows(rows))
        nearest = {r["key"]: (r["interest_key"], r["name"], r["cosine"]) for r in records}
    return KnownInterests(exact, nearest)


def choose_links(
    phrases: Sequence[Phrase],
    embeddings: np.ndarray,
    known: KnownInterests,
    *,
    threshold: float = LINK_THRESHOLD,
) -> list[Link]:
    """Which interest each phrase links to, given what the graph holds (no I/O)."""
    if not phrases:
        return []
    exact, nearest = known.exact, known.nearest
    links: list[Link] = []
    capacity = sum(p.key not in exact for p in phrases)  # at most one new interest each
    fresh = _Fresh(capacity, embeddings.shape[1])  # this batch's new interests
    for phrase, vector in zip(phrases, embeddings, strict=True):
        if phrase.key in exact:
            name, embedded = exact[phrase.key]
            links.append(Link(phrase, phrase.key, name, "exact", 1.0, vector, not embedded))
            continue
        found = nearest.get(phrase.key)
        if found is not None and found[2] >= threshold:
            links.append(Link(phrase, found[0], found[1], "similar", round(found[2], 4), vector))
            continue
        twin, similarity = fresh.nearest(vector)
        if twin is not None and similarity >= threshold:
            similarity = round(similarity, 4)
            links.append(
                Link(phrase, twin.interest_key, twin.interest_name, "merged", similarity, vector)
            )
            continue
        link = Link(phrase, phrase.key, phrase.text, "new", 1.0, vector, True)
        fresh.add(link)
        links.append(link)
    return links


class _Fresh:
    """The new interests of a batch and their vectors, one matrix grown in place, so that each
    phrase new to the graph is compared with all of them in one product."""

    def __init__(self, capacity: int, dimensions: int) -> None:
        self.links: list[Link] = []
        self.vectors = np.zeros((max(capacity, 1), dimensions), dtype=np.float32)

    def add(self, link: Link) -> None:
        self.vectors[len(self.links)] = link.embedding
        self.links.append(link)

    def nearest(self, vector: np.ndarray) -> tuple[Link | None, float]:
        if not self.links:
            return None, 0.0
        similarities = self.vectors[: len(self.links)] @ vector
        best = int(np.argmax(similarities))
        return self.links[best], float(similarities[best])


def interest_rows(links: Sequence[Link]) -> list[dict[str, object]]:
    """Rows for ``texts/merge_interests``: each linked interest with the surface form as alias,
    and the vector only where it becomes the interest's."""
    rows: dict[tuple[str, str], dict[str, object]] = {}
    for link in links:
        row = rows.setdefault(
            (link.interest_key, link.phrase.key),
            {
                "key": link.interest_key,
                "name": link.interest_name,
                "alias": link.phrase.key,
                "embedding": None,
            },
        )
        if link.embeds and row["embedding"] is None:
            row["embedding"] = link.embedding.tolist()
    return list(rows.values())
