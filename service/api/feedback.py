"""Feedback on what was shown: impressions, clicks with dwell, skips and dislikes."""

from __future__ import annotations

from flask import Blueprint, current_app
from flask.typing import ResponseReturnValue

from graph.ingest.feedback import FeedbackIn
from service.api.params import batch
from service.api.spec import Body, operation
from service.metrics import count_taken
from service.neo4j_ext import store
from service.shown_log import take_feedback

blueprint = Blueprint("feedback", __name__, url_prefix="/v1/feedback")

FEEDBACK = Body(FeedbackIn, "feedback")


@blueprint.post("")
@operation("Record reactions to recommended items, all or nothing; repeats change nothing",
           body=FEEDBACK)  # fmt: skip
def post_feedback() -> ResponseReturnValue:
    """Record reactions to the items of logged recommendations (a batch of up to MAX_BATCH), all
    or nothing; each names its ``recommendation_id`` and ``item_id``. The reward of a shown item
    is click × dwell (capped at 300 s, scaled to [0, 1]); clicks, skips and dislikes also become
    interest signals, and the policy learns from them within seconds."""
    written = take_feedback(store(), current_app.extensions["policies"].log, batch(FEEDBACK))
    count_taken("feedback", created=written.created, duplicates=written.duplicates)
    return {
        "received": written.received,
        "created": written.created,
        "duplicates": written.duplicates,
    }
