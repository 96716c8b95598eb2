"""Recommendations ranked ahead of requests, so that "what now?" is one indexed read.

``refresh`` gathers and blends each user's candidates (``service.recommend``) as of the database's
clock and keeps the best ``KEPT`` on the user node with the instant and the embedding run. A
request without ``as_of`` (that is, "now"), without explanations and with seen items excluded is
answered from them while they hold: computed after the user's latest signal (events and texts
stamp ``User.updated_at``), with the run that serves now, and younger than ``MAX_AGE`` (decay
half-lives are weeks, so a day moves strengths by a few per cent). Otherwise, or for ``k`` above
``KEPT // 4``, the request is ranked live. The category spread runs at answer time on the kept
candidates, so the answer is the live one for the instant of the refresh.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from neo4j import Driver

from cypher import query
from service import recommend
from graph.store.driver import Rows
from graph.evolution.profiles import iso
from service.recommend import DEFAULT_WEIGHTS, BlendWeights, Candidate

logger = logging.getLogger(__name__)

KEPT = 200  # blended candidates kept per user: the spread of k items looks at the best 4k
MAX_AGE = timedelta(hours=24)
WRITE_BATCH = 100


def refresh(
    driver: Driver,
    *,
    user_ids: Iterable[str] | None = None,
    weights: BlendWeights = DEFAULT_WEIGHTS,
    database: str | None = None,
) -> int:
    """Rank ahead for ``user_ids`` (default: every user whose ranking no longer holds or is older
    than half of ``MAX_AGE``); return how many were stored. Users without history are skipped
    (a cold start is cheap to answer live)."""
    records, _, _ = driver.execute_query(query("admin/now"), database_=database, routing_="r")
    now = records[0]["now"]
    if user_ids is None:
        before = now.to_native() - MAX_AGE / 2
        found, _, _ = driver.execute_query(
            query("recommend/stale_precomputed"), before=before, database_=database, routing_="r"
        )
        user_ids = [r["user_id"] for r in found]
    rows: list[dict[str, Any]] = []
    stored = 0
    for user_id in user_ids:
        gathered = recommend.gather(
            driver, user_id, as_of=now.to_native(), sources=weights.active(), database=database
        )
        if gathered.targets:
            ranked = recommend.blend(list(gathered.candidates.values()), weights)[:KEPT]
            rows.append({"user_id": user_id, "ranked": _encode(ranked, gathered.details),
                         "run": gathered.serving.run_id if gathered.serving else None})  # fmt: skip
        if len(rows) >= WRITE_BATCH:
            stored += _store(driver, rows, now, database)
            rows = []
    stored += _store(driver, rows, now, database)
    logger.info("precomputed the rankings of %d users", stored)
    return stored


def answer(
    driver: Driver, user_id: str, k: int, *, database: str | None = None
) -> dict[str, Any] | None:
    """The answer of ``GET /v1/users/{id}/recommendations?k`` from the kept ranking, or None when
    there is none that holds."""
    if k > KEPT // 4:
        return None
    records, _, _ = driver.execute_query(
        query("recommend/precomputed"), user_id=user_id, database_=database, routing_="r"
    )
    if not records or records[0]["ranked"] is None:
        return None
    r = records[0]
    fresh = r["updated_at"] is None or r["computed_at"] >= r["updated_at"]
    young = r["now"].to_native() - r["computed_at"].to_native() <= MAX_AGE
    if not (fresh and young and r["run"] == r["serving_run"]):
        return None
    ranked, details = _decode(r["ranked"])
    chosen = recommend.spread(ranked, k, {i: d["categories"] for i, d in details.items()})
    return {
        "as_of": iso(r["computed_at"].to_native()),
        "embedding_run": r["run"],
        "cold_start": False,
        "precomputed": True,
        "items": recommend.describe(chosen, details),
    }


def _store(driver: Driver, rows: list[dict[str, Any]], now: Any, database: str | None) -> int:
    if rows:
        driver.execute_query(
            query("recommend/store_precomputed"),
            rows=Rows(rows),
            computed_at=now,
            database_=database,
        )
    return len(rows)


def _encode(ranked: list[Candidate], details: dict[str, dict[str, Any]]) -> str:
    return json.dumps([
        {"item": c.item, "score": c.score, "features": c.features,
         "title": details.get(c.item, {}).get("title"),
         "categories": details.get(c.item, {}).get("categories", [])}
        for c in ranked
    ], separators=(",", ":"))  # fmt: skip


def _decode(text: str) -> tuple[list[Candidate], dict[str, dict[str, Any]]]:
    rows = json.loads(text)
    ranked = [Candidate(row["item"], features=row["features"], score=row["score"]) for row in rows]
    details = {row["item"]: {"title": row["title"], "categories": row["categories"]}
               for row in rows}  # fmt: skip
    return ranked, details
