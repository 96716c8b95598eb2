"""Recommendations ranked ahead of requests, so that "what now?" is one indexed read.

``refresh`` gathers and blends each user's candidates (``service.recommend``) as of the database's
clock and keeps the best ``KEPT`` on the user node with the instant and the embedding run. A
request without ``as_of`` (that is, "now"), without explanations and with seen items excluded is
answered from them while they hold: computed after the user's latest signal (events and texts
stamp ``User.updated_at``), with the run that serves now, and younger than ``MAX_AGE`` (decay
half-lives are weeks, so a day moves strengths by a few per cent). Otherwise, for ``k`` above
``KEPT // 4``, or when fewer than ``k`` were kept (the live answer fills up with popular items),
the request is ranked live. The category spread runs at answer time on the kept
candidates, so the answer is the live one for the instant of the refresh.

A ``Shard`` splits the users among machines: shard ``i`` of ``n`` ranks exactly the users whose
stable hash of the stored id (BLAKE2b, the same in every process and on every machine) is ``i``
modulo ``n``, so ``n`` machines running ``interests precompute --shard i/n`` share the work with
no overlap and no gap.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tqdm import tqdm

from embeddings import item_table, runs
from graph.evolution.strength import Strength, split_target
from graph.store import Graph, Rows
from service import recommend
from service.recommend import BlendWeights, Candidate, ItemDetails, Recommendations

logger = logging.getLogger(__name__)

KEPT = 200  # blended candidates kept per user: the spread of k items looks at the best 4k
POOL_PER_CATEGORY = 100  # unseen best liked items kept per category, for the policy's pool
CATEGORY_DEPTH = 150  # best liked items per category looked at (``recommend.fetch_category_tops``)
MAX_AGE = timedelta(hours=24)
WRITE_BATCH = 100


@dataclass(frozen=True)
class Shard:
    """Part ``index`` of ``count`` disjoint parts of the users (``0 <= index < count``)."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if self.count < 1 or not 0 <= self.index < self.count:
            raise ValueError(f"a shard is i/n with 0 <= i < n, not {self.index}/{self.count}")

    @classmethod
    def parse(cls, spec: str) -> Shard:
        """``"i/n"``, e.g. ``"0/4"``; ValueError naming the spec otherwise."""
        found = re.fullmatch(r"\s*(-?\d+)\s*/\s*(-?\d+)\s*", spec)
        if found is None:
            raise ValueError(f"a shard is i/n with 0 <= i < n, e.g. 0/4, not {spec!r}")
        return cls(int(found[1]), int(found[2]))

    def holds(self, user_id: str) -> bool:
        return shard_of(user_id, self.count) == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def shard_of(user_id: str, count: int) -> int:
    """The shard of the user stored as ``user_id`` among ``count``: 64 bits of BLAKE2b of the id,
    modulo ``count``. Never Python's ``hash()``, which differs between processes."""
    digest = hashlib.blake2b(user_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % count


def refresh(
    graph: Graph,
    *,
    user_ids: Iterable[str] | None = None,
    weights: BlendWeights | None = None,
    shard: Shard | None = None,
    progress: bool | None = False,
) -> int:
    """Rank ahead for ``user_ids`` (default: every user whose ranking no longer holds or is older
    than half of ``MAX_AGE``), only those of ``shard`` when one is given; return how many were
    stored. Users without history are skipped (a cold start is cheap to answer live). Blended
    with ``weights``, by default the served run's for each user's situation
    (``recommend.blend_for``).
    ``progress``: a bar over the users (None: when stderr is a terminal; False: never)."""
    now = graph.read("admin/now")[0]["now"]
    if user_ids is None:
        found = graph.read("recommend/stale_precomputed", before=now.to_native() - MAX_AGE / 2)
        user_ids = [r["user_id"] for r in found]
    if shard is not None:
        user_ids = [u for u in user_ids if shard.holds(u)]
    rows: list[dict[str, Any]] = []
    stored = 0
    tops = recommend.fetch_category_tops(graph, CATEGORY_DEPTH)
    serving = runs.serving(graph)
    active = (weights if weights is not None else recommend.serving_weights(serving)).active()
    if serving is not None and user_ids:  # the item-to-item model in memory for every user
        item_table.TABLES.wait(graph, serving.run_id, serving.slot)
    for user_id in tqdm(user_ids, desc="precomputing recommendations", unit="user",
                        disable=None if progress is None else not progress):  # fmt: skip
        gathered = recommend.gather(graph, user_id, as_of=now.to_native(),
                                    sources=active, serving=serving)  # fmt: skip
        if gathered.targets:
            blend = recommend.blend_for(gathered, weights)
            ranked = recommend.blend(list(gathered.candidates.values()), blend)[:KEPT]
            pool = {
                "unseen": unseen_tops(tops, set(gathered.seen), POOL_PER_CATEGORY),
                "profile": category_profile(gathered.targets),
            }
            rows.append({"user_id": user_id, "ranked": encode(ranked, gathered.details),
                         "pool": json.dumps(pool, separators=(",", ":")),
                         "run": gathered.serving.run_id if gathered.serving else None})  # fmt: skip
        if len(rows) >= WRITE_BATCH:
            stored += _store(graph, rows, now)
            rows = []
    stored += _store(graph, rows, now)
    logger.info("precomputed the rankings of %d users%s", stored,
                f" (shard {shard})" if shard is not None else "")  # fmt: skip
    return stored


@dataclass(frozen=True)
class Kept:
    """What the user node holds for the answer "now": the kept ranking (when it holds) and the
    policy's online state."""

    ranking: KeptRanking | None
    policy_state: str | None
    known: bool = True  # whether the user's node exists


@dataclass(frozen=True)
class KeptRanking:
    computed_at: datetime
    run: str | None
    ranked: list[Candidate]
    details: dict[str, ItemDetails]
    pool: dict[str, list[str]]  # per category, its best liked items the user had not seen
    profile: dict[str, float]  # the user's strongest categories, short-horizon strength

    def answers(self, k: int) -> bool:
        """Whether it answers a request for ``k`` items: ``k`` at most ``KEPT // 4`` (the spread
        looks at the best ``4k``), and at least ``k`` kept."""
        return k <= KEPT // 4 and len(self.ranked) >= k


def category_profile(targets: Sequence[Strength]) -> dict[str, float]:
    """The categories among the profile's strongest targets, with their short-horizon strength."""
    found = {}
    for s in targets:
        kind, key = split_target(s.target)
        if kind == "category":
            found[key] = round(s.short, 4)
    return found


def unseen_tops(
    tops: Mapping[str, Sequence[tuple[str, ItemDetails]]], seen: set[str], limit: int
) -> dict[str, list[str]]:
    """Per category, its first ``limit`` items not in ``seen``."""
    return {category: [i for i, _ in items if i not in seen][:limit]
            for category, items in tops.items()}  # fmt: skip


def read(graph: Graph, user_id: str) -> Kept:
    """The user's kept ranking if it holds (computed after the user's latest event or text, with
    the run that serves now, younger than ``MAX_AGE``), and the policy's state, in one read.
    Feedback on shown items does not void the ranking: the policy answers for it until the next
    refresh (``stale_precomputed`` picks the user up)."""
    r = graph.read_one("recommend/precomputed", user_id=user_id)
    if r is None or not r["known"]:
        return Kept(None, None, known=False)
    if r["ranked"] is None:
        return Kept(None, r["policy_state"])
    computed_at: datetime = r["computed_at"].to_native()
    fresh = r["updated_at"] is None or r["computed_at"] >= r["updated_at"]
    young = r["now"].to_native() - computed_at <= MAX_AGE
    if not (fresh and young and r["run"] == r["serving_run"]):
        return Kept(None, r["policy_state"])
    ranked, details = decode(r["ranked"])
    pool = json.loads(r["pool"]) if r["pool"] else {}
    ranking = KeptRanking(computed_at, r["run"], ranked, details, pool.get("unseen", {}),
                          pool.get("profile", {}))  # fmt: skip
    return Kept(ranking, r["policy_state"])


def answer(
    graph: Graph, user_id: str, k: int, *, caller: str | None = None
) -> Recommendations | None:
    """``k`` items from the kept ranking, or None when there is none that holds; ``caller`` is
    the id the answer names the user by (as ``recommend.recommend``)."""
    kept = read(graph, user_id).ranking
    if kept is None or not kept.answers(k):
        return None
    return kept_answer(caller or user_id, kept.computed_at, kept.run, kept.ranked, kept.details, k)


def kept_answer(
    user_id: str,
    computed_at: datetime,
    run: str | None,
    ranked: Sequence[Candidate],
    details: Mapping[str, ItemDetails],
    k: int,
) -> Recommendations:
    """The answer from a kept ranking: the live spread of ``k`` over the blended candidates."""
    chosen = recommend.spread(ranked, k, {i: d.categories for i, d in details.items()})
    items = recommend.recommended_items(chosen, details)
    return Recommendations(user_id, computed_at, run, False, items, precomputed=True)


def _store(graph: Graph, rows: list[dict[str, Any]], now: Any) -> int:
    if rows:
        graph.write("recommend/store_precomputed", rows=Rows(rows), computed_at=now)
    return len(rows)


def encode(ranked: Sequence[Candidate], details: Mapping[str, ItemDetails]) -> str:
    """The kept ranking as stored on the user node (JSON)."""
    rows = []
    for c in ranked:
        found = details.get(c.item)
        rows.append({"item": c.item, "score": c.score, "features": c.features,
                     "title": found.title if found is not None else None,
                     "categories": found.categories if found is not None else []})  # fmt: skip
    return json.dumps(rows, separators=(",", ":"))


def decode(text: str) -> tuple[list[Candidate], dict[str, ItemDetails]]:
    rows = json.loads(text)
    ranked = [Candidate(row["item"], features=row["features"], score=row["score"]) for row in rows]
    details = {row["item"]: ItemDetails(row["title"], row["categories"]) for row in rows}
    return ranked, details
