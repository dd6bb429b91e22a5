"""Parsers of the registry workbook's cells (pure Python, no Django).

Each parser takes a cell's value as the reader gives it (text, number, date, boolean) and returns
the value to store, or raises BadValueError saying why it cannot be used. So that this module needs
no Django, a message is kept as its msgid (marked with `gettext_noop`, which `makemessages`
extracts) and its parameters; the reader translates it (`BadValueError.text(gettext)`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from gongzhi.elevators.device_codes import normalise


def gettext_noop(message: str) -> str:
    """Mark a msgid for `makemessages` without translating it here (the reader translates)."""
    return message


class BadValueError(Exception):
    """A cell's value cannot be used: `msgid` and `params` say why (see `text`)."""

    def __init__(self, msgid: str, params: Mapping[str, object]) -> None:
        super().__init__(msgid % params)
        self.msgid = msgid
        self.params = dict(params)

    def text(self, gettext: Callable[[str], str]) -> str:
        """The message in the language of `gettext`."""
        return gettext(self.msgid) % self.params


def short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def text_of(value: Any) -> str:
    if value.__class__ is str:
        return str(value).strip()
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def is_blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


def header_key(value: Any) -> str:
    """Headers match on their name before any bracketed unit, ignoring spaces and width:
    "建筑面积(平方米)", "建筑面积（㎡）" and "建筑面积" are the same column."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text_of(value)))
    return text.split("(", 1)[0].lower()


def text(max_len: int) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = value.strip() if value.__class__ is str else text_of(value)
        if len(text) > max_len:
            raise BadValueError(gettext_noop("超过 %(n)d 个字符。"), {"n": max_len})
        return text

    return parse


def integer(lo: int, hi: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        number: int | None = None
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, str):
            text = unicodedata.normalize("NFKC", value).strip()
            if re.fullmatch(r"-?\d+", text):
                number = int(text)
        if number is None or not lo <= number <= hi:
            raise BadValueError(
                gettext_noop("须为 %(lo)d 到 %(hi)d 之间的整数：“%(value)s”。"),
                {"lo": lo, "hi": hi, "value": short(value)},
            )
        return number

    return parse


def decimal(*, places: int, max_digits: int, positive: bool) -> Callable[[Any], Decimal]:
    """A number with at most `places` decimals: > 0 when `positive`, else ≥ 0."""
    limit = Decimal(10) ** (max_digits - places)
    quantum = Decimal(1).scaleb(-places)

    def parse(value: Any) -> Decimal:
        number: Decimal | None = None
        try:
            if isinstance(value, bool):
                number = None
            elif isinstance(value, int):
                number = Decimal(value)
            elif isinstance(value, float):
                number = Decimal(repr(value))
            elif isinstance(value, str):
                text = value if value.isascii() else unicodedata.normalize("NFKC", value)
                number = Decimal(text.strip().replace(",", ""))
        except InvalidOperation:
            number = None
        ok = (
            number is not None
            and number.is_finite()
            and (number > 0 if positive else number >= 0)
            and number < limit
            and number == number.quantize(quantum)
        )
        if not ok or number is None:
            if positive:
                message = gettext_noop("须为大于 0 的数字，最多 %(places)d 位小数：“%(value)s”。")
            else:
                message = gettext_noop("须为不小于 0 的数字，最多 %(places)d 位小数：“%(value)s”。")
            raise BadValueError(message, {"places": places, "value": short(value)})
        return number.quantize(quantum)

    return parse


_EXCEL_EPOCH = dt.date(1899, 12, 30)
_MAX_SERIAL = 2958465  # 9999-12-31
_DATE_RE = re.compile(r"(\d{4})\s*(?:[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?)")
_TIME_RE = re.compile(r"(\d{1,2})\s*[:时]\s*(\d{1,2})\s*分?(?:\s*[:]\s*(\d{1,2})\s*秒?)?")
_MIN_YEAR, _MAX_YEAR = 1900, 2100


def _date_from_text(text: str) -> tuple[dt.date, str] | None:
    """The date at the start of `text` and the rest of the text, or None."""
    match = _DATE_RE.match(text)
    if not match:
        return None
    year = int(match[1])
    month = int(match[2] or match[4])
    day = int(match[3] or match[5])
    try:
        return dt.date(year, month, day), text[match.end() :].strip()
    except ValueError:
        return None


def _serial(value: float) -> dt.datetime | None:
    if not 1 <= value <= _MAX_SERIAL:
        return None
    whole = int(value)
    seconds = round((value - whole) * 86400)
    return dt.datetime.combine(_EXCEL_EPOCH + dt.timedelta(days=whole), dt.time()) + dt.timedelta(seconds=seconds)


def _when(value: Any, *, with_time: bool) -> dt.datetime | None:
    """A naive datetime from any accepted form (date only: midnight), or None."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _serial(float(value))
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value).strip()
    if re.fullmatch(r"\d{1,7}(\.\d+)?", text):
        return _serial(float(text))
    found = _date_from_text(text)
    if found is None:
        return None
    day, rest = found
    if not rest:
        return dt.datetime.combine(day, dt.time())
    if not with_time:
        return None
    match = _TIME_RE.fullmatch(rest.lstrip("T").strip())
    if not match:
        return None
    try:
        clock = dt.time(int(match[1]), int(match[2]), int(match[3] or 0))
    except ValueError:
        return None
    return dt.datetime.combine(day, clock)


