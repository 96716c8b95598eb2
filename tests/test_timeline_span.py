"""A timeline asked for without ``from`` and ``to`` covers the user's active span, not a fixed
window ending now: a user active for three months in 2000 is drawn over those months."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from graph.evolution.profiles import active_span
from graph.evolution.strength import Signal
from tests.support import json_of

WEEK = timedelta(days=7)
FIRST = datetime(2000, 2, 1, 12, tzinfo=UTC)
LAST = datetime(2000, 4, 28, 12, tzinfo=UTC)
EVENTS = 40


def at(instant: datetime) -> Signal:
    return Signal(instant.timestamp(), 1.0, "event", ("category:a",))


def test_the_span_is_first_to_last_signal_with_a_small_margin() -> None:
    found = active_span([at(FIRST), at(LAST)], bucket=WEEK, until=datetime(2025, 1, 1, tzinfo=UTC))
    assert found is not None
    start, end = found
    margin = (LAST - FIRST) * 0.02  # under the one-week cap, over the one-day floor
    assert (start, end) == (FIRST - margin, LAST + margin)


def test_the_margin_is_at_least_a_day_and_at_most_a_bucket() -> None:
    until = datetime(2025, 1, 1, tzinfo=UTC)
    [start, end] = active_span([at(FIRST)], bucket=WEEK, until=until) or []
    assert (start, end) == (FIRST - timedelta(days=1), FIRST + timedelta(days=1))
    decades = [at(datetime(1990, 1, 1, tzinfo=UTC)), at(datetime(2020, 1, 1, tzinfo=UTC))]
    [start, end] = active_span(decades, bucket=WEEK, until=until) or []
    assert (start, end) == (datetime(1989, 12, 25, tzinfo=UTC), datetime(2020, 1, 8, tzinfo=UTC))


def test_the_span_ends_by_the_instant_read_up_to_but_after_the_last_signal() -> None:
    until = LAST + timedelta(hours=1)
    [_, end] = active_span([at(FIRST), at(LAST)], bucket=WEEK, until=until) or []
    assert end == until
    [_, end] = active_span([at(FIRST), at(LAST)], bucket=WEEK, until=LAST) or []
    assert end.timestamp() == LAST.timestamp() + 1.0  # [start, end) still holds the last signal


def test_no_signals_no_span() -> None:
    assert active_span([], bucket=WEEK, until=LAST) is None


def given_a_user_active_for_three_months_in_2000(client: FlaskClient, prefix: str) -> str:
    """40 dramas from February to the end of April 2000; westerns in February only."""
    step = (LAST - FIRST) / (EVENTS - 1)
    items = [
        {"id": f"{prefix}m{n}", "title": f"Film {n}",
         "categories": [f"{prefix}Drama"] + ([f"{prefix}Western"] if n < 10 else [])}
        for n in range(EVENTS)
    ]  # fmt: skip
    assert client.post("/v1/items", json=items).status_code == 200
    user = f"{prefix}u"
    events = [
        {"event_id": f"{prefix}e{n}", "user_id": user, "item_id": f"{prefix}m{n}", "kind": "rate",
         "value": 4, "timestamp": int((FIRST + n * step).timestamp())}
        for n in range(EVENTS)
    ]  # fmt: skip
    assert client.post("/v1/events", json=events).status_code == 200
    return user


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def labels(answer: Any) -> dict[str, str]:
    return {s["key"]: s["trend"]["label"] for s in answer["series"]}


def test_by_default_the_timeline_covers_the_active_span(client: FlaskClient, prefix: str) -> None:
    user = given_a_user_active_for_three_months_in_2000(client, prefix)
    answer = json_of(client.get(f"/v1/users/{user}/interests/timeline"))
    start, end = instant(answer["from"]), instant(answer["to"])
    assert FIRST - WEEK <= start < FIRST and LAST < end <= LAST + WEEK
    assert 13 <= len(answer["buckets"]) <= 15  # weeks, not three decades of them
    assert sum(sum(s["counts"]) for s in answer["series"] if s["key"] == f"{prefix}Drama") == 40
    found = labels(answer)
    assert found[f"{prefix}Western"] == "dormant"  # February only
    assert found[f"{prefix}Drama"] != "dormant"  # active to the end of the span


def test_explicit_bounds_still_win(client: FlaskClient, prefix: str) -> None:
    user = given_a_user_active_for_three_months_in_2000(client, prefix)
    wide = {"from": "1990-01-01T00:00:00Z", "to": "2020-01-01T00:00:00Z", "bucket": "month"}
    answer = json_of(client.get(f"/v1/users/{user}/interests/timeline", query_string=wide))
    assert (answer["from"], answer["to"]) == (wide["from"], wide["to"])
    assert set(labels(answer).values()) == {"dormant"}  # what the issue saw, now only on request
    to = "2000-03-15T00:00:00Z"
    early = json_of(client.get(f"/v1/users/{user}/interests/timeline", query_string={"to": to}))
    assert early["to"] == to and FIRST - WEEK <= instant(early["from"]) < FIRST
    drama = sum(sum(s["counts"]) for s in early["series"] if s["key"] == f"{prefix}Drama")
    assert 0 < drama < 40  # only what came before "to"
    since = "2000-03-01T00:00:00Z"
    late = json_of(client.get(f"/v1/users/{user}/interests/timeline", query_string={"from": since}))
    assert late["from"] == since and LAST < instant(late["to"]) <= LAST + WEEK


def test_the_picture_is_drawn_over_the_active_span(client: FlaskClient, prefix: str) -> None:
    user = given_a_user_active_for_three_months_in_2000(client, prefix)
    path = f"/v1/users/{user}/interests/timeline.svg"
    default = texts(client.get(path).data.decode())
    assert "2000-03-01" in default and "1996" not in default  # the months of 2000 on the axis
    wide = {"from": "1990-01-01T00:00:00Z", "to": "2020-01-01T00:00:00Z", "bucket": "month"}
    assert "1996" in texts(client.get(path, query_string=wide).data.decode())


def texts(svg: str) -> list[str]:
    """The picture's words (the axis labels among them): text stays text in our SVG."""
    return re.findall(r">([^<>]+)</text>", svg)


@pytest.mark.parametrize("bucket", ["day", "week"])
def test_a_long_active_span_is_cut_to_the_bucket_limit(
    client: FlaskClient, prefix: str, bucket: str
) -> None:
    """Decades of signals by day: the latest buckets that fit, not a 400 the caller never
    asked for."""
    film = {"id": f"{prefix}i", "title": "A film", "categories": [f"{prefix}Drama"]}
    assert client.post("/v1/items", json=[film]).status_code == 200
    user = f"{prefix}long"
    events = [
        {"event_id": f"{prefix}e{year}", "user_id": user, "item_id": f"{prefix}i", "kind": "like",
         "timestamp": f"{year}-06-01T00:00:00Z"}
        for year in (1980, 2010)
    ]  # fmt: skip
    assert client.post("/v1/events", json=events).status_code == 200
    answer = client.get(f"/v1/users/{user}/interests/timeline", query_string={"bucket": bucket})
    assert answer.status_code == 200
    found = json_of(answer)
    assert len(found["buckets"]) <= 2_001
    assert instant(found["to"]) > datetime(2010, 6, 1, tzinfo=UTC)
    cut = instant(found["from"]) > datetime(1980, 6, 1, tzinfo=UTC)
    assert cut == (bucket == "day")  # 30 years of weeks fit; of days, only the last 2,000
