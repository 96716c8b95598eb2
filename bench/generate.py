"""MovieLens-shaped data, grown from a real folder by a seeded generator.

``python -m bench.generate [SOURCE_DIR] OUT_DIR --scale 10 [--seed 1]`` writes ``movies.csv``,
``ratings.csv`` and ``tags.csv`` in ml-latest-small's format (its columns, quoting, line ends
and row order), so every benchmark and ``interests import movielens`` read the result unchanged.
``links.csv`` is not written: nothing in the project reads it, and its IMDb and TMDB ids would be
made up. SOURCE_DIR defaults to ``../shared/data/ml-latest-small``.

How each part follows the source:

- **Users**: ``round(users × scale)``. Each copies a real user drawn at random, its *template*:
  its number of ratings (all counts multiplied by one factor so that the total is
  ``round(ratings × scale)``), its tags per rating, its mean rating, and the instants of its
  ratings: offsets from its first rating resampled with up to a minute of jitter, so the
  sessions and the span from first to last rating are real ones, shifted by up to half a year.
- **Items**: ``round(items × scale ** 0.6)`` (9,742 → 38,784 at 10×, 101,866 at 50×): a
  catalogue grows more slowly than its ratings. The item of popularity rank r takes its weight
  from the real rank-frequency curve at the same relative rank (interpolated; two trial draws
  then correct the weights for the repeats a heavy user cannot make), so the share of ratings
  on the most popular tenth of the items and the long tail keep their shape; its genres
  and year from a real item at that rank, so the genre combinations and how popular each is
  follow the source; its title from real title words in a real title's number of words. Ids run
  1..N, shuffled against popularity.
- **Ratings**: each user's items drawn by popularity, never one twice; the value from a latent
  score (the template user's mean + the template item's shrunk mean + noise, the noise taking the
  variance those leave) mapped through the real values' quantiles: the values' distribution is
  the source's and users and items keep their leanings.
- **Tags**: the template user's tags per rating, rescaled so that the total follows the source's
  tags per rating; each text one of the template user's own tags, on an item the user rated,
  up to ten minutes after that rating.

Ratings are drawn and written a chunk of users at a time (numpy), so memory stays flat at 50×.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import math
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "ml-latest-small"
ITEM_GROWTH = 0.6  # items grow as scale ** ITEM_GROWTH
SHIFT_S = 182 * 86_400  # a user's first rating moves by up to this either way
JITTER_S = 60  # seconds added to each resampled rating instant
TAG_DELAY_S = 600  # a tag comes up to this long after the rating of its item
SHRINK = 5.0  # pseudo-ratings that pull an item's mean towards the global one
CHUNK_USERS = 2_000  # users drawn and written at a time
CALIBRATION = 200_000  # latent scores drawn to place the rating values' thresholds
CALIBRATION_PASSES = 2  # draws that correct the popularity weights for repeats
CALIBRATION_BANDS = 400  # bands of ranks each pass corrects (geometric: the head finely)
DEDUPE_ROUNDS = 30  # redraws of a user's repeated items; the few left after them are dropped
TITLE = re.compile(r"^(.*?)\s*\((\d{4})(?:[-–]\d{0,4})?\)\s*$")


@dataclass(frozen=True)
class Source:
    """What the generator copies from a MovieLens folder; arrays by source movie or user."""

    genres: list[str]  # the raw field, "(no genres listed)" included
    years: list[str | None]
    words: list[str]  # title words, with their frequencies
    word_p: np.ndarray
    title_lengths: np.ndarray  # words per title
    popularity: np.ndarray  # ratings per movie
    item_mean: np.ndarray  # mean rating per movie, shrunk towards the global mean
    levels: list[str]  # the rating values as written ("0.5" … "5.0"), with their shares
    level_p: np.ndarray
    level_values: np.ndarray
    user_count: np.ndarray  # ratings per user
    user_first: np.ndarray  # the instant of the user's first rating
    user_span: np.ndarray  # seconds from first to last
    user_mean: np.ndarray
    offsets: np.ndarray  # every rating's seconds after its user's first, by user
    offset_start: np.ndarray
    user_tags: list[list[str]]  # the tags each user wrote
    first_ts: int
    last_ts: int
    ratings: int
    tags: int


@dataclass(frozen=True)
class Report:
    users: int
    items: int
    ratings: int
    tags: int
    seconds: float
    source_top_share: float  # share of the ratings on the most popular tenth of the items
    top_share: float
    source_ratings: int
    source_items: int
    source_tags: int


def top_share(per_item: np.ndarray, fraction: float = 0.1) -> float:
    """The share of all ratings that go to the ``fraction`` most rated items (every item in the
    catalogue counted, rated or not)."""
    counts = np.sort(np.asarray(per_item, dtype=np.int64))[::-1]
    if counts.sum() == 0:
        return 0.0
    top = max(1, math.ceil(fraction * len(counts)))
    return float(counts[:top].sum() / counts.sum())


def read_source(folder: Path) -> Source:
    """Read ``movies.csv``, ``ratings.csv`` and (when present) ``tags.csv``."""
    movie_row: dict[str, int] = {}
    genres: list[str] = []
    years: list[str | None] = []
    words: Counter[str] = Counter()
    lengths: list[int] = []
    with (folder / "movies.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            movie_row[row["movieId"]] = len(genres)
            genres.append(row["genres"])
            found = TITLE.match(row["title"])
            years.append(found[2] if found else None)
            tokens = _title_words(found[1] if found else row["title"])
            words.update(tokens)
            lengths.append(max(1, len(tokens)))
    users: dict[str, int] = {}
    by_user: list[list[int]] = []
    rated_movie: list[int] = []
    values: list[str] = []
    instants: list[int] = []
    owners: list[int] = []
    with (folder / "ratings.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            user = users.setdefault(row["userId"], len(users))
            if user == len(by_user):
                by_user.append([])
            by_user[user].append(len(values))
            owners.append(user)
            rated_movie.append(movie_row[row["movieId"]])
            values.append(row["rating"])
            instants.append(int(row["timestamp"]))
    user_tags: list[list[str]] = [[] for _ in users]
    tag_count = 0
    if (folder / "tags.csv").exists():
        with (folder / "tags.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                tag_count += 1
                if row["userId"] in users:
                    user_tags[users[row["userId"]]].append(row["tag"])
    if not values:
        raise ValueError(f"{folder / 'ratings.csv'}: no ratings")

    value = np.array([float(v) for v in values])
    stamp = np.array(instants, dtype=np.int64)
    owner = np.array(owners, dtype=np.int64)
    movie = np.array(rated_movie, dtype=np.int64)
    n_users, n_movies = len(users), len(genres)
    popularity = np.bincount(movie, minlength=n_movies)
    overall = float(value.mean())
    sums = np.bincount(movie, weights=value, minlength=n_movies)
    item_mean = (sums + SHRINK * overall) / (popularity + SHRINK)
    user_count = np.bincount(owner, minlength=n_users)
    user_mean = np.bincount(owner, weights=value, minlength=n_users) / user_count
    order = np.lexsort((stamp, owner))  # by user, then time
    first = np.full(n_users, np.iinfo(np.int64).max)
    np.minimum.at(first, owner, stamp)
    last = np.zeros(n_users, dtype=np.int64)
    np.maximum.at(last, owner, stamp)
    offset_start = np.concatenate(([0], np.cumsum(user_count)[:-1]))
    distinct = sorted(set(values), key=float)
    shares = Counter(values)
    ranked_words = sorted(words)
    freq = np.array([words[w] for w in ranked_words], dtype=float)
    return Source(
        genres=genres, years=years, words=ranked_words, word_p=freq / freq.sum(),
        title_lengths=np.array(lengths), popularity=popularity, item_mean=item_mean,
        levels=distinct, level_p=np.array([shares[v] for v in distinct]) / len(values),
        level_values=np.array([float(v) for v in distinct]), user_count=user_count,
        user_first=first, user_span=last - first, user_mean=user_mean,
        offsets=stamp[order] - first[owner[order]], offset_start=offset_start,
        user_tags=user_tags, first_ts=int(stamp.min()), last_ts=int(stamp.max()),
        ratings=len(values), tags=tag_count,
    )  # fmt: skip


def _title_words(text: str) -> list[str]:
    return [w.strip(",") for w in text.replace("(", " ").replace(")", " ").split() if w.strip(",")]


@dataclass(frozen=True)
class Catalogue:
    """The generated items, by popularity rank: id, title, genres, weight, mean deviation."""

    ids: np.ndarray
    titles: list[str]
    genres: list[str]
    weights: np.ndarray
    deviation: np.ndarray

    @property
    def cdf(self) -> np.ndarray:
        return np.cumsum(self.weights) / self.weights.sum()


def make_catalogue(src: Source, scale: float, rng: np.random.Generator) -> Catalogue:
    n = len(src.genres)
    size = max(1, round(n * scale**ITEM_GROWTH))
    by_popularity = np.lexsort((rng.random(n), -src.popularity))  # ties in random order
    curve = src.popularity[by_popularity].astype(float)
    rank = np.arange(size)
    weights = np.interp((rank + 0.5) * n / size - 0.5, np.arange(n), curve)
    stratum = np.floor((rank + rng.random(size)) * n / size).astype(np.int64)
    template = by_popularity[np.minimum(stratum, n - 1)]
    lengths = rng.choice(src.title_lengths, size)
    drawn = rng.choice(len(src.words), int(lengths.sum()), p=src.word_p)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    titles = []
    for i in range(size):
        name = " ".join(src.words[w] for w in drawn[starts[i] : starts[i] + lengths[i]])
        year = src.years[template[i]]
        titles.append(
            f"{name[:1].upper()}{name[1:]} ({year})" if year else name[:1].upper() + name[1:]
        )
    overall = float(np.average(src.item_mean, weights=np.maximum(src.popularity, 1)))
    return Catalogue(
        ids=rng.permutation(size) + 1,
        titles=titles,
        genres=[src.genres[t] for t in template],
        weights=weights,
        deviation=src.item_mean[template] - overall,
    )


def _draw(cdf: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    return np.minimum(np.searchsorted(cdf, rng.random(count), side="right"), len(cdf) - 1)


def _stochastic_round(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    floor = np.floor(values)
    return (floor + (rng.random(len(values)) < values - floor)).astype(np.int64)


def _thresholds(
    src: Source, items: Catalogue, sigma: float, user_dev: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Latent-score cut points that give the source's share of each rating value."""
    users = rng.choice(len(src.user_count), CALIBRATION, p=src.user_count / src.user_count.sum())
    drawn = _draw(items.cdf, CALIBRATION, rng)
    score = user_dev[users] + items.deviation[drawn] + rng.normal(0.0, sigma, CALIBRATION)
    return np.quantile(score, np.cumsum(src.level_p)[:-1])


