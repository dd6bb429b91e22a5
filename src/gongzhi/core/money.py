"""Amounts of yuan (人民币元): one place that parses, rounds and formats them. Pure: no Django.

The rule followed everywhere:
* An amount is a `Decimal` with exactly two places, the fen (分): the smallest unit of the
  renminbi (《中华人民共和国人民币管理条例》 Art. 3: 1 元 = 10 角 = 100 分). Never a float.
* A computed amount that falls between two fen is rounded half up (四舍五入 at the fen, as the
  banks state amounts: 《人民币利率管理规定》, 分位以下四舍五入). This is not the "round half to
  even" of Python's default decimal context, nor GB/T 8170's rule for measured values; a rule of
  law that says otherwise (a subsidy share rounded down, an apportionment spread by largest
  remainder) keeps its own rounding in its own pure module and says why.
* Text is read as people write it: "1234.5", "1,234.50", "¥1,234.50", "1234.50元", full-width
  digits and punctuation ("１２３４．５０"), a leading minus sign. Anything else is refused with a
  Chinese message (MoneyError, a ValueError), never guessed.
* Shown with thousands separators and two decimals: 1234.5 → "1,234.50" (the unit "元" on request).

The messages are Chinese text: this module may not use Django's gettext. A caller that shows them
in another language maps `MoneyError.code` to its own translated message.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Final

FEN: Final = Decimal("0.01")
# A sum of this size is a typo: a whole city's programme is far below 10^12 yuan. The bound keeps
# text such as "1E+999999" (refused anyway) or forty digits from reaching the arithmetic.
MAX_DIGITS: Final = 12
LIMIT: Final = Decimal(10) ** MAX_DIGITS
# Exact for every amount below LIMIT with any number of decimals we accept; traps instead of
# rounding silently, whatever the caller's thread context says.
_EXACT: Final = Context(prec=60, traps=[InvalidOperation])
# Digits grouped by thousands ("1,234,567") or not grouped at all ("1234567"), then decimals.
_NUMBER: Final = re.compile(r"(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?")
_MINUS: Final = ("-", "\u2212")  # hyphen-minus and the minus sign (NFKC maps the full-width one)
_CURRENCY: Final = ("¥", "RMB", "CNY")  # ￥ (full width) becomes ¥ under NFKC
_UNIT: Final = "元"
_MAX_TEXT: Final = 64


class MoneyError(ValueError):
    """Not an amount of yuan. `str()` is the Chinese message; `code` names the problem for callers
    that translate: "empty", "format", "negative", "too_large", "not_fen"."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def round_yuan(value: Decimal | int) -> Decimal:
    """An amount to the fen, half up: Decimal("0.005") → Decimal("0.01"), Decimal("-0.005") →
    Decimal("-0.01") (half away from zero, as 四舍五入 is read for negative amounts)."""
    rounded = _decimal(value).quantize(FEN, rounding=ROUND_HALF_UP, context=_EXACT)
    return abs(rounded) if rounded.is_zero() else rounded  # never "-0.00"


def is_fen_exact(value: Decimal | int) -> bool:
    """Is the amount finite and a whole number of fen (no third decimal)?"""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        return False
    amount = Decimal(value)
    if not amount.is_finite() or abs(amount) >= LIMIT:
        return False
    return amount.quantize(FEN, context=_EXACT) == amount


def yuan_from_fen(fen: int) -> Decimal:
    """A whole number of fen as yuan with exactly two places: 12345 → Decimal("123.45") (exact)."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"fen must be an int, not {type(fen).__name__}")
    return Decimal(fen).scaleb(-2, context=_EXACT).quantize(FEN, context=_EXACT)


def fen_of(value: Decimal | int) -> int:
    """The amount as a whole number of fen; refuses an amount with a third decimal."""
    amount = _decimal(value)
    if not is_fen_exact(amount):
        raise MoneyError("not_fen", f"金额必须精确到分：{value}")
    return int(amount.scaleb(2, context=_EXACT))


def parse_yuan(text: str, *, exact: bool = False, allow_negative: bool = False) -> Decimal:
    """Read an amount of yuan written by a person (see the module's rules) as a Decimal with two places.

    A third decimal is rounded half up, or refused with `exact=True` (an amount that must be stated
    to the fen, such as a price on an offer). Negative amounts are refused unless `allow_negative`.
    Raises MoneyError (a ValueError) with a Chinese message naming what is wrong."""
    if not isinstance(text, str):
        raise MoneyError("format", f"金额必须是文字，不能是 {type(text).__name__}")
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if not cleaned:
        raise MoneyError("empty", "请填写金额")
    if len(cleaned) > _MAX_TEXT:
        raise MoneyError("too_large", "金额过长")
    negative = cleaned.startswith(_MINUS)
    if negative:
        cleaned = cleaned[1:].lstrip()
    for prefix in _CURRENCY:
        if cleaned.upper().startswith(prefix):
            cleaned = cleaned[len(prefix) :].lstrip()
            break
    if cleaned.endswith(_UNIT):
        cleaned = cleaned[: -len(_UNIT)].rstrip()
    if not negative and cleaned.startswith(_MINUS):  # "¥-12.00"
        negative = True
        cleaned = cleaned[1:].lstrip()
    match = _NUMBER.fullmatch(cleaned)
    if match is None:
        raise MoneyError("format", f"金额格式不正确：{text.strip()}（例如 1234.50 或 1,234.50）")
    whole = match["int"].replace(",", "")
    if len(whole.lstrip("0")) > MAX_DIGITS:
        raise MoneyError("too_large", f"金额过大：{text.strip()}")
    amount = Decimal(f"{whole}.{match['frac'] or '0'}")
    if negative and amount:
        if not allow_negative:
            raise MoneyError("negative", f"金额不能为负数：{text.strip()}")
        amount = -amount
    if exact and not is_fen_exact(amount):
        raise MoneyError("not_fen", f"金额必须精确到分：{text.strip()}")
    rounded = round_yuan(amount)
    if abs(rounded) >= LIMIT:
        raise MoneyError("too_large", f"金额过大：{text.strip()}")
    return rounded


def format_yuan(value: Decimal | int, *, unit: bool = False) -> str:
    """An amount as people read it: Decimal("1234.5") → "1,234.50"; "-1,234.50" below zero;
    "1,234.50 元" with `unit`. A third decimal is rounded half up first."""
    text = f"{round_yuan(value):,.2f}"  # exact: the amount already has two places
    return f"{text} {_UNIT}" if unit else text


def _decimal(value: Decimal | int) -> Decimal:
    """A finite Decimal from a Decimal or an int (not a float, which cannot hold 0.10, nor a bool)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"an amount must be a Decimal or an int, not {type(value).__name__}")
    amount = Decimal(value)
    if not amount.is_finite():
        raise MoneyError("format", f"金额必须是有限的数：{value}")
    if abs(amount) >= LIMIT:
        raise MoneyError("too_large", f"金额过大：{value}")
    return amount
