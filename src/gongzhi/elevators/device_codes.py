"""Checks on elevators' device codes (设备代码). Pure Python.

TSG 08-2017 (特种设备使用管理规则), Annex: the device code has 18 characters: the equipment
type code (4 digits, e.g. 3110 for a traction passenger elevator), the maker's code (5
characters), the year of manufacture (4 digits) and a serial number (5 digits). Older
registrations carry 20-digit codes. Anything else is accepted with a warning, never refused:
registries in the field contain legacy forms that staff must still be able to record.
"""

from __future__ import annotations

import re

_TSG08 = re.compile(r"^(?P<type>\d{4})(?P<maker>[0-9A-Z]{5})(?P<year>\d{4})(?P<serial>\d{5})$")
_LEGACY = re.compile(r"^\d{20}$")


def normalise(code: str) -> str:
    return re.sub(r"\s+", "", code).upper()


def device_code_warning(code: str) -> str | None:
    """None for a well-formed code, else a short reason key (see elevators.models)."""
    code = normalise(code)
    match = _TSG08.match(code)
    if match:
        year = int(match["year"])
        if not 1950 <= year <= 2100:
            return "bad_year"
        return None
    if _LEGACY.match(code):
        return None
    return "unknown_form"
