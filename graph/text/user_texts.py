"""User texts to interests: extract, link, and store as timestamped EXPRESSED edges.

A batch is analysed with one parse, one encode and one linking plan, and written in one
transaction. Texts already stored for the user (by ``text_id``) are analysed again for the answer
but not written again, so a retried request changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from neo4j.exceptions import ConstraintError

from graph.ingest.records import TextIn
from graph.store import Graph, Rows, Tx
from graph.text.extraction import Extraction, Extractor, Phrase
from graph.text.linking import KnownInterests, Link, choose_links, interest_rows, known_interests

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TextAnalysis:
    text_id: str
    language: str
    links: list[Link]
    stored: bool  # written by this call (False: only analysed, or stored before)


@dataclass(frozen=True)
class Known:
    """What the graph holds that storing a batch of texts depends on."""

    existing: set[tuple[str, str]]  # (user id, text id) of the batch's texts already stored
    interests: KnownInterests


@dataclass(frozen=True)
class TextRows:
    """The rows a batch of texts writes, one list per statement."""

    interests: list[dict[str, object]] = field(default_factory=list)  # texts/merge_interests
    expressed: list[dict[str, Any]] = field(default_factory=list)  # texts/create_expressed
    about: list[dict[str, Any]] = field(default_factory=list)  # texts/merge_about
    raw: list[dict[str, Any]] = field(default_factory=list)  # texts/store_raw_texts


def analyse(graph: Graph, extractor: Extractor, texts: Sequence[TextIn]) -> list[TextAnalysis]:
    """Extract and link, reading only (``POST /v1/extract``)."""
    extractions = extractor.extract([t.text for t in texts])
    phrases, vectors = _phrases(extractions)
    known = known_interests(graph, phrases, vectors)
    return link_texts(texts, extractions, known)


def link_texts(
    texts: Sequence[TextIn], extractions: Sequence[Extraction], known: KnownInterests
) -> list[TextAnalysis]:
    """Each text's phrases linked to interests, none stored yet (no I/O)."""
    phrases, vectors = _phrases(extractions)
    links = choose_links(phrases, vectors, known)
    results, start = [], 0
    for text, extraction in zip(texts, extractions, strict=True):
        count = len(extraction.phrases)
        results.append(
            TextAnalysis(text.key, extraction.language, links[start : start + count], False)
        )
        start += count
    return results


def _phrases(extractions: Sequence[Extraction]) -> tuple[list[Phrase], np.ndarray]:
    """The batch's phrases in order, and their embeddings as one matrix."""
    phrases = [p for e in extractions for p in e.phrases]
    vectors = np.concatenate([e.embeddings for e in extractions]) if phrases else np.zeros((0, 0))
    return phrases, vectors


def store(
    graph: Graph,
    extractor: Extractor,
    entries: Sequence[tuple[str, TextIn]],
    *,
    store_raw_text: bool = False,
) -> list[TextAnalysis]:
    """Analyse ``(user_id, text)`` pairs and store the new texts, all or nothing.

    Each becomes EXPRESSED edges from its user; a text about an item also adds to the item's
    ABOUT edges. The text itself is kept only with ``store_raw_text``.
    """
    extractions = extractor.extract([t.text for _, t in entries])
    return store_extracted(graph, entries, extractions, store_raw_text=store_raw_text)


def store_extracted(
    graph: Graph,
    entries: Sequence[tuple[str, TextIn]],
    extractions: Sequence[Extraction],
    *,
    store_raw_text: bool = False,
) -> list[TextAnalysis]:
    """``store`` for texts already through the extractor: link, then write the new ones.

    A concurrent request that stores one of these texts between our check and our write trips a
    uniqueness constraint; linking and writing then run once more, and the check sees it.
    """
    try:
        return _store_once(graph, entries, extractions, store_raw_text)
    except ConstraintError:
        logger.info("a text raced with a concurrent writer; retrying the batch once")
        return _store_once(graph, entries, extractions, store_raw_text)


def _store_once(
    graph: Graph,
    entries: Sequence[tuple[str, TextIn]],
    extractions: Sequence[Extraction],
    store_raw_text: bool,
) -> list[TextAnalysis]:
    known = fetch_known(graph, entries, extractions)
    analyses, rows = plan_texts(entries, extractions, known, store_raw_text=store_raw_text)
    if rows.expressed:
        write_texts(graph, rows)
    return analyses


def fetch_known(
    graph: Graph, entries: Sequence[tuple[str, TextIn]], extractions: Sequence[Extraction]
) -> Known:
    """Which of the texts are stored already, and the interests their phrases may link to."""
    keys = [{"user_id": user_id, "text_id": t.key} for user_id, t in entries]
    record = graph.read_one("texts/find_existing_texts", rows=Rows(keys))
    existing = {(user, text_id) for user, text_id in record["existing"]} if record else set()
    phrases, vectors = _phrases(extractions)
    return Known(existing, known_interests(graph, phrases, vectors))


def plan_texts(
    entries: Sequence[tuple[str, TextIn]],
    extractions: Sequence[Extraction],
    known: Known,
    *,
    store_raw_text: bool = False,
) -> tuple[list[TextAnalysis], TextRows]:
    """Every text's analysis (``stored`` set on those to write) and the rows that store the new
    ones: texts not stored for their user before that link to at least one interest (no I/O)."""
    analyses = link_texts([t for _, t in entries], extractions, known.interests)
    fresh = [
        index
        for index, ((user_id, _), analysis) in enumerate(zip(entries, analyses, strict=True))
        if (user_id, analysis.text_id) not in known.existing and analysis.links
    ]
    if not fresh:
        return analyses, TextRows()
    new = [(*entries[index], analyses[index]) for index in fresh]
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
    rows = TextRows(
        interests=interest_rows(links),
        expressed=list(edges.values()),
        about=[edge for edge in edges.values() if edge["item_id"] is not None],
        raw=[{**text.row(), "user_id": user_id, "body": text.text} for user_id, text, _ in new]
        if store_raw_text
        else [],
    )
    stored = set(fresh)
    analyses = [
        TextAnalysis(a.text_id, a.language, a.links, index in stored)
        for index, a in enumerate(analyses)
    ]
    return analyses, rows


def write_texts(graph: Graph, rows: TextRows) -> None:
    """Write a batch's rows in one transaction."""
    graph.transaction(_write_texts, rows)


def _write_texts(tx: Tx, rows: TextRows) -> None:
    tx.run("texts/merge_interests", rows=Rows(rows.interests)).consume()
    tx.run("texts/create_expressed", rows=Rows(rows.expressed)).consume()
    if rows.about:
        tx.run("texts/merge_about", rows=Rows(rows.about)).consume()
    if rows.raw:
        tx.run("texts/store_raw_texts", rows=Rows(rows.raw)).consume()


def _expression_id(user_id: str, text_id: str, interest_key: str) -> str:
    content = "\x1f".join([user_id, text_id, interest_key])
    return hashlib.sha256(content.encode("utf-8")).hexdigest()[:32]
