"""Hostile and malformed input: property tests on arbitrary Unicode and JSON for the parsers, the
scrubber and the extractor; Cypher injection through every string field of the API."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.ingest.records import BatchError, EventIn, ItemIn, TextIn, parse_batch
from graph.privacy import pii
from graph.store import Graph
from graph.text.extraction import default_extractor, detect_language, normalise

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                 max_size=6),
    max_leaves=20,
)  # fmt: skip
FIELDS = ["user_id", "item_id", "kind", "timestamp", "value", "event_id", "id", "title",
          "categories", "description", "text", "source", "text_id"]  # fmt: skip
RECORD = st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=8)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(
    payload=JSON | st.lists(RECORD, max_size=5), model=st.sampled_from([EventIn, ItemIn, TextIn])
)
def test_batch_parser_accepts_or_names_what_is_wrong(payload: Any, model: type) -> None:
    try:
        records = parse_batch(model, payload)
    except BatchError as error:
        assert error.errors and all(e.reason for e in error.errors)
        assert all(e.index is None or 0 <= e.index < len(payload) for e in error.errors)
    else:
        assert 0 < len(records) <= len(payload)


@PROPERTY
@given(text=st.text())
def test_scrub_never_fails_and_is_idempotent(text: str) -> None:
    once = pii.scrub(text)
    assert pii.scrub(once) == once


@PROPERTY
@given(before=st.text(max_size=30), email=st.emails(), after=st.text(max_size=30))
def test_scrub_removes_every_email(before: str, email: str, after: str) -> None:
    assert email not in pii.scrub(f"{before} {email} {after}")


@PROPERTY
@given(text=st.text())
def test_language_and_keys_on_any_text(text: str) -> None:
    assert detect_language(text) in ("en", "zh")
    key = normalise(text)
    assert key == normalise(key)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(texts=st.lists(st.text(min_size=1, max_size=300), min_size=1, max_size=4))
def test_extractor_on_arbitrary_unicode(texts: list[str]) -> None:
    extractions = default_extractor().extract(texts)
    assert len(extractions) == len(texts)
    for extraction in extractions:
        assert extraction.language in ("en", "zh")
        assert extraction.embeddings.shape[0] == len(extraction.phrases)
        for phrase in extraction.phrases:
            assert phrase.key and math.isfinite(phrase.score) and phrase.polarity in (-1, 1)


INJECTIONS = [
    "' OR 1=1 //",
    '"}) MATCH (n) DETACH DELETE n //',
    "x'}) DETACH DELETE n RETURN 1 //",
    "`) CALL db.labels() YIELD label RETURN label //",
    "$user_id",
    "{id: 'x'}",
    "\\u0027; MATCH (n) SET n.pwned = true",
    "Robert'); DROP DATABASE neo4j;--",
    "x\u0000y",
]


@pytest.mark.neo4j
def test_cypher_injection_through_every_string_field(
    client: FlaskClient, graph: Graph, prefix: str
) -> None:
    sentinel = f"{prefix}sentinel"
    assert client.post("/v1/items", json=[{"id": sentinel, "title": "keep me"}]).status_code == 200
    for n, payload in enumerate(INJECTIONS):
        item = f"{prefix}{payload}"
        path_safe = "/" not in payload
        user = payload if path_safe else f"{prefix}u{n}"
        items = [{"id": item, "title": payload, "categories": [f"{prefix}{payload}"],
                  "description": payload}]  # fmt: skip
        assert client.post("/v1/items", json=items).status_code == 200
        events = [{"user_id": user if path_safe else payload, "item_id": item, "kind": "like",
                   "timestamp": 1_700_000_000 + n, "event_id": f"{prefix}{payload}"}]  # fmt: skip
        assert client.post("/v1/events", json=events).status_code == 200
        text = {"text": f"I love {payload} and harpsichords", "timestamp": 1_700_000_000,
                "source": payload[:50], "text_id": payload, "item_id": item}  # fmt: skip
        posted = client.post(f"/v1/users/{quote(user, safe='')}/texts", json=text)
        assert posted.status_code in (200, 400), posted.json
        stored = client.get(f"/v1/items/{quote(item, safe='')}")
        if path_safe:
            assert stored.json["title"] == payload  # stored verbatim, as data
            assert stored.json["categories"] == [f"{prefix}{payload}"]
            seen = client.get(f"/v1/users/{quote(user, safe='')}/events").json["events"]
            assert [e["event_id"] for e in seen] == [f"{prefix}{payload}"]
        for path, args in [
            (f"/v1/interests/{quote(payload, safe='')}", {}),
            (f"/v1/users/{quote(user, safe='')}/interests", {"horizon": payload}),
            (f"/v1/users/{quote(user, safe='')}/interests/timeline",
             {"interests": payload, "bucket": payload}),
            (f"/v1/users/{quote(user, safe='')}/interests/timeline", {"interests": payload}),
            (f"/v1/users/{quote(user, safe='')}/recommendations",
             {"explain": "true", "as_of": payload}),
            (f"/v1/users/{quote(user, safe='')}/recommendations", {"explain": "true"}),
            (f"/v1/items/{quote(item, safe='')}/similar", {"k": payload}),
            ("/v1/interests/trending", {"window": payload}),
        ]:  # fmt: skip
            answer = client.get(path, query_string=args)
            assert answer.status_code < 500, (path, args, answer.json)
        if path_safe:
            assert client.delete(f"/v1/users/{quote(user, safe='')}").status_code == 200
    assert client.get(f"/v1/items/{sentinel}").json["title"] == "keep me"
    records = graph.read("admin/count_with_property", key="pwned")
    assert records[0]["count"] == 0
