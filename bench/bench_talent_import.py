"""Benchmark of the talent pool's Excel import (issue 7, item 7: "2,000 cadres + 10,000 assessments
import in well under a minute").

Generates (seeded, deterministic) a workbook with N cadres (干部), M skill assessments (能力评估),
one appraisal per cadre (年度考核) and one course score per cadre (课程成绩), then imports it with
talent.excel.services.import_workbook into a fresh SQLite database (tables made from the models, as the
tests do) and prints the seconds.

    .venv/bin/python bench/bench_talent_import.py                    # 2,000 cadres, 10,000 assessments
    .venv/bin/python bench/bench_talent_import.py --cadres 500 --assessments 2500
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

SKILLS = ["政治素养", "调查研究", "应急处突", "群众工作", "抓落实"]
ORGANISATIONS = [f"市直单位{i:02d}" for i in range(60)]


def generate(cadres: int, assessments: int, cycle: str, course: str) -> bytes:
    from openpyxl import Workbook

    rnd = random.Random(7)
    wb = Workbook(write_only=True)
    ws: Any = wb.create_sheet("干部")
    ws.append(
        [
            "编号",
            "姓名",
            "性别",
            "出生日期",
            "单位",
            "职务",
            "类别",
            "学历",
            "政治面貌",
            "手机",
            "状态",
            "入库日期",
            "入库原因",
        ]
    )
    for i in range(cadres):
        member = i < cadres // 25  # a few members, under the cap
        ws.append(
            [
                f"S{i:05d}", f"干部{i}", rnd.choice(["男", "女"]),
                dt.date(1990 + rnd.randrange(8), 1 + rnd.randrange(12), 1 + rnd.randrange(28)),
                rnd.choice(ORGANISATIONS),
                "科员", "综合管理类", "大学本科", "中共党员", f"139{i:08d}", "在库" if member else "候选",
                "2025/1/6" if member else None, "",
            ]
        )  # fmt: skip
    ws = wb.create_sheet("能力评估")
    ws.append(["编号", "能力", "评分", "评估日期", "评估人"])
    for j in range(assessments):
        ws.append([f"S{j % cadres:05d}", SKILLS[j % 5], rnd.randrange(6000, 10000) / 100, "2025年6月1日", "评估组"])
    ws = wb.create_sheet("年度考核")
    ws.append(["编号", "年度", "等次"])
    for i in range(cadres):
        ws.append([f"S{i:05d}", 2024, rnd.choice(["优秀", "称职", "称职", "基本称职"])])
    ws = wb.create_sheet("课程成绩")
    ws.append(["编号", "课程", "届次", "成绩"])
    for i in range(cadres):
        ws.append([f"S{i:05d}", course, cycle, rnd.randrange(50, 100)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


class _NoMigrations(dict[str, Any]):
    def __contains__(self, item: object) -> bool:
        return True

    def __getitem__(self, item: str) -> None:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cadres", type=int, default=2000)
    parser.add_argument("--assessments", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gongzhi-bench-talent-") as var:
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": "gongzhi.config.settings",
                "GONGZHI_DEBUG": "0",
                "GONGZHI_VAR_DIR": var,
                "DATABASE_URL": f"sqlite:///{var}/bench.sqlite3",
            }
        )
        import django

        django.setup()
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.core.management import call_command

        settings.MIGRATION_MODULES = _NoMigrations()
        call_command("migrate", run_syncdb=True, verbosity=0)

        from gongzhi.talent.excel import services as excel
        from gongzhi.talent.models import CompletionRule, Course, Cycle, PoolCategory, TalentPool

        pool = TalentPool.objects.create(name="基准人才库", cap=max(100, args.cadres))
        PoolCategory.objects.create(pool=pool, name="综合管理类")
        cycle = Cycle.objects.create(
            pool=pool, name="2025—2026 届", start=dt.date(2025, 1, 1), end=dt.date(2026, 12, 31)
        )
        course = Course.objects.create(pool=pool, name="政策法规", rule=CompletionRule.SCORE, pass_score=60)
        admin = get_user_model().objects.create_user(username="bench-admin", password="x")  # noqa: S106
        pool.administrators.add(admin)

        start = time.perf_counter()
        data = generate(args.cadres, args.assessments, cycle.name, course.name)
        generated = time.perf_counter() - start
        start = time.perf_counter()
        result = excel.import_workbook(actor=admin, pool=pool, file=io.BytesIO(data), today=dt.date(2025, 9, 1))
        seconds = time.perf_counter() - start
    print(f"workbook: {len(data) / 1e6:.1f} MB, generated in {generated:.1f} s", file=sys.stderr)
    print(json.dumps({"cadres": args.cadres, "assessments": args.assessments, "seconds": round(seconds, 2),
                      "created": result.created, "updated": result.updated}, ensure_ascii=False))  # fmt: skip


if __name__ == "__main__":
    main()
