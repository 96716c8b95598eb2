"""The records the graph takes in (items, events), validated with pydantic.

``parse_batch`` validates a whole batch and reports every bad record by index and field, so that
a batch is written whole or not at all.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from graph.ingest.signals import EVENT_KINDS, RATING_MAX, RATING_MIN, interaction_weight
from graph.privacy.pii import scrub

Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
EventKind = Literal[EVENT_KINDS]  # type: ignore[valid-type]

MAX_BATCH = 10_000
MAX_TEXT_CHARS = 10_000
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def row(self) -> dict[str, Any]:
        """The record as the parameters of its Cypher write."""
        raise NotImplementedError


class ItemIn(Record):
    """A catalogue record: replaces the item's title, description and categories."""

    id: Id
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
    categories: list[Name] = Field(default_factory=list, max_length=100)
    description: Annotated[str, StringConstraints(max_length=10_000)] | None = None

    @field_validator("categories")
    @classmethod
    def _distinct(cls, categories: list[str]) -> list[str]:
        return list(dict.fromkeys(categories))

    def row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "categories": self.categories,
            "description": self.description,
        }


class EventIn(Record):
    """One interaction of a user with an item at an instant."""

    user_id: Id
    item_id: Id
    kind: EventKind
    timestamp: AwareDatetime
    value: float | None = None
    event_id: Id | None = None

    @model_validator(mode="after")
    def _value_fits_kind(self) -> EventIn:
        if self.value is not None and not math.isfinite(self.value):
            raise ValueError("value must be a finite number")
        if self.kind == "rate":
            if self.value is None:
                raise ValueError("kind 'rate' needs a value")
            if not RATING_MIN <= self.value <= RATING_MAX:
                raise ValueError(f"a rating must lie between {RATING_MIN:g} and {RATING_MAX:g}")
        elif self.value is not None and self.value < 0:
            raise ValueError(f"value of kind {self.kind!r} must not be negative")
        return self

    @property
    def at(self) -> datetime:
        return self.timestamp.astimezone(timezone.utc)

    @property
    def key(self) -> str:
        """The event's id: the caller's, or one derived from its content so retries match."""
        return self._key(self.user_id, self.at)

    def _key(self, user_id: str, at: datetime) -> str:
        if self.event_id is not None:
            return self.event_id
        return content_key([user_id, self.item_id, self.kind, repr(self.value), at.isoformat()])

    def row(self, *, user_id: str | None = None) -> dict[str, Any]:
        """The event as written; ``user_id``: the id stored in place of the caller's (the user's
        pseudonym, ``graph.privacy.pseudonyms``), which the derived id then uses too."""
        user = self.user_id if user_id is None else user_id
        at = self.at
        return {
            "event_id": self._key(user, at),
            "user_id": user,
            "item_id": self.item_id,
            "kind": self.kind,
            "value": self.value,
            "weight": interaction_weight(self.kind, self.value),
            **epoch_parts(at),
        }


class TextIn(Record):
    """Something a user wrote: a review, comment, query or tag."""

    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    timestamp: AwareDatetime
    source: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)
    ] = "text"
    text_id: Id | None = None
    item_id: Id | None = None  # the item the text is about (a review, a tag), if any

    @field_validator("text")
    @classmethod
    def _not_too_long_and_scrubbed(cls, text: str, info: ValidationInfo) -> str:
        """Within the limit; then personal data (emails, phones, cards, credentials) goes, before
        anything reads, links or stores the text."""
        limit = (info.context or {}).get("max_text_chars", MAX_TEXT_CHARS)
        if len(text) > limit:
            raise ValueError(f"text has {len(text)} characters; at most {limit}")
        return scrub(text)

    @property
    def key(self) -> str:
        """The text's id: the caller's, or one derived from its content so retries match."""
        if self.text_id is not None:
            return self.text_id
        return content_key(
            [self.source, self.timestamp.astimezone(timezone.utc).isoformat(), self.text]
        )

    def row(self) -> dict[str, Any]:
        return {
            "text_id": self.key,
            "item_id": self.item_id,
            "source": self.source,
            **epoch_parts(self.timestamp),
        }


