"""Knowledge relations between interests, categories and items, built by a batch job.

- ``(:Item)-[:ABOUT]->(:Interest)`` from catalogue titles and descriptions (tags and reviews add
  theirs as they arrive, see graph.text.user_texts);
- ``(:Interest)-[:IN_CATEGORY]->(:Category)`` where an interest's embedding lies within the
  same-interest threshold of a category's name ("sci-fi" → Sci-Fi);
- ``(:Interest)-[:RELATED_TO {weight}]->(:Interest)`` from co-occurrence (in one text, or about
  one item) blended with embedding similarity; rebuilt whole on each run.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from tqdm import tqdm

from graph.store import Graph, Rows, Tx
from graph.text.extraction import SAME_INTEREST, Extractor
from graph.text.linking import interest_rows, plan_links

logger = logging.getLogger(__name__)

CATALOGUE_PHRASES = 3  # interests taken from one item's title and description
CATALOGUE_BATCH = 500
CATEGORY_CANDIDATES = 50  # nearest interests examined per category


@dataclass(frozen=True)
class RelationsReport:
    items_analysed: int
    category_links: int
    related_pairs: int


def build_relations(
    graph: Graph,
    extractor: Extractor,
    encode: Callable[[Sequence[str]], np.ndarray],
    *,
    progress: bool | None = None,
) -> RelationsReport:
    """The three kinds of relations, in order; ``progress`` as tqdm's ``disable`` turned around
    (None: bars when stderr is a terminal, False: none)."""
    items = about_from_catalogue(graph, extractor, progress=progress)
    with tqdm(total=2, unit="step", desc="relations: categories, related interests",
              disable=None if progress is None else not progress) as bar:  # fmt: skip
        categories = link_categories(graph, encode)
        bar.update(1)
        related = rebuild_related(graph)
        bar.update(1)
    return RelationsReport(items, categories, related)


def about_from_catalogue(
    graph: Graph, extractor: Extractor, *, progress: bool | None = None
) -> int:
    """ABOUT edges from the titles and descriptions of items not analysed since they changed."""
    analysed = 0
    total = None if progress is False else _items_to_analyse(graph)
    with tqdm(total=total, unit="item", desc="relations: ABOUT from titles",
              disable=None if progress is None else not progress) as bar:  # fmt: skip
        while True:
            records = graph.write("relations/items_without_about", limit=CATALOGUE_BATCH)
            if not records:
                return analysed
            _about_batch(graph, extractor, records)
            analysed += len(records)
            bar.update(len(records))
            logger.info("analysed %d catalogue items", analysed)


def _items_to_analyse(graph: Graph) -> int:
    return int(graph.read("relations/count_items_without_about")[0]["count"])


def _about_batch(graph: Graph, extractor: Extractor, records: list[Any]) -> None:
    texts = [". ".join(filter(None, (r["title"], r["description"]))) for r in records]
    extractions = extractor.extract(texts, top_k=CATALOGUE_PHRASES)
    phrases = [p for e in extractions for p in e.phrases]
    vectors = np.concatenate([e.embeddings for e in extractions])
    links = plan_links(graph, phrases, vectors)
    rows, start = [], 0
    for record, extraction in zip(records, extractions, strict=True):
        for link in links[start : start + len(extraction.phrases)]:
            rows.append(
                {"item_id": record["id"], "interest_key": link.interest_key,
                 "weight": link.phrase.score}
            )  # fmt: skip
        start += len(extraction.phrases)

    graph.transaction(
        _write_catalogue_about, interest_rows(links), rows, [r["id"] for r in records]
    )


def _write_catalogue_about(
    tx: Tx,
    interests: list[dict[str, object]],
    rows: list[dict[str, Any]],
    item_ids: list[str],
) -> None:
    tx.run("texts/merge_interests", rows=Rows(interests)).consume()
    tx.run("relations/merge_catalogue_about", rows=Rows(rows)).consume()
    tx.run("relations/mark_about_extracted", item_ids=item_ids).consume()


def link_categories(
    graph: Graph,
    encode: Callable[[Sequence[str]], np.ndarray],
    *,
    threshold: float = SAME_INTEREST,
) -> int:
    """IN_CATEGORY edges from interests to the categories whose names they are close to."""
    records = graph.write("relations/categories")
    names = [r["name"] for r in records]
    if not names:
        return 0
    vectors = encode(names)
    rows = [{"name": n, "vector": v.tolist()} for n, v in zip(names, vectors, strict=True)]
    records = graph.write(
        "relations/link_interest_categories",
        rows=rows,
        candidates=CATEGORY_CANDIDATES,
        threshold=threshold,
    )
    return int(records[0]["linked"]) if records else 0


def rebuild_related(graph: Graph) -> int:
    """Replace every RELATED_TO edge with ones computed from co-occurrence and similarity."""
    records = graph.read("relations/interest_cooccurrence")
    rows = [
        {"a": r["a"], "b": r["b"], "together": r["together"],
         "similarity": round(float(r["similarity"] or 0.0), 4),
         "weight": related_weight(r["together"], r["count_a"], r["count_b"], r["similarity"])}
        for r in records
    ]  # fmt: skip
    graph.run("relations/delete_related")
    for start in range(0, len(rows), 5_000):
        graph.transaction(_create_related, rows[start : start + 5_000])
    return len(rows)


def _create_related(tx: Tx, rows: list[dict[str, Any]]) -> None:
    tx.run("relations/create_related", rows=Rows(rows)).consume()


def related_weight(together: int, count_a: int, count_b: int, similarity: float | None) -> float:
    """Half the Ochiai coefficient of co-occurrence, half the (non-negative) embedding cosine."""
    if together <= 0 or count_a <= 0 or count_b <= 0:
        return 0.0
    ochiai = min(1.0, together / math.sqrt(count_a * count_b))
    return round(0.5 * ochiai + 0.5 * max(0.0, similarity or 0.0), 4)
