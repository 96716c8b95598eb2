"""Each run's blend: the validation split of the live graph, the search, and serving with it."""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from embeddings import retraining, runs
from embeddings.holdout import HeldOut, choose_holdout, split_latest
from embeddings.item_model import DEFAULT_HISTORY, HistorySettings
from embeddings.item_table import NeighbourTable, table_of
from embeddings.training import export_triples
from graph.store import Graph
from service import blend_tuning, recommend
from service.blend_tuning import Prepared, ndcg_at, search, search_history
from service.recommend import (
    DEFAULT_WEIGHTS,
    SOURCES,
    TEXT_ONLY_WEIGHTS,
    BlendWeights,
    Candidate,
    Gathered,
    HistoryItem,
    ItemDetails,
    blend_for,
    serving_history,
    serving_text_only_weights,
    serving_weights,
)
from tests.support import PSEUDONYMS, TINY, given_three_tastes, taste_trainer
from tests.web_support import sign_in

T = 1_700_000_000


def test_the_latest_share_is_held_out_and_an_instant_is_not_split() -> None:
    rows = [(f"i{n}", 1.0, T + n) for n in range(20)] + [("late", 1.0, T + 19)]
    held = split_latest(rows, 0.1)  # 3 of 21: the two at T + 19 and the one at T + 18
    assert held == HeldOut(T + 18, frozenset({"i18", "i19", "late"}))
    assert held.as_of < held.until == datetime.fromtimestamp(T + 18, UTC)


def test_held_out_positives_are_new_and_positive() -> None:
    rows = [("a", 1.0, T), ("b", 1.0, T + 1), ("a", 1.0, T + 2), ("c", -1.0, T + 3)]
    assert split_latest(rows, 0.5) is None  # "a" was seen before the cut, "c" is disliked
    assert split_latest([("a", 1.0, T)], 0.5) is None  # nothing would be left to learn from
    assert split_latest([], 0.5) is None
    assert split_latest([*rows, ("d", 0.5, T + 4)], 0.4) == HeldOut(T + 3, frozenset({"d"}))


def test_ndcg() -> None:
    assert ndcg_at(["a", "b"], {"a"}) == 1.0
    assert ndcg_at(["b", "a"], {"a"}) == pytest.approx(1 / 1.5849625)
    assert ndcg_at(["x"], {"a", "b"}) == 0.0
    assert ndcg_at(["a"], set()) == 0.0


def random_gathered(rng: random.Random, items: int = 60) -> Gathered:
    candidates = {}
    for n in range(items):
        item = f"i{rng.randrange(1000):03d}"
        features = {s: rng.choice([0.0, -0.2, rng.random(), rng.random() * 3]) for s in SOURCES
                    if rng.random() < 0.7}  # fmt: skip
        candidates[item] = Candidate(item, features=features, popularity=rng.choice([0, 2, 9]))
        if n % 7 == 0:  # exact ties of score, broken by popularity, then by the item id
            candidates[item].features = {"profile": 1.0}
    details = {i: ItemDetails(i, [f"c{rng.randrange(4)}"]) for i in candidates}
    return Gathered([], [], [], None, candidates, details)


def test_the_search_ranks_exactly_as_the_service() -> None:
    rng = random.Random(3)
    for _ in range(20):
        gathered = random_gathered(rng)
        weights = BlendWeights(*(rng.choice([0.0, 0.25, 0.5, 1.0]) for _ in SOURCES))
        served = [c.item for c in recommend.rank(gathered, 10, weights)]
        assert Prepared.of(gathered).ranked(weights) == served
    assert Prepared.of(Gathered([], [], [], None, {}, {})).ranked(DEFAULT_WEIGHTS) == []


def planted(users: int, rng: random.Random) -> tuple[dict[str, Gathered], dict[str, set[str]]]:
    """Users whose wanted items only the neighbour source ranks high."""
    gathered, wanted = {}, {}
    for u in range(users):
        candidates = {}
        for n in range(40):
            item = f"u{u}-{n}"
            good = n < 3
            candidates[item] = Candidate(item, features={
                "profile": rng.random(), "items": rng.random(),
                "neighbours": rng.random() + (2.0 if good else 0.0)})  # fmt: skip
        details = {i: ItemDetails(i, ["c"]) for i in candidates}
        gathered[str(u)] = Gathered([], [], [], None, candidates, details)
        wanted[str(u)] = {f"u{u}-{n}" for n in range(3)}
    return gathered, wanted


def test_the_search_finds_the_source_that_ranks_the_held_out_items() -> None:
    gathered, wanted = planted(40, random.Random(5))
    choice = search(gathered, wanted)
    assert choice.weights.neighbours > 0
    assert choice.ndcg > 0.9 > choice.default_ndcg
    assert choice.users == 40 and choice.tried == 3**4 * 3 - 1  # every blend but all zeros


