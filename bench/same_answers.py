"""Live recommendations of sampled users, one JSON line each: run it from two versions (two
``git worktree`` checkouts) against the same graph and compare the outputs.

    python -m bench.same_answers [--users 40] [--seed 4] > answers.jsonl

It reads the graph that ``NEO4J_URI`` or the ``INTERESTS_*`` settings point at (for instance
the demo's, after ``interests demo`` and a training run), and writes nothing. Users are drawn
from those with an interaction. Each line: the body ``GET /v1/users/{id}/recommendations``
would answer (k=10, ``as_of`` 2100), plain and then with explanations.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Sequence
from datetime import UTC, datetime

from graph.store import Graph
from graph.store.config import connection
from service import recommend
from service.api.recommendation_json import recommendations_json

LATER = datetime(2100, 1, 1, tzinfo=UTC)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args(argv)
    with Graph.connect(connection()) as graph:
        users = [r["user"] for r in graph.read("embeddings/transition_users", min_events=1)]
        for user in random.Random(args.seed).sample(users, min(args.users, len(users))):
            for explain in (False, True):
                answer = recommend.recommend(graph, user, k=10, as_of=LATER, explain=explain)
                print(json.dumps(recommendations_json(answer), sort_keys=True))


if __name__ == "__main__":
    main()
