"""Cues of liking and disliking, in English and Chinese, and the scope each one governs.

A *cue* is how a writer says they like or dislike something ("love", "I'm into", "can't stand",
"not a fan of", 喜欢, 很感兴趣, 讨厌, 迷上, 无聊 ...). A cue is never an interest itself: what it
governs is, with the cue's polarity. The lexicons below are the one place the words live; the
extractor (``graph.text.extraction``) finds them in a text and calls :func:`read`.

Each cue has a valence (+1 liking, -1 disliking) and a side: ``after`` when what it governs
follows it ("I love X", 我喜欢X, "tired of X") and ``before`` when it precedes it ("X is boring",
"X bores me", X太无聊了, 对X很感兴趣). A negator flips a cue ("not a fan of", "don't like",
不喜欢, 没兴趣) and so does a past marker ("used to love", 以前讨厌). A negator in front of a
phrase with no cue of its own flips what the phrase inherits ("I love horror but not slasher
films", 我喜欢电影，但不是恐怖片).

Scope, in :func:`read`: a text is cut into clauses at punctuation and at words of contrast (but,
however, although; 但是, 不过, 可是). Within a clause a phrase belongs to the nearest cue whose side
it is on; a cue with no phrase on its side takes those on its other side ("Jazz is what I love").
A clause without a cue inherits the cue of the clause before it in its sentence ("I like jazz,
blues and soul"); a cue with no phrase at all ("Dubstep? Hard pass.", "I watched Dune and loved
it") governs the cue-less clauses just before it. Only the writer's own opinions count: "my
friends love clubbing" governs nothing. Where the writer speaks (a short text, see
:class:`Clause`), in a sentence that holds an opinion of the writer a phrase that no cue governs
is context ("last night", "my brother"), not an interest; in a sentence with no opinion (a tag, a
query) or in a long text (a news article) every phrase is a plain mention, liked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Cue:
    valence: int  # +1 liking, -1 disliking
    side: str  # "after": governs what follows it; "before": what precedes it


def _cues(words: str, valence: int, side: str) -> dict[str, Cue]:
    return {word: Cue(valence, side) for word in words.split()}


def _words(words: str) -> frozenset[str]:
    return frozenset(words.split())


def _phrases(lines: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(line.lower().split()) for line in lines.strip().splitlines())


# English, by lemma (lowercase). "like" counts only as a verb; into, over, done and all only after
# "be" or "get" ("I'm into X", "I got into X", "I'm so over X", "I'm done with X").
EN_CUES: dict[str, Cue] = {
    # the writer likes or dislikes what follows: verbs, adjectives of the experiencer, nouns
    **_cues("love like enjoy adore prefer dig fancy appreciate relish stan crave admire cherish "
            "recommend into obsessed addicted hooked passionate keen crazy fond interested excited "
            "curious fan lover addict nerd geek buff junkie enthusiast fanatic devotee person "
            "believer supporter admirer favourite favorite fav fave go-to comfort hobby passion "
            "interest obsession miss", +1, "after"),
    **_cues("hate dislike detest loathe despise avoid abhor regret stop quit tired sick bored "
            "weary over done annoyed disappointed", -1, "after"),
    # what precedes is liked or disliked: verbs whose subject is the thing, judgements of it
    **_cues("fascinate excite intrigue thrill amaze inspire relax rock rule slap appeal captivate "
            "delight great amazing awesome fun best greatest fantastic wonderful brilliant "
            "excellent cool fascinating interesting relaxing lit goated underrated beautiful "
            "delicious tasty good nice fine happy enjoyable addictive epic incredible superb "
            "lovely perfect magical dope bearable thing jam vibe weakness pleasure rewarding "
            "unbeatable satisfying therapeutic", +1, "before"),
    **_cues("bore annoy irritate suck disgust frustrate scare bother depress boring awful terrible "
            "horrible overrated cringe cringey cringy lame mid trash garbage worst dull tedious "
            "annoying bad gross disgusting pretentious weak miserable meh scam poor pointless "
            "exhausting unbearable overhyped stupid ugly torture nightmare disappointing nonsense "
            "overpriced pointless", -1, "before"),
}  # fmt: skip
EN_PHRASES: dict[tuple[str, ...], Cue] = {
    **{p: Cue(+1, "after") for p in _phrases("""
        can not get enough
        go - to
        could not get enough
        nothing beat
        be all about
        big on
        thumb up
        would not say no to
        yes to
    """)},
    **{p: Cue(-1, "after") for p in _phrases("""
        can not stand
        could not stand
        can not bear
        can not stomach
        want nothing to do with
        give up
        thumb down
        fed up
        sick and tired
    """)},
    **{p: Cue(+1, "before") for p in _phrases("""
        cup of tea
        hit different
        keep I go
        all the way
    """)},
    **{p: Cue(-1, "before") for p in _phrases("""
        not for I
        not so much
        hard pass
        no thanks
        waste of time
        put I to sleep
        drive I mad
        drive I crazy
        drive I nuts
        so so
    """)},
}  # fmt: skip
EN_NEEDS_BE_OR_GET = _words("into over done all")
#: words of the writer's aside, never interests ("no cap", "tbh"): lowercase token sequences
EN_FILLERS = _phrases("""
    no cap
    not gon na lie
    ngl
    tbh
    rn
    imo
    imho
    lol
    lmao
    honestly
    to be honest
