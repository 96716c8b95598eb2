"""One retraining run, end to end, and the schedule that starts them.

``retrain`` takes the lease, records a running ``EmbeddingRun``, exports the triples, trains,
fits the item-to-item model (``embeddings.item_similarity``) on the same positive interactions
and the forecast's transition model (``embeddings.transition_fit``) with it, writes the vectors
and the item edges into the slot not being served, and switches serving to it
only when the test MRR reaches the quality floor. Any failure marks the run failed and leaves
serving as it was.
With ``choose_blend`` (the service's blend search, ``service.blend_tuning``), the run chooses
the weights it will serve with on a validation split of the live graph (``embeddings.holdout``):
the embeddings train without the held-out interactions, an item-to-item model fitted without them
is written first and the chooser ranks at each held-out user's cut with the staged run; then the
item-to-item model is refitted on everything and the choice is stored with the run; the
transition model is fitted with the history setting chosen, as the forecast will walk it.
``schedule`` runs ``retrain`` on a cron expression with APScheduler (one at a time; a missed
run is run once, not repeatedly).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from embeddings import holdout, item_model, item_similarity, runs
from embeddings.holdout import HeldOut
from embeddings.training import QUALITY_FLOOR, Trained, TrainingConfig, export_triples, train
from embeddings.transition_fit import fit_transition
from embeddings.writeback import write_similar, write_vectors
from graph.store import Graph

logger = logging.getLogger(__name__)

#: Chooses a run's blend: given the graph, the run staged in its slot (not served) and the
#: validation split, the weights and the figures they were chosen by (stored with the run).
BlendChooser = Callable[[Graph, runs.Serving, Mapping[str, HeldOut]], dict[str, Any]]


@dataclass
class RunReport:
    run_id: str
    status: str  # finished (now serving), rejected (below the floor) or failed
    slot: int
    metrics: dict[str, float] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # per stage
    message: str | None = None
    blend: dict[str, Any] | None = None  # what ``choose_blend`` chose, when given


def retrain(
    graph: Graph,
    config: TrainingConfig | None = None,
    *,
    quality_floor: float = QUALITY_FLOOR,
    trainer: Callable[..., Trained] = train,
    choose_blend: BlendChooser | None = None,
) -> RunReport:
    """Run one training; raises :class:`runs.LeaseHeld` when another run is in progress."""
    config = config or TrainingConfig()
    owner = runs.new_owner()
    runs.acquire(graph, owner)
    try:
        run_id, slot = runs.start(graph, owner, config.model, config.as_dict())
        report = RunReport(run_id, "running", slot)
        logger.info("embedding run %s started (%s, slot %d)", run_id, config.model, slot)
        try:
            _stages(graph, config, owner, report, quality_floor, trainer, choose_blend)
        except Exception as exc:
            report.status, report.message = "failed", f"{type(exc).__name__}: {exc}"
            logger.exception("embedding run %s failed; serving is unchanged", run_id)
        except (KeyboardInterrupt, SystemExit):  # Ctrl-C, or the demo stopped: not left running
            runs.finish(graph, run_id, "failed", message="interrupted")
            raise
        runs.finish(graph, run_id, report.status, metrics={**report.metrics, **{
            f"{stage}_seconds": s for stage, s in report.seconds.items()}},
            message=report.message)  # fmt: skip
        if report.status == "finished":
            runs.switch(graph, run_id, slot)
            logger.info("embedding run %s serves now: %s", run_id, report.metrics)
        return report
    finally:
        runs.release(graph, owner)


def _stages(
    graph: Graph,
    config: TrainingConfig,
    owner: str,
    report: RunReport,
    quality_floor: float,
    trainer: Callable[..., Trained],
    choose_blend: BlendChooser | None,
) -> None:
    started = time.perf_counter()
    held = holdout.choose_holdout(graph) if choose_blend is not None else {}
    triples = export_triples(graph, until={user: h.until for user, h in held.items()})
    report.seconds["export"] = time.perf_counter() - started
    logger.info("exported %d triples in %.1f s", len(triples), report.seconds["export"])
    runs.renew(graph, owner)
    trained = trainer(triples, config)
    report.seconds["training"] = trained.seconds
    report.metrics = {**trained.metrics, "epochs": float(trained.epochs)}
    runs.renew(graph, owner)
    if trained.metrics["mrr"] < quality_floor:
        report.status = "rejected"
        report.message = f"test MRR {trained.metrics['mrr']:.4f} is below the floor {quality_floor}"
        return
    started = time.perf_counter()
    similar = item_similarity.fit(_interacted(triples))
    report.seconds["item_similarity"] = time.perf_counter() - started
    runs.renew(graph, owner)
    written = False
    if choose_blend is not None and held:
        started = time.perf_counter()
        write_vectors(graph, report.slot, trained.labels, trained.vectors)
        write_similar(graph, report.slot, similar)
        staged = runs.Serving(f"{report.run_id}:validation", report.slot, config.model,
                              trained.relations)  # fmt: skip
        report.blend = choose_blend(graph, staged, held)
        runs.renew(graph, owner)
        similar = item_similarity.fit(_interacted(export_triples(graph)))
        written = True
        report.seconds["blend"] = time.perf_counter() - started
        runs.renew(graph, owner)
    started = time.perf_counter()
    transition, samples = fit_transition(graph, similar,
                                         history=item_model.history_of(report.blend))  # fmt: skip
    report.metrics["transition_samples"] = float(samples)
    report.seconds["transition"] = time.perf_counter() - started
    runs.renew(graph, owner)
    started = time.perf_counter()
    if not written:
        write_vectors(graph, report.slot, trained.labels, trained.vectors)
    report.metrics["similar_edges"] = float(write_similar(graph, report.slot, similar))
    runs.store_relations(graph, report.run_id, trained.relations)
    if transition is not None:
        runs.store_transition(graph, report.run_id, transition.to_json())
    if report.blend is not None:
        runs.store_blend(graph, report.run_id, report.blend)
    report.seconds["write_back"] = time.perf_counter() - started
    report.status = "finished"


def _interacted(triples: np.ndarray) -> list[tuple[str, str]]:
    """The (user, item) pairs of the triples' positive interactions."""
    return [(h, t.removeprefix("i:")) for h, relation, t in triples if relation == "interacted"]
