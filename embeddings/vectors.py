"""Reading served vectors, with the fallback for nodes that came after the run."""

from __future__ import annotations

import numpy as np
from neo4j import Driver

from cypher import query


def user_vector(
    driver: Driver, user_id: str, property: str, *, database: str | None = None
) -> np.ndarray | None:
    """The user's vector, else the mean of their positively rated items' vectors, else None."""
    records, _, _ = driver.execute_query(
        query("embeddings/user_vector"),
        user_id=user_id,
        property=property,
        database_=database,
        routing_="r",
    )
    if not records:
        return None
    own, neighbours = records[0]["own"], records[0]["neighbours"]
    if own is not None:
        return np.asarray(own, dtype=np.float32)
    if neighbours:
        return np.mean(np.asarray(neighbours, dtype=np.float32), axis=0)
    return None
