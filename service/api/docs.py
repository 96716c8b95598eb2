"""The API's own description."""

from __future__ import annotations

from flask import Blueprint, current_app
from flask.typing import ResponseReturnValue

from service.api.spec import operation
from service.auth import requires
from service.openapi import document

blueprint = Blueprint("docs", __name__)


@blueprint.get("/openapi.json")
@operation("This description")
@requires("read")
def openapi() -> ResponseReturnValue:
    """The OpenAPI description of the API (needs a key, as every route but /health)."""
    return document(current_app)
