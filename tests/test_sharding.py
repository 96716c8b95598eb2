"""``interests precompute --shard i/n``: shards split the users by a stable hash, disjoint and
complete; a sharded refresh ranks only its own users, and only the stale ones; bad specs are
refused."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from graph.store import Graph
from service import precomputed
from service.cli import main
from service.precomputed import Shard, shard_of
from tests.conftest import ROOT
from tests.support import PSEUDONYMS

USERS = [PSEUDONYMS.user(f"user-{k}") for k in range(1_000)]


@pytest.mark.parametrize("count", [1, 2, 3, 8])
def test_shards_are_disjoint_cover_every_user_and_are_about_even(count: int) -> None:
    parts = [{u for u in USERS if Shard(i, count).holds(u)} for i in range(count)]
    assert sum(len(p) for p in parts) == len(USERS)  # each user in exactly one shard
    assert set().union(*parts) == set(USERS)
    expected = len(USERS) / count
    assert all(0.7 * expected <= len(p) <= 1.3 * expected for p in parts), [len(p) for p in parts]


def test_the_shard_of_a_user_is_the_same_in_every_process() -> None:
    here = [shard_of(u, 7) for u in USERS[:50]]
    script = (
        "import sys; from service.precomputed import shard_of; "
        "print(','.join(str(shard_of(u, 7)) for u in sys.argv[1:]))"
    )
    for seed in ("1", "2"):  # Python's own hash() of a str would differ between these
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", script, *USERS[:50]], env=env, cwd=ROOT,
                             capture_output=True, text=True, check=True)  # fmt: skip
        assert [int(s) for s in out.stdout.strip().split(",")] == here
    # and on every machine: 64 bits of BLAKE2b, so the value is fixed for good
    assert shard_of("p:00000000000000000000000000000000", 1_000_003) == 637_607


@pytest.mark.parametrize(("spec", "shard"), [("0/1", Shard(0, 1)), ("3/4", Shard(3, 4)),
                                             (" 1 / 2 ", Shard(1, 2))])  # fmt: skip
def test_a_shard_spec_parses(spec: str, shard: Shard) -> None:
    assert Shard.parse(spec) == shard


@pytest.mark.parametrize("spec", ["2/2", "5/2", "-1/2", "0/0", "1/-3", "1", "a/b", "1/2/3", ""])
def test_a_bad_shard_spec_is_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="0 <= i < n"):
        Shard.parse(spec)


def users_by_shard(prefix: str, count: int, per_shard: int) -> list[list[str]]:
    """External user ids under ``prefix``, ``per_shard`` of them in each of ``count`` shards."""
    found: list[list[str]] = [[] for _ in range(count)]
    k = 0
    while any(len(f) < per_shard for f in found):
        user = f"{prefix}u{k}"
        part = found[shard_of(PSEUDONYMS.user(user), count)]
        if len(part) < per_shard:
            part.append(user)
        k += 1
    return found


def given_history(client: FlaskClient, prefix: str, users: Sequence[str]) -> None:
    items = [{"id": f"{prefix}i{n}", "title": f"film {n}", "categories": [f"{prefix}c{n % 3}"]}
             for n in range(9)]  # fmt: skip
    assert client.post("/v1/items", json=items).status_code == 200
    events = [{"event_id": f"{prefix}e-{u}-{n}", "user_id": u, "kind": "like",
               "item_id": f"{prefix}i{(k + n) % 9}", "timestamp": 1_700_000_000 + n}
              for k, u in enumerate(users) for n in range(4)]  # fmt: skip
    assert client.post("/v1/events", json=events).status_code == 200


def computed_at(graph: Graph, user: str) -> object:
    """When the user's ranking was last stored (None: never)."""
    found = graph.read_one("recommend/precomputed", user_id=PSEUDONYMS.user(user))
    assert found is not None
    return found["computed_at"]


def test_a_sharded_refresh_ranks_only_the_stale_users_of_its_shard(
    client: FlaskClient, graph: Graph, prefix: str
) -> None:
    first, second = users_by_shard(prefix, 2, 3)
    given_history(client, prefix, first + second)

    precomputed.refresh(graph, shard=Shard(0, 2))  # the stale ones of shard 0: ours among them
    ranked = {u: computed_at(graph, u) for u in first}
    assert all(ranked.values())
    assert not any(computed_at(graph, u) for u in second)

    precomputed.refresh(graph, shard=Shard(1, 2))
    assert all(computed_at(graph, u) for u in second)
    assert {u: computed_at(graph, u) for u in first} == ranked  # not shard 1's

    precomputed.refresh(graph, shard=Shard(0, 2))  # shard 0 again: nothing of ours is stale
    assert {u: computed_at(graph, u) for u in first} == ranked

    given = [PSEUDONYMS.user(u) for u in first + second]  # named users are filtered too
    assert precomputed.refresh(graph, user_ids=given, shard=Shard(1, 2)) == len(second)


def test_the_cli_ranks_one_shard_and_refuses_bad_specs(
    client: FlaskClient, graph: Graph, prefix: str, cli_env: None
) -> None:
    shards = users_by_shard(prefix, 3, 2)
    given_history(client, prefix, [u for part in shards for u in part])
    runner = CliRunner()

    done = runner.invoke(main, ["precompute", "--shard", "1/3"])
    assert done.exit_code == 0, done.output
    assert "of shard 1/3" in done.output
    for i, part in enumerate(shards):
        assert all(bool(computed_at(graph, u)) == (i == 1) for u in part), i

    for spec in ("3/3", "-1/3", "1/0", "one/3", "1"):
        refused = runner.invoke(main, ["precompute", "--shard", spec])
        assert refused.exit_code == 2, (spec, refused.output)
        assert "--shard" in refused.output and "0 <= i < n" in refused.output
    assert all(not computed_at(graph, u) for i in (0, 2) for u in shards[i])