def _noise(src: Source, items: Catalogue, user_dev: np.ndarray) -> float:
    """The noise's standard deviation: what the users' and items' leanings leave of the values'
    variance (at least a tenth of it)."""
    level_mean = float(src.level_p @ src.level_values)
    total = float(src.level_p @ (src.level_values - level_mean) ** 2)
    users = float(np.average(user_dev**2, weights=src.user_count))
    rated = items.weights / items.weights.sum()
    item = float(rated @ items.deviation**2)
    return math.sqrt(max(0.1 * total, total - users - item))


def generate(source: Path, out: Path, *, scale: float, seed: int = 1) -> Report:
    """Write the grown data set into ``out``; see the module's description."""
    if scale <= 0:
        raise ValueError(f"the scale must be positive, not {scale}")
    if out.resolve() == source.resolve():
        raise ValueError("the output folder must not be the source folder")
    started = time.perf_counter()
    src = read_source(source)
    rng = np.random.default_rng(seed)
    items = make_catalogue(src, scale, rng)
    out.mkdir(parents=True, exist_ok=True)
    _write_movies(out / "movies.csv", items)

    n_users = max(1, round(len(src.user_count) * scale))
    template = rng.integers(0, len(src.user_count), n_users)
    raw = src.user_count[template].astype(float)
    rateable = int((items.weights > 0).sum())
    counts = np.clip(_stochastic_round(raw * (src.ratings * scale) / raw.sum(), rng), 1, rateable)
    tag_rate = np.array([len(t) for t in src.user_tags]) / src.user_count
    expected_tags = counts * tag_rate[template]
    if expected_tags.sum() > 0:
        expected_tags *= src.tags / src.ratings * counts.sum() / expected_tags.sum()
    tag_counts = _stochastic_round(expected_tags, rng)
    latest = np.maximum(src.first_ts, src.last_ts - src.user_span[template])
    shift = rng.integers(-SHIFT_S, SHIFT_S + 1, n_users)
    begins = np.clip(src.user_first[template] + shift, src.first_ts, latest)
    items = _calibrated(items, counts, np.random.default_rng([seed, 1]))
    user_dev = src.user_mean - float(np.average(src.user_mean, weights=src.user_count))
    sigma = _noise(src, items, user_dev)
    cuts = _thresholds(src, items, sigma, user_dev, rng)
    cdf = items.cdf

    per_item = np.zeros(len(items.ids), dtype=np.int64)
    written = tags_written = 0
    with (
        (out / "ratings.csv").open("w", encoding="utf-8", newline="") as ratings_file,
        (out / "tags.csv").open("w", encoding="utf-8", newline="") as tags_file,
    ):
        ratings_file.write("userId,movieId,rating,timestamp\n")
        tag_writer = csv.writer(tags_file, lineterminator="\n")
        tag_writer.writerow(["userId", "movieId", "tag", "timestamp"])
        for lo in range(0, n_users, CHUNK_USERS):
            hi = min(n_users, lo + CHUNK_USERS)
            owner, drawn = _draw_items(counts[lo:hi], cdf, len(items.ids), rng)
            per_item += np.bincount(drawn, minlength=len(items.ids))
            t = template[lo:hi][owner]
            score = user_dev[t] + items.deviation[drawn] + rng.normal(0.0, sigma, len(drawn))
            level = np.searchsorted(cuts, score, side="right")
            pick = src.offset_start[t] + np.floor(rng.random(len(drawn)) * src.user_count[t])
            offset = src.offsets[pick.astype(np.int64)] + rng.integers(0, JITTER_S + 1, len(t))
            stamp = begins[lo:hi][owner] + np.minimum(offset, src.user_span[t])
            movie = items.ids[drawn]
            order = np.lexsort((movie, owner))
            owner, movie, level, stamp = owner[order], movie[order], level[order], stamp[order]
            user = owner + lo + 1
            ratings_file.write("".join(
                f"{u},{m},{src.levels[v]},{s}\n"
                for u, m, v, s in zip(user.tolist(), movie.tolist(), level.tolist(),
                                      stamp.tolist(), strict=True)
            ))  # fmt: skip
            written += len(user)
            rows = _tags(src, owner, movie, stamp, template[lo:hi], tag_counts[lo:hi], lo, rng)
            tag_writer.writerows(rows)
            tags_written += len(rows)
    return Report(
        users=n_users, items=len(items.ids), ratings=written, tags=tags_written,
        seconds=time.perf_counter() - started, source_top_share=top_share(src.popularity),
        top_share=top_share(per_item), source_ratings=src.ratings,
        source_items=len(src.genres), source_tags=src.tags,
    )  # fmt: skip


