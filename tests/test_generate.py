"""bench.generate on a small MovieLens-shaped folder written here: seeded, in the real files'
format (the project's readers and the import's records take it), the ratings multiplied by the
scale, ids unique, every rating on a listed movie, and the source's shape kept (popularity skew,
rating values, activity, tags per rating)."""

from __future__ import annotations

import csv
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from bench.common import read_movies, read_ratings
from bench.generate import generate, main
from graph.ingest import importers
from graph.ingest.records import EventIn, ItemIn, TextIn

GENRES = ["Drama", "Comedy", "Comedy|Romance", "Action|Sci-Fi", "Horror|Thriller",
          "(no genres listed)", "Adventure|Animation|Children"]  # fmt: skip
WORDS = ["Night", "Love", "Dead", "Man", "City", "Last", "Story", "Girl", "War", "Time", "Blue"]
VALUES = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0]
VALUE_P = [0.014, 0.028, 0.018, 0.075, 0.055, 0.199, 0.13, 0.266, 0.085, 0.13]
TAGS = ["funny", "dark, very dark", '"artsy"', "twist ending", "Notable Nudity", "slow"]


def write_source(folder: Path, *, users: int = 60, movies: int = 300, seed: int = 0) -> None:
    """A MovieLens-like folder: Zipf-like popularity, heavy-tailed activity, a few taggers."""
    rng = np.random.default_rng(seed)
    folder.mkdir()
    ids = sorted(rng.choice(np.arange(1, 5 * movies), movies, replace=False).tolist())
    with (folder / "movies.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["movieId", "title", "genres"])
        for m in ids:
            name = " ".join(rng.choice(WORDS, rng.integers(1, 4)))
            title = f"{name}, The ({rng.integers(1950, 2018)})" if m % 7 == 0 else f"{name}"
            writer.writerow([m, title, GENRES[int(rng.integers(len(GENRES)))]])
    popularity = 1.0 / np.arange(1, movies + 1) ** 1.1
    popularity /= popularity.sum()
    with (
        (folder / "ratings.csv").open("w", encoding="utf-8", newline="") as r_handle,
        (folder / "tags.csv").open("w", encoding="utf-8", newline="") as t_handle,
    ):
        ratings = csv.writer(r_handle, lineterminator="\n")
        tags = csv.writer(t_handle, lineterminator="\n")
        ratings.writerow(["userId", "movieId", "rating", "timestamp"])
        tags.writerow(["userId", "movieId", "tag", "timestamp"])
        for u in range(1, users + 1):
            count = int(min(150, 20 + rng.pareto(1.2) * 25))
            chosen = rng.choice(movies, count, replace=False, p=popularity)
            start = int(rng.integers(900_000_000, 1_500_000_000))
            stamps = start + np.sort(rng.integers(0, 3_600 if u % 2 else 90 * 86_400, count))
            values = rng.choice(VALUES, count, p=VALUE_P)
            for m, v, s in sorted(zip(chosen.tolist(), values.tolist(), stamps.tolist(),
                                      strict=True), key=lambda row: ids[row[0]]):  # fmt: skip
                ratings.writerow([u, ids[m], f"{v:.1f}", s])
            if u % 5 == 0:
                for m in sorted({ids[m] for m in chosen[:6].tolist()}):
                    tags.writerow([u, m, TAGS[(u + m) % len(TAGS)], start + 60])


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("generate") / "source"
    write_source(folder)
    return folder


@pytest.fixture(scope="module")
def grown(source: Path) -> Path:
    out = source.parent / "x5"
    generate(source, out, scale=5, seed=3)
    return out


def per_item(ratings: dict[str, list[tuple[int, int, float]]], movies: dict[int, str]) -> list[int]:
    counts = Counter(m for events in ratings.values() for _, m, _ in events)
    return [counts.get(m, 0) for m in movies]


def share_of_top_tenth(counts: list[int]) -> float:
    ranked = sorted(counts, reverse=True)
    return sum(ranked[: math.ceil(len(ranked) / 10)]) / sum(ranked)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_same_seed_gives_the_same_files_and_another_seed_others(
    source: Path, grown: Path, tmp_path: Path
) -> None:
    generate(source, tmp_path / "again", scale=5, seed=3)
    generate(source, tmp_path / "other", scale=5, seed=4)
    for name in ("movies.csv", "ratings.csv", "tags.csv"):
        assert (tmp_path / "again" / name).read_bytes() == (grown / name).read_bytes(), name
        assert (tmp_path / "other" / name).read_bytes() != (grown / name).read_bytes(), name


def test_the_files_have_the_real_format_and_the_importers_take_them(grown: Path) -> None:
    for name, header in [("movies.csv", "movieId,title,genres"),
                         ("ratings.csv", "userId,movieId,rating,timestamp"),
                         ("tags.csv", "userId,movieId,tag,timestamp")]:  # fmt: skip
        text = (grown / name).read_text(encoding="utf-8")
        assert text.startswith(header + "\n") and "\r" not in text, name
    titles, genres = read_movies(grown)
    ratings = read_ratings(grown)
    assert titles and ratings and all(t.strip() for t in titles.values())
    assert all(ItemIn.model_validate(r) for r in importers.movielens_movies(grown))
    assert all(EventIn.model_validate(r) for r in importers.movielens_ratings(grown))
    texts = list(importers.movielens_tags(grown))
    assert texts
    for record in texts:  # the importer takes the user id apart from the text
        TextIn.model_validate({k: v for k, v in record.items() if k != "user_id"})
    assert any('"' in t["text"] or "," in t["text"] for t in texts)  # quoting survives


def test_scale_multiplies_users_and_ratings_and_grows_the_catalogue(
    source: Path, grown: Path
) -> None:
    before, after = read_ratings(source), read_ratings(grown)
    count_before = sum(len(v) for v in before.values())
    count_after = sum(len(v) for v in after.values())
    assert len(after) == 5 * len(before)
    assert abs(count_after / count_before - 5) < 0.05 * 5
    assert len(read_movies(grown)[0]) == round(len(read_movies(source)[0]) * 5**0.6)


def test_ids_are_unique_and_every_rating_and_tag_names_a_listed_movie(grown: Path) -> None:
    movies = [int(r["movieId"]) for r in rows(grown / "movies.csv")]
    assert len(movies) == len(set(movies)) and movies == sorted(movies)
    ratings = rows(grown / "ratings.csv")
    pairs = [(r["userId"], r["movieId"]) for r in ratings]
    assert len(pairs) == len(set(pairs))  # no user rates a movie twice
    assert pairs == sorted(pairs, key=lambda p: (int(p[0]), int(p[1])))  # the real files' order
    assert {int(m) for _, m in pairs} <= set(movies)
    tags = rows(grown / "tags.csv")
    triples = [(t["userId"], t["movieId"], t["tag"]) for t in tags]
    assert len(triples) == len(set(triples))
    assert {(u, m) for u, m, _ in triples} <= set(pairs)  # tags on movies the user rated


def test_the_source_shape_is_kept(source: Path, grown: Path) -> None:
    before, after = read_ratings(source), read_ratings(grown)
    skew = share_of_top_tenth(per_item(before, read_movies(source)[0]))
    assert abs(share_of_top_tenth(per_item(after, read_movies(grown)[0])) - skew) < 0.015

    def value_shares(ratings: dict[str, list[tuple[int, int, float]]]) -> np.ndarray:
        counts = Counter(v for events in ratings.values() for _, _, v in events)
        return np.array([counts[v] for v in VALUES]) / sum(counts.values())

    assert np.abs(value_shares(after) - value_shares(before)).max() < 0.02

    def activity(ratings: dict[str, list[tuple[int, int, float]]]) -> np.ndarray:
        return np.quantile([len(v) for v in ratings.values()], [0.1, 0.5, 0.9])

    assert np.allclose(activity(after), activity(before), rtol=0.2)

    def one_session(ratings: dict[str, list[tuple[int, int, float]]]) -> float:
        """The share of users whose ratings all fall within two hours (half of the source's)."""
        spans = [max(t for t, _, _ in v) - min(t for t, _, _ in v) for v in ratings.values()]
        return float(np.mean(np.array(spans) < 2 * 3_600))

    assert one_session(after) == pytest.approx(one_session(before), abs=0.1)

    def tags_per_rating(folder: Path, ratings: dict[str, list[tuple[int, int, float]]]) -> float:
        return len(rows(folder / "tags.csv")) / sum(len(v) for v in ratings.values())

    assert tags_per_rating(grown, after) == pytest.approx(tags_per_rating(source, before), rel=0.1)


def test_bad_arguments_are_refused(source: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="positive"):
        generate(source, tmp_path / "zero", scale=0)
    with pytest.raises(ValueError, match="source"):
        generate(source, source, scale=2)
    with pytest.raises(SystemExit):
        main([str(tmp_path / "missing"), str(tmp_path / "out"), "--scale", "2"])
