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
    # one encode for every text and phrase of the batch, one for the Chinese phrases' English
    assert len(calls) == 2 and calls[1] == len(found[1].phrases)
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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I love Sci-Fi.", {"sci-fi": 1}),  # no stray "fi"
        ("I'm really into K-pop these days.", {"k-pop": 1}),  # no "pop", no "days"
        ("I love Sci-Fi and Star Wars movies.", {"sci-fi": 1, "star wars movie": 1}),
        ("Star Wars is the greatest saga ever made.", {"star wars": 1}),  # not "star war"
        ("I watched Star Wars again last night and loved it.", {"star wars": 1}),
        ("I love Star Wars", {"star wars": 1}),  # no full stop, still not a headline: no "wars"
        ("Not a fan of sci-fi, but I love Star Wars.", {"sci-fi": -1, "star wars": 1}),  # parsed
        ("Not a fan of lo-fi, honestly", {"lo-fi": -1}),  # as "lo", "-", "fi": still one word
        ("Star Wars is the best", {"star wars": 1}),
        ("Nothing beats a good bowl of ramen.", {"ramen": 1}),  # spaCy's lemma is "raman"
    ],
)
def test_names_and_hyphenated_words_keep_their_form(
    extractor: Extractor, text: str, expected: dict[str, int]
) -> None:
    [found] = extractor.extract([text])
    assert phrases(found) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I love horror but not slasher films.", {"horror": 1, "slasher film": -1}),
        ("Chess is fun, checkers is not.", {"chess": 1, "checker": -1}),
        ("I'm tired of superhero movies, but I love Italian cooking.",
         {"superhero movie": -1, "italian cooking": 1}),
        ("Not a big fan of country music, but I adore K-pop.", {"country music": -1, "k-pop": 1}),
        ("I like cats, but dogs annoy me.", {"cat": 1, "dog": -1}),
        ("I'm obsessed with Korean barbecue but I can't stand kimchi.",
         {"korean barbecue": 1, "kimchi": -1}),
        ("I don't really like coffee, tea is more my thing.", {"coffee": -1, "tea": 1}),
        ("I used to love anime.", {"anime": -1}),
        ("I can't say I enjoy camping.", {"camping": -1}),
        ("Not into sports at all, except tennis.", {"sport": -1, "tennis": 1}),  # the exception
        ("I like all sports except tennis.", {"sport": 1, "tennis": -1}),
        ("Meh on horror, yes to thrillers.", {"horror": -1, "thriller": 1}),
        ("No to reality shows, yes to documentaries", {"documentary": 1}),  # no negator across
        ("Christopher Nolan films are always worth watching", {"christopher nolan film": 1}),
        ("Space documentaries blow my mind", {"space documentary": 1}),  # not "mind"
    ],
)  # fmt: skip
def test_negation_and_contrast_scope_over_the_phrases_they_reach(
    extractor: Extractor, text: str, expected: dict[str, int]
) -> None:
    [found] = extractor.extract([text])
    assert phrases(found) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm into board games.", {"board game": 1}),
        ("Can't stand country music.", {"country music": -1}),
        ("I'm a huge Formula 1 fan.", {"formula 1": 1}),
        ("Reality TV is so boring.", {"reality tv": -1}),
        ("My favourite sport is tennis.", {"tennis": 1}),
        ("Jazz is my favourite kind of music.", {"jazz": 1}),
        ("Retro gaming is my jam.", {"retro gaming": 1}),
        ("Great food, terrible service.", {"food": 1, "service": -1}),
        ("Dubstep? Hard pass.", {"dubstep": -1}),
        ("Horror films? Love them.", {"horror film": 1}),
        ("I have zero interest in celebrity gossip.", {"celebrity gossip": -1}),
        ("My friends love clubbing, but I prefer board games.", {"board game": 1}),
        ("My wife loves opera, I find it dull.", {"opera": -1}),
        ("Went to a jazz concert last night, it was amazing.", {"jazz concert": 1}),
        ("Running is boring, yet cycling makes me happy.", {"running": -1, "cycling": 1}),
        ("Jogging in the rain is miserable.", {"jogging": -1}),
        ("Lowkey obsessed with Korean skincare rn.", {"korean skincare": 1}),
    ],
)
def test_cues_are_never_interests_what_they_govern_is(
    extractor: Extractor, text: str, expected: dict[str, int]
) -> None:
    [found] = extractor.extract([text])
    assert phrases(found) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我最近对人工智能很感兴趣，但是不喜欢恐怖电影", {"人工智能": 1, "恐怖电影": -1}),
        ("我讨厌香菜", {"香菜": -1}),
        ("我对足球一点兴趣都没有", {"足球": -1}),
        ("我对篮球没什么兴趣", {"篮球": -1}),
        ("我对摇滚乐不感兴趣", {"摇滚乐": -1}),
        ("我并不讨厌爵士乐", {"爵士乐": 1}),
        ("我喜欢电影，但不是恐怖片", {"电影": 1, "恐怖片": -1}),
        ("这部电影太无聊了，不过配乐很好听", {"电影": -1, "配乐": 1}),
        ("我热爱跑步", {"跑步": 1}),
        ("周末喜欢去爬山和打篮球", {"爬山": 1, "篮球": 1}),
        ("我是周杰伦的粉丝", {"周杰伦": 1}),
        ("我是一个篮球迷", {"篮球": 1}),
        ("我的爱好是钓鱼和下棋", {"钓鱼": 1, "下棋": 1}),
        ("讨厌的食物：香菜、苦瓜、榴莲", {"香菜": -1, "苦瓜": -1, "榴莲": -1}),
        ("我不想看恐怖片", {"恐怖片": -1}),
        ("我妈妈喜欢看韩剧，但我更喜欢瑜伽", {"瑜伽": 1}),
        ("我对 machine learning 很感兴趣", {"machine learning": 1}),
        # jieba glues 太 to a word it does not know: 网购太, 广场 + 舞太
        ("网购太方便了", {"网购": 1}),
        ("广场舞太吵了", {"广场舞": -1}),
        # an activity before 是 that a cue closing the clause names: "X is my hobby"
        ("烹饪是我最大的爱好", {"烹饪": 1}),
        ("读书和写作是我的爱好", {"读书": 1, "写作": 1}),
        # ... and denied by a negator at 是 (jieba keeps 不是 as one token)
        ("看书不是我的爱好", {"看书": -1}),
        ("钓鱼并不是我最大的兴趣", {"钓鱼": -1}),
        ("钓鱼不再是我的爱好", {"钓鱼": -1}),
        ("游泳也是我的爱好", {"游泳": 1}),
    ],
)
def test_chinese_cues_govern_the_phrases_and_are_never_interests(
    extractor: Extractor, text: str, expected: dict[str, int]
) -> None:
    [found] = extractor.extract([text])
    assert found.language == "zh"
    assert phrases(found) == expected


