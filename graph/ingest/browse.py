"""Reads for the web pages: how much the graph holds, and a search over items and interests."""

from __future__ import annotations

from dataclasses import dataclass

from graph.store import Graph


@dataclass(frozen=True)
class GraphCounts:
    users: int
    items: int
    interests: int
    categories: int
    events: int
    expressions: int  # EXPRESSED edges: what texts said about interests
    texts: int  # raw texts kept (only with INTERESTS_STORE_RAW_TEXT)
    recommendations: int  # answers logged
    recent_events: int  # events whose instant is in the window
    recent_expressions: int
    window_s: int


@dataclass(frozen=True)
class FoundItem:
    id: str
    title: str | None
    interactions: int


@dataclass(frozen=True)
class FoundInterest:
    key: str
    name: str
    mentions: int


def counts(graph: Graph, *, window_s: int) -> GraphCounts:
    """Nodes and edges of each kind, and the events and expressions of the last ``window_s``."""
    row = graph.read("read/graph_counts", window_s=window_s)[0]
    return GraphCounts(**row.data(), window_s=window_s)


def search_items(graph: Graph, text: str, *, limit: int = 20) -> list[FoundItem]:
    """The item with id ``text``, then items whose title holds it, most interacted first."""
    return [FoundItem(**r.data()) for r in graph.read("read/search_items", text=text, limit=limit)]


def search_interests(graph: Graph, text: str, *, limit: int = 20) -> list[FoundInterest]:
    """The interest keyed ``text``, then those whose key, name or alias holds it."""
    return [
        FoundInterest(**r.data())
        for r in graph.read("read/search_interests", text=text, limit=limit)
    ]
