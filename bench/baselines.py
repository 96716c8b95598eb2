"""Recommendation baselines and metrics on one split: MostPop, ItemKNN (cosine), EASE.

Every method sees the same binary user × item matrix of the training part and ranks, for each
user, the training items they have not interacted with.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

import numpy as np
from scipy import sparse

from bench.common import Rating

Ranker = Callable[[int], list[int]]  # user row → item columns, best first


def split(events: list[Rating]) -> tuple[list[Rating], list[Rating]]:
    """Oldest ceil(80%) to train, the rest held out; events sorted by time, ties by item."""
    ordered = sorted(events, key=lambda e: (e[0], e[1]))
    cut = math.ceil(0.8 * len(ordered))
    return ordered[:cut], ordered[cut:]


class Matrix:
    """The training part as a binary CSR matrix, with the id maps."""

    def __init__(self, train: dict[str, list[Rating]]) -> None:
        self.users = sorted(train, key=int)
        self.items = sorted({m for events in train.values() for _, m, _ in events})
        self.user_row = {u: i for i, u in enumerate(self.users)}
        self.item_col = {m: j for j, m in enumerate(self.items)}
        rows, cols = [], []
        for user, events in train.items():
            for _, movie, _ in events:
                rows.append(self.user_row[user])
                cols.append(self.item_col[movie])
        data = np.ones(len(rows), dtype=np.float32)
        x = sparse.csr_matrix((data, (rows, cols)), shape=(len(self.users), len(self.items)))
        x.data[:] = 1.0  # a repeated (user, item) is one interaction
        self.x = x

    def top(self, scores: np.ndarray, row: int, k: int) -> list[int]:
        scores = scores.astype(np.float64, copy=True)
        scores[self.x.indices[self.x.indptr[row] : self.x.indptr[row + 1]]] = -np.inf
        best = np.argpartition(-scores, k)[:k]
        return [int(j) for j in best[np.argsort(-scores[best], kind="stable")]]


def split_all(
    ratings: dict[str, list[Rating]],
) -> tuple[dict[str, list[Rating]], dict[str, list[Rating]]]:
    """``split`` per user: the training parts and the held-out parts."""
    parts = {u: split(events) for u, events in ratings.items()}
    return {u: p[0] for u, p in parts.items()}, {u: p[1] for u, p in parts.items()}


def positives(matrix: Matrix, held: dict[str, list[Rating]]) -> dict[str, set[int]]:
    """Per user, the columns of held-out ratings >= 4 (items unseen in training count as misses)."""
    found = {}
    for user, events in held.items():
        items = {matrix.item_col.get(m, -1 - m) for _, m, r in events if r >= 4}
        if items and user in matrix.user_row:
            found[user] = items
    return found


def most_popular(m: Matrix, k: int) -> Ranker:
    counts = np.asarray(m.x.sum(axis=0)).ravel()
    return lambda row: m.top(counts, row, k)


def item_knn(m: Matrix, k: int) -> Ranker:
    norms = np.sqrt(np.asarray(m.x.sum(axis=0)).ravel()) + 1e-9
    xn = m.x.multiply(1 / norms).tocsc()
    similarity = (xn.T @ xn).toarray()
    np.fill_diagonal(similarity, 0.0)
    return lambda row: m.top(np.asarray(m.x[row] @ similarity).ravel(), row, k)


def ease(m: Matrix, k: int, lam: float = 200.0) -> Ranker:
    gram = (m.x.T @ m.x).toarray().astype(np.float64)
    gram[np.diag_indices_from(gram)] += lam
    p = np.linalg.inv(gram)
    b = -p / np.diag(p)
    np.fill_diagonal(b, 0.0)
    return lambda row: m.top(np.asarray(m.x[row] @ b).ravel(), row, k)


def metrics(recommended: Sequence[int], positives: set[int], k: int = 10) -> dict[str, float]:
    hits = [1.0 if item in positives else 0.0 for item in recommended[:k]]
    dcg = sum(h / math.log2(i + 2) for i, h in enumerate(hits))
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(positives), k)))
    return {
        "recall@10": sum(hits) / len(positives),
        "ndcg@10": dcg / ideal,
        "hr@10": 1.0 if sum(hits) else 0.0,
    }


def mean(results: Iterable[dict[str, float]]) -> dict[str, float]:
    rows = list(results)
    return {key: float(np.mean([r[key] for r in rows])) for key in rows[0]} if rows else {}
