"""Keeping the cyclic garbage collector off what lives as long as a worker.

A full collection walks every object the collector tracks; in an API worker that is the code,
the libraries and (after the first text request) the text models: about 90 ms a pass, and a
pass came every few heavy requests (``bench/latency.py``). Objects alive once a worker is ready,
and again once its text models are loaded, are moved out of the collector's sight
(``gc.freeze``); they are never garbage, and the answers' short-lived objects are still
collected as before.

To find what grows in a long-running worker, set ``INTERESTS_TRACE_MEMORY`` to a folder:
each worker then loads its text models, untraced, and only then traces its allocations and
writes, once a minute, what grew since (``trace_growth_after``; ``bench.soak --trace-memory``).
Loading the models under tracing took longer than gunicorn's 30-second worker timeout.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from pathlib import Path

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_frozen: set[str] = set()


def freeze_once(stage: str) -> None:
    """Freeze what is alive now, the first time ``stage`` is reached in this process."""
    with _lock:
        if stage in _frozen:
            return
        _frozen.add(stage)
    gc.freeze()


TRACE_ENV = "INTERESTS_TRACE_MEMORY"  # a folder: each worker writes what grew there
TRACE_EVERY_S = 60.0
TRACE_TOP = 25


def trace_growth(folder: Path, every_s: float = TRACE_EVERY_S) -> threading.Thread:
    """Start tracing this process's allocations (``tracemalloc``, slow: a diagnosis, not for
    serving) and, every ``every_s``, write to ``folder/memory-<pid>.txt`` the source lines whose
    allocations grew most since the first snapshot, and the object types whose counts grew most
    (``gc``'s view). Returns the writing thread (a daemon; it ends once tracing stops)."""
    tracemalloc.start()
    first = tracemalloc.take_snapshot()
    counts = object_counts()
    path = folder / f"memory-{os.getpid()}.txt"

    def run() -> None:
        started = time.monotonic()
        while True:
            time.sleep(every_s)
            try:
                now = tracemalloc.take_snapshot()
            except RuntimeError:  # tracing was stopped: nothing left to say
                return
            report = growth_report(first, now, counts, object_counts())
            minutes = (time.monotonic() - started) / 60
            with path.open("a", encoding="utf-8") as handle:
                handle.write(f"== after {minutes:.1f} min\n{report}\n")

    thread = threading.Thread(target=run, name="trace-memory", daemon=True)
    thread.start()
    return thread


def trace_growth_after(
    load: Callable[[], object], folder: Path, every_s: float = TRACE_EVERY_S
) -> threading.Thread:
    """In a thread: ``load`` what the worker holds for good (its text models), freeze it as the
    first text request would, then ``trace_growth``; requests are answered meanwhile. Returns
    that thread (a daemon; it ends once tracing has started)."""

    def run() -> None:
        try:
            load()
        except Exception:  # traced all the same, the load's growth included
            logger.exception("loading before tracing failed")
        else:
            freeze_once("text models")
        trace_growth(folder, every_s)

    thread = threading.Thread(target=run, name="trace-memory-start", daemon=True)
    thread.start()
    return thread


def object_counts() -> Counter[str]:
    return Counter(type(o).__name__ for o in gc.get_objects())


def growth_report(
    first: tracemalloc.Snapshot,
    now: tracemalloc.Snapshot,
    counts_before: Counter[str],
    counts_now: Counter[str],
    top: int = TRACE_TOP,
) -> str:
    """What grew between two snapshots: source lines by bytes, object types by count."""
    lines = [f"traced {sum(s.size for s in now.statistics('filename')) / 2**20:.1f} MiB"]
    for stat in now.compare_to(first, "lineno")[:top]:
        frame = stat.traceback[0]
        lines.append(f"{stat.size_diff / 2**10:+10.0f} KiB {stat.count_diff:+8d} blocks  "
                     f"{frame.filename}:{frame.lineno}")  # fmt: skip
    grown = Counter({name: counts_now[name] - counts_before.get(name, 0) for name in counts_now})
    lines += [f"{count:+10d} {name}" for name, count in grown.most_common(top) if count > 0]
    return "\n".join(lines)