def _calibrated(items: Catalogue, counts: np.ndarray, rng: np.random.Generator) -> Catalogue:
    """The catalogue with its weights corrected so that the ratings drawn without repeats land on
    the ranks as the weights say: heavy users would draw the popular items again and again, and
    their repeats, drawn again, would thin out the head of the curve. Each pass draws every
    user's items once (nothing written) and scales each band of ranks (a few per cent wide) by
    how far its share fell short."""
    target = items.weights / items.weights.sum()
    size = len(target)
    edges = np.unique(np.floor(np.geomspace(1, size, CALIBRATION_BANDS)).astype(np.int64) - 1)
    widths = np.diff(np.append(edges, size))
    weights = items.weights.copy()
    for _ in range(CALIBRATION_PASSES):
        cdf = np.cumsum(weights) / weights.sum()
        realized = np.zeros(size)
        for lo in range(0, len(counts), CHUNK_USERS):
            _, drawn = _draw_items(counts[lo : lo + CHUNK_USERS], cdf, size, rng)
            realized += np.bincount(drawn, minlength=size)
        want = np.add.reduceat(target, edges)
        got = np.add.reduceat(realized, edges) / realized.sum()
        weights *= np.repeat(np.where(got > 0, want / np.maximum(got, 1e-300), 1.0), widths)
    return dataclasses.replace(items, weights=weights)


