"""The item-to-item model learnt with each embedding run: EASE on a catalogue that fits in
memory, a BM25-weighted item-item neighbourhood above it.

EASE (Steck, 2019) fits ``B = argmin ||X - XB||² + λ||B||²`` with ``diag(B) = 0`` over the binary
user × item matrix ``X`` of positive interactions, in closed form: ``P = (XᵀX + λI)⁻¹``,
``B = -P / diag(P)``. Row ``j`` of ``B`` says how much liking item ``j`` predicts each other item.
Its memory is quadratic in the items (float32, about 0.6 GB at 12,000), so above ``max_items``
items the model is an item-item neighbourhood from the ``implicit`` package instead: item
columns weighted (BM25 by default), each item's ``neighbours`` largest dot products found
sparsely, in memory linear in the interactions. Both give every item its ``neighbours`` largest
positive weights; they become the edges ``(:Item)-[:SIMILAR_TO {slot, weight}]->(:Item)``
(``embeddings.writeback``), which ``service.recommend`` walks from a user's recent history.
The two weights live on different scales; the blend divides each source by its best score.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import sparse
from scipy.linalg import lapack

logger = logging.getLogger(__name__)

Model = Literal["ease", "neighbourhood"]
Weighting = Literal["bm25", "tfidf", "cosine"]  # of the item columns, for the neighbourhood


@dataclass(frozen=True)
class ItemSimilarityConfig:
    regularisation: float = 200.0  # EASE's λ; the value the EASE paper and our baseline use
    neighbours: int = 50  # kept per item: 100 scored 0.002 NDCG@10 better, with twice the edges
    max_items: int = 12_000  # EASE up to this many items, BM25 item-item above
    # the neighbourhood's weighting, and BM25's k1 and b: chosen on the validation split of
    # bench/item_models.py, which prints whether these defaults are what it chose
    weighting: Weighting = "bm25"
    bm25_k1: float = 2.0
    bm25_b: float = 0.1
    model: Model | None = None  # force one model (the benchmarks); None: by catalogue size


Neighbours = dict[str, list[tuple[str, float]]]  # item → [(similar item, weight)], best first
ROWS_PER_BLOCK = 1024


def fit(
    pairs: Iterable[tuple[str, str]], *, config: ItemSimilarityConfig | None = None
) -> Neighbours:
    """The kept neighbours of every item, from (user, item) pairs of positive interactions."""
    config = config or ItemSimilarityConfig()
    items, x = interaction_matrix(pairs)
    if len(items) < 2:
        return {}
    model = config.model or ("ease" if len(items) <= config.max_items else "neighbourhood")
    logger.info("item-to-item model: %s over %d items", model, len(items))
    if model == "neighbourhood":
        return _neighbourhood(items, x, config)
    kept = min(len(items), config.max_items)  # a forced EASE keeps the most popular
    weights = ease_weights(x[:, :kept], config.regularisation)
    return _strongest(items[:kept], weights, config.neighbours)


def interaction_matrix(pairs: Iterable[tuple[str, str]]) -> tuple[list[str], sparse.csr_matrix]:
    """The distinct (user, item) pairs as a binary user × item matrix, its columns the items
    from the most interacted with (ties by id)."""
    users: dict[str, int] = {}
    counts: dict[str, int] = {}
    seen: set[tuple[str, str]] = set()
    for user, item in pairs:
        if (user, item) in seen:
            continue
        seen.add((user, item))
        users.setdefault(user, len(users))
        counts[item] = counts.get(item, 0) + 1
    items = sorted(counts, key=lambda i: (-counts[i], i))
    column = {item: j for j, item in enumerate(items)}
    rows = np.fromiter((users[u] for u, _ in seen), dtype=np.int32, count=len(seen))
    cols = np.fromiter((column[i] for _, i in seen), dtype=np.int32, count=len(seen))
    x = sparse.csr_matrix(
        (np.ones(len(seen), dtype=np.float32), (rows, cols)), shape=(len(users), len(items))
    )
    return items, x


def ease_weights(x: sparse.csr_matrix, regularisation: float) -> np.ndarray:
    """EASE's dense item × item weights ``B`` (zero diagonal) for the binary matrix ``x``.

    ``XᵀX + λI`` is symmetric positive definite: its inverse comes from a Cholesky factor,
    overwriting the one float32 matrix (half the work of a general inverse, and no copies)."""
    gram = (x.T @ x).toarray().astype(np.float32, copy=False)
    gram[np.diag_indices_from(gram)] += regularisation
    # LAPACK reads the C-ordered symmetric matrix as its (equal) transpose, in place
    factor, info = lapack.spotrf(gram.T, lower=False, overwrite_a=True, clean=False)
    if info != 0:
        raise np.linalg.LinAlgError(f"EASE's Gram matrix is not positive definite ({info})")
    inverse, info = lapack.spotri(factor, lower=False, overwrite_c=True)
    if info != 0:
        raise np.linalg.LinAlgError(f"EASE's Gram matrix could not be inverted ({info})")
    weights = _symmetric_from_upper(inverse)
    weights /= -np.diag(weights).copy()
    np.fill_diagonal(weights, 0.0)
    return weights


def _symmetric_from_upper(matrix: np.ndarray) -> np.ndarray:
    """``matrix`` with its lower triangle copied from its upper one, in place, a block at a time;
    returned in C order (its transpose, equal to it once symmetric)."""
    n = matrix.shape[0]
    for start in range(0, n, ROWS_PER_BLOCK):
        end = min(start + ROWS_PER_BLOCK, n)
        block = matrix[start:end, start:end]
        block[...] = np.triu(block) + np.triu(block, 1).T
        matrix[end:, start:end] = matrix[start:end, end:].T
    return matrix.T if not matrix.flags.c_contiguous else matrix


def _neighbourhood(
    items: list[str], x: sparse.csr_matrix, config: ItemSimilarityConfig
) -> Neighbours:
    # compiled, and loaded only where a catalogue needs it
    from implicit.nearest_neighbours import (
        ItemItemRecommender,
        bm25_weight,
        normalize,
        tfidf_weight,
    )

    if config.weighting == "bm25":
        weighted = bm25_weight(x.T, K1=config.bm25_k1, B=config.bm25_b).T
    elif config.weighting == "tfidf":
        weighted = normalize(tfidf_weight(x.T)).T
    else:
        weighted = normalize(x.T).T
    model = ItemItemRecommender(K=config.neighbours + 1)
    model.fit(sparse.csr_matrix(weighted, dtype=np.float64), show_progress=False)
    similarity = sparse.csr_matrix(model.similarity)
    similarity.setdiag(0.0)
    similarity.eliminate_zeros()
    found: Neighbours = {}
    for j, item in enumerate(items):
        start, end = similarity.indptr[j], similarity.indptr[j + 1]
        columns, values = similarity.indices[start:end], similarity.data[start:end]
        order = np.lexsort((columns, -values))[: config.neighbours]
        kept = [(items[int(columns[o])], float(values[o])) for o in order if values[o] > 0]
        if kept:
            found[item] = kept
    return found


def _strongest(items: list[str], weights: np.ndarray, neighbours: int) -> Neighbours:
    """Each row's ``neighbours`` largest positive weights, a block of rows at a time (an
    argpartition of the whole matrix would hold twice its size in indices)."""
    n = min(neighbours, len(items) - 1)
    found: Neighbours = {}
    for start in range(0, len(items), ROWS_PER_BLOCK):
        block = weights[start : start + ROWS_PER_BLOCK]
        best = np.argpartition(-block, n - 1, axis=1)[:, :n]
        for offset, candidates in enumerate(best):
            row = block[offset, candidates]
            order = np.argsort(-row, kind="stable")
            kept = [(items[int(candidates[o])], float(row[o])) for o in order if row[o] > 0]
            if kept:
                found[items[start + offset]] = kept
    return found
