"""Template filters for text that goes public: `{{ text|masked }}` hides phone numbers, resident ID
numbers and e-mail addresses (gongzhi.core.masking). The result is plain text, escaped as usual."""

from __future__ import annotations

from typing import Any

from django import template

from gongzhi.core.masking import mask_personal_data

register = template.Library()


@register.filter
def masked(value: Any) -> str:
    return mask_personal_data("" if value is None else str(value))
