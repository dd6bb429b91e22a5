"""`gongzhi tally FILE.json` (or `-` for stdin): the tally of an owners' motion from a roll and ballots.

Input  {"rule": "civil-code-ordinary" | "civil-code-special" | {"participation": {"area": ">=2/3", "owners":
        ">=2/3"}, "approval": {"area": ">1/2", "owners": ">1/2"}}, "apartments": [{"id": "…", "area": "89.50",
        "owner": "…", "developer_held": false}], "ballots": [{"apartment": "…", "choice": "for"}]}
Output {"passed", "quorum_met", "approved", "total", "participating", "for", "against", "abstain",
        "still_needed", "rule"}, areas as strings with two decimals (docs/motions-tally.md).

Exit 0 on success (whether or not the motion passed: that is data); 2 on bad input, with one line
on stderr naming what is wrong and nothing on stdout (DESIGN.md, "Contracts that must stay
stable"). The rule is motions.thresholds (pure, Civil Code Art. 278); this command reads and prints.
JSON numbers are read with their exact decimal text (parse_float=Decimal), never as floats.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, NoReturn

from gongzhi.core.json_command import JsonContractCommand
from gongzhi.motions.thresholds import TallyInputError, parse_payload, tally


def _no_constants(name: str) -> NoReturn:
    raise TallyInputError(f"not JSON: {name} is not a number")


def run(text: str) -> dict[str, object]:
    """Parse, check and count; raises ValueError (TallyInputError) with a one-line message on bad input."""
    try:
        payload = json.loads(text, parse_float=Decimal, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        raise TallyInputError(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    except RecursionError as exc:
        raise TallyInputError("not accepted: the JSON nests too deeply") from exc
    rule, apartments, ballots = parse_payload(payload)
    return tally(rule, apartments, ballots).as_json()


class Command(JsonContractCommand):
    help = (
        "Tally of an owners' motion (Civil Code Art. 278): reads JSON with a rule, apartments and ballots "
        "(a file or - for stdin), prints JSON."
    )

    command_name = "tally"

    def run(self, text: str) -> dict[str, Any]:
        return run(text)
