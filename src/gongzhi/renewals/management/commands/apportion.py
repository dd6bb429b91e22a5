"""`gongzhi apportion FILE.json` (or `-` for stdin): each apartment's share of an amount.

Input  {"amount": "265000.00", "method": "area" | "equal" | "floor" | "floor-area", "coefficients":
        {"1": "0", "2": "0.3", …}, "exempt": ["apartment id", …], "apartments": [{"id": "…", "floor": 7,
        "area": "89.50"}]}
Output {"shares": [{"apartment": "…", "amount": "1234.56"}], "total": "265000.00"} in input order
        (docs/apportionment.md).

Exit 0 on success; 2 on bad input, with one line on stderr naming what is wrong and nothing on
stdout (DESIGN.md, "Contracts that must stay stable"). The rule is renewals.apportionment (pure;
Civil Code Art. 283 for the default by area); this command reads and prints. JSON numbers are read
with their exact decimal text (parse_float=Decimal), never as floats.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, NoReturn

from gongzhi.core.json_command import JsonContractCommand
from gongzhi.renewals.apportionment import ApportionInputError, apportion_json


def _no_constants(name: str) -> NoReturn:
    raise ApportionInputError(f"not JSON: {name} is not a number")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Refuse an object with a key twice: JSON would silently keep the last, e.g. of two coefficients."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ApportionInputError(f"not accepted: the key {key!r} appears twice in one object")
        result[key] = value
    return result


def run(text: str) -> dict[str, object]:
    """Parse, check and apportion; raises ValueError (ApportionInputError) with a one-line message on bad input."""
    try:
        payload = json.loads(
            text, parse_float=Decimal, parse_constant=_no_constants, object_pairs_hook=_no_duplicate_keys
        )
    except json.JSONDecodeError as exc:
        raise ApportionInputError(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    except RecursionError as exc:
        raise ApportionInputError("not accepted: the JSON nests too deeply") from exc
    return apportion_json(payload)


class Command(JsonContractCommand):
    help = (
        "Each apartment's share of an amount (Civil Code Art. 283: by area absent an agreement): reads JSON "
        "with an amount, a method and apartments (a file or - for stdin), prints JSON."
    )

    command_name = "apportion"

    def run(self, text: str) -> dict[str, Any]:
        return run(text)
