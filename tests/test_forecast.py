"""Forecasts of where interests go next: the arithmetic, and the endpoint on a trained graph."""

from __future__ import annotations

import numpy as np
import pytest
from flask.testing import FlaskClient

from embeddings import retraining
from embeddings.transition_fit import fit_transition
from graph.evolution.forecast import combine, forget_population, shares
from graph.store import Graph
from tests.support import LATER, TINY, given_two_tastes, taste_trainer


def test_shares_spread_positive_weight_over_targets() -> None:
    found = shares([(("a", "b"), 1.0), (("a",), 2.0), (("c",), -1.0), (("d",), 0.0)])
    assert found == {"a": 0.75, "b": 0.25}
    assert shares([]) == {}


def test_few_signals_borrow_from_the_population_and_predictions_mix_in() -> None:
    profile, population = {"horror": 1.0}, {"drama": 0.8, "horror": 0.2}
    nobody = combine({}, 0, population, {}, prior_signals=20)
    assert nobody == pytest.approx(population)
    one = combine(profile, 1, population, {}, prior_signals=20)
    assert one["drama"] > one["horror"]  # one signal does not outweigh everyone's tastes
    many = combine(profile, 200, population, {}, prior_signals=20)
    assert many["horror"] > many["drama"]
    mixed = combine(profile, 200, population, {"comedy": 1.0}, prior_signals=20,
                    predicted_share=0.4)  # fmt: skip
    assert mixed["comedy"] == pytest.approx(0.4)
    assert mixed["horror"] == pytest.approx(0.6 * (200 + 20 * 0.2) / 220)


@pytest.fixture
def trained(client: FlaskClient, graph: Graph, prefix: str) -> str:
    given_two_tastes(client, prefix)
    report = retraining.retrain(graph, TINY, quality_floor=0.0, trainer=taste_trainer)
    assert report.status == "finished", report.message
    forget_population()
    return report.run_id


@pytest.mark.neo4j
def test_forecast_of_a_comedy_fan(client: FlaskClient, prefix: str, trained: str) -> None:
    answer = client.get(f"/v1/users/{prefix}u0/interests/forecast", query_string=LATER)
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert body["embedding_run"] == trained and body["signals"] == 4
    top = body["forecast"][0]
    assert (top["type"], top["key"]) == ("category", f"{prefix}comedy")
    assert top["profile"] > 0 and top["population"] > 0 and top["predicted"] > 0
    assert top["transition"] == 0  # eight short histories: too few samples for a model
    assert top["score"] == pytest.approx(
        0.6 * (4 * top["profile"] + 20 * top["population"]) / 24 + 0.4 * top["predicted"], abs=1e-5
    )
    horror = next(f for f in body["forecast"] if f["key"] == f"{prefix}horror")
    assert horror["profile"] == 0 and horror["population"] > 0  # other users like horror
    predicted = {p["item_id"] for p in body["predicted_items"]}
    assert predicted == {f"{prefix}comedy0", f"{prefix}comedy5"}  # the comedies u0 has not seen


@pytest.mark.neo4j
def test_forecast_sees_nothing_after_as_of(client: FlaskClient, prefix: str, trained: str) -> None:
    before = client.get(
        f"/v1/users/{prefix}u0/interests/forecast", query_string={"as_of": 1_600_000_000}
    ).json
    assert before["signals"] == 0 and before["predicted_items"] == []
    assert all(f["profile"] == 0 and f["predicted"] == 0 for f in before["forecast"])


@pytest.mark.neo4j
@pytest.mark.parametrize(("user", "args", "status", "field"), [
    ("nobody", {}, 404, None), ("u0", {"limit": 0}, 400, "limit"),
    ("u0", {"as_of": "later"}, 400, "as_of"),
])  # fmt: skip
def test_forecast_refuses_bad_requests(
    client: FlaskClient,
    prefix: str,
    user: str,
    args: dict[str, object],
    status: int,
    field: str | None,
) -> None:
    given = client.get(f"/v1/users/{prefix}{user}/interests/forecast", query_string=args)
    assert given.status_code == status
    if field:
        assert given.json["error"]["details"][0]["field"] == field


@pytest.mark.neo4j
def test_a_run_learns_where_interests_move(client: FlaskClient, graph: Graph, prefix: str) -> None:
    """Thirty users like eight comedies, then two horror films: a run learns that who has seen
    all the comedies moves on to horror (and who has seen a few goes on with comedies), and the
    forecasts of new users say so."""
    items = [{"id": f"{prefix}{kind}{n}", "title": f"{kind} {n}", "categories": [f"{prefix}{kind}"]}
             for kind, count in (("comedy", 8), ("horror", 2)) for n in range(count)]  # fmt: skip
    assert client.post("/v1/items", json=items).status_code == 200
    order = [f"{prefix}comedy{n}" for n in range(8)] + [f"{prefix}horror{n}" for n in range(2)]
    events = [
        {"event_id": f"{prefix}e{u}-{n}", "user_id": f"{prefix}u{u}", "kind": "like",
         "item_id": item, "timestamp": 1_700_000_000 + 1_000 * u + n}
        for u in range(30) for n, item in enumerate(order)
    ] + [
        {"event_id": f"{prefix}{user}-{n}", "user_id": f"{prefix}{user}", "kind": "like",
         "item_id": f"{prefix}comedy{n}", "timestamp": 1_750_000_000 + n}
        for user, count in (("all", 8), ("few", 5)) for n in range(count)
    ]  # fmt: skip
    assert client.post("/v1/events", json=events).status_code == 200
    report = retraining.retrain(graph, TINY, quality_floor=0.0, trainer=taste_trainer)
    assert report.status == "finished", report.message
    assert report.metrics["transition_samples"] >= 90  # three cuts of each history
    forget_population()
    body = client.get(f"/v1/users/{prefix}all/interests/forecast", query_string=LATER).json
    moved = {f["key"]: f["transition"] for f in body["forecast"]}
    assert moved[f"{prefix}horror"] > 0.05 and moved[f"{prefix}comedy"] < -0.05
    few = client.get(f"/v1/users/{prefix}few/interests/forecast", query_string=LATER).json
    moved_few = {f["key"]: f["transition"] for f in few["forecast"]}
    assert moved_few[f"{prefix}comedy"] > 0.05 and moved_few[f"{prefix}horror"] < -0.05
    sampled, count = fit_transition(graph, {}, max_users=10)  # a seeded sample of ten users
    again, count_again = fit_transition(graph, {}, max_users=10)
    assert 10 <= count <= 30 and count == count_again  # at most three cuts each
    assert sampled is not None and again is not None
    assert np.allclose(sampled.weights, again.weights)
    score = {f["key"]: f for f in body["forecast"]}[f"{prefix}horror"]
    assert score["score"] == pytest.approx(
        0.6 * (8 * score["profile"] + 20 * score["population"]) / 28 + 0.4 * score["predicted"]
        + score["transition"], abs=1e-5
    )  # fmt: skip
