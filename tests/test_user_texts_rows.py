"""The rows that store a batch of user texts, computed from plain data (no Neo4j)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from graph.ingest.records import TextIn
from graph.text.extraction import Extraction, Phrase
from graph.text.linking import NOTHING_KNOWN, KnownInterests
from graph.text.user_texts import Known, plan_texts

AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
AT_S = int(AT.timestamp())


def axis(index: int, dimensions: int = 4) -> np.ndarray:
    vector = np.zeros(dimensions, dtype=np.float32)
    vector[index] = 1.0
    return vector


def text(text_id: str, *, item_id: str | None = None) -> TextIn:
    return TextIn(text=f"words of {text_id}", timestamp=AT, text_id=text_id, item_id=item_id)


def extraction(*phrases: tuple[str, float, int, np.ndarray]) -> Extraction:
    """Phrases as ``(key, score, polarity, vector)``; the surface form is the key in capitals."""
    found = [
        Phrase(key, key.upper(), score, polarity, "phrase") for key, score, polarity, _ in phrases
    ]
    vectors = np.stack([v for *_, v in phrases]) if phrases else np.zeros((0, 4), np.float32)
    return Extraction("en", found, vectors)


def known(
    existing: set[tuple[str, str]] = frozenset(),  # type: ignore[assignment]
    interests: KnownInterests = NOTHING_KNOWN,
) -> Known:
    return Known(set(existing), interests)


def test_new_texts_become_expressed_edges_and_new_interests() -> None:
    entries = [("u1", text("t1"))]
    found = [extraction(("jazz", 0.9, 1, axis(0)), ("horror film", 0.5, -1, axis(1)))]

    analyses, rows = plan_texts(entries, found, known())

    assert [a.stored for a in analyses] == [True]
    assert [(link.interest_key, link.how) for link in analyses[0].links] == [
        ("jazz", "new"),
        ("horror film", "new"),
    ]
    assert [(r["key"], r["name"], r["alias"]) for r in rows.interests] == [
        ("jazz", "JAZZ", "jazz"),
        ("horror film", "HORROR FILM", "horror film"),
    ]
    assert rows.interests[0]["embedding"] == axis(0).tolist()  # a new interest takes its vector
    assert [
        (e["user_id"], e["text_id"], e["interest_key"], e["weight"], e["polarity"], e["surface"])
        for e in rows.expressed
    ] == [
        ("u1", "t1", "jazz", 0.9, 1, "JAZZ"),
        ("u1", "t1", "horror film", 0.5, -1, "HORROR FILM"),
    ]
    assert {(e["at_s"], e["at_ns"], e["source"]) for e in rows.expressed} == {(AT_S, 0, "text")}
    assert len({e["expression_id"] for e in rows.expressed}) == 2
    assert rows.about == [] and rows.raw == []


def test_texts_stored_before_for_their_user_are_analysed_but_not_written() -> None:
    entries = [("u1", text("t1")), ("u2", text("t1"))]  # text ids are per user
    found = [extraction(("jazz", 0.9, 1, axis(0))), extraction(("opera", 0.8, 1, axis(1)))]

    analyses, rows = plan_texts(entries, found, known({("u1", "t1")}))

    assert [a.stored for a in analyses] == [False, True]
    assert [link.interest_key for link in analyses[0].links] == ["jazz"]  # still answered
    assert [(e["user_id"], e["interest_key"]) for e in rows.expressed] == [("u2", "opera")]
    assert [r["key"] for r in rows.interests] == ["opera"]


def test_nothing_to_write_when_every_text_is_stored_or_links_nothing() -> None:
    entries = [("u1", text("t1")), ("u1", text("t2"))]
    found = [extraction(("jazz", 0.9, 1, axis(0))), extraction()]

    analyses, rows = plan_texts(entries, found, known({("u1", "t1")}), store_raw_text=True)

    assert [a.stored for a in analyses] == [False, False]
    assert analyses[1].links == []
    assert rows.interests == rows.expressed == rows.about == rows.raw == []


def test_one_edge_per_text_and_interest_keeps_the_strongest_phrase() -> None:
    near_jazz = (axis(0) + 0.1 * axis(1)) / np.linalg.norm(axis(0) + 0.1 * axis(1))
    entries = [("u1", text("t1"))]
    found = [extraction(("jazz", 0.4, 1, axis(0)), ("jazz music", 0.7, -1, near_jazz))]

    analyses, rows = plan_texts(entries, found, known())

    assert [link.how for link in analyses[0].links] == ["new", "merged"]
    [edge] = rows.expressed
    assert (edge["interest_key"], edge["weight"], edge["polarity"], edge["surface"]) == (
        "jazz",
        0.7,
        -1,
        "JAZZ MUSIC",
    )
    assert [(r["key"], r["alias"]) for r in rows.interests] == [
        ("jazz", "jazz"),
        ("jazz", "jazz music"),
    ]


def test_links_to_interests_the_graph_holds() -> None:
    interests = KnownInterests(
        exact={"jazz": ("Jazz", False)},
        nearest={"sci-fi": ("science fiction", "Science fiction", 0.81), "opera": ("x", "X", 0.5)},
    )
    entries = [("u1", text("t1"))]
    found = [
        extraction(
            ("jazz", 0.9, 1, axis(0)), ("sci-fi", 0.8, 1, axis(1)), ("opera", 0.7, 1, axis(2))
        )
    ]

    analyses, rows = plan_texts(entries, found, known(interests=interests))

    assert [(link.interest_key, link.how, link.similarity) for link in analyses[0].links] == [
        ("jazz", "exact", 1.0),
        ("science fiction", "similar", 0.81),
        ("opera", "new", 1.0),  # the nearest is below the threshold
    ]
    by_key = {r["key"]: r for r in rows.interests}
    assert by_key["jazz"]["embedding"] == axis(0).tolist()  # it had none
    assert by_key["science fiction"]["embedding"] is None  # it keeps its own
    assert by_key["science fiction"]["alias"] == "sci-fi"
    assert [e["interest_key"] for e in rows.expressed] == ["jazz", "science fiction", "opera"]


def test_texts_about_items_add_about_rows_and_raw_text_is_kept_only_when_asked() -> None:
    entries = [("u1", text("t1", item_id="m1")), ("u1", text("t2"))]
    found = [extraction(("jazz", 0.9, 1, axis(0))), extraction(("opera", 0.8, 1, axis(1)))]

    _, without_raw = plan_texts(entries, found, known())
    _, with_raw = plan_texts(entries, found, known(), store_raw_text=True)

    assert [(a["item_id"], a["interest_key"]) for a in without_raw.about] == [("m1", "jazz")]
    assert without_raw.raw == []
    assert [(r["user_id"], r["text_id"], r["body"], r["item_id"]) for r in with_raw.raw] == [
        ("u1", "t1", "words of t1", "m1"),
        ("u1", "t2", "words of t2", None),
    ]
