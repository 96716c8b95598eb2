"""A profile's candidates from the lists ranked at each run answer as a read of every member."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient

from embeddings import item_model, writeback
from graph.evolution import profiles
from graph.evolution.strength import Signal
from graph.store import Graph
from service import recommend
from service.recommend import (
    ProfileHit,
    fetch_profile_candidates,
    fetch_target_members,
    profile_hits,
    profile_targets,
    target_rows,
    weighted_history,
)
from tests.support import LATER, PSEUDONYMS

pytestmark = pytest.mark.neo4j
AS_OF = datetime.fromtimestamp(LATER["as_of"], UTC)


def both_ways(
    graph: Graph, user: str, as_of: datetime = AS_OF
) -> tuple[list[ProfileHit], list[ProfileHit], list[bool]]:
    """The candidates from the lists, from every member, and which targets' lists held."""
    targets = profile_targets(profiles.user_signals(graph, user, until=as_of), as_of)
    _, seen = weighted_history(item_model.interactions(graph, user, as_of))
    rows = target_rows(targets)
    held = [r["holds"] for r in graph.read("recommend/target_lists", targets=rows, held=[])]
    fast = fetch_profile_candidates(graph, targets, seen)
    full = profile_hits(targets, fetch_target_members(graph, rows, seen), recommend.CANDIDATES)
    return fast, full, held


@pytest.mark.parametrize("per_target", [1, 3, 100])
def test_the_lists_of_a_run_answer_as_every_member(
    graph: Graph, prefix: str, trained: str, per_target: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recommend, "PER_TARGET", per_target)
    for user, at in itertools.product(("u0", "u5"), (1_700_000_002, LATER["as_of"])):
        fast, full, held = both_ways(graph, PSEUDONYMS.user(f"{prefix}{user}"),
                                     datetime.fromtimestamp(at, UTC))  # fmt: skip
        assert held and all(held)  # the run ranked every target's members
        assert fast == full and 0 < len(fast)
    if per_target == 1:  # u0 saw comedies 1-4: the most popular unseen one, ties by id
        fast, _, _ = both_ways(graph, PSEUDONYMS.user(f"{prefix}u0"))
        assert [h.item for h in fast][:1] in ([f"{prefix}comedy0"], [f"{prefix}comedy5"])


def test_a_member_that_came_after_the_run_is_found(
    client: FlaskClient, graph: Graph, prefix: str, trained: str
) -> None:
    user = PSEUDONYMS.user(f"{prefix}u0")
    new = {"id": f"{prefix}comedy9", "title": "comedy 9", "categories": [f"{prefix}comedy"]}
    assert client.post("/v1/items", json=[new]).status_code == 200
    fast, full, held = both_ways(graph, user)
    assert not all(held)  # the comedy list no longer holds
    assert fast == full and f"{prefix}comedy9" in [h.item for h in fast]
    # a member that leaves: the horror list no longer holds either
    horror_fan = PSEUDONYMS.user(f"{prefix}u5")
    assert all(both_ways(graph, horror_fan)[2])
    moved = {"id": f"{prefix}horror0", "title": "horror 0", "categories": [f"{prefix}comedy"]}
    assert client.post("/v1/items", json=[moved]).status_code == 200
    fast, full, held = both_ways(graph, horror_fan)
    assert not all(held) and fast == full and f"{prefix}horror0" not in [h.item for h in fast]


def test_a_deleted_member_leaves_its_list_stale(graph: Graph, prefix: str, trained: str) -> None:
    horror_fan = PSEUDONYMS.user(f"{prefix}u5")
    assert all(both_ways(graph, horror_fan)[2])
    graph.run("admin/delete_by_id_prefix", prefix=f"{prefix}horror1")
    fast, full, held = both_ways(graph, horror_fan)
    assert not all(held) and fast == full and f"{prefix}horror1" not in [h.item for h in fast]


def test_lists_hold_only_for_the_popularity_they_were_ranked_by(
    graph: Graph, prefix: str, trained: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = PSEUDONYMS.user(f"{prefix}u0")
    graph.write("embeddings/popularity_changes")  # a run is counting popularity again
    fast, full, held = both_ways(graph, user)
    assert not any(held) and fast == full
    monkeypatch.setattr(writeback, "RANKED_DEPTH", 2)  # lists shorter than what u0 has seen
    writeback.write_popularity(graph)
    fast, full, held = both_ways(graph, user)
    assert all(held) and fast == full  # the lists that ran out are read in full
    assert {f"{prefix}comedy0", f"{prefix}comedy5"} <= {h.item for h in fast}


def test_a_placeholder_that_becomes_an_item_joins_its_interests_lists(
    client: FlaskClient, graph: Graph, prefix: str, trained: str
) -> None:
    key, item = f"{prefix}ghosts", f"{prefix}ghost-story"
    interest = {"key": key, "name": "ghosts", "alias": "ghosts", "embedding": None}
    graph.write("texts/merge_interests", rows=[interest])
    # a text about an item the catalogue does not have yet: a placeholder about ghosts
    graph.write("texts/merge_about", rows=[{"item_id": item, "interest_key": key, "weight": 1.0}])
    writeback.write_popularity(graph)
    target = [{"type": "interest", "key": key, "strength": 1.0}]
    (before,) = graph.read("recommend/target_lists", targets=target, held=[])
    assert before["holds"] and before["top"] == []  # placeholders are left out
    new = {"id": item, "title": "A ghost story", "categories": [f"{prefix}horror"]}
    assert client.post("/v1/items", json=[new]).status_code == 200
    (after,) = graph.read("recommend/target_lists", targets=target, held=[])
    assert not after["holds"]
    (ghosts,) = profile_targets(
        [Signal(AS_OF.timestamp() - 1, 1.0, "text", (f"interest:{key}",))], AS_OF
    )
    assert [h.item for h in fetch_profile_candidates(graph, [ghosts], [])] == [item]
