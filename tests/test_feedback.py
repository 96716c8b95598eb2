"""What was shown and how people reacted: the logged answer, POST /v1/feedback, the policy that
learns from it online (across workers, across restarts), and the user's data covering it."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from embeddings import bandit, retraining
from embeddings.bandit import Learner
from embeddings.training import TrainingConfig
from graph.evolution.feedback_state import FeedbackState
from graph.ingest.feedback import Shown, ShownItem, write_shown
from graph.privacy import erasure
from graph.store import Graph
from graph.store.config import Connection
from service import shown_log
from service.cli import main
from tests.support import PSEUDONYMS, create_test_app, fake_trainer, found_anywhere, json_of

pytestmark = pytest.mark.neo4j

ITEMS_PER_TASTE = 40


def given_a_catalogue(client: FlaskClient, graph: Graph, prefix: str) -> None:
    """Forty comedies and forty horror films, each liked by a few others (so they are popular),
    and a trained run (which counts popularity)."""
    items = [{"id": f"{prefix}{kind}{n}", "title": f"{kind} {n}", "categories": [f"{prefix}{kind}"]}
             for kind in ("comedy", "horror") for n in range(ITEMS_PER_TASTE)]  # fmt: skip
    assert client.post("/v1/items", json=items).status_code == 200
    events = [{"event_id": f"{prefix}e{u}-{i['id']}", "user_id": f"{prefix}other{u}",
               "kind": "like", "item_id": i["id"], "timestamp": 1_700_000_000 + u}
              for u in range(3) for i in items]  # fmt: skip
    assert client.post("/v1/events", json=events).status_code == 200
    retraining.retrain(graph, TrainingConfig(), trainer=fake_trainer(0.5))


def ask(client: FlaskClient, user: str, **args: object) -> dict[str, Any]:
    answer = client.get(f"/v1/users/{user}/recommendations", query_string=args)
    body: dict[str, Any] = json_of(answer)
    assert answer.status_code == 200, body
    return body


def now() -> str:
    return datetime.now(UTC).isoformat()


def react(answer: dict[str, Any], likes: str, *, dwell: float = 240.0) -> list[dict[str, Any]]:
    """A person who clicks and stays on what is of ``likes`` and skips the rest."""
    records = []
    for item in answer["items"]:
        common = {"recommendation_id": answer["recommendation_id"], "item_id": item["item_id"],
                  "timestamp": now()}  # fmt: skip
        records.append({**common, "kind": "impression"})
        if likes in item["item_id"]:
            records.append({**common, "kind": "click", "dwell_s": dwell})
        else:
            records.append({**common, "kind": "skip"})
    return records


def shown_of(graph: Graph, recommendation_id: str) -> list[dict[str, Any]]:
    found = graph.read("feedback/logged", since=datetime(2000, 1, 1, tzinfo=UTC), policy="bandit")
    for r in found:
        if r["id"] == recommendation_id:
            return sorted(r["shown"], key=lambda s: s["item_id"])
    return []


def test_an_answer_is_logged_with_positions_and_propensities(
    client: FlaskClient, graph: Graph, prefix: str
) -> None:
    given_a_catalogue(client, graph, prefix)
    answer = ask(client, f"{prefix}fan", k=5)
    assert answer["recommendation_id"].startswith("r:")
    assert answer["policy"]["name"] == "bandit" and answer["policy"]["version"].startswith("vw-")
    assert [i["position"] for i in answer["items"]] == [1, 2, 3, 4, 5]
    assert all(0 < i["propensity"] <= 1 for i in answer["items"])
    assert all(isinstance(i["explored"], bool) for i in answer["items"])
    logged = shown_of(graph, answer["recommendation_id"])
    assert sorted(s["item_id"] for s in logged) == sorted(i["item_id"] for i in answer["items"])
    current = ask(client, f"{prefix}fan", k=5, policy="current")
    assert all(i["propensity"] == 1.0 and not i["explored"] for i in current["items"])
    assert current["recommendation_id"] != answer["recommendation_id"]
    what_if = ask(client, f"{prefix}fan", k=5, as_of=1_800_000_000)
    assert "recommendation_id" not in what_if  # an analysis of the past is not shown to anyone


def test_feedback_sets_the_reward_once_and_repeats_change_nothing(
    client: FlaskClient, graph: Graph, prefix: str
) -> None:
    given_a_catalogue(client, graph, prefix)
    answer = ask(client, f"{prefix}fan", k=4, policy="current")
    first, second = answer["items"][0]["item_id"], answer["items"][1]["item_id"]
    rec = answer["recommendation_id"]
    records = [
        {"recommendation_id": rec, "item_id": first, "kind": "impression", "timestamp": now()},
        {"recommendation_id": rec, "item_id": first, "kind": "click", "dwell_s": 900.0,
         "timestamp": now()},
        {"recommendation_id": rec, "item_id": second, "kind": "click", "dwell_s": 30.0,
         "timestamp": now()},
        {"recommendation_id": rec, "item_id": answer["items"][2]["item_id"], "kind": "skip",
         "timestamp": now()},
    ]  # fmt: skip
    written = client.post("/v1/feedback", json=records)
    assert written.status_code == 200, written.json
    assert written.json == {"received": 4, "created": 4, "duplicates": 0}
    again = client.post("/v1/feedback", json={"feedback": records})
    assert again.json == {"received": 4, "created": 0, "duplicates": 4}
    logged = graph.read("feedback/logged", since=datetime(2000, 1, 1, tzinfo=UTC),
                        policy="current")  # fmt: skip
    shown = {s["item_id"]: s for r in logged if r["id"] == rec for s in r["shown"]}
    assert shown[first]["reward"] == 1.0  # the dwell is capped at 300 s
    assert shown[second]["reward"] == pytest.approx(0.1)
    assert shown[answer["items"][2]["item_id"]]["reward"] == 0.0
    assert shown[answer["items"][3]["item_id"]]["resolved_at"] is None  # no outcome yet
    held = client.get(f"/v1/users/{prefix}fan/export").json
    kinds = sorted(e["kind"] for e in held["events"])
    assert kinds == ["click", "click", "skip"]  # interest signals, once each
    clicked = {e["item_id"]: e["weight"] for e in held["events"] if e["kind"] == "click"}
    assert clicked[first] == 1.0 and clicked[second] == pytest.approx(0.25 + 0.75 * 0.1)
    state = FeedbackState.from_json(held["user"]["policy_state"])
    assert state.outcomes == 3 and set(state.clicked) == {first, second}
    [logged_answer] = [r for r in held["recommendations"] if r["id"] == rec]
    assert {i["item_id"]: i["reward"] for i in logged_answer["items"]}[first] == 1.0


def test_bad_feedback_names_each_record_and_writes_nothing(
    client: FlaskClient, graph: Graph, prefix: str
) -> None:
    given_a_catalogue(client, graph, prefix)
    answer = ask(client, f"{prefix}fan", k=3, policy="current")
    rec, item = answer["recommendation_id"], answer["items"][0]["item_id"]
    good = {"recommendation_id": rec, "item_id": item, "kind": "click", "dwell_s": 10.0,
            "timestamp": now()}  # fmt: skip
    long_ago = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    cases = [
        ({**good, "recommendation_id": "r:nope"}, "recommendation_id"),
        ({**good, "item_id": f"{prefix}horror39"}, "item_id"),
        ({**good, "timestamp": long_ago}, "timestamp"),
    ]
    for bad, field in cases:
        answered = client.post("/v1/feedback", json=[good, bad])
        assert answered.status_code == 400, answered.json
        details = answered.json["error"]["details"]
        assert details == [{"index": 1, "field": field, "reason": details[0]["reason"]}], details
    for bad, field in [({**good, "kind": "skip"}, None), ({**good, "dwell_s": -1.0}, None),
                       ({**good, "kind": "stare"}, "kind")]:  # fmt: skip
        answered = client.post("/v1/feedback", json=[good, bad])
        assert answered.status_code == 400 and answered.json["error"]["details"][0]["index"] == 1
        if field is not None:
            assert answered.json["error"]["details"][0]["field"] == field
    held = client.get(f"/v1/users/{prefix}fan/export").json
    assert held["events"] == [] and "policy_state" not in held["user"]  # nothing half-written


def test_the_policy_learns_a_planted_taste_within_a_few_answers(
    client: FlaskClient, graph: Graph, prefix: str
) -> None:
    given_a_catalogue(client, graph, prefix)
    # the planted taste is the kind the first answer shows less of (ties of popularity, and what
    # the shared policy learnt in earlier tests, decide which kind that is)
    answer = ask(client, f"{prefix}fan", k=4)
    horror = sum("horror" in i["item_id"] for i in answer["items"])
    taste = "horror" if horror <= 2 else "comedy"
    shares = []  # of the planted taste's films
    for _ in range(8):  # at most 32 of its 40 films consumed
        shares.append(sum(taste in i["item_id"] for i in answer["items"]) / 4)
        assert client.post("/v1/feedback", json=react(answer, taste)).status_code == 200
        answer = ask(client, f"{prefix}fan", k=4)
    assert sum(shares[-3:]) / 3 >= 0.75, shares  # exploration keeps a little of the rest
    explored = ask(client, f"{prefix}fan", k=5, explain="true")
    for item in explored["items"]:
        if item["explored"]:
            assert item["reason"].startswith("shown to explore"), item


def test_every_worker_learns_from_the_shared_log_and_a_restart_resumes_from_a_snapshot(
    client: FlaskClient,
    graph: Graph,
    prefix: str,
    neo4j_connection: Connection,
    admin_token: str,
) -> None:
    given_a_catalogue(client, graph, prefix)
    other_worker: Flask = create_test_app(neo4j_connection, admin_token)
    learner: Learner = other_worker.extensions["policies"].learner()
    before = learner.bandit.examples
    answer = ask(client, f"{prefix}fan", k=5)
    assert client.post("/v1/feedback", json=react(answer, "comedy")).status_code == 200
    assert learner.catch_up() == 5  # the other worker learns what this one was told
    assert learner.bandit.examples == before + 5 and learner.catch_up() == 0  # once
    version = learner.checkpoint()
    restarted = Learner(graph)
    assert restarted.snapshot_version == version and restarted.catch_up() == 0
    probe = "aff:0.6 affmax:0.6 unc:0.3 neg:0 skips:0 blend:0 kept:0 answer:0 pop:0.3"
    assert restarted.bandit.predict("fb:0.2 shift:0", [probe]) == pytest.approx(
        learner.bandit.predict("fb:0.2 shift:0", [probe])
    )


def test_erasure_export_and_retention_cover_what_was_shown(
    client: FlaskClient, graph: Graph, prefix: str
) -> None:
    given_a_catalogue(client, graph, prefix)
    user = f"{prefix}fan"
    answer = ask(client, user, k=3)
    assert client.post("/v1/feedback", json=react(answer, "comedy")).status_code == 200
    held = client.get(f"/v1/users/{user}/export").json
    assert [r["id"] for r in held["recommendations"]] == [answer["recommendation_id"]]
    erased = client.delete(f"/v1/users/{user}").json["erased"]
    assert erased["recommendations"] == 1
    assert found_anywhere(graph, answer["recommendation_id"]) == []
    assert found_anywhere(graph, PSEUDONYMS.user(user)) == []
    later = ask(client, f"{prefix}other0", k=3)
    expired = erasure.expire(graph, datetime.now(UTC) + timedelta(seconds=5))
    assert expired.recommendations >= 1
    assert found_anywhere(graph, later["recommendation_id"]) == []


def test_the_logs_answer_what_other_policies_would_have_earned(
    client: FlaskClient, graph: Graph, prefix: str, cli_env: None
) -> None:
    given_a_catalogue(client, graph, prefix)
    for n in range(3):
        answer = ask(client, f"{prefix}fan{n}", k=4)
        assert client.post("/v1/feedback", json=react(answer, "horror")).status_code == 200
    evaluated = CliRunner().invoke(main, ["evaluate-policy", "--days", "1"])
    assert evaluated.exit_code == 0, evaluated.output
    assert "current" in evaluated.output and "random" in evaluated.output
    assert "IPS" in evaluated.output and "DR" in evaluated.output
    nothing = CliRunner().invoke(main, ["evaluate-policy", "--policy", "epsilon", "--days", "1"])
    assert nothing.exit_code == 1 and "no logged recommendations" in nothing.output
    saved = CliRunner().invoke(main, ["policy", "checkpoint"])
    assert saved.exit_code == 0 and "policy snapshot" in saved.output, saved.output


def test_the_learner_pages_through_many_outcomes_resolved_at_one_instant(
    client: FlaskClient, graph: Graph, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feedback batch resolves all its items at one instant: the learner must page past
    them by id, not stop at the first page (it learnt a page, then re-read it forever)."""
    given_a_catalogue(client, graph, prefix)
    learner = Learner(graph)
    learner.catch_up()
    answers = [ask(client, f"{prefix}fan{n}", k=5) for n in range(3)]
    records = [r for a in answers for r in react(a, "horror")]
    assert client.post("/v1/feedback", json=records).status_code == 200  # one transaction
    monkeypatch.setattr(bandit, "BATCH", 4)  # pages of 4 outcomes
    assert learner.catch_up() == 15 and learner.catch_up() == 0


