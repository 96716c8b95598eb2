"""The validation split of the live graph that each run chooses its blend on.

A seeded sample of up to ``USERS`` users with at least ``MIN_EVENTS`` interactions each holds out
its latest ``SHARE`` of them (at least one; every interaction in the second of the first one held
out goes with it, so that no instant is split). The run's graph embeddings and its validation
item-to-item model learn without them (``export_triples(until=...)``); a ranking at the user's
cut, one microsecond before the first held-out interaction, is scored on the held-out positives
the user had not met before the cut. The items' popularity keeps every interaction.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from embeddings.transition_fit import Interaction, sample_users
from graph.store import Graph

USERS = 300  # users held out (a seeded sample)
SHARE = 0.1  # of each one's interactions, the latest
MIN_EVENTS = 5  # interactions a user needs to be drawn
FUTURE = datetime(2200, 1, 1, tzinfo=UTC)
USERS_BATCH = 500


@dataclass(frozen=True)
class HeldOut:
    """One user's cut (epoch second of the first held-out interaction) and held-out positives."""

    cut: int
    positives: frozenset[str]

    @property
    def until(self) -> datetime:
        """The instant interactions stop counting for training (exclusive)."""
        return datetime.fromtimestamp(self.cut, UTC)

    @property
    def as_of(self) -> datetime:
        """The last instant before the cut: a ranking there sees only what trained."""
        return self.until - timedelta(microseconds=1)


def split_latest(interactions: Sequence[Interaction], share: float = SHARE) -> HeldOut | None:
    """Hold out the latest ``share`` of one user's interactions (item, weight, epoch second); None
    when nothing would be left to train on or nothing positive and new would be held out."""
    ordered = sorted(interactions, key=lambda row: (row[2], row[0]))
    if not ordered:
        return None
    held = max(1, math.ceil(len(ordered) * share))
    cut = ordered[len(ordered) - held][2]
    before = {item for item, _, at in ordered if at < cut}
    if not before:
        return None
    positives = frozenset(
        item for item, weight, at in ordered if at >= cut and weight > 0 and item not in before
    )
    return HeldOut(cut, positives) if positives else None


def choose_holdout(
    graph: Graph, *, users: int = USERS, share: float = SHARE, writers: bool = False
) -> dict[str, HeldOut]:
    """The held-out part of the graph: a seeded sample of users, each with their latest
    interactions' cut and positives (``split_latest``); ``writers``: of the users who wrote too
    (a user's cut is the same in both)."""
    query = "embeddings/writer_users" if writers else "embeddings/transition_users"
    found = graph.read(query, min_events=MIN_EVENTS)
    drawn = sample_users([r["user"] for r in found], users)
    holdout: dict[str, HeldOut] = {}
    for start in range(0, len(drawn), USERS_BATCH):
        batch = drawn[start : start + USERS_BATCH]
        records = graph.read("embeddings/transition_interactions", users=batch, as_of=FUTURE)
        for record in records:
            rows = [(str(item), float(w), int(at)) for item, w, at in record["interactions"]]
            held = split_latest(rows, share)
            if held is not None:
                holdout[record["user"]] = held
    return holdout
