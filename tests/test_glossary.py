"""Chinese interests linked by their English: CC-CEDICT's senses, and the vectors linking uses."""

from __future__ import annotations

import numpy as np
import pytest

from graph.text.encoder import encode
from graph.text.extraction import Extractor, english_pipeline
from graph.text.glossary import english_gloss, parse, sense

LINES = [
    "# CC-CEDICT",
    "電影 电影 [dian4 ying3] /movie/film/CL:部[bu4],片[pian4]/",
    "編程 编程 [bian1 cheng2] /(computing) to program/programming/",
    "健身 健身 [jian4 shen1] /to exercise/to keep fit/",
    "个 个 [ge4] /CL:個|个[ge4]/",
    "电影 电影 [dian4 ying3] /a later entry/",
    "現代 现代 [Xian4 dai4] /Hyundai, South Korean company/",
    "現代 现代 [xian4 dai4] /modern times/modern age/",
    "宮崎駿 宫崎骏 [Gong1 qi2 Jun4] /Miyazaki Hayao (1941-), Japanese director/",
]


def test_the_first_sense_that_names_a_meaning() -> None:
    found = parse(LINES)
    assert found["电影"] == found["電影"] == "movie"  # both headwords; the first entry wins
    assert found["编程"] == "programming"  # a noun before a verb, notes in brackets dropped
    assert found["健身"] == "exercise"  # only verbs: the first, without its "to"
    assert "个" not in found  # a measure word alone names no meaning
    assert found["现代"] == "modern times"  # the common word before the company's name
    assert found["宫崎骏"] == "Miyazaki Hayao, Japanese director"  # a name has only its own
    assert sense(["see 電影|电影[dian4 ying3]", "variant of 影"]) is None


def test_a_phrase_gets_its_entry_else_its_words_senses() -> None:
    assert english_gloss("人工智能") == "artificial intelligence"  # an entry of its own
    assert english_gloss("恐怖电影") == "horror movie"  # 恐怖 + 电影, word by word
    assert english_gloss("space opera") is None  # no Chinese: nothing to gloss
    assert english_gloss(" 电影 ") == "movie"


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(english_pipeline(), encode)


def cosine(a: np.ndarray, b: str) -> float:
    return float(a @ encode([b])[0])


def test_a_chinese_interest_carries_the_vector_of_its_english(extractor: Extractor) -> None:
    [found] = extractor.extract(["我最近对人工智能很感兴趣，但是不喜欢恐怖电影"])
    vectors = {p.text: v for p, v in zip(found.phrases, found.embeddings, strict=True)}
    assert cosine(vectors["人工智能"], "artificial intelligence") > 0.99
    assert cosine(vectors["恐怖电影"], "horror films") >= 0.75  # links to the English interest
    plain = Extractor(extractor.nlp, encode, gloss=None)
    [own] = plain.extract(["我最近对人工智能很感兴趣，但是不喜欢恐怖电影"])
    assert [p.text for p in own.phrases] == [p.text for p in found.phrases]  # same ranking
    unglossed = dict(zip([p.text for p in own.phrases], own.embeddings, strict=True))
    assert cosine(unglossed["人工智能"], "artificial intelligence") < 0.5  # the English encoder


def test_english_phrases_keep_their_own_vectors(extractor: Extractor) -> None:
    [found] = extractor.extract(["I love artificial intelligence and horror films."])
    own = encode([p.text for p in found.phrases])
    assert np.allclose(found.embeddings, own, atol=1e-5)
