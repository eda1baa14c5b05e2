"""Each cleaning rule on small inputs, plus the never-lose-a-number property."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from careguide.ingest import clean


def test_normalise_spaces_undoes_double_spacing_and_keeps_tabs() -> None:
    assert clean.normalise_spaces("  We  want\u00a0every   child  ") == "We want every child"
    assert clean.normalise_spaces("Name\t  Grade ") == "Name\tGrade"


def test_markdown_debris_is_removed_but_link_text_kept() -> None:
    line = r"**Pathfind a new approach.** See [published on GOV.UK](#) and \(2016\) []()"
    assert (
        clean.strip_markdown_debris(line)
        == "Pathfind a new approach. See published on GOV.UK and (2016) "
    )


def test_a_markdown_link_reads_as_its_words() -> None:
    assert clean.unlink("See [Annex A](https://www.gov.uk/annex) and [the offer](#).") == (
        "See Annex A and the offer."
    )
    # brackets in running text are not a link
    assert clean.unlink("[a] note (see below)") == "[a] note (see below)"
    assert clean.unlink("[Guide](not a link)") == "[Guide](not a link)"


def test_html_debris_is_removed() -> None:
    out = clean.strip_html_debris(
        '<p data-bbox="1,2,3,4">Family Help</p><ul style="list-style-type: none"><li>one'
    )
    assert "<" not in out and "data-bbox" not in out
    assert "Family Help" in out and "- one" in out


def test_html_table_rows_stay_on_one_line() -> None:
    row = "<p>Recommendation text</p>\t<p>We will test it.</p>"
    assert "\n" not in clean.strip_html_debris(row, split_lines=False)


def test_html_tables_become_tab_rows() -> None:
    html = (
        "<table><tr><th>Rec</th><th>Response</th></tr><tr><td>Do X</td><td>Agreed</td></tr></table>"
    )
    assert clean.html_tables_to_rows(html).strip().splitlines() == ["Rec\tResponse", "Do X\tAgreed"]


def test_page_numbers() -> None:
    assert clean.is_page_number("30")
    assert clean.is_page_number("Page 4 of 12")
    assert not clean.is_page_number("30 local authorities")


def test_contents_lines() -> None:
    assert clean.is_contents_line("Executive summary\t2")
    assert clean.is_contents_line("Chapter 2: Family Help ........ 32")
    assert not clean.is_contents_line("There are 82,170 children in care in England.")


def test_alt_text_and_web_footer() -> None:
    assert clean.is_alt_text("A handwritten signature in black ink, appearing to read 'A Name'.")
    assert not clean.is_alt_text(
        "A child in need is defined under section 17 of the Children Act 1989."
    )
    assert clean.is_web_footer("Submit an enquiry")
    assert not clean.is_web_footer("Submit your response by 11 May 2023.")


def test_running_headers_found_across_pages() -> None:
    bodies = [
        "Children come first.",
        "Councils must act.",
        "Carers get support.",
        "Plans are reviewed.",
        "Courts decide.",
    ]
    pages = [["Working Together 2023", body, f"Page {i}"] for i, body in enumerate(bodies, 1)]
    repeated = clean.repeated_page_lines(pages)
    assert clean.is_running_line("Working Together 2023", repeated)
    assert clean.is_running_line("Page 9", repeated)
    assert not clean.is_running_line("Carers get support.", repeated)


def test_place_name_dump() -> None:
    names = [
        "Barnet",
        "Camden",
        "Enfield",
        "Hackney",
        "Haringey",
        "Islington",
        "Westminster",
        "Kensington and Chelsea",
        "Hammersmith and Fulham",
        "Ealing",
        "Brent",
        "Harrow",
        "Hillingdon",
        "Hounslow",
        "Richmond upon Thames",
        "Kingston upon Thames",
    ]
    assert clean.is_place_name_dump(names)
    assert not clean.is_place_name_dump(["We will invest £200 million.", *names[:5]])


def test_ocr_bullets_become_bullets() -> None:
    assert (
        clean.normalise_bullet("e First, people and leadership") == "First, people and leadership"
    )
    assert clean.normalise_bullet("¢ publish new standards") == "publish new standards"
    assert clean.normalise_bullet("• expand the programme") == "expand the programme"
    assert clean.normalise_bullet("every child deserves a home") is None


def test_hyphenation_rejoined_only_for_known_words() -> None:
    vocab = {"organisation"}
    assert clean.join_wrapped("the organis-", "ation will", vocab) == "the organisation will"
    assert (
        clean.join_wrapped("closer co-", "operation between", vocab)
        == "closer co-operation between"
    )
    assert clean.join_wrapped("hard", "wrapped", vocab) == "hard wrapped"


def test_footnote_markers_detached() -> None:
    text, marks = clean.detach_footnote_markers("combined authorities6 (including new areas)")
    assert text == "combined authorities (including new areas)" and marks == ["6"]
    text, marks = clean.detach_footnote_markers("we will invest £200 million² addressing")
    assert text == "we will invest £200 million addressing" and marks == ["2"]
    text, marks = clean.detach_footnote_markers("this vital area of reform.5 To achieve")
    assert text == "this vital area of reform. To achieve" and marks == ["5"]
    untouched = "KS4 results in 2016 rose to £1.5m for Year 10 and Y11"
    assert clean.detach_footnote_markers(untouched) == (untouched, [])


def test_footnote_anchors_are_the_sentences_markers_close() -> None:
    text = "It began in 2014.¹ This vital area of reform.5 To achieve this we need authorities6 (in"
    assert clean.footnote_anchors(text) == {
        "1": "It began in 2014.",
        "5": "This vital area of reform.",
        "6": "To achieve this we need authorities",
    }
    assert clean.footnote_anchors(text, start=text.index("To")) == {
        "6": "To achieve this we need authorities"
    }
    assert clean.footnote_anchors("KS4 results in 2016 rose to £1.5m") == {}


def test_a_footnote_that_only_names_a_source() -> None:
    for note in [
        "Department for Education (2022) Ethnicity and children's social care",
        "Ferguson, H. (2017) How children become invisible in child protection work",
        "'Regulating Social Workers: Policy Statement' (June 2016)",
        "Ofsted (accessed 23 January 2023) Ofsted | Search",
        "Schooling E, 'Practice leadership', Ofsted, Commentary on social care: June 2016",
        "For more details see: Tackling Child Exploitation (researchinpractice.org.uk)",
        "Care Leaver Covenant Companies & Charities (mycovenant.org.uk)",
    ]:
        assert clean.names_a_source(note), note
    for note in [
        "The seven themes are: 1. Using a clear, strengths-based framework; 2. Using ...",
        "3,264 (26% of the increase) were UASC (Department for Education (2022) Children)",
        "A step-parent means a person who is married to a parent with responsibility.",
        "Step Up to Social work (set up in 2010) is designed to attract career changers.",
    ]:
        assert not clean.names_a_source(note), note


def test_footnote_lines() -> None:
    assert clean.footnote_text("¹ The three reviews are listed here.") == (
        "1",
        "The three reviews are listed here.",
    )
    assert clean.footnote_text("6 See the policy statement", superscript_only=True) is None


_word = st.sampled_from(
    ["children", "care", "the", "council", "**", "[x](#)", "<p>", "  ", "co-operation"]
)
_number = st.one_of(
    st.integers(0, 99999).map(str),
    st.integers(1, 999).map(lambda n: f"£{n} million"),
    st.integers(1990, 2030).map(str),
    st.integers(1, 99).map(lambda n: f"{n}%"),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_word, _number), min_size=1, max_size=30))
def test_inline_cleaning_never_loses_a_number(tokens: list[str]) -> None:
    line = " ".join(tokens)
    body_numbers = [t for t in tokens if any(ch.isdigit() for ch in t)]
    cleaned = clean.clean_inline(line)
    for n in body_numbers:
        assert n in cleaned
