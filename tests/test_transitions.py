"""The forecast's transition model: cuts, the regression, samples from histories (one and
many, as the fit builds them from fetched rows), and the in-memory walk of the item model. Plain
numbers, no database."""

from __future__ import annotations

import numpy as np
import pytest

from embeddings.item_model import DEFAULT_HISTORY, HistorySettings, history_of, walk_item_model
from embeddings.transition_fit import History, sample_users, transition_samples
from graph.evolution.forecast import PopulationTimeline, samples
from graph.evolution.profiles import signal_of, signals_of
from graph.evolution.strength import Signal
from graph.evolution.transitions import Transition, cuts, fit


def test_cuts_nest_at_eighty_percent() -> None:
    assert cuts(10) == [(8, 10), (7, 8), (6, 7)]
    assert cuts(10, levels=1) == [(8, 10)]
    assert cuts(5) == [(4, 5)]  # 80% of 4 rounds up to 4: nothing is left after it
    assert cuts(3) == [] and cuts(0) == []


def test_fit_learns_where_one_target_leads() -> None:
    # Fans of "a" go on to "c"; fans of "b" stay with "b".
    pairs = [({"a": 1.0}, {"c": 1.0})] * 30 + [({"b": 1.0}, {"b": 1.0})] * 30
    model = fit(pairs, ["a", "b", "c"], alpha=1e-4)
    assert model is not None and model.targets == ("a", "b", "c")
    moved = model.apply({"a": 1.0, "interest:x": 0.3}, share=1.0)
    assert moved["c"] == pytest.approx(1.0, abs=0.01) and moved["a"] == pytest.approx(0, abs=0.01)
    assert moved["interest:x"] == 0.3  # not a modelled target: left as it is
    stays = model.apply({"b": 1.0}, share=1.0)
    assert stays["b"] == pytest.approx(1.0, abs=0.01)
    half = model.apply({"a": 1.0}, share=0.5)
    assert half["a"] == pytest.approx(0.5, abs=0.01) and half["c"] == pytest.approx(0.5, abs=0.01)


def test_a_strong_penalty_leaves_only_the_average_change() -> None:
    pairs = [({"a": 1.0}, {"c": 1.0})] * 30 + [({"b": 1.0}, {"b": 1.0})] * 30
    model = fit(pairs, ["a", "b", "c"], alpha=1e6)
    assert model is not None
    assert np.abs(model.weights).max() < 1e-4
    assert model.change({"b": 1.0})["c"] == pytest.approx(0.5, abs=1e-3)  # mean of after - before


def test_too_few_samples_make_no_model_and_a_model_survives_json() -> None:
    assert fit([({"a": 1.0}, {"a": 1.0})] * 5, ["a"]) is None
    assert fit([({"a": 1.0}, {"a": 1.0})] * 30, []) is None
    model = fit([({"a": 1.0, "b": 0.0}, {"b": 1.0})] * 15 + [({"b": 1.0}, {"a": 1.0})] * 15,
                ["a", "b"])  # fmt: skip
    assert model is not None
    again = Transition.from_json(model.to_json())
    assert again.targets == model.targets
    assert np.allclose(again.weights, model.weights) and np.allclose(again.bias, model.bias)


def test_samples_see_only_what_came_before_each_cut() -> None:
    comedy, horror = ("category:comedy",), ("category:horror", "interest:ghosts")
    signals = [Signal(float(t), 1.0, "event", comedy) for t in range(8)] + [
        Signal(8.0, 1.0, "event", horror), Signal(9.0, 0.25, "event", horror)  # a view: unclear
    ]  # fmt: skip
    asked: list[float] = []

    def population(at: float) -> dict[str, float]:
        asked.append(at)
        return {"category:comedy": 1.0}

    found = samples(signals, population, lambda at: {})
    assert asked == [7.0, 6.0, 5.0]  # the last signal before each cut: (8, 10), (7, 8), (6, 7)
    afters = [after for _, after in found]
    assert afters == [{"category:horror": 1.0}] + [{"category:comedy": 1.0}] * 2
    assert all(set(before) == {"category:comedy"} for before, _ in found)


def test_population_timeline_counts_up_to_an_instant() -> None:
    timeline = PopulationTimeline([(5.0, ("category:b",)), (1.0, ("category:a", "category:b"))])
    assert timeline.names == ["category:a", "category:b"]
    assert timeline.shares(0.0) == {}
    assert timeline.shares(1.0) == {"category:a": 0.5, "category:b": 0.5}
    assert timeline.shares(9.0) == pytest.approx({"category:a": 1 / 3, "category:b": 2 / 3})


def test_walk_of_the_item_model_ranks_unseen_items_like_the_cypher() -> None:
    neighbours = {"x": [("p", 0.5), ("q", 0.2)], "y": [("q", 0.4), ("x", 0.9), ("r", 0.2)]}
    found = walk_item_model(neighbours, {"x": 1.0, "y": 0.5}, {"x", "y"}, 2)
    assert found == [("p", 0.5), ("q", pytest.approx(0.4))]
    assert walk_item_model(neighbours, {"y": 1.0}, {"y"}, 5)[0] == ("x", 0.9)
    assert walk_item_model(neighbours, {}, set(), 5) == []


