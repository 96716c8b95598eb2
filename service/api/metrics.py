"""``GET /metrics``: the service's Prometheus metrics (``service/metrics.py``), for a key with the
``metrics`` scope (or ``admin``), so a scraper's key reads no user's data."""

from __future__ import annotations

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from service.api.spec import operation
from service.auth import requires
from service.metrics import current

blueprint = Blueprint("metrics", __name__)


@blueprint.get("/metrics")
@operation("Prometheus metrics: per-route latency and status, records taken, the graph's state",
           media_type="text/plain")  # fmt: skip
@requires("metrics")
def scrape() -> ResponseReturnValue:
    """Every metric, added up over the server's workers, in the Prometheus text format (or
    OpenMetrics, when the scraper's ``Accept`` asks for it)."""
    body, content_type = current().exposition(request.headers.get("Accept"))
    return body, 200, {"Content-Type": content_type}
