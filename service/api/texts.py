"""Interests from what users write: stored by POST /v1/users/{id}/texts, not by POST /v1/extract."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app
from flask.typing import ResponseReturnValue

from graph.ingest.records import TextIn, parse_batch
from graph.text import user_texts
from graph.text.extraction import default_extractor
from service import heap
from service.api.params import json_body, user_node
from service.api.render import score
from service.api.spec import Body, operation
from service.auth import requires
from service.metrics import count_taken, timing_extraction
from service.neo4j_ext import store

blueprint = Blueprint("texts", __name__, url_prefix="/v1")

TEXTS = Body(TextIn, "texts", single=True)
#: Phrase scores and link similarities are answered to four places (as they always were).
TEXT_SCORE_DIGITS = 4


@blueprint.post("/users/<user_id>/texts")
@operation("Extract, link and store interests from texts", body=TEXTS)
def post_texts(user_id: str) -> ResponseReturnValue:
    """Extract interests from the user's texts, link them and store them; all or nothing."""
    node = user_node(user_id)
    batch = _texts()
    graph = store()
    extractor = default_extractor()  # loads spaCy on a worker's first text request
    with timing_extraction():
        extractions = extractor.extract([t.text for t in batch])
    heap.freeze_once("text models")  # loaded by the first extraction
    analyses = user_texts.store_extracted(
        graph,
        [(node, t) for t in batch],
        extractions,
        store_raw_text=bool(current_app.config["STORE_RAW_TEXT"]),
    )
    stored = sum(a.stored for a in analyses)
    count_taken("texts", created=stored, duplicates=len(batch) - stored)
    return {
        "user_id": user_id,
        "received": len(batch),
        "stored": stored,
        "texts": [text_answer(a) for a in analyses],
    }


@blueprint.post("/extract")
@operation("What texts would yield, storing nothing", body=TEXTS)
@requires("read")  # stores nothing
def extract() -> ResponseReturnValue:
    """What ``POST /v1/users/{id}/texts`` would extract and link, storing nothing."""
    batch = _texts(require_timestamp=False)
    graph = store()
    analyses = user_texts.analyse(graph, default_extractor(), batch)
    heap.freeze_once("text models")
    return {"texts": [text_answer(a) for a in analyses]}


def text_answer(analysis: user_texts.TextAnalysis) -> dict[str, Any]:
    """The JSON answer for one text: its language, whether it was stored, and each phrase with
    the interest it links to."""
    return {
        "text_id": analysis.text_id,
        "language": analysis.language,
        "stored": analysis.stored,
        "interests": [
            {
                "phrase": link.phrase.text,
                "key": link.phrase.key,
                "score": score(link.phrase.score, TEXT_SCORE_DIGITS),
                "polarity": link.phrase.polarity,
                "kind": link.phrase.kind,
                "interest": {"key": link.interest_key, "name": link.interest_name},
                "link": link.how,
                "similarity": score(link.similarity, TEXT_SCORE_DIGITS),
            }
            for link in analysis.links
        ],
    }


def _texts(*, require_timestamp: bool = True) -> list[TextIn]:
    """One text object, an array of them, or ``{"texts": [...]}``."""
    body: Any = json_body()
    if isinstance(body, dict) and set(body) == {TEXTS.key}:
        body = body[TEXTS.key]
    if isinstance(body, dict):
        body = [body]
    if not require_timestamp and isinstance(body, list):
        body = [
            {"timestamp": 0, **record} if isinstance(record, dict) else record for record in body
        ]
    config = current_app.config
    return parse_batch(
        TextIn,
        body,
        max_records=config["MAX_TEXT_BATCH"],
        context={"max_text_chars": config["MAX_TEXT_CHARS"]},
    )
