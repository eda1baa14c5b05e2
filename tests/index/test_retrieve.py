"""Hybrid retrieval on every backend: fusion, filters, priors, dedupe, expansion."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pytest

from careguide.index.embedder import HashingEmbedder
from careguide.index.models import SearchFilters
from careguide.index.retrieve import (
    Fusion,
    asks_about_past,
    asks_the_reader,
    dated_filters,
    is_stub,
    names_title,
    prior,
    restates_chapters,
    retrieve,
)
from careguide.index.sentences import SentenceVectors
from careguide.index.store import Store
from careguide.ingest.models import DocKind, DocStatus, Passage, PassageKind

MakeStore = Callable[..., Store]


@dataclass
class ExpandedQuery:
    """Stands in for the glossary's expansion: the retriever only reads these two fields."""

    dense_text: str
    sparse_terms: list[str] | str


@pytest.mark.parametrize("fusion", ["rrf", "score"])
@pytest.mark.parametrize(
    ("query", "doc_id", "paragraph"),
    [
        ("special guardianship order", "sgo-guidance-2017", "12"),
        ("SGOs", "sgo-guidance-2017", "12"),
        ("£200m for family help", "stable-homes-2023", "5"),
        ("cooperation between safeguarding partners", "working-together-2023", "3.12"),
        ("LAC placements", "ilacs-framework-2023", "22"),
    ],
)
def test_finds_the_passage(
    indexed: Store,
    embedder: HashingEmbedder,
    fusion: Fusion,
    query: str,
    doc_id: str,
    paragraph: str,
) -> None:
    hits = retrieve(query, embedder=embedder, store=indexed, k=3, fusion=fusion)
    top = hits[0]
    assert (top.passage.doc_id, top.passage.paragraphs) == (doc_id, [paragraph])
    assert top.rank == 1
    assert top.sparse_score is not None and top.sparse_score > 0
    assert top.dense_score is not None
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@pytest.mark.parametrize("norm", ["minmax", "zscore"])
def test_score_fusion_normalisations(
    make_store: MakeStore, corpus: list[Passage], embedder: HashingEmbedder, norm: str
) -> None:
    store = make_store(fusion="score", score_norm=norm, dense_weight=0.3)
    store.index(corpus, embedder)
    hits = retrieve("restraint and use of force", embedder=embedder, store=store)
    assert hits[0].passage.doc_id == "childrens-homes-regs-2015"
    assert all(0 <= h.score <= 1 for h in hits)


@pytest.mark.parametrize("norm", ["minmax", "zscore"])
def test_the_first_hits_do_not_change_with_how_many_are_asked_for(
    make_store: MakeStore, corpus: list[Passage], embedder: HashingEmbedder, norm: str
) -> None:
    # fewer candidates per list than passages, so a larger k fetches longer lists
    store = make_store(fusion="score", score_norm=norm, candidates=2, sentence_weight=0.0)
    store.index(corpus, embedder)
    assert len(corpus) > 2 * 2
    for query in ["kinship carer support", "restraint in children's homes", "SGO until 18"]:
        few = retrieve(query, embedder=embedder, store=store, k=2)
        many = retrieve(query, embedder=embedder, store=store, k=len(corpus))
        assert [h.passage.id for h in many[:2]] == [h.passage.id for h in few]
        assert [h.score for h in many[:2]] == pytest.approx([h.score for h in few])


def test_dense_weight_decides_score_fusion(indexed: Store, embedder: HashingEmbedder) -> None:
    # with all weight on the dense list, a passage found only by the sparse list scores 0
    hits = retrieve(
        "kinship", embedder=embedder, store=indexed, fusion="score", dense_weight=1.0, k=10
    )
    for hit in hits:
        if hit.dense_score is None:
            assert hit.score == 0


def test_k_and_empty_queries(indexed: Store, embedder: HashingEmbedder) -> None:
    assert len(retrieve("children", embedder=embedder, store=indexed, k=2)) == 2
    assert retrieve("   ", embedder=embedder, store=indexed) == []
    only_stopwords = retrieve("what is the", embedder=embedder, store=indexed, k=3)
    assert len(only_stopwords) == 3  # the dense side still answers
    assert all(h.sparse_score is None for h in only_stopwords)


