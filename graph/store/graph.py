"""The graph store: one driver and one database, every statement by its name under ``cypher/``.

Everything that reads or writes Neo4j receives a ``Graph``; nothing else names the database,
the routing or the driver's query options. One ``Graph`` is made per process (the Flask
extension, a CLI command, a benchmark) and passed down.

Causal consistency: every session (``stream``, ``run``, ``transaction``) shares the bookmark
manager of the driver's ``execute_query`` (``read``, ``write``), so in a cluster a read after a
write of the same process waits for a secondary that has applied it (one server: no cost).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, TypeVar

from neo4j import (
    READ_ACCESS,
    Driver,
    ManagedTransaction,
    Record,
    Result,
    ResultSummary,
    RoutingControl,
    Session,
)

from cypher import query
from graph.store.config import Connection
from graph.store.driver import open_driver

P = ParamSpec("P")
T = TypeVar("T")


class Tx:
    """A unit of work inside ``Graph.transaction``: statements by name, all or nothing."""

    def __init__(self, tx: ManagedTransaction) -> None:
        self._tx = tx

    def run(self, name: str, /, **params: Any) -> Result:
        return self._tx.run(query(name), params)


class Graph:
    """Reads, writes and units of work against one database of one Neo4j."""

    def __init__(self, driver: Driver, *, database: str | None = None) -> None:
        self.driver = driver
        self.database = database

    @classmethod
    def connect(
        cls, conn: Connection, *, connection_timeout_s: float = 5.0, retry_time_s: float = 1.0
    ) -> Graph:
        """A store over a new driver for ``conn`` (see ``graph.store.driver.open_driver``)."""
        driver = open_driver(
            conn, connection_timeout_s=connection_timeout_s, retry_time_s=retry_time_s
        )
        return cls(driver, database=conn.database)

    def read(self, name: str, /, **params: Any) -> list[Record]:
        """Run a read statement (routed to a reader in a cluster); its records."""
        return self._execute(name, params, RoutingControl.READ)

    def read_one(self, name: str, /, **params: Any) -> Record | None:
        """The first record of a read statement, or None."""
        records = self.read(name, **params)
        return records[0] if records else None

    def write(self, name: str, /, **params: Any) -> list[Record]:
        """Run a write statement in its own transaction (retried on transient errors)."""
        return self._execute(name, params, RoutingControl.WRITE)

    def stream(self, name: str, /, **params: Any) -> Iterator[Record]:
        """The records of a read statement one at a time, for results too large to hold."""
        with self._session(default_access_mode=READ_ACCESS) as session:
            yield from session.run(query(name), params)

    def run(self, name: str, /, **params: Any) -> ResultSummary:
        """Run a statement in an auto-commit transaction: what ``CALL { ... } IN TRANSACTIONS``
        and schema statements need; not retried."""
        with self._session() as session:
            return session.run(query(name), params).consume()

    def transaction(
        self, work: Callable[Concatenate[Tx, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run ``work(tx, *args, **kwargs)`` in one write transaction; the driver retries it
        on transient errors, so ``work`` must be safe to run again."""
        with self._session() as session:
            return session.execute_write(lambda tx: work(Tx(tx), *args, **kwargs))

    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> Graph:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def _session(self, **config: Any) -> Session:
        """A session in the bookmark chain of ``execute_query`` (see the module's description)."""
        return self.driver.session(
            database=self.database,
            bookmark_manager=self.driver.execute_query_bookmark_manager,
            **config,
        )

    def _execute(self, name: str, params: dict[str, Any], routing: RoutingControl) -> list[Record]:
        records, _, _ = self.driver.execute_query(
            query(name), parameters_=params, database_=self.database, routing_=routing
        )
        return records
