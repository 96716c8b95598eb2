"""A seeded simulator of users whose interests shift at known times, and the scoring of detectors.

Each simulated user lives through 2 to 5 periods of 30 to 90 signals. In each period a mixture over
``TOPICS`` latent topics puts most of its mass on two to three topics (the next period on
different ones) and a little on all (background noise). A signal picks a topic from the mixture:
an event (a rating, weight from -0.2 to 1) reaches the topic's category and one of its interests;
a text (a fifth of the signals) reaches one interest of the topic. Time between signals is
exponential with a mean of a day, so horizons in days and in signals both apply.

Offline detections are matched to true shifts either side (``match``); online ones only at or
after the shift (``match_online``), and scored with their delay and false alarms
(``score_online``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from graph.evolution.strength import Signal

TOPICS = 12
INTERESTS_PER_TOPIC = 3
BACKGROUND = 0.1  # share of the mixture spread over all topics
TEXT_SHARE = 0.2
START = 1_600_000_000.0


@dataclass(frozen=True)
class SimulatedUser:
    signals: list[Signal]
    changes: list[int]  # index of the first signal of each new period
    mixtures: np.ndarray  # the true topic mixture at each signal (signals × TOPICS)


def simulate(rng: np.random.Generator) -> SimulatedUser:
    periods = int(rng.integers(2, 6))
    lengths = rng.integers(30, 91, size=periods)
    signals: list[Signal] = []
    mixtures = []
    changes = []
    at = START
    dominant: set[int] = set()
    for period, length in enumerate(lengths):
        if period:
            changes.append(len(signals))
        choices = [t for t in range(TOPICS) if t not in dominant]
        dominant = set(rng.choice(choices, size=int(rng.integers(2, 4)), replace=False).tolist())
        mixture = np.full(TOPICS, BACKGROUND / TOPICS)
        shares = rng.dirichlet(np.ones(len(dominant)) * 2)
        for topic, share in zip(sorted(dominant), shares, strict=True):
            mixture[topic] += (1 - BACKGROUND) * share
        for _ in range(length):
            at += float(rng.exponential(86_400.0))
            topic = int(rng.choice(TOPICS, p=mixture))
            interest = f"interest:t{topic}-{int(rng.integers(INTERESTS_PER_TOPIC))}"
            if rng.random() < TEXT_SHARE:
                signals.append(Signal(at, float(rng.uniform(0.4, 1.0)), "text", (interest,)))
            else:
                weight = float(rng.choice([-0.2, 0.2, 0.6, 1.0], p=[0.1, 0.2, 0.4, 0.3]))
                signals.append(Signal(at, weight, "event", (f"category:t{topic}", interest)))
            mixtures.append(mixture)
    return SimulatedUser(signals, changes, np.array(mixtures))


def match(truth: list[int], found: list[int], tolerance: int) -> list[tuple[int, int]]:
    """Pairs (true, found) within ``tolerance`` signals, each used once, closest first."""
    pairs = sorted(
        ((abs(f - t), t, f) for t in truth for f in found if abs(f - t) <= tolerance),
    )
    return _each_once(pairs)


def _each_once(pairs: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """From (distance, true, found) sorted by distance, the pairs whose true and found are both
    still free."""
    used_t: set[int] = set()
    used_f: set[int] = set()
    matched = []
    for _, t, f in pairs:
        if t not in used_t and f not in used_f:
            used_t.add(t)
            used_f.add(f)
            matched.append((t, f))
    return matched


@dataclass(frozen=True)
class OnlineScore:
    precision: float
    recall: float
    f1: float
    median_delay: float  # signals from a true shift to the alarm that caught it
    p90_delay: float
    false_alarms_per_1000: float  # alarms that caught no shift, per 1,000 signals
    median_change_error: float  # |estimated change point - true shift|, signals


def match_online(truth: list[int], alarms: list[int], horizon: int) -> list[tuple[int, int]]:
    """Pairs (true, alarm) with the alarm at or up to ``horizon`` signals after the shift, each
    used once, shortest delay first."""
    pairs = sorted((f - t, t, f) for t in truth for f in alarms if 0 <= f - t <= horizon)
    return _each_once(pairs)


def score_online(
    users: Sequence[SimulatedUser], found: Sequence[Sequence[tuple[int, int]]], *, horizon: int = 10
) -> OnlineScore:
    """``found``: per user, (index the alarm fired at, estimated change point) of each alarm."""
    delays, errors = [], []
    hits = alarms = shifts = signals = 0
    for user, detections in zip(users, found, strict=True):
        change_of = dict(detections)
        pairs = match_online(user.changes, [index for index, _ in detections], horizon)
        delays += [f - t for t, f in pairs]
        errors += [abs(change_of[f] - t) for t, f in pairs]
        hits, alarms = hits + len(pairs), alarms + len(detections)
        shifts, signals = shifts + len(user.changes), signals + len(user.signals)
    precision = hits / alarms if alarms else 0.0
    recall = hits / shifts if shifts else 0.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    nan = float("nan")
    return OnlineScore(
        precision,
        recall,
        f1,
        float(np.median(delays)) if delays else nan,
        float(np.percentile(delays, 90)) if delays else nan,
        1000 * (alarms - hits) / signals if signals else nan,
        float(np.median(errors)) if errors else nan,
    )
