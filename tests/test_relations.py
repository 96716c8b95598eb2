"""Knowledge relations built by the relate job, on a small graph of the test's own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from graph.ingest import importers, reads
from graph.store import Graph
from graph.text.encoder import encode
from graph.text.extraction import default_extractor
from graph.text.relations import build_relations, related_weight
from tests.support import PSEUDONYMS

INTERESTS = [
    "sci-fi",
    "space opera",
    "time travel",
    "sourdough bread",
    "baking",
    "bread",
    "sourdough",
    "robot",
    "sci-fi adventure",
    "adventure",
    "kitchen",
]


@pytest.fixture
def clean(graph: Graph) -> Iterator[None]:
    def remove() -> None:
        graph.write("admin/delete_interests", keys=INTERESTS)
        graph.write("admin/delete_categories", names=["Sci-Fi"])

    remove()
    yield
    remove()


@pytest.mark.neo4j
def test_relate_builds_about_categories_and_related(
    client: FlaskClient, graph: Graph, prefix: str, clean: None
) -> None:
    client.post(
        "/v1/items",
        json=[
            {
                "id": f"{prefix}m1",
                "title": "Robots of Mars",
                "categories": ["Sci-Fi"],
                "description": "A sci-fi adventure about time travel.",
            }
        ],
    )
    client.post(
        f"/v1/users/{prefix}u/texts",
        json=[
            {"text": "I love sci-fi and space opera.", "timestamp": "2024-01-01T00:00:00Z"},
            {"text": "Baking sourdough bread.", "timestamp": "2024-01-02T00:00:00Z"},
        ],
    )
    report = build_relations(graph, default_extractor(), encode)
    assert report.items_analysed >= 1 and report.related_pairs >= 1

    item = reads.item(graph, f"{prefix}m1")
    assert item is not None
    about = client.get("/v1/interests/sci-fi adventure").json  # from the description
    assert about["key"] == "sci-fi adventure"
    scifi = client.get("/v1/interests/sci-fi").json
    assert "Sci-Fi" in scifi["categories"]
    related = {r["key"]: r["weight"] for r in scifi["related"]}
    assert related.get("space opera", 0) > 0
    assert "sourdough bread" not in related  # never named together

    again = build_relations(graph, default_extractor(), encode)
    assert again.items_analysed == 0  # analysed items are not analysed twice


@pytest.mark.neo4j
def test_movielens_tags_become_texts_about_items(
    tmp_path, graph: Graph, prefix: str, clean: None
) -> None:  # noqa: ANN001
    folder = tmp_path / "ml"
    folder.mkdir()
    (folder / "movies.csv").write_text(f"movieId,title,genres\n{prefix}1,Heat (1995),Crime\n")
    (folder / "ratings.csv").write_text(
        f"userId,movieId,rating,timestamp\n{prefix}7,{prefix}1,4.0,964982703\n"
    )
    (folder / "tags.csv").write_text(
        f"userId,movieId,tag,timestamp\n{prefix}7,{prefix}1,sourdough,1445714994\n"
        f"{prefix}8,{prefix}1,baking,1445714995\n"
    )
    _, _, tags = importers.import_movielens(
        graph, folder, PSEUDONYMS, extractor=default_extractor(), progress=False
    )
    assert tags is not None and (tags.records, tags.written) == (2, 2)
    shown = reads.interest(graph, "sourdough")
    assert shown is not None and shown.positive_mentions == 1
    _, _, again = importers.import_movielens(
        graph, folder, PSEUDONYMS, extractor=default_extractor(), progress=False
    )
    assert again is not None and again.written == 0


@pytest.mark.parametrize(
    ("together", "count_a", "count_b", "similarity", "weight"),
    [(0, 5, 5, 0.9, 0.0), (5, 5, 5, 0.0, 0.5), (1, 4, 16, 0.6, 0.3625), (2, 4, 1, -0.3, 0.5)],
)
def test_related_weight(
    together: int, count_a: int, count_b: int, similarity: float, weight: float
) -> None:
    assert related_weight(together, count_a, count_b, similarity) == pytest.approx(weight)


@pytest.mark.neo4j
def test_items_are_analysed_again_only_when_their_text_changes(
    client: FlaskClient, graph: Graph, prefix: str, clean: None
) -> None:
    item = {"id": f"{prefix}m9", "title": "Bread", "description": "Baking sourdough bread."}
    client.post("/v1/items", json=[item])
    assert build_relations(graph, default_extractor(), encode).items_analysed >= 1
    client.post("/v1/items", json=[item])  # the same record again
    assert build_relations(graph, default_extractor(), encode).items_analysed == 0
    client.post("/v1/items", json=[{**item, "description": "A robot kitchen."}])
    assert build_relations(graph, default_extractor(), encode).items_analysed == 1
