"""Masking personal data in free text that goes public (the suggestion board, Open311, the public
minutes): mobile and landline numbers, resident ID numbers and e-mail addresses, however written.

Residents write numbers as they like: "138 1234 5678", "138-1234-5678", "+86 13812345678",
"0086-138…", full-width "１３８…", "(0571) 8888 8888", "0571-88888888-123", "330106 19900101 123X",
a 15-digit ID of the first generation. The text is read through NFKC (full-width digits, letters,
"＠", "（）" and the ideographic space become their ASCII forms) with separators (spaces, NBSP,
dashes, dots, slashes, parentheses) allowed between digits; what is found is masked in the
ORIGINAL text, character by character, so everything outside the masked digits stays exactly as the
resident wrote it (full-width or not).

Enough is kept for a reader to see something was there: 138****5678, 0571-****8888,
330106********1234, 330106******123 (15 digits), z***@example.com.

Ordinary numbers stay: amounts (¥12,345.00), dates (2026-12-06, 2026.03.05-2027.12.31), rooms
(11幢1单元1101), hotlines (12345, 400-…): a number glued to another digit group by a dash, dot or
slash is part of something else and is not a phone number.

Personal Information Protection Law Art. 28: ID numbers and the like are sensitive personal
information; Art. 51: measures such as de-identification. Pure Python, no Django import: fast and
testable without a database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

# Between two digits: up to three separator characters (after NFKC: NBSP and U+3000 are spaces,
# full-width dashes and parentheses are ASCII). Hyphen-like dashes U+2010..U+2015 and the minus sign
# have no NFKC decomposition and are listed.
_SEP = r"[\s\-./()\u2010-\u2015\u2212]{0,3}"
# A number does not start right after a digit, or after a digit and a dash, dot or slash (it would be
# the tail of a date or an amount), and does not end before a digit or such a continuation.
_START = r"(?<![0-9])(?<![0-9][\-./])"
_END = r"(?![0-9])(?![\-./][0-9])"


def _digits(count: int) -> str:
    """`count` digits with separators allowed between them."""
    return _SEP.join(["[0-9]"] * count)


def _group(name: str, body: str) -> str:
    return f"(?P<{name}>{body})"


# Resident ID numbers (GB 11643-1999): 18 characters, the last a digit or X; the first generation
# had 15 digits. Region codes start with 1-9.
_ID18 = re.compile(_START + _group("n", "[1-9]" + _SEP + _digits(16) + _SEP + "[0-9Xx]") + r"(?![A-Za-z])" + _END)
_ID15 = re.compile(_START + _group("n", "[1-9]" + _SEP + _digits(14)) + r"(?![A-Za-z])" + _END)
# Mobile numbers: 1[3-9] and nine digits, with an optional +86 / 86 / 0086 country code, possibly
# in parentheses.
_MOBILE = re.compile(
    _START + r"(?:\(?(?:\+|00)?86\)?" + _SEP + r")?" + _group("n", "1" + _SEP + "[3-9]" + _SEP + _digits(9)) + _END
)
# Landlines: an area code (010 and 02x, else 0 and three digits, parentheses allowed), a subscriber number of
# seven or eight digits not starting with 0, and an optional extension (-123, 转123, ext 123, #123).
_LANDLINE = re.compile(
    _START
    + f"0{_SEP}(?:1{_SEP}0|2{_SEP}[0-9]|[3-9]{_SEP}[0-9]{_SEP}[0-9])"
    + _SEP
    + _group("n", "[1-9]" + _SEP + _digits(6) + f"(?:{_SEP}[0-9])?")
    + r"(?:\s*(?:-|转|分机|ext\.?|x|#)\s*[0-9]{1,6})?"
    + _END,
    re.IGNORECASE,
)
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])(?P<n>[A-Za-z0-9][A-Za-z0-9._%+\-]*)@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}(?![A-Za-z0-9\-])"
)


def _birth_date(yymmdd: str) -> bool:
    """A plausible month and day (an ID number carries the holder's date of birth)."""
    month, day = int(yymmdd[-4:-2]), int(yymmdd[-2:])
    return 1 <= month <= 12 and 1 <= day <= 31


def _id18(digits: str) -> bool:
    return digits[6:8] in ("18", "19", "20") and _birth_date(digits[6:14])


def _id15(digits: str) -> bool:
    # Without the date check "13812345678 1101室" (a mobile and a room) would read as a 15-digit ID.
    return _birth_date(digits[6:12])


@dataclass(frozen=True)
class _Rule:
    """Which characters of the number (group "n", separators left out) are hidden:
    [hide_from, len - keep_last); `valid` vets the number's characters."""

    kind: str
    pattern: re.Pattern[str]
    hide_from: int
    keep_last: int
    valid: Callable[[str], bool] | None = None


# Longest first: an 18-digit ID is not read as a mobile number plus digits.
_RULES = (
    _Rule("id", _ID18, 6, 4, _id18),
    _Rule("id", _ID15, 6, 3, _id15),
    _Rule("mobile", _MOBILE, 3, 4),
    _Rule("landline", _LANDLINE, 0, 4),
)


@dataclass(frozen=True)
class Found:
    """One piece of personal data: its kind and its span in the original text."""

    kind: str
    start: int
    end: int


def _normalised(text: str) -> tuple[str, list[int]]:
    """NFKC of `text`, character by character, with the original index of every character of the
    result (a character may normalise to several, e.g. "⑴" to "(1)")."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        norm = unicodedata.normalize("NFKC", ch) if not ch.isascii() else ch
        out.append(norm)
        origin.extend([i] * len(norm))
    return "".join(out), origin


def _scan(text: str) -> tuple[list[Found], dict[int, str]]:
    """What is found, and the replacement of each original character to mask."""
    norm, origin = _normalised(text)
    taken = [False] * len(norm)
    found: list[Found] = []
    replace: dict[int, str] = {}

    def free(start: int, end: int) -> bool:
        return not any(taken[start:end])

    def claim(kind: str, start: int, end: int) -> None:
        for k in range(start, end):
            taken[k] = True
        found.append(Found(kind, origin[start], origin[end - 1] + 1))

    for m in _EMAIL.finditer(norm):
        if not free(m.start(), m.end()):
            continue
        claim("email", m.start(), m.end())
        local_start, local_end = m.span("n")
        hidden = sorted({origin[k] for k in range(local_start + 1, local_end)} - {origin[local_start]})
        if hidden:
            replace[hidden[0]] = "***"
            for k in hidden[1:]:
                replace[k] = ""
        else:  # a one-letter local part: keep the letter, show that something was hidden
            replace[origin[local_start]] = text[origin[local_start]] + "***"
    for rule in _RULES:
        for m in rule.pattern.finditer(norm):
            positions = [k for k in range(*m.span("n")) if norm[k].isalnum()]
            if not free(m.start(), m.end()) or (
                rule.valid is not None and not rule.valid("".join(norm[k] for k in positions))
            ):
                continue
            claim(rule.kind, m.start(), m.end())
            for k in positions[rule.hide_from : len(positions) - rule.keep_last]:
                replace[origin[k]] = "*"
    return found, replace


def mask_personal_data(text: str) -> str:
    """`text` with phone numbers, resident ID numbers and e-mail addresses masked; every other
    character as it was."""
    if not text:
        return text
    _found, replace = _scan(text)
    if not replace:
        return text
    return "".join(replace.get(i, ch) for i, ch in enumerate(text))


def find_personal_data(text: str) -> list[Found]:
    """The pieces of personal data in `text`, in the order they are masked (for tests and checks)."""
    return _scan(text)[0] if text else []
