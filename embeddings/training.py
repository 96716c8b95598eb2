"""Knowledge-graph embeddings with PyKEEN: export the graph's triples, train, evaluate.

The triples (``cypher/embeddings/export_triples``) are streamed out of Neo4j: positive
interactions and expressions of users, what items are about, the categories of items and
interests, related interests. They are split 90/5/5 (every entity keeps a training triple); the
model trains with early stopping on the validation part and is scored on the test part (filtered
MRR and Hits@10, both sides). Scoring ranks every entity for every scored triple, so on a large
graph it would outlast the training: at most ``TrainingConfig.scored`` triples of each part are
scored, a seeded sample; those left out still count as known in the filtered test ranking. On
the GPU when torch sees one, else the CPU.

The models we train are those of ``REGISTRY`` (their names in ``MODELS``): each says how our
vectors hold its entities (real, or complex as (re, im) pairs) and how a query vector is composed
from a head and a relation; PyKEEN's ``model_resolver`` supplies the class to train.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from graph.store import Graph

logger = logging.getLogger(__name__)

DIMENSIONS = 64  # real numbers per vector: the vector indexes are built for 64
QUALITY_FLOOR = 0.02  # test MRR a run needs before it serves (random ranking scores ~0.001)


def _translate(head: np.ndarray, relation: np.ndarray) -> np.ndarray:
    return head + relation


def _multiply(head: np.ndarray, relation: np.ndarray) -> np.ndarray:
    return head * relation


def _multiply_complex(head: np.ndarray, relation: np.ndarray) -> np.ndarray:
    h = head.reshape(-1, 2) @ np.array([1.0, 1j])
    r = relation.reshape(-1, 2) @ np.array([1.0, 1j])
    product = h * r
    return np.stack([product.real, product.imag], axis=1).reshape(-1).astype(np.float32)


@dataclass(frozen=True)
class ModelKind:
    """What our vector code needs to know of a PyKEEN model."""

    complex: bool  # entities are complex numbers, stored as (re, im) pairs of real ones
    compose: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (head, relation) -> query vector

    @property
    def embedding_dim(self) -> int:
        """PyKEEN's ``embedding_dim`` that gives DIMENSIONS real numbers per vector."""
        return DIMENSIONS // 2 if self.complex else DIMENSIONS


#: The models we train and serve, by PyKEEN's class name. TransE scores ``-|h + r - t|``;
#: DistMult ``<h, r, t>``; ComplEx ``Re<h, r, conj(t)>`` and RotatE ``-|h * r - t|``.
REGISTRY: dict[str, ModelKind] = {
    "TransE": ModelKind(complex=False, compose=_translate),
    "DistMult": ModelKind(complex=False, compose=_multiply),
    "ComplEx": ModelKind(complex=True, compose=_multiply_complex),
    "RotatE": ModelKind(complex=True, compose=_multiply_complex),
}
MODELS: tuple[str, ...] = tuple(REGISTRY)


def model_kind(model: str) -> ModelKind:
    """The registered kind of ``model``; a ValueError naming the allowed ones otherwise."""
    try:
        return REGISTRY[model]
    except KeyError:
        allowed = ", ".join(MODELS)
        raise ValueError(f"unknown embedding model {model!r}; choose one of {allowed}") from None


def model_class(model: str) -> type[Any]:
    """The PyKEEN class of a registered ``model``, from PyKEEN's ``model_resolver``."""
    from pykeen.models import model_resolver

    model_kind(model)
    return model_resolver.lookup(model)


