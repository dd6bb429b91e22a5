"""Apportionment: splitting an amount (the owners' part of a renewal's cost) over apartments. Pure Python.

No Django import, so the rule is fast to test and easy to read (DESIGN.md, "Layout"); the funding
plan, each owner's "my share" on the voting page and `gongzhi apportion` all call it. Messages of
ApportionInputError are English, one line: the CLI prints them, and the web layer maps them to its
own Chinese DomainError.

Legal source
------------
* PRC Civil Code Art. 283: the costs of a building and its ancillary facilities are shared as the
  owners agreed; where they made no agreement, or it is unclear, by the proportion of each owner's
  exclusive area (按照业主专有部分面积所占比例确定). Hence `area` is the default method. The
  others (`equal`, `floor`, `floor-area`) are agreements the owners may adopt by their own motion;
  floor coefficients are common practice for added elevators (the higher the floor, the more the
  elevator is worth to the apartment). They are not a rule of law, see DEFAULT_FLOOR_COEFFICIENTS.

Weights
-------
Each apartment's weight is its area (`area`), 1 (`equal`), the coefficient of its floor (`floor`),
or coefficient × area (`floor-area`); exempt apartments (e.g. the ground floor, by the owners'
decision) weigh 0. The exact share is amount × weight / total weight.

Rounding (the largest-remainder method, to the fen)
---------------------------------------------------
Every share is first rounded down to the fen; the fen left over (fewer than the number of
apartments) go one each to the apartments with the largest remainders, ties going to the apartment
that comes first in the input. Why this method:

* the shares always sum exactly to the amount, so nobody has to absorb (or pocket) a rounding gap
  and the funding plan balances to the fen;
* every apartment pays within one fen of its exact share (|share − exact| < 0.01 yuan), the least
  any rounding to the fen can promise; an exempt apartment (exact share 0) pays exactly 0.00;
* ties are broken by input order, a rule anyone can check on the printed notice, and the order of
  input changes nothing else.

Arithmetic is exact: the amount is a whole number of fen, areas whole hundredths of a m², and
coefficients whole multiples of 10^-12, all held as integers, so amount × weight / total weight is
an exact Fraction (computed as an integer quotient and remainder). No float is ever used.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation, Overflow
from fractions import Fraction
from types import MappingProxyType
from typing import Final

from gongzhi.core.money import yuan_from_fen

METHODS: Final = ("area", "equal", "floor", "floor-area")
DEFAULT_METHOD: Final = "area"  # Civil Code Art. 283, absent an agreement among owners
_FLOOR_METHODS: Final = frozenset({"floor", "floor-area"})

_AMOUNT_DIGITS: Final = 12  # an amount below 10^12 yuan: anything larger is a typo
_AREA_DIGITS: Final = 9  # an apartment's area below 10^9 m²
_COEFFICIENT_DIGITS: Final = 6  # a coefficient below 10^6
_COEFFICIENT_PLACES: Final = 12  # a coefficient has at most 12 decimals
_FEN_GRID: Final = "a whole number of fen (at most two decimals)"
_AREA_GRID: Final = "a whole number of 0.01 m² (at most two decimals, as in the register)"
_COEFFICIENT_GRID: Final = "given with at most 12 decimals"
_FLOOR_LIMIT: Final = 1000  # floors from -999 to 999
_MAX_FLOORS: Final = 200  # default_floor_coefficients covers buildings up to 200 floors
# Enough digits for any accepted figure; a value that would not fit traps (InvalidOperation)
# instead of being rounded. Only quantize may round, and that is checked by an exact comparison.
_EXACT: Final = Context(prec=60, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, Overflow])


class ApportionInputError(ValueError):
    """Bad input to the apportionment. The message (English, one line) names what is wrong."""


@dataclass(frozen=True)
class ApartmentIn:
    """One apartment that bears a share: its id, its floor and its registered exclusive area (m²).

    The area is the one of the real-estate register (two decimals), as for the vote's tally.
    """

    id: str
    floor: int
    area: Decimal


@dataclass(frozen=True)
class Share:
    """One apartment's share of the amount, in yuan with exactly two decimals."""

    apartment: str
    amount: Decimal


# --------------------------------------------------------------------------------------------
# Default floor coefficients


