"""The graph schema: a constraint for every MERGE key, indexes for time ranges; idempotent."""

from __future__ import annotations

import logging

from neo4j import Driver

from cypher import names, query

logger = logging.getLogger(__name__)

#: Raise when a file under cypher/schema/ is added or changed.
SCHEMA_VERSION = 5


def apply_schema(driver: Driver, *, database: str | None = None) -> list[str]:
    """Apply every statement under ``cypher/schema`` (all ``IF NOT EXISTS``); record the version."""
    applied = names("schema")
    for name in applied:
        driver.execute_query(query(name), database_=database)
    driver.execute_query(
        query("admin/record_schema_version"),
        version=SCHEMA_VERSION,
        statements=applied,
        database_=database,
    )
    driver.execute_query(query("admin/await_indexes"), database_=database)
    logger.info("schema version %s applied (%d statements)", SCHEMA_VERSION, len(applied))
    return applied


def schema_version(driver: Driver, *, database: str | None = None) -> int | None:
    """The schema version recorded in the graph, or None before the first apply."""
    records, _, _ = driver.execute_query(
        query("admin/schema_version"), database_=database, routing_="r"
    )
    return records[0]["version"] if records else None
