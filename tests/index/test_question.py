"""Reading a question: its parts, its setting, the things it compares."""

from __future__ import annotations

from careguide.index.question import (
    MOST_PARTS,
    compared_parts,
    question_parts,
    question_setting,
    search_parts,
)


def test_a_question_is_cut_into_the_things_it_asks() -> None:
    assert question_parts(
        "LSCBs were scrapped, weren't they? who are the three safeguarding partners now "
        "and when was it decided that areas need no board"
    ) == [
        "LSCBs were scrapped, weren't they",
        "who are the three safeguarding partners now",
        "when was it decided that areas need no board",
    ]
    # a part may open after a label, a softening word, or a question word typed without
    # its apostrophe
    assert question_parts(
        "for my session: roughly what share of councils failed in 2016, and whats changed since?"
    ) == ["roughly what share of councils failed in 2016", "whats changed since"]
    assert question_parts(
        "Monitoring visits: how many inspectors come, and how many days are they on site?"
    ) == ["how many inspectors come", "how many days are they on site"]
    # the setting of a question is not a part of it, nor is a piece without search terms
    assert question_parts("our council was judged inadequate - what monitoring follows?") == []
    assert question_parts("is it paid? and how?") == []
    assert question_parts("what must the local authority publish for kinship carers?") == []


def test_the_setting_of_a_question_is_what_it_is_about() -> None:
    assert (
        question_setting(
            "the new family help pilots - how much money is going in and how many LAs are in it?"
        )
        == "the new family help pilots"
    )
    assert question_setting("ofsted monitoring visits - how many HMI come, how many days?") == (
        "ofsted monitoring visits"
    )
    # a label is not a setting, and a question that only asks has none
    assert question_setting("for my session: what share of councils failed in 2016?") == ""
    assert question_setting("how many inspectors come, and how many days are they on site?") == ""


def test_a_comparing_question_asks_about_each_thing_compared() -> None:
    assert compared_parts(
        "aunt here - whats the difference between being a special guardian and having a "
        "child arrangements order?"
    ) == ["being a special guardian", "having a child arrangements order"]
    assert compared_parts(
        "comparing the 2016 plan with the 2023 strategy - how many pillars did each have?"
    ) == [
        "the 2016 plan: how many pillars did each have",
        "the 2023 strategy: how many pillars did each have",
    ]
    assert compared_parts("care proceedings on average vs the 26 week limit") == [
        "care proceedings on average",
        "the 26 week limit",
    ]
    assert compared_parts("what does a special guardian do?") == []


def test_search_parts_read_each_part_in_the_question_setting() -> None:
    assert search_parts(
        "the new family help pilots - how much money is going in and how many LAs are in it?"
    ) == [
        "the new family help pilots: how much money is going in",
        "the new family help pilots: how many LAs are in it",
    ]
    assert search_parts("whats the difference between a special guardian and a foster carer") == [
        "a special guardian",
        "a foster carer",
    ]
    assert search_parts("what must the local authority publish for kinship carers?") == []


def test_a_question_asking_many_things_has_its_first_few_searched() -> None:
    many = " ".join(f"what is allowance number {n} for kinship carers?" for n in range(40))
    parts = search_parts(many)
    assert len(parts) == MOST_PARTS
    assert parts[0] == "what is allowance number 0 for kinship carers"
