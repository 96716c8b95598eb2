"""Interests from what users write: stored by POST /v1/users/{id}/texts, not by POST /v1/extract."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app
from flask.typing import ResponseReturnValue

from graph.text import user_texts
from graph.text.extraction import default_extractor
from graph.ingest.records import TextIn, parse_batch
from service.api.params import json_body, user_node
from service.auth import requires
from service.neo4j_ext import neo4j

blueprint = Blueprint("texts", __name__, url_prefix="/v1")


@blueprint.post("/users/<user_id>/texts")
def post_texts(user_id: str) -> ResponseReturnValue:
    """Extract interests from the user's texts, link them and store them; all or nothing."""
    node = user_node(user_id)
    batch = _texts()
    ext = neo4j()
    analyses = user_texts.store(
        ext.driver,
        default_extractor(),
        [(node, t) for t in batch],
        store_raw_text=bool(current_app.config["STORE_RAW_TEXT"]),
        database=ext.database,
    )
    stored = sum(a.stored for a in analyses)
    return {
        "user_id": user_id,
        "received": len(batch),
        "stored": stored,
        "texts": [user_texts.describe(a) for a in analyses],
    }


@blueprint.post("/extract")
@requires("read")  # stores nothing
def extract() -> ResponseReturnValue:
    """What ``POST /v1/users/{id}/texts`` would extract and link, storing nothing."""
    batch = _texts(require_timestamp=False)
    ext = neo4j()
    analyses = user_texts.analyse(ext.driver, default_extractor(), batch, database=ext.database)
    return {"texts": [user_texts.describe(a) for a in analyses]}


def _texts(*, require_timestamp: bool = True) -> list[TextIn]:
    """One text object, an array of them, or ``{"texts": [...]}``."""
    body: Any = json_body()
    if isinstance(body, dict) and set(body) == {"texts"}:
        body = body["texts"]
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
