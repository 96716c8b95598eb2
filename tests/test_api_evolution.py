"""Evolving interests through the API, on a small graph in the real Neo4j."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from typing import Any

import pytest
from flask.testing import FlaskClient

from service.api.render import iso_epoch
from tests.support import json_of

pytestmark = pytest.mark.neo4j

BASE = 1_950_000_000  # 2031-10: later than any other test's data, so trending sees only ours
HOUR = 3600


def given_a_user_who_turned_from_comedy_to_horror(client: FlaskClient, prefix: str) -> str:
    """40 comedies, one every 12 hours, then 30 horror films; all rated 4."""
    items = [{"id": f"{prefix}c{n}", "title": f"Comedy {n}", "categories": [f"{prefix}Comedy"]}
             for n in range(40)]  # fmt: skip
    items += [{"id": f"{prefix}h{n}", "title": f"Horror {n}", "categories": [f"{prefix}Horror"]}
              for n in range(30)]  # fmt: skip
    assert client.post("/v1/items", json=items).status_code == 200
    user = f"{prefix}u"
    events = [
        {"event_id": f"{prefix}e{n}", "user_id": user, "item_id": item["id"], "kind": "rate",
         "value": 4, "timestamp": BASE + 12 * HOUR * n}
        for n, item in enumerate(items)
    ]  # fmt: skip
    assert client.post("/v1/events", json=events).status_code == 200
    return user


def keys(answer: Any) -> list[str]:
    return [entry["key"] for entry in answer["interests"]]


def test_profile_as_of_sees_only_the_past(client: FlaskClient, prefix: str) -> None:
    user = given_a_user_who_turned_from_comedy_to_horror(client, prefix)
    before = client.get(f"/v1/users/{user}/interests", query_string={"as_of": BASE + 100 * HOUR})
    assert before.status_code == 200
    assert keys(before.json) == [f"{prefix}Comedy"] and before.json["signals"] == 9
    later = {"as_of": BASE + 60 * 24 * HOUR}
    now = client.get(f"/v1/users/{user}/interests", query_string={**later, "horizon": "short"}).json
    assert keys(now)[0] == f"{prefix}Horror"
    long = client.get(f"/v1/users/{user}/interests", query_string={**later, "horizon": "long"}).json
    assert keys(long)[0] == f"{prefix}Comedy"
    entry = long["interests"][0]
    assert entry["type"] == "category" and entry["signals"] == 40
    assert entry["strength"] == entry["long"] > entry["short"]


def test_timeline_series_and_trends(client: FlaskClient, prefix: str) -> None:
    user = given_a_user_who_turned_from_comedy_to_horror(client, prefix)
    answer = client.get(
        f"/v1/users/{user}/interests/timeline",
        query_string={"from": BASE, "to": BASE + 36 * 24 * HOUR, "bucket": "day"},
    ).json
    assert len(answer["buckets"]) in (36, 37)  # day-aligned, so one more when BASE is mid-day
    series = {s["key"]: s for s in answer["series"]}
    assert sum(series[f"{prefix}Comedy"]["counts"]) == 40
    assert series[f"{prefix}Comedy"]["trend"]["label"] == "dormant"
    assert series[f"{prefix}Horror"]["trend"]["label"] == "stable"  # a steady 2 a day for 15 days
    assert series[f"{prefix}Horror"]["trend"]["p_value"] > 0.05
    first_days = client.get(
        f"/v1/users/{user}/interests/timeline",
        query_string={"from": BASE, "to": BASE + 21 * 24 * HOUR + HOUR, "bucket": "day"},
    ).json
    horror = next(s for s in first_days["series"] if s["key"] == f"{prefix}Horror")
    assert horror["trend"]["label"] == "emerging"
    only = client.get(
        f"/v1/users/{user}/interests/timeline",
        query_string={"interests": f"category:{prefix}Horror", "bucket": "month",
                      "from": BASE - 86_400, "to": BASE + 40 * 86_400},
    ).json  # fmt: skip
    assert [s["key"] for s in only["series"]] == [f"{prefix}Horror"]


def test_timeline_without_from_starts_at_the_first_signal(client: FlaskClient, prefix: str) -> None:
    """Only ``to`` (the data lie in 2031, after now, so no answer reads them without it): the
    timeline starts a day before the user's first signal, not a year before ``to``."""
    user = given_a_user_who_turned_from_comedy_to_horror(client, prefix)
    to = BASE + 36 * 24 * HOUR
    answer = client.get(
        f"/v1/users/{user}/interests/timeline", query_string={"to": to, "bucket": "day"}
    )
    assert answer.status_code == 200
    found = json_of(answer)
    assert found["from"] == iso_epoch(BASE - 24 * HOUR) and found["to"] == iso_epoch(to)
    assert len(found["buckets"]) in (37, 38)
    series = {s["key"]: s for s in found["series"]}
    assert sum(series[f"{prefix}Horror"]["counts"]) == 30
    assert series[f"{prefix}Horror"]["trend"]["label"] == "stable"
    assert series[f"{prefix}Comedy"]["trend"]["label"] == "dormant"


