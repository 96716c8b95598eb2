"""The picture of a user's interest timeline: a stream graph with the shifts marked (SVG)."""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from datetime import UTC, datetime

from graph.evolution.profiles import Timeline
from graph.evolution.shifts import Shift
from graph.evolution.strength import split_target
from service.api.render import score


def render_svg(user_id: str, timeline: Timeline, shifts: Sequence[Shift]) -> bytes:
    """Stacked positive weight per bucket of each series, centred (a stream graph), as SVG; the
    weights as the timeline's answer carries them, so that picture and answer agree."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: smaller, searchable
    from matplotlib.dates import date2num
    from matplotlib.figure import Figure

    starts = [date2num(b) for b in timeline.starts]
    figure = Figure(figsize=(10, 4.5), layout="constrained")
    axes = figure.add_subplot()
    series = timeline.series
    if series and starts:
        layers = [[max(score(w), 0.0) for w in s.weights] for s in series]
        labels = [_label(s.target, s.trend.label if s.trend else None) for s in series]
        axes.stackplot(starts, layers, labels=labels, baseline="wiggle", alpha=0.85)
        axes.legend(loc="upper left", fontsize="small", ncols=2, frameon=False)
    for shift in shifts:
        at = date2num(datetime.fromtimestamp(shift.at, UTC))
        if starts and starts[0] <= at:
            axes.axvline(at, color="black", linestyle="--", linewidth=1)
            rose = ", ".join(split_target(target)[1] for target, _ in shift.rose[:2])
            axes.annotate(f"shift: ↑ {rose}", (at, 1), xycoords=("data", "axes fraction"),
                          fontsize="x-small", rotation=90, va="top", ha="right")  # fmt: skip
    axes.xaxis_date()
    axes.set_title(f"Interests of {user_id}, by {timeline.bucket}")
    axes.set_yticks([])
    buffer = io.BytesIO()
    with warnings.catch_warnings():  # a user id or interest in a script the font lacks: boxes
        warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
        figure.savefig(buffer, format="svg")
    return buffer.getvalue()


def _label(target: str, trend: str | None) -> str:
    key = split_target(target)[1]
    return f"{key} ({trend})" if trend else key