def _draw_items(
    counts: np.ndarray, cdf: np.ndarray, size: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Each user's ``counts`` items by popularity, none twice (repeats drawn again; the rare
    ones left after ``DEDUPE_ROUNDS`` are dropped). Returns (user in the chunk, item rank)."""
    owner = np.repeat(np.arange(len(counts)), counts)
    drawn = _draw(cdf, len(owner), rng)
    for _ in range(DEDUPE_ROUNDS):
        key = owner * size + drawn
        order = np.argsort(key, kind="stable")
        repeated = order[1:][key[order][1:] == key[order][:-1]]
        if repeated.size == 0:
            return owner, drawn
        drawn[repeated] = _draw(cdf, repeated.size, rng)
    _, first = np.unique(owner * size + drawn, return_index=True)
    keep = np.sort(first)
    return owner[keep], drawn[keep]


def _tags(
    src: Source,
    owner: np.ndarray,
    movie: np.ndarray,
    stamp: np.ndarray,
    template: np.ndarray,
    tag_counts: np.ndarray,
    lo: int,
    rng: np.random.Generator,
) -> list[tuple[int, int, str, int]]:
    """The chunk's tags, by user and movie: each on a movie its user rated (``owner``,
    ``movie``, ``stamp`` sorted by user), one of the template user's tags, shortly after."""
    starts = np.searchsorted(owner, np.arange(len(tag_counts)))
    rated = np.bincount(owner, minlength=len(tag_counts))
    found: dict[tuple[int, int, str], int] = {}
    for k in np.flatnonzero((tag_counts > 0) & (rated > 0)).tolist():
        own = src.user_tags[template[k]]
        rows = starts[k] + rng.integers(0, rated[k], tag_counts[k])
        texts = rng.integers(0, len(own), tag_counts[k])
        delays = rng.integers(0, TAG_DELAY_S + 1, tag_counts[k])
        for row, text, delay in zip(rows.tolist(), texts.tolist(), delays.tolist(), strict=True):
            key = (lo + k + 1, int(movie[row]), own[text])
            found.setdefault(key, int(stamp[row]) + delay)
    ordered: defaultdict[int, list[tuple[int, int, str, int]]] = defaultdict(list)
    for (user, item, text), when in found.items():
        ordered[user].append((user, item, text, when))
    return [row for user in sorted(ordered) for row in sorted(ordered[user])]