""")
EN_NEGATORS = _words("not n't never no nor neither hardly barely zero")
#: a negated verb of saying or thinking negates the opinion under it ("I can't say I enjoy X")
EN_RAISING = _words("think say believe feel guess reckon know")
EN_CONTRASTS = _words("but however although though yet whereas except")
#: words that only grade a cue ("a huge fan", "kinda fun"), dropped from the edge of a phrase
EN_INTENSIFIERS = _words("big huge massive absolute die-hard guilty lifelong longtime long-time "
                         "kinda sorta pretty really so very all-time")  # fmt: skip
#: nouns (lemmas) that name no interest: times, amounts and kinds, the people around the writer
EN_NOT_INTERESTS = _words("thing stuff lot lots kind sort type bit way time times day week weekend "
                          "month year night morning evening afternoon minute hour moment today "
                          "tonight yesterday tomorrow while people friend family someone everyone "
                          "anyone everything anything nothing something bowl cup glass piece plate "
                          "slice bunch couple brother sister mom mum dad mother father parent wife "
                          "husband partner boyfriend girlfriend kid child son daughter colleague "
                          "roommate neighbour neighbor thank life mind heart soul "
                          "word")  # fmt: skip
#: words that are no phrase alone: interjections, and what a chunk's trimmed noun leaves behind
#: ("new" of "my new hobby")
EN_NO_PHRASE = _words("ugh meh omg wow yay hmm lol haha lmao ooh oh ah new old latest current "
                      "recent first last next own other same whole main usual")  # fmt: skip
#: subjects whose opinion is not the writer's ("my friends love X"); nouns count too
EN_OTHERS = _words("he she they everyone everybody people someone")
#: prepositions that introduce examples of a phrase, not a modifier of it ("games like Civ")
EN_EXAMPLES = _words("like including especially except as by")
#: nouns that name an aspect of what follows them: "the smell of coffee", "the hype around NFTs"
EN_ASPECTS = _words("smell taste sound look feel idea concept hype season episode part side")
#: verbs of doing in front of what is done: "playing volleyball" is "volleyball"
EN_DOING = _words("play watch eat read listen go do make try drink visit")
SHORT_TEXT_SENTENCES = 3
SHORT_TEXT_TOKENS = 60

# Chinese, by word as jieba segments it; an intensifier in front (很, 超, 最, 太 ...) and a verb of
# doing behind (爱吃, 爱看) are looked through.
ZH_CUES: dict[str, Cue] = {
    **_cues("喜欢 爱 热爱 喜爱 钟爱 偏爱 酷爱 迷上 迷恋 沉迷 爱上 享受 欣赏 热衷 安利 推荐 "
            "入坑 最爱 爱好 粉 崇拜 向往 爱死 关心 在乎", +1, "after"),
    **_cues("讨厌 厌倦 受够 受不了 反感 怕 害怕 厌烦 嫌弃 烦透", -1, "after"),
    **_cues("感兴趣 兴趣 着迷 入迷 上头 心头好 粉丝 控 真香 绝绝子 yyds 爱了 好看 好吃 好玩 好听 "
            "有意思 有趣 精彩 不错 棒 厉害 放松 开心 过瘾 离不开 香 乐趣 感冒 好 "
            "方便", +1, "before"),
    **_cues("看不下去 腻 无聊 枯燥 无感 做作 难看 难吃 难听 劝退 雷 踩雷 浪费时间 一般 累 吵 恶心 "
            "烂 鸡肋 垃圾 没意思 头疼 痛苦 无趣 乏味 尴尬 烦 差 糟糕", -1, "before"),
}  # fmt: skip
ZH_INTENSIFIERS = ("超级", "特别", "非常", "十分", "相当", "有点", "有些", "比较", "实在", "真的",
                   "最", "超", "很", "太", "好", "真", "挺", "蛮", "更", "巨", "铁杆",
                   "死忠")  # fmt: skip
ZH_FAN_SUFFIXES = ("迷", "控", "粉")  # 篮球迷, 咖啡控: a fan of basketball, of coffee
ZH_LISTS = _words("、 和 或 或者 还有 以及 跟 与")  # 跑步、游泳和骑自行车
ZH_LIGHT_VERBS = ("打", "吃", "看", "听", "玩", "踢", "弹", "下", "喝", "学", "练", "去", "逛")
ZH_NEGATORS = _words("不 没 没有 别 并不 从不 从来不 从没 不再 再也不 毫不 不是 无 未 绝不 "
                     "一点也不 一点都不 不怎么 不太 没什么 没啥")  # fmt: skip
ZH_PAST = _words("以前 曾经 以往 过去 原来 本来 小时候")
ZH_CONTRASTS = _words("但是 但 不过 可是 然而 只是 虽然 而是")
#: between a negator and its cue (不太喜欢, 一点兴趣都没有)
ZH_BETWEEN = _words("太 很 是 怎么 什么 大 那么 特别 一点 也 都 真的 再 还 就 对 会 能")
#: the writer's asides (说实话 "to be honest"), never interests
ZH_FILLERS = _words("说实话 老实说 讲真 其实 真的 感觉 觉得 我觉得 个人觉得")
ZH_NOT_INTERESTS = _words("东西 事情 事 时候 感觉 时间 朋友 人 大家 方面 类型 种类 部分 味道 店 "
                          "样子 地方 问题 情况 一些 这种 那种 食物 作家 运动员 歌手")  # fmt: skip
ZH_OTHERS = _words("他 她 他们 她们 妈妈 爸爸 妈 爸 朋友 朋友们 老公 老婆 孩子 儿子 女儿 女朋友 "
                   "男朋友 同事 同学 哥哥 姐姐 弟弟 妹妹 家人 别人 室友")  # fmt: skip
ZH_WITH = _words("和 跟 与 同")  # "我和朋友都喜欢": the writer is among the subjects


def zh_cue(word: str) -> Cue | None:
    """The cue a Chinese token (or tokens run together) spells, looking through intensifiers in
    front and a verb of doing behind: 很感兴趣 → 感兴趣, 超爱 → 爱, 爱吃 → 爱."""
    for form in _zh_forms(word):
        if form in ZH_CUES:
            return ZH_CUES[form]
    return None


def _zh_forms(word: str) -> list[str]:
    forms = [word]
    stripped = True
    while stripped:
        stripped = False
        for prefix in ZH_INTENSIFIERS:
            if forms[-1].startswith(prefix) and len(forms[-1]) > len(prefix):
                forms.append(forms[-1][len(prefix) :])
                stripped = True
                break
    for form in list(forms):
        if len(form) > 1 and form.endswith(ZH_LIGHT_VERBS) and form[:-1] in ZH_CUES:
            forms.append(form[:-1])
    return forms


@dataclass(frozen=True)
class CueAt:
    """A cue found in a text, over tokens ``start`` to ``end`` (exclusive)."""

    start: int
    end: int
    clause: int
    valence: int  # negation applied
    side: str
    own: bool = True  # the writer's opinion (False: "my friends love ...")


@dataclass(frozen=True)
class MentionAt:
    """A candidate phrase's occurrence, over tokens ``start`` to ``end`` (exclusive)."""

    start: int
    end: int
    clause: int
    negated: bool = False  # a negator just before it that no cue took ("but not slasher films")
    judged: int = 0  # a judgement it carried, taken off it ("great food": +1)


