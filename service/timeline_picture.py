"""The picture of a user's interest timeline: a stream graph with the shifts marked (SVG)."""

from __future__ import annotations

import io
import warnings
from datetime import datetime
from typing import Any


def render_svg(user_id: str, timeline: dict[str, Any], shifts: list[dict[str, Any]]) -> bytes:
    """Stacked positive weight per bucket of each series, centred (a stream graph), as SVG."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: smaller, searchable
    from matplotlib.dates import date2num
    from matplotlib.figure import Figure

    starts = [date2num(_instant(b)) for b in timeline["buckets"]]
    figure = Figure(figsize=(10, 4.5), layout="constrained")
    axes = figure.add_subplot()
    series = timeline["series"]
    if series and starts:
        layers = [[max(w, 0.0) for w in s["weights"]] for s in series]
        labels = [f"{s['key']} ({s['trend']['label']})" if s["trend"] else s["key"]
                  for s in series]  # fmt: skip
        axes.stackplot(starts, layers, labels=labels, baseline="wiggle", alpha=0.85)
        axes.legend(loc="upper left", fontsize="small", ncols=2, frameon=False)
    for shift in shifts:
        at = date2num(_instant(shift["at"]))
        if starts and starts[0] <= at:
            axes.axvline(at, color="black", linestyle="--", linewidth=1)
            rose = ", ".join(c["key"] for c in shift["rose"][:2])
            axes.annotate(f"shift: ↑ {rose}", (at, 1), xycoords=("data", "axes fraction"),
                          fontsize="x-small", rotation=90, va="top", ha="right")  # fmt: skip
    axes.xaxis_date()
    axes.set_title(f"Interests of {user_id}, by {timeline['bucket']}")
    axes.set_yticks([])
    buffer = io.BytesIO()
    with warnings.catch_warnings():  # a user id or interest in a script the font lacks: boxes
        warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
        figure.savefig(buffer, format="svg")
    return buffer.getvalue()


def _instant(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))
