"""`gongzhi eligibility FILE.json` (or `-` for stdin): tiers and ages on a reference date.

Input  {"reference_date": "2024-09-01", "elevators": [{"device_code": "…", "commissioned_on": "2009-09-01"}],
        "eligible_years": 15, "priority_years": 20}   (the two year fields are optional)
Output {"elevators": [{"device_code": "…", "age_years": 15, "tier": "eligible"}]}   in input order.

Exit 0 on success; 2 on bad input, with one line on stderr naming what is wrong and nothing
on stdout (DESIGN.md, "Contracts that must stay stable"). The rule itself is
elevators.eligibility.eligibility_report (pure); this command only reads, checks shapes and prints.
"""

from __future__ import annotations

import json
import re
from typing import Any

from gongzhi.core.json_command import JsonContractCommand
from gongzhi.elevators.eligibility import eligibility_report

# Dates are exactly YYYY-MM-DD strings. (date.fromisoformat alone would also take 20240901 or
# week dates such as 2024-W36-1, and a JSON number would be turned into a string first.)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


class BadInputError(ValueError):
    pass


def _check_shapes(payload: Any) -> None:
    """Shape checks the contract states but the pure function leaves loose."""
    if not isinstance(payload, dict):
        raise BadInputError("input must be a JSON object")
    if "reference_date" not in payload:
        raise BadInputError("reference_date is missing")
    ref = payload["reference_date"]
    if not isinstance(ref, str) or not _ISO_DATE.fullmatch(ref):
        raise BadInputError(f"reference_date is not a date (YYYY-MM-DD): {ref!r}")
    if "elevators" not in payload:
        raise BadInputError("elevators is missing")
    elevators = payload["elevators"]
    if not isinstance(elevators, list):
        raise BadInputError("elevators must be a list")
    for index, item in enumerate(elevators):
        if not isinstance(item, dict):
            raise BadInputError(f"elevators[{index}] must be an object")
        for name in ("device_code", "commissioned_on"):
            if name not in item:
                raise BadInputError(f"elevators[{index}].{name} is missing")
        if not isinstance(item["device_code"], str):
            raise BadInputError(f"elevators[{index}].device_code must be a string")
        value = item["commissioned_on"]
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            raise BadInputError(f"elevators[{index}].commissioned_on is not a date (YYYY-MM-DD): {value!r}")


def run(text: str) -> dict[str, Any]:
    """Parse, check and compute; raises ValueError (one-line message) on bad input."""
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInputError(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    _check_shapes(payload)
    return dict(eligibility_report(payload))


class Command(JsonContractCommand):
    help = "Tier and age of elevators on a reference date: reads JSON (a file or - for stdin), prints JSON."

    command_name = "eligibility"

    def run(self, text: str) -> dict[str, Any]:
        return run(text)
