"""The parse of a long text import in a process of its own, and the encoder's threads meanwhile."""

from __future__ import annotations

import torch

from graph.text.encoder import encode, encoder_threads
from graph.text.extraction import Extractor, default_extractor, english_pipeline
from graph.text.parse_process import parser

TEXTS = [
    "I'm tired of superhero movies, but I love Italian cooking.",
    "我最近对人工智能很感兴趣",
    "Space documentaries and jazz concerts.",
    "",
]


def test_the_separate_process_parses_as_the_extractor_does() -> None:
    extractor = default_extractor()
    with parser(extractor, separate=True) as parse:
        assert parse is not extractor.parse
        separate = parse(TEXTS)
    here = extractor.parse(TEXTS)
    assert separate.languages == here.languages == ["en", "zh", "en", "en"]
    assert separate.candidates == here.candidates
    assert any(c.key == "superhero movie" and c.polarity == -1 for c in separate.candidates[0])


def test_other_pipelines_and_short_imports_parse_in_this_process() -> None:
    custom = Extractor(english_pipeline().__class__(), encode)  # a blank pipeline, not the model
    with parser(custom, separate=True) as parse:
        assert parse == custom.parse
    extractor = default_extractor()
    with parser(extractor, separate=False) as parse:
        assert parse == extractor.parse


def test_the_encoder_leaves_cores_to_the_other_stages_and_gets_them_back() -> None:
    before = torch.get_num_threads()
    with encoder_threads(leave=before):
        assert torch.get_num_threads() == 1  # never fewer than one
    assert torch.get_num_threads() == before