@dataclass(frozen=True)
class Clause:
    sentence: int  # clauses are numbered in text order, and so are sentences
    contrast: bool = False  # opens with a word of contrast ("but", 但是)
    personal: bool = True  # the writer speaks: a short text (a comment, a review, a tag), not a
    # news article nor its headline
    exception: bool = False  # opens with "except": what it names is the exception to what it
    # inherits ("not into sports, except tennis")


@dataclass(frozen=True)
class Reading:
    polarity: int  # +1 liked, -1 disliked
    status: str  # "opinion" (a cue of the writer governs it), "mention" (no opinion around it),
    # or "context" (in an opinion sentence, governed by none of the writer's cues: not an interest)


def read(
    mentions: Sequence[MentionAt], cues: Sequence[CueAt], clauses: Sequence[Clause]
) -> list[Reading]:
    """Which cue governs each mention, and so its polarity (see the module's docstring)."""
    sentence_of = [c.sentence for c in clauses]
    governs: list[CueAt | None] = [None] * len(mentions)
    by_clause: dict[int, list[int]] = {}
    for index, mention in enumerate(mentions):
        by_clause.setdefault(mention.clause, []).append(index)
    cues_of: dict[int, list[CueAt]] = {}
    for cue in cues:
        cues_of.setdefault(cue.clause, []).append(cue)
    for clause, indexes in by_clause.items():
        for index in indexes:
            governs[index] = _nearest(mentions[index], cues_of.get(clause, []), mentions, indexes)
    used = {id(cue) for cue in governs if cue is not None}
    for cue in cues:  # a cue that governs nothing reaches back over the cue-less clauses before
        clause = cue.clause - 1
        while (
            id(cue) not in used
            and clause >= 0
            and sentence_of[clause] >= sentence_of[cue.clause] - 1
        ):
            for index in by_clause.get(clause, []):
                current = governs[index]
                if not mentions[index].judged and (
                    current is None or (cue.own and not current.own)
                ):
                    governs[index] = cue  # "my wife loves opera, I find it dull"
            if clause in cues_of:
                break
            clause -= 1
    for clause in sorted(by_clause):  # a cue-less clause inherits from its sentence's cues
        if clause in cues_of:
            continue
        heir = _heir(clause, cues_of, by_clause, governs, clauses)
        for index in by_clause[clause]:
            if governs[index] is None and not mentions[index].judged:
                governs[index] = heir
    opinionated = {sentence_of[c.clause] for c in cues if c.own and clauses[c.clause].personal}
    readings = []
    for mention, governing in zip(mentions, governs, strict=True):
        flip = -1 if mention.negated else 1
        inherited = governing is not None and governing.clause != mention.clause
        if clauses[mention.clause].exception and inherited:
            flip = -flip  # the exception to an opinion of the clauses before
        if governing is not None and governing.own:
            readings.append(Reading(governing.valence * flip, "opinion"))
        elif governing is None and (mention.judged or mention.negated):
            readings.append(Reading((mention.judged or 1) * flip, "opinion"))
        elif sentence_of[mention.clause] in opinionated:
            readings.append(Reading(flip, "context"))
        else:
            readings.append(Reading(flip, "mention"))
    return readings


