"""bench.extraction: several data folders, each split into dev and test; the sweep's choice."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from bench import extraction as bench
from graph.text.extraction import Weights


def write_folder(root: Path, name: str, docs: dict[str, tuple[str, list[str]]]) -> Path:
    folder = root / name
    (folder / "docsutf8").mkdir(parents=True)
    (folder / "keys").mkdir()
    for stem, (text, keys) in docs.items():
        (folder / "docsutf8" / f"{stem}.txt").write_text(text, encoding="utf-8")
        (folder / "keys" / f"{stem}.key").write_text("\n".join(keys) + "\n", encoding="utf-8")
    return folder


def test_split_is_seeded_disjoint_and_whole() -> None:
    names = [f"doc{i:03}" for i in range(41)]
    dev, test = bench.split(names, seed=7)
    assert len(dev) == 20 and len(test) == 21
    assert set(dev) | set(test) == set(names) and not set(dev) & set(test)
    assert dev == sorted(dev) and test == sorted(test)
    assert bench.split(list(reversed(names)), seed=7) == (dev, test)  # order given does not matter
    assert bench.split(names, seed=8) != (dev, test)
    assert dev != names[:20]  # shuffled, not the first half by name


def test_parts_take_the_first_documents_by_name_and_their_keys(tmp_path: Path) -> None:
    docs = {f"d{i}": (f"text {i}", [f"Key Phrases {i}", "", "Solar Panels"]) for i in range(6)}
    folder = write_folder(tmp_path, "corpus", docs)
    parts = bench.load_parts(folder, limit=4, seed=1)
    names = parts["dev"].names + parts["test"].names
    assert sorted(names) == ["d0", "d1", "d2", "d3"]
    assert len(parts["dev"].names) == 2
    for part in parts.values():
        for name, text, gold in zip(part.names, part.docs, part.gold, strict=True):
            assert text == f"text {name[1:]}"
            assert gold == {f"kei phrase {name[1:]}", "solar panel"}  # lowercased, Porter-stemmed


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, "empty", {})
    with pytest.raises(SystemExit):
        bench.load_parts(folder, limit=None, seed=1)


def test_score_is_stemmed_exact_match_at_ten() -> None:
    gold = [{bench.stem("solar panels"), bench.stem("wind power")}, {bench.stem("grid")}]
    predicted = [["Solar panel", "solar panels", "wind"], ["power grid"]]
    found = bench.score(predicted, gold)
    # document 1: one hit (duplicates count once) of 10 predictions and 2 keys; document 2: none
    assert found.precision == pytest.approx(0.1 / 2)
    assert found.recall == pytest.approx(0.5 / 2)
    assert found.f1 == pytest.approx((2 * 0.1 * 0.5 / 0.6) / 2)


def test_settings_start_from_the_base_and_refuse_unknown_fields() -> None:
    base = Weights(head=-0.1, length=0.0)
    grid = {"head": (-0.3, -0.1), "length": (0.0, 0.1)}
    found = bench.settings(grid, base)
    assert found[0] == base
    assert len(found) == 4  # the base is one of the four combinations, listed once
    assert {(w.head, w.length) for w in found} == {(-0.3, 0.0), (-0.3, 0.1), (base.head, 0.0),
                                                    (base.head, 0.1)}  # fmt: skip
    with pytest.raises(ValueError, match="bogus"):
        bench.settings({"bogus": (1.0,)}, base)


def test_choose_never_trades_one_folder_for_another() -> None:
    base, better_both, trade, best_mean = (Weights(head=h) for h in (-0.1, -0.2, -0.3, -0.4))
    scores = {
        base: {"news": 0.15, "science": 0.18},
        better_both: {"news": 0.16, "science": 0.20},
        trade: {"news": 0.149, "science": 0.30},  # the highest mean, but news falls
        best_mean: {"news": 0.15, "science": 0.22},
    }
    assert bench.choose(scores, base) == best_mean  # 0.15 x 0.22 > 0.16 x 0.20
    del scores[best_mean]
    assert bench.choose(scores, base) == better_both
    assert bench.choose({base: scores[base], trade: scores[trade]}, base) == base


def test_main_reports_each_folder_and_part(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    science = {
        f"s{i}": (
            "Complex Langevin dynamics provides an approach to the sign problem in numerical "
            f"simulations of lattice field theories. Run {i} used gauge cooling.",
            ["Complex Langevin dynamics", "sign problem", "gauge cooling"],
        )
        for i in range(4)
    }
    news = {
        f"n{i}": (
            f"The city council approved a new budget for public transport on day {i}. "
            "Bus fares will fall next year.",
            ["city council", "budget", "public transport", "bus fares"],
        )
        for i in range(3)
    }
    folders = [write_folder(tmp_path, "science", science), write_folder(tmp_path, "news", news)]
    bench.main([str(f) for f in folders])
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [f["data"] for f in report["folders"]] == ["science", "news"]
    assert report["weights"] == asdict(Weights())
    for folder, total in zip(report["folders"], (4, 3), strict=True):
        assert [p["part"] for p in folder["parts"]] == ["dev", "test"]
        assert sum(p["documents"] for p in folder["parts"]) == total
        for part in folder["parts"]:
            methods = [r["method"] for r in part["results"]]
            assert methods == ["ours (graph.text.extraction)", "YAKE n=3"]  # no slow ranker
            ours, yake = (r["f1"] for r in part["results"])
            assert part["ours_over_yake"] == (round(ours / yake, 3) if yake else None)
    science_f1 = [r["f1"] for p in report["folders"][0]["parts"] for r in p["results"]][::2]
    assert min(science_f1) > 0  # ours finds some of the keys in every part