def test_the_search_scores_each_blend_as_its_ranking_scores() -> None:
    """The blends ranked at once score as each blend ranked alone and scored by ``ndcg_at``;
    the first of the best is chosen, the defaults first."""
    rng = random.Random(7)
    gathered = {str(u): random_gathered(rng, rng.choice([0, 3, 30, 80])) for u in range(35)}
    wanted = {u: {i for i in g.candidates if rng.random() < 0.1} for u, g in gathered.items()}
    prepared = {u: Prepared.of(g) for u, g in gathered.items()}

    def mean_ndcg(weights: BlendWeights) -> float:
        return sum(ndcg_at(prepared[u].ranked(weights), wanted[u]) for u in wanted) / len(wanted)

    choice = search(gathered, wanted)
    blends = [DEFAULT_WEIGHTS] + [
        BlendWeights(**dict(zip(blend_tuning.GRID, values, strict=True)))
        for values in itertools.product(*blend_tuning.GRID.values())
        if any(values) and values != tuple(asdict(DEFAULT_WEIGHTS).values())
    ]
    scores = [mean_ndcg(w) for w in blends]
    assert choice.tried == len(blends) == 242
    assert choice.default_ndcg == pytest.approx(scores[0], abs=1e-12)
    assert choice.ndcg == pytest.approx(max(scores), abs=1e-12)
    assert choice.weights == blends[scores.index(max(scores))]


def test_the_text_only_search_weighs_popularity_when_the_popular_items_are_wanted() -> None:
    """Text-only users (profile scores only) who want the most popular of their candidates: a
    blend that counts popularity is chosen among ``text_only_blends``, the defaults first."""
    rng = random.Random(11)
    gathered, wanted = {}, {}
    for u in range(30):
        candidates = {}
        for n in range(40):
            item = f"u{u}-{n}"
            candidates[item] = Candidate(item, popularity=n)
            candidates[item].features = {"profile": rng.random(), "popularity": math.log1p(n)}
        details = {i: ItemDetails(i, [f"c{n % 5}"]) for n, i in enumerate(candidates)}
        gathered[str(u)] = Gathered([], [], [], None, candidates, details)
        wanted[str(u)] = {f"u{u}-{n}" for n in (37, 38, 39)}
    blends = blend_tuning.text_only_blends()
    assert blends[0] == TEXT_ONLY_WEIGHTS and len(blends) == len(set(blends))
    assert all(w.items == w.embedding == w.neighbours == 0 for w in blends)
    choice = search(gathered, wanted, blends=blends)
    assert choice.weights.popularity > 0 and choice.tried == len(blends)
    assert choice.ndcg > choice.default_ndcg
    few = search(dict(list(gathered.items())[:5]), dict(list(wanted.items())[:5]), blends=blends)
    assert (few.weights, few.tried) == (TEXT_ONLY_WEIGHTS, 1)


def test_too_few_users_keep_the_defaults() -> None:
    gathered, wanted = planted(5, random.Random(5))
    choice = search(gathered, wanted)
    assert (choice.weights, choice.tried, choice.users) == (DEFAULT_WEIGHTS, 1, 5)
    assert choice.ndcg == choice.default_ndcg


History = list[tuple[str, float, int]]


def sessions(users: int) -> tuple[NeighbourTable, dict[str, History], dict[str, set[str]]]:
    """Users whose wanted item follows from the twenty items they liked long ago, while each of
    their eight latest leads strongly elsewhere: a history weighted by recency alone misses it."""
    rows, histories, wanted = [], {}, {}
    for u in range(users):
        old = [f"{u}-old{n}" for n in range(20)]
        new = [f"{u}-new{n}" for n in range(8)]
        rows += [{"item": item, "similar": [f"{u}-wanted"], "weights": [0.2]} for item in old]
        rows += [{"item": item, "similar": [f"{item}-next"], "weights": [1.0]} for item in new]
        histories[str(u)] = [(item, 1.0, T + n) for n, item in enumerate(old + new)]
        wanted[str(u)] = {f"{u}-wanted"}
    return table_of("run", rows), histories, wanted


def test_the_history_setting_that_finds_the_held_out_items_is_chosen() -> None:
    table, histories, wanted = sessions(30)
    choice = search_history(table, histories, wanted)
    assert choice.default_ndcg < 0.5 and choice.ndcg == 1.0
    assert choice.settings.floor > DEFAULT_HISTORY.floor
    few = search_history(table, dict(list(histories.items())[:5]), wanted)
    assert few.settings == DEFAULT_HISTORY and few.ndcg == few.default_ndcg < 0.5


