"""Keeping the cyclic garbage collector off what lives as long as a worker.

A full collection walks every object the collector tracks; in an API worker that is the code,
the libraries and (after the first text request) the text models: about 90 ms a pass, and a
pass came every few heavy requests (``bench/latency.py``). Objects alive once a worker is ready,
and again once its text models are loaded, are moved out of the collector's sight
(``gc.freeze``); they are never garbage, and the answers' short-lived objects are still
collected as before.
"""

from __future__ import annotations

import gc
import threading

_lock = threading.Lock()
_frozen: set[str] = set()


def freeze_once(stage: str) -> None:
    """Freeze what is alive now, the first time ``stage`` is reached in this process."""
    with _lock:
        if stage in _frozen:
            return
        _frozen.add(stage)
    gc.freeze()
