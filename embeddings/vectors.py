"""Reading served vectors, with the fallback for nodes that came after the run."""

from __future__ import annotations

import numpy as np

from graph.store import Graph


def user_vector(graph: Graph, user_id: str, property: str) -> np.ndarray | None:
    """The user's vector, else the mean of their positively rated items' vectors, else None."""
    record = graph.read_one("embeddings/user_vector", user_id=user_id, property=property)
    if record is None:
        return None
    own, neighbours = record["own"], record["neighbours"]
    if own is not None:
        return np.asarray(own, dtype=np.float32)
    if neighbours:
        return np.mean(np.asarray(neighbours, dtype=np.float32), axis=0)
    return None