def parse_date(value: Any) -> dt.date:
    """2005-03-01, 2005/3/1, 2005.3.1, 2005年3月1日, an Excel serial number or a date cell."""
    when = _when(value, with_time=False)
    if when is None or not _MIN_YEAR <= when.year <= _MAX_YEAR:
        raise BadValueError(
            gettext_noop("日期无法识别：“%(value)s”。可用格式：2005-03-01、2005/3/1、2005年3月1日或 Excel 日期。"),
            {"value": short(value)},
        )
    return when.date()


def parse_datetime_in(value: Any, zone: dt.tzinfo) -> dt.datetime:
    """A date in any form of parse_date, optionally followed by a time (8:30 or 08:30:00);
    naive values are local time in `zone`."""
    when = _when(value, with_time=True)
    if when is None or not _MIN_YEAR <= when.year <= _MAX_YEAR:
        raise BadValueError(
            gettext_noop(
                "时间无法识别：“%(value)s”。"
                "可用格式：2024-06-01 08:30、2024/6/1 8:30、2024年6月1日 8:30或 Excel 日期时间。"
            ),
            {"value": short(value)},
        )
    if when.utcoffset() is None:  # naive (django.utils.timezone.is_naive)
        when = when.replace(tzinfo=zone)
    return when


def choice(labels: dict[str, str]) -> Callable[[Any], str]:
    """Accepts a Chinese label or the code value (any case); returns the code value."""
    lookup = {unicodedata.normalize("NFKC", k).strip().lower(): v for k, v in labels.items()}
    lookup.update({v.lower(): v for v in labels.values()})
    shown = "、".join(labels)

    exact = {**{v: v for v in labels.values()}, **labels}

    def parse(value: Any) -> str:
        if value in exact:  # the common case: exactly as in the template
            return exact[value]
        key = unicodedata.normalize("NFKC", text_of(value)).strip().lower()
        if key not in lookup:
            raise BadValueError(
                gettext_noop("“%(value)s”不是可用的值，可用：%(choices)s。"), {"value": short(value), "choices": shown}
            )
        return lookup[key]

    return parse


_YES = {"是", "y", "yes", "true", "1", "√", "✓"}
_NO = {"否", "n", "no", "false", "0", ""}


def yes_no(value: Any) -> bool:
    if value == "否":
        return False
    if value == "是":
        return True
    key = unicodedata.normalize("NFKC", text_of(value)).strip().lower()
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise BadValueError(gettext_noop("须填“是”或“否”：“%(value)s”。"), {"value": short(value)})


def device_code(value: Any) -> str:
    code = normalise(text_of(value))
    if len(code) > 32:
        raise BadValueError(gettext_noop("超过 %(n)d 个字符。"), {"n": 32})
    return code


def identity(value: Any) -> str:
    """An identity number (ID card, passport, unified social credit code), normalised."""
    if value.__class__ is str and value.isascii() and value.isalnum():
        text = str(value).upper()
    else:
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text_of(value))).upper()
    if len(text) > 64:
        raise BadValueError(gettext_noop("超过 %(n)d 个字符。"), {"n": 64})
    return text
