"""The shared shape of the JSON contract commands (DESIGN.md, "Contracts that must stay stable"):
read JSON from a file or `-` (stdin), print JSON on stdout, exit 2 with one line on stderr naming
what is wrong and nothing on stdout."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser


class JsonContractCommand(BaseCommand):
    """Subclasses set `command_name` and implement `run(text)`, raising ValueError on bad input."""

    command_name = ""

    def run(self, text: str) -> dict[str, Any]:
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="input JSON file, or - for standard input")

    def handle(self, *args: Any, **options: Any) -> None:
        source: str = options["file"]
        try:
            if source == "-":
                text = sys.stdin.buffer.read().decode("utf-8")
            else:
                text = Path(source).read_text(encoding="utf-8")
            result = self.run(text)
        except OSError as exc:
            self._fail(f"cannot read {source}: {exc.strerror or exc}")
        except UnicodeDecodeError:
            self._fail(f"{'standard input' if source == '-' else source} is not UTF-8 text")
        except (ValueError, OverflowError) as exc:
            self._fail(" ".join(str(exc).split()))
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")

    def _fail(self, message: str) -> NoReturn:
        sys.stderr.write(f"gongzhi {self.command_name}: {message}\n")
        raise SystemExit(2)
