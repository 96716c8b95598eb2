from __future__ import annotations

from datetime import datetime, timezone

import pytest

from graph.ingest.records import BatchError, EventIn, ItemIn, parse_batch
from graph.ingest.signals import interaction_weight


def event(**fields: object) -> dict[str, object]:
    return {
        "user_id": "u1",
        "item_id": "i1",
        "kind": "view",
        "timestamp": "2024-03-01T12:00:00Z",
        **fields,
    }


def errors_of(payload: object, model: type = EventIn, **options: int) -> list[tuple]:
    with pytest.raises(BatchError) as caught:
        parse_batch(model, payload, **options)
    return [(e.index, e.field, e.reason) for e in caught.value.errors]


def test_valid_events_become_rows_with_utc_times_and_weights() -> None:
    [rated] = parse_batch(
        EventIn, [event(kind="rate", value=5, timestamp="2024-03-01T13:00:00+01:00")]
    )
    row = rated.row()
    assert datetime.fromtimestamp(row["at_s"], timezone.utc) == datetime(
        2024, 3, 1, 12, tzinfo=timezone.utc
    )
    assert row["at_ns"] == 0
    assert row["weight"] == 1.0


def test_epoch_seconds_are_accepted_and_sub_second_precision_kept() -> None:
    [a, b] = parse_batch(
        EventIn, [event(timestamp=1_700_000_000), event(timestamp="2024-03-01T12:00:00.25Z")]
    )
    assert a.row()["at_s"] == 1_700_000_000
    assert b.row()["at_ns"] == 250_000_000


def test_every_bad_record_is_named_by_index_and_field() -> None:
    payload = [
        event(),
        event(kind="teleport"),
        event(timestamp="yesterday"),
        event(timestamp="2024-03-01T12:00:00"),  # no time zone
        event(user_id=""),
        event(kind="rate"),  # a rating without a value
        event(kind="rate", value=7),
        event(colour="red"),
        event(value=float("nan")),
    ]
    found = errors_of(payload)
    assert [(index, field) for index, field, _ in found] == [
        (1, "kind"),
        (2, "timestamp"),
        (3, "timestamp"),
        (4, "user_id"),
        (5, None),
        (6, None),
        (7, "colour"),
        (8, None),
    ]
    assert "timezone" in found[2][2]
    assert "needs a value" in found[4][2]


def test_batch_shape_errors() -> None:
    assert errors_of({"user_id": "u1"}) == [(None, None, "expected a JSON array of records")]
    assert errors_of([]) == [(None, None, "the batch is empty")]
    with pytest.raises(BatchError) as caught:
        parse_batch(EventIn, [event()] * 3, max_records=2)
    assert caught.value.too_large


def test_repeated_event_in_one_batch_is_kept_once_but_a_conflicting_repeat_is_an_error() -> None:
    same = event(event_id="e1")
    assert len(parse_batch(EventIn, [same, same])) == 1
    assert errors_of([same, event(event_id="e1", kind="click")]) == [
        (1, "event_id", "repeats the event_id of record 0 with other content")
    ]


def test_events_without_an_id_get_a_stable_one_from_their_content() -> None:
    [a] = parse_batch(EventIn, [event()])
    [b] = parse_batch(EventIn, [event(timestamp="2024-03-01T13:00:00+01:00")])  # same instant
    [c] = parse_batch(EventIn, [event(kind="click")])
    assert a.key == b.key != c.key
    assert a.key.startswith("h:")


def test_items_validate_and_drop_repeated_categories() -> None:
    [item] = parse_batch(
        ItemIn, [{"id": "m1", "title": " Alien ", "categories": ["Sci-Fi", "Sci-Fi", "Horror"]}]
    )
    assert item.row() == {
        "id": "m1",
        "title": "Alien",
        "categories": ["Sci-Fi", "Horror"],
        "description": None,
    }
    assert [
        (i, f)
        for i, f, _ in errors_of(
            [{"id": "m1"}, {"id": "m1", "title": "x"}, {"id": "m1", "title": "y"}], ItemIn
        )
    ] == [(0, "title")]
    assert errors_of([{"id": "m1", "title": "x"}, {"id": "m1", "title": "y"}], ItemIn) == [
        (1, "id", "repeats the id of record 0")
    ]


@pytest.mark.parametrize(
    ("kind", "value", "weight"),
    [
        ("rate", 5.0, 1.0),
        ("rate", 2.5, 0.0),
        ("rate", 0.5, -0.8),
        ("view", None, 0.25),
        ("purchase", 2.0, 1.5),
        ("dislike", None, -1.0),
    ],
)
def test_interaction_weight(kind: str, value: float | None, weight: float) -> None:
    assert interaction_weight(kind, value) == pytest.approx(weight)
