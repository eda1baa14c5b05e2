"""The glossary file, and how it reads questions.

Questions here are written for these tests, the way carers, children and practitioners
type; they are kept apart from the dev set in ../shared/eval, which is only used to measure.
"""

from __future__ import annotations

import pytest

from careguide.guides.glossary import (
    Glossary,
    GlossaryError,
    QueryExpander,
    expand_query,
    load_glossary,
    parse_glossary,
)

# The acronyms users type, from the corpus notes and the project brief.
_REQUIRED = (
    "LA SGO CAO CiN CP CLA LAC PA IRO UASC MASH SIF ILACS LSCB CSCB KSS NQSW ASYE ECF NAAS RCC "
    "PLO CSE CCE WWEICSC RAA ASF PP+ EHCP SEND ICB DSL DCS DfE Ofsted FGDM FGC EHA CPP s17 s47 "
    "DoLS SW FC"
)
REQUIRED_ACRONYMS = tuple(_REQUIRED.split())


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return load_glossary()


def test_shipped_glossary_loads_and_is_cached(glossary: Glossary) -> None:
    assert load_glossary() is glossary
    assert len(glossary.entries) > 80


@pytest.mark.parametrize("acronym", REQUIRED_ACRONYMS)
def test_every_required_acronym_has_an_entry(glossary: Glossary, acronym: str) -> None:
    entry = glossary.entry(acronym)
    assert entry is not None, acronym
    assert acronym in entry.acronyms


def test_wweicsc_is_spelled_out(glossary: Glossary) -> None:
    entry = glossary.entry("WWEICSC")
    assert entry is not None
    assert entry.term == "What Works for Early Intervention and Children's Social Care"


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("can i get an SGO for my granddaughter", "special guardianship order"),
        ("how long does the ASYE last", "Assessed and Supported Year in Employment"),
        ("is the ecf compulsory", "Early Career Framework"),
        ("what happens after an s47", "section 47 enquiry"),
        ("who chairs CIN meetings", "child in need"),
        ("do I still get PP+ after adoption", "Pupil Premium Plus"),
        ("can the DfE take over our children's services", "Department for Education"),
        ("our LA has a new director", "local authority"),
        ("LSCBs were replaced", "local safeguarding children board"),
    ],
)
def test_acronyms_are_spelled_out(question: str, term: str) -> None:
    expanded = expand_query(question)
    assert term in expanded.matched
    assert f"({term})" in expanded.dense_text
    assert term in expanded.sparse_terms


def test_sparse_terms_hold_the_acronym_and_its_expansion() -> None:
    expanded = expand_query("who pays for an SGO")
    assert "SGO" in expanded.sparse_terms
    assert "special guardianship order" in expanded.sparse_terms


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("my nan has looked after me since i was 4", "kinship carer"),
        ("support for grandparents raising grandchildren", "kinship carer"),
        ("me and my auntie", "kinship carer"),
        ("can family and friends carers get training", "kinship carer"),
        ("what help do kids in care get with school", "looked-after child"),
        ("i was in care till i was 16", "looked-after child"),
        ("being a care kid is hard", "looked-after child"),
        ("how much is the leaving care grant", "leaving care allowance"),
        ("my foster mum says i can stay", "foster carer"),
        ("how often do social worker visits happen", "statutory visit"),
        ("will i get money for looking after him", "financial support"),
        ("do special guardians get paid", "special guardian"),
        ("can i stay with my foster carers when im 18", "staying put"),
        ("how much money to set up ur flat", "leaving care allowance"),
        ("we were rated inadequate", "Ofsted judgement"),
        ("training to be a social worker", "social worker training"),
        ("do i have to move schools if i go into foster care", "school stability"),
        ("can i stay at my school when i come into care", "school stability"),
        ("im about to be kicked out of my flat", "homelessness"),
        ("can care leavers get a council flat", "social housing"),
        ("semi independent living at 16", "supported accommodation"),
        ("is there anything to help me find my birth family", "family finding"),
        ("what happens if a child in care keeps running away", "missing from care"),
        ("when can she go back home to her mum", "return home"),
    ],
)
def test_everyday_words_find_the_official_term(question: str, term: str) -> None:
    expanded = expand_query(question)
    assert term in expanded.matched
    assert term in expanded.sparse_terms


def test_dense_text_follows_the_everyday_word_with_the_term() -> None:
    expanded = expand_query("can my nan get paid")
    assert expanded.dense_text.startswith("can my nan (kinship carer) get paid")
    assert expanded.original == "can my nan get paid"


def test_a_term_typed_in_full_is_not_annotated_again() -> None:
    expanded = expand_query("what is the Public Law Outline (PLO)?")
    assert expanded.dense_text == "what is the Public Law Outline (PLO)?"
    assert expanded.matched == ["Public Law Outline"]


