"""Every Cypher statement of the project, one per file, loaded by name.

``query("ingest/insert_events")`` returns the text of ``cypher/ingest/insert_events.cypher``.
Values are always passed as ``$parameters``; nothing here is built by string formatting.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import LiteralString, cast


@cache
def query(name: str) -> LiteralString:
    """Return the statement stored as ``cypher/<name>.cypher``."""
    resource = files(__name__).joinpath(f"{name}.cypher")
    if not resource.is_file():
        raise KeyError(f"no Cypher statement named {name!r}")
    return cast(LiteralString, resource.read_text(encoding="utf-8").strip())


def names(folder: str) -> list[str]:
    """Names of the statements in ``folder``, sorted (schema files carry an order prefix)."""
    directory = files(__name__).joinpath(folder)
    return sorted(
        f"{folder}/{entry.name.removesuffix('.cypher')}"
        for entry in directory.iterdir()
        if entry.name.endswith(".cypher")
    )