def _nearest(
    mention: MentionAt, cues: list[CueAt], mentions: Sequence[MentionAt], clause: list[int]
) -> CueAt | None:
    """The nearest cue of the clause with the mention on its side, else the nearest one with no
    mention on its side and this mention on the other."""

    def on_side(cue: CueAt, m: MentionAt) -> bool:
        return m.start >= cue.end if cue.side == "after" else m.end <= cue.start

    def distance(cue: CueAt) -> int:
        return mention.start - cue.end if mention.start >= cue.end else cue.start - mention.end

    facing = [c for c in cues if on_side(c, mention)]
    if not facing:
        facing = [
            c
            for c in cues
            if not any(on_side(c, mentions[i]) for i in clause)
            and (mention.start >= c.end or mention.end <= c.start)
        ]
    return min(facing, key=distance) if facing else None


def _heir(
    clause: int,
    cues_of: dict[int, list[CueAt]],
    by_clause: dict[int, list[int]],
    governs: list[CueAt | None],
    clauses: Sequence[Clause],
) -> CueAt | None:
    """The cue a clause without one inherits: that of the last clause before it in its sentence
    with a cue ("I like jazz, blues and soul"), else a judgement that opens the clause after it
    ("Sushi, pizza and pasta are my favourites")."""
    sentence = clauses[clause].sentence
    for before in range(clause - 1, -1, -1):
        if clauses[before].sentence != sentence:
            break
        if before in cues_of:
            return _last_governing(before, by_clause, governs) or cues_of[before][-1]
    after = clause + 1
    while (
        after < len(clauses) and clauses[after].sentence == sentence and not clauses[after].contrast
    ):
        if after in cues_of:
            first = cues_of[after][0]
            return first if first.side == "before" else None
        after += 1
    return None


def _last_governing(
    clause: int, by_clause: dict[int, list[int]], governs: list[CueAt | None]
) -> CueAt | None:
    for index in reversed(by_clause.get(clause, [])):
        if governs[index] is not None:
            return governs[index]
    return None


# English: cues and clauses in a spaCy Doc ------------------------------------------------------

