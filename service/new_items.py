"""New items for a user: those no one has interacted with yet, ranked by what the graph knows of
them (issue 18 §1).

The collaborative sources of ``service.recommend`` cannot score an item no one has touched (the
item-to-item model and the neighbours know it by its interactions, the profile source keeps each
target's most popular members), so a new item never reaches the ordinary list. The graph knows
it all the same: its categories and the interests its title, description and the texts about it
are ``ABOUT``. Each new item that reaches one of the user's profile targets
(``recommend.profile_targets``) is scored by the cosine between the user's target strengths and
the item's targets, each item target weighed by its inverse document frequency over the
catalogue (``log(items / items reaching it)``: a rare interest says more than "Drama"), an
interest by ``ABOUT_FACTOR`` against a category; ties go to the newest item. The scoring runs in
Cypher (``recommend/new_item_candidates``), so that only the best ``k`` leave the database; the
pure functions here say the same, explain an item by the targets it shares with the user
(largest part first), and serve the benchmark. A user without a profile is shown the newest new
items.

``bench/cold_items.py`` measures this list on items held out of training.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from graph.evolution import profiles, strength
from graph.evolution.strength import split_target
from graph.store import Graph
from service.recommend import (
    Explanation,
    NewArrival,
    ProfilePath,
    Recommendations,
    Recommended,
    profile_targets,
    target_rows,
)

# An interest's weight against a category's in an item's targets, chosen by bench/cold_items.py
# on its dev half with this list itself (``choose_list_factor``; seed 1, 224 users, NDCG@10 on the
# new items: 0, 0.0187; 0.1, 0.0196; 0.25, 0.0149; 0.5, 0.0066; 1, 0.0062): an interest read from
# a title ("bride") says less than a category, but not nothing.
ABOUT_FACTOR = 0.1
NEW_CANDIDATES = 5_000  # new items read per answer (newest first) before scoring
PATHS = 2  # shared targets an item is explained by


@dataclass(frozen=True)
class NewItem:
    """A new item that matches a profile: its score and the weights of every target it reaches."""

    item: str
    title: str | None
    added: datetime | None
    categories: list[str]
    score: float = 0.0  # the IDF-weighted cosine with the profile
    weights: dict[str, float] = field(default_factory=dict)  # 'category:…' / 'interest:…'


def new_items(
    graph: Graph,
    user_id: str,
    *,
    k: int,
    as_of: datetime,
    explain: bool = False,
    caller: str | None = None,
    about_factor: float = ABOUT_FACTOR,
    rows: Sequence[Mapping[str, Any]] | None = None,
) -> Recommendations:
    """The ``k`` new items (no interaction up to ``as_of``) that best match the user's profile at
    ``as_of``; ``caller`` is the id the answer names the user by; ``about_factor``: as
    ``target_weights`` takes it (the benchmark chooses it); ``rows``: the user's
    ``profiles.history_rows`` up to ``as_of`` when the caller has read them."""
    if rows is None:
        rows = profiles.history_rows(graph, user_id, until=as_of)
    seen = sorted({row["item"] for row in rows if row["item"]})
    targets = profile_targets(profiles.profile_signals(rows), as_of)
    shown = caller or user_id
    if not targets:
        newest = fetch_newest(graph, k, as_of=as_of, seen=seen)
        items = [Recommended(n.item, n.title, n.categories, 0.0, {}, reason=NewArrival(n.added))
                 for n in newest]  # fmt: skip
        return Recommendations(shown, as_of, None, True, items)
    found = fetch_new_items(graph, targets, k, as_of=as_of, seen=seen, about_factor=about_factor)
    by_target = {s.target: s for s in targets} if explain else None
    items = [_recommended(item, by_target) for item in found]
    return Recommendations(shown, as_of, None, False, items)


# --- scoring (pure) ---------------------------------------------------------------------------


def idf(frequency: int, catalogue: int) -> float:
    """``log(catalogue / frequency)``; a target no item reaches weighs as one reached once."""
    return math.log(max(catalogue, 1) / max(frequency, 1))


def target_weights(
    frequencies: Mapping[str, int], catalogue: int, about_factor: float = ABOUT_FACTOR
) -> dict[str, float]:
    """An item's target weights: each target's IDF, times ``about_factor`` for an interest."""
    return {t: idf(f, catalogue) * (about_factor if t.startswith("interest:") else 1.0)
            for t, f in frequencies.items()}  # fmt: skip


def cosine_parts(
    targets: Mapping[str, float], weights: Mapping[str, float]
) -> tuple[float, list[tuple[str, float]]]:
    """The cosine between the user's target strengths and an item's target weights (0 when they
    share no target), and each shared target's part of it, largest first."""
    parts = [(t, w * targets[t]) for t, w in weights.items() if t in targets and w * targets[t] > 0]
    dot = sum(p for _, p in parts)
    if dot <= 0:
        return 0.0, []
    norm = math.sqrt(sum(v * v for v in targets.values()))
    norm *= math.sqrt(sum(w * w for w in weights.values()))
    return dot / norm, [(t, p / norm) for t, p in sorted(parts, key=lambda p: (-p[1], p[0]))]