@pytest.mark.parametrize(
    ("filters", "doc_ids"),
    [
        (SearchFilters(kinds=[DocKind.policy]), {"stable-homes-2023"}),
        (SearchFilters(doc_ids=["sgo-guidance-2017"]), {"sgo-guidance-2017"}),
        (
            SearchFilters(year_from=2016, year_to=2020),
            {"sgo-guidance-2017"},
        ),
        (SearchFilters(year_to=2015), {"childrens-homes-regs-2015"}),
        (SearchFilters(audience=["inspectors"]), {"ilacs-framework-2023"}),
        (
            SearchFilters(audience=["courts", "Providers"]),
            {"sgo-guidance-2017", "childrens-homes-regs-2015"},
        ),
        (
            SearchFilters(kinds=[DocKind.statutory_guidance], year_from=2023),
            {"working-together-2023"},
        ),
    ],
)
def test_filters(
    indexed: Store, embedder: HashingEmbedder, filters: SearchFilters, doc_ids: set[str]
) -> None:
    hits = retrieve("children", embedder=embedder, store=indexed, k=10, filters=filters)
    assert {h.passage.doc_id for h in hits} == doc_ids


def test_status_and_passage_kind_filters(
    store: Store, make_passage: Callable[..., Passage], embedder: HashingEmbedder
) -> None:
    store.index(
        [
            make_passage("Care plans are reviewed.", doc_id="new", paragraph="1"),
            make_passage("Care plans were reviewed.", doc_id="old", status=DocStatus.superseded),
            make_passage(
                "See the care plan regulations.", doc_id="new", passage_kind=PassageKind.footnote
            ),
        ],
        embedder,
    )
    current = SearchFilters(statuses=[DocStatus.current])
    assert {
        h.passage.doc_id
        for h in retrieve("care plan", embedder=embedder, store=store, filters=current)
    } == {"new"}
    notes = SearchFilters(passage_kinds=[PassageKind.footnote])
    hits = retrieve("care plan", embedder=embedder, store=store, filters=notes)
    assert [h.passage.kind for h in hits] == [PassageKind.footnote]


TEXT = "The local authority must review the kinship care plan every six months."
SAME_TOKENS = TEXT + " Too."  # analyses to the same tokens, so scores tie, but not a duplicate


def _twins(make_passage: Callable[..., Passage], **other: object) -> list[Passage]:
    """Two passages that score the same, from documents that differ only in ``other``."""
    return [
        make_passage(TEXT, doc_id="main", short_title="Kinship care"),
        make_passage(SAME_TOKENS, doc_id="other", short_title="Kinship care", **other),
    ]


@pytest.mark.parametrize("fusion", ["rrf", "score"])
def test_summary_documents_rank_below(
    store: Store, make_passage: Callable[..., Passage], embedder: HashingEmbedder, fusion: Fusion
) -> None:
    store.index(_twins(make_passage, kind=DocKind.summary), embedder)
    hits = retrieve("kinship care plan review", embedder=embedder, store=store, fusion=fusion)
    assert [h.passage.doc_id for h in hits] == ["main", "other"]
    if fusion == "score":
        assert hits[1].score == pytest.approx(hits[0].score * store.settings.summary_penalty)


@pytest.mark.parametrize("fusion", ["rrf", "score"])
def test_a_section_restating_the_chapters_ranks_below_them(
    store: Store, make_passage: Callable[..., Passage], embedder: HashingEmbedder, fusion: Fusion
) -> None:
    # an annex table that condenses chapter 4 matches as well as chapter 4's paragraph
    annex = ("Annex 3", "Unlocking family networks - as detailed in chapter 4")
    store.index(_twins(make_passage, heading_path=annex), embedder)
    hits = retrieve("kinship care plan review", embedder=embedder, store=store, fusion=fusion)
    assert [h.passage.doc_id for h in hits] == ["main", "other"]
    plain, restated = _twins(make_passage, heading_path=annex)
    settings = store.settings
    assert prior(restated, past=False, settings=settings) == pytest.approx(
        prior(plain, past=False, settings=settings) * settings.restated_penalty
    )


@pytest.mark.parametrize(
    "query",
    ["the executive summary of the inspection", "summarise chapter 4", "an overview of kinship"],
)
def test_a_question_asking_for_a_summary_does_not_rank_summaries_down(
    make_passage: Callable[..., Passage], store: Store, query: str
) -> None:
    restated = make_passage(TEXT, heading_path=("Chapter 4", "Chapter summary"))
    plain = make_passage(TEXT, heading_path=("Chapter 4", "Kinship care"))
    settings = store.settings
    assert prior(restated, past=False, settings=settings, query=query) == pytest.approx(
        prior(plain, past=False, settings=settings, query=query)
    )
    asked = prior(restated, past=False, settings=settings, query="kinship care plans")
    assert asked == pytest.approx(settings.restated_penalty)


