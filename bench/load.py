"""A load generator, run as its own process: GET requests from N client threads for S seconds.

    python -m bench.load URL_TEMPLATE IDS_FILE [--clients 16] [--seconds 20]

URL_TEMPLATE holds ``{id}``, filled with ids drawn from IDS_FILE (one per line) at random. The API
key comes from ``INTERESTS_API_KEY``. Prints one JSON line: requests, errors, throughput and
latency percentiles in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

import numpy as np


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("ids", type=Path)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args(argv)
    ids = [line.strip() for line in args.ids.read_text().splitlines() if line.strip()]
    headers = {"Authorization": f"Bearer {os.environ['INTERESTS_API_KEY']}"}
    timings: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + args.seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < deadline:
            url = args.url.format(id=rng.choice(ids))
            started = time.perf_counter()
            try:
                request = urllib.request.Request(url, headers=headers)
                with urllib.request.urlopen(request, timeout=30) as answer:
                    answer.read()
                    ok, reason = answer.status == 200, f"status {answer.status}"
            except (urllib.error.URLError, OSError) as exc:
                ok, reason = False, str(exc)
            elapsed = time.perf_counter() - started
            with lock:
                timings.append(elapsed)
                if not ok:
                    errors.append(reason)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    ms = np.array(timings) * 1000
    print(json.dumps({
        "requests": len(timings), "errors": len(errors), "clients": args.clients,
        "per_second": round(len(timings) / seconds, 1),
        "p50_ms": round(float(np.percentile(ms, 50)), 1) if len(ms) else None,
        "p99_ms": round(float(np.percentile(ms, 99)), 1) if len(ms) else None,
        "first_errors": errors[:3],
    }))  # fmt: skip


if __name__ == "__main__":
    main()