def test_a_run_walks_histories_as_it_chose() -> None:
    assert serving_history(serving_with(None)) == DEFAULT_HISTORY
    chosen = {"history": {"half_life": 16.0, "floor": 0.2}}
    assert serving_history(serving_with(chosen)) == HistorySettings(16.0, 0.2)
    history, _ = recommend.weighted_history([("a", 1.0, T), ("b", 1.0, T + 1)],
                                            serving_history(serving_with(chosen)))  # fmt: skip
    assert [h.weight for h in history] == pytest.approx([0.2 + 0.8 * 0.5 ** (1 / 16), 1.0])


def serving_with(blend: dict[str, Any] | None) -> runs.Serving:
    return runs.Serving("r", 0, "RotatE", {}, None, blend)


def test_a_run_serves_the_blend_it_chose() -> None:
    assert serving_weights(None) == DEFAULT_WEIGHTS
    assert serving_weights(serving_with(None)) == DEFAULT_WEIGHTS
    chosen = {"weights": {"profile": 1.0, "items": 0.0, "embedding": 0.5, "neighbours": 0.0,
                          "popularity": 0.25, "retired": 9.0}}  # fmt: skip
    assert serving_weights(serving_with(chosen)) == BlendWeights(1.0, 0.0, 0.5, 0.0, 0.25)


def test_a_user_known_only_by_texts_is_served_the_text_only_blend() -> None:
    assert serving_text_only_weights(None) == TEXT_ONLY_WEIGHTS
    assert serving_text_only_weights(serving_with({"weights": {"profile": 1.0}})) == (
        TEXT_ONLY_WEIGHTS
    )
    warm = {"profile": 1.0, "items": 0.5, "embedding": 0.0, "neighbours": 0.0, "popularity": 0.0}
    alone = {"profile": 0.0, "items": 0.0, "embedding": 0.0, "neighbours": 0.0, "popularity": 1.0}
    serving = serving_with({"weights": warm, "text_only": {"weights": alone}})
    texts_only = Gathered([], [], [], serving, {}, {})
    interacted = Gathered([], ["a"], [HistoryItem("a", 1.0, T)], serving, {}, {})
    assert blend_for(texts_only) == BlendWeights(**alone)
    assert blend_for(interacted) == BlendWeights(**warm)
    assert blend_for(Gathered([], [], [], None, {}, {})) == TEXT_ONLY_WEIGHTS
    assert blend_for(Gathered([], ["a"], [HistoryItem("a", 1.0, T)], None, {}, {})) == (
        DEFAULT_WEIGHTS
    )
    given = BlendWeights(0.1, 0.2, 0.3, 0.4, 0.5)
    assert blend_for(texts_only, given) == blend_for(interacted, given) == given


@pytest.mark.neo4j
def test_export_holds_out_a_users_latest_interactions(
    client: FlaskClient, graph: Graph, prefix: str
) -> None:
    given_three_tastes(client, prefix)
    u0, u1 = (PSEUDONYMS.user(f"{prefix}u{n}") for n in (0, 1))
    cut = datetime.fromtimestamp(T + 5, UTC)  # u0 liked comedy1..4 before it, 6..9 from it on
    triples = {tuple(t) for t in export_triples(graph, until={u0: cut}).tolist()}
    liked = {t[2] for t in triples if t[0] == f"u:{u0}" and t[1] == "interacted"}
    assert liked == {f"i:{prefix}comedy{n}" for n in (1, 2, 3, 4)}
    assert (f"u:{u1}", "interacted", f"i:{prefix}horror8") in triples  # others keep everything


