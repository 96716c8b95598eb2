"""The scope of cues of liking and disliking, on plain positions (no models)."""

from __future__ import annotations

import pytest

from graph.text.cues import (
    EN_CUES,
    ZH_CUES,
    Clause,
    Cue,
    CueAt,
    MentionAt,
    Reading,
    read,
    zh_cue,
)

LIKED, DISLIKED = Reading(1, "opinion"), Reading(-1, "opinion")


def test_a_mention_belongs_to_the_nearest_cue_on_whose_side_it_is() -> None:
    # I(0) love(1) jazz(2) and(3) hate(4) opera(5); Opera(7) bores(8) me
    cues = [CueAt(1, 2, 0, 1, "after"), CueAt(4, 5, 0, -1, "after"), CueAt(8, 9, 1, -1, "before")]
    mentions = [MentionAt(2, 3, 0), MentionAt(5, 6, 0), MentionAt(7, 8, 1)]
    assert read(mentions, cues, [Clause(0), Clause(1)]) == [LIKED, DISLIKED, DISLIKED]


def test_a_cue_with_nothing_on_its_side_takes_the_other() -> None:
    # Jazz(0) is(1) what(2) I(3) love(4)
    [reading] = read([MentionAt(0, 1, 0)], [CueAt(4, 5, 0, 1, "after")], [Clause(0)])
    assert reading == LIKED


def test_a_clause_without_a_cue_inherits_and_a_negator_flips_it() -> None:
    # I love(1) horror(2) | but not(4) slasher films(5-7) | , blues(8)
    cues = [CueAt(1, 2, 0, 1, "after")]
    mentions = [MentionAt(2, 3, 0), MentionAt(5, 7, 1, negated=True), MentionAt(8, 9, 2)]
    clauses = [Clause(0), Clause(0, contrast=True), Clause(0)]
    assert read(mentions, cues, clauses) == [LIKED, DISLIKED, LIKED]


def test_a_cue_that_governs_nothing_reaches_back_to_the_sentence_before() -> None:
    # Dubstep(0) ?(1) | Hard pass(2-4) .
    [reading] = read([MentionAt(0, 1, 0)], [CueAt(2, 4, 1, -1, "before")], [Clause(0), Clause(1)])
    assert reading == DISLIKED


def test_someone_elses_opinion_is_context_beside_the_writers_own() -> None:
    # My friends love(2) clubbing(3) | but I prefer(7) board games(8-10)
    cues = [CueAt(2, 3, 0, 1, "after", own=False), CueAt(7, 8, 1, 1, "after")]
    mentions = [MentionAt(3, 4, 0), MentionAt(8, 10, 1)]
    clauses = [Clause(0), Clause(0, contrast=True)]
    assert read(mentions, cues, clauses) == [Reading(1, "context"), LIKED]
    alone = read([MentionAt(3, 4, 0)], cues[:1], [Clause(0)])
    assert alone == [Reading(1, "mention")]  # no opinion of the writer: a plain mention


def test_my_opinion_after_someone_elses_takes_over_what_it_points_back_to() -> None:
    # My wife loves(2) opera(3) | , I find it dull(8)
    cues = [CueAt(2, 3, 0, 1, "after", own=False), CueAt(8, 9, 1, -1, "before")]
    [reading] = read([MentionAt(3, 4, 0)], cues, [Clause(0), Clause(0)])
    assert reading == DISLIKED


def test_context_is_dropped_only_where_the_writer_speaks() -> None:
    # the opinion's sentence names the writer ("I", "my"), or has no subject; news does neither
    cues = [CueAt(1, 2, 0, 1, "after")]
    mentions = [MentionAt(0, 1, 0), MentionAt(2, 3, 0)]
    personal = read(mentions, cues, [Clause(0)])
    reported = read(mentions, cues, [Clause(0, personal=False)])
    assert personal[0].status == "context" and reported[0].status == "mention"


def test_a_phrase_keeps_its_own_judgement_unless_its_clause_has_a_cue() -> None:
    # Great food(0-2) , terrible service(3-5)
    mentions = [MentionAt(0, 2, 0, judged=1), MentionAt(3, 5, 1, judged=-1)]
    assert read(mentions, [], [Clause(0), Clause(0)]) == [LIKED, DISLIKED]
    # Amazing soundtrack(0-2) | , but the plot(5) was weak(7): "weak" is not the soundtrack's
    mentions = [MentionAt(0, 2, 0, judged=1), MentionAt(5, 6, 1)]
    cues = [CueAt(7, 8, 1, -1, "before")]
    assert read(mentions, cues, [Clause(0), Clause(0, contrast=True)]) == [LIKED, DISLIKED]


def test_a_list_before_a_judgement_shares_it_but_not_across_a_contrast() -> None:
    # Sushi(0) | , pizza(2) and pasta(4) are my favourites(7)
    cues = [CueAt(7, 8, 1, 1, "before")]
    mentions = [MentionAt(0, 1, 0), MentionAt(2, 3, 1), MentionAt(4, 5, 1)]
    assert read(mentions, cues, [Clause(0), Clause(0)]) == [LIKED, LIKED, LIKED]
    # Sushi(0) | , but pasta(3) is boring(5): sushi is not judged boring
    cues = [CueAt(5, 6, 1, -1, "before")]
    mentions = [MentionAt(0, 1, 0), MentionAt(3, 4, 1)]
    readings = read(mentions, cues, [Clause(0), Clause(0, contrast=True)])
    assert readings == [Reading(1, "context"), DISLIKED]


def test_texts_without_any_cue_name_their_interests_liked() -> None:
    mentions = [MentionAt(0, 2, 0), MentionAt(3, 4, 0, negated=True)]  # "dark comedy, no gore"
    assert read(mentions, [], [Clause(0)]) == [Reading(1, "mention"), DISLIKED]


@pytest.mark.parametrize(
    ("word", "cue"),
    [
        ("感兴趣", Cue(1, "before")),
        ("很感兴趣", Cue(1, "before")),  # an intensifier in front is looked through
        ("超爱", Cue(1, "after")),
        ("爱吃", Cue(1, "after")),  # so is a verb of doing behind
        ("最讨厌", Cue(-1, "after")),
        ("太无聊", Cue(-1, "before")),
        ("不错", Cue(1, "before")),
        ("爱情", None),  # a word that holds a cue is not one
        ("电影", None),
    ],
)
def test_chinese_cues_are_looked_up_by_word(word: str, cue: Cue | None) -> None:
    assert zh_cue(word) == cue


def test_the_lexicons_hold_each_word_once_with_a_side_and_a_valence() -> None:
    for lexicon in (EN_CUES, ZH_CUES):
        assert all(c.valence in (1, -1) and c.side in ("after", "before") for c in lexicon.values())
    assert EN_CUES["love"] == Cue(1, "after") and EN_CUES["boring"] == Cue(-1, "before")
    assert ZH_CUES["喜欢"] == Cue(1, "after") and ZH_CUES["讨厌"] == Cue(-1, "after")
