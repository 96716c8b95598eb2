"""Charts for the pages: Vega-Lite specs built with altair, rendered to SVG on the server by
vl-convert (no chart library runs in the browser). Pages show them as ``data:`` images, so
nothing in an SVG can run in the page, with the same numbers in a table beside them."""

from __future__ import annotations

import base64
from collections.abc import Sequence

import altair as alt
import vl_convert as vlc

BAR_STEP = 18  # pixels per bar


def bars(rows: Sequence[tuple[str, float]], *, value_title: str) -> str:
    """A horizontal bar chart of (name, value) rows, largest first, as a ``data:`` URI."""
    data = alt.Data(values=[{"name": name, "value": value} for name, value in rows])
    chart = (
        alt.Chart(data)
        .mark_bar(color="#3b6ea8")
        .encode(
            x=alt.X("value:Q", title=value_title),
            y=alt.Y("name:N", sort="-x", title=None, axis=alt.Axis(labelLimit=220)),
            tooltip=["name:N", "value:Q"],
        )
        .properties(width=320, height=alt.Step(BAR_STEP))
    )
    svg = vlc.vegalite_to_svg(chart.to_dict())
    return data_uri(svg.encode("utf-8"))


def data_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