def behind(conn: Connection, token: str, *, linger_s: float) -> FlaskClient:
    """A second worker that logs behind its answers, its writer waiting ``linger_s`` first."""
    worker = create_test_app(conn, token, POLICY_LOG_BEHIND=True)
    worker.extensions["policies"].log.linger_s = linger_s
    return worker.test_client()


def test_an_answer_logged_behind_it_reaches_the_graph_and_feedback_waits_for_it(
    client: FlaskClient, graph: Graph, prefix: str, neo4j_connection: Connection,
    admin_token: str,
) -> None:  # fmt: skip
    given_a_catalogue(client, graph, prefix)
    other = behind(neo4j_connection, admin_token, linger_s=1.0)
    answer = ask(other, f"{prefix}fan", k=4)
    assert shown_of(graph, answer["recommendation_id"]) == []  # answered before it was logged
    started = time.perf_counter()
    # this worker is told of it first: it waits for the other worker's log
    taken = client.post("/v1/feedback", json=react(answer, "comedy"))
    assert taken.status_code == 200 and json_of(taken)["created"] == 8, taken.json
    assert time.perf_counter() - started > 0.2
    assert [s["item_id"] for s in shown_of(graph, answer["recommendation_id"])] == sorted(
        i["item_id"] for i in answer["items"]
    )
    mine = ask(other, f"{prefix}fan", k=2)  # the worker's own pending log is written first
    assert other.post("/v1/feedback", json=react(mine, "comedy")).status_code == 200