def content_key(parts: Sequence[str]) -> str:
    """An id derived from a record's content, so that a retried record gets the same one."""
    return "h:" + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def epoch_parts(instant: datetime) -> dict[str, int]:
    """``at_s``/``at_ns``: an instant as whole epoch seconds and nanoseconds, exactly (integers
    travel to Neo4j far cheaper than datetimes; Cypher rebuilds the UTC datetime)."""
    since_epoch = instant.astimezone(timezone.utc) - EPOCH
    return {
        "at_s": since_epoch.days * 86_400 + since_epoch.seconds,
        "at_ns": since_epoch.microseconds * 1_000,
    }


@dataclass(frozen=True)
class RecordError:
    index: int | None  # None: the batch as a whole
    field: str | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "field": self.field, "reason": self.reason}


class BatchError(ValueError):
    """A batch was rejected; ``errors`` names each bad record. Nothing was written."""

    def __init__(self, errors: Sequence[RecordError], *, too_large: bool = False) -> None:
        super().__init__(f"{len(errors)} bad record(s)")
        self.errors = list(errors)
        self.too_large = too_large


R = TypeVar("R", bound=Record)


def parse_batch(
    model: type[R],
    payload: Any,
    *,
    max_records: int = MAX_BATCH,
    offset: int = 0,
    context: dict[str, Any] | None = None,
) -> list[R]:
    """Validate a list of records; raise :class:`BatchError` naming every bad one.

    ``offset`` is added to the reported indexes (for files read in chunks).
    """
    if not isinstance(payload, list):
        raise BatchError([RecordError(None, None, "expected a JSON array of records")])
    if len(payload) > max_records:
        raise BatchError(
            [RecordError(None, None, f"{len(payload)} records; at most {max_records} per batch")],
            too_large=True,
        )
    if not payload:
        raise BatchError([RecordError(None, None, "the batch is empty")])
    try:
        records = _adapter(model).validate_python(payload, context=context)
    except ValidationError as exc:
        raise BatchError([_record_error(error, offset) for error in exc.errors()]) from None
    if model is EventIn or model is TextIn:
        return _drop_repeated(records, offset, "event_id" if model is EventIn else "text_id")
    if model is ItemIn:
        _check_unique_ids(records, offset)  # type: ignore[arg-type]
    return records


def _drop_repeated(records: list[R], offset: int, id_field: str) -> list[R]:
    """A batch may repeat a record verbatim (kept once); other content under one id is an error."""
    seen: dict[str, int] = {}
    unique: list[R] = []
    errors: list[RecordError] = []
    for index, record in enumerate(records):
        first = seen.setdefault(record.key, index)  # type: ignore[attr-defined]
        if first == index:
            unique.append(record)
        elif records[first] != record:
            errors.append(
                RecordError(
                    index + offset,
                    id_field,
                    f"repeats the {id_field} of record {first + offset} with other content",
                )
            )
    if errors:
        raise BatchError(errors)
    return unique


def _check_unique_ids(items: list[ItemIn], offset: int) -> None:
    seen: dict[str, int] = {}
    errors = [
        RecordError(index + offset, "id", f"repeats the id of record {seen[item.id] + offset}")
        for index, item in enumerate(items)
        if seen.setdefault(item.id, index) != index
    ]
    if errors:
        raise BatchError(errors)


def _record_error(error: Any, offset: int) -> RecordError:
    loc = list(error["loc"])
    index = loc.pop(0) + offset if loc and isinstance(loc[0], int) else None
    field = ".".join(str(part) for part in loc) or None
    return RecordError(index, field, error["msg"])


_ADAPTERS: dict[type, TypeAdapter[Any]] = {}


def _adapter(model: type[R]) -> TypeAdapter[list[R]]:
    if model not in _ADAPTERS:
        _ADAPTERS[model] = TypeAdapter(list[model])  # type: ignore[valid-type]
    return _ADAPTERS[model]
