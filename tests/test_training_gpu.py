"""The training path on a CUDA device (``pytest -m gpu`` on a machine with one; deselected
elsewhere, see conftest.py). No database: the triples are built here, as the export writes them."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from embeddings.training import DIMENSIONS, TrainingConfig, train

pytestmark = pytest.mark.gpu

LEARNING = TrainingConfig(epochs=60, batch_size=64, check_every=10, negatives=4, learning_rate=0.05)


def three_tastes() -> np.ndarray:
    """Thirty users, ten per taste, each liking eight of its taste's ten films; the films'
    categories: the structure tests/test_embeddings.py plants through the API."""
    kinds = ("comedy", "horror", "drama")
    liked = [(f"u:{u}", "interacted", f"i:{kinds[u % 3]}{n}")
             for u in range(30) for n in range(10) if (u + n) % 5]  # fmt: skip
    categories = [(f"i:{kind}{n}", "in_category", f"c:{kind}") for kind in kinds for n in range(10)]
    return np.array(liked + categories, dtype=str)


@pytest.mark.parametrize("model", ["RotatE", "DistMult"])
def test_training_runs_on_the_gpu_and_learns(model: str) -> None:
    import torch

    assert torch.cuda.is_available()
    triples = three_tastes()
    config = replace(LEARNING, model=model)
    trained = train(triples, config, where="cuda")
    untrained = train(triples, replace(config, epochs=0), where="cuda")
    assert trained.device == "cuda" and trained.epochs >= 1
    assert trained.metrics["mrr"] > 2 * untrained.metrics["mrr"]
    assert trained.vectors.shape == (len(trained.labels), DIMENSIONS)
    assert trained.vectors.dtype == np.float32 and np.isfinite(trained.vectors).all()


def test_the_default_device_is_the_gpu() -> None:
    trained = train(three_tastes(), replace(LEARNING, epochs=1, check_every=1))
    assert trained.device == "cuda"
