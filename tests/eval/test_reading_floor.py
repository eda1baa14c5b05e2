"""The reading floor: how plainly the sentences holding a gold set's evidence can read."""

from __future__ import annotations

from passages import build_passage

from careguide.api.plain import reading_grade
from careguide.eval.metrics import GoldItem
from careguide.eval.reading_floor import evidence_sentences, reading_floor
from careguide.ingest.models import DocumentMeta, Passage

META = DocumentMeta(
    doc_id="t", title="Test strategy", short_title="Test", publisher="DfE", date="2023-02"
)
LONG = (
    "The Domestic Abuse Act 2021 recognises children as victims of domestic abuse in their "
    "own right where they see, hear or experience the effects of domestic abuse and are "
    "related to either the perpetrator or the victim."
)
SHORT = "We will pay carers £100 a week."


def _passage(text: str, n: int) -> Passage:
    return build_passage(
        text,
        doc_id="t",
        paragraph=None,
        passage_id=f"t:{n}",
        source="t.txt",
        short_title="Test strategy",
        citation=f"para {n}",
        meta=META,
    )


PASSAGES = [
    _passage(f"Some words first. {LONG} Then more words.", 1),
    _passage(f"{SHORT} Carers can also ask the council for advice.", 2),
]


def _item(*quotes: str, needs: str = "all", answerable: bool = True) -> GoldItem:
    return GoldItem.model_validate(
        {
            "id": "q1",
            "question": "a question",
            "needs": needs,
            "answerable": answerable,
            "evidence": [{"source": "t.txt", "quote": q, "group": i} for i, q in enumerate(quotes)],
        }
    )


def test_each_group_gives_the_sentence_holding_its_quote() -> None:
    item = _item(
        "recognises children as victims of domestic abuse in their own right",
        "pay carers £100 a week",
    )
    assert [text for text, _ in evidence_sentences(item, PASSAGES)] == [LONG, SHORT]
    assert evidence_sentences(_item("a quote found nowhere in the library at all"), PASSAGES) == []


def test_grades_the_evidence_as_written_and_rewritten() -> None:
    hard = _item("recognises children as victims of domestic abuse in their own right")
    easy = _item("pay carers £100 a week")
    declined = _item(answerable=False)
    lost = _item("a quote found nowhere in the library at all")
    lost.id = "q9"
    floor = reading_floor([hard, easy, declined, lost], PASSAGES)
    assert floor.questions == 2 and floor.missing == ["q9"]
    assert set(floor.median) == {"as written", "carer", "child"}
    # the long sentence reads well above a carer's target even rewritten, the short one within
    assert floor.share_within == {"carer": 0.5, "child": 0.5}
    as_written = sorted([reading_grade(LONG), reading_grade(SHORT)])
    assert floor.median["as written"] == round(sum(as_written) / 2, 2)
