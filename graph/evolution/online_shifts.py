"""Online shifts: an alarm as soon as a user's new signals stop looking like their recent past.

Pure and incremental: ``push`` judges each new signal with only the signals before it, and the
state (the last ``reference + recent`` signals' targets, nothing else) is small and JSON-safe, so
the service can keep it per user and update it as signals arrive. The offline segmentation of
``shifts.py`` stays for the history.

The method is a CUSUM of surprise. As in ``shifts.py`` a signal's targets share 1 between them
(weights are ignored). The *reference* is the ``reference`` signals before the last ``recent``
ones; each target's predictive probability is its share there, smoothed,
``(c + PSEUDO_COUNT) / (n + PSEUDO_COUNT)`` for a total share ``c`` over ``n`` signals, and a
signal's *surprise* is ``-log`` of the mean of its targets' probabilities (nats). Surprise above
the reference signals' own mean, less a ``drift`` allowance per signal, is summed over the
latest signals (Page's CUSUM, over runs of at most ``recent`` signals); when the largest such sum
passes ``threshold``, an alarm fires and the run's first signal is the estimated change point.
The signals before it are then forgotten, so the new mix becomes the reference: no alarm fires
until ``MIN_REFERENCE + recent`` signals of it are held (the cool-down, 25 signals by default;
a second shift sooner than that is missed). The settings (``REFERENCE``, ``RECENT``, ``DRIFT``,
``THRESHOLD``) were chosen on development users of the drift simulator and scored on others
(bench/evolution.py); ``MIN_REFERENCE`` and ``PSEUDO_COUNT`` were set by hand.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graph.evolution.strength import Signal

REFERENCE = 30  # signals the recent ones are judged against, at most
RECENT = 10  # longest run of signals a change point is sought in
DRIFT = 1.0  # nats per signal of surprise allowed before it counts
THRESHOLD = 11.0  # nats of summed excess surprise that raise an alarm
MIN_REFERENCE = 15  # reference signals needed before any alarm
PSEUDO_COUNT = 0.1  # smoothing of the reference's shares, in signals
MAX_TARGETS = 20  # targets kept per signal (the state's bound)
STATE_VERSION = 1


@dataclass(frozen=True)
class OnlineShift:
    index: int  # the signal at which the alarm fired (position among all signals pushed)
    change: int  # the estimated first signal of the new mix (same positions)
    at: float  # that signal's epoch seconds
    surprise: float  # the summed excess surprise that raised the alarm, nats


class OnlineShiftDetector:
    """Push signals oldest first; each push returns the alarm it raises, if any."""

    def __init__(
        self,
        *,
        reference: int = REFERENCE,
        recent: int = RECENT,
        drift: float = DRIFT,
        threshold: float = THRESHOLD,
    ) -> None:
        if reference < MIN_REFERENCE or recent < 1:
            raise ValueError(f"reference must be >= {MIN_REFERENCE} and recent >= 1")
        self.reference, self.recent = reference, recent
        self.drift, self.threshold = drift, threshold
        self.seen = 0  # signals pushed so far
        self._window: list[tuple[float, tuple[str, ...]]] = []  # (at, targets), oldest first

    def push(self, signal: Signal) -> OnlineShift | None:
        index, self.seen = self.seen, self.seen + 1
        if not signal.targets:
            return None
        self._window.append((signal.at, tuple(signal.targets[:MAX_TARGETS])))
        del self._window[: -(self.reference + self.recent)]
        past, latest = self._window[: -self.recent], self._window[-self.recent :]
        if len(past) < MIN_REFERENCE:
            return None
        probability = _shares(t for _, t in past)
        smoothed = len(past) + PSEUDO_COUNT
        usual = sum(_surprise(t, probability, smoothed) for _, t in past) / len(past)
        run, best, start = 0.0, -math.inf, 0
        for offset, (_, targets) in enumerate(reversed(latest)):  # runs ending now, shortest first
            run += _surprise(targets, probability, smoothed) - usual - self.drift
            if run > best:
                best, start = run, len(latest) - 1 - offset
        if best <= self.threshold:
            return None
        change = len(past) + start  # in the window, whose last signal is ``index``
        at = self._window[change][0]
        first = index - (len(self._window) - 1 - change)
        del self._window[:change]  # the new mix is the reference from now on
        return OnlineShift(index, first, at, best)

    def to_dict(self) -> dict[str, Any]:
        """The whole state, JSON-safe: the settings, the count pushed and the window."""
        return {
            "version": STATE_VERSION,
            "settings": {
                "reference": self.reference,
                "recent": self.recent,
                "drift": self.drift,
                "threshold": self.threshold,
            },
            "seen": self.seen,
            "window": [[at, list(targets)] for at, targets in self._window],
        }

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> OnlineShiftDetector:
        if state.get("version") != STATE_VERSION:
            raise ValueError(f"unknown online shift state version {state.get('version')!r}")
        detector = cls(**state["settings"])
        detector.seen = int(state["seen"])
        window = [(float(at), tuple(str(t) for t in targets)) for at, targets in state["window"]]
        detector._window = window[-(detector.reference + detector.recent) :]
        return detector


def detect(signals: Iterable[Signal], **settings: Any) -> list[OnlineShift]:
    """Every alarm a fresh detector raises over ``signals`` (oldest first)."""
    detector = OnlineShiftDetector(**settings)
    return [shift for signal in signals if (shift := detector.push(signal)) is not None]


def _shares(signals: Iterable[tuple[str, ...]]) -> dict[str, float]:
    total: dict[str, float] = {}
    for targets in signals:
        for target in targets:
            total[target] = total.get(target, 0.0) + 1.0 / len(targets)
    return total


def _surprise(targets: tuple[str, ...], shares: dict[str, float], smoothed: float) -> float:
    mean = sum(shares.get(t, 0.0) + PSEUDO_COUNT for t in targets) / len(targets)
    return -math.log(mean / smoothed)
