"""Reading request bodies and query parameters, with errors that name the field."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from flask import current_app, request
from pydantic import AwareDatetime, TypeAdapter, ValidationError

from graph.privacy.pseudonyms import Pseudonyms
from graph.ingest.records import Id, Record, parse_batch
from service.errors import ApiError, bad_parameter

_INSTANT = TypeAdapter(AwareDatetime)
#: Instants the API takes: wide, but with room for windows and spans on either side.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
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


def batch(model: type[Record], key: str) -> list[Any]:
    """Records of a batch body: a JSON array, or an object holding the array under ``key``."""
    body = json_body()
    if isinstance(body, dict) and set(body) == {key}:
        body = body[key]
    return parse_batch(model, body, max_records=current_app.config["MAX_BATCH"])


def int_arg(name: str, default: int, *, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_parameter(name, f"expected a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise bad_parameter(name, f"must lie between {low} and {high}")
    return value


def instant_arg(name: str) -> datetime | None:
    """An ISO 8601 instant with a time zone (``2024-05-01T00:00:00Z``) or epoch seconds."""
    raw = request.args.get(name)
    if raw is None:
        return None
    value: Any = int(raw) if raw.lstrip("-").isdigit() else raw
    try:
        instant = _INSTANT.validate_python(value)
    except ValidationError as exc:
        raise bad_parameter(name, exc.errors()[0]["msg"]) from None
    if not EARLIEST <= instant <= LATEST:
        raise bad_parameter(name, f"must lie between {EARLIEST:%Y} and {LATEST:%Y}")
    return instant.astimezone(UTC)  # odd offsets (seconds, fractions) never reach Neo4j


def bool_arg(name: str, default: bool) -> bool:
    raw = request.args.get(name)
    if raw is None:
        return default
    if raw.lower() in ("true", "1", "yes"):
        return True
    if raw.lower() in ("false", "0", "no"):
        return False
    raise bad_parameter(name, f"expected true or false, got {raw!r}")
