"""User texts to interests: extract, link, and store as timestamped EXPRESSED edges.

A batch is analysed with one parse, one encode and one linking plan, and written in one
transaction. Texts already stored for the user (by ``text_id``) are analysed again for the answer
but not written again, so a retried request changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from neo4j import Driver, ManagedTransaction

from cypher import query
from graph.extraction import Extractor
from graph.linking import Link, interest_rows, plan_links
from graph.records import TextIn

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TextAnalysis:
    text_id: str
    language: str
    links: list[Link]
    stored: bool  # written by this call (False: only analysed, or stored before)


def analyse(
    driver: Driver, extractor: Extractor, texts: Sequence[TextIn], *, database: str | None = None
) -> list[TextAnalysis]:
    """Extract and link, reading only (``POST /v1/extract``)."""
    extractions = extractor.extract([t.text for t in texts])
    phrases = [p for e in extractions for p in e.phrases]
    vectors = np.concatenate([e.embeddings for e in extractions]) if phrases else np.zeros((0, 0))
    links = plan_links(driver, phrases, vectors, database=database)
    results, start = [], 0
    for text, extraction in zip(texts, extractions, strict=True):
        count = len(extraction.phrases)
        results.append(
            TextAnalysis(text.key, extraction.language, links[start : start + count], False)
        )
        start += count
    return results


def store(
    driver: Driver,
    extractor: Extractor,
    user_id: str,
    texts: Sequence[TextIn],
    *,
    database: str | None = None,
) -> list[TextAnalysis]:
    """Analyse the texts and store the new ones as the user's EXPRESSED edges, all or nothing."""
    rows = [{"user_id": user_id, "text_id": t.key} for t in texts]
    records, _, _ = driver.execute_query(
        query("texts/find_existing_texts"), rows=rows, database_=database, routing_="r"
    )
    existing = set(records[0]["existing"]) if records else set()
    analyses = analyse(driver, extractor, texts, database=database)
    new = [
        (text, analysis)
        for text, analysis in zip(texts, analyses, strict=True)
        if analysis.text_id not in existing and analysis.links
    ]
    if not new:
        return analyses
    links = [link for _, analysis in new for link in analysis.links]
    edges = [
        {
            **text.row(),
            "user_id": user_id,
            "interest_key": link.interest_key,
            "weight": link.phrase.score,
            "polarity": link.phrase.polarity,
            "surface": link.phrase.text,
        }
        for text, analysis in new
        for link in analysis.links
    ]

    def work(tx: ManagedTransaction) -> None:
        tx.run(query("texts/merge_interests"), rows=interest_rows(links)).consume()
        tx.run(query("texts/create_expressed"), rows=edges).consume()

    with driver.session(database=database) as session:
        session.execute_write(work)
    stored = {analysis.text_id for _, analysis in new}
    return [TextAnalysis(a.text_id, a.language, a.links, a.text_id in stored) for a in analyses]


def describe(analysis: TextAnalysis) -> dict[str, Any]:
    """The JSON answer for one text."""
    return {
        "text_id": analysis.text_id,
        "language": analysis.language,
        "stored": analysis.stored,
        "interests": [
            {
                "phrase": link.phrase.text,
                "key": link.phrase.key,
                "score": link.phrase.score,
                "polarity": link.phrase.polarity,
                "kind": link.phrase.kind,
                "interest": {"key": link.interest_key, "name": link.interest_name},
                "link": link.how,
                "similarity": link.similarity,
            }
            for link in analysis.links
        ],
    }
