"""Versioned embedding runs, the serving pointer, and the training lease. All state in Neo4j.

``(:EmbeddingRun {id, model, params, metrics, slot, status, started_at, finished_at})`` records
every run. Vectors live in one of two slots (node properties ``kge_0`` and ``kge_1``, each with a
vector index per label); a run writes the slot that is not served, and only a finished run that
passed the quality floor moves ``(:Meta {key: 'embeddings'})`` to its slot. Until then, and after
any failure, the previous run serves.

The lease (``(:Lock {name})`` with an owner and an expiry) keeps two runs from overlapping across
processes and machines; a holder that crashes stops renewing it, and it lapses after its TTL.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from dataclasses import dataclass
from typing import Any

from neo4j import Driver

from cypher import query

LEASE = "embedding-training"
LEASE_TTL_S = 15 * 60  # renewed between stages; a crashed run frees it after this
SLOTS = (0, 1)
LABELS = {"u": "user", "i": "item", "n": "interest", "c": "category"}  # id prefix → label


@dataclass(frozen=True)
class Serving:
    run_id: str
    slot: int
    model: str
    relations: dict[str, list[float]]  # relation vectors, to compose queries
    transition: str | None = None  # the forecast's transition model (JSON; graph.evolution.transitions)

    @property
    def property(self) -> str:
        return slot_property(self.slot)

    def index(self, label: str) -> str:
        """The vector index of ``label`` (user, item, interest, category) for this slot."""
        return f"{label}_kge_{self.slot}"


class LeaseHeld(RuntimeError):
    """Another run holds the training lease."""


def slot_property(slot: int) -> str:
    return f"kge_{slot}"


def new_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(
    driver: Driver, owner: str, *, ttl_s: int = LEASE_TTL_S, database: str | None = None
) -> None:
    records, _, _ = driver.execute_query(
        query("embeddings/acquire_lease"), name=LEASE, owner=owner, ttl_s=ttl_s, database_=database
    )
    if not records:
        holder = lease_holder(driver, database=database)
        raise LeaseHeld(f"another training run holds the lease ({holder or 'unknown'})")


def renew(
    driver: Driver, owner: str, *, ttl_s: int = LEASE_TTL_S, database: str | None = None
) -> None:
    records, _, _ = driver.execute_query(
        query("embeddings/renew_lease"), name=LEASE, owner=owner, ttl_s=ttl_s, database_=database
    )
    if not records:
        raise LeaseHeld("the training lease lapsed and was taken by another run")


def release(driver: Driver, owner: str, *, database: str | None = None) -> None:
    driver.execute_query(
        query("embeddings/release_lease"), name=LEASE, owner=owner, database_=database
    )


def lease_holder(driver: Driver, *, database: str | None = None) -> str | None:
    records, _, _ = driver.execute_query(
        query("embeddings/lease_holder"), name=LEASE, database_=database, routing_="r"
    )
    return records[0]["owner"] if records else None


def serving(driver: Driver, *, database: str | None = None) -> Serving | None:
    records, _, _ = driver.execute_query(
        query("embeddings/serving_run"), database_=database, routing_="r"
    )
    if not records:
        return None
    run = records[0]["run"]
    relations = json.loads(run["relations"]) if run.get("relations") else {}
    return Serving(run["id"], int(run["slot"]), run["model"], relations, run.get("transition"))


def start(
    driver: Driver, owner: str, model: str, params: dict[str, Any], *, database: str | None = None
) -> tuple[str, int]:
    """Record a running run in the slot that is not served; return (run id, slot)."""
    current = serving(driver, database=database)
    slot = SLOTS[1] if current is not None and current.slot == SLOTS[0] else SLOTS[0]
    run_id = uuid.uuid4().hex
    driver.execute_query(
        query("embeddings/create_run"),
        id=run_id,
        model=model,
        params=json.dumps(params, sort_keys=True),
        slot=slot,
        owner=owner,
        database_=database,
    )
    return run_id, slot


def finish(
    driver: Driver,
    run_id: str,
    status: str,
    *,
    metrics: dict[str, float] | None = None,
    message: str | None = None,
    database: str | None = None,
) -> None:
    driver.execute_query(
        query("embeddings/finish_run"),
        id=run_id,
        status=status,
        metrics=json.dumps(metrics or {}, sort_keys=True),
        message=message,
        database_=database,
    )


def store_relations(
    driver: Driver, run_id: str, relations: dict[str, list[float]], *, database: str | None = None
) -> None:
    driver.execute_query(
        query("embeddings/store_relations"),
        id=run_id,
        relations=json.dumps(relations),
        database_=database,
    )


def store_transition(
    driver: Driver, run_id: str, transition: str, *, database: str | None = None
) -> None:
    driver.execute_query(
        query("embeddings/store_transition"), id=run_id, transition=transition, database_=database
    )


def switch(driver: Driver, run_id: str, slot: int, *, database: str | None = None) -> None:
    driver.execute_query(
        query("embeddings/switch_serving"), id=run_id, slot=slot, database_=database
    )


def recent(driver: Driver, *, limit: int = 10, database: str | None = None) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(
        query("embeddings/recent_runs"), limit=limit, database_=database, routing_="r"
    )
    runs = []
    for record in records:
        run = dict(record["run"])
        run.pop("relations", None)
        run.pop("transition", None)
        for key in ("params", "metrics"):
            run[key] = json.loads(run[key]) if run.get(key) else None
        for key in ("started_at", "finished_at"):
            if run.get(key) is not None:
                run[key] = run[key].to_native().isoformat()
        runs.append(run)
    return runs