def _write_movies(path: Path, items: Catalogue) -> None:
    by_id = np.argsort(items.ids)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["movieId", "title", "genres"])
        for r in by_id.tolist():
            writer.writerow([int(items.ids[r]), items.titles[r], items.genres[r]])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("folders", nargs="+", metavar="[SOURCE_DIR] OUT_DIR", type=Path)
    parser.add_argument("--scale", type=float, default=10.0, help="ratings × this (default 10)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if len(args.folders) > 2:
        parser.error("give at most SOURCE_DIR and OUT_DIR")
    source, out = (DEFAULT_SOURCE, *args.folders) if len(args.folders) == 1 else args.folders
    try:
        report = generate(source, out, scale=args.scale, seed=args.seed)
    except (ValueError, OSError) as error:
        sys.exit(f"bench.generate: {error}")
    print(f"{out}: {report.users:,} users, {report.items:,} items, {report.ratings:,} ratings, "
          f"{report.tags:,} tags in {report.seconds:.1f} s")  # fmt: skip
    grown = report.ratings / report.source_ratings
    print(f"source: {report.source_items:,} items, {report.source_ratings:,} ratings, "
          f"{report.source_tags:,} tags; ratings × {grown:.2f}")  # fmt: skip
    print(f"share of the ratings on the top 10% of the items: {report.top_share:.3f} "
          f"(source {report.source_top_share:.3f})")  # fmt: skip


if __name__ == "__main__":
    main()