EN_CLAUSE_PUNCT = _words(", ; : — – ? ! ... …")
EN_STOPPING = _words("stop quit")  # verbs that end what their gerund would say
EN_VERB_ONLY = _words("like rock rule slap suck stop quit appeal bore dig fancy relax scare bother")
EN_ATTR_ONLY = _words("thing jam vibe weakness pleasure")  # "X is my thing", not "things I hate"
EN_FRAMES = _words(
    "favourite favorite fav fave go-to comfort"
)  # "my favourite sport is X": a frame
EN_FIRST_PERSON = _words("i we me us you u")
EN_WRITER = _words("i me my mine myself we us our ours")  # the writer, in their own words
EN_TITLED_POS = {"VERB", "AUX", "ADJ", "ADV", "NOUN", "PROPN"}  # capitalised in title case
EN_REPORTING = _words("say tell report announce claim insist reveal confirm warn deny")
EN_SKIPPED_TO_NEGATOR = {"AUX", "ADV", "DET", "ADJ", "PART", "NUM"}


@dataclass(frozen=True)
class EnglishOpinions:
    cues: list[CueAt]
    clause_of: list[int]  # per token
    clauses: list[Clause]
    cue_tokens: frozenset[int]
    frames: frozenset[int]  # cue tokens that make their noun phrase a frame ("my favourite X")
    negators: frozenset[int]  # negators a cue took
    fillers: frozenset[int]


def english_opinions(doc: Any) -> EnglishOpinions:
    """The cues of a parsed English text, with their clauses (see the module's docstring)."""
    fillers = _token_runs(tuple(t.lower_ for t in doc), EN_FILLERS)
    clause_of, clauses = _english_clauses(doc)
    lemmas = tuple(t.lemma_.lower() for t in doc)
    cues: list[CueAt] = []
    taken: set[int] = set(fillers)
    negators: set[int] = set()

    def add(start: int, end: int, cue: Cue, anchor: Any) -> None:
        found = {  # never across a clause: "No to reality shows, yes to documentaries"
            i
            for i in _english_negators(doc, start, anchor, fillers)
            if i < 0 or clause_of[i] == clause_of[start]
        }
        negators.update(i for i in found if i >= 0)
        flips = {i for i in found if not start <= i < end}  # a phrase's own: "can't stand"
        valence = cue.valence * (-1) ** len(flips)
        own = _english_own(anchor, cue)
        cues.append(CueAt(start, end, clause_of[start], valence, cue.side, own))
        taken.update(range(start, end))

    frames: set[int] = set()
    for start in range(len(doc)):
        for phrase, cue in EN_PHRASES.items():
            end = start + len(phrase)
            if (
                lemmas[start:end] == phrase
                and not taken.intersection(range(start, end))
                and not any(_in_name(t) for t in doc[start:end])
            ):
                if "".join(phrase) in EN_FRAMES:  # go-to
                    frames.update(range(start, end))
                    cue = Cue(cue.valence, _frame_side(doc[end] if end < len(doc) else None))
                add(start, end, cue, doc[start:end].root)
    for token in doc:
        single = None if token.i in taken else _english_cue(token)
        if single is not None:
            add(token.i, token.i + 1, single, token)
            if token.lower_ in EN_FRAMES or (
                token.dep_ == "amod" and token.head.lemma_.lower() in EN_NOT_INTERESTS | EN_ASPECTS
            ):
                frames.add(token.i)
    for token in doc:  # a negated verb that is no cue: "I no longer watch reality TV"
        if (
            token.i not in taken
            and token.pos_ == "VERB"
            and token.lemma_.lower() not in EN_RAISING
            and _negated_by_parse(token, fillers)
        ):
            add(token.i, token.i + 1, Cue(+1, "after"), token)
    cues.sort(key=lambda c: c.start)
    return EnglishOpinions(
        cues,
        clause_of,
        clauses,
        frozenset(i for c in cues for i in range(c.start, c.end)),
        frozenset(frames),
        frozenset(negators),
        frozenset(fillers),
    )


def _english_cue(token: Any) -> Cue | None:
    if _in_name(token):
        return None  # "Crazy Love", "Stan Shih"
    lemma = token.lemma_.lower()
    cue = EN_CUES.get(lemma) or EN_CUES.get(token.lower_)
    if cue is None:
        if token.pos_ == "ADJ" and any(c.lower_ == "too" for c in token.children):
            return Cue(-1, "before")  # "too loud for me"
        return None
    word = lemma if lemma in EN_CUES else token.lower_
    if word in EN_VERB_ONLY and token.pos_ != "VERB":
        return None
    if token.dep_ == "xcomp" and token.head.lemma_.lower() in EN_STOPPING:
        return None  # "stop recommending me X", "I quit liking X": the stopping governs
    if word in EN_NEEDS_BE_OR_GET and not _after_be_or_get(token):
        return None
    if word in EN_FRAMES:  # "my favourite X is Y" governs Y; "Y is my favourite (X)" governs Y
        return Cue(cue.valence, _frame_side(token.head if token.dep_ == "amod" else token))
    if word in EN_ATTR_ONLY and token.dep_ != "attr":
        return None
    if word == "interest" and not any(c.lower_ == "in" for c in token.children):
        return None  # "interest in X", not interest rates
    if word == "person" and not any(c.dep_ in ("compound", "nmod") for c in token.children):
        return None  # "a cat person", not "a person familiar with the matter"
    if cue.side == "before" and token.pos_ == "ADJ" and token.dep_ == "amod":
        head = token.head
        if head.lemma_.lower() in EN_NOT_INTERESTS | EN_ASPECTS:  # "the best thing about X is"
            return Cue(cue.valence, _frame_side(head))
        if head.dep_ != "attr":  # "X is the greatest saga": the sentence's judgement
            return None  # "great food": a judgement the phrase carries (see MentionAt.judged)
    return cue


