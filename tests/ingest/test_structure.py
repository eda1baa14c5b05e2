"""Structure and chunking on small, hand-made inputs."""

from __future__ import annotations

import re

from careguide.ingest.chunk import chunk, make_citation
from careguide.ingest.models import DocumentMeta, PageText, PassageKind
from careguide.ingest.structure import PartMarker, lines_from_pages, parse_blocks

META = DocumentMeta(
    doc_id="t", title="Test guidance", short_title="Test guidance", publisher="DfE", date="2023-02"
)


def _blocks(text: str, **kw: object):  # type: ignore[no-untyped-def]
    return parse_blocks(lines_from_pages([PageText(number=None, text=text)]), **kw)  # type: ignore[arg-type]


def _passages(text: str, **kw: object):  # type: ignore[no-untyped-def]
    return chunk(
        _blocks(text, **kw), META, "t.txt", citation_prefix="Test guidance (DfE, Feb 2023)"
    ).passages


LONG = " ".join(["Councils should help families early and keep children safe at home."] * 3)


def test_chapter_heading_and_numbered_paragraphs() -> None:
    text = f"Chapter 4: Family networks\n\nWhat is our vision?\n\n133. {LONG}\n\n134. {LONG}\n"
    ps = _passages(text)
    assert [p.paragraphs for p in ps] == [["133"], ["134"]]
    assert ps[0].heading_path == ["Chapter 4: Family networks", "What is our vision?"]
    assert ps[0].citation == "Test guidance (DfE, Feb 2023), ch. 4, para 133"


def test_list_that_interrupts_numbering_stays_a_list() -> None:
    text = f"46. {LONG}\n\n47. {LONG}\n\nTwo features:\n\n1. One feature.\n2. Two feature.\n\n48. {LONG}\n"
    ps = _passages(text)
    numbers = [n for p in ps for n in p.paragraphs]
    assert numbers == ["46", "47", "48"]
    assert any("- 1. One feature." in p.text for p in ps)


def test_numbering_restart_starts_a_new_part() -> None:
    text = f"1. {LONG}\n\n2. {LONG}\n\nAppendix 2\n\n1. {LONG}\n\n2. {LONG}\n"
    ps = _passages(text)
    assert [(p.part, p.paragraphs) for p in ps] == [
        ("", ["1"]),
        ("", ["2"]),
        ("Appendix 2", ["1"]),
        ("Appendix 2", ["2"]),
    ]
    assert "App. 2" in ps[2].citation


def test_catalogue_part_markers_name_parts() -> None:
    text = f"1. {LONG}\n\nInspectors' handbook\n\n1. {LONG}\n"
    marker = PartMarker(
        label="Appendix 2: Ofsted handbook", starts=re.compile(r"^Inspectors' handbook$")
    )
    ps = _passages(text, part_markers=[marker])
    assert [p.part for p in ps] == ["", "Appendix 2: Ofsted handbook"]


def test_hard_wrapped_lines_rejoin_into_one_paragraph() -> None:
    text = (
        "12. Local authorities should make sure that every child in care has a social worker who \n\n"
        "knows them well and who visits them regularly, as set out in the guidance on care \n\n"
        "planning.\n\n13. Next paragraph here.\n"
    )
    ps = _passages(text)
    assert ps[0].text.startswith(
        "Local authorities should make sure that every child in care has a social worker who knows"
    )
    assert ps[0].text.endswith("care planning.")


def test_footnotes_kept_apart_and_attached() -> None:
    text = (
        f"5. We will invest £200 million² in this. {LONG}\n\n² Across the Spending Review period.\n"
    )
    ps = _passages(text)
    body = next(p for p in ps if p.kind == PassageKind.body)
    note = next(p for p in ps if p.kind == PassageKind.footnote)
    assert "²" not in body.text and "Spending Review" not in body.text
    assert body.footnotes == ["Across the Spending Review period."]
    assert note.text == "Across the Spending Review period."


