"""Form widgets every app's forms share (a date, a date and time, several files at once).

Dates and times travel as the HTML5 inputs send them (ISO 8601); a datetime is read in the
current time zone (Asia/Shanghai by default).
"""

from __future__ import annotations

from typing import Any

from django import forms

# What an <input type="datetime-local"> sends (with or without seconds), and the same with a space,
# as people type it when the browser shows a plain text box.
DATETIME_LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class DateInput(forms.DateInput):
    """<input type="date">, its value written as ISO 8601 so the browser's date picker reads it."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    """<input type="datetime-local">; the value is read in the current time zone (Asia/Shanghai).
    Pair it with `input_formats=DATETIME_LOCAL_FORMATS` on the field."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that accepts several files at once (vouchers, signed agreements)."""

    allow_multiple_selected = True
