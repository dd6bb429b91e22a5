"""`gongzhi audit-verify [--quiet]`: check that the audit log's hash chain is intact.

Output (stdout, JSON): {"ok": true, "entries": 1234, "first_problem": null}, or with
"first_problem": {"seq": 17, "id": 17, "kind": "altered", "message": "…"}; kind is one of
altered, missing, broken_link, truncated, head_missing, head_mismatch (docs/audit.md).
With --quiet, one line of text instead. Exit 0 when the chain is intact, 1 when a problem was
found. A progress bar goes to stderr when stderr is a terminal.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from gongzhi.core.audit import VerifyReport, audit_verify
from gongzhi.core.models import AuditEntry


def summary_line(report: VerifyReport) -> str:
    if report.ok:
        return _("审计日志完整：%(n)d 条记录。") % {"n": report.entries}
    problem = report.first_problem or {}
    return _("审计日志有问题（%(kind)s，第 %(seq)s 条）：%(message)s") % {
        "kind": problem.get("kind"),
        "seq": problem.get("seq"),
        "message": problem.get("message"),
    }


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; prints JSON, exits 1 at the first altered or missing entry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="print a one-line summary instead of JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        report = self._verify_with_bar() if sys.stderr.isatty() else audit_verify()
        if options["quiet"]:
            sys.stdout.write(summary_line(report) + "\n")
        else:
            sys.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False) + "\n")
        if not report.ok:
            sys.stdout.flush()
            raise SystemExit(1)

    def _verify_with_bar(self) -> VerifyReport:
        total = AuditEntry.objects.count()
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=Console(file=sys.stderr), transient=True) as bar:
            task = bar.add_task(_("校验审计日志"), total=total)
            return audit_verify(progress=lambda done: bar.update(task, completed=done))
