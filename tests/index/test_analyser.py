"""The English analyser and the sparse vectors built from it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careguide.index.analyser import analyse, query_vector, sparse_vector, stem, term_index


@pytest.mark.parametrize(
    ("plural", "singular"),
    [
        ("placements", "placement"),
        ("policies", "policy"),
        ("processes", "process"),
        ("churches", "church"),
        ("homes", "home"),
        ("children", "child"),
        ("SGOs", "SGO"),
        ("IROs", "IRO"),
    ],
)
def test_plurals_meet_their_singular(plural: str, singular: str) -> None:
    assert analyse(plural) == analyse(singular)


def test_stemmer_only_strips_plural_endings() -> None:
    assert stem("caring") == "caring"
    assert stem("status") == "status"
    assert stem("analysis") == "analysis"
    assert stem("authorities") == "authority" != stem("authors")


def test_possessives() -> None:
    assert analyse("the children's guardian") == ["child", "guardian"]
    assert analyse("the parents' views") == ["parent", "view"]
    assert analyse("the child’s plan") == ["child", "plan"]  # curly apostrophe


def test_hyphenated_terms_give_joined_form_and_parts() -> None:
    assert analyse("co-operation") == ["cooperation", "co", "operation"]
    assert "cooperation" in analyse("cooperation")
    assert analyse("multi‑agency") == ["multiagency", "multi", "agency"]  # non-breaking hyphen


def test_acronyms_are_kept() -> None:
    assert analyse("SGO, CAO and LAC") == ["sgo", "cao", "lac"]
    assert analyse("the NHS") == analyse("the nhs") == ["nhs"]
    assert analyse("LAs") == ["la"]


def test_money() -> None:
    assert analyse("£200 million") == ["£200m", "200m", "200"]
    assert analyse("£200m") == analyse("£200 million")
    assert analyse("£1.2bn") == ["£1.2bn", "1.2bn", "1.2"]
    assert analyse("£1,200") == ["£1200", "1200"]
    assert analyse("£10k grant") == ["£10k", "10k", "10", "grant"]


def test_percentages_and_numbers() -> None:
    assert analyse("45%") == analyse("45 per cent") == analyse("45 percent") == ["45%", "45"]
    assert analyse("paragraph 3.12 of the 2023 guidance.") == [
        "paragraph",
        "3.12",
        "2023",
        "guidance",
    ]
    assert analyse("10 months") == ["10", "month"]
    assert analyse("section 20 (s20)") == ["section", "20", "s20"]


def test_stopwords_and_single_letters_dropped_but_modals_kept() -> None:
    assert analyse("What is the local authority's duty?") == ["local", "authority", "duty"]
    assert analyse("they must and should, a b c") == ["must", "should"]


def test_chat_fillers_are_not_search_terms() -> None:
    # a filler shared with a passage is no sign that it answers: "has it actually got anyone
    # jobs" once chose a definition of "children" ("anyone who has not yet reached 18")
    assert analyse("ok so has it actually got anyone jobs, like really? thanks") == ["got", "job"]


def test_nfkc_and_case() -> None:
    assert analyse("ﬁnance FINANCE") == ["finance", "finance"]


@given(st.integers(min_value=0, max_value=10**9))
def test_numbers_are_never_lost(n: int) -> None:
    assert str(n) in analyse(f"see paragraph {n}.")
    assert str(n) in analyse(f"£{n:,} was spent")


def test_sparse_vector_saturates_repeated_terms() -> None:
    index = term_index("carer")

    def weight(text: str) -> float:
        vector = sparse_vector(text, avgdl=4)
        return dict(zip(vector.indices, vector.values, strict=True))[index]

    once, twice, many = weight("carer"), weight("carer carer"), weight(" ".join(["carer"] * 50))
    assert once < twice < many < 1.2 + 1  # approaches k1 + 1


def test_sparse_vector_normalises_length() -> None:
    index = term_index("carer")
    short = sparse_vector("kinship carer", avgdl=10)
    long = sparse_vector("kinship carer " + "support plan review " * 10, avgdl=10)
    short_w = dict(zip(short.indices, short.values, strict=True))[index]
    long_w = dict(zip(long.indices, long.values, strict=True))[index]
    assert short_w > long_w


def test_query_vector_weighs_each_unique_term_once() -> None:
    vector = query_vector("carer carers support", extra_terms=["kinship carer", "family"])
    weights = dict(zip(vector.indices, vector.values, strict=True))
    assert weights == {
        term_index(t): 1.0
        for t in (
            "carer",
            "support",
            "kinship",
            "family",
            "~carer",
            "~support",
            "~kinship",
            "~famili",
        )
    }
    half = query_vector("carer", extra_terms=["family"], extra_weight=0.5)
    assert dict(zip(half.indices, half.values, strict=True))[term_index("family")] == 0.5
    assert query_vector("the of and").indices == []


def test_index_terms_add_porter_stems_so_derived_forms_meet() -> None:
    from careguide.index.analyser import index_terms

    assert "~regul" in index_terms("regulator") and "~regul" in index_terms("regulation")
    assert "author" not in index_terms("authority")  # the light stemmer still keeps them apart