@dataclass(frozen=True)
class TrainingConfig:
    model: str = "RotatE"  # best of TransE, DistMult, ComplEx, RotatE in bench/recommend.py
    epochs: int = 200  # at most; early stopping usually ends sooner
    batch_size: int = 4096
    learning_rate: float = 0.01
    negatives: int = 16  # per positive triple
    check_every: int = 10  # epochs between validation checks
    patience: int = 2  # checks without improvement before stopping
    seed: int = 1
    split: tuple[float, float, float] = (0.9, 0.05, 0.05)
    scored: int = 10_000  # validation and test triples scored at most (seeded samples of each)

    def __post_init__(self) -> None:
        model_kind(self.model)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Trained:
    labels: list[str]  # entity labels, "u:<id>", "i:<id>", "n:<key>", "c:<name>"
    vectors: np.ndarray  # one float32 row of DIMENSIONS per label
    metrics: dict[str, float]
    epochs: int
    seconds: float
    device: str
    losses: list[float] = field(default_factory=list)
    relations: dict[str, list[float]] = field(default_factory=dict)  # relation vectors


def stream_triples(
    graph: Graph, *, until: Mapping[str, datetime] | None = None
) -> Iterator[tuple[str, str, str]]:
    """The graph's triples, read with one streaming query (constant memory on the server);
    ``until`` holds out each named user's interactions and expressions from its instant on."""
    for record in graph.stream("embeddings/export_triples", until=dict(until or {})):
        yield record["head"], record["relation"], record["tail"]


def export_triples(graph: Graph, *, until: Mapping[str, datetime] | None = None) -> np.ndarray:
    """Every triple of the graph (but what ``until`` holds out) as an ``(n, 3)`` array of labels,
    sorted: Neo4j returns rows in an order that follows the store's history (deletes, reuse of
    ids), and PyKEEN's seeded split follows the order of its triples, so the same graph trains
    the same way only from one order."""
    triples = np.array(list(stream_triples(graph, until=until)), dtype=str).reshape(-1, 3)
    return triples[np.lexsort((triples[:, 2], triples[:, 1], triples[:, 0]))]


def device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def train(
    triples: np.ndarray,
    config: TrainingConfig | None = None,
    *,
    where: str | None = None,
    progress: bool | None = None,
) -> Trained:
    """Train ``config.model`` on the labelled triples; vectors for every entity. ``where`` is a
    torch device ("cpu", "cuda"); by default the GPU when torch sees one. ``progress``: a bar
    over the epochs with the loss and the best validation MRR (None: only when stderr is a
    terminal; False: never)."""
    from pykeen.pipeline import pipeline
    from pykeen.triples import TriplesFactory

    from embeddings.training_progress import EpochProgress

    config = config or TrainingConfig()
    if len(triples) < 20:
        raise ValueError(f"too few triples to train on ({len(triples)}); import data first")
    factory = TriplesFactory.from_labeled_triples(triples)
    training, validation, testing = factory.split(list(config.split), random_state=config.seed)
    validation, unscored_validation = sample_triples(validation, config.scored, config.seed)
    testing, unscored_test = sample_triples(testing, config.scored, config.seed + 1)
    known = [t for t in (unscored_validation, unscored_test) if t is not None]
    where = where or device()
    if where == "cpu":
        _quiet_cpu_advice()
    started = time.perf_counter()
    bar = EpochProgress(
        config.epochs,
        desc=f"training {config.model}",
        disable=None if progress is None else not progress,
    )
    with warnings.catch_warnings(), closing(bar):
        # PyKEEN's data loader asks for pinned memory, which only a GPU has; harmless on a CPU
        warnings.filterwarnings("ignore", message="'pin_memory' argument is set as true")
        result = _pipeline(pipeline, training, validation, testing, config, where, bar, known)
    seconds = time.perf_counter() - started
    metrics = {
        "mrr": float(result.metric_results.get_metric("both.realistic.inverse_harmonic_mean_rank")),
        "hits_at_10": float(result.metric_results.get_metric("both.realistic.hits_at_10")),
        "training_triples": float(training.num_triples),
        "test_triples": float(testing.num_triples),
        "train_seconds": float(result.train_seconds),  # the epochs (with validation checks)
        "evaluate_seconds": float(result.evaluate_seconds),  # the test's scoring
    }
    labels = [label for label, _ in sorted(factory.entity_to_id.items(), key=lambda kv: kv[1])]
    vectors = entity_vectors(result.model)
    relation_rows = relation_vectors(result.model)
    relations = {
        label: relation_rows[index].tolist() for label, index in factory.relation_to_id.items()
    }
    logger.info("trained %s on %s in %.1f s: %s", config.model, where, seconds, metrics)
    return Trained(
        labels, vectors, metrics, len(result.losses), seconds, where, result.losses, relations
    )


