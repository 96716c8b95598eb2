"""Soak benchmark: mixed ingestion and queries against the API for a long while.

    python -m bench.soak [DATA_DIR] [--seconds 600] [--workers 2] [--threads 4]
                         [--trace-memory DIR] [--smoke]

DATA_DIR is a MovieLens-format folder (default ../shared/data/ml-latest-small). On the benchmarks'
own Neo4j (var/bench, wiped of users first), with the movies as the catalogue, the API under
gunicorn (2 workers × 4 threads unless ``--workers``/``--threads`` say otherwise) takes, all at
once from this process:

- an event stream: the ratings in time order, ``POST /v1/events`` in batches of 100 (round after
  round, each later by the data's time span, under new ids, until the time is up);
- a text stream: the tags as ``POST /v1/users/{id}/texts`` in batches of 5 (likewise);
- queries: profile, timeline, shifts, recommendations, events, similar items, trending, for users
  already sent (2 threads).

Reports errors (goal 0: every answer a 2xx), requests per second by kind in the first and the last
tenth of the run, and the resident memory of the service (gunicorn and its workers) after the
warm-up tenth, at the end of every tenth and at the end, sampled every second, with Neo4j's
alongside.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psutil

from bench.common import SHARED_DATA, api_server, bench_server, delete_all_users, http
from graph.ingest.importers import import_records, movielens_movies, movielens_ratings
from graph.ingest.records import ItemIn
from graph.store import local_server
from service import heap

EVENT_BATCH, TEXT_BATCH, QUERY_THREADS = 100, 5, 2
TIMELINE = "bucket=month&from=2000-01-01T00:00:00Z"  # query of the timelines asked for


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=SHARED_DATA / "ml-latest-small")
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--smoke", action="store_true", help="a 15-second run")
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="gunicorn workers (default 2, "
        "as the figures in the README were measured; `interests serve` runs more)",
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--trace-memory", type=Path, default=None, metavar="DIR",
                        help="each worker traces its allocations and writes what grew to DIR "
                        "once a minute (slow: a diagnosis; service.heap)")  # fmt: skip
    args = parser.parse_args(argv)
    if args.trace_memory is not None:
        os.environ[heap.TRACE_ENV] = str(args.trace_memory.resolve())
    seconds = 15.0 if args.smoke else args.seconds
    ratings = sorted(movielens_ratings(args.data), key=lambda r: (r["timestamp"], r["item_id"]))
    tags = _tags(args.data)
    print(f"data: {args.data} ({len(ratings):,} ratings, {len(tags):,} tags)  run: {seconds:.0f} s")

    with bench_server() as (server, conn, graph):
        delete_all_users(graph)
        import_records(graph, ItemIn, lambda: movielens_movies(args.data), progress=False)
        neo4j_pid = local_server.status(server).pid or 0
        server_api = api_server(graph, conn, workers=args.workers, threads=args.threads)
        with server_api as (base, pid, headers):
            soak = Soak(base, headers, ratings, tags, seconds)
            memory = Memory({"service": pid, "neo4j": neo4j_pid})
            soak.run(memory)
        report = soak.report(memory)
        print(json.dumps({"benchmark": "soak", "smoke": args.smoke, **report}))
        delete_all_users(graph)


class Soak:
    def __init__(
        self,
        base: str,
        headers: dict[str, str],
        ratings: list[dict[str, Any]],
        tags: list[dict[str, Any]],
        seconds: float,
    ) -> None:
        self.base, self.headers, self.seconds = base, headers, seconds
        self.ratings, self.tags = ratings, tags
        self.users: list[str] = []  # users sent so far (queried)
        self.items: list[str] = []
        self.lock = threading.Lock()
        self.counts: dict[str, Counter[str]] = {"first": Counter(), "last": Counter(),
                                                "all": Counter()}  # fmt: skip
        self.errors: list[str] = []
        self.started = 0.0

    def run(self, memory: Memory) -> None:
        self.started = time.monotonic()
        deadline = self.started + self.seconds
        workers = [self._events, self._texts, *[self._queries] * QUERY_THREADS]
        threads = [threading.Thread(target=w, args=(deadline, n)) for n, w in enumerate(workers)]
        for thread in threads:
            thread.start()
        while time.monotonic() < deadline:
            elapsed = time.monotonic() - self.started
            memory.sample(warm=elapsed > self.seconds / 10, tenth=int(elapsed * 10 / self.seconds))
            time.sleep(1)
        for thread in threads:
            thread.join()
        memory.sample(warm=True)

    def _call(self, kind: str, method: str, path: str, body: Any = None) -> bool:
        try:
            status, answer = http(method, self.base + path, self.headers, body)
            ok = 200 <= status < 300
            reason = f"{kind}: {status} {answer[:200]!r}"
        except OSError as exc:
            ok, reason = False, f"{kind}: {exc}"
        elapsed = time.monotonic() - self.started
        with self.lock:
            self.counts["all"][kind] += 1
            if elapsed < self.seconds / 10:
                self.counts["first"][kind] += 1
            elif elapsed > self.seconds * 0.9:
                self.counts["last"][kind] += 1
            if not ok:
                self.errors.append(reason)
        return ok

    def _events(self, deadline: float, _: int) -> None:
        """The ratings in time order, again and again (each round later by the data's span, under
        new ids) so that the stream lasts the whole run and the graph keeps growing."""
        span = _span(self.ratings)
        for round_ in itertools.count():
            for start in range(0, len(self.ratings), EVENT_BATCH):
                if time.monotonic() > deadline:
                    return
                rows = enumerate(self.ratings[start : start + EVENT_BATCH], start=start)
                batch = [{**r, "event_id": f"soak-{round_}-{n}",
                          "timestamp": r["timestamp"] + round_ * span}
                         for n, r in rows]  # fmt: skip
                if self._call("events", "POST", "/v1/events", batch):
                    with self.lock:
                        self.users.extend({r["user_id"] for r in batch} - set(self.users[-500:]))
                        self.items.extend(r["item_id"] for r in batch[:3])

    def _texts(self, deadline: float, _: int) -> None:
        """The tags by user, in rounds as the ratings."""
        by_user: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for tag in self.tags:
            by_user[tag["user_id"]].append({k: v for k, v in tag.items() if k != "user_id"})
        span = _span(self.tags)
        for round_ in itertools.count():
            for user, texts in by_user.items():
                for start in range(0, len(texts), TEXT_BATCH):
                    if time.monotonic() > deadline:
                        return
                    batch = [{**t, "text_id": f"{t['text_id']}-{round_}",
                              "timestamp": t["timestamp"] + round_ * span}
                             for t in texts[start : start + TEXT_BATCH]]  # fmt: skip
                    self._call("texts", "POST", f"/v1/users/{user}/texts", batch)

    def _queries(self, deadline: float, seed: int) -> None:
        rng = random.Random(seed)
        kinds: list[tuple[str, Callable[[str, str], str]]] = [
            ("profile", lambda u, i: f"/v1/users/{u}/interests"),
            ("timeline", lambda u, i: f"/v1/users/{u}/interests/timeline?{TIMELINE}"),
            ("shifts", lambda u, i: f"/v1/users/{u}/shifts"),
            ("recommend", lambda u, i: f"/v1/users/{u}/recommendations?explain=true"),
            ("user events", lambda u, i: f"/v1/users/{u}/events?limit=50"),
            ("similar", lambda u, i: f"/v1/items/{i}/similar"),
            ("trending", lambda u, i: "/v1/interests/trending?window=30"),
        ]  # fmt: skip
        while time.monotonic() < deadline:
            with self.lock:
                known = bool(self.users)
                user = rng.choice(self.users) if known else ""
                item = rng.choice(self.items) if self.items else "1"
            if not known:
                time.sleep(0.2)
                continue
            kind, path = rng.choice(kinds)
            self._call(kind, "GET", path(user, item))

    def report(self, memory: Memory) -> dict[str, Any]:
        tenth = self.seconds / 10
        rates = {part: {k: round(v / tenth, 1) for k, v in sorted(self.counts[part].items())}
                 for part in ("first", "last")}  # fmt: skip
        total = sum(self.counts["all"].values())
        print(f"{total:,} requests in {self.seconds:.0f} s ({total / self.seconds:.1f}/s), "
              f"{len(self.errors)} errors (goal 0)")  # fmt: skip
        for part in ("first", "last"):
            print(f"  {part} tenth, requests/s: {rates[part]}")
        for name in memory.names:
            print(
                f"  {name} RSS: {memory.warm[name]:.0f} MiB after warm-up, "
                f"{memory.last[name]:.0f} MiB at the end, peak {memory.peak[name]:.0f} MiB"
            )
            print(f"    by tenth: {[round(v) for _, v in sorted(memory.tenths[name].items())]}")
        for error in self.errors[:5]:
            print(f"  error: {error}")
        return {"seconds": self.seconds, "requests": total, "errors": len(self.errors),
                "by_kind": dict(self.counts["all"]), "per_second": rates,
                "rss_mib": {"after_warm_up": memory.warm, "end": memory.last,
                            "peak": memory.peak, "by_tenth": memory.tenths},
                "first_errors": self.errors[:5]}  # fmt: skip


class Memory:
    """Resident memory of process trees, sampled on demand: after warm-up, last and peak."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.names = list(pids)
        self.warm: dict[str, float] = {}
        self.last = dict.fromkeys(pids, 0.0)
        self.peak = dict.fromkeys(pids, 0.0)
        self.tenths: dict[str, dict[int, float]] = {name: {} for name in pids}  # the last sample

    def sample(self, *, warm: bool, tenth: int | None = None) -> None:
        for name, pid in self.pids.items():
            try:
                process = psutil.Process(pid)
                tree = [process, *process.children(recursive=True)]
                mib = sum(p.memory_info().rss for p in tree) / 2**20
            except psutil.Error:
                continue
            self.last[name] = mib
            self.peak[name] = max(self.peak[name], mib)
            if tenth is not None and tenth < 10:
                self.tenths[name][tenth] = mib
            if warm and name not in self.warm:
                self.warm[name] = mib


def _span(records: list[dict[str, Any]]) -> int:
    stamps = [r["timestamp"] for r in records]
    return max(stamps) - min(stamps) + 86_400


def _tags(folder: Path) -> list[dict[str, Any]]:
    with (folder / "tags.csv").open(encoding="utf-8", newline="") as handle:
        rows = enumerate(csv.DictReader(handle))
        return [{"user_id": row["userId"], "text": row["tag"], "timestamp": int(row["timestamp"]),
                 "source": "tag", "item_id": row["movieId"], "text_id": f"soak-{n}"}
                for n, row in rows]  # fmt: skip


if __name__ == "__main__":
    main()
