"""Training scores at most ``TrainingConfig.scored`` validation and test triples, a seeded sample,
and the triples left out still count as known in the filtered ranking. No database."""

from __future__ import annotations

import numpy as np
import torch
from pykeen.triples import TriplesFactory

from embeddings.training import TrainingConfig, sample_triples, train


def tastes(users: int = 60, items: int = 12) -> np.ndarray:
    """Users who like the items of one of three kinds, and the items' categories."""
    kinds = ("comedy", "horror", "drama")
    rows = [(f"u:{u}", "interacted", f"i:{kinds[u % 3]}{n}")
            for u in range(users) for n in range(items) if (u + n) % 4]  # fmt: skip
    rows += [(f"i:{kind}{n}", "in_category", f"c:{kind}") for kind in kinds for n in range(items)]
    return np.array(rows, dtype=str)


def test_a_sample_keeps_its_size_and_leaves_the_rest_out() -> None:
    part = TriplesFactory.from_labeled_triples(tastes())
    kept, left = sample_triples(part, 100, seed=3)
    again, _ = sample_triples(part, 100, seed=3)
    assert kept.num_triples == 100 and left is not None and len(left) == part.num_triples - 100
    assert torch.equal(kept.mapped_triples, again.mapped_triples)  # seeded
    together = torch.cat([kept.mapped_triples, left])
    assert sorted(map(tuple, together.tolist())) == sorted(map(tuple, part.mapped_triples.tolist()))
    whole, none = sample_triples(part, part.num_triples, seed=3)
    assert whole is part and none is None


def test_training_scores_at_most_the_configured_triples() -> None:
    config = TrainingConfig(model="DistMult", epochs=4, batch_size=128, check_every=2,
                            negatives=2, split=(0.6, 0.2, 0.2))  # fmt: skip
    full = train(tastes(), config, where="cpu", progress=False)
    capped = train(tastes(), TrainingConfig(**{**config.as_dict(), "scored": 25}), where="cpu",
                   progress=False)  # fmt: skip
    assert full.metrics["test_triples"] > 100
    assert capped.metrics["test_triples"] == 25
    assert 0 < capped.metrics["mrr"] <= 1
    # the training part is the same either way: the same seed, the same triples learnt
    assert capped.metrics["training_triples"] == full.metrics["training_triples"]
