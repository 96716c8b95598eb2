"""The recommendation policy's learnt part: a contextual bandit in Vowpal Wabbit, learnt online.

``Bandit`` wraps one VW workspace in ``--cb_adf`` mode (action-dependent features) with the
direct method (``--cb_type dm``): each shown item whose outcome arrived is one example (what the
policy knew of the user and the item, its reward as a negative cost, and the probability with
which it was shown), and the model regresses the reward on the features without importance
weights. The importance-weighted estimator (``mtr``) learnt noise here: an explored slot's
probability of being shown is about 0.002, so its weight of ~500 swamped every other example
(on the development logs its predictions correlated 0.04 with the reward, the direct method's
0.25; bench/README.md). Its predictions are expected rewards for the candidates; how a list is
drawn from them, exploring, is ``service.policy``'s.

``Learner`` keeps a worker's bandit in step with the graph: the log of outcomes is the shared
truth, and every worker learns from it in the same order (``catch_up``, a few seconds after the
feedback lands), starting from the newest saved snapshot. ``checkpoint`` saves a new version
(``PolicySnapshot`` nodes, the newest ``KEEP`` kept), so a restart replays only what came after.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np
import vowpalwabbit

from graph.store import Graph

logger = logging.getLogger(__name__)

# only shared × action interactions: ``Bandit.predict_rows`` relies on it
VW_ARGS = "--cb_adf --cb_type dm -q sa --bit_precision 16 --learning_rate 0.1 --quiet"
OVERLAP = timedelta(seconds=30)  # outcomes are re-read this far back (commits land out of order)
BATCH = 5_000  # outcomes read per query
KEEP = 5  # snapshots kept
POLICY = "bandit"  # the logged policy whose outcomes it learns from (its own)


@dataclass(frozen=True)
class Example:
    """One shown item and what came of it."""

    shared: str  # VW features of the user ("fb:0.2 shift:1")
    action: str  # VW features of the item
    reward: float
    propensity: float


class Bandit:
    """One VW workspace; thread-safe (a lock around each call)."""

    def __init__(self, model: bytes | None = None) -> None:
        self._lock = threading.Lock()
        self._vw = _workspace(model)
        self._label_type = self._vw.get_label_type()
        self.examples = 0

    def predict(self, shared: str, actions: Sequence[str]) -> list[float]:
        """Expected reward of each action, in order."""
        if not actions:
            return []
        lines = [f"shared |s {shared}", *(f"|a {a}" for a in actions)]
        with self._lock:
            # parsed with the label type given: pyvw would otherwise ask VW for it once per line
            examples = self._vw.parse(lines, self._label_type)
            try:
                costs = self._vw.predict(examples)
            finally:
                self._vw.finish_example(examples)
        return [-float(c) for c in costs]

    def predict_rows(self, shared: str, names: Sequence[str], rows: np.ndarray) -> np.ndarray:
        """Expected reward of each action given as a row of numeric features ``names``, exactly
        as :meth:`predict` of the actions written as text would give (to float precision).

        With ``-q sa`` every interaction pairs a shared feature with an action feature, so for a
        given ``shared`` VW's prediction is affine in the action's values: ``c + rows @ beta``.
        VW itself gives ``c`` (an action without features) and ``c + beta_j`` (the action with
        feature ``j`` at 1), so a pool of hundreds costs VW ``len(names) + 1`` predictions."""
        probes = self.predict(shared, ["", *(f"{name}:1" for name in names)])
        base, beta = probes[0], np.array(probes[1:]) - probes[0]
        return base + np.asarray(rows, dtype=float).reshape(-1, len(names)) @ beta

    def learn(self, examples: Sequence[Example]) -> None:
        with self._lock:
            for e in examples:
                p = min(max(e.propensity, 1e-3), 1.0)
                label = f"0:{-e.reward:.6f}:{p:.6f}"
                self._vw.learn([f"shared |s {e.shared}", f"{label} |a {e.action}"])
            self.examples += len(examples)

    def save(self) -> bytes:
        with self._lock:
            fd, path = tempfile.mkstemp(suffix=".vw")
            os.close(fd)
            try:
                self._vw.save(path)
                with open(path, "rb") as f:
                    return f.read()
            finally:
                os.unlink(path)


def _workspace(model: bytes | None) -> vowpalwabbit.Workspace:
    if model is None:
        return vowpalwabbit.Workspace(VW_ARGS)
    fd, path = tempfile.mkstemp(suffix=".vw")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(model)
        return vowpalwabbit.Workspace(f"{VW_ARGS} --initial_regressor {path}")
    finally:
        os.unlink(path)


@dataclass(frozen=True)
class Snapshot:
    version: int
    model: bytes
    cursor: datetime  # the newest outcome learnt
    recent: list[str]  # outcomes learnt within OVERLAP of the cursor ("rec|item")
    examples: int


class Learner:
    """A bandit kept in step with the outcomes in the graph (one per worker)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._sync = threading.Lock()
        snapshot = latest_snapshot(graph)
        self.snapshot_version = snapshot.version if snapshot else 0
        self.bandit = Bandit(snapshot.model if snapshot else None)
        self.cursor = snapshot.cursor if snapshot else datetime(1970, 1, 1, tzinfo=timezone.utc)
        self._recent: dict[str, datetime] = {
            key: self.cursor for key in (snapshot.recent if snapshot else [])
        }
        self.base_examples = snapshot.examples if snapshot else 0

    @property
    def version(self) -> str:
        """``vw-<snapshot>+<examples learnt since>``: what the logs name the policy by."""
        return f"vw-{self.snapshot_version}+{self.bandit.examples}"

    def catch_up(self) -> int:
        """Learn from every outcome not yet learnt; return how many. Reads from ``OVERLAP``
        before the newest outcome learnt (transactions commit out of order), page by page in
        the order (resolved_at, recommendation, item), skipping what it learnt already."""
        learnt = 0
        with self._sync:
            at_ms = int((self.cursor - OVERLAP).timestamp() * 1000) - 1
            rec, item = "", ""
            while True:
                since = datetime.fromtimestamp((at_ms - 1) / 1000, tz=timezone.utc)
                rows = self.graph.read("feedback/outcomes_since", since=since, at_ms=at_ms,
                                       recommendation_id=rec, item_id=item, policy=POLICY,
                                       limit=BATCH)  # fmt: skip
                fresh = []
                for r in rows:
                    key = f"{r['recommendation_id']}|{r['item_id']}"
                    resolved = r["resolved_at"].to_native()
                    if key in self._recent or r["features"] is None:
                        continue
                    self._recent[key] = resolved
                    fresh.append(Example(r["shared"] or "", r["features"], float(r["reward"]),
                                         float(r["propensity"])))  # fmt: skip
                    self.cursor = max(self.cursor, resolved)
                self.bandit.learn(fresh)
                learnt += len(fresh)
                if len(rows) < BATCH:
                    break
                last = rows[-1]
                at_ms, rec, item = last["at_ms"], last["recommendation_id"], last["item_id"]
            horizon = self.cursor - OVERLAP
            self._recent = {k: t for k, t in self._recent.items() if t >= horizon}
        if learnt:
            logger.debug("policy learnt %d outcomes (now %s)", learnt, self.version)
        return learnt

    def checkpoint(self, *, keep: int = KEEP) -> int:
        """Catch up and save a new snapshot version; return it."""
        self.catch_up()
        with self._sync:
            version = self.snapshot_version + 1
            examples = self.base_examples + self.bandit.examples
            self.graph.write("feedback/store_snapshot", version=version, model=self.bandit.save(),
                             cursor=self.cursor, recent=sorted(self._recent), examples=examples,
                             keep=keep)  # fmt: skip
        logger.info("policy snapshot %d saved (%d examples)", version, examples)
        return version


def latest_snapshot(graph: Graph) -> Snapshot | None:
    r = graph.read_one("feedback/latest_snapshot")
    if r is None:
        return None
    return Snapshot(r["version"], bytes(r["model"]), r["cursor"].to_native(), list(r["recent"]),
                    r["examples"])  # fmt: skip
