"""What each route takes, declared once: the view parses its query with the declaration and the
OpenAPI description (``service.openapi``) is written from it.

A view is marked with :func:`operation` (a summary, the pydantic model of its query parameters,
the records of its body) and reads its parameters with :func:`query_args`, which answers 400
naming every bad parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from flask import request
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from graph.ingest.records import Record
from service.errors import ApiError

F = TypeVar("F", bound=Callable[..., object])
Q = TypeVar("Q", bound="Query")

#: Instants the API takes: wide, but with room for windows and spans on either side.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
_AWARE = TypeAdapter(AwareDatetime)


def _instant(raw: Any) -> datetime:
    """An ISO 8601 instant with a time zone (``2024-05-01T00:00:00Z``) or epoch seconds, in UTC
    (odd offsets, seconds or fractions, never reach Neo4j)."""
    if isinstance(raw, datetime):
        return raw
    value: Any = int(raw) if isinstance(raw, str) and raw.lstrip("-").isdigit() else raw
    try:
        instant = _AWARE.validate_python(value)
    except ValidationError as exc:
        raise PydanticCustomError("instant", exc.errors()[0]["msg"]) from None
    if not EARLIEST <= instant <= LATEST:
        raise PydanticCustomError("instant", f"must lie between {EARLIEST:%Y} and {LATEST:%Y}")
    return instant.astimezone(UTC)


def _flag(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise PydanticCustomError("flag", f"expected true or false, got {raw!r}")


def _whole(raw: Any) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    try:
        return int(str(raw))
    except ValueError:
        raise PydanticCustomError("whole", f"expected a whole number, got {raw!r}") from None


Instant = Annotated[
    datetime,
    BeforeValidator(_instant),
    WithJsonSchema({"type": "string", "format": "date-time",
                    "description": "ISO 8601 with a time zone, or epoch seconds"}),
]  # fmt: skip
Flag = Annotated[bool, BeforeValidator(_flag)]


def Count(default: int, low: int, high: int, description: str = "") -> Any:  # noqa: N802
    """A whole number between ``low`` and ``high`` (a field's type and default in one)."""
    return Field(default, ge=low, le=high, description=description or None)


Whole = Annotated[int, BeforeValidator(_whole)]


class Query(BaseModel):
    """Query parameters of one route; parameters it does not name are ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class NoQuery(Query):
    pass


class Span(Query):
    """``from`` and ``to``: instants bounding what an answer covers."""

    start: Instant | None = Field(None, alias="from")
    end: Instant | None = Field(None, alias="to")


@dataclass(frozen=True)
class Body:
    """A batch body: a JSON array of ``model`` records, or an object holding it under ``key``
    (with ``single``, one record alone too)."""

    model: type[Record]
    key: str
    single: bool = False


@dataclass(frozen=True)
class Operation:
    summary: str
    query: type[Query] = NoQuery
    body: Body | None = None
    media_type: str = "application/json"


def operation(
    summary: str,
    *,
    query: type[Query] = NoQuery,
    body: Body | None = None,
    media_type: str = "application/json",
) -> Callable[[F], F]:
    """Declare what a view takes and answers; ``service.openapi`` describes it from this."""

    def mark(view: F) -> F:
        view.operation = Operation(summary, query, body, media_type)  # type: ignore[attr-defined]
        return view

    return mark


def declared(view: Callable[..., object]) -> Operation | None:
    found: Operation | None = getattr(view, "operation", None)
    return found


def query_args(model: type[Q]) -> Q:
    """The request's query parameters parsed by ``model``; 400 naming every bad one."""
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as exc:
        details = [_detail(model, error) for error in exc.errors()]
        names = ", ".join(repr(d["field"]) for d in details)
        raise ApiError(400, "bad_parameter", f"bad query parameter {names}", details) from None


def _detail(model: type[Query], error: Any) -> dict[str, Any]:
    field = str(error["loc"][0]) if error["loc"] else ""
    info = model.model_fields.get(field)
    alias = info.alias if info is not None and info.alias else field
    reason = error["msg"]
    if error["type"] in ("greater_than_equal", "less_than_equal") and info is not None:
        bounds = {type(m).__name__: m for m in info.metadata}
        if "Ge" in bounds and "Le" in bounds:
            reason = f"must lie between {bounds['Ge'].ge} and {bounds['Le'].le}"
    elif error["type"] == "literal_error":
        expected = error["ctx"]["expected"].replace(" or ", ", ").replace("'", "")
        reason = f"expected one of {expected}"
    return {"field": alias, "reason": reason}
