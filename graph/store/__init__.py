"""Where the graph lives and how it is reached: settings, the local server, the driver, the schema,
and ``Graph``, the one object through which every statement runs."""

from graph.store.driver import UNAVAILABLE_ERRORS, Rows
from graph.store.graph import Graph, Tx

__all__ = ["UNAVAILABLE_ERRORS", "Graph", "Rows", "Tx"]
