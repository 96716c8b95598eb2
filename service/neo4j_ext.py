"""The graph store as a Flask extension: one ``Graph`` per app, schema applied at start."""

from __future__ import annotations

import atexit
import logging
import threading

from flask import Flask, current_app, request

from graph.store import UNAVAILABLE_ERRORS, Graph
from graph.store.config import Connection, connection
from graph.store.schema import apply_schema

logger = logging.getLogger(__name__)


class Neo4j:
    """Holds the app's ``Graph`` in ``app.extensions["neo4j"]``."""

    def __init__(self, app: Flask) -> None:
        conn: Connection = app.config.get("NEO4J_CONNECTION") or connection()
        self.graph = Graph.connect(conn, retry_time_s=app.config["DB_RETRY_SECONDS"])
        self._schema_applied = False
        self._lock = threading.Lock()
        atexit.register(self.graph.close)
        app.extensions["neo4j"] = self
        app.before_request(self._before_request)
        try:
            self.ensure_schema()
        except UNAVAILABLE_ERRORS:
            logger.warning(
                "Neo4j is not reachable at %s; requests answer 503 until it is", conn.uri
            )

    def _before_request(self) -> None:
        if request.blueprint != "health":
            self.ensure_schema()

    def ensure_schema(self) -> None:
        """Apply the schema once per process (idempotent); retried while Neo4j is down."""
        if self._schema_applied:
            return
        with self._lock:
            if not self._schema_applied:
                apply_schema(self.graph)
                self._schema_applied = True


def store() -> Graph:
    """The current app's graph store."""
    extension: Neo4j = current_app.extensions["neo4j"]
    return extension.graph
