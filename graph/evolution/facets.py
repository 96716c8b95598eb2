"""Facets: a profile's interests grouped by embedding, so unrelated passions stay apart. Pure.

Average-linkage clustering on cosine distance (SciPy), cut where clusters stop being alike
(``SIMILARITY``). A facet is named by its medoid, the member most like the others weighted by
strength, and its strength is the sum of its members'. Only interests with a positive strength
take part: an aversion is not a facet of what someone likes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage

SIMILARITY = 0.45  # average cosine within a facet, at least
MAX_FACETS = 5


@dataclass(frozen=True)
class Facet:
    name: str  # the medoid's key
    strength: float
    members: list[tuple[str, float]]  # (key, strength), strongest first


def facets(
    strengths: Mapping[str, float],
    embeddings: Mapping[str, np.ndarray],
    *,
    similarity: float = SIMILARITY,
    max_facets: int = MAX_FACETS,
) -> list[Facet]:
    """The strongest ``max_facets`` facets of the interests in ``strengths`` that have vectors."""
    keys = [k for k, v in strengths.items() if v > 0 and k in embeddings]
    if not keys:
        return []
    vectors = np.stack([embeddings[k] for k in keys]).astype(np.float64)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    if len(keys) == 1:
        labels = np.array([1])
    else:
        tree = linkage(vectors, method="average", metric="cosine")
        labels = fcluster(tree, t=1 - similarity, criterion="distance")
    weights = np.array([strengths[k] for k in keys])
    found = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        alike = vectors[members] @ vectors[members].T @ weights[members]
        medoid = keys[members[int(np.argmax(alike))]]
        ranked = sorted(((keys[i], float(weights[i])) for i in members), key=lambda kv: -kv[1])
        found.append(Facet(medoid, float(weights[members].sum()), ranked))
    return sorted(found, key=lambda f: -f.strength)[:max_facets]