def test_a_footnote_that_says_something_carries_the_sentence_that_points_to_it() -> None:
    text = (
        f"76. {LONG} It also identified seven features of effective practice that "
        "are informing our reform programme.⁴⁸ It ran for years.⁴⁹\n\n"
        "⁴⁸ The seven themes are: using a clear framework; having a whole family focus.\n\n"
        "⁴⁹ Department for Education (2022) Children's social care innovation programme\n"
    )
    notes = {p.text[:7]: p for p in _passages(text) if p.kind == PassageKind.footnote}
    assert notes["The sev"].cited_in == (
        "It also identified seven features of effective practice that are informing our "
        "reform programme."
    )
    assert notes["Departm"].cited_in == ""  # it only names a work: nothing to search for
    body = next(p for p in _passages(text) if p.kind == PassageKind.body)
    assert body.cited_in == ""


def test_a_wrapped_sentence_is_pointed_to_whole() -> None:
    text = (
        "5. Councils should offer family group decision-making \n"
        "at the early stages of working with a family.³ Next.\n\n"
        "³ Most councils already offer a family group conference before proceedings.\n"
    )
    note = next(p for p in _passages(text) if p.kind == PassageKind.footnote)
    assert note.cited_in == (
        "Councils should offer family group decision-making at the early stages of working "
        "with a family."
    )


def test_numbered_paragraphs_after_a_box_return_to_the_section_it_interrupted() -> None:
    text = (
        f"Chapter 5: The care experience\n\nSupporting care leavers\n\n217. {LONG}\n\n"
        "Rachel's story*\n\nRachel has been a kinship carer for two years.\n\n"
        "*Name anonymised\n\n"
        f"218. {LONG}\n\nConsultation question 14\n\nIn your view, what more could be done by councils to help kinship carers get the support they need?\n\n219. {LONG}\n\n"
        f"Supporting children at school\n\n220. {LONG}\n"
    )
    sections = {p.paragraphs[0]: p.heading_path[-1] for p in _passages(text) if p.paragraphs}
    assert sections == {
        "217": "Supporting care leavers",
        "218": "Supporting care leavers",  # not "Rachel's story*", nor "*Name anonymised"
        "219": "Supporting care leavers",  # not "Consultation question 14"
        "220": "Supporting children at school",  # a heading straight before: a new section
    }
    story = next(p for p in _passages(text) if p.text.startswith("Rachel has"))
    assert story.heading_path[-1] == "Rachel's story*"


def test_a_numbered_label_heads_a_section_however_long_its_line() -> None:
    text = (
        f"Chapter 5: The care experience\n\n218. {LONG}\n\n"
        "Mission 4: By 2027, we will see an improvement in the education, employment and "
        "training outcomes of children in care and care leavers\n\n"
        f"Supporting children at school\n\n221. {LONG}\n"
    )
    by_number = {p.paragraphs[0]: p.heading_path for p in _passages(text) if p.paragraphs}
    assert by_number["221"] == ["Chapter 5: The care experience", "Supporting children at school"]


def test_a_link_on_its_own_line_is_no_heading() -> None:
    text = (
        "Annex 2: Glossary\n\nCare order - An order made by a court.\n\n"
        "[Competition and Markets Authority - GOV.UK](http://www.gov.uk)\n\n"
        "Corporate parent - The council that looks after a child in care.\n"
    )
    entry = next(p for p in _passages(text) if p.text.startswith("Corporate parent"))
    assert entry.heading_path == ["Annex 2: Glossary"]


def test_case_study_tagged_as_example() -> None:
    text = f"Case study\n\nA council in the north set up a kinship hub. {LONG}\n\n7. {LONG}\n"
    ps = _passages(text)
    assert ps[0].kind == PassageKind.example
    assert ps[1].kind == PassageKind.body


def test_glossary_entries_are_definitions() -> None:
    text = "Annex 2: Glossary\n\nCare order - An order made by a court.\n\nChild in need - A child defined in section 17.\n"
    ps = _passages(text)
    assert [p.kind for p in ps] == [PassageKind.definition, PassageKind.definition]


