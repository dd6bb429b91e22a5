"""Record the "reminded" events of suggestions entering their reminder window (run daily)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.suggestions.services import suggestions_remind


class Command(BaseCommand):
    help = "记录进入提醒期的诉求（可重复运行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="YYYY-MM-DD（默认今天）")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("date"):
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("日期格式应为 YYYY-MM-DD。") from exc
        count = suggestions_remind(today)
        self.stdout.write(f"{count}")
