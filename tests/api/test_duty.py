"""Duty strength: what a passage's wording makes law, advice, or neither."""

from __future__ import annotations

import pytest

from careguide.api.answer_models import DutyStrength
from careguide.api.duty import duty_strength

R, G, INFO = DutyStrength.requirement, DutyStrength.guidance, DutyStrength.information


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The local authority must assess the needs of a kinship carer.", R),
        ("Councils must not place a child under 16 in unregulated accommodation.", R),
        ("Each partner is required to publish its arrangements.", R),
        ("Safeguarding partners are required to co-operate.", R),
        ("The council has a duty to provide advice and assistance.", R),
        ("The authority has a statutory duty to safeguard children.", R),
        ("There is a statutory duty on schools to co-operate.", R),
        ("Reviews shall be held every six months.", R),
        ("Practitioners should record the child's wishes.", G),
        ("The council may offer a family group conference.", G),
        ("Local areas are expected to publish a local offer.", G),
        ("Councils are encouraged to involve the wider family.", G),
        ("We will publish a national framework later this year.", INFO),
        ("The government will consult on a financial allowance.", INFO),
        ("In 2022 there were 82,170 children in care.", INFO),
        ("The consultation ran from 2 February to 11 May 2023.", INFO),
        ("“Do you agree that councils should publish an offer?” was asked.", INFO),
    ],
)
def test_duty_strength(text: str, expected: DutyStrength) -> None:
    assert duty_strength(text) is expected


def test_a_requirement_outranks_guidance_in_the_same_passage() -> None:
    text = "Practitioners should talk to the family. The council must then write a plan."
    assert duty_strength(text) is R