def test_a_definition_is_cited_by_its_term_hyphen_and_all() -> None:
    text = (
        "Annex 2: Glossary\n\nCare order - An order made by a court.\n\n"
        "Extra-familial harm - Harm to a child from outside the family.\n\n"
        "Friend and family members (as they relate to the definition in chapter 4) - "
        "Kinship carers include:\n\n"
        "- a close friend of the child\n- a close family member of the child\n"
    )
    assert [p.citation.rsplit(", ", 1)[-1] for p in _passages(text)] == [
        "‘Care order’",
        "‘Extra-familial harm’",
        "‘Friend and family members’",
    ]


def test_a_definition_keeps_the_list_that_completes_it() -> None:
    text = (
        "Annex 2: Glossary\n\nFriend and family members - Kinship carers include:\n\n"
        "- a close friend of the child\n- a close family member of the half blood¹ brother\n\n"
        "¹ This terminology is not well-liked.\n\n- a former step-parent of the child\n\n"
        "Independent Visitors - Adult volunteers who give up their time.\n"
    )
    ps = _passages(text)
    entry = next(p for p in ps if p.text.startswith("Friend and family"))
    assert entry.kind == PassageKind.definition
    assert entry.text.splitlines()[1:] == [
        "- a close friend of the child",
        "- a close family member of the half blood brother",
        "- a former step-parent of the child",
    ]
    assert [p.kind for p in ps].count(PassageKind.footnote) == 1
    assert any(p.text.startswith("Independent Visitors") for p in ps)


def test_table_rows_carry_column_headers() -> None:
    text = "Recommendation\tResponse\nGovernment should fund Family Help.\tWe will invest £45 million.\n"
    ps = _passages(text)
    assert ps[0].kind == PassageKind.table_row
    assert (
        ps[0].text
        == "Recommendation: Government should fund Family Help.; Response: We will invest £45 million."
    )


def test_a_header_row_repeated_across_a_page_is_not_a_passage() -> None:
    text = (
        "Recommendation\tResponse\n"
        "Government should fund Family Help.\tWe will invest £45 million.\n"
        "recommendation\tresponse\n"
        "Councils should offer family group conferences.\tAgreed, from 2024.\n"
    )
    text_of_all = " ".join(p.text for p in _passages(text))
    assert "Agreed, from 2024." in text_of_all and "£45 million" in text_of_all
    assert "Recommendation: recommendation" not in text_of_all
    assert "Response: response" not in text_of_all


def test_contents_and_place_names_produce_no_passages() -> None:
    places = "\n".join(
        [
            "Barnet",
            "Camden",
            "Enfield",
            "Hackney",
            "Haringey",
            "Islington",
            "Ealing",
            "Brent",
            "Harrow",
            "Hillingdon",
            "Hounslow",
            "Bexley",
            "Bromley",
            "Croydon",
            "Sutton",
            "Merton",
        ]
    )
    text = f"Contents\n\nExecutive summary\t2\nChapter 1: Introduction\t5\nAnnex A\t9\n\n{places}\n\n1. {LONG}\n"
    ps = _passages(text)
    assert len(ps) == 1 and ps[0].paragraphs == ["1"]


def test_offsets_point_into_cleaned_text() -> None:
    text = f"Chapter 1: Intro\n\n1. {LONG}\n\n- a bullet point here\n\n2. {LONG}\n"
    doc = chunk(_blocks(text), META, "t.txt", citation_prefix="T")
    for p in doc.passages:
        assert doc.text[p.start : p.end] == p.text


def test_long_paragraph_splits_at_sentences_and_keeps_number() -> None:
    text = "9. " + " ".join(
        f"Sentence number {i} says something useful about care planning." for i in range(80)
    )
    ps = _passages(text)
    assert len(ps) > 1 and all(p.paragraphs == ["9"] for p in ps)
    assert all(p.text.rstrip().endswith(".") for p in ps)
    assert all(len(p.text.split()) <= 350 for p in ps)