@pytest.mark.parametrize(
    ("heading_path", "restates"),
    [
        (("Chapter 4", "Chapter summary"), True),
        (("Executive Summary",), True),
        (("Summary",), True),
        (("Annex 3", "Workforce - as detailed in chapter 6 of the Implementation Strategy"), True),
        (("Annex 1", "Actions set out in chapter 2"), True),
        # a section about summaries, or for a reader, says things of its own
        (("Summary of changes",), False),
        (("Summary for children and young people",), False),
        (("Chapter 4", "Family group decision-making"), False),
        (("Chapter 6", "What the chapter 5 reforms mean for social workers"), False),
    ],
)
def test_restates_chapters(
    make_passage: Callable[..., Passage], heading_path: tuple[str, ...], restates: bool
) -> None:
    passage = make_passage(TEXT, heading_path=heading_path)
    assert restates_chapters(passage) is restates


def test_footnotes_rank_slightly_below(
    store: Store, make_passage: Callable[..., Passage], embedder: HashingEmbedder
) -> None:
    store.index(_twins(make_passage, passage_kind=PassageKind.footnote), embedder)
    hits = retrieve("kinship care plan", embedder=embedder, store=store, fusion="score")
    assert [h.passage.doc_id for h in hits] == ["main", "other"]
    assert hits[1].score == pytest.approx(hits[0].score * store.settings.footnote_penalty)


@pytest.mark.parametrize("status", [DocStatus.superseded, DocStatus.historical])
def test_current_guidance_outranks_outdated_unless_asked_about_the_past(
    store: Store, make_passage: Callable[..., Passage], embedder: HashingEmbedder, status: DocStatus
) -> None:
    store.index(_twins(make_passage, status=status, date="2016-03"), embedder)
    now = retrieve("kinship care plan", embedder=embedder, store=store, fusion="score")
    assert [h.passage.doc_id for h in now] == ["main", "other"]
    assert now[1].score == pytest.approx(now[0].score * store.settings.outdated_penalty)

    past = retrieve("kinship care plan previously", embedder=embedder, store=store, fusion="score")
    assert past[0].score == pytest.approx(past[1].score)  # no penalty: relevance decides


@pytest.mark.parametrize(
    ("query", "past"),
    [
        ("what did the 2016 guidance say", True),
        ("what used to happen", True),
        ("how was it originally done", True),
        ("history of special guardianship", True),
        ("before the Children Act", True),
        ("the old rules", True),
        ("what must a kinship carer do", False),
        ("placement holds", False),  # "old" only as a whole word
    ],
)
def test_asks_about_past(query: str, past: bool) -> None:
    assert asks_about_past(query) is past


def test_the_same_paragraph_never_appears_twice(
    store: Store, make_passage: Callable[..., Passage], embedder: HashingEmbedder
) -> None:
    store.index(
        [
            make_passage(TEXT, doc_id="guidance"),
            make_passage(TEXT.upper().replace(".", ""), doc_id="summary", kind=DocKind.summary),
            make_passage("Unrelated text about restraint.", doc_id="guidance", paragraph="2"),
        ],
        embedder,
    )
    hits = retrieve("kinship care plan", embedder=embedder, store=store)
    assert [h.passage.doc_id for h in hits] == ["guidance", "guidance"]
    assert len({h.passage.id for h in hits}) == 2


def test_query_expansion(indexed: Store, embedder: HashingEmbedder) -> None:
    def expand(query: str) -> ExpandedQuery:
        return ExpandedQuery(
            dense_text="restraint and use of force in children's homes",
            sparse_terms=["restraint", "use of force"],
        )

    plain = retrieve("RPI", embedder=embedder, store=indexed, k=1)
    expanded = retrieve("RPI", embedder=embedder, store=indexed, k=1, expand=expand)
    assert plain[0].sparse_score is None  # no passage says "RPI"
    assert expanded[0].passage.doc_id == "childrens-homes-regs-2015"
    assert expanded[0].sparse_score is not None

    as_text = retrieve(
        "RPI",
        embedder=embedder,
        store=indexed,
        k=1,
        expand=lambda q: ExpandedQuery(dense_text=q, sparse_terms="restraint use of force"),
    )
    assert as_text[0].passage.doc_id == "childrens-homes-regs-2015"


