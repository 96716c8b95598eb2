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

from graph.store import Graph

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
    transition: str | None = None  # the forecast's (JSON of graph.evolution.transitions)
    blend: dict[str, Any] | None = None  # chosen on the run's validation split (store_blend)

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


def acquire(graph: Graph, owner: str, *, ttl_s: int = LEASE_TTL_S) -> None:
    """Take the training lease for ``owner``; :class:`LeaseHeld` when another run holds it."""
    if not graph.write("embeddings/acquire_lease", name=LEASE, owner=owner, ttl_s=ttl_s):
        holder = lease_holder(graph)
        raise LeaseHeld(f"another training run holds the lease ({holder or 'unknown'})")


def renew(graph: Graph, owner: str, *, ttl_s: int = LEASE_TTL_S) -> None:
    """Extend ``owner``'s lease; :class:`LeaseHeld` when it lapsed and another run took it."""
    if not graph.write("embeddings/renew_lease", name=LEASE, owner=owner, ttl_s=ttl_s):
        raise LeaseHeld("the training lease lapsed and was taken by another run")


def release(graph: Graph, owner: str) -> None:
    graph.write("embeddings/release_lease", name=LEASE, owner=owner)


def lease_holder(graph: Graph) -> str | None:
    record = graph.read_one("embeddings/lease_holder", name=LEASE)
    return None if record is None else record["owner"]


def serving(graph: Graph) -> Serving | None:
    """The run being served, or None before the first one passes the floor."""
    record = graph.read_one("embeddings/serving_run")
    if record is None:
        return None
    run = record["run"]
    relations = json.loads(run["relations"]) if run.get("relations") else {}
    blend = json.loads(run["blend"]) if run.get("blend") else None
    return Serving(
        run["id"], int(run["slot"]), run["model"], relations, run.get("transition"), blend
    )


def start(graph: Graph, owner: str, model: str, params: dict[str, Any]) -> tuple[str, int]:
    """Record a running run in the slot that is not served; return (run id, slot)."""
    current = serving(graph)
    slot = SLOTS[1] if current is not None and current.slot == SLOTS[0] else SLOTS[0]
    run_id = uuid.uuid4().hex
    graph.write(
        "embeddings/create_run",
        id=run_id,
        model=model,
        params=json.dumps(params, sort_keys=True),
        slot=slot,
        owner=owner,
    )
    return run_id, slot


def finish(
    graph: Graph,
    run_id: str,
    status: str,
    *,
    metrics: dict[str, float] | None = None,
    message: str | None = None,
) -> None:
    graph.write(
        "embeddings/finish_run",
        id=run_id,
        status=status,
        metrics=json.dumps(metrics or {}, sort_keys=True),
        message=message,
    )


def store_relations(graph: Graph, run_id: str, relations: dict[str, list[float]]) -> None:
    graph.write("embeddings/store_relations", id=run_id, relations=json.dumps(relations))


def store_transition(graph: Graph, run_id: str, transition: str) -> None:
    graph.write("embeddings/store_transition", id=run_id, transition=transition)


def store_blend(graph: Graph, run_id: str, blend: dict[str, Any]) -> None:
    """What the run chose on its validation split: the source weights it serves with, and the
    figures it chose them by."""
    graph.write("embeddings/store_blend", id=run_id, blend=json.dumps(blend))


def switch(graph: Graph, run_id: str, slot: int) -> None:
    graph.write("embeddings/switch_serving", id=run_id, slot=slot)


def recent(graph: Graph, *, limit: int = 10) -> list[dict[str, Any]]:
    runs = []
    for record in graph.read("embeddings/recent_runs", limit=limit):
        run = dict(record["run"])
        run.pop("relations", None)
        run.pop("transition", None)
        for key in ("params", "metrics", "blend"):
            run[key] = json.loads(run[key]) if run.get(key) else None
        for key in ("started_at", "finished_at"):
            if run.get(key) is not None:
                run[key] = run[key].to_native().isoformat()
        runs.append(run)
    return runs