def test_citation_without_numbers_uses_heading_and_page() -> None:
    from careguide.ingest.structure import Block

    b = Block(kind="para", text="x", heading_path=["People and leadership"], pages=[7])
    assert (
        make_citation("Vision (DfE, Jan 2016)", [b], [], [7])
        == "Vision (DfE, Jan 2016), ‘People and leadership’, p. 7"
    )


def test_passages_under_one_heading_get_citations_that_tell_them_apart() -> None:
    glossary = (
        "Annex 2: Glossary\n\nCare order - An order made by a court.\n\n"
        "Child in need - A child defined in section 17.\n"
    )
    assert [p.citation for p in _passages(glossary)] == [
        "Test guidance (DfE, Feb 2023), Annex 2, ‘Care order’",
        "Test guidance (DfE, Feb 2023), Annex 2, ‘Child in need’",
    ]
    long_row = " ".join(["The council agreed and will act on it within the year."] * 8)
    table = "Recommendation\tResponse\n" + "".join(
        f"Recommendation {n} for councils.\t{long_row}\n" for n in range(3)
    )
    citations = [p.citation for p in _passages(table)]
    assert len(set(citations)) == len(citations) == 3
    assert [c.rsplit(", ", 1)[1] for c in citations] == ["row 1", "row 2", "row 3"]
    paragraph = " ".join([LONG] * 6)  # about 200 words: two will not fit one passage
    prose = f"Summary\n\n{paragraph}\n\nA second point. {paragraph}\n"
    citations = [p.citation for p in _passages(prose)]
    assert len(set(citations)) == len(citations) > 1


def test_a_heading_written_as_a_link_is_cited_by_its_words() -> None:
    text = f"[Annex A: Partners](http://example.org/a)\n\n{LONG}\n"
    (p,) = _passages(text)
    assert "http" not in p.citation and "](" not in p.citation


def test_a_heading_ending_in_letters_like_or_is_still_a_heading() -> None:
    # "sector" ends in "or": only a last word "and", "or" or "the" leaves a line unfinished
    ps = _passages(f"Financial oversight of the sector\n\n201. {LONG}\n")
    assert ps[0].heading_path == ["Financial oversight of the sector"]
    assert ps[0].text == LONG


def test_a_heading_wrapped_after_a_small_word_is_one_heading() -> None:
    text = f"12. {LONG}\n\nSpreading excellence through our Partners in\nPractice\n\n13. {LONG}\n"
    ps = _passages(text)
    assert [p.text for p in ps] == [LONG, LONG]
    assert ps[1].heading_path == ["Spreading excellence through our Partners in Practice"]


def test_a_sentence_under_a_heading_is_not_taken_into_it() -> None:
    text = f"Help for families in\n{LONG}\n"
    ps = _passages(text)
    assert ps[0].heading_path == ["Help for families in"]
    assert ps[0].text == LONG


def test_a_heading_may_follow_a_list_whose_items_have_no_full_stops() -> None:
    text = f"Schools offer:\n\n- dedicated staff\n- whole staff training\n\nCare leavers in work\n\n{LONG}\n"
    ps = _passages(text)
    assert ps[-1].heading_path == ["Care leavers in work"]
    assert ps[-1].text == LONG


def test_a_heading_squeezed_against_the_paragraph_above_is_found() -> None:
    # PDF extraction lost the space above the heading but kept the one below
    text = f"66. {LONG}\nRemoving barriers to effective practice\n\n67. {LONG}\n"
    ps = _passages(text)
    assert [p.text for p in ps] == [LONG, LONG]
    assert ps[1].heading_path == ["Removing barriers to effective practice"]


def test_a_short_last_line_of_a_paragraph_is_not_a_squeezed_heading() -> None:
    text = f"66. {LONG} The council\nwill review it\n\n67. {LONG}\n"
    ps = _passages(text)
    assert ps[0].text.endswith("The council will review it")
    assert ps[1].heading_path == []
