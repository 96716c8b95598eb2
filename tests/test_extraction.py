"""Extraction with the real spaCy model and encoder (no Neo4j)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from graph.text.encoder import CachedEncoder, encode
from graph.text.extraction import (
    Extraction,
    Extractor,
    Parsed,
    Weights,
    _Candidate,
    detect_language,
    english_pipeline,
    mmr,
)


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(english_pipeline(), encode)


def phrases(extraction: Extraction) -> dict[str, int]:
    return {p.key: p.polarity for p in extraction.phrases}


@pytest.mark.parametrize(
    ("text", "key", "polarity"),
    [
        ("I'm tired of superhero movies.", "superhero movie", -1),
        ("Not a fan of horror.", "horror", -1),
        ("I'm not a fan of horror films.", "horror film", -1),
        ("I don't like country music.", "country music", -1),
        ("I never liked opera.", "opera", -1),
        ("I no longer watch reality TV.", "reality tv", -1),
        ("I hate romantic comedies.", "romantic comedy", -1),
        ("I don't hate jazz.", "jazz", 1),
        ("I love Italian cooking.", "italian cooking", 1),
        ("Space documentaries are my favourite.", "space documentary", 1),
    ],
)
def test_polarity_from_the_dependency_parse(
    extractor: Extractor, text: str, key: str, polarity: int
) -> None:
    [found] = extractor.extract([text])
    assert phrases(found).get(key) == polarity, phrases(found)


def test_coordinated_phrases_are_split_and_keys_lemmatised(extractor: Extractor) -> None:
    [found] = extractor.extract(["I love Italian cooking and space documentaries."])
    keys = phrases(found)
    assert {"italian cooking", "space documentary"} <= set(keys)
    assert not any(" and " in key for key in keys)


def test_results_keep_the_order_of_the_texts_and_are_batched() -> None:
    calls: list[int] = []

    def counting(texts: Sequence[str]) -> np.ndarray:
        calls.append(len(texts))
        return encode(texts)

    extractor = Extractor(english_pipeline(), counting, top_k=3)
    found = extractor.extract(["jazz concerts", "我喜欢人工智能", "", "mountain hiking trips"])
    assert len(calls) == 1  # one encode for every text and phrase of the batch
    assert [f.language for f in found] == ["en", "zh", "en", "en"]
    assert found[2].phrases == []
    assert "jazz concert" in phrases(found[0]) and "mountain hiking trip" in phrases(found[3])
    assert all(len(f.phrases) <= 3 for f in found)
    assert all(f.embeddings.shape == (len(f.phrases), 384) for f in found)


def test_chinese_keywords_with_negative_cues(extractor: Extractor) -> None:
    liked, mixed = extractor.extract(
        ["我最近对人工智能很感兴趣", "我不喜欢恐怖电影，但是喜欢科幻小说。"]
    )
    assert liked.language == "zh" and phrases(liked).get("人工智能") == 1
    assert phrases(mixed) == {"科幻小说": 1, "恐怖电影": -1}


def test_diversity_keeps_variants_of_one_phrase_from_filling_the_list(extractor: Extractor) -> None:
    text = (
        "Science fiction movies, sci-fi films and science-fiction cinema are what I watch; "
        "I also bake sourdough bread."
    )
    [found] = Extractor(english_pipeline(), encode, top_k=3).extract([text])
    assert any("bread" in p.key for p in found.phrases), phrases(found)


def test_phrases_rank_by_how_central_they_are_among_their_texts_candidates() -> None:
    vectors = {
        "jazz": [1.0, 0.0, 0.0],
        "blues": [0.6, 0.8, 0.0],
        "soul": [0.6, -0.8, 0.0],
        "toaster": [0.0, 0.0, 1.0],
    }
    calls: list[list[str]] = []

    def fake(strings: Sequence[str]) -> np.ndarray:
        calls.append(list(strings))
        return np.array([vectors[s] for s in strings], dtype=np.float32).reshape(-1, 3)

    keys = ("toaster", "blues", "jazz", "soul")
    candidates = [_Candidate(key, key, 0.0, "phrase") for key in keys]
    parsed = Parsed(["jazz, blues, soul and a toaster"], ["en"], [candidates])
    [found] = Extractor(None, fake, top_k=4, weights=Weights(diversity=0.0)).rank(parsed)
    ranked = [p.key for p in found.phrases]
    assert ranked[0] == "jazz" and ranked[-1] == "toaster", ranked
    assert calls == [list(keys)]  # the phrases only, not the text


def test_mmr_prefers_relevant_and_different() -> None:
    rows = np.array([[1.0, 0.0], [0.99, 0.141], [0.0, 1.0]], dtype=np.float32)
    relevance = np.array([1.0, 0.95, 0.6])
    assert mmr(relevance, rows, 2, diversity=0.0, redundant=1.01) == [0, 1]
    assert mmr(relevance, rows, 2, diversity=0.0) == [0, 2]  # row 1 would name the same interest
    assert mmr(relevance, rows, 2, diversity=0.8) == [0, 2]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("hello world", "en"),
        ("我最近对人工智能很感兴趣", "zh"),
        ("AI 人工智能很有意思", "zh"),
        ("", "en"),
        ("12345", "en"),
    ],
)
def test_language_detection(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_cached_encoder_encodes_each_string_once_until_evicted() -> None:
    calls: list[list[str]] = []

    def counting(texts: Sequence[str]) -> np.ndarray:
        calls.append(list(texts))
        return encode(texts)

    cached = CachedEncoder(counting, size=3)
    first = cached(["jazz", "opera", "jazz"])
    assert calls == [["jazz", "opera"]]
    assert np.allclose(first, encode(["jazz", "opera", "jazz"]), atol=1e-5)
    again = cached(["opera", "blues"])
    assert calls[-1] == ["blues"]  # opera came from the cache
    assert np.array_equal(again[0], first[1])
    cached(["folk", "rock"])  # holds three: jazz, the least recently used, goes
    cached(["jazz"])
    assert calls[-1] == ["jazz"]
    assert cached([]).shape == (0, 384)