def test_shifts_mark_the_turn(client: FlaskClient, prefix: str) -> None:
    user = given_a_user_who_turned_from_comedy_to_horror(client, prefix)
    answer = client.get(f"/v1/users/{user}/shifts", query_string={"to": BASE + 60 * 86_400}).json
    [shift] = answer["shifts"]
    assert shift["signal_index"] == 40 and answer["signals"] == 70
    assert shift["rose"][0]["key"] == f"{prefix}Horror"
    assert shift["fell"][0]["key"] == f"{prefix}Comedy"
    assert "online" not in answer
    online = client.get(f"/v1/users/{user}/shifts",
                        query_string={"to": BASE + 60 * 86_400, "online": "true"}).json  # fmt: skip
    [alarm] = online["online"]  # judged signal by signal: caught a few signals after the turn
    assert 40 <= alarm["detected_signal_index"] <= 40 + 10 and alarm["change_signal_index"] >= 35
    assert alarm["delay_signals"] == alarm["detected_signal_index"] - alarm["change_signal_index"]


def test_timeline_picture_renders(client: FlaskClient, prefix: str) -> None:
    user = given_a_user_who_turned_from_comedy_to_horror(client, prefix)
    answer = client.get(
        f"/v1/users/{user}/interests/timeline.svg",
        query_string={"from": BASE, "to": BASE + 40 * 86_400, "bucket": "day"},
    )
    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"
    svg = ElementTree.fromstring(answer.data)
    assert svg.tag.endswith("svg")
    text = answer.data.decode()
    assert f"{prefix}Horror (dormant)" in text and "shift: ↑" in text
    named = client.get(
        f"/v1/users/{user}/interests/timeline.svg",
        query_string={"from": BASE, "to": BASE + 40 * 86_400, "bucket": "day",
                      "interests": f"category:{prefix}Comedy"},
    ).data.decode()  # fmt: skip
    assert f"{prefix}Comedy" in named and f"{prefix}Horror (" not in named


def test_only_the_documented_names_bound_a_range(client: FlaskClient, prefix: str) -> None:
    """``from``/``to`` bound it; a field's own name (``start``) is not a synonym."""
    user = given_a_user_who_turned_from_comedy_to_horror(client, prefix)
    path = f"/v1/users/{user}/shifts"
    late, end = BASE + 50 * 86_400, BASE + 60 * 86_400
    assert client.get(path, query_string={"from": late, "to": end}).json["signals"] == 0
    assert client.get(path, query_string={"start": late, "to": end}).json["signals"] == 70


def test_trending_compares_two_windows(client: FlaskClient, prefix: str) -> None:
    given_a_user_who_turned_from_comedy_to_horror(client, prefix)
    answer = client.get(
        "/v1/interests/trending", query_string={"as_of": BASE + 35 * 24 * HOUR, "window": 15}
    ).json
    rows = {row["key"]: row for row in answer["trending"]}
    horror = rows[f"{prefix}Horror"]
    assert (horror["recent_signals"], horror["previous_signals"]) == (30, 0)
    assert answer["trending"][0]["key"] == f"{prefix}Horror" and horror["p_value"] < 0.001


@pytest.mark.parametrize(
    ("path", "args", "field"),
    [
        ("interests", {"horizon": "forever"}, "horizon"),
        ("interests", {"as_of": "yesterday"}, "as_of"),
        ("interests", {"limit": 0}, "limit"),
        ("interests/timeline", {"bucket": "year"}, "bucket"),
        ("interests/timeline", {"from": BASE, "to": BASE - 1}, "to"),
        ("interests/timeline", {"bucket": "day", "from": 0, "to": BASE}, "bucket"),
        ("shifts", {"from": "2024-13-01T00:00:00Z"}, "from"),
    ],
)
def test_bad_parameters_are_named(
    client: FlaskClient, prefix: str, path: str, args: dict[str, Any], field: str
) -> None:
    answer = client.get(f"/v1/users/{prefix}nobody/{path}", query_string=args)
    assert answer.status_code == 400
    assert answer.json["error"]["details"][0]["field"] == field


def test_unknown_user_is_404(client: FlaskClient, prefix: str) -> None:
    for path in ("interests", "interests/timeline", "shifts", "interests/timeline.svg"):
        assert client.get(f"/v1/users/{prefix}nobody/{path}").status_code == 404
    assert client.get("/v1/interests/trending", query_string={"window": 0}).status_code == 400


def test_the_picture_renders_names_the_font_lacks(client: FlaskClient, prefix: str) -> None:
    """Schemathesis found it: a glyph the font lacks made a warning, and the warning a 500."""
    user = f"{prefix}\U0002d788J"  # a CJK Extension E ideograph
    event = {"user_id": user, "item_id": f"{prefix}i", "kind": "like", "timestamp": 1_700_000_000}
    assert client.post("/v1/events", json=[event]).status_code == 200
    answer = client.get(f"/v1/users/{user}/interests/timeline.svg",
                        query_string={"from": "2023-01-01T00:00:00Z"})  # fmt: skip
    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"
