"""Off-policy evaluation on a deployment's logs: what would another policy have earned?

Every logged answer (``graph.ingest.feedback``) carries, per shown item, the logging policy's
propensity, its reward and its predicted reward, whether the current ranking showed it, and the
pool's size; per answer, the predicted value of the current ranking's list and of a random list.
That is what IPS, self-normalised IPS and doubly robust estimates of two target policies need
(``embeddings.policy_evaluation``): ``current`` (the ranking without online learning: an item is
in its list or not) and ``random`` (k of the n candidates: each with k/n).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from embeddings.policy_evaluation import LoggedItem, LoggedSlate, OffPolicyEstimates, evaluate
from graph.store import Graph

TARGETS = ("current", "random")


def fetch_logged(graph: Graph, *, policy: str, since: datetime) -> list[dict[str, Any]]:
    """The answers ``policy`` logged since ``since``, each with its shown items."""
    return [dict(r) for r in graph.read("feedback/logged", policy=policy, since=since)]


def slates(logged: Sequence[Mapping[str, Any]], target: str) -> list[LoggedSlate]:
    """The logged answers as the estimators take them, for ``target``. Pure."""
    if target not in TARGETS:
        raise ValueError(f"unknown target policy {target!r}; one of {', '.join(TARGETS)}")
    found = []
    for r in logged:
        k, n = int(r["k"]), max(int(r["candidates"]), 1)
        items = tuple(
            LoggedItem(
                reward=float(s["reward"]),
                logging_propensity=float(s["propensity"]),
                target_propensity=(1.0 if s["current"] else 0.0) if target == "current"
                else min(1.0, k / n),
                estimate=float(s["predicted"]),
            )
            for s in r["shown"]
        )  # fmt: skip
        direct = float(r["dm_current"] if target == "current" else r["dm_random"])
        found.append(LoggedSlate(items, min(k, n), direct))
    return found


def evaluate_logged(
    graph: Graph, *, policy: str, since: datetime, seed: int = 0
) -> dict[str, OffPolicyEstimates]:
    """Each target policy's estimated value per answer, from ``policy``'s logs since ``since``."""
    logged = fetch_logged(graph, policy=policy, since=since)
    return {target: evaluate(slates(logged, target), seed=seed) for target in TARGETS}