@pytest.mark.parametrize(
    ("dense_query", "embedded"),
    [
        ("question", ["RPI"]),
        ("expanded", ["restraint in children's homes"]),
        ("both", ["RPI", "restraint in children's homes"]),
    ],
)
def test_dense_query_setting_decides_what_is_embedded(
    indexed: Store, embedder: HashingEmbedder, dense_query: str, embedded: list[str]
) -> None:
    seen: list[list[str]] = []

    class Recording:
        name, dim = embedder.name, embedder.dim

        def embed(self, texts: Sequence[str]) -> np.ndarray:
            seen.append(list(texts))
            return embedder.embed(texts)

    settings = indexed.settings.model_copy(update={"dense_query": dense_query})
    hits = retrieve(
        "RPI",
        embedder=Recording(),
        store=indexed,
        k=1,
        settings=settings,
        expand=lambda q: ExpandedQuery(
            dense_text="restraint in children's homes", sparse_terms=["restraint"]
        ),
    )
    assert seen == [embedded]
    assert hits[0].passage.doc_id == "childrens-homes-regs-2015"  # the sparse side finds it


def test_a_stub_passage_ranks_below_a_paragraph_that_says_something(
    store: Store, make_passage: Callable[..., Passage], embedder: HashingEmbedder
) -> None:
    # the same words, once as a stray heading and once as a sentence: only the stub loses
    stub = make_passage("Kinship care plan review", doc_id="stub", short_title="Kinship care")
    said = make_passage("The kinship care plan review.", doc_id="main", short_title="Kinship care")
    store.index([stub, said], embedder)
    hits = retrieve("kinship care plan review", embedder=embedder, store=store, fusion="score")
    assert [h.passage.doc_id for h in hits] == ["main", "stub"]
    assert hits[1].score == pytest.approx(hits[0].score * store.settings.stub_penalty)


@pytest.mark.parametrize(
    ("text", "stub"),
    [
        ("Practice", True),
        ("0808 800 5000", True),
        ("Removing barriers to effective practice", True),
        ("Each visit lasts two days.", False),
        ("The council must act. Then it reports", False),
        (TEXT, False),
    ],
)
def test_is_stub(make_passage: Callable[..., Passage], text: str, stub: bool) -> None:
    assert is_stub(make_passage(text)) is stub


def test_a_passage_that_only_asks_ranks_below_one_that_answers(
    store: Store, make_passage: Callable[..., Passage], embedder: HashingEmbedder
) -> None:
    # a consultation question shares the user's words; the paragraph answers them
    asked = make_passage(
        "What support do special guardians get from the local authority? "
        "[Select one from: Enough; Not enough]",
        doc_id="asked",
    )
    answers = make_passage(
        "Special guardians get support from the local authority.", doc_id="answers"
    )
    store.index([asked, answers], embedder)
    hits = retrieve(
        "what support do special guardians get from the local authority?",
        embedder=embedder,
        store=store,
        fusion="score",
    )
    assert [h.passage.doc_id for h in hits] == ["answers", "asked"]


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("Do you agree with the six pillars?", True),
        ("Do you agree? [Select one from: Agree; Disagree].", True),
        ("What have we already started doing?\nWhat comes next?", True),
        ("What have we done? We have started to pilot Family Help.", False),
        ("What have we done?\nWe have started to pilot Family Help.", False),
        ("The council must publish a local offer.", False),
    ],
)
def test_asks_the_reader(make_passage: Callable[..., Passage], text: str, asks: bool) -> None:
    assert asks_the_reader(make_passage(text)) is asks


def test_a_short_footnote_is_not_a_stub(make_passage: Callable[..., Passage]) -> None:
    assert not is_stub(make_passage("Taylor (2023)", passage_kind=PassageKind.footnote))


