"""The API's own description."""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue

from service.auth import requires
from service.openapi import document

blueprint = Blueprint("docs", __name__)


@blueprint.get("/openapi.json")
@requires("read")
def openapi() -> ResponseReturnValue:
    """The OpenAPI description of the API (needs a key, as every route but /health)."""
    return document()