def default_floor_coefficients(floors: int) -> dict[int, Decimal]:
    """A starting table of floor coefficients for a building of `floors` floors (1 to 200).

    Floor 1 is 0 (the ground floor hardly uses an elevator); floor 2 is 0.3, and every floor above
    adds 0.1, so floor n ≥ 2 weighs (n + 1) / 10: a base for being served at all plus a step for
    each flight of stairs saved. This is NOT a legal rule. Civil Code Art. 283 splits costs by
    area unless the owners agree otherwise; this table is only a proposal owners may edit and
    adopt by their motion, in the way floor coefficients are commonly used for added elevators.
    The dict returned is a fresh copy, free to edit.
    """
    if isinstance(floors, bool) or not isinstance(floors, int):
        raise ApportionInputError(f"floors must be an integer, not {type(floors).__name__}")
    if not 1 <= floors <= _MAX_FLOORS:
        raise ApportionInputError(f"floors must be between 1 and {_MAX_FLOORS}, not {floors}")
    table = {1: Decimal(0)}
    for floor in range(2, floors + 1):
        table[floor] = Decimal(floor + 1).scaleb(-1)
    return table


# The default table for a six-storey walk-up, the usual building for an added elevator (read-only;
# call default_floor_coefficients for another height, or for a copy to edit).
DEFAULT_FLOOR_COEFFICIENTS: Final[Mapping[int, Decimal]] = MappingProxyType(default_floor_coefficients(6))


# --------------------------------------------------------------------------------------------
# Exact numbers