def test_chinese_words_in_an_english_text_take_the_english_cues(extractor: Extractor) -> None:
    [found] = extractor.extract(["I love 火锅 but hate 香菜."])
    assert found.language == "en"
    assert phrases(found) == {"火锅": 1, "香菜": -1}


def test_a_tag_or_a_short_text_names_its_interests_exactly(extractor: Extractor) -> None:
    """Not also the head noun of each phrase ("comedy", "dramas"), as an article's phrases do
    (``tests/test_extraction_articles.py``)."""
    tag, sentence, comment = extractor.extract([
        "dark comedy",
        "It's a dark comedy about a bank robbery.",  # no opinion
        "Been binge-watching Korean dramas all weekend",
    ])  # fmt: skip
    assert phrases(tag) == {"dark comedy": 1}
    assert set(phrases(sentence)) == {"dark comedy", "bank robbery"}
    assert "drama" not in phrases(comment)


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
    opposite = np.array([1, -1, 1])  # liked and disliked are two answers, however alike
    assert mmr(relevance, rows, 2, diversity=0.8, signs=opposite) == [0, 1]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("hello world", "en"),
        ("我最近对人工智能很感兴趣", "zh"),
        ("AI 人工智能很有意思", "zh"),
        ("我对 machine learning 很感兴趣", "zh"),  # two English words in a Chinese sentence
        ("I love 火锅 but hate 香菜", "en"),  # and two Chinese words in an English one
        ("动漫yyds", "zh"),  # as many of each: the script it starts in
        ("Pizza 披萨", "en"),
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


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        # an entity inside a longer phrase, a phrase inside a longer entity
        ("Sushi and Korean barbecue are my top three.", {"korean barbecue"}, {"korean"}),
        ("Mexican street food is unbeatable.", {"mexican street food"}, {"mexican"}),
        ("Totally hooked on Formula 1 lately.", {"formula 1"}, {"formula"}),
        # a noun the parse made a verb of, glued to its "object"
        ("My weekends are all about mountain biking and craft beer.", {"craft beer"},
         {"craft", "beer"}),
        # what a trimmed noun leaves behind, interjections
        ("Learning Japanese is my new hobby.", {"japanese"}, {"new"}),
        ("Ugh, jazz again.", set(), {"ugh"}),
        # a hyphenated verb of doing before the interest
        ("Been binge-watching Spanish thrillers, obsessed.", {"spanish thriller"},
         {"binge-watching spanish thriller"}),
    ],
)  # fmt: skip
def test_a_writer_names_each_interest_once_and_whole(
    extractor: Extractor, text: str, present: set[str], absent: set[str]
) -> None:
    [found] = extractor.extract([text])
    keys = set(phrases(found))
    assert present <= keys and not absent & keys, keys


def test_a_die_hard_fan_of_someone_is_a_fan_of_them(extractor: Extractor) -> None:
    [found] = extractor.extract(["我是林俊杰的铁杆粉丝"])
    assert phrases(found) == {"林俊杰": 1}


@pytest.mark.parametrize(
    ("text", "polarity"),
    [
        ("Please stop recommending me horror films.", -1),
        ("I stopped liking horror films years ago.", -1),
        ("I can't stop watching horror films.", 1),
    ],
)
def test_stopping_ends_what_its_gerund_says(extractor: Extractor, text: str, polarity: int) -> None:
    [found] = extractor.extract([text])
    assert phrases(found).get("horror film") == polarity, phrases(found)