def test_feedback_on_an_unknown_recommendation_waits_only_while_it_may_be_on_its_way(
    client: FlaskClient, graph: Graph, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    given_a_catalogue(client, graph, prefix)
    monkeypatch.setattr(shown_log, "PENDING_S", 2.0)
    record = {"item_id": f"{prefix}comedy0", "kind": "impression", "timestamp": now()}
    for rec, waits in [("r:" + "0" * 32, False),  # no instant of issue in it: refused at once
                       (shown_log.new_recommendation_id(), True)]:  # fmt: skip
        started = time.perf_counter()
        refused = client.post("/v1/feedback", json=[{**record, "recommendation_id": rec}])
        took = time.perf_counter() - started
        assert refused.status_code == 400 and (took >= 1.0) == waits, (rec, took)
        assert json_of(refused)["error"]["details"][0]["field"] == "recommendation_id"


def test_an_answer_logged_after_its_user_was_erased_does_not_bring_the_user_back(
    client: FlaskClient, graph: Graph, prefix: str, neo4j_connection: Connection,
    admin_token: str,
) -> None:  # fmt: skip
    given_a_catalogue(client, graph, prefix)
    user = f"{prefix}fan"
    assert client.post("/v1/events", json=[{"event_id": f"{prefix}e", "user_id": user,
                       "kind": "like", "item_id": f"{prefix}comedy1",
                       "timestamp": 1_700_000_000}]).status_code == 200  # fmt: skip
    other = behind(neo4j_connection, admin_token, linger_s=1.0)
    answer = ask(other, user, k=3)
    assert client.delete(f"/v1/users/{user}").status_code == 200
    assert other.application.extensions["policies"].log.flush()
    assert found_anywhere(graph, answer["recommendation_id"]) == []
    assert found_anywhere(graph, PSEUDONYMS.user(user)) == []


def test_a_retried_log_writes_nothing_twice_and_a_new_user_is_created(
    client: FlaskClient, graph: Graph, prefix: str
) -> None:
    given_a_catalogue(client, graph, prefix)
    rec = shown_log.new_recommendation_id()
    item = ShownItem(f"{prefix}comedy0", 1, 1.0, False, "aff:0", 0.1, True, [f"{prefix}comedy"])
    shown = Shown(rec, f"{prefix}newcomer", shown_log.issued_at(rec) or datetime.now(UTC),
                  False, "current", "1", 1, 1, 0.0, "", 0.1, 0.1, [item])  # fmt: skip
    assert write_shown(graph, [shown]) == 1
    assert write_shown(graph, [shown]) == 0
    assert [s["item_id"] for s in shown_of_policy(graph, rec, "current")] == [item.item_id]


def shown_of_policy(graph: Graph, recommendation_id: str, policy: str) -> list[dict[str, Any]]:
    found = graph.read("feedback/logged", since=datetime(2000, 1, 1, tzinfo=UTC), policy=policy)
    return next((r["shown"] for r in found if r["id"] == recommendation_id), [])


def test_a_recommendation_id_carries_its_instant_of_issue() -> None:
    at = datetime(2026, 11, 30, 12, 0, 0, 123000, tzinfo=UTC)
    rec = shown_log.new_recommendation_id(at)
    assert rec.startswith("r:") and len(rec) == 34 and rec != shown_log.new_recommendation_id(at)
    assert shown_log.issued_at(rec) == at
    assert shown_log.issued_at("r:nope") is None and shown_log.issued_at("x" * 34) is None
    assert shown_log.issued_at("r:" + "z" * 32) is None
