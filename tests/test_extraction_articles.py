"""Extraction from articles (news, science) with the real spaCy model: "X of Y", the prior."""

from __future__ import annotations

import pytest

from graph.text.cues import english_opinions
from graph.text.extraction import Weights, _Candidate, english_candidates, english_pipeline

ARTICLE = (
    "Complex Langevin dynamics provides an approach to the sign problem in numerical "
    "simulations of lattice field theories. The method does not rely on importance sampling. "
    "Earlier studies reported the formation of the fullerene in graphene sheets. Correct "
    "results are not guaranteed, and the authors call for an improved understanding of the "
    "process. The distribution should be localised for the method to yield valid results."
)


def candidates(text: str) -> dict[str, str]:
    return {c.key: c.kind for c in english_candidates(english_pipeline()(text))}


def test_an_articles_phrase_joins_the_phrase_its_of_takes() -> None:
    found = candidates(ARTICLE)
    assert found.get("numerical simulation of lattice field theory") == "joined", found
    assert found.get("formation of the fullerene") == "joined", found
    assert found.get("numerical simulation") == "phrase"  # the parts stay candidates
    assert found.get("lattice field theory") == "phrase"
    assert not any(" of " in key for key, kind in found.items() if kind != "joined")


def test_an_articles_phrases_also_offer_their_head_nouns() -> None:
    found = candidates(ARTICLE)
    assert found.get("lattice field theory") == "phrase" and found.get("theory") == "head"
    assert found.get("numerical simulation") == "phrase" and found.get("simulation") == "head"


@pytest.mark.parametrize(
    "text", ["I love the smell of coffee.", "I'm a big fan of the music of Miles Davis."]
)
def test_a_writers_opinion_is_not_joined(text: str) -> None:
    assert "joined" not in candidates(text).values()


def test_the_prior_weighs_joined_phrases_and_length() -> None:
    weights = Weights(position=0.0, frequency=0.0, entity=0.0, head=0.0, joined=0.2, length=0.1)
    joined = _Candidate("a of b", "motion of the particle", 0.5, "joined")
    phrase = _Candidate("lattice field theory", "lattice field theories", 0.5, "phrase")
    word = _Candidate("lattice", "lattice", 0.5, "phrase")
    long = _Candidate("x", "one two three four five six", 0.5, "phrase")
    assert joined.prior(weights) == pytest.approx(0.2 + 0.1 * 3)
    assert phrase.prior(weights) == pytest.approx(0.1 * 2)
    assert word.prior(weights) == 0.0
    assert long.prior(weights) == pytest.approx(0.1 * 3)  # counted up to four words


@pytest.mark.parametrize(
    ("text", "headline"),
    [
        ("House Talks Mimic Effort", True),  # title case, no full stop
        ("Star Wars Is the Best", True),
        ("Star Wars is the best", False),  # a sentence: its verb and adjective in lower case
        ("I love Star Wars", False),  # the writer speaks of themself
        ("US President Says Tariffs Will Rise", True),  # "US" is not the writer
        ("Despicable Me 4 Tops Box Office", True),  # nor a title's "Me"
        ("Critics say we have never seen a film like it", True),  # reported speech
        ("Dune Is Great", False),  # two words of four letters: a comment
    ],
)
def test_a_short_headline_is_read_as_an_article_not_as_the_writer_speaking(
    text: str, headline: bool
) -> None:
    clauses = english_opinions(english_pipeline()(text)).clauses
    assert [c.personal for c in clauses] == [not headline]
