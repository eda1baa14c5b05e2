"""Take personal details out of user messages before they are stored or logged.

``redact`` replaces e-mail addresses, UK phone numbers, National Insurance numbers, NHS
numbers, dates of birth and postcodes with tags such as ``[phone]``, and leaves the
numbers guidance is full of alone: money ("£200 million"), years ("2023"), sections and
paragraphs ("section 17", "paragraph 133").

It is meant for what people type and for logs, never for the guidance or for the replies
careguide writes. So a helpline number a user quotes with a full phone shape
("0808 800 5000") is redacted like any other phone number: harmless, since the real
number is in the signposts. Childline's "0800 1111" is too short to be anyone's own line
and is kept.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

__all__ = ["RedactingFilter", "nhs_number_is_valid", "redact"]

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_DATE = (
    rf"(?:[0-3]?\d\s?[/.\-]\s?[01]?\d\s?[/.\-]\s?(?:\d{{4}}|\d{{2}})"  # 12/03/2015, 3.3.15
    rf"|\d{{4}}-[01]?\d-[0-3]?\d"  # 2015-03-12 (ISO)
    rf"|{_DAY}(?:\s+of)?\s+{_MONTH}\.?,?\s+\d{{4}}"  # 3rd of March 2015
    rf"|{_DAY}[-/]{_MONTH}[-/]\d{{4}}"  # 12-Mar-2015
    rf"|{_MONTH}\.?\s+{_DAY},?\s+\d{{4}}"  # March 3, 2015
    rf"|{_MONTH}\.?\s+\d{{4}})"  # March 2015 (after "born in")
)
_DOB_LABEL = r"(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|birth\s?date|birthday|born(?:\s+on|\s+in)?)"

_EMAIL = re.compile(r"\b[\w.+%-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_DOB = re.compile(rf"\b({_DOB_LABEL}\s*(?:is|was|:|-|–)?\s*(?:the\s+)?)({_DATE})\b", re.IGNORECASE)
_NI = re.compile(r"\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.IGNORECASE)
_NI_LABELLED = re.compile(
    r"\b((?:NI|N\.I\.|national\s+insurance)\s*(?:no\.?|number|#)?\s*:?\s*)"
    r"([A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2})\b",
    re.IGNORECASE,
)
_NHS_SPACED = re.compile(r"(?<![\w£.,])[1-9]\d{2}([ -])\d{3}\1\d{4}(?![\w-]|[.,]\d)")
_NHS_BARE = re.compile(r"(?<![\w£.,])\d{10}(?![\w]|[.,]\d)")
_NHS_LABEL = re.compile(r"\bnhs\b[^\d\n]{0,20}$", re.IGNORECASE)
_PHONE = re.compile(
    r"(?<![\w+£.,/])"
    r"(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?\(?|\(?0)"  # +44, 0044, +44 (0), or a leading 0
    r"[1-9](?:[ \-()]{0,2}\d){8,9}"
    r"(?!\w|[.,]\d)"
)
_ISBN_BEFORE = re.compile(r"isbn[\s:-]*$", re.IGNORECASE)
# Outward code (A9, A99, AA9, AA99, A9A, AA9A) and inward code (9AA); GIR 0AA is special.
_POSTCODE = re.compile(
    r"\b(?:[A-PR-UWYZ][A-HK-Y]?\d[A-HJKPSTUW\d]?|GIR)\s?\d[ABD-HJLNP-UW-Z]{2}\b",
    re.IGNORECASE,
)
_ORDINAL = re.compile(r"\d(?:st|nd|rd|th)$", re.IGNORECASE)


def nhs_number_is_valid(digits: str) -> bool:
    """Whether ten digits pass the NHS number's modulus 11 check."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _after_isbn(match: re.Match[str]) -> bool:
    return bool(_ISBN_BEFORE.search(match.string[max(0, match.start() - 12) : match.start()]))


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    if _after_isbn(match):
        return text
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        national = digits[2:].removeprefix("0")  # +44 (0)20 ...
    elif text.startswith("00"):
        national = digits[4:].removeprefix("0")
    else:
        national = digits[1:]
    return "[phone]" if len(national) in (9, 10) else text


def _nhs_bare(match: re.Match[str]) -> str:
    digits = match.group(0)
    if _after_isbn(match):
        return digits
    labelled = _NHS_LABEL.search(match.string[max(0, match.start() - 25) : match.start()])
    return "[NHS number]" if labelled or nhs_number_is_valid(digits) else digits


def _postcode(match: re.Match[str]) -> str:
    text = match.group(0)
    # "s47 2nd" is a section and an ordinal; a postcode typed in capitals is kept as one.
    if _ORDINAL.search(text) and not text.isupper():
        return text
    return "[postcode]"


_STEPS: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    (_EMAIL, "[email]"),
    (_DOB, r"\1[date of birth]"),
    (_NI, "[NI number]"),
    (_NI_LABELLED, r"\1[NI number]"),
    (_NHS_SPACED, "[NHS number]"),
    (_NHS_BARE, _nhs_bare),
    (_PHONE, _phone),
    (_POSTCODE, _postcode),
]


def redact(text: str) -> str:
    """Replace personal details in ``text`` with tags; everything else is kept as typed.

    Order matters: e-mail addresses and dates go first because they contain digits the
    number rules would otherwise take, and NHS numbers go before phone numbers because a
    phone number needs a leading 0 or +44 and an NHS number never has one.
    """
    for pattern, replacement in _STEPS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that redacts every record a handler writes: message and traceback.

    Set on the service's handlers (``careguide.api.server.log_config``), it covers what any
    library logs, not only careguide's own lines: an exception message quoting a question,
    a model's dropped sentence, a client's request line.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        # message and arguments redacted one by one: formatters such as uvicorn's access
        # log read the arguments themselves
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
