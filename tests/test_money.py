"""core.money: the one module that reads, rounds and shows amounts of yuan."""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.core.money import (
    FEN,
    LIMIT,
    MoneyError,
    fen_of,
    format_yuan,
    is_fen_exact,
    parse_yuan,
    round_yuan,
    yuan_from_fen,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.005", "0.01"),  # half up, not half even (Python's default would give 0.00)
        ("0.015", "0.02"),
        ("0.025", "0.03"),  # half even would give 0.02
        ("0.004999", "0.00"),
        ("-0.005", "-0.01"),  # half away from zero
        ("-0.004", "0.00"),
        ("1234.565", "1234.57"),
        ("999999999999.994", "999999999999.99"),
        ("7", "7.00"),
    ],
)
def test_round_yuan_is_half_up_to_the_fen(value: str, expected: str) -> None:
    assert str(round_yuan(Decimal(value))) == expected


def test_round_yuan_ignores_the_callers_decimal_context() -> None:
    with localcontext() as ctx:
        ctx.prec = 3
        assert round_yuan(Decimal("123456.785")) == Decimal("123456.79")


def test_round_yuan_accepts_int_and_refuses_float_bool_and_infinite() -> None:
    assert round_yuan(12) == Decimal("12.00")
    with pytest.raises(TypeError):
        round_yuan(0.1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        round_yuan(True)
    with pytest.raises(MoneyError) as refused:
        round_yuan(Decimal("Infinity"))
    assert refused.value.code == "format"
    with pytest.raises(MoneyError) as refused:
        round_yuan(LIMIT)
    assert refused.value.code == "too_large"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.5", "1234.50"),
        ("1,234.50", "1234.50"),
        ("1,234,567.89", "1234567.89"),
        ("  88 ", "88.00"),
        ("¥1,234.50", "1234.50"),
        ("￥12", "12.00"),
        ("RMB 12.3", "12.30"),
        ("1234.50元", "1234.50"),
        ("1234.50 元", "1234.50"),
        ("１２３４．５０", "1234.50"),  # full-width digits and point
        ("１，２３４．５", "1234.50"),  # full-width comma
        ("0.005", "0.01"),
        ("0.0049", "0.00"),
        ("0", "0.00"),
        ("-0", "0.00"),
        ("007.1", "7.10"),
        ("999999999999.99", "999999999999.99"),
    ],
)
def test_parse_yuan_reads_what_people_write(text: str, expected: str) -> None:
    amount = parse_yuan(text)
    assert str(amount) == expected
    assert amount.as_tuple().exponent == -2


@pytest.mark.parametrize("text", ["-12.5", "−12.5", "－12.5", "¥-12.5", "-¥12.5"])
def test_parse_yuan_negative_only_when_allowed(text: str) -> None:
    with pytest.raises(MoneyError) as refused:
        parse_yuan(text)
    assert refused.value.code == "negative"
    assert "不能为负数" in str(refused.value)
    assert parse_yuan(text, allow_negative=True) == Decimal("-12.50")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("abc", "format"),
        ("12.3.4", "format"),
        ("1,23.00", "format"),  # a separator not between thousands
        ("1,2345", "format"),
        ("12,", "format"),
        (".5", "format"),
        ("5.", "format"),
        ("1e3", "format"),
        ("NaN", "format"),
        ("Infinity", "format"),
        ("12 34", "format"),
        ("--1", "format"),
        ("1_000", "format"),
        ("0x10", "format"),
        ("1000000000000", "too_large"),
        ("999999999999.995", "too_large"),  # rounds up to 10^12
        ("9" * 80, "too_large"),
    ],
)
def test_parse_yuan_refuses_with_a_chinese_message(text: str, code: str) -> None:
    with pytest.raises(ValueError, match="金额") as refused:
        parse_yuan(text)
    assert isinstance(refused.value, MoneyError)
    assert refused.value.code == code


def test_parse_yuan_exact_refuses_a_third_decimal() -> None:
    assert parse_yuan("12.30", exact=True) == Decimal("12.30")
    assert parse_yuan("12.300", exact=True) == Decimal("12.30")  # a zero is no fraction of a fen
    with pytest.raises(MoneyError) as refused:
        parse_yuan("12.305", exact=True)
    assert refused.value.code == "not_fen"
    assert "精确到分" in str(refused.value)


def test_parse_yuan_refuses_what_is_not_text() -> None:
    with pytest.raises(MoneyError):
        parse_yuan(12)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("0"), "0.00"),
        (Decimal("-0.00"), "0.00"),
        (Decimal("-0.004"), "0.00"),
        (Decimal("0.005"), "0.01"),
        (Decimal("999.995"), "1,000.00"),
        (Decimal("1234.5"), "1,234.50"),
        (Decimal("-1234.5"), "-1,234.50"),
        (Decimal("265000"), "265,000.00"),
        (1234567, "1,234,567.00"),
    ],
)
def test_format_yuan(value: Decimal | int, expected: str) -> None:
    assert format_yuan(value) == expected


def test_format_yuan_with_the_unit() -> None:
    assert format_yuan(Decimal("150000"), unit=True) == "150,000.00 元"


def test_fen_conversions() -> None:
    assert yuan_from_fen(12345) == Decimal("123.45")
    assert str(yuan_from_fen(0)) == "0.00"
    assert str(yuan_from_fen(-5)) == "-0.05"
    assert fen_of(Decimal("123.45")) == 12345
    assert fen_of(7) == 700
    with pytest.raises(MoneyError):
        fen_of(Decimal("0.001"))
    with pytest.raises(TypeError):
        yuan_from_fen(Decimal(1))  # type: ignore[arg-type]


def test_is_fen_exact() -> None:
    assert is_fen_exact(Decimal("0.10"))
    assert is_fen_exact(Decimal("-3"))
    assert is_fen_exact(5)
    assert not is_fen_exact(Decimal("0.001"))
    assert not is_fen_exact(Decimal("NaN"))
    assert not is_fen_exact(LIMIT)
    assert not is_fen_exact(0.1)  # type: ignore[arg-type]
    assert not is_fen_exact(True)


@given(st.integers(min_value=-(10**14) + 1, max_value=10**14 - 1))
def test_format_then_parse_is_the_identity(fen: int) -> None:
    amount = yuan_from_fen(fen)
    assert parse_yuan(format_yuan(amount), allow_negative=True) == amount
    assert parse_yuan(format_yuan(amount, unit=True), allow_negative=True, exact=True) == amount
    assert fen_of(amount) == fen


@given(st.decimals(min_value=-(10**11), max_value=10**11, allow_nan=False, allow_infinity=False, places=4))
def test_round_yuan_is_within_half_a_fen(value: Decimal) -> None:
    rounded = round_yuan(value)
    assert abs(rounded - value) <= FEN / 2
    assert is_fen_exact(rounded)