def test_a_passage_that_answers_in_one_sentence_rises_by_its_best_sentence(
    store: Store, make_passage: Callable[..., Passage], embedder: HashingEmbedder
) -> None:
    # "topical" shares the question's words across the whole passage; "answers" is mostly
    # about other things, but one of its sentences is the answer
    topical = make_passage(
        "Monitoring visits by inspectors: how many visits, how many inspectors, each visit "
        "and each monitoring report. Inspectors carry monitoring. Visit monitoring.",
        doc_id="topical",
    )
    answers = make_passage(
        "The report is published online. Staff training is reviewed each year. Budgets are "
        "set by the council. Foster carers are recruited locally. Usually two inspectors "
        "carry out each monitoring visit.",
        doc_id="answers",
    )
    store.index([topical, answers], embedder)
    question = "how many inspectors carry out each monitoring visit"
    # two hits scale to fused scores 1 and 0: a weight of 2 lets the best sentence decide
    weighty = store.settings.model_copy(update={"sentence_weight": 2.0})
    flat = retrieve(question, embedder=embedder, store=store, fusion="score", settings=weighty)
    assert [h.passage.doc_id for h in flat] == ["topical", "answers"]
    sentences = SentenceVectors(embedder)
    ranked = retrieve(
        question,
        embedder=embedder,
        store=store,
        fusion="score",
        sentences=sentences,
        settings=weighty,
    )
    assert [h.passage.doc_id for h in ranked] == ["answers", "topical"]
    assert ranked[0].score > ranked[1].score
    off = store.settings.model_copy(update={"sentence_weight": 0.0})
    unchanged = retrieve(
        question, embedder=embedder, store=store, fusion="score", sentences=sentences, settings=off
    )
    assert [h.passage.doc_id for h in unchanged] == ["topical", "answers"]


def test_only_the_first_hits_are_ranked_again(
    make_store: MakeStore, corpus: list[Passage], embedder: HashingEmbedder
) -> None:
    store = make_store(sentence_depth=2)
    store.index(corpus, embedder)
    question = "special guardianship order support for kinship carers"
    flat = retrieve(question, embedder=embedder, store=store, k=5)
    ranked = retrieve(
        question, embedder=embedder, store=store, k=5, sentences=SentenceVectors(embedder)
    )
    assert {h.passage.id for h in ranked[:2]} == {h.passage.id for h in flat[:2]}
    assert [h.passage.id for h in ranked[2:]] == [h.passage.id for h in flat[2:]]
    assert [h.score for h in ranked] == sorted((h.score for h in ranked), reverse=True)


@pytest.mark.parametrize("query", ["", "   ", "???", "-- !! --"])
def test_a_query_without_words_finds_nothing(
    indexed: Store, embedder: HashingEmbedder, query: str
) -> None:
    assert retrieve(query, embedder=embedder, store=indexed, k=5) == []


def _boards(make_passage: Callable[..., Passage], **meta: object) -> list[Passage]:
    """Four paragraphs on local safeguarding children boards, each using the question's
    words more than the one paragraph that says when the change was decided, among
    paragraphs on other things."""
    others = [
        make_passage(text, doc_id="other-guidance", paragraph=f"o{n}")
        for n, text in enumerate(
            [
                "The council publishes a local offer for kinship carers.",
                "A care leaver can ask for a personal adviser until they are 25.",
                "Foster carers receive an allowance for each child they look after.",
                "Ofsted inspects children's homes at least once a year.",
                "An independent reviewing officer chairs each review of a care plan.",
                "Young people may stay with their foster carers until they are 21.",
            ]
        )
    ]
    return others + [
        make_passage(
            f"Safeguarding partners replaced local safeguarding children boards in area {n}.",
            paragraph=str(n),
            **meta,
        )
        for n in range(1, 5)
    ]


def test_each_part_of_a_question_gets_its_best_hit_near_the_top(
    store: Store, make_passage: Callable[..., Passage], embedder: HashingEmbedder
) -> None:
    decided = make_passage(
        "Parliament voted to decide the change in 2017, after a long debate on the future of "
        "the whole system of local arrangements for children in each area.",
        paragraph="9",
    )
    store.index([*_boards(make_passage), decided], embedder)
    question = "who replaced local safeguarding children boards? when did parliament decide it?"
    whole_only = store.settings.model_copy(update={"part_after": 0})
    before = retrieve(question, embedder=embedder, store=store, k=3, settings=whole_only)
    assert decided.id not in [h.passage.id for h in before]

    settings = store.settings.model_copy(update={"part_after": 2})
    hits = retrieve(question, embedder=embedder, store=store, k=3, settings=settings)
    assert [h.passage.id for h in hits][2] == decided.id  # after the whole question's first 2
    assert [h.rank for h in hits] == [1, 2, 3]
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len({h.passage.id for h in hits}) == 3
    # a question that asks one thing is searched once, as before
    one = retrieve(
        "who replaced local safeguarding children boards", embedder=embedder, store=store, k=3
    )
    assert decided.id not in [h.passage.id for h in one]


