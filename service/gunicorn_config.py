"""gunicorn's hooks for the API's Prometheus metrics and its workers' heap, loaded with
``--config python:service.gunicorn_config`` (``service.cli_support.gunicorn_command``).

Every worker writes its metrics into files in ``PROMETHEUS_MULTIPROC_DIR`` (which the command
line sets, ``--env``) and ``GET /metrics`` adds them up (``service/metrics.py``). Files of an
earlier server would be added in too, so the folder is emptied once the server has bound its
socket, before any worker starts (a second server refused the port never gets that far), and
again when it exits. When a worker exits, its live gauges are dropped; its counters stay, as
counters must. A worker, once ready, moves what it loaded out of the garbage collector's sight
(``service.heap``) and starts loading the served run's item-to-item table in the background
(``service.recommend.warm_up``). Only hooks live here: gunicorn reads every module-level name
that is one of its settings.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def when_ready(server: Any) -> None:
    folder = _folder()
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        _empty(folder)


def post_worker_init(worker: Any) -> None:
    from service import heap, recommend

    heap.freeze_once("worker ready")  # the app is loaded: none of it is garbage
    neo4j = getattr(getattr(worker, "wsgi", None), "extensions", {}).get("neo4j")
    if neo4j is not None:  # the served run's item-to-item table, loaded while requests come
        threading.Thread(target=recommend.warm_up, args=(neo4j.graph,), name="warm-up",
                         daemon=True).start()  # fmt: skip
    traced = os.environ.get(heap.TRACE_ENV)
    if traced:  # a diagnosis of memory growth (slow): see service.heap
        Path(traced).mkdir(parents=True, exist_ok=True)
        heap.trace_growth_after(_load_text_models, Path(traced))


def _load_text_models() -> None:
    """What a worker's first text request loads (spaCy and the sentence encoder)."""
    from graph.text.extraction import default_extractor

    default_extractor().extract(["Loading the text models before tracing."])


def child_exit(server: Any, worker: Any) -> None:
    if _folder() is not None:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def on_exit(server: Any) -> None:
    folder = _folder()
    if folder is not None and folder.is_dir():
        _empty(folder)
        try:
            folder.rmdir()
        except OSError:
            pass  # something else was put there: leave it


def _folder() -> Path | None:
    value = os.environ.get(MULTIPROC_ENV)
    return Path(value) if value else None


def _empty(folder: Path) -> None:
    for path in folder.glob("*.db"):
        path.unlink(missing_ok=True)