def _scaled(value: object, places: int, digits: int, what: str, grid: str) -> int:
    """A non-negative Decimal or int as an exact whole number of 10^-places (e.g. fen for places=2).

    A float is refused because it cannot say 89.50 exactly; a negative value, a finer value than
    the grid, or one of `digits` or more integer digits is refused too. The Decimal operations run
    in a private context, and the size is checked before any exact conversion, so 1E+999999999
    cannot exhaust memory.
    """
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ApportionInputError(f"{what} must be a Decimal or an integer, not {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite():
        raise ApportionInputError(f"{what} must be a finite number, not {value}")
    if number < 0:
        raise ApportionInputError(f"{what} must not be negative, not {value}")
    if number and number.adjusted() >= digits:
        raise ApportionInputError(f"{what} is too large: {value}")
    on_grid = number.quantize(Decimal(1).scaleb(-places), context=_EXACT)
    if on_grid != number:  # an exact comparison: quantize rounded away a finer digit
        raise ApportionInputError(f"{what} must be {grid}, not {value}")
    return int(on_grid.scaleb(places, context=_EXACT))


def _floor_number(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApportionInputError(f"{what} must be an integer, not {type(value).__name__}")
    if not -_FLOOR_LIMIT < value < _FLOOR_LIMIT:
        raise ApportionInputError(f"{what} must be between {1 - _FLOOR_LIMIT} and {_FLOOR_LIMIT - 1}, not {value}")
    return value


def _coefficient_table(coefficients: Mapping[int, Decimal] | None) -> dict[int, int]:
    """The table as floor → coefficient in units of 10^-12, each entry checked."""
    if coefficients is None:
        return {}
    if not isinstance(coefficients, Mapping):
        raise ApportionInputError("coefficients must map floors to coefficients")
    table: dict[int, int] = {}
    for floor, coefficient in coefficients.items():
        number = _floor_number(floor, "a floor of coefficients")
        table[number] = _scaled(
            coefficient, _COEFFICIENT_PLACES, _COEFFICIENT_DIGITS, f"coefficients[{number}]", _COEFFICIENT_GRID
        )
    return table


# --------------------------------------------------------------------------------------------
# The apportionment


def _weights(
    method: str,
    apartments: Sequence[ApartmentIn],
    coefficients: Mapping[int, Decimal] | None,
    exempt: Collection[str],
) -> list[int]:
    """Each apartment's weight as an exact integer (same unit for all), after checking the input."""
    if not isinstance(method, str) or method not in METHODS:
        raise ApportionInputError(f"unknown method {method!r} (known: {', '.join(METHODS)})")
    table = _coefficient_table(coefficients)
    if isinstance(exempt, str | bytes) or not isinstance(exempt, Collection):
        raise ApportionInputError("exempt must be a collection of apartment ids, not a single string")
    if not apartments:
        raise ApportionInputError("apartments is empty: there is nobody to share the amount")

    seen: set[str] = set()
    weights: list[int] = []
    for index, apartment in enumerate(apartments):
        what = f"apartments[{index}]"
        if not isinstance(apartment, ApartmentIn):
            raise ApportionInputError(f"{what} must be an ApartmentIn, not {type(apartment).__name__}")
        apartment_id = apartment.id
        if not isinstance(apartment_id, str) or not apartment_id:
            raise ApportionInputError(f"{what}.id must be a non-empty string")
        if apartment_id in seen:
            raise ApportionInputError(f"{what}: duplicate apartment id {apartment_id!r}")
        seen.add(apartment_id)
        floor = _floor_number(apartment.floor, f"{what}.floor")
        hundredths = _scaled(apartment.area, 2, _AREA_DIGITS, f"{what}.area", _AREA_GRID)
        if apartment_id in exempt:
            weights.append(0)
            continue
        if method in _FLOOR_METHODS and floor not in table:
            raise ApportionInputError(f"{what} ({apartment_id!r}): floor {floor} is missing from coefficients")
        if method == "area":
            weights.append(hundredths)
        elif method == "equal":
            weights.append(1)
        elif method == "floor":
            weights.append(table[floor])
        else:  # floor-area
            weights.append(table[floor] * hundredths)

    for apartment_id in sorted(str(e) for e in exempt):
        if apartment_id not in seen:
            raise ApportionInputError(f"exempt apartment {apartment_id!r} is not among the apartments")
    if sum(weights) == 0:
        raise ApportionInputError(
            f"total weight is zero under method {method!r}: no apartment bears any share "
            "(all exempt, or zero area or coefficient)"
        )
    return weights


def exact_shares(
    amount: Decimal,
    method: str,
    apartments: Sequence[ApartmentIn],
    coefficients: Mapping[int, Decimal] | None = None,
    exempt: Collection[str] = (),
) -> list[Fraction]:
    """The exact (unrounded) share of each apartment in yuan, in input order: amount × weight / total.

    For display beside the rounded share ("your exact share is …"); checks the input as `apportion`.
    """
    fen = _scaled(amount, 2, _AMOUNT_DIGITS, "amount", _FEN_GRID)
    weights = _weights(method, apartments, coefficients, exempt)
    total = sum(weights)
    return [Fraction(fen * weight, total * 100) for weight in weights]


def apportion(
    amount: Decimal,
    method: str,
    apartments: Sequence[ApartmentIn],
    coefficients: Mapping[int, Decimal] | None = None,
    exempt: Collection[str] = (),
) -> list[Share]:
    """Split `amount` (yuan, a whole number of fen, ≥ 0) over `apartments` by `method`.

    Returns one Share per apartment in input order; the shares sum exactly to the amount and each
    is within one fen of the exact share (largest-remainder rounding, ties to the apartment first in
    the input; see the module's docstring). `coefficients` maps floors to coefficients and is needed
    for `floor` and `floor-area`, for the floor of every apartment not exempt; with `area` and
    `equal` it is checked but not used. `exempt` holds ids of apartments that bear no share.

    Raises ApportionInputError on bad input: an amount with fractions of a fen or negative, an
    unknown method, a duplicate apartment id, a negative area or coefficient, a floor missing from
    the coefficients, an exempt id not among the apartments, or a total weight of zero.
    """
    fen = _scaled(amount, 2, _AMOUNT_DIGITS, "amount", _FEN_GRID)
    weights = _weights(method, apartments, coefficients, exempt)
    total = sum(weights)

    floors: list[int] = []
    remainders: list[int] = []
    for weight in weights:
        # exact share in fen = fen × weight / total = quotient + remainder / total
        quotient, remainder = divmod(fen * weight, total)
        floors.append(quotient)
        remainders.append(remainder)

    left_over = fen - sum(floors)  # 0 ≤ left_over < number of positive remainders
    # Largest remainder first; among equal remainders the earlier apartment (sort is stable).
    by_remainder = sorted(range(len(weights)), key=lambda i: -remainders[i])
    for i in by_remainder[:left_over]:
        floors[i] += 1

    return [
        Share(apartment=apartment.id, amount=yuan_from_fen(share))
        for apartment, share in zip(apartments, floors, strict=True)
    ]


# --------------------------------------------------------------------------------------------
# The JSON contract (docs/apportionment.md)

_DECIMAL_TEXT = re.compile(r"-?\d+(?:\.\d+)?", re.ASCII)
_FLOOR_TEXT = re.compile(r"0|-?[1-9]\d{0,2}", re.ASCII)
_TOP_KEYS: Final = frozenset({"amount", "method", "coefficients", "exempt", "apartments"})
_TOP_REQUIRED: Final = ("amount", "apartments")
_APARTMENT_KEYS: Final = ("id", "floor", "area")


def _object_at(value: object, what: str, allowed: Collection[str], required: Sequence[str]) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise ApportionInputError(f"{what} must be an object")
    for key in required:
        if key not in value:
            raise ApportionInputError(f"{what}.{key} is missing")
    extra = sorted(str(k) for k in value if k not in allowed)
    if extra:
        raise ApportionInputError(f"{what} has an unknown key {extra[0]!r}")
    return value


def _decimal_at(value: object, what: str, example: str) -> Decimal:
    """A number given as a string ("89.50"), an integer, or an exact Decimal.

    A float is refused: 0.1 as a binary float is not 0.1. The CLI reads JSON numbers with their
    exact decimal text (json parse_float=Decimal), so `89.5` unquoted is accepted there.
    """
    if isinstance(value, bool | float):
        raise ApportionInputError(f'{what} must be a string such as "{example}" (floats are inexact), not {value!r}')
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value):
        return Decimal(value)
    raise ApportionInputError(f'{what} must be a decimal number such as "{example}", not {value!r}')


def parse_payload(payload: object) -> tuple[Decimal, str, list[ApartmentIn], dict[int, Decimal], set[str]]:
    """Check the shape of the contract's JSON and read it: (amount, method, apartments, coefficients, exempt).

    `method` defaults to "area" (Civil Code Art. 283), `coefficients` to {} and `exempt` to none.
    Unknown keys are refused rather than ignored: a misspelt "exempt" would otherwise silently
    make the ground floor pay. The values themselves are checked by `apportion`.
    """
    top = _object_at(payload, "input", _TOP_KEYS, _TOP_REQUIRED)
    amount = _decimal_at(top["amount"], "amount", "265000.00")

    method = top.get("method", DEFAULT_METHOD)
    if not isinstance(method, str):
        raise ApportionInputError(f"method must be a string, one of {', '.join(METHODS)}")

    raw_coefficients = top.get("coefficients", {})
    if not isinstance(raw_coefficients, Mapping):
        raise ApportionInputError('coefficients must be an object such as {"1": "0", "2": "0.3"}')
    coefficients: dict[int, Decimal] = {}
    for key, value in raw_coefficients.items():
        if not isinstance(key, str) or not _FLOOR_TEXT.fullmatch(key):
            raise ApportionInputError(f'coefficients: {key!r} is not a floor number such as "2" or "-1"')
        coefficients[int(key)] = _decimal_at(value, f"coefficients[{key}]", "0.3")

    raw_exempt = top.get("exempt", [])
    if not isinstance(raw_exempt, list):
        raise ApportionInputError("exempt must be a list of apartment ids")
    exempt: set[str] = set()
    for index, item in enumerate(raw_exempt):
        if not isinstance(item, str):
            raise ApportionInputError(f"exempt[{index}] must be an apartment id (a string)")
        exempt.add(item)

    raw_apartments = top["apartments"]
    if not isinstance(raw_apartments, list):
        raise ApportionInputError("apartments must be a list")
    apartments: list[ApartmentIn] = []
    for index, raw in enumerate(raw_apartments):
        what = f"apartments[{index}]"
        item = _object_at(raw, what, _APARTMENT_KEYS, _APARTMENT_KEYS)
        apartment_id = item["id"]
        if not isinstance(apartment_id, str):
            raise ApportionInputError(f"{what}.id must be a string")
        floor = item["floor"]
        if isinstance(floor, bool) or not isinstance(floor, int):
            raise ApportionInputError(f"{what}.floor must be an integer such as 7, not {floor!r}")
        apartments.append(
            ApartmentIn(id=apartment_id, floor=floor, area=_decimal_at(item["area"], f"{what}.area", "89.50"))
        )
    return amount, method, apartments, coefficients, exempt


def apportion_json(payload: object) -> dict[str, object]:
    """The contract's output for the contract's input: {"shares": [{"apartment", "amount"}], "total"}.

    Amounts are strings with two decimals; shares are in input order and sum to `total`.
    """
    amount, method, apartments, coefficients, exempt = parse_payload(payload)
    shares = apportion(amount, method, apartments, coefficients, exempt)
    total = yuan_from_fen(_scaled(amount, 2, _AMOUNT_DIGITS, "amount", _FEN_GRID))
    return {
        "shares": [{"apartment": share.apartment, "amount": str(share.amount)} for share in shares],
        "total": str(total),
    }
