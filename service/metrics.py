"""Prometheus metrics, served at ``GET /metrics`` (``service/api/metrics.py``, scope ``metrics``).

What is recorded as it happens: latency and status per route (``prometheus-flask-exporter``,
labelled by the URL rule, never the raw path), the events, texts and feedback records taken, the
seconds text extraction takes, and Neo4j errors behind 503s and 500s. What is read from the graph
when scraped (``GraphStateCollector``, kept for ``METRICS_CACHE_SECONDS``): the serving and the
latest embedding run, the rankings kept ahead, and the answers logged over the last
``METRICS_FEEDBACK_WINDOW_SECONDS`` (reward rate, exploration share).

Under gunicorn, ``PROMETHEUS_MULTIPROC_DIR`` names a folder (``service/gunicorn_config.py``):
every worker writes what it records into files there and a scrape adds them up
(``prometheus_client``'s multiprocess mode). The graph's state is not written to files: one
collector on the scrape's registry reads it, so it is reported once, not once per worker.
Without the variable (tests, ``flask run``) everything lives in the app's own registry.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from flask import Flask, Request, current_app, request
from flask.typing import ErrorHandlerCallable
from neo4j.exceptions import DriverError, Neo4jError
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from prometheus_flask_exporter import PrometheusMetrics

from graph.store import UNAVAILABLE_ERRORS, Graph
from service.precomputed import MAX_AGE

logger = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
Taken = Literal["events", "texts", "feedback"]
RESULTS = ("created", "duplicate")  # a record taken was new, or had been taken before
RUN_STATUSES = ("running", "finished", "rejected", "failed")  # embeddings.retraining
RUN_QUALITY = ("mrr", "hits_at_10", "ndcg_at_10")  # exported when the run recorded them
#: Requests with another method are not recorded: each method would be a new series.
TRACKED_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
#: Extraction of a batch: tens of milliseconds for a short text, seconds for the first batch of a
#: worker (it loads MiniLM) or for a hundred long texts.
EXTRACTION_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


def route(req: Request) -> str:
    """A request's ``route`` label: its URL rule (``/v1/users/<user_id>/events``), so user and
    item ids never become series; ``unmatched`` for a path no rule matches."""
    rule = req.url_rule
    return rule.rule if rule is not None else "unmatched"


class Metrics:
    """The app's metrics, kept in ``app.extensions["metrics"]``. Create it first in
    ``create_app``, before anything that can refuse a request, so every answer is timed."""

    def __init__(self, app: Flask) -> None:
        self.multiprocess = bool(os.environ.get(MULTIPROC_ENV))
        self.registry = CollectorRegistry()  # what this process records
        self.exporter = PrometheusMetrics(app, path=None, registry=self.registry, group_by=route)
        app.before_request(_skip_unusual_methods)
        r = self.registry
        self.taken = {
            kind: Counter(f"interests_{kind}_taken", f"{kind.capitalize()} taken in by accepted "
                          "batches, by whether each was new", ["result"], registry=r)
            for kind in ("events", "texts", "feedback")
        }  # fmt: skip
        self.extraction = Histogram(
            "interests_text_extraction_seconds",
            "Seconds to extract interest phrases from one batch of texts taken",
            buckets=EXTRACTION_BUCKETS,
            registry=r,
        )
        self.neo4j_errors = Counter(
            "interests_neo4j_errors",
            "Neo4j errors: 'unavailable' answered 503, 'error' answered 500",
            ["kind"],
            registry=r,
        )
        workers = Gauge("interests_workers", "Processes serving the API", registry=r,
                        multiprocess_mode="livesum")  # fmt: skip
        workers.set(1)
        for counter in self.taken.values():
            for result in RESULTS:
                counter.labels(result)
        for kind in ("unavailable", "error"):
            self.neo4j_errors.labels(kind)
        _count_database_errors(app, self.neo4j_errors)
        self.state = GraphStateCollector(
            lambda: app.extensions["neo4j"].graph,
            cache_s=float(app.config["METRICS_CACHE_SECONDS"]),
            window_s=int(app.config["METRICS_FEEDBACK_WINDOW_SECONDS"]),
            errors=self.neo4j_errors,
        )
        if self.multiprocess:
            self.scraped = CollectorRegistry()  # the workers' files, added up, and the state
            MultiProcessCollector(self.scraped)
        else:
            self.scraped = self.registry
        self.scraped.register(self.state)
        app.extensions["metrics"] = self

    def exposition(self, accept: str | None) -> tuple[bytes, str]:
        """Everything, in the format the scraper accepts (text or OpenMetrics)."""
        encode, content_type = choose_encoder(accept or "")
        return encode(self.scraped), content_type


def current() -> Metrics:
    found: Metrics = current_app.extensions["metrics"]
    return found


def count_taken(kind: Taken, *, created: int, duplicates: int) -> None:
    """Count the records of an accepted batch: ``created`` new ones, ``duplicates`` repeats."""
    counter = current().taken[kind]
    counter.labels("created").inc(created)
    counter.labels("duplicate").inc(duplicates)


@contextmanager
def timing_extraction() -> Iterator[None]:
    """Observe the seconds the block takes as one batch's extraction."""
    with current().extraction.time():
        yield