def test_a_question_spanning_dates_gets_a_hit_from_each(
    store: Store, make_passage: Callable[..., Passage], embedder: HashingEmbedder
) -> None:
    old = make_passage(
        "The boards stay in place for now, until a later review of the whole system of local "
        "arrangements for children in each area.",
        doc_id="plan-2016",
        date="2016-07",
        status=DocStatus.historical,
    )
    store.index([*_boards(make_passage, doc_id="strategy-2023", date="2023-02"), old], embedder)
    settings = store.settings.model_copy(update={"part_after": 2})
    question = "local safeguarding children boards replaced - what happened in 2016 and in 2023"
    hits = retrieve(question, embedder=embedder, store=store, k=3, settings=settings)
    assert [h.passage.doc_id for h in hits] == ["strategy-2023", "strategy-2023", "plan-2016"]
    # within a filter that leaves 2016 out, no 2016 search is made
    later = SearchFilters(year_from=2020)
    hits = retrieve(question, embedder=embedder, store=store, k=3, settings=settings, filters=later)
    assert "plan-2016" not in [h.passage.doc_id for h in hits]


@pytest.mark.parametrize(
    ("query", "dates"),
    [
        ("what did the 2016 plan promise and what happened by 2023", [(2016, 2016), (2023, 2023)]),
        ("JTAIs in 2016 - are they still happening?", [(2016, 2016), "current"]),
        ("what did the 2016 plan promise", []),
        (
            "2012, 2013, 2014, 2015 and 2016: what changed each year, and now?",
            [(2012, 2012), (2013, 2013), (2014, 2014), (2015, 2015), "current"],
        ),
        ("is the covenant still running", []),
        ("what is the leaving care allowance", []),
    ],
)
def test_dated_filters(query: str, dates: list[object]) -> None:
    found = [
        "current" if f.statuses == [DocStatus.current] else (f.year_from, f.year_to)
        for f in dated_filters(query)
    ]
    assert found == dates


def test_dated_filters_stay_within_the_users_filters() -> None:
    users = SearchFilters(year_from=2018, statuses=[DocStatus.superseded])
    found = dated_filters("the 2016 plan and the 2023 strategy, are they still in force", users)
    assert [(f.year_from, f.year_to, f.statuses) for f in found] == [
        (2023, 2023, [DocStatus.superseded])
    ]


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("what did the vision for change say about kinship care plans", True),
        ("In 'A Vision for Change', who reviews the plan?", True),
        ("what is the vision for kinship care", False),  # one title word is not a name
        ("how do plans change", False),
        ("children's social care reform and kinship care", False),  # common title words
    ],
)
def test_names_title(make_passage: Callable[..., Passage], query: str, named: bool) -> None:
    paper = make_passage(TEXT, short_title="Children's social care reform: a vision for change")
    assert names_title(query, paper) is named


def test_a_document_named_by_its_title_is_ranked_up(
    store: Store, make_passage: Callable[..., Passage]
) -> None:
    paper = make_passage(TEXT, short_title="A vision for change")
    settings = store.settings
    named = prior(paper, past=False, settings=settings, query="what did the vision for change say")
    assert named == pytest.approx(settings.named_boost)
    assert prior(paper, past=False, settings=settings, query="what is the vision") == 1.0


@pytest.mark.parametrize(
    ("query", "penalised"),
    [
        ("is there a separate CP pathway for extra familial harm", True),
        ("how much money goes to extra-familial harm work", True),
        ("what is extra-familial harm?", False),
        ("whats extra familial harm and is there a pathway for it", False),
        ("what does extra-familial harm mean", False),
        ("who counts as a kinship carer", False),
    ],
)
def test_a_definition_ranks_down_unless_a_meaning_is_asked(
    store: Store, make_passage: Callable[..., Passage], query: str, penalised: bool
) -> None:
    entry = make_passage("Extra-familial harm - Harm to a child from outside the family.")
    entry = entry.model_copy(update={"kind": PassageKind.definition})
    settings = store.settings
    expected = settings.definition_penalty if penalised else 1.0
    assert prior(entry, past=False, settings=settings, query=query) == pytest.approx(expected)
    body = entry.model_copy(update={"kind": PassageKind.body})
    assert prior(body, past=False, settings=settings, query=query) == 1.0
