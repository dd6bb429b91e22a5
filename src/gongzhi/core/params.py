"""Numbers from query strings and form posts, checked before they reach a query.

`str.isdigit()` is not enough: it accepts "²" and "١٢" (which `int()` refuses or reads as another
number) and any length (SQLite and PostgreSQL integers end at 2**63 - 1, beyond which the driver
fails with a server error). These helpers accept ASCII digits only, within the database's range,
and answer None for anything else, so a page can ignore the bad filter (or refuse it with its own
message) instead of failing.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

MAX_BIGINT = 2**63 - 1  # SQLite INTEGER, PostgreSQL bigint, Django's BigAutoField
MAX_INT = 2**31 - 1  # PostgreSQL integer: IntegerField, AutoField, PositiveIntegerField

_DIGITS = re.compile(r"[+-]?[0-9]{1,19}")


def parse_int(value: object, *, minimum: int | None = None, maximum: int = MAX_BIGINT) -> int | None:
    """The integer that `value` spells in ASCII digits (an optional sign, surrounding spaces
    allowed) within [minimum, maximum], else None (empty, not a number, out of range)."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    if (minimum is not None and number < minimum) or number > maximum:
        return None
    return number


def parse_id(value: object) -> int | None:
    """A primary key: a positive integer within the database's range, else None."""
    return parse_int(value, minimum=1)


def parse_ids(values: list[str], *, sep: str = ",") -> list[int]:
    """The valid ids among `values` (each possibly "1,2,3"), in order, each once; the rest ignored."""
    out: list[int] = []
    for raw in values:
        for part in raw.split(sep):
            number = parse_id(part)
            if number is not None and number not in out:
                out.append(number)
    return out


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """A ModelMultipleChoiceField whose integer keys are checked before the query.

    Django's own check filters `pk__in` with whatever was posted; SQLite's driver fails on an
    integer beyond 2**63 - 1 with a server error. Here any value that is not an id is refused
    with the field's usual "not a valid value" message, before the database sees it."""

    def _check_values(self, value: Any) -> Any:
        key = self.to_field_name or "pk"
        model = self.queryset.model if self.queryset is not None else None
        field = None if model is None else (model._meta.pk if key == "pk" else model._meta.get_field(key))
        if isinstance(field, models.IntegerField) and isinstance(value, list | tuple):
            for v in value:
                if parse_id(v) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": v}
                    )
        return super()._check_values(value)  # type: ignore[misc]  # in Django, not in its stubs
