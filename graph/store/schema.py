"""The graph schema: a constraint for every MERGE key, indexes for time ranges; idempotent."""

from __future__ import annotations

import logging

from cypher import names
from graph.store.graph import Graph

logger = logging.getLogger(__name__)

#: Raise when a file under cypher/schema/ is added or changed.
SCHEMA_VERSION = 6


def apply_schema(graph: Graph) -> list[str]:
    """Apply every statement under ``cypher/schema`` (all ``IF NOT EXISTS``); record the version."""
    applied = names("schema")
    for name in applied:
        graph.write(name)
    graph.write("admin/record_schema_version", version=SCHEMA_VERSION, statements=applied)
    graph.write("admin/await_indexes")
    logger.info("schema version %s applied (%d statements)", SCHEMA_VERSION, len(applied))
    return applied


def schema_version(graph: Graph) -> int | None:
    """The schema version recorded in the graph, or None before the first apply."""
    record = graph.read_one("admin/schema_version")
    return record["version"] if record else None
