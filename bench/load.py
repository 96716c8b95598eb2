"""A load generator, run as its own process: GET requests from N client threads for S seconds.

    python -m bench.load URL_TEMPLATE IDS_FILE [--clients 16] [--seconds 20] [--warm-up 0] [--hold]

URL_TEMPLATE holds ``{id}``, filled with ids drawn from IDS_FILE (one per line) at random. The API
key comes from ``INTERESTS_API_KEY``. First ``--warm-up`` seconds from two clients, not counted
(with ``--hold``, it then prints ``warmed up`` and waits for a line on standard input, so that
the caller can take its readings); then the measured run. Prints one JSON line: requests, errors,
throughput, latency percentiles in milliseconds, this process's CPU seconds over the measured
run and, where the answers carry a ``Server-Timing`` header, the same percentiles of each part
of the server's time (``server_timing``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("ids", type=Path)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warm-up", type=float, default=0.0, help="seconds from two clients first")
    parser.add_argument("--hold", action="store_true", help="wait for a line after the warm-up")
    args = parser.parse_args(argv)
    ids = [line.strip() for line in args.ids.read_text().splitlines() if line.strip()]
    headers = {"Authorization": f"Bearer {os.environ['INTERESTS_API_KEY']}"}
    if args.warm_up > 0:
        drive(args.url, ids, headers, 2, args.warm_up)
    if args.hold:
        print("warmed up", flush=True)
        sys.stdin.readline()
    print(json.dumps(drive(args.url, ids, headers, args.clients, args.seconds)))


def drive(
    url_template: str, ids: Sequence[str], headers: Mapping[str, str], clients: int, seconds: float
) -> dict[str, object]:
    """``clients`` threads requesting ``url_template`` for ``seconds``: the figures ``main``
    prints."""
    timings: list[float] = []
    parts: list[dict[str, float]] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < deadline:
            url = url_template.format(id=rng.choice(ids))
            started = time.perf_counter()
            try:
                request = urllib.request.Request(url, headers=dict(headers))
                with urllib.request.urlopen(request, timeout=30) as answer:
                    answer.read()
                    ok, reason = answer.status == 200, f"status {answer.status}"
                    part = server_timing(answer.headers.get("Server-Timing", ""))
            except (urllib.error.URLError, OSError) as exc:
                ok, reason, part = False, str(exc), {}
            elapsed = time.perf_counter() - started
            with lock:
                timings.append(elapsed)
                if part:
                    parts.append(part)
                if not ok:
                    errors.append(reason)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    cpu = time.process_time()
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.monotonic() - started
    cpu = time.process_time() - cpu
    ms = np.array(timings) * 1000
    return {
        "requests": len(timings), "errors": len(errors), "clients": clients,
        "per_second": round(len(timings) / took, 1),
        "p50_ms": round(float(np.percentile(ms, 50)), 1) if len(ms) else None,
        "p99_ms": round(float(np.percentile(ms, 99)), 1) if len(ms) else None,
        "first_errors": errors[:3],
        "cpu_seconds": round(cpu, 3),
        **({"server_timing": timing_table(parts)} if parts else {}),
    }  # fmt: skip


def server_timing(header: str) -> dict[str, float]:
    """``read;dur=1.2, choose;dur=0.8`` as ``{"read": 1.2, "choose": 0.8}`` (milliseconds)."""
    found = {}
    for part in header.split(","):
        name, _, duration = part.strip().partition(";dur=")
        if name and duration:
            found[name] = float(duration)
    return found


def timing_table(timings: Sequence[Mapping[str, float]]) -> dict[str, dict[str, float]]:
    """p50 and p99 of each part of the answers' server time."""
    names = sorted({name for t in timings for name in t})
    return {name: {"p50_ms": float(np.percentile([t[name] for t in timings if name in t], 50)),
                   "p99_ms": float(np.percentile([t[name] for t in timings if name in t], 99))}
            for name in names}  # fmt: skip


if __name__ == "__main__":
    main()
