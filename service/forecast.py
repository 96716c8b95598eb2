"""The forecast answer: the profile, the population's shares, the item-to-item model's predicted
items and the serving run's transition model, composed (``graph.evolution.forecast``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from neo4j import Driver

from graph.evolution import strength
from graph.evolution.forecast import PREDICTED_ITEMS, SHOWN_ITEMS, combine, item_targets
from graph.evolution.forecast import population_shares, shares
from graph.evolution.profiles import iso
from graph.evolution.strength import Signal, split_target
from graph.evolution.transitions import Transition
from service import recommend


def forecast(
    driver: Driver,
    user_id: str,
    signals: Sequence[Signal],
    as_of: datetime,
    *,
    limit: int,
    database: str | None = None,
) -> dict[str, Any]:
    """The answer of ``GET /v1/users/{id}/interests/forecast`` (``signals`` up to ``as_of``)."""
    profile = {s.target: s.blended for s in strength.profile(signals, as_of.timestamp())}
    population = population_shares(driver, as_of, database=database)
    serving, items = recommend.predicted_items(
        driver, user_id, as_of=as_of, limit=PREDICTED_ITEMS, database=database
    )
    reached = item_targets(driver, [item for item, _ in items], database=database)
    predicted = shares((reached.get(item, ("", ()))[1], score) for item, score in items)
    combined = combine(profile, len(signals), population, predicted)
    transition = (Transition.from_json(serving.transition)
                  if serving is not None and serving.transition else None)  # fmt: skip
    scores = transition.apply(combined) if transition is not None else combined
    ranked = sorted(scores, key=lambda t: (-scores[t], t))[:limit]
    return {
        "as_of": iso(as_of),
        "signals": len(signals),
        "embedding_run": serving.run_id if serving is not None else None,
        "forecast": [
            {"type": split_target(t)[0], "key": split_target(t)[1],
             "score": round(scores[t], 6), "profile": round(profile.get(t, 0.0), 6),
             "population": round(population.get(t, 0.0), 6),
             "predicted": round(predicted.get(t, 0.0), 6),
             "transition": round(scores[t] - combined.get(t, 0.0), 6)}
            for t in ranked
        ],
        "predicted_items": [
            {"item_id": item, "title": reached.get(item, (None, ()))[0], "score": round(score, 6)}
            for item, score in items[:SHOWN_ITEMS]
        ],
    }  # fmt: skip
