"""Bulk import from CSV and JSON Lines files, and of the MovieLens data set.

A file is validated whole before anything is written: one bad record and nothing is imported.
Then it is written in transactions of ``chunk_size`` records; event writes are idempotent, so
re-running an interrupted import completes it without doubling anything.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import marshal
import re
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from itertools import islice
from pathlib import Path
from typing import IO, Any, TypeVar

from tqdm import tqdm

from graph.ingest.records import (
    BatchError,
    EventIn,
    ItemIn,
    Record,
    RecordError,
    TextIn,
    parse_batch,
)
from graph.ingest.writes import EventsWritten, write_event_rows, write_item_rows
from graph.privacy.pseudonyms import Pseudonyms
from graph.store import Graph
from graph.text import parse_process, user_texts
from graph.text.encoder import encoder_threads
from graph.text.extraction import Extraction, Extractor, Parsed

logger = logging.getLogger(__name__)

T = TypeVar("T")

MAX_REPORTED_ERRORS = 100
IMPORT_CHUNK = 10_000  # records per transaction
TEXT_CHUNK = 500  # texts per extraction batch and transaction
IMPORT_WRITERS = 2  # concurrent write transactions; each locks shared items in one order
NO_GENRE = "(no genres listed)"
NOUNS: dict[type[Record], str] = {EventIn: "events", ItemIn: "items"}  # in the progress bars


@dataclass(frozen=True)
class ImportReport:
    records: int
    written: int  # items upserted, or events created (repeats of stored events are not)
    seconds: float

    @property
    def per_second(self) -> float:
        return self.records / self.seconds if self.seconds else float("inf")


def import_events(graph: Graph, path: Path, pseudonyms: Pseudonyms, **options: Any) -> ImportReport:
    """Import events from a ``.csv`` (columns as the API's fields) or ``.jsonl`` file."""
    return import_records(
        graph,
        EventIn,
        lambda: read_file(path, _event_from_csv),
        row=pseudonyms.event_row,
        **options,
    )


def import_items(graph: Graph, path: Path, **options: Any) -> ImportReport:
    """Import catalogue items; in CSV, ``categories`` are separated by ``|``."""
    return import_records(graph, ItemIn, lambda: read_file(path, _item_from_csv), **options)


def import_movielens(
    graph: Graph,
    folder: Path,
    pseudonyms: Pseudonyms,
    *,
    max_ratings: int | None = None,
    extractor: Extractor | None = None,
    **options: Any,
) -> tuple[ImportReport, ImportReport, ImportReport | None]:
    """``movies.csv`` as items (genres → categories), ``ratings.csv`` as ``rate`` events and, given
    an extractor and a ``tags.csv``, the tags as user texts about the movies."""
    movies = import_records(graph, ItemIn, lambda: movielens_movies(folder), **options)
    ratings = import_records(
        graph,
        EventIn,
        lambda: islice(movielens_ratings(folder), max_ratings),
        row=pseudonyms.event_row,
        **options,
    )
    tags = None
    if extractor is not None and (folder / "tags.csv").exists():
        options.pop("writers", None)
        options.pop("chunk_size", None)
        tags = import_texts(graph, extractor, lambda: movielens_tags(folder), pseudonyms, **options)
    return movies, ratings, tags


def import_records(
    graph: Graph,
    model: type[Record],
    read: Callable[[], Iterable[dict[str, Any]]],
    *,
    chunk_size: int = IMPORT_CHUNK,
    writers: int = IMPORT_WRITERS,
    progress: bool | None = None,
    row: Callable[[Any], dict[str, Any]] | None = None,
) -> ImportReport:
    """Validate everything ``read`` yields, then write it in transactions of ``chunk_size``.

    ``row`` turns each valid record into the row written (default its ``row()``; events: with the
    user's pseudonym).

    The validating pass spools the rows, ready to send, to a temporary file, so that the input is
    parsed once and memory stays flat however large it is. ``writers`` transactions run at once
    (Neo4j runs each on one core).
    """
    started = time.perf_counter()
    write_rows = write_event_rows if model is EventIn else write_item_rows
    with tempfile.TemporaryFile() as spool:
        total = validate_to_spool(model, read(), spool, chunk_size=chunk_size, row=row)
        spool.seek(0)
        written = 0
        in_flight: deque[Future[Any]] = deque()
        with (
            ThreadPoolExecutor(max_workers=writers, thread_name_prefix="import") as pool,
            tqdm(
                total=total,
                unit="rec",
                desc=f"importing {NOUNS.get(model, model.__name__)}",
                disable=None if progress is None else not progress,
            ) as bar,
        ):
            for rows in _spooled(spool):
                future = pool.submit(write_rows, graph, rows)
                future.add_done_callback(partial(_advance, bar, len(rows)))
                in_flight.append(future)
                if len(in_flight) >= 2 * writers:
                    written += _count(in_flight.popleft().result())
            written += sum(_count(future.result()) for future in in_flight)
    seconds = time.perf_counter() - started
    logger.info(
        "imported %d %s records (%d written) in %.1f s", total, model.__name__, written, seconds
    )
    return ImportReport(total, written, seconds)


def validate_to_spool(
    model: type[Record],
    rows: Iterable[dict[str, Any]],
    spool: IO[bytes],
    *,
    chunk_size: int,
    row: Callable[[Any], dict[str, Any]] | None = None,
) -> int:
    """Validate every record, spooling chunks of rows; raise :class:`BatchError` on bad ones."""
    as_row = row or (lambda record: record.row())
    total = validate_chunks(
        rows,
        chunk_size,
        lambda chunk, offset: parse_batch(model, chunk, max_records=chunk_size, offset=offset),
        keep=lambda records: marshal.dump([as_row(record) for record in records], spool),
    )
    if total == 0:
        raise BatchError([RecordError(None, None, "no records to import")])
    return total


def validate_chunks(
    rows: Iterable[dict[str, Any]],
    chunk_size: int,
    validate: Callable[[list[dict[str, Any]], int], T],
    *,
    keep: Callable[[T], object] | None = None,
) -> int:
    """Validate every chunk (``validate(chunk, offset)`` raises :class:`BatchError`); hand each
    valid result to ``keep`` while no chunk has failed. Return the record count, or raise a
    :class:`BatchError` with the first bad records of all the chunks."""
    errors: list[RecordError] = []
    total = 0
    for offset, chunk in enumerate_chunks(rows, chunk_size):
        total += len(chunk)
        try:
            result = validate(chunk, offset)
        except BatchError as exc:
            errors.extend(exc.errors)
            if len(errors) >= MAX_REPORTED_ERRORS:
                break
            continue
        if keep is not None and not errors:
            keep(result)
    if errors:
        raise BatchError(errors[:MAX_REPORTED_ERRORS])
    return total


def _spooled(spool: IO[bytes]) -> Iterator[list[dict[str, Any]]]:
    while True:
        try:
            yield marshal.load(spool)
        except EOFError:
            return


def _submit_next(
    pool: ThreadPoolExecutor,
    chunks: Iterator[tuple[int, list[dict[str, Any]]]],
    work: Callable[[int, list[dict[str, Any]]], T],
) -> Future[T] | None:
    """``work`` on the next chunk in ``pool``, or None when there is none."""
    item = next(chunks, None)
    return None if item is None else pool.submit(work, *item)


def _count(result: EventsWritten | int) -> int:
    return result.created if isinstance(result, EventsWritten) else result


def _advance(bar: tqdm, count: int, _: Future[Any]) -> None:
    bar.update(count)


def enumerate_chunks(
    rows: Iterable[dict[str, Any]], size: int
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """Yield ``(index of the first record, records)`` in lists of at most ``size``."""
    iterator = iter(rows)
    offset = 0
    while chunk := list(islice(iterator, size)):
        yield offset, chunk
        offset += len(chunk)


def read_file(
    path: Path, from_csv: Callable[[dict[str, str]], dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    """Records of a ``.csv``, ``.jsonl`` / ``.ndjson`` or ``.json`` (array) file."""
    suffix = path.suffix.lower()
    with path.open(encoding="utf-8", newline="") as handle:
        if suffix == ".csv":
            yield from (from_csv(row) for row in csv.DictReader(handle))
        elif suffix in (".jsonl", ".ndjson"):
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    yield _json_record(line, f"{path}:{number}")
        elif suffix == ".json":
            records = json.load(handle)
            if not isinstance(records, list):
                raise ValueError(f"{path}: expected a JSON array of records")
            yield from records
        else:
            raise ValueError(f"{path}: expected a .csv, .jsonl or .json file")


def movielens_movies(folder: Path) -> Iterator[dict[str, Any]]:
    with (folder / "movies.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            genres = [g for g in row["genres"].split("|") if g and g != NO_GENRE]
            yield {"id": row["movieId"], "title": row["title"], "categories": genres}


def movielens_ratings(folder: Path) -> Iterator[dict[str, Any]]:
    with (folder / "ratings.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            yield {
                "user_id": row["userId"],
                "item_id": row["movieId"],
                "kind": "rate",
                "value": float(row["rating"]),
                "timestamp": int(row["timestamp"]),
            }


def _event_from_csv(row: dict[str, str]) -> dict[str, Any]:
    record = _csv_record(row)
    if "value" in record:
        record["value"] = _number(record["value"])
    return record


def _item_from_csv(row: dict[str, str]) -> dict[str, Any]:
    record: dict[str, Any] = {key: value for key, value in row.items() if value not in ("", None)}
    record["categories"] = [c for c in record.get("categories", "").split("|") if c.strip()]
    return record


def text_from_csv(row: dict[str, str]) -> dict[str, Any]:
    return _csv_record(row)


def _csv_record(row: dict[str, str]) -> dict[str, Any]:
    """A CSV row without its empty fields, with an all-digit timestamp as epoch seconds."""
    record: dict[str, Any] = {key: value for key, value in row.items() if value not in ("", None)}
    stamp = record.get("timestamp")
    if isinstance(stamp, str) and stamp.lstrip("-").isdigit():
        record["timestamp"] = int(stamp)
    return record


def _number(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text  # left for validation to name


def _json_record(line: str, where: str) -> dict[str, Any]:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{where}: not valid JSON ({exc.msg})") from None


def movielens_tags(folder: Path) -> Iterator[dict[str, Any]]:
    """``tags.csv`` as user texts about items (``text_id`` from user, movie and tag)."""
    with (folder / "tags.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            digest = hashlib.sha256(row["tag"].encode("utf-8")).hexdigest()[:12]
            yield {
                "user_id": row["userId"],
                "item_id": row["movieId"],
                "text": row["tag"],
                "timestamp": int(row["timestamp"]),
                "source": "tag",
                "text_id": f"ml-tag:{row['movieId']}:{digest}",  # text ids are per user
            }


def text_entries(
    chunk: list[dict[str, Any]], offset: int, pseudonyms: Pseudonyms, *, chunk_size: int
) -> list[tuple[str, TextIn]]:
    """A chunk of user texts validated: (the user's pseudonym, the text) pairs, grouped by user.
    Text ids are per user (as the API's batches are), so repeats are judged within each user's
    texts: two users may tag a movie alike (MovieLens tags share their ids across users), one
    user may repeat a text verbatim (kept once), not send other content under its id."""
    users = [record.get("user_id") for record in chunk]
    errors = [
        RecordError(offset + i, "user_id", "a non-empty user_id is required")
        for i, user in enumerate(users)
        if not isinstance(user, str) or not user.strip()
    ]
    groups: dict[object, list[int]] = {}
    for index, user in enumerate(users):
        valid = isinstance(user, str) and user.strip()
        groups.setdefault(user if valid else (None, index), []).append(index)
    found: list[tuple[str, TextIn]] = []
    for user, rows in groups.items():
        fields = [{k: v for k, v in chunk[i].items() if k != "user_id"} for i in rows]
        try:
            texts = parse_batch(TextIn, fields, max_records=chunk_size)
        except BatchError as exc:
            errors += [_in_chunk(e, rows, offset) for e in exc.errors]
            continue
        if isinstance(user, str):
            found += [(pseudonyms.user(user), text) for text in texts]
    if errors:
        raise BatchError(sorted(errors, key=lambda e: -1 if e.index is None else e.index))
    return found


def _in_chunk(error: RecordError, rows: list[int], offset: int) -> RecordError:
    """An error of one user's texts (numbered within them) numbered as in the file."""
    reason = re.sub(r"record (\d+)", lambda m: f"record {offset + rows[int(m[1])]}", error.reason)
    index = None if error.index is None else offset + rows[error.index]
    return RecordError(index, error.field, reason)


def import_texts(
    graph: Graph,
    extractor: Extractor,
    read: Callable[[], Iterable[dict[str, Any]]],
    pseudonyms: Pseudonyms,
    *,
    chunk_size: int = TEXT_CHUNK,
    progress: bool | None = None,
) -> ImportReport:
    """User texts (records with ``user_id`` and the fields of ``TextIn``), validated whole first."""
    started = time.perf_counter()

    def entries(chunk: list[dict[str, Any]], offset: int) -> list[tuple[str, TextIn]]:
        return text_entries(chunk, offset, pseudonyms, chunk_size=chunk_size)

    total = validate_chunks(read(), chunk_size, entries)
    chunks = enumerate_chunks(read(), chunk_size)

    def parse(offset: int, chunk: list[dict[str, Any]]) -> tuple[list[tuple[str, TextIn]], Parsed]:
        batch = entries(chunk, offset)
        return batch, parse_texts([text.text for _, text in batch])

    def write(batch: list[tuple[str, TextIn]], extractions: list[Extraction]) -> int:
        stored = user_texts.store_extracted(graph, batch, extractions)
        return sum(analysis.stored for analysis in stored)

    # Three stages overlap: the parse of the next chunk (spaCy, in a process of its own when there
    # is more than one chunk), the encoder on this one (torch, one core fewer), the links and
    # writes of the previous one (Neo4j). Only the last stage reads and writes the graph, one
    # chunk at a time in order, so each chunk links to the interests the chunks before it created.
    written = 0
    with (
        parse_process.parser(extractor, separate=total > chunk_size) as parse_texts,
        encoder_threads(leave=1 if total > chunk_size else 0),
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="parse") as parser,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="write") as writer,
        tqdm(
            total=total,
            unit="text",
            desc="importing texts",
            disable=None if progress is None else not progress,
        ) as bar,  # fmt: skip
    ):
        parsing = _submit_next(parser, chunks, parse)
        writing: Future[int] | None = None
        while parsing is not None:
            batch, parsed = parsing.result()
            parsing = _submit_next(parser, chunks, parse)
            extractions = extractor.rank(parsed)
            if writing is not None:
                written += writing.result()
            writing = writer.submit(write, batch, extractions)
            writing.add_done_callback(partial(_advance, bar, len(batch)))
        if writing is not None:
            written += writing.result()
    seconds = time.perf_counter() - started
    logger.info("imported %d texts (%d stored) in %.1f s", total, written, seconds)
    return ImportReport(total, written, seconds)
