"""The OpenAPI 3.1 description of the API: request bodies from the same pydantic models that
validate them, query parameters from one table. Served at ``GET /openapi.json``; a test checks
that every route of the app is described and schemathesis fuzzes the app from it."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel

from graph.access.api_keys import SCOPES
from graph.ingest.records import EventIn, ItemIn, TextIn

VERSION = "1.0.0"
REF = "#/components/schemas/{model}"

INSTANT = {"type": "string", "format": "date-time",
           "description": "ISO 8601 with a time zone, or epoch seconds"}  # fmt: skip
USER = {"name": "user_id", "in": "path", "required": True,
        "schema": {"type": "string", "minLength": 1, "maxLength": 256}}  # fmt: skip
ITEM = {**USER, "name": "item_id"}


def _query(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}  # fmt: skip


def _int(name: str, default: int, low: int, high: int) -> dict[str, Any]:
    return _query(name, {"type": "integer", "minimum": low, "maximum": high, "default": default})


def _bool(name: str, default: bool) -> dict[str, Any]:
    return _query(name, {"type": "boolean", "default": default})


def _instant(name: str, description: str = "") -> dict[str, Any]:
    return _query(name, INSTANT, description)


def _choice(name: str, values: list[str], default: str) -> dict[str, Any]:
    return _query(name, {"type": "string", "enum": values, "default": default})


def _batch(model: type[BaseModel], key: str, *, single: bool = False) -> dict[str, Any]:
    array = {"type": "array", "minItems": 1, "items": {"$ref": REF.format(model=model.__name__)}}
    shapes = [array, {"type": "object", "required": [key], "properties": {key: array},
                      "additionalProperties": False}]  # fmt: skip
    if single:
        shapes.insert(0, {"$ref": REF.format(model=model.__name__)})
    return {"required": True, "content": {"application/json": {"schema": {"anyOf": shapes}}}}


# (method, path, summary, scope, parameters, request body, answers besides the errors)
ROUTES: list[tuple[str, str, str, str | None, list[dict[str, Any]], dict[str, Any] | None]] = [
    ("get", "/health", "Liveness and Neo4j reachability (no key needed)", None, [], None),
    ("get", "/openapi.json", "This description", "read", [], None),
    ("post", "/v1/items", "Upsert catalogue items, all or nothing", "write", [],
     _batch(ItemIn, "items")),
    ("get", "/v1/items/{item_id}", "An item with its categories", "read", [ITEM], None),
    ("get", "/v1/items/{item_id}/similar", "Items nearest in the graph embeddings", "read",
     [ITEM, _int("k", 10, 1, 100)], None),
    ("post", "/v1/events", "Record interactions, all or nothing; repeats change nothing", "write",
     [], _batch(EventIn, "events")),
    ("get", "/v1/users/{user_id}/events", "The user's events, newest first", "read",
     [USER, _instant("from"), _instant("to"), _int("limit", 100, 1, 10_000)], None),
    ("delete", "/v1/users/{user_id}", "Erase everything held about the user", "admin", [USER],
     None),
    ("get", "/v1/users/{user_id}/export", "Everything held about the user", "admin", [USER], None),
    ("post", "/v1/users/{user_id}/texts", "Extract, link and store interests from texts", "write",
     [USER], _batch(TextIn, "texts", single=True)),
    ("post", "/v1/extract", "What texts would yield, storing nothing", "read", [],
     _batch(TextIn, "texts", single=True)),
    ("get", "/v1/interests/{key}", "An interest: aliases, related interests, categories", "read",
     [{**USER, "name": "key"}], None),
    ("get", "/v1/interests/trending", "Interests gaining attention across users", "read",
     [_int("window", 7, 1, 3650), _int("limit", 20, 1, 200), _instant("as_of")], None),
    ("get", "/v1/users/{user_id}/interests", "The profile as of an instant, with facets", "read",
     [USER, _instant("as_of"), _choice("horizon", ["short", "long", "blended"], "blended"),
      _int("limit", 20, 1, 500)], None),
    ("get", "/v1/users/{user_id}/interests/forecast", "What the next signals will likely be about",
     "read", [USER, _instant("as_of"), _int("limit", 20, 1, 500)], None),
    ("get", "/v1/users/{user_id}/interests/timeline", "Interest series per bucket, with trends",
     "read", [USER, _instant("from"), _instant("to"),
              _choice("bucket", ["day", "week", "month"], "week"),
              _query("interests", {"type": "string"}, "comma-separated interest keys"),
              _int("limit", 8, 1, 50)], None),
    ("get", "/v1/users/{user_id}/interests/timeline.svg", "The timeline drawn (SVG)", "read",
     [USER, _instant("from"), _instant("to"),
      _choice("bucket", ["day", "week", "month"], "week"), _int("limit", 8, 1, 50)], None),
    ("get", "/v1/users/{user_id}/shifts", "Where the user's mix of interests changed", "read",
     [USER, _instant("from"), _instant("to")], None),
    ("get", "/v1/users/{user_id}/recommendations", "Recommendations with explanations", "read",
     [USER, _int("k", 10, 1, 100), _instant("as_of"), _bool("explain", False),
      _bool("exclude_seen", True)], None),
]  # fmt: skip

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message", "details"],
        "properties": {
            "code": {"type": "string"},
            "message": {"type": "string"},
            "details": {"type": "array", "items": {"type": "object"}},
        },
    }},
}  # fmt: skip


@cache
def document() -> dict[str, Any]:
    """The whole description (built once per process)."""
    schemas: dict[str, Any] = {"Error": ERROR}
    for model in (ItemIn, EventIn, TextIn):
        schema = model.model_json_schema(ref_template=REF)
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    paths: dict[str, dict[str, Any]] = {}
    for method, path, summary, scope, parameters, body in ROUTES:
        operation: dict[str, Any] = {
            "summary": summary,
            "parameters": parameters,
            "responses": {
                "200": {"description": "OK", "content": _answer(path)},
                "default": {"description": "An error: 4xx for the caller, 503 while Neo4j is "
                            "down", "content": {"application/json": {
                                "schema": {"$ref": REF.format(model="Error")}}}},
            },
        }  # fmt: skip
        if body is not None:
            operation["requestBody"] = body
        if scope is None:
            operation["security"] = []
        else:
            operation["description"] = f"Needs an API key with the {scope!r} scope."
        paths.setdefault(path, {})[method] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "interest-graph", "version": VERSION,
                 "description": "Users' interests over time, and recommendations from them. "
                 f"Keys are scoped {', '.join(SCOPES)} (`interests keys create`)."},
        "servers": [{"url": "/"}],
        "components": {
            "schemas": schemas,
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"apiKey": []}],
        "paths": paths,
    }  # fmt: skip


def _answer(path: str) -> dict[str, Any]:
    if path.endswith(".svg"):
        return {"image/svg+xml": {"schema": {"type": "string"}}}
    return {"application/json": {"schema": {"type": "object"}}}