def test_the_more_specific_match_wins() -> None:
    assert expand_query("interested in care proceedings").matched == ["care proceedings"]
    assert "special guardianship allowance" in expand_query("sgo allowance rates").matched


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("guardianshp", "guardianship"),
        ("kinshp", "kinship"),
        ("safegaurding", "safeguarding"),
        ("alowance", "allowance"),
        ("Guardianshp", "Guardianship"),
    ],
)
def test_misspellings_are_corrected(typed: str, meant: str) -> None:
    expanded = expand_query(f"question about {typed} please")
    assert expanded.corrections == {typed: meant}
    assert meant in expanded.dense_text
    assert typed not in expanded.dense_text


def test_corrected_words_then_match_the_glossary() -> None:
    expanded = expand_query("special guardianshp order for my grandson")
    assert "special guardianship order" in expanded.matched


@pytest.mark.parametrize(
    "question",
    [
        "my gran and my nan",  # short words are never touched
        "in 2016 and 2023",  # nor numbers
        "he was adopted by his adopters",  # real words stay, however close to others
        "the JTAIs found gaps",  # acronyms the glossary does not know stay
        "Croydon children",
    ],
)
def test_known_and_short_words_are_not_corrected(question: str) -> None:
    assert expand_query(question).corrections == {}


def test_index_vocabulary_is_known_and_a_target(glossary: Glossary) -> None:
    vocabulary = frozenset({"permanence", "permanent"})
    assert expand_query("permanance with carers").corrections == {}
    expanded = expand_query("permanance with carers", vocabulary)
    assert expanded.corrections == {"permanance": "permanence"}


def test_a_word_in_the_vocabulary_is_never_corrected(glossary: Glossary) -> None:
    expander = QueryExpander(glossary, ["kinshp"])
    assert expander.expand("kinshp care").corrections == {}


def test_an_ambiguous_typo_is_left_alone(glossary: Glossary) -> None:
    expander = QueryExpander(glossary, ["blorpings", "blarpings"])
    assert expander.expand("the blirpings").corrections == {}
    assert expander.expand("the blorpinks").corrections == {"blorpinks": "blorpings"}


@pytest.mark.parametrize(
    "question",
    [
        "my pa said no",  # dad, not a personal adviser
        "la la land",
        "please send me the form",
        "mash the potatoes",
        "the classroom is paste coloured",  # CLA, PA inside words
        "black lace",  # LAC inside words
        "scampi and sgoat",
        "Cao is a surname",
    ],
)
def test_no_false_expansion(question: str) -> None:
    expanded = expand_query(question)
    assert expanded.matched == []
    assert expanded.dense_text == question


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("whats a PA", "personal adviser"),
        ("PAs", "personal adviser"),
        ("my SEND kid", "special educational needs and disabilities"),
        ("the MASH", "multi-agency safeguarding hub"),
        ("the CAO", "child arrangements order"),
        ("CIN plans", "child in need"),
        ("cin plans", "child in need"),
        ("ECF or ecf", "Early Career Framework"),
    ],
)
def test_acronyms_match_in_the_cases_people_use(question: str, term: str) -> None:
    assert term in expand_query(question).matched


def test_well_known_acronyms_are_not_annotated() -> None:
    expanded = expand_query("when did ofsted last visit")
    assert expanded.dense_text == "when did ofsted last visit"
    assert "Ofsted" in expanded.sparse_terms


def test_hedges_for_a_topic_come_first(glossary: Glossary) -> None:
    hedges = glossary.hedges_for("carer", ["special guardianship allowance"])
    assert hedges[0] == "What you can get often depends on your council."
    assert all("social worker or personal adviser" not in h for h in hedges)
    assert glossary.hedges_for("child")


GOOD_ENTRY = """
entries:
  - term: special guardianship order
    acronyms: [SGO]
"""


def test_a_minimal_glossary_parses() -> None:
    glossary = parse_glossary(GOOD_ENTRY)
    assert glossary.entry("sgo") is not None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            GOOD_ENTRY + "  - term: care order\n    acronyms: CO\n",
            "glossary.yaml: entry 2 ('care order'): acronyms: Input should be a valid tuple",
        ),
        (
            GOOD_ENTRY + "  - term: care order\n    plian: a court order\n",
            "glossary.yaml: entry 2 ('care order'): plian: Extra inputs are not permitted",
        ),
        (
            GOOD_ENTRY + "  - term: care leaver\n    plain: someone aged 16 to 25\n",
            "glossary.yaml: entry 2 ('care leaver'): plain: Value error, must not hold a number",
        ),
        (
            GOOD_ENTRY + "  - term: special guardian\n    aliases: [SGO]\n",
            "glossary.yaml: entry 2 ('special guardian'): alias 'SGO' is also listed under "
            "'special guardianship order'",
        ),
        (
            GOOD_ENTRY
            + "  - term: child arrangements order\n    aliases: [special guardianship order]\n",
            "entry 2 ('child arrangements order'): alias 'special guardianship order' is also "
            "listed under 'special guardianship order'",
        ),
        (GOOD_ENTRY + "  - term: [unclosed\n", "glossary.yaml: line"),
        ("entries: {}\n", "glossary.yaml: needs a top-level 'entries:' list"),
    ],
)
def test_a_malformed_entry_gives_one_line_naming_it(text: str, message: str) -> None:
    with pytest.raises(GlossaryError) as caught:
        parse_glossary(text)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
