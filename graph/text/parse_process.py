"""spaCy in a process of its own for long text imports.

In one process the parse (spaCy and the candidates' Python), the encoder and the graph writes share
one interpreter lock; with the parse in a second process each stage runs on a core of its own
while the others work (bench/texts measures the whole). Only an extractor on the packaged English
pipeline can be rebuilt there; any other parses in the caller's process.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import cache

import numpy as np

from graph.text.extraction import Extractor, Parsed, Weights, english_pipeline

Parse = Callable[[Sequence[str]], Parsed]


@contextmanager
def parser(extractor: Extractor, *, separate: bool) -> Iterator[Parse]:
    """``extractor.parse``, run in a process of its own when ``separate`` and it can be."""
    if not separate or extractor.nlp is not english_pipeline():
        yield extractor.parse
        return
    # spawn, not fork: the caller holds threads (the driver's, torch's) that a fork would copy
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        yield lambda texts: pool.submit(_parse, list(texts), extractor.weights).result()


def _parse(texts: list[str], weights: Weights) -> Parsed:
    return _extractor(weights).parse(texts)


@cache
def _extractor(weights: Weights) -> Extractor:
    return Extractor(english_pipeline(), _no_encoder, weights=weights)


def _no_encoder(texts: Sequence[str]) -> np.ndarray:
    raise RuntimeError("the parse process does not encode")