def _in_name(token: Any) -> bool:
    """A word of a name or title: "Crazy Love", "Stan Shih" (at a sentence's start, a name only if
    spaCy says so)."""
    if token.is_sent_start:  # "Crazy Love was...", but not "Meh."
        following = token.nbor(1) if token.i + 1 < len(token.doc) else None
        return following is not None and following.pos_ == "PROPN" and token.pos_ == "PROPN"
    return token.pos_ == "PROPN" or (bool(token.ent_type_) and token.text[:1].isupper())


def _frame_side(noun: Any | None) -> str:
    """Where a frame's opinion points: at the subject when the frame is what the subject is ("Y
    is my favourite"), else ahead ("my favourite sport is Y")."""
    return "before" if noun is not None and noun.dep_ in ("attr", "acomp") else "after"


def _after_be_or_get(token: Any) -> bool:
    """ "I'm into X", "I got into X", "I'm done with X", or a fragment: "Not really into X"."""
    return (
        token.dep_ == "ROOT"
        or token.head.lemma_.lower() in ("be", "get")
        or any(c.dep_ in ("aux", "auxpass") and c.lemma_.lower() == "be" for c in token.children)
    )


def _english_negators(doc: Any, start: int, anchor: Any, fillers: set[int]) -> set[int]:
    """The negators that flip a cue: its own and its predicate's, those just before it, one on a
    verb of saying above it, and "used to" (as -1)."""
    found: set[int] = set()
    for token in (anchor, anchor.head) if anchor.dep_ != "ROOT" else (anchor,):
        if token is not anchor and anchor.dep_ not in (
            "acomp", "attr", "prep", "xcomp", "oprd", "dobj", "pobj", "advmod"
        ):  # fmt: skip
            continue
        found.update(i for i in _negators_of(token) if i not in fillers)
    for index in range(start - 1, max(start - 5, -1), -1):
        token = doc[index]
        if index in fillers or token.text in EN_CLAUSE_PUNCT:
            break
        if token.lower_ in EN_NEGATORS or token.lemma_.lower() == "not":
            found.add(index)
        elif token.lower_ == "to" and index > 0 and doc[index - 1].lower_ == "used":
            found.add(-1)  # "used to love": no longer
            break
        elif token.pos_ not in EN_SKIPPED_TO_NEGATOR and token.lower_ not in EN_INTENSIFIERS:
            break
    verb = next((a for a in anchor.ancestors if a.pos_ in ("VERB", "AUX")), None)
    if verb is not None and verb.lemma_.lower() in EN_RAISING:
        found.update(i for i in _negators_of(verb) if i not in fillers)
    return found


def _negators_of(token: Any) -> set[int]:
    found = set()
    for child in token.children:
        if child.dep_ == "neg" or child.lower_ in EN_NEGATORS:
            found.add(child.i)
        elif child.lower_ == "longer":  # "no longer": the "no" is the negator
            found.update(c.i for c in child.children if c.lower_ == "no")
    return found


def _negated_by_parse(token: Any, fillers: set[int]) -> bool:
    return any(i not in fillers for i in _negators_of(token))