@pytest.mark.neo4j
def test_a_run_chooses_its_blend_on_the_users_latest_interactions(
    app: Flask,
    admin_token: str,
    client: FlaskClient,
    graph: Graph,
    prefix: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    given_three_tastes(client, prefix)
    seen: list[tuple[runs.Serving, dict[str, HeldOut]]] = []
    profile_only = {"weights": asdict(BlendWeights(1.0, 0.0, 0.0, 0.0, 0.0)), "ndcg": 0.5,
                    "default_ndcg": 0.4, "users": 30, "tried": 242,
                    "history": {"half_life": 2.0, "floor": 0.1},
                    "text_only": {"weights": asdict(BlendWeights(0.0, 0.0, 0.0, 0.0, 1.0)),
                                  "ndcg": 0.2, "default_ndcg": 0.1, "users": 31,
                                  "tried": 8}}  # fmt: skip
    fitted_with: list[HistorySettings] = []
    fit = retraining.fit_transition

    def recording_fit(*args: Any, history: HistorySettings, **kwargs: Any) -> Any:
        fitted_with.append(history)
        return fit(*args, history=history, **kwargs)

    monkeypatch.setattr(retraining, "fit_transition", recording_fit)

    def chooser(graph: Graph, staged: runs.Serving, held: dict[str, HeldOut]) -> dict[str, Any]:
        assert runs.serving(graph) is None or runs.serving(graph).run_id != staged.run_id
        seen.append((staged, dict(held)))
        return profile_only

    report = retraining.retrain(
        graph, TINY, quality_floor=0.0, trainer=taste_trainer, choose_blend=chooser
    )
    assert report.status == "finished", report.message
    assert fitted_with == [HistorySettings(2.0, 0.1)]  # the forecast's, as chosen
    [(staged, held)] = seen
    assert staged.slot == report.slot and staged.run_id != report.run_id
    u3 = PSEUDONYMS.user(f"{prefix}u3")  # liked comedy 0, 1, 3-6, 8, 9: holds out comedy9
    assert held[u3] == HeldOut(T + 9, frozenset({f"{prefix}comedy9"}))
    serving = runs.serving(graph)
    assert serving is not None and serving.blend == profile_only
    [run] = [r for r in runs.recent(graph) if r["id"] == report.run_id]
    assert run["blend"] == profile_only
    page = app.test_client()
    sign_in(page, admin_token)
    shown = page.get("/ui/runs").text
    assert "profile 1, items 0, embedding 0" in shown
    assert ("text-only users: profile 0, items 0, embedding 0, neighbours 0, popularity 1 "
            "(NDCG@10 0.2000; the defaults' 0.1000; 31 users)") in shown  # fmt: skip
    # served with the chosen weights: the profile's score alone orders the answer
    answer = recommend.recommend(graph, u3, k=4, as_of=datetime.now(UTC))
    top = answer.items[0].sources["profile"]
    for item in answer.items:
        assert item.score == pytest.approx(item.sources.get("profile", 0.0) / top)


@pytest.mark.neo4j
def test_the_service_search_runs_on_the_staged_run(
    client: FlaskClient, graph: Graph, prefix: str
) -> None:
    given_three_tastes(client, prefix)
    for u in range(30):  # each user wrote before their cut: the text-only blend is searched
        written = {"text": "I love Italian cooking.", "timestamp": "2023-11-14T22:00:00Z",
                   "source": "review", "text_id": f"{prefix}t{u}"}  # fmt: skip
        assert client.post(f"/v1/users/{prefix}u{u}/texts", json=written).status_code == 200
    writers = choose_holdout(graph, writers=True)
    assert {PSEUDONYMS.user(f"{prefix}u{u}") for u in range(30)} <= writers.keys()
    report = retraining.retrain(graph, TINY, quality_floor=0.0, trainer=taste_trainer,
                                choose_blend=blend_tuning.choose)  # fmt: skip
    assert report.status == "finished" and report.blend is not None
    assert report.blend["users"] >= 30 and report.blend["tried"] == 3**4 * 3 - 1
    assert report.blend["ndcg"] >= report.blend["default_ndcg"] > 0
    assert report.blend["history_ndcg"] >= report.blend["history_default_ndcg"] > 0
    assert HistorySettings(**report.blend["history"]) in blend_tuning.HISTORY_GRID
    assert "blend" in report.seconds
    text_only = report.blend["text_only"]
    assert text_only["users"] >= 30 and text_only["tried"] == len(blend_tuning.TEXT_ONLY_GRID)
    assert text_only["ndcg"] >= text_only["default_ndcg"]
    graph.write("admin/delete_interests", keys=["italian cooking", "italian"])


@pytest.mark.neo4j
def test_a_user_seen_as_texts_only_keeps_only_what_they_wrote(
    client: FlaskClient, graph: Graph, prefix: str
) -> None:
    given_three_tastes(client, prefix)
    written = {"text": "I love Italian cooking.", "timestamp": "2023-11-14T22:13:30Z",
               "source": "review", "text_id": f"{prefix}t"}  # fmt: skip
    assert client.post(f"/v1/users/{prefix}u3/texts", json=written).status_code == 200
    u3 = PSEUDONYMS.user(f"{prefix}u3")
    now = datetime.now(UTC)
    whole = recommend.gather(graph, u3, as_of=now)
    alone = recommend.gather(graph, u3, as_of=now, texts_only=True)
    assert whole.history and whole.seen and whole.candidates
    assert (alone.history, alone.seen) == ([], [])
    assert {t.target for t in alone.targets} == {"interest:italian cooking"}
    assert {t.target for t in alone.targets} < {t.target for t in whole.targets}
    assert not any(set(c.features) - {"profile", "popularity"} for c in alone.candidates.values())
    graph.write("admin/delete_interests", keys=["italian cooking", "italian"])
