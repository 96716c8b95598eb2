"""Reading request bodies and path parameters, with errors that name the field (query
parameters: ``service.api.spec``)."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, request
from pydantic import TypeAdapter, ValidationError

from graph.ingest.records import Id, parse_batch
from graph.privacy.pseudonyms import Pseudonyms
from service.api.spec import Body
from service.errors import ApiError, bad_parameter

_USER_ID = TypeAdapter(Id)


def user_node(user_id: str) -> str:
    """The graph's id (a keyed pseudonym) for the caller's ``user_id`` from the path."""
    try:
        valid = _USER_ID.validate_python(user_id)
    except ValidationError as exc:
        raise bad_parameter("user_id", exc.errors()[0]["msg"]) from None
    return pseudonyms().user(valid)


def pseudonyms() -> Pseudonyms:
    found: Pseudonyms = current_app.extensions["pseudonyms"]
    return found


def json_body() -> Any:
    """The request body parsed as JSON; 400 naming the position of a syntax error."""
    raw = request.get_data(cache=False)
    if not raw.strip():
        raise ApiError(400, "empty_body", "the request body is empty; send JSON")
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
        where = (
            f" at line {exc.lineno} column {exc.colno}"
            if isinstance(exc, json.JSONDecodeError)
            else ""
        )
        raise ApiError(
            400, "malformed_json", f"the body is not valid JSON: {reason}{where}"
        ) from None


def batch(declared: Body) -> list[Any]:
    """The records of a batch body as the view declares it (``service.api.spec.Body``): a JSON
    array, or an object holding the array under its key."""
    body = json_body()
    if isinstance(body, dict) and set(body) == {declared.key}:
        body = body[declared.key]
    return parse_batch(declared.model, body, max_records=current_app.config["MAX_BATCH"])
