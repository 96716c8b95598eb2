"""Bulk import from files and of MovieLens-format folders, through the library and the CLI."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from graph.ingest import importers, reads
from graph.ingest.records import BatchError
from graph.store import Graph, Rows
from graph.text import user_texts
from graph.text.extraction import default_extractor
from service.cli import main
from tests.support import PSEUDONYMS

pytestmark = pytest.mark.neo4j


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def event_rows(prefix: str, count: int) -> list[list[object]]:
    return [
        [
            f"{prefix}u{n % 4}",
            f"{prefix}i{n % 7}",
            "rate" if n % 2 else "view",
            (n % 5) + 0.5 if n % 2 else "",
            1_600_000_000 + n * 60,
            f"{prefix}e{n}",
        ]
        for n in range(count)
    ]


HEADER = ["user_id", "item_id", "kind", "value", "timestamp", "event_id"]


def stored_events(graph: Graph, prefix: str, users: int) -> int:
    return sum(
        len(reads.user_events(graph, PSEUDONYMS.user(f"{prefix}u{u}"), limit=10_000) or [])
        for u in range(users)
    )


def test_csv_import_in_small_chunks_is_complete_and_idempotent(
    tmp_path: Path, graph: Graph, prefix: str
) -> None:
    path = write_csv(tmp_path / "events.csv", HEADER, event_rows(prefix, 103))
    report = importers.import_events(graph, path, PSEUDONYMS, chunk_size=10, progress=False)
    assert (report.records, report.written) == (103, 103)
    assert stored_events(graph, prefix, 4) == 103
    again = importers.import_events(graph, path, PSEUDONYMS, chunk_size=10, progress=False)
    assert (again.records, again.written) == (103, 0)


def test_jsonl_import_with_iso_timestamps(tmp_path: Path, graph: Graph, prefix: str) -> None:
    lines = [
        json.dumps(
            {
                "user_id": f"{prefix}u0",
                "item_id": f"{prefix}i{n}",
                "kind": "click",
                "timestamp": f"2024-05-0{n + 1}T10:00:00+02:00",
            }
        )
        for n in range(3)
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    assert importers.import_events(graph, path, PSEUDONYMS, progress=False).written == 3
    stored = reads.user_events(graph, PSEUDONYMS.user(f"{prefix}u0"))
    assert stored is not None and stored[0].at.isoformat() == "2024-05-03T08:00:00+00:00"


def test_a_file_with_a_bad_record_imports_nothing(
    tmp_path: Path, graph: Graph, prefix: str
) -> None:
    rows = event_rows(prefix, 40)
    rows[33][4] = "not a time"
    path = write_csv(tmp_path / "events.csv", HEADER, rows)
    with pytest.raises(BatchError) as caught:
        importers.import_events(graph, path, PSEUDONYMS, chunk_size=10, progress=False)
    assert [(e.index, e.field) for e in caught.value.errors] == [(33, "timestamp")]
    assert stored_events(graph, prefix, 4) == 0


def test_items_csv_with_categories(tmp_path: Path, graph: Graph, prefix: str) -> None:
    path = write_csv(
        tmp_path / "items.csv",
        ["id", "title", "categories", "description"],
        [
            [f"{prefix}m1", "Heat", f"{prefix}Crime|{prefix}Drama", ""],
            [f"{prefix}m2", "Up", "", "A house flies."],
        ],
    )
    assert importers.import_items(graph, path, progress=False).written == 2
    heat = reads.item(graph, f"{prefix}m1")
    assert heat is not None and heat.categories == [f"{prefix}Crime", f"{prefix}Drama"]
    up = reads.item(graph, f"{prefix}m2")
    assert up is not None and (up.categories, up.description) == ([], "A house flies.")


def movielens_folder(tmp_path: Path, prefix: str) -> Path:
    folder = tmp_path / "ml"
    folder.mkdir()
    write_csv(
        folder / "movies.csv",
        ["movieId", "title", "genres"],
        [
            [f"{prefix}1", "Toy Story (1995)", f"{prefix}Animation|{prefix}Comedy"],
            [f"{prefix}2", "Jumanji (1995)", f"{prefix}Adventure"],
            [f"{prefix}3", "Unknown (2001)", "(no genres listed)"],
        ],
    )
    write_csv(
        folder / "ratings.csv",
        ["userId", "movieId", "rating", "timestamp"],
        [
            [f"{prefix}7", f"{prefix}1", "4.0", "964982703"],
            [f"{prefix}7", f"{prefix}2", "0.5", "964981247"],
            [f"{prefix}8", f"{prefix}3", "3.5", "1445714835"],
            [f"{prefix}8", f"{prefix}1", "5.0", "1445714900"],
        ],
    )
    return folder


def test_movielens_importer_on_a_slice(tmp_path: Path, graph: Graph, prefix: str) -> None:
    folder = movielens_folder(tmp_path, prefix)
    movies, ratings, tags = importers.import_movielens(
        graph, folder, PSEUDONYMS, max_ratings=3, progress=False
    )
    assert tags is None  # no extractor given, so tags.csv is not read
    assert (movies.records, ratings.records, ratings.written) == (3, 3, 3)
    toy = reads.item(graph, f"{prefix}1")
    assert toy is not None and toy.title == "Toy Story (1995)" and toy.interactions == 1
    unknown = reads.item(graph, f"{prefix}3")
    assert unknown is not None and unknown.categories == []
    [first, second] = reads.user_events(graph, PSEUDONYMS.user(f"{prefix}7")) or []
    assert (first.kind, first.value) == ("rate", 4.0)
    assert first.event_id.startswith("h:") and prefix not in first.event_id  # no raw user id
    assert reads.user_events(graph, f"{prefix}7") is None  # the graph knows only the pseudonym
    assert second.weight == pytest.approx(-0.8)


def test_cli_imports_and_reports_bad_files(
    tmp_path: Path, graph: Graph, prefix: str, cli_env: None
) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["import", "movielens", str(movielens_folder(tmp_path, prefix))])
    assert result.exit_code == 0, result.output
    assert "3 movies as items; 4 ratings as events (4 new)" in result.output

    rows = event_rows(prefix, 5)
    rows[2][2] = "teleport"
    bad = write_csv(tmp_path / "bad.csv", HEADER, rows)
    result = runner.invoke(main, ["import", "events", str(bad)])
    assert result.exit_code == 1
    assert "record 2: kind:" in result.output and "nothing was written" in result.output

    good = write_csv(tmp_path / "good.csv", HEADER, event_rows(prefix, 5))
    result = runner.invoke(main, ["import", "events", str(good)])
    assert result.exit_code == 0 and "5 events, 5 new" in result.output


HARPSICHORD = "harpsichord recital"


def text_records(prefix: str, count: int) -> list[dict[str, object]]:
    return [
        {"user_id": f"{prefix}u{n % 2}", "text": f"I love harpsichord recitals, part {n}",
         "timestamp": 1_600_000_000 + n, "text_id": f"t{n}"}
        for n in range(count)
    ]  # fmt: skip


def expressed_text_ids(graph: Graph, prefix: str) -> set[str]:
    rows = [
        row
        for n in (0, 1)
        for row in reads.user_expressions(graph, PSEUDONYMS.user(f"{prefix}u{n}"))
    ]
    return {row.text_id for row in rows if row.interest_key == HARPSICHORD}


@pytest.fixture
def clean_interests(graph: Graph) -> Iterator[None]:
    """The harpsichord interests are removed before and after each text import test, so that
    one left behind (``harpsichord``) cannot take the links of the phrases these texts hold."""
    graph.write("admin/delete_interests", keys=[HARPSICHORD, "harpsichord", "recital"])
    yield
    graph.write("admin/delete_interests", keys=[HARPSICHORD, "harpsichord", "recital"])


def test_text_import_runs_its_stages_chunk_by_chunk_in_order(
    graph: Graph, prefix: str, clean_interests: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = user_texts.store_extracted
    steps: list[tuple[str, list[str]]] = []
    hows: list[list[str]] = []  # per chunk, how each harpsichord phrase linked

    def recording(*args: Any, **kwargs: Any) -> Any:
        text_ids = [text.key for _, text in args[1]]
        steps.append(("start", text_ids))
        analyses = real(*args, **kwargs)
        steps.append(("end", text_ids))
        hows.append(
            [link.how for a in analyses for link in a.links if link.phrase.key == HARPSICHORD]
        )
        return analyses

    monkeypatch.setattr(user_texts, "store_extracted", recording)
    extractor = default_extractor()
    report = importers.import_texts(
        graph, extractor, lambda: text_records(prefix, 7), PSEUDONYMS, chunk_size=2, progress=False
    )
    assert (report.records, report.written) == (7, 7)
    chunks = [["t0", "t1"], ["t2", "t3"], ["t4", "t5"], ["t6"]]
    assert steps == [(step, chunk) for chunk in chunks for step in ("start", "end")]
    assert hows[0][0] == "new"  # the first chunk creates the interest, the later ones find it
    assert all(chunk and set(chunk) == {"exact"} for chunk in hows[1:])
    assert expressed_text_ids(graph, prefix) == {f"t{n}" for n in range(7)}
    interest = reads.interest(graph, HARPSICHORD)
    assert interest is not None and interest.positive_mentions >= 7


def test_a_failed_text_write_stops_the_import(
    graph: Graph, prefix: str, clean_interests: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = user_texts.store_extracted
    calls: list[int] = []

    def failing_second(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(user_texts, "store_extracted", failing_second)
    with pytest.raises(RuntimeError, match="disk full"):
        importers.import_texts(
            graph, default_extractor(), lambda: text_records(prefix, 7), PSEUDONYMS, chunk_size=2,
            progress=False,
        )  # fmt: skip
    assert len(calls) == 2  # no chunk is written after the failure
    assert expressed_text_ids(graph, prefix) == {"t0", "t1"}


def test_a_batch_parameter_reaches_the_database_whole_with_a_short_repr(graph: Graph) -> None:
    rows = Rows({"key": f"k{n}", "vector": [0.5] * 384} for n in range(1000))
    assert repr(rows) == "<1000 rows>"  # what the driver formats for its debug line
    records, _, _ = graph.driver.execute_query(  # reads no data, so any database answers
        "UNWIND $rows AS row RETURN count(*) AS rows, sum(size(row.vector)) AS floats", rows=rows
    )
    assert records[0].data() == {"rows": 1000, "floats": 384_000}
