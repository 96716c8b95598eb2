"""The registry of embedding models: names it refuses, and each model's query vector scored the
way PyKEEN scores a triple. No database; PyKEEN models built, never trained."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from embeddings.training import (
    DIMENSIONS,
    MODELS,
    TrainingConfig,
    compose,
    entity_vectors,
    model_class,
    model_kind,
    relation_vectors,
)

# How each model scores (h, r, t) from the query vector q = compose(model, h, r) and t.
SCORES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "TransE": lambda q, tails: -np.abs(tails - q).sum(axis=1),
    "DistMult": lambda q, tails: tails @ q,
    "ComplEx": lambda q, tails: tails @ q,
    "RotatE": lambda q, tails: -np.linalg.norm(tails - q, axis=1),
}


def test_the_registry_names_the_models_we_train() -> None:
    assert set(MODELS) == set(SCORES) and TrainingConfig().model in MODELS


@pytest.mark.parametrize("name", ["HolE", "rotate", "", "DistMult "])
def test_an_unknown_model_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="choose one of TransE, DistMult, ComplEx, RotatE"):
        TrainingConfig(model=name)
    with pytest.raises(ValueError, match=f"unknown embedding model {name!r}"):
        compose(name, np.ones(DIMENSIONS), np.ones(DIMENSIONS))
    with pytest.raises(ValueError):
        model_class(name)


@pytest.mark.parametrize("name", MODELS)
def test_each_model_composes_the_query_pykeen_scores(name: str) -> None:
    import torch
    from pykeen.triples import TriplesFactory

    triples = np.array([["a", "r", "b"], ["b", "r", "c"], ["c", "s", "a"], ["d", "s", "b"]])
    factory = TriplesFactory.from_labeled_triples(triples)
    cls = model_class(name)
    assert cls.__name__ == name
    model = cls(
        triples_factory=factory, embedding_dim=model_kind(name).embedding_dim, random_seed=1
    )
    entities, relations = entity_vectors(model), relation_vectors(model)
    assert entities.shape == (factory.num_entities, DIMENSIONS)
    for head in range(factory.num_entities):
        for relation in range(factory.num_relations):
            query = compose(name, entities[head], relations[relation])
            assert query.shape == (DIMENSIONS,)
            with torch.no_grad():
                scored = model.score_t(torch.tensor([[head, relation]])).numpy()[0]
            assert np.allclose(SCORES[name](query, entities), scored, atol=1e-4)
