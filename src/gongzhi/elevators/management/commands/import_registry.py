"""`gongzhi import-registry FILE.xlsx [--user USERNAME]`: import the registry workbook.

stdout: {"counts": {...}, "warnings": [...]} and exit 0; when refused,
{"problems": [{"sheet", "row", "column", "message"}, ...]}, a one-line summary on stderr
and exit 2. A progress bar is drawn on stderr while importing (only on a terminal).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from gongzhi.core.actors import SYSTEM, Actor
from gongzhi.core.errors import AccessDeniedError, ImportRefusedError
from gongzhi.elevators.registry import registry_import_file

EXIT_BAD_INPUT = 2


class Command(BaseCommand):
    help = "Import the elevator registry from an Excel workbook (see docs/registry-import.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the workbook (.xlsx), laid out as the template")
        parser.add_argument("--user", help="act as this user (default: the platform itself)")

    def _fail(self, summary: str, payload: dict[str, Any]) -> NoReturn:
        self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
        self.stderr.write(summary)
        raise SystemExit(EXIT_BAD_INPUT)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        actor: Actor = SYSTEM
        if options.get("user"):
            user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                message = _("用户“%(name)s”不存在或已停用。") % {"name": options["user"]}
                self._fail(message, {"problems": [{"sheet": "", "row": None, "column": None, "message": message}]})
            actor = user
        try:
            result = self._run(actor, path)
        except ImportRefusedError as exc:
            problems = [p.as_dict() for p in exc.problems]
            first = exc.problems[0] if exc.problems else None
            detail = (str(first) if first.sheet else first.message) if first else ""
            self._fail(f"{exc.message} {detail}".strip(), {"problems": problems})
            return
        except AccessDeniedError as exc:
            self._fail(exc.message, {"problems": [{"sheet": "", "row": None, "column": None, "message": exc.message}]})
            return
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

    def _run(self, actor: Actor, path: Path) -> dict[str, Any]:
        """The import, with a progress bar on stderr when it is a terminal."""
        if not sys.stderr.isatty():
            return registry_import_file(actor=actor, path=path)
        labels = {"read": _("读取文件"), "check": _("检查数据"), "write": _("写入数据")}
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(file=sys.stderr),
            transient=True,
        ) as bar:
            task = bar.add_task(labels["read"], total=None)

            def progress(phase: str, done: int, total: int) -> None:
                bar.update(task, description=labels.get(phase, phase), completed=done, total=total)

            return registry_import_file(actor=actor, path=path, progress=progress)
