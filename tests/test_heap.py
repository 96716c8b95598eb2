"""A worker's long-lived objects leave the garbage collector's sight once per stage."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from service import gunicorn_config, heap


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
    assert gc.get_freeze_count() == first  # a stage freezes once
    heap.freeze_once("text models")
    assert gc.get_freeze_count() >= first + len(later)


def test_gunicorn_freezes_a_worker_once_it_is_ready(unfrozen: None) -> None:
    gunicorn_config.post_worker_init(worker=None)
    assert gc.get_freeze_count() > 0 and "worker ready" in heap._frozen