class _CpuAdvice(logging.Filter):
    """Drops the advice PyKEEN and torch_max_mem log at every validation on a CPU (batch sizes
    are tuned on GPUs only); their other messages pass."""

    PREFIXES = ("Using automatic batch size on", "Encountered tensors on device_types")

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(self.PREFIXES)


def _quiet_cpu_advice() -> None:
    for name in ("pykeen.utils", "torch_max_mem.api"):
        found = logging.getLogger(name)
        if not any(isinstance(f, _CpuAdvice) for f in found.filters):
            found.addFilter(_CpuAdvice())


def sample_triples(part: Any, limit: int, seed: int) -> tuple[Any, Any]:
    """``part`` (a PyKEEN triples factory) cut to a seeded sample of ``limit`` triples, and the
    mapped triples left out (None when none is)."""
    import torch

    if part.num_triples <= limit:
        return part, None
    order = torch.randperm(part.num_triples, generator=torch.Generator().manual_seed(seed))
    kept, left = order[:limit].sort().values, order[limit:]
    mapped = part.mapped_triples
    return part.clone_and_exchange_triples(mapped[kept]), mapped[left]


def _pipeline(
    pipeline: Any,
    training: Any,
    validation: Any,
    testing: Any,
    config: TrainingConfig,
    where: str,
    tracker: Any,
    known: list[Any],
) -> Any:
    return pipeline(
        training=training,
        validation=validation,
        testing=testing,
        model=model_class(config.model),
        model_kwargs={"embedding_dim": model_kind(config.model).embedding_dim},
        optimizer_kwargs={"lr": config.learning_rate},
        negative_sampler_kwargs={"num_negs_per_pos": config.negatives},
        training_kwargs={"num_epochs": config.epochs, "batch_size": config.batch_size},
        stopper="early",
        stopper_kwargs={
            "frequency": config.check_every,
            "patience": config.patience,
            "relative_delta": 0.002,
        },  # fmt: skip
        evaluator_kwargs={"filtered": True},
        evaluation_kwargs={"batch_size": 256, "additional_filter_triples": known},
        random_seed=config.seed,
        device=where,
        use_tqdm=False,  # PyKEEN's own bars (per batch, per evaluation): ours is ``tracker``
        result_tracker=tracker,
    )


def entity_vectors(model: Any) -> np.ndarray:
    """Every entity's vector as DIMENSIONS real numbers (complex ones as real, imaginary pairs)."""
    return _real(model.entity_representations[0](indices=None))


def relation_vectors(model: Any) -> np.ndarray:
    """Every relation's vector in the layout of ``entity_vectors``, for ``compose``."""
    return _real(model.relation_representations[0](indices=None))


def _real(tensor: Any) -> np.ndarray:
    """Rows as real numbers; a complex row becomes (re, im) pairs, the layout ``compose`` uses."""
    import torch

    tensor = tensor.detach().cpu()
    if tensor.is_complex():
        tensor = torch.view_as_real(tensor).reshape(tensor.shape[0], -1)
    return tensor.numpy().astype(np.float32)


def compose(model: str, head: np.ndarray, relation: np.ndarray) -> np.ndarray:
    """The query vector for ``(head, relation, ?)`` of a registered ``model``: the tails that
    score best lie nearest it (complex rows as (re, im) pairs)."""
    return model_kind(model).compose(head, relation)
