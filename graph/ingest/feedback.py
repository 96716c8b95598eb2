"""What was shown and what people did with it: the recommendation log and feedback on it.

``write_shown`` logs answers of a policy (a ``Recommendation`` node per answer for its user, a
``SHOWED`` edge per item with its position and propensity), a batch in one statement; the service
writes them behind its answers (``service.shown_log``). ``write_feedback`` takes a batch of
impressions, clicks (with dwell), skips and dislikes, all or nothing, in one transaction:
1. the users concerned are locked (their online state is read-modified-written);
2. every record is checked against the log: the recommendation exists, showed the item, and the
   record is not older than it (``BatchError`` naming each bad record, nothing written);
3. records whose id is already stored change nothing (retries are idempotent);
4. the shown items get their instants, dwell and reward (``signals.reward``); clicks, skips and
   dislikes also become events (interest signals, ``signals.feedback_weight``), which reach the
   profile at once and the ranking ahead at its next refresh;
5. the users' online state (``graph.evolution.feedback_state``) takes in the outcomes.
An outcome (a shown item's first click, skip or dislike) is stamped ``resolved_at``: the policy
learns from it once.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from pydantic import AwareDatetime, model_validator

from graph.evolution import feedback_state
from graph.evolution.feedback_state import FeedbackState, Outcome
from graph.ingest.records import BatchError, Id, Record, RecordError, content_key, epoch_parts
from graph.ingest.signals import FEEDBACK_KINDS, feedback_weight, reward
from graph.ingest.writes import chunks
from graph.store import Graph, Rows, Tx

FeedbackKind = Literal[FEEDBACK_KINDS]  # type: ignore[valid-type]
#: How far a record's timestamp may precede its recommendation (clocks of devices drift).
CLOCK_SKEW = timedelta(minutes=5)
STATEMENT_ROWS = 5_000


class FeedbackIn(Record):
    """One reaction to one item of one recommendation."""

    recommendation_id: Id
    item_id: Id
    kind: FeedbackKind
    timestamp: AwareDatetime
    dwell_s: float | None = None
    feedback_id: Id | None = None

    @model_validator(mode="after")
    def _dwell_fits_kind(self) -> FeedbackIn:
        if self.dwell_s is not None:
            if self.kind != "click":
                raise ValueError(f"dwell_s given without a click (kind {self.kind!r})")
            if not math.isfinite(self.dwell_s) or self.dwell_s < 0:
                raise ValueError("dwell_s must be a finite number of seconds, not negative")
        return self

    @property
    def at(self) -> datetime:
        return self.timestamp.astimezone(timezone.utc)

    @property
    def key(self) -> str:
        """The record's id: the caller's, or one derived from its content so retries match."""
        if self.feedback_id is not None:
            return self.feedback_id
        return content_key([self.recommendation_id, self.item_id, self.kind,
                            repr(self.dwell_s), self.at.isoformat()])  # fmt: skip


@dataclass(frozen=True)
class ShownItem:
    item_id: str
    position: int  # 1-based
    propensity: float  # probability that the policy put the item in this list
    explored: bool
    features: str  # what the policy knew of the item (its learner's input)
    predicted: float  # the policy's predicted reward
    current: bool  # whether the current ranking (no online learning) shows it
    categories: list[str]


@dataclass(frozen=True)
class Shown:
    """One answer of a policy, as logged."""

    recommendation_id: str
    user_id: str  # the graph's id
    at: datetime  # the instant of the answer
    known: bool  # whether the user's node existed then (if it is gone when written: erased)
    policy: str
    version: str
    k: int
    candidates: int
    explore_rate: float
    shared: str  # what the policy knew of the user (its learner's shared input)
    dm_current: float  # predicted reward of the current ranking's list
    dm_random: float  # ... and of a random list of k candidates
    items: list[ShownItem]


@dataclass(frozen=True)
class FeedbackWritten:
    received: int
    created: int

    @property
    def duplicates(self) -> int:
        return self.received - self.created


def write_shown(graph: Graph, answers: Sequence[Shown]) -> int:
    """Log answers in one statement; return how many were new (a retried batch writes none
    twice; an answer for a user erased since it was made is dropped)."""
    rows = [
        {"id": a.recommendation_id, "user_id": a.user_id, "at": a.at, "known": a.known,
         "policy": a.policy, "version": a.version, "k": a.k, "candidates": a.candidates,
         "explore_rate": a.explore_rate, "shared": a.shared, "dm_current": a.dm_current,
         "dm_random": a.dm_random, "items": [vars(i) for i in a.items]}
        for a in sorted(answers, key=lambda a: (a.user_id, a.recommendation_id))
    ]  # fmt: skip
    record = graph.write("feedback/store_shown", answers=Rows(rows))
    return int(record[0]["logged"])


def write_feedback(graph: Graph, records: Sequence[FeedbackIn]) -> FeedbackWritten:
    """Apply a batch of feedback, all or nothing (see the module's description)."""

    def work(tx: Tx) -> int:
        rec_ids = sorted({r.recommendation_id for r in records})
        states = {
            row["user_id"]: FeedbackState.from_json(row["state"])
            for row in tx.run("feedback/lock_users", recommendation_ids=rec_ids)
        }
        pairs = sorted({(r.recommendation_id, r.item_id) for r in records})
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for pair_chunk in chunks(pairs, STATEMENT_ROWS):
            rows = [{"recommendation_id": rec, "item_id": item} for rec, item in pair_chunk]
            for row in tx.run("feedback/shown_items", pairs=rows):
                found[(row["recommendation_id"], row["item_id"])] = dict(row)
        _check(records, found)
        new = [r for r in records if r.key not in found[(r.recommendation_id, r.item_id)]
               ["feedback_ids"]]  # fmt: skip
        if not new:
            return 0
        updates, events, outcomes = plan(new, found)
        for update_chunk in chunks(updates, STATEMENT_ROWS):
            tx.run("feedback/update_shown", rows=Rows(update_chunk)).consume()
        # sorted by item, so that concurrent writers lock shared items in one order (no deadlock)
        events.sort(key=lambda e: (e["item_id"], e["user_id"]))
        for event_chunk in chunks(events, STATEMENT_ROWS):
            tx.run("ingest/create_events", rows=Rows(event_chunk)).consume()
        state_rows = []
        for user_id, happened in outcomes.items():
            state = feedback_state.update(states.get(user_id, FeedbackState()), happened)
            state_rows.append({"user_id": user_id, "state": state.to_json()})
        tx.run("feedback/store_user_state", rows=Rows(state_rows)).consume()
        return len(new)

    return FeedbackWritten(len(records), graph.transaction(work))


def _check(records: Sequence[FeedbackIn], found: dict[tuple[str, str], dict[str, Any]]) -> None:
    """Every record refers to a logged recommendation that showed its item, not before it."""
    errors = []
    for index, r in enumerate(records):
        row = found.get((r.recommendation_id, r.item_id))
        if row is None or row["at"] is None:
            errors.append(RecordError(index, "recommendation_id",
                                      f"no recommendation {r.recommendation_id!r}"))  # fmt: skip
        elif not row["shown"]:
            reason = f"item {r.item_id!r} was not in that recommendation"
            errors.append(RecordError(index, "item_id", reason))
        elif r.at < row["at"].to_native() - CLOCK_SKEW:
            errors.append(RecordError(index, "timestamp",
                                      "before the recommendation was made"))  # fmt: skip
    if errors:
        raise BatchError(errors)


def plan(
    records: Sequence[FeedbackIn], found: dict[tuple[str, str], dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, list[Outcome]]]:
    """What new records change: the shown items' properties, the events they leave, and the
    outcomes (first click, skip or dislike of a shown item) per user. Pure."""
    by_pair: dict[tuple[str, str], list[FeedbackIn]] = defaultdict(list)
    for r in sorted(records, key=lambda r: (r.at, r.key)):
        by_pair[(r.recommendation_id, r.item_id)].append(r)
    updates, events = [], []
    outcomes: dict[str, list[tuple[datetime, Outcome]]] = defaultdict(list)
    for (rec, item), happened in by_pair.items():
        row = found[(rec, item)]
        props: dict[str, Any] = {"feedback_ids": [*row["feedback_ids"], *(r.key for r in happened)]}
        clicked = row["clicked_at"] is not None
        dwell = row["dwell_s"]
        resolved = row["resolved_at"] is not None
        resolves = False
        for r in happened:
            props[f"{_past(r.kind)}_at"] = r.at
            if r.kind == "click":
                clicked = True
                dwell = max(dwell or 0.0, r.dwell_s or 0.0) if r.dwell_s is not None else dwell
            weight = feedback_weight(r.kind, r.dwell_s)
            if weight is not None:
                events.append({"event_id": "f:" + r.key, "user_id": row["user_id"],
                               "item_id": item, "kind": r.kind, "value": r.dwell_s,
                               "weight": weight, **epoch_parts(r.at)})  # fmt: skip
            if r.kind != "impression" and not resolved:
                resolved = resolves = True
                outcomes[row["user_id"]].append((r.at, Outcome(
                    item, row["categories"] or [], reward(r.kind == "click", r.dwell_s),
                    r.kind == "click", r.kind in ("skip", "dislike"),
                )))  # fmt: skip
        props["dwell_s"] = dwell
        props["reward"] = reward(clicked, dwell)
        updates.append({"recommendation_id": rec, "item_id": item, "properties": props,
                        "resolves": resolves})  # fmt: skip
    ordered = {user: [o for _, o in sorted(found_, key=lambda p: p[0])]
               for user, found_ in outcomes.items()}  # fmt: skip
    return updates, events, ordered


def _past(kind: str) -> str:
    return {"impression": "impressed", "click": "clicked", "skip": "skipped",
            "dislike": "disliked"}[kind]  # fmt: skip
