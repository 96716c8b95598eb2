"""The OpenAPI 3.1 description of the API, written from what the views declare
(``service.api.spec.operation``): query parameters from the same pydantic models that parse them,
request bodies from the models that validate the records, scopes from the same rules that check
them. Served at ``GET /openapi.json``; schemathesis fuzzes the app from it."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from graph.access.api_keys import SCOPES
from service.api.spec import Body, Operation, Query, declared
from service.auth import METHOD_SCOPES, PAGE_BLUEPRINTS, PUBLIC_BLUEPRINTS

VERSION = "1.0.0"
REF = "#/components/schemas/{model}"
PATH_PARAMETER = {"type": "string", "minLength": 1, "maxLength": 256}


class Undescribed(RuntimeError):
    """A route has no ``operation`` declaration."""


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


def document(app: Flask) -> dict[str, Any]:
    """The whole description of ``app``'s routes (kept in ``app.extensions`` once built)."""
    found: dict[str, Any] | None = app.extensions.get("openapi")
    if found is None:
        found = app.extensions["openapi"] = _describe(app)
    return found


def _describe(app: Flask) -> dict[str, Any]:
    schemas: dict[str, Any] = {"Error": ERROR}
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static" or rule.endpoint.partition(".")[0] in PAGE_BLUEPRINTS:
            continue
        view = app.view_functions[rule.endpoint]
        declaration = declared(view)
        if declaration is None:
            raise Undescribed(f"the view of {rule.rule} declares no operation")
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        blueprint = rule.endpoint.rpartition(".")[0]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            scope = None if blueprint in PUBLIC_BLUEPRINTS else (
                getattr(view, "required_scope", None) or METHOD_SCOPES[method])  # fmt: skip
            operation = _operation(declaration, list(rule.arguments), scope)
            if declaration.body is not None:
                operation["requestBody"] = _body(declaration.body, schemas)
            paths.setdefault(path, {})[method.lower()] = operation
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


def _operation(declaration: Operation, path_names: list[str], scope: str | None) -> dict[str, Any]:
    parameters = [{"name": name, "in": "path", "required": True, "schema": PATH_PARAMETER}
                  for name in sorted(path_names)]  # fmt: skip
    parameters += query_parameters(declaration.query)
    answer = ({"schema": {"type": "string"}} if declaration.media_type != "application/json"
              else {"schema": {"type": "object"}})  # fmt: skip
    operation: dict[str, Any] = {
        "summary": declaration.summary,
        "parameters": parameters,
        "responses": {
            "200": {"description": "OK", "content": {declaration.media_type: answer}},
            "default": {"description": "An error: 4xx for the caller, 503 while Neo4j is "
                        "down", "content": {"application/json": {
                            "schema": {"$ref": REF.format(model="Error")}}}},
        },
    }  # fmt: skip
    if scope is None:
        operation["security"] = []
    else:
        operation["description"] = f"Needs an API key with the {scope!r} scope."
    return operation


def query_parameters(model: type[Query]) -> list[dict[str, Any]]:
    """The OpenAPI query parameters of a route's query model."""
    schema = model.model_json_schema(by_alias=True)
    found = []
    for name, field in schema.get("properties", {}).items():
        field = dict(field)
        field.pop("title", None)
        shapes = [s for s in field.pop("anyOf", []) if s.get("type") != "null"]
        if shapes:
            field = {**shapes[0], **field}
        if field.get("default", "") is None:
            del field["default"]
        description = field.pop("description", "")
        found.append({"name": name, "in": "query", "required": name in schema.get("required", []),
                      "schema": field, "description": description})  # fmt: skip
    return found


def _body(body: Body, schemas: dict[str, Any]) -> dict[str, Any]:
    name = body.model.__name__
    if name not in schemas:
        schema = body.model.model_json_schema(ref_template=REF)
        schemas.update(schema.pop("$defs", {}))
        schemas[name] = schema
    array = {"type": "array", "minItems": 1, "items": {"$ref": REF.format(model=name)}}
    shapes = [array, {"type": "object", "required": [body.key], "properties": {body.key: array},
                      "additionalProperties": False}]  # fmt: skip
    if body.single:
        shapes.insert(0, {"$ref": REF.format(model=name)})
    return {"required": True, "content": {"application/json": {"schema": {"anyOf": shapes}}}}
