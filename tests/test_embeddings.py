"""Graph embeddings: PyKEEN training, versioned runs, write-back, serving switch, the lease."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pytest
from flask.testing import FlaskClient

from embeddings import retraining, runs
from embeddings.training import DIMENSIONS, Trained, TrainingConfig, export_triples, train
from graph.store import Graph
from service.cli_support import schedule
from tests.support import (
    PSEUDONYMS,
    TINY,
    fake_trainer,
    given_three_tastes,
    given_two_tastes,
    vector_of,
)

pytestmark = pytest.mark.neo4j

LEARNING = TrainingConfig(epochs=60, batch_size=64, check_every=10, negatives=4, learning_rate=0.05)


def similar_edges(graph: Graph, prefix: str, slot: int) -> int:
    items = [f"{prefix}{kind}{n}" for kind in ("comedy", "horror") for n in range(6)]
    records = graph.read("admin/count_similar_edges", slot=slot, items=items)
    return int(records[0]["edges"])


def test_export_streams_positive_triples(client: FlaskClient, graph: Graph, prefix: str) -> None:
    given_two_tastes(client, prefix)
    again = {"event_id": f"{prefix}again", "user_id": f"{prefix}u0", "kind": "like",
             "item_id": f"{prefix}comedy1", "timestamp": 1_700_100_000}  # fmt: skip
    assert client.post("/v1/events", json=[again]).status_code == 200
    exported = [tuple(t) for t in export_triples(graph).tolist()]
    triples = set(exported)
    u0 = "u:" + PSEUDONYMS.user(f"{prefix}u0")
    assert exported.count((u0, "interacted", f"i:{prefix}comedy1")) == 1  # liked twice, one triple
    assert exported == sorted(exported)  # whatever order the store returns them in
    assert (f"i:{prefix}horror2", "in_category", f"c:{prefix}horror") in triples
    assert not any(t[0] == u0 and "horror" in t[2] for t in triples)
    assert not any(f"{prefix}u" in t[0] for t in triples)  # no raw user id leaves the graph


def test_real_training_learns_and_serves(client: FlaskClient, graph: Graph, prefix: str) -> None:
    given_three_tastes(client, prefix)
    exported: list[np.ndarray] = []

    def remembering(triples: np.ndarray, config: TrainingConfig) -> Trained:
        exported.append(triples)
        return train(triples, config)

    report = retraining.retrain(graph, LEARNING, quality_floor=0.0, trainer=remembering)
    assert report.status == "finished", report.message
    assert report.metrics["epochs"] >= 1
    # the same model on the same triples and split, scored before any training
    untrained = train(exported[0], replace(LEARNING, epochs=0))
    assert untrained.epochs == 0
    assert report.metrics["mrr"] > 2 * untrained.metrics["mrr"]
    serving = runs.serving(graph)
    assert serving is not None and (serving.run_id, serving.slot) == (report.run_id, report.slot)
    vectors = [vector_of(graph, f"{prefix}u{u}", report.slot) for u in range(30)]
    assert all(v is not None and v.shape == (DIMENSIONS,) for v in vectors)
    [run] = [r for r in runs.recent(graph) if r["id"] == report.run_id]
    assert run["status"] == "finished" and run["params"]["model"] == "RotatE"
    assert run["metrics"]["mrr"] == pytest.approx(report.metrics["mrr"])


def test_training_alternates_slots_and_keeps_serving_on_failure(
    client: FlaskClient, graph: Graph, prefix: str
) -> None:
    given_two_tastes(client, prefix)
    first = retraining.retrain(graph, TINY, trainer=fake_trainer(0.5))
    second = retraining.retrain(graph, TINY, trainer=fake_trainer(0.5))
    assert {first.slot, second.slot} == {0, 1} and second.status == "finished"
    assert vector_of(graph, f"{prefix}u0", second.slot) is not None
    edges = similar_edges(graph, prefix, first.slot)
    assert edges > 0 and edges == similar_edges(graph, prefix, second.slot)
    third = retraining.retrain(graph, TINY, trainer=fake_trainer(0.5))
    assert third.slot == first.slot and similar_edges(graph, prefix, first.slot) == edges

    rejected = retraining.retrain(graph, TINY, trainer=fake_trainer(0.001))
    assert rejected.status == "rejected" and "below the floor" in (rejected.message or "")

    def broken(triples: np.ndarray, config: TrainingConfig) -> Trained:
        raise RuntimeError("out of memory")

    failed = retraining.retrain(graph, TINY, trainer=broken)
    assert failed.status == "failed" and "out of memory" in (failed.message or "")
    serving = runs.serving(graph)
    assert serving is not None and serving.run_id == third.run_id  # still the last good run
    assert vector_of(graph, f"{prefix}u0", third.slot) is not None
    assert runs.lease_holder(graph) is None  # released after every outcome


def test_one_run_at_a_time_and_a_crashed_holder_lapses(graph: Graph) -> None:
    runs.acquire(graph, "crashed-host:1", ttl_s=2)
    try:
        with pytest.raises(runs.LeaseHeld, match="crashed-host"):
            retraining.retrain(graph, TINY, trainer=fake_trainer(0.5))
        time.sleep(2.5)  # the holder never renews: its lease lapses
        report = retraining.retrain(graph, TINY, trainer=fake_trainer(0.5))
        assert report.status == "finished"
    finally:
        runs.release(graph, "crashed-host:1")


def test_schedule_rejects_a_bad_cron_expression() -> None:
    with pytest.raises(ValueError):
        schedule("every night", lambda: None, name="retraining")


def test_real_training_rejects_an_empty_graph() -> None:
    with pytest.raises(ValueError, match="too few triples"):
        train(np.zeros((0, 3), dtype=str), TINY)


def test_cli_trains_and_lists_runs(
    client: FlaskClient, graph: Graph, prefix: str, cli_env: None
) -> None:
    from click.testing import CliRunner

    from service.cli import main

    given_two_tastes(client, prefix)
    runner = CliRunner()
    result = runner.invoke(main, ["train", "--epochs", "5", "--floor", "0"])
    assert result.exit_code == 0, result.output
    assert ": finished (export" in result.output
    serving = runs.serving(graph)
    assert serving is not None
    # eight users: too few held out to tell blends apart, so the defaults stand
    assert "  blend: profile 0.5 items 1 embedding 0 neighbours 0 popularity 0; history " in (
        result.output
    )
    listed = runner.invoke(main, ["runs", "--limit", "3"])
    assert listed.exit_code == 0 and f"* {serving.run_id} finished" in listed.output
    assert "    blend: profile 0.5 items 1" in listed.output
    assert "; text-only users: profile 0.5 items 0 embedding 0 neighbours 0 popularity 0.5 " in (
        listed.output
    )
    plain = runner.invoke(main, ["train", "--epochs", "5", "--floor", "0", "--default-blend"])
    assert plain.exit_code == 0 and "blend:" not in plain.output, plain.output
    served = runs.serving(graph)
    assert served is not None and served.run_id != serving.run_id and served.blend is None
    bad = runner.invoke(main, ["train", "--schedule", "at dawn"])
    assert bad.exit_code == 1 and "Error:" in bad.output
