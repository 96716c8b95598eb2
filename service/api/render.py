"""How answers are written as JSON: instants as ISO 8601 in UTC, scores rounded.

Domain and composition code return dataclasses with floats and datetimes (text analysis rounds
its scores to 4 places itself); the blueprints turn them into JSON with these, so every answer
writes instants and numbers the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime

SCORE_DIGITS = 6


def iso(instant: datetime) -> str:
    """``2024-05-01T12:00:00Z``: UTC, with a ``Z``."""
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def iso_epoch(seconds: float) -> str:
    """An epoch instant in seconds as ``iso`` writes it."""
    return iso(datetime.fromtimestamp(seconds, UTC))


def score(value: float, digits: int = SCORE_DIGITS) -> float:
    """A score as answers carry it."""
    return round(value, digits)
