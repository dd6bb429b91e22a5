"""`gongzhi demo [--host H] [--port P]`: migrate, load the Liangzhu demo, start the task worker
and serve the site with uvicorn until interrupted (Ctrl-C)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import uvicorn
from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from gongzhi.demo.liangzhu import load_liangzhu
from gongzhi.demo.management.commands.load_demo import render_summary


class Command(BaseCommand):
    help = "一键演示：迁移数据库、载入良渚示例数据、启动后台任务与网站服务。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务进程")

    def handle(self, *args: Any, **options: Any) -> None:
        db = settings.DATABASES["default"]
        if db["ENGINE"] == "django.db.backends.sqlite3":
            Path(str(db["NAME"])).parent.mkdir(parents=True, exist_ok=True)
        # Pages show the "sample data" banner even when started without `make demo`.
        settings.GONGZHI_DEMO = True
        os.environ["GONGZHI_DEMO"] = "1"
        call_command("migrate", interactive=False, verbosity=0)
        if not settings.DEBUG and isinstance(storages["staticfiles"], ManifestFilesMixin):
            # Debug is off (as it should be anywhere but a developer's laptop): pages name the
            # hashed files of the manifest, which whitenoise serves from STATIC_ROOT.
            call_command("collectstatic", interactive=False, verbosity=0)
        summary = load_liangzhu()
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(render_summary(summary, base_url=url.rstrip("/")))
        self.stdout.write(f"\n网站：{url}（Ctrl-C 停止）\n")
        worker: subprocess.Popen[bytes] | None = None
        if not options["no_worker"]:
            worker = subprocess.Popen(
                [sys.executable, "-m", "gongzhi.cli", "db_worker", "--no-reload"], env=os.environ.copy()
            )
        try:
            uvicorn.run("gongzhi.config.asgi:application", host=options["host"], port=options["port"], lifespan="off")
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()
