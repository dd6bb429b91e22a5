"""`gongzhi talent-rerank FILE.json` (or `-`): the re-ranked talent pool (talent.ranking).

Exit 0 with {"pool", "admitted", "removed"}; 2 on malformed input with one line on stderr and
nothing on stdout (DESIGN.md, "Contracts that must stay stable")."""

from __future__ import annotations

from typing import Any

from gongzhi.core.json_command import JsonContractCommand
from gongzhi.talent.ranking import run


class Command(JsonContractCommand):
    help = "Re-rank a capped talent pool: reads JSON with cap, exit_below, quotas, members and candidates, prints JSON."

    command_name = "talent-rerank"

    def run(self, text: str) -> dict[str, Any]:
        return dict(run(text))
