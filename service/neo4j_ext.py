"""The Neo4j driver as a Flask extension: one driver per app, schema applied at start."""

from __future__ import annotations

import atexit
import logging
import threading

from flask import Flask, current_app, request
from neo4j import Driver

from graph.config import Connection, connection
from graph.db import UNAVAILABLE_ERRORS, open_driver
from graph.schema import apply_schema

logger = logging.getLogger(__name__)


class Neo4j:
    """Holds the app's driver in ``app.extensions["neo4j"]``."""

    def __init__(self, app: Flask) -> None:
        conn: Connection = app.config.get("NEO4J_CONNECTION") or connection()
        self.database = conn.database
        self.driver: Driver = open_driver(conn, retry_time_s=app.config["DB_RETRY_SECONDS"])
        self._schema_applied = False
        self._lock = threading.Lock()
        atexit.register(self.driver.close)
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
                apply_schema(self.driver, database=self.database)
                self._schema_applied = True


def neo4j() -> Neo4j:
    extension: Neo4j = current_app.extensions["neo4j"]
    return extension