def _english_own(anchor: Any, cue: Cue) -> bool:
    """Whether the opinion is the writer's: not when its experiencer is someone else."""
    if anchor.dep_ == "appos" and anchor.head.pos_ in ("NOUN", "PROPN"):
        return False  # "Jon Stewart, not a fan of ..."
    predicate = anchor
    if anchor.dep_ in ("acomp", "attr", "prep", "xcomp", "oprd") and anchor.head is not anchor:
        predicate = anchor.head
    if predicate.lemma_.lower() in ("get", "make") and any(
        c.dep_ == "dobj" and c.lower_ in EN_FIRST_PERSON for c in predicate.children
    ):
        return True  # "my brother got me into fly fishing"
    if cue.side == "before":
        return True  # a judgement of the thing, which the writer makes
    subject = next((c for c in predicate.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None or subject.lower_ in EN_FIRST_PERSON:
        return True
    return not (subject.pos_ in ("NOUN", "PROPN") or subject.lower_ in EN_OTHERS)


def _english_clauses(doc: Any) -> tuple[list[int], list[Clause]]:
    clause_of: list[int] = []
    clauses: list[Clause] = []
    sentences = list(doc.sents)
    # a comment, a review, a tag: the writer speaks; not an article, nor a headline
    short = (
        len(sentences) <= SHORT_TEXT_SENTENCES
        and len(doc) <= SHORT_TEXT_TOKENS
        and not any(_headline(sent) for sent in sentences)
    )
    for sentence, sent in enumerate(sentences):
        personal = short
        boundary = True
        for token in sent:
            contrast = token.lower_ in EN_CONTRASTS and token.pos_ in ("CCONJ", "SCONJ", "ADV")
            if boundary or contrast:
                exception = token.lower_ == "except"  # "none of it, except tennis"
                clauses.append(Clause(sentence, contrast or exception, personal, exception))
                boundary = False
            clause_of.append(len(clauses) - 1)
            if token.text in EN_CLAUSE_PUNCT:
                boundary = True
    return clause_of, clauses


def _headline(sent: Any) -> bool:
    """Title case with no full stop ("House Talks Mimic Effort"), or reported speech ("EU president
    says ..."); never what the writer says of themself ("I love Star Wars"). Title case
    capitalises short verbs and adjectives too ("Star Wars Is the Best"), a sentence does not
    ("Star Wars is the best"); it takes three words of four letters or more ("Dune Is Great" is
    a comment)."""
    reported = any(
        t.lemma_.lower() in EN_REPORTING
        and t.pos_ == "VERB"
        and any(c.dep_ == "nsubj" and c.lower_ not in EN_FIRST_PERSON for c in t.children)
        for t in sent
    )  # "EU president says", not "I wouldn't say no to"
    if reported:
        return True
    if any(_writer(t) for t in sent):
        return False
    unpunctuated = sent[-1].text not in (".", "!", "?", "…")
    long = sum(t.is_alpha and len(t) > 3 for t in sent)
    words = [t for t in sent if t.is_alpha and (len(t) > 3 or t.pos_ in EN_TITLED_POS)]
    capitals = sum(t.text[:1].isupper() for t in words)
    return unpunctuated and long >= 3 and capitals >= 2 / 3 * len(words)


def _writer(token: Any) -> bool:
    """The writer in their own words: "I", "my", "we" as written in a sentence, not a title's
    "Despicable Me" or "Us", nor "US"."""
    text = token.text
    return (
        token.pos_ == "PRON"
        and token.lower_ in EN_WRITER
        and (text == "I" or text.islower() or (token.is_sent_start and text.istitle()))
    )


def _token_runs(words: tuple[str, ...], phrases: tuple[tuple[str, ...], ...]) -> set[int]:
    """Indexes of the words that are in any of ``phrases``."""
    found: set[int] = set()
    for start in range(len(words)):
        for phrase in phrases:
            if words[start : start + len(phrase)] == phrase:
                found.update(range(start, start + len(phrase)))
    return found


# Chinese: cues and clauses in jieba's (word, flag) pairs ----------------------------------------

ZH_CLAUSE_PUNCT = frozenset("，,；;：:、…~～（）()")
ZH_SENTENCE_PUNCT = frozenset("。！？!?.\n")
ZH_PERSONS = ZH_OTHERS | _words("我 我们 你 你们")
ZH_NOT_NEGATED = _words("是 有 要 会 能 想要 知道 觉得 感觉 认为")  # 不是, 没有 ... are negators


@dataclass(frozen=True)
class ChineseOpinions:
    cues: list[CueAt]
    clause_of: list[int]  # per token
    clauses: list[Clause]
    cue_tokens: frozenset[int]
    negators: frozenset[int]  # negators a cue took


def chinese_opinions(words: Sequence[tuple[str, str]]) -> ChineseOpinions:
    """The cues of a text segmented by jieba (word, part of speech), with their clauses."""
    clause_of, clauses = _chinese_clauses(words)
    cues: list[CueAt] = []
    taken: set[int] = set()
    negators: set[int] = set()

    def add(start: int, end: int, cue: Cue, flipped: bool = False) -> None:
        flips = _chinese_negators(words, start, end)
        negators.update(flips)
        valence = cue.valence * (-1) ** (len(flips) + flipped)
        own = _chinese_own(words, start, clause_of)
        cues.append(CueAt(start, end, clause_of[start], valence, cue.side, own))
        taken.update(range(start, end))

    for start in range(len(words)):
        if start in taken or not words[start][0].strip():
            continue
        for end in range(min(start + 3, len(words)), start, -1):
            spelt = "".join(w for w, _ in words[start:end])
            cue = zh_cue(spelt)
            if cue is not None and clause_of[end - 1] == clause_of[start]:
                add(start, end, cue)
                break
            if end - start == 1 and len(spelt) > 1 and spelt[0] in "不没":
                inner = zh_cue(spelt[1:])  # one token: 不喜欢
                if inner is not None:
                    add(start, end, inner, flipped=True)
                elif words[start][1].startswith("v"):  # 不吃, 不想: a verb negated
                    add(start, end, Cue(-1, "after"))
                break
    for index, (word, flag) in enumerate(words):
        if index in taken:
            continue
        after_too = index > 0 and words[index - 1][0] == "太"
        if flag.startswith("a") and (after_too or (word.startswith("太") and len(word) > 1)):
            add(index, index + 1, Cue(-1, "before"))  # 太甜了: too much of it
        elif (
            flag.startswith("v")
            and word not in ZH_NOT_NEGATED
            and word not in ZH_NEGATORS
            and _chinese_negators(words, index, index + 1)
        ):
            add(index, index + 1, Cue(+1, "after"))  # 从来不看 X: negated below
    cues.sort(key=lambda c: c.start)
    return ChineseOpinions(
        cues,
        clause_of,
        clauses,
        frozenset(i for c in cues for i in range(c.start, c.end)),
        frozenset(negators),
    )


def copula_before(words: Sequence[tuple[str, str]], start: int) -> int | None:
    """The 是 (or 不是, one token) of "X 是 我(的) ... cue" before the cue at ``start``
    (烹饪是我最大的爱好), past what qualifies the cue (我, 的, adjectives, adverbs, numbers,
    measures); else None."""
    index = start - 1
    while index > 0 and (
        words[index][0] in ("的", "我", "我们") or words[index][1][:1] in ("a", "d", "m", "q")
    ):
        index -= 1
    return index if index > 0 and words[index][0] in ("是", "不是") else None


def _chinese_negators(words: Sequence[tuple[str, str]], start: int, end: int) -> set[int]:
    """Negators (and past markers: 以前讨厌) just before a cue, or just after a noun one
    (一点兴趣都没有), or before the 是 that makes a noun cue a frame (跑步不是我的爱好)."""
    found: set[int] = set()
    copula = copula_before(words, start)
    if copula is not None:
        for index in range(copula, max(copula - 3, -1), -1):
            if words[index][0] in ZH_NEGATORS:
                found.add(index)
            elif index != copula and words[index][1] not in ("d", "ad"):  # 并不是, 不再 是
                break
    for index in range(start - 1, max(start - 5, -1), -1):
        word, flag = words[index]
        if word in ZH_NEGATORS or word in ZH_PAST:
            found.add(index)
        elif (
            word in ZH_BETWEEN or word in ZH_INTENSIFIERS or flag in ("d", "ad") or not word.strip()
        ):
            continue
        else:
            break
    if words[start][1].startswith("n"):
        for index in range(end, min(end + 3, len(words))):
            word, flag = words[index]
            if word in ("没有", "没", "无"):
                found.add(index)
            elif not (word in ZH_BETWEEN or flag in ("d", "ad")):
                break
    return found


def _chinese_own(words: Sequence[tuple[str, str]], start: int, clause_of: list[int]) -> bool:
    """The writer's opinion unless the nearest person before the cue is someone else (我妈妈喜欢),
    with the writer not among them (我和朋友都喜欢)."""
    for index in range(start - 1, -1, -1):
        if clause_of[index] != clause_of[start]:
            break
        word = words[index][0]
        if word in ZH_PERSONS:
            if word in ZH_OTHERS:
                return index > 0 and words[index - 1][0] in ZH_WITH
            return True
    return True


def _chinese_clauses(words: Sequence[tuple[str, str]]) -> tuple[list[int], list[Clause]]:
    clause_of: list[int] = []
    clauses: list[Clause] = []
    sentence = 0
    boundary = True
    for word, _flag in words:
        contrast = word in ZH_CONTRASTS
        if boundary or contrast:
            clauses.append(Clause(sentence, contrast))
            boundary = False
        clause_of.append(len(clauses) - 1)
        if word in ZH_SENTENCE_PUNCT:
            sentence += 1
            boundary = True
        elif word in ZH_CLAUSE_PUNCT:
            boundary = True
    return clause_of, clauses
