from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue

from graph.ingest.records import EventIn
from graph.ingest.writes import write_events
from service.api.params import batch, pseudonyms
from service.api.spec import Body, operation
from service.metrics import count_taken
from service.neo4j_ext import store

blueprint = Blueprint("events", __name__, url_prefix="/v1/events")

EVENTS = Body(EventIn, "events")


@blueprint.post("")
@operation("Record interactions, all or nothing; repeats change nothing", body=EVENTS)
def post_events() -> ResponseReturnValue:
    """Record interactions (a batch of up to MAX_BATCH), all or nothing; repeats change nothing."""
    events = [pseudonyms().event(event) for event in batch(EVENTS)]
    written = write_events(store(), events)
    count_taken("events", created=written.created, duplicates=written.duplicates)
    return {
        "received": written.received,
        "created": written.created,
        "duplicates": written.duplicates,
    }
