"""The `gongzhi` command: Django's management commands under one name.

`gongzhi import-registry FILE.xlsx` runs the `import_registry` command: hyphens in the
command name are accepted for underscores.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    args[0] = "gongzhi"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
