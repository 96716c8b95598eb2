from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue

from graph.ingest.writes import write_events
from graph.ingest.records import EventIn
from service.api.params import batch, pseudonyms
from service.neo4j_ext import neo4j

blueprint = Blueprint("events", __name__, url_prefix="/v1/events")


@blueprint.post("")
def post_events() -> ResponseReturnValue:
    """Record interactions (a batch of up to MAX_BATCH), all or nothing; repeats change nothing."""
    events = [pseudonyms().event(event) for event in batch(EventIn, "events")]
    ext = neo4j()
    written = write_events(ext.driver, events, database=ext.database)
    return {
        "received": written.received,
        "created": written.created,
        "duplicates": written.duplicates,
    }
