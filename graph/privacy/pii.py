"""Personal data scrubbed from text before anything reads it: emails, phone numbers, card-like
numbers and URLs with credentials become placeholders (``[email]``, ``[phone]``, ``[card]``,
``[url]``). Phone numbers are found by Google's libphonenumber (the ``phonenumbers`` port):
international numbers anywhere, national ones in the format of ``PHONE_REGION``.
"""

from __future__ import annotations

import re

import phonenumbers

PHONE_REGION = "US"
PLACEHOLDERS = ("[email]", "[phone]", "[card]", "[url]")
URL_WITH_CREDENTIALS = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s/@]+@[^\s]+", re.IGNORECASE)
EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")  # RFC 5322 dot-atoms
CARD_LIKE = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")


def scrub(text: str) -> str:
    """``text`` without the personal data it held (idempotent)."""
    text = URL_WITH_CREDENTIALS.sub("[url]", text)
    text = EMAIL.sub("[email]", text)
    text = CARD_LIKE.sub(_card, text)
    return _phones(text)


def _card(match: re.Match[str]) -> str:
    digits = [int(c) for c in match.group() if c.isdigit()]
    return "[card]" if _luhn_valid(digits) else match.group()


def _luhn_valid(digits: list[int]) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return total % 10 == 0


def _phones(text: str) -> str:
    found = [
        (match.start, match.end)
        for match in phonenumbers.PhoneNumberMatcher(
            text, PHONE_REGION, leniency=phonenumbers.Leniency.VALID
        )
    ]
    for start, end in reversed(found):
        text = text[:start] + "[phone]" + text[end:]
    return text
