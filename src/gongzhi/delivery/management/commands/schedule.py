"""`gongzhi schedule [--time-limit S] FILE.json` (or `-` for stdin): a construction schedule for
elevator renewal jobs (delivery.scheduling; contract in docs/renewal-delivery.md).

Exit 0 with the schedule, or with status "infeasible" and a suggestion when none exists; exit 2 on
malformed input with one line on stderr and nothing on stdout.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from gongzhi.core.json_command import JsonContractCommand
from gongzhi.delivery.scheduling import DEFAULT_TIME_LIMIT, run


class Command(JsonContractCommand):
    help = (
        "Construction schedule for elevator renewal (OR-Tools CP-SAT): reads JSON with start, deadline, "
        "crews, jobs and limits (a file or - for stdin), prints JSON."
    )

    command_name = "schedule"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--time-limit",
            type=float,
            default=DEFAULT_TIME_LIMIT,
            help=f"seconds the solver may search (default {DEFAULT_TIME_LIMIT:g})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        limit = options["time_limit"]
        if not 0 < limit <= 3600:
            self._fail(f"--time-limit must be between 0 and 3600 seconds, not {limit:g}")
        self._time_limit = limit
        super().handle(*args, **options)

    def run(self, text: str) -> dict[str, Any]:
        return run(text, self._time_limit)
