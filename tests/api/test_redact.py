"""Redaction of personal details from user messages and logs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careguide.api.redact import nhs_number_is_valid, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # e-mail
        ("email me at jo.bloggs+care@example.co.uk", "email me at [email]"),
        ("SW: A.Smith@council.gov.uk.", "SW: [email]."),
        # UK phone numbers
        ("call me on 07700 900123", "call me on [phone]"),
        ("my mob is 07700-900-123, ring after 6", "my mob is [phone], ring after 6"),
        ("07700900123", "[phone]"),
        ("+44 7700 900 123", "[phone]"),
        ("+447700900123 any time", "[phone] any time"),
        ("0044 7700 900123", "[phone]"),
        ("office (020) 7946 0018", "office [phone]"),
        ("+44 (0)20 7946 0018", "[phone]"),
        ("tel: 0161 496 0000.", "tel: [phone]."),
        ("0161-496-0000", "[phone]"),
        ("01632 960123", "[phone]"),
        ("the NSPCC said ring 0808 800 5000", "the NSPCC said ring [phone]"),
        # National Insurance numbers
        ("NI QQ 12 34 56 C", "NI [NI number]"),
        ("my ni is qq123456c", "my ni is [NI number]"),
        ("National Insurance number: AB123456", "National Insurance number: [NI number]"),
        # NHS numbers
        ("NHS number 943 476 5919", "NHS number [NHS number]"),
        ("943-476-5919", "[NHS number]"),
        ("his number is 9434765919", "his number is [NHS number]"),
        ("nhs no: 1234567890", "nhs no: [NHS number]"),
        # dates of birth
        ("DOB 12/03/2015", "DOB [date of birth]"),
        ("D.O.B: 1.3.15", "D.O.B: [date of birth]"),
        ("she was born on 3 March 2015", "she was born on [date of birth]"),
        ("date of birth: 3rd of March 2015", "date of birth: [date of birth]"),
        ("born March 3, 2015 in Leeds", "born [date of birth] in Leeds"),
        ("born in May 2014", "born in [date of birth]"),
        # postcodes
        ("we live at SW1P 3BT", "we live at [postcode]"),
        ("M1 1AE", "[postcode]"),
        ("ec1a 1bb", "[postcode]"),
        ("B33 8TH", "[postcode]"),
        ("GIR 0AA", "[postcode]"),
        # several at once
        (
            "Jo (DOB 01/02/2012), 07700 900123, jo@example.com, LS1 4AP",
            "Jo (DOB [date of birth]), [phone], [email], [postcode]",
        ),
    ],
)
def test_personal_details_are_replaced_with_tags(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "£200 million for kinship care in 2023",
        "Children Act 1989, section 17 and section 47",
        "paragraph 133 of Working Together 2023",
        "the s47 2nd strategy meeting",
        "the A1 3rd exit",
        "Childline is 0800 1111",
        "ISBN 0198526636",
        "ISBN: 978-0-19-852663-6",
        "between 2018-2023 the rate rose 12.5%",
        "1,234,567,890 pounds",
        "reference 1234567890",  # ten digits failing the NHS check
        "the meeting on 01/04/2024",  # a date, but not a date of birth
        "born in 2015",  # a year alone is not a date of birth
        "aged 7, in year 3",
        "Figure 1.2 and table 2015/16",
        "3.1415926535",
    ],
)
def test_numbers_from_guidance_survive(text: str) -> None:
    assert redact(text) == text


def test_nhs_check_digit() -> None:
    assert nhs_number_is_valid("9434765919")
    assert not nhs_number_is_valid("9434765918")
    assert not nhs_number_is_valid("943476591")
    assert not nhs_number_is_valid("94347659x9")


@given(st.text(alphabet=st.characters(blacklist_categories=("Nd",), blacklist_characters="@")))
def test_text_without_digits_or_at_signs_is_untouched(text: str) -> None:
    assert redact(text) == text


@given(st.text())
def test_redaction_is_idempotent(text: str) -> None:
    once = redact(text)
    assert redact(once) == once
