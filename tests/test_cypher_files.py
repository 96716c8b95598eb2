"""Every Cypher statement loads, is used somewhere, and none is built by string formatting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cypher import names, query

ROOT = Path(__file__).resolve().parents[1]
CYPHER = ROOT / "cypher"
SOURCES = [
    p
    for folder in ("graph", "service", "embeddings", "tests", "bench")
    for p in (ROOT / folder).rglob("*.py")
]
ALL = sorted(str(p.relative_to(CYPHER).with_suffix("")) for p in CYPHER.rglob("*.cypher"))


def test_there_are_statements() -> None:
    assert len(ALL) > 10


@pytest.mark.parametrize("name", ALL)
def test_statement_loads_and_is_used(name: str) -> None:
    assert query(name)
    folder = name.split("/")[0]
    used_by_folder = folder == "schema" and any(
        f'names("{folder}")' in p.read_text() for p in SOURCES
    )
    used_by_name = any(f'"{name}"' in p.read_text() for p in SOURCES)
    assert used_by_name or used_by_folder, f"cypher/{name}.cypher is not used"


def test_unknown_statement_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        query("ingest/no_such_statement")


def test_schema_statements_are_idempotent_and_in_order() -> None:
    schema = names("schema")
    assert schema == sorted(schema)
    for name in schema:
        assert "IF NOT EXISTS" in query(name)


def test_no_cypher_is_built_by_string_formatting() -> None:
    pattern = re.compile(r"(execute_query|\.run)\(\s*f[\"']")
    offenders = [str(p) for p in SOURCES if pattern.search(p.read_text())]
    assert offenders == []
