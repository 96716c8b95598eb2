"""The log of what was shown, written behind the answers.

An answer "now" returns as soon as its list is chosen; its log entry (``graph.ingest.feedback
.Shown``) waits in its worker's ``ShownLog``, whose thread writes what has gathered every
``LINGER_S`` in one statement (``write_shown``). In a Neo4j outage the thread retries with
backoff, and once ``MAX_PENDING`` entries wait, answers write their own entry and fail (503)
like every other write.

A recommendation's id carries the instant it was issued (``new_recommendation_id``), so feedback
that names one not yet in the graph can tell "another worker is about to write it" from "no such
recommendation": ``take_feedback`` first writes its own worker's pending entries, then waits up
to ``PENDING_S`` after an unknown id's issue for another worker's, and only then answers 400.
A worker that exits writes what it holds (``close``, at exit); one killed outright loses at most
the entries of its last ``LINGER_S`` (their feedback is then refused as unknown).
"""

from __future__ import annotations

import atexit
import logging
import secrets
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from graph.ingest.feedback import FeedbackIn, FeedbackWritten, Shown, write_feedback, write_shown
from graph.ingest.records import BatchError
from graph.store import Graph

logger = logging.getLogger(__name__)

LINGER_S = 0.01  # the writer gathers entries this long before a write
MAX_BATCH = 500  # entries per write
MAX_PENDING = 10_000  # entries waiting before answers write their own
PENDING_S = 5.0  # how long after its issue an unknown recommendation may still be on its way
RETRY_S = 0.05  # between tries of feedback waiting for such a recommendation
BACKOFF_S = (0.1, 0.5, 2.0, 5.0)  # between tries of a failed write
FLUSH_TIMEOUT_S = 10.0


def new_recommendation_id(now: datetime | None = None) -> str:
    """``r:`` then the instant of issue (milliseconds since the epoch, 12 hex digits) and 80
    random bits."""
    millis = int((now or datetime.now(UTC)).timestamp() * 1000)
    return f"r:{millis:012x}{secrets.token_hex(10)}"


def issued_at(recommendation_id: str) -> datetime | None:
    """The instant of issue that ``new_recommendation_id`` put in the id; None for another form."""
    digits = recommendation_id.removeprefix("r:")[:12]
    if len(recommendation_id) != 34 or not recommendation_id.startswith("r:"):
        return None
    try:
        return datetime.fromtimestamp(int(digits, 16) / 1000, UTC)
    except (ValueError, OverflowError, OSError):
        return None


class ShownLog:
    """One worker's entries on their way to the graph (see the module's description). With
    ``background=False`` every entry is written as it is put (tests, tools)."""

    def __init__(
        self,
        graph: Graph,
        *,
        background: bool = True,
        linger_s: float = LINGER_S,
        max_pending: int = MAX_PENDING,
    ) -> None:
        self.graph = graph
        self.background = background
        self.linger_s = linger_s
        self.max_pending = max_pending
        self._pending: list[Shown] = []
        self._taken = 0  # entries put in the queue
        self._done = 0  # ... and written (or found already there)
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closing = False
        self._registered = False

    def put(self, shown: Shown) -> None:
        """Log ``shown``: queued for the writer, or written now when the queue is full or there
        is no writer."""
        if self.background:
            with self._changed:
                if len(self._pending) < self.max_pending and not self._closing:
                    self._pending.append(shown)
                    self._taken += 1
                    self._start()
                    self._changed.notify_all()
                    return
        write_shown(self.graph, [shown])

    def pending(self) -> int:
        with self._changed:
            return len(self._pending)

    def flush(self, timeout_s: float = FLUSH_TIMEOUT_S) -> bool:
        """Wait until every entry put so far is written; False if ``timeout_s`` passed first."""
        with self._changed:
            target = self._taken
            return self._changed.wait_for(lambda: self._done >= target, timeout_s)

    def close(self, timeout_s: float = FLUSH_TIMEOUT_S) -> None:
        """Write what is pending, then stop taking entries in (later ones are written at once)."""
        if not self.flush(timeout_s):
            logger.warning("%d logged answers were not written before exit", self.pending())
        with self._changed:
            self._closing = True
            self._changed.notify_all()

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():  # none yet, or forked without it
            self._thread = threading.Thread(target=self._run, name="shown-log", daemon=True)
            self._thread.start()
            if not self._registered:
                atexit.register(self.close)
                self._registered = True

    def _run(self) -> None:
        failures = 0
        while True:
            with self._changed:
                self._changed.wait_for(lambda: bool(self._pending) or self._closing)
                if self._closing and not self._pending:
                    return
            time.sleep(self.linger_s)
            with self._changed:
                batch = self._pending[:MAX_BATCH]
            try:
                write_shown(self.graph, batch)
            except Exception as error:  # an outage: keep the entries, try again later
                wait = BACKOFF_S[min(failures, len(BACKOFF_S) - 1)]
                failures += 1
                logger.warning("could not log %d answers (%s); again in %.1f s", len(batch),
                               type(error).__name__, wait)  # fmt: skip
                time.sleep(wait)
                continue
            failures = 0
            with self._changed:
                del self._pending[: len(batch)]
                self._done += len(batch)
                self._changed.notify_all()


def take_feedback(
    graph: Graph, log: ShownLog, records: Sequence[FeedbackIn], *, pending_s: float | None = None
) -> FeedbackWritten:
    """``write_feedback`` once this worker's pending entries are written, waiting for other
    workers' entries of recommendations issued in the last ``pending_s`` (``PENDING_S``)."""
    pending_s = PENDING_S if pending_s is None else pending_s
    log.flush()
    while True:
        try:
            return write_feedback(graph, records)
        except BatchError as error:
            wait_until = _on_their_way(error, records, pending_s)
            if wait_until is None or datetime.now(UTC) >= wait_until:
                raise
            time.sleep(RETRY_S)


def _on_their_way(
    error: BatchError, records: Sequence[FeedbackIn], pending_s: float
) -> datetime | None:
    """When every error is an unknown recommendation issued in the last ``pending_s``: the
    instant to stop waiting for them; else None."""
    now = datetime.now(UTC)
    latest: datetime | None = None
    for e in error.errors:
        if e.index is None or e.field != "recommendation_id":
            return None
        issued = issued_at(records[e.index].recommendation_id)
        if issued is None or not now - timedelta(seconds=pending_s) <= issued <= now + _SKEW:
            return None
        latest = max(latest or issued, issued)
    return None if latest is None else latest + timedelta(seconds=pending_s)


_SKEW = timedelta(seconds=1)  # the clocks of two API hosts
