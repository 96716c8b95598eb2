"""Linking phrases to interests against the test database (reading only)."""

from __future__ import annotations

import numpy as np
import pytest

from graph.store import Graph
from graph.text.extraction import Phrase
from graph.text.linking import interest_rows, plan_links

pytestmark = pytest.mark.neo4j


def test_new_phrases_merge_when_alike_and_each_new_interest_brings_its_vector(
    graph: Graph, prefix: str
) -> None:
    axes = np.eye(384, dtype=np.float32)
    alike = (axes[0] + 0.1 * axes[2]) / np.linalg.norm(axes[0] + 0.1 * axes[2])
    phrases = [
        Phrase(f"{prefix}x", "X", 1.0, 1, "phrase"),
        Phrase(f"{prefix}x", "x!", 1.0, 1, "phrase"),  # one key, unlike surface forms
        Phrase(f"{prefix}x", "x?", 1.0, 1, "phrase"),
        Phrase(f"{prefix}y", "Y", 1.0, 1, "phrase"),
    ]
    links = plan_links(graph, phrases, np.stack([axes[0], axes[1], axes[3], alike]))
    assert [link.how for link in links] == ["new", "new", "new", "merged"]
    assert links[3].interest_key == f"{prefix}x"
    assert links[3].similarity == pytest.approx(0.995, abs=1e-3)
    rows = {row["alias"]: row["embedding"] is not None for row in interest_rows(links)}
    assert rows == {f"{prefix}x": True, f"{prefix}y": False}  # the merged alias brings none
