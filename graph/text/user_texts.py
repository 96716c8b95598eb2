"""User texts to interests: extract, link, and store as timestamped EXPRESSED edges.

A batch is analysed with one parse, one encode and one linking plan, and written in one
transaction. Texts already stored for the user (by ``text_id``) are analysed again for the answer
but not written again, so a retried request changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from neo4j import Driver, ManagedTransaction
from neo4j.exceptions import ConstraintError

from cypher import query
from graph.store.driver import Rows
from graph.text.extraction import Extraction, Extractor
from graph.text.linking import Link, interest_rows, plan_links
from graph.ingest.records import TextIn

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
    return _link(driver, texts, extractions, database)


def _link(
    driver: Driver,
    texts: Sequence[TextIn],
    extractions: Sequence[Extraction],
    database: str | None,
) -> list[TextAnalysis]:
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
    entries: Sequence[tuple[str, TextIn]],
    *,
    store_raw_text: bool = False,
    database: str | None = None,
) -> list[TextAnalysis]:
    """Analyse ``(user_id, text)`` pairs and store the new texts, all or nothing.

    Each becomes EXPRESSED edges from its user; a text about an item also adds to the item's
    ABOUT edges. The text itself is kept only with ``store_raw_text``.
    """
    extractions = extractor.extract([t.text for _, t in entries])
    return store_extracted(
        driver, entries, extractions, store_raw_text=store_raw_text, database=database
    )


def store_extracted(
    driver: Driver,
    entries: Sequence[tuple[str, TextIn]],
    extractions: Sequence[Extraction],
    *,
    store_raw_text: bool = False,
    database: str | None = None,
) -> list[TextAnalysis]:
    """``store`` for texts already through the extractor: link, then write the new ones.

    A concurrent request that stores one of these texts between our check and our write trips a
    uniqueness constraint; linking and writing then run once more, and the check sees it.
    """
    try:
        return _store_once(driver, entries, extractions, store_raw_text, database)
    except ConstraintError:
        logger.info("a text raced with a concurrent writer; retrying the batch once")
        return _store_once(driver, entries, extractions, store_raw_text, database)


def _store_once(
    driver: Driver,
    entries: Sequence[tuple[str, TextIn]],
    extractions: Sequence[Extraction],
    store_raw_text: bool,
    database: str | None,
) -> list[TextAnalysis]:
    rows = [{"user_id": user_id, "text_id": t.key} for user_id, t in entries]
    records, _, _ = driver.execute_query(
        query("texts/find_existing_texts"), rows=Rows(rows), database_=database, routing_="r"
    )
    existing = {(user, text_id) for user, text_id in records[0]["existing"]} if records else set()
    analyses = _link(driver, [t for _, t in entries], extractions, database)
    fresh = [
        index
        for index, ((user_id, _), analysis) in enumerate(zip(entries, analyses, strict=True))
        if (user_id, analysis.text_id) not in existing and analysis.links
    ]
    new = [(*entries[index], analyses[index]) for index in fresh]
    if not new:
        return analyses
    links = [link for _, _, analysis in new for link in analysis.links]
    edges: dict[str, dict[str, Any]] = {}  # one edge per (user, text, interest): the strongest
    for user_id, text, analysis in new:
        for link in analysis.links:
            expression_id = _expression_id(user_id, analysis.text_id, link.interest_key)
            if expression_id in edges and edges[expression_id]["weight"] >= link.phrase.score:
                continue
            edges[expression_id] = {
                **text.row(),
                "user_id": user_id,
                "expression_id": expression_id,
                "interest_key": link.interest_key,
                "weight": link.phrase.score,
                "polarity": link.phrase.polarity,
                "surface": link.phrase.text,
            }
    about = [edge for edge in edges.values() if edge["item_id"] is not None]
    raw = [{**text.row(), "user_id": user_id, "body": text.text} for user_id, text, _ in new]

    def work(tx: ManagedTransaction) -> None:
        tx.run(query("texts/merge_interests"), rows=Rows(interest_rows(links))).consume()
        tx.run(query("texts/create_expressed"), rows=Rows(edges.values())).consume()
        if about:
            tx.run(query("texts/merge_about"), rows=Rows(about)).consume()
        if store_raw_text:
            tx.run(query("texts/store_raw_texts"), rows=Rows(raw)).consume()

    with driver.session(database=database) as session:
        session.execute_write(work)
    stored = set(fresh)
    return [
        TextAnalysis(a.text_id, a.language, a.links, index in stored)
        for index, a in enumerate(analyses)
    ]


def _expression_id(user_id: str, text_id: str, interest_key: str) -> str:
    content = "\x1f".join([user_id, text_id, interest_key])
    return hashlib.sha256(content.encode("utf-8")).hexdigest()[:32]


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