def target_cosines(
    targets: Mapping[str, float], items: Mapping[Any, Mapping[str, float]]
) -> dict[Any, float]:
    """``cosine_parts``'s cosine for each item that shares a target with the user."""
    found = {}
    for item, weights in items.items():
        cosine, _ = cosine_parts(targets, weights)
        if cosine > 0:
            found[item] = cosine
    return found


def _recommended(item: NewItem, by_target: Mapping[str, strength.Strength] | None) -> Recommended:
    """The answer's item; explained by its largest shared targets when ``by_target`` (the
    profile's targets) is given."""
    if by_target is None:
        return Recommended(item.item, item.title, item.categories, item.score,
                           {"targets": item.score})  # fmt: skip
    _, parts = cosine_parts({t: s.blended for t, s in by_target.items()}, item.weights)
    paths: list[Explanation] = []
    for target, _ in parts[:PATHS]:
        s = by_target[target]
        kind, key = split_target(target)
        last = datetime.fromtimestamp(s.last_at, UTC)
        paths.append(ProfilePath(item.item, kind, key, s.blended, s.signals, last))
    return Recommended(
        item.item, item.title, item.categories, item.score, {"targets": item.score},
        explanations=paths, reason=paths[0] if paths else NewArrival(item.added),
    )  # fmt: skip


# --- fetch ------------------------------------------------------------------------------------


def fetch_new_items(
    graph: Graph,
    targets: Sequence[strength.Strength],
    k: int,
    *,
    as_of: datetime,
    seen: Sequence[str],
    about_factor: float = ABOUT_FACTOR,
) -> list[NewItem]:
    """The ``k`` new items (of the newest ``NEW_CANDIDATES`` that reach one of ``targets``, not
    in ``seen``) with the best cosine with the profile, best first (scored in Cypher, so that only
    those ``k`` travel; ``target_weights`` and ``cosine_parts`` say the same in Python)."""
    strengths = {s.target: s.blended for s in targets}
    records = graph.read(
        "recommend/new_item_candidates", targets=target_rows(targets), as_of=as_of,
        seen=list(seen), limit=NEW_CANDIDATES, strengths=strengths, about_factor=about_factor,
        norm=math.sqrt(sum(v * v for v in strengths.values())), k=k,
    )  # fmt: skip
    found = []
    for r in records:
        weights = {t: float(w) for t, w in r["weights"]}
        categories = sorted(t[len("category:") :] for t in weights if t.startswith("category:"))
        found.append(NewItem(r["item"], r["title"], _native(r["created_at"]), categories,
                             float(r["score"]), weights))  # fmt: skip
    return found


def fetch_newest(graph: Graph, k: int, *, as_of: datetime, seen: Sequence[str]) -> list[NewItem]:
    """The ``k`` newest items no one interacted with up to ``as_of``, not in ``seen``."""
    records = graph.read("recommend/newest_items", as_of=as_of, seen=list(seen), limit=k)
    return [NewItem(r["item"], r["title"], _native(r["created_at"]), sorted(r["categories"]))
            for r in records]  # fmt: skip


def _native(value: Any) -> datetime | None:
    return value.to_native() if value is not None else None