def _skip_unusual_methods() -> None:
    if request.method not in TRACKED_METHODS:
        setattr(request, "prom_do_not_track", True)  # noqa: B010 (the exporter's own flag)


def _count_database_errors(app: Flask, errors: Counter) -> None:
    """Count Neo4j errors on their way to the handlers of ``service/errors.py``: those that mean
    "unavailable" (503) and every other driver or database error (500)."""
    handlers = app.error_handler_spec[None][None]
    for exception in UNAVAILABLE_ERRORS:
        app.register_error_handler(exception, _counted(handlers[exception], errors, "unavailable"))
    internal = handlers[Exception]
    for exception in (Neo4jError, DriverError):
        app.register_error_handler(exception, _counted(internal, errors, "error"))


def _counted(handler: ErrorHandlerCallable, errors: Counter, kind: str) -> ErrorHandlerCallable:
    def count_then_answer(error: Any) -> Any:
        errors.labels(kind).inc()
        return handler(error)

    return count_then_answer


# --- the graph's state, read at scrape time ---------------------------------------------------


@dataclass(frozen=True)
class Run:
    run_id: str
    model: str
    status: str
    started_ms: int | None
    finished_ms: int | None
    quality: dict[str, float]


@dataclass(frozen=True)
class Rankings:
    users: int  # users holding a ranking kept ahead
    stale: int  # of those, rankings that no longer hold
    oldest_ms: int | None
    newest_ms: int | None


@dataclass(frozen=True)
class FeedbackWindow:
    policy: str
    answers: int
    shown: int
    explored: int
    clicked: int
    reward: float


@dataclass(frozen=True)
class GraphState:
    now_ms: int  # the database's clock
    serving: Run | None
    latest: Run | None
    runs: dict[str, int]  # recorded runs per status
    rankings: Rankings
    feedback: list[FeedbackWindow]
    window_s: int


def fetch_state(graph: Graph, *, window_s: int) -> GraphState:
    """The graph's state in three reads."""
    runs = graph.read("metrics/embedding_runs")[0]
    kept = graph.read("metrics/rankings_ahead", max_age_s=int(MAX_AGE.total_seconds()))[0]
    feedback = [FeedbackWindow(w["policy"], w["answers"], w["shown"], w["explored"], w["clicked"],
                               float(w["reward"]))
                for w in graph.read("metrics/feedback_window", window_s=window_s)]  # fmt: skip
    latest = runs["latest"]
    return GraphState(
        now_ms=runs["now"],
        serving=_run(runs["serving"]) if runs["serving"] is not None else None,
        latest=_run(latest[0]) if latest else None,
        runs={tally["status"]: tally["runs"] for tally in runs["statuses"]},
        rankings=Rankings(kept["users"], kept["stale"], kept["oldest"], kept["newest"]),
        feedback=feedback,
        window_s=window_s,
    )


def _run(row: dict[str, Any]) -> Run:
    recorded = json.loads(row["metrics"]) if row.get("metrics") else {}
    quality = {k: float(v) for k, v in recorded.items() if k in RUN_QUALITY}
    return Run(row["id"], row.get("model") or "", row.get("status") or "", row.get("started"),
               row.get("finished"), quality)  # fmt: skip


