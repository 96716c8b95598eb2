"""A worker's long-lived objects leave the garbage collector's sight once per stage."""

from __future__ import annotations

import gc
import os
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from service import gunicorn_config, heap, recommend


@pytest.fixture
def unfrozen(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(heap, "_frozen", set())
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_each_stage_freezes_what_is_alive_once(unfrozen: None) -> None:
    heap.freeze_once("worker ready")
    first = gc.get_freeze_count()
    assert first > 0
    later = [[n] for n in range(1_000)]  # alive, tracked, made after the first stage
    heap.freeze_once("worker ready")
    # a stage freezes once: a second freeze would add the 1,000 lists; frozen objects that die
    # meanwhile (a thread an earlier test left) leave the count, so it may fall
    assert gc.get_freeze_count() <= first
    heap.freeze_once("text models")
    assert gc.get_freeze_count() >= first + len(later)


def test_gunicorn_freezes_a_worker_once_it_is_ready(unfrozen: None) -> None:
    gunicorn_config.post_worker_init(worker=None)
    assert gc.get_freeze_count() > 0 and "worker ready" in heap._frozen


class Grower:
    pass


def test_the_growth_report_names_the_line_and_the_type_that_grew() -> None:
    tracemalloc.start()
    try:
        first, counts = tracemalloc.take_snapshot(), heap.object_counts()
        kept = [Grower() for _ in range(20_000)]  # the line that grows
        report = heap.growth_report(first, tracemalloc.take_snapshot(), counts,
                                    heap.object_counts())  # fmt: skip
    finally:
        tracemalloc.stop()
    assert len(kept) == 20_000
    growing = next(line for line in report.splitlines() if "test_heap.py" in line)
    assert float(growing.split()[0]) > 500  # KiB: 20,000 objects
    assert any(line.split()[-1] == "Grower" and int(line.split()[0]) >= 20_000
               for line in report.splitlines())  # fmt: skip


def test_a_traced_worker_writes_what_grew(tmp_path: Path) -> None:
    thread = heap.trace_growth(tmp_path, every_s=0.2)
    try:
        deadline = time.monotonic() + 10
        written = tmp_path / f"memory-{os.getpid()}.txt"
        # the file appears when opened, its first entry a moment later
        while not (written.exists() and "== after" in written.read_text()):
            assert time.monotonic() < deadline, "nothing written in 10 s"
            time.sleep(0.05)
        assert thread.is_alive()
    finally:
        tracemalloc.stop()
    thread.join(timeout=5)
    assert not thread.is_alive()


def test_gunicorn_starts_a_workers_warm_up_with_its_graph(
    unfrozen: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    warmed: list[object] = []
    done = threading.Event()

    def warm_up(graph: object) -> None:
        warmed.append(graph)
        done.set()

    monkeypatch.setattr(recommend, "warm_up", warm_up)
    graph = object()
    worker = SimpleNamespace(
        wsgi=SimpleNamespace(extensions={"neo4j": SimpleNamespace(graph=graph)})
    )
    gunicorn_config.post_worker_init(worker)
    assert done.wait(5) and warmed == [graph]


def test_a_traced_worker_loads_its_models_before_it_traces(unfrozen: None, tmp_path: Path) -> None:
    tracing_while_loading: list[bool] = []

    def load() -> None:
        tracing_while_loading.append(tracemalloc.is_tracing())

    thread = heap.trace_growth_after(load, tmp_path, every_s=0.2)
    try:
        thread.join(timeout=10)
        assert tracing_while_loading == [False] and tracemalloc.is_tracing()
        assert "text models" in heap._frozen
    finally:
        tracemalloc.stop()


def test_a_failed_load_still_traces(unfrozen: None, tmp_path: Path) -> None:
    def load() -> None:
        raise OSError("no model")

    thread = heap.trace_growth_after(load, tmp_path, every_s=0.2)
    try:
        thread.join(timeout=10)
        assert tracemalloc.is_tracing() and "text models" not in heap._frozen
    finally:
        tracemalloc.stop()
