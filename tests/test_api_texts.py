"""Interests from text through the HTTP API into Neo4j and back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from graph.ingest import reads
from graph.store import Graph
from tests.support import PSEUDONYMS, run_concurrently

pytestmark = pytest.mark.neo4j

KEYS = [
    "artificial intelligence",
    "superhero movie",
    "italian cooking",
    "space documentary",
    "science fiction movie",
    "sci-fi film",
    "documentary",
    "movie",
    "italian",
    "人工智能",
    "horror",
    "bread",
    "恐怖电影",
    "slasher film",
]


@pytest.fixture
def clean_interests(graph: Graph) -> Iterator[None]:
    """The interests these tests create are removed before and after each test."""

    def remove() -> None:
        graph.write("admin/delete_interests", keys=KEYS)

    remove()
    yield
    remove()


def text(body: str, n: int = 0, **fields: Any) -> dict[str, Any]:
    return {"text": body, "timestamp": f"2024-06-0{n + 1}T10:00:00Z", "source": "review", **fields}


def found(answer: Any, index: int = 0) -> dict[str, dict[str, Any]]:
    return {i["key"]: i for i in answer.json["texts"][index]["interests"]}


def test_texts_become_linked_interests_with_polarity(
    client: FlaskClient, prefix: str, clean_interests: None
) -> None:
    answer = client.post(
        f"/v1/users/{prefix}u/texts",
        json=text("I'm tired of superhero movies, but I love Italian cooking.", text_id="t1"),
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["stored"] == 1
    interests = found(answer)
    assert interests["superhero movie"]["polarity"] == -1
    assert interests["italian cooking"]["polarity"] == 1
    assert interests["italian cooking"]["link"] == "new"
    assert interests["italian cooking"]["interest"] == {
        "key": "italian cooking",
        "name": "Italian cooking",
    }

    shown = client.get("/v1/interests/italian cooking").json
    assert shown["key"] == "italian cooking"
    assert shown["positive_mentions"] == 1 and shown["negative_mentions"] == 0
    assert client.get("/v1/interests/superhero movie").json["negative_mentions"] == 1


def test_a_similar_phrase_links_to_the_existing_interest_and_becomes_an_alias(
    client: FlaskClient, prefix: str, clean_interests: None
) -> None:
    client.post(f"/v1/users/{prefix}a/texts", json=text("science fiction movies", text_id="t1"))
    answer = client.post(f"/v1/users/{prefix}b/texts", json=text("sci-fi films", 1, text_id="t2"))
    link = found(answer)["sci-fi film"]
    assert link["link"] == "similar" and link["similarity"] >= 0.75
    assert link["interest"]["key"] == "science fiction movie"
    shown = client.get("/v1/interests/science fiction movie").json
    assert "sci-fi film" in shown["aliases"] and shown["positive_mentions"] == 2
    assert client.get("/v1/interests/sci-fi film").status_code == 404


def test_sending_the_same_texts_again_stores_nothing_more(
    client: FlaskClient, prefix: str, clean_interests: None
) -> None:
    batch = [text("I love space documentaries.", 0), text("Horror is great.", 1, text_id="h")]
    first = client.post(f"/v1/users/{prefix}u/texts", json=batch)
    again = client.post(f"/v1/users/{prefix}u/texts", json={"texts": batch})
    assert (first.json["stored"], again.json["stored"]) == (2, 0)
    assert [t["interests"] for t in again.json["texts"]] != [[], []]  # still analysed
    assert client.get("/v1/interests/horror").json["positive_mentions"] == 1


def test_chinese_text_is_stored_as_interests(
    client: FlaskClient, prefix: str, clean_interests: None
) -> None:
    answer = client.post(f"/v1/users/{prefix}u/texts", json=text("我最近对人工智能很感兴趣"))
    assert answer.json["texts"][0]["language"] == "zh"
    assert "人工智能" in found(answer)
    assert client.get("/v1/interests/人工智能").status_code == 200


def test_a_chinese_phrase_links_to_the_english_interest_it_names(
    client: FlaskClient, prefix: str, clean_interests: None
) -> None:
    english = text("I really love artificial intelligence.", text_id="en")
    assert client.post(f"/v1/users/{prefix}a/texts", json=english).status_code == 200
    answer = client.post(f"/v1/users/{prefix}b/texts", json=text("我最近对人工智能很感兴趣", 1))
    link = found(answer)["人工智能"]
    assert link["link"] == "similar" and link["similarity"] >= 0.99  # by its English gloss
    assert link["interest"]["key"] == "artificial intelligence"
    shown = client.get("/v1/interests/artificial intelligence").json
    assert "人工智能" in shown["aliases"] and shown["positive_mentions"] == 2
    assert client.get("/v1/interests/人工智能").status_code == 404


def test_cues_are_stored_as_polarity_never_as_interests(
    client: FlaskClient, prefix: str, clean_interests: None
) -> None:
    texts = [
        text("我最近对人工智能很感兴趣，但是不喜欢恐怖电影", text_id="zh"),
        text("I love horror but not slasher films.", 1, text_id="en"),
    ]
    answer = client.post(f"/v1/users/{prefix}u/texts", json=texts)
    assert answer.status_code == 200, answer.json
    chinese, english = found(answer, 0), found(answer, 1)
    assert {k: i["polarity"] for k, i in chinese.items()} == {"人工智能": 1, "恐怖电影": -1}
    assert {k: i["polarity"] for k, i in english.items()} == {"horror": 1, "slasher film": -1}
    assert client.get("/v1/interests/很感兴趣").status_code == 404  # a cue, never an interest
    # one interest across the languages: "horror" links to 恐怖电影 ("horror movie"), new just
    # before it in the batch, with its own polarity
    assert english["horror"]["interest"]["key"] == "恐怖电影"
    disliked: Any = client.get("/v1/interests/恐怖电影").json
    assert (disliked["positive_mentions"], disliked["negative_mentions"]) == (1, 1)
    slasher: Any = client.get("/v1/interests/slasher film").json
    assert slasher["negative_mentions"] == 1


def test_extract_stores_nothing(client: FlaskClient, clean_interests: None) -> None:
    answer = client.post("/v1/extract", json={"text": "I bake sourdough bread every weekend."})
    assert answer.status_code == 200
    assert answer.json["texts"][0]["stored"] is False
    assert "bread" in " ".join(found(answer))
    assert client.get("/v1/interests/sourdough bread").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "", "timestamp": "2024-06-01T10:00:00Z"}, "text"),
        ({"text": "x" * 101, "timestamp": "2024-06-01T10:00:00Z"}, "text"),
        ({"text": "fine", "timestamp": "June"}, "timestamp"),
        ({"text": 42, "timestamp": "2024-06-01T10:00:00Z"}, "text"),
        ({"timestamp": "2024-06-01T10:00:00Z"}, "text"),
    ],
)
def test_bad_texts_are_named_and_the_batch_is_rejected_whole(
    client: FlaskClient, app: Any, prefix: str, body: dict[str, Any], field: str
) -> None:
    app.config["MAX_TEXT_CHARS"] = 100
    answer = client.post(f"/v1/users/{prefix}u/texts", json=[text("I love jazz."), body])
    assert answer.status_code == 400
    assert [(d["index"], d["field"]) for d in answer.json["error"]["details"]] == [(1, field)]
    assert client.get(f"/v1/users/{prefix}u/events").status_code == 404  # no user was created


def test_too_many_texts_answer_413(client: FlaskClient, app: Any, prefix: str) -> None:
    app.config["MAX_TEXT_BATCH"] = 2
    answer = client.post(f"/v1/users/{prefix}u/texts", json=[text("a"), text("b", 1), text("c", 2)])
    assert answer.status_code == 413


def test_unknown_interest_is_404(client: FlaskClient) -> None:
    assert client.get("/v1/interests/no such interest anywhere").status_code == 404


def test_raw_text_is_kept_only_when_the_setting_asks(
    client: FlaskClient, app: Any, graph: Graph, prefix: str, clean_interests: None
) -> None:
    client.post(f"/v1/users/{prefix}a/texts", json=text("Horror all night.", text_id="x"))
    assert reads.user_texts(graph, PSEUDONYMS.user(f"{prefix}a")) == []
    app.config["STORE_RAW_TEXT"] = True
    client.post(f"/v1/users/{prefix}b/texts", json=text("Horror all night.", text_id="x"))
    [kept] = reads.user_texts(graph, PSEUDONYMS.user(f"{prefix}b"))
    assert (kept.text_id, kept.body, kept.source) == ("x", "Horror all night.", "review")


def test_concurrent_senders_of_the_same_text_store_it_once(
    app: Any, client: FlaskClient, prefix: str, clean_interests: None
) -> None:
    stored = run_concurrently(
        lambda: (
            app.test_client()
            .post(f"/v1/users/{prefix}u/texts", json=text("Horror every night.", text_id="same"))
            .json["stored"]
        ),
        4,
    )
    assert sum(stored) == 1
    assert client.get("/v1/interests/horror").json["positive_mentions"] == 1