def state_metrics(state: GraphState) -> list[Metric]:
    """The gauges of a state (pure: ages are measured on the database's clock)."""

    def gauge(name: str, help_text: str, labels: Sequence[str] = ()) -> GaugeMetricFamily:
        family = GaugeMetricFamily(name, help_text, labels=list(labels))
        found.append(family)
        return family

    def seconds(since_ms: int | None, until_ms: int | None = state.now_ms) -> float | None:
        return None if since_ms is None or until_ms is None else (until_ms - since_ms) / 1000

    found: list[Metric] = []
    info = gauge("interests_embedding_run_info", "The serving and the latest embedding run",
                 ["run", "run_id", "model"])  # fmt: skip
    age = gauge("interests_embedding_run_age_seconds",
                "Seconds since the run started (its triples were exported then)",
                ["run"])  # fmt: skip
    duration = gauge("interests_embedding_run_duration_seconds",
                     "Seconds the run took, start to finish", ["run"])  # fmt: skip
    quality = {metric: gauge(f"interests_embedding_run_{metric}",
                             f"The run's test {metric} (link prediction)", ["run"])
               for metric in RUN_QUALITY}  # fmt: skip
    status = gauge("interests_embedding_run_status", "1 for the run's status", ["run", "status"])
    for which, run in (("serving", state.serving), ("latest", state.latest)):
        if run is None:
            continue
        info.add_metric([which, run.run_id, run.model], 1)
        if (value := seconds(run.started_ms)) is not None:
            age.add_metric([which], value)
        if (value := seconds(run.started_ms, run.finished_ms)) is not None:
            duration.add_metric([which], value)
        for metric, value in run.quality.items():
            quality[metric].add_metric([which], value)
        for name in dict.fromkeys((*RUN_STATUSES, run.status)):
            status.add_metric([which, name], 1 if name == run.status else 0)
    runs = gauge("interests_embedding_runs", "Embedding runs recorded, per status", ["status"])
    for name in dict.fromkeys((*RUN_STATUSES, *sorted(state.runs))):
        runs.add_metric([name], state.runs.get(name, 0))

    kept = state.rankings
    gauge("interests_rankings_ahead_users", "Users holding a ranking kept ahead").add_metric(
        [], kept.users
    )
    gauge("interests_rankings_ahead_stale_users",
          "Kept rankings that no longer hold (answered live until the next precompute)"
          ).add_metric([], kept.stale)  # fmt: skip
    oldest = gauge("interests_rankings_ahead_oldest_age_seconds", "Age of the oldest kept ranking")
    newest = gauge("interests_rankings_ahead_newest_age_seconds", "Age of the newest kept ranking")
    if (value := seconds(kept.oldest_ms)) is not None:
        oldest.add_metric([], value)
    if (value := seconds(kept.newest_ms)) is not None:
        newest.add_metric([], value)

    gauge("interests_feedback_window_seconds",
          "The window of the feedback gauges: answers logged this recently").add_metric(
        [], state.window_s)  # fmt: skip
    per_policy = {
        "answers": gauge("interests_feedback_window_answers", "Answers logged", ["policy"]),
        "shown": gauge("interests_feedback_window_shown_items", "Items shown", ["policy"]),
        "explored": gauge("interests_feedback_window_explored_items",
                          "Items shown to explore", ["policy"]),
        "clicked": gauge("interests_feedback_window_clicked_items", "Items shown and clicked",
                         ["policy"]),
        "reward": gauge("interests_feedback_window_reward",
                        "Reward earned by the items shown (click x dwell, each in [0, 1])",
                        ["policy"]),
    }  # fmt: skip
    reward_rate = gauge("interests_reward_rate", "Reward per item shown", ["policy"])
    exploration = gauge("interests_exploration_share", "Share of items shown to explore",
                        ["policy"])  # fmt: skip
    for window in state.feedback:
        for field, family in per_policy.items():
            family.add_metric([window.policy], getattr(window, field))
        if window.shown:
            reward_rate.add_metric([window.policy], window.reward / window.shown)
            exploration.add_metric([window.policy], window.explored / window.shown)
    return found


class GraphStateCollector(Collector):
    """Gauges read from Neo4j when scraped, kept for ``cache_s`` (each worker keeps its own), so
    that scrapes stay cheap; a failed read answers ``interests_graph_state_up 0``."""

    def __init__(
        self, graph: Callable[[], Graph], *, cache_s: float, window_s: int, errors: Counter
    ) -> None:
        self._graph = graph
        self._cache_s = cache_s
        self._window_s = window_s
        self._errors = errors
        self._lock = threading.Lock()
        self._kept: tuple[float, list[Metric]] | None = None

    def describe(self) -> list[Metric]:
        return []  # names are not checked against the registry's (nothing else makes them)

    def collect(self) -> list[Metric]:
        with self._lock:
            now = time.monotonic()
            if self._kept is None or now - self._kept[0] >= self._cache_s:
                self._kept = (now, self._read())
            return self._kept[1]

    def _read(self) -> list[Metric]:
        started = time.perf_counter()
        try:
            found = state_metrics(fetch_state(self._graph(), window_s=self._window_s))
            up = 1
        except UNAVAILABLE_ERRORS as error:
            logger.warning("metrics: Neo4j unavailable (%s)", type(error).__name__)
            self._errors.labels("unavailable").inc()
            found, up = [], 0
        except (Neo4jError, DriverError):
            logger.exception("metrics: reading the graph's state failed")
            self._errors.labels("error").inc()
            found, up = [], 0
        took = time.perf_counter() - started
        return [
            GaugeMetricFamily("interests_graph_state_up",
                              "1 when the last read of the graph's state succeeded", value=up),
            GaugeMetricFamily("interests_graph_state_read_seconds",
                              "Seconds the last read of the graph's state took", value=took),
            *found,
        ]  # fmt: skip