def test_a_signal_of_a_row_carries_its_targets_and_strongest_interests() -> None:
    about = [[0.1, f"interest:{n}"] for n in range(7)] + [[0.9, "interest:best"]]
    row = {"at": 5, "weight": 1, "source": "event", "targets": ["category:a"], "about": about}
    signal = signal_of(row)
    assert signal == Signal(5.0, 1.0, "event", ("category:a", "interest:best",
                                                 *(f"interest:{n}" for n in range(4))))  # fmt: skip
    assert signal_of({**row, "targets": [], "about": []}) is None


def test_samples_of_many_histories_walk_the_item_model_before_each_cut() -> None:
    comedy = ("category:comedy",)
    signals = [Signal(float(t), 1.0, "event", comedy) for t in range(10)]
    # the horror film's neighbour comes at 6: predicted at the cuts after 7 and 6, not after 5
    fan = History(signals, [("c0", 1.0, 0), ("c1", 1.0, 6)])
    neighbours = {"c1": [("h0", 0.8)], "c0": [("c1", 0.5)]}
    reached = {"h0": ("category:horror",), "c1": comedy}
    found, names = transition_samples([fan, History([], [])], neighbours, reached)
    assert names == ["category:comedy"] and len(found) == 3
    assert [before.get("category:horror", 0.0) > 0 for before, _ in found] == [True, True, False]
    assert all(after == {"category:comedy": 1.0} for _, after in found)
    alone, _ = transition_samples([fan], neighbours, reached)
    assert alone == found  # a history without signals adds nothing
    unseen, _ = transition_samples([fan], {}, reached)
    assert all("category:horror" not in before for before, _ in unseen)


def test_samples_weigh_each_history_as_the_run_chose() -> None:
    """With the history setting a run chose, the walk weighs older items as the service will: a
    short half-life and no floor leave the first film's neighbour almost nothing."""
    comedy = ("category:comedy",)
    signals = [Signal(float(t), 1.0, "event", comedy) for t in range(12)]
    fan = History(signals, [("h1", 1.0, 0), *((f"c{n}", 1.0, n) for n in range(1, 10))])
    neighbours = {"h1": [("h0", 0.9)], **{f"c{n}": [("c0", 0.1)] for n in range(1, 10)}}
    reached = {"h0": ("category:horror",), "c0": comedy}
    chosen = HistorySettings(half_life=1.0, floor=0.0)
    default, _ = transition_samples([fan], neighbours, reached)
    short, _ = transition_samples([fan], neighbours, reached, history=chosen)
    horror = [[b.get("category:horror", 0.0) for b, _ in found] for found in (default, short)]
    assert len(horror[0]) == len(horror[1]) >= 2
    assert all(s < d for d, s in zip(*horror, strict=True)), horror
    assert history_of({"history": {"half_life": 1, "floor": 0}}) == chosen
    assert history_of(None) == history_of({"weights": {}}) == DEFAULT_HISTORY


def test_the_users_sampled_are_seeded() -> None:
    users = [f"u{n}" for n in range(50)]
    chosen = sample_users(users, 10)
    assert len(set(chosen)) == 10 and set(chosen) <= set(users)
    assert sample_users(users, 10) == chosen and sample_users(users, 50) == users


def test_an_interest_only_one_title_says_makes_no_signal() -> None:
    """Titles are not descriptions: "First Date" alone does not make an interest in dates; a
    second item titled so, a description or a text about the item does, from then on."""

    def row(item: str, *about: list[object]) -> dict[str, object]:
        return {"at": 1, "weight": 1, "source": "event", "item": item,
                "targets": ["category:Comedy"], "about": list(about)}  # fmt: skip

    rows = [
        row("first date", [0.9, "interest:date", False]),
        row("first date", [0.9, "interest:date", False]),  # the same item again: one item
        row("space one", [0.8, "interest:space", False]),
        row("space two", [0.7, "interest:space", False]),  # the second item: from here on
        row("space one", [0.8, "interest:space", False]),
        row("described", [0.5, "interest:jazz", True]),  # its description says so
        row("jazz title", [0.6, "interest:jazz", False]),  # evidenced by the item above
        row("old form", [0.4, "interest:opera"]),  # a pair without the flag counts
    ]
    targets = [set(s.targets) for s in signals_of(rows)]
    assert targets[0] == targets[1] == targets[2] == {"category:Comedy"}  # categories stay
    assert all("interest:date" not in t for t in targets)
    assert "interest:space" in targets[3] and "interest:space" in targets[4]
    assert "interest:jazz" in targets[5] and "interest:jazz" in targets[6]
    assert "interest:opera" in targets[7]
    assert [set(s.targets) for s in signals_of(rows[2:3])] == [{"category:Comedy"}]  # judged by
    # what came before, never by what came after
    texts = [{"at": 2, "weight": 1, "source": "text", "item": None,
              "targets": ["interest:date"], "about": []}]  # fmt: skip
    assert signals_of(texts)[0].targets == ("interest:date",)  # what a user writes counts
