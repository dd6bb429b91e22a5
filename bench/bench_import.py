"""Benchmark of the registry import (issue 2, "Figures").

Generates (seeded, deterministic) a registry workbook with N elevators and M apartments plus
their estates, buildings, entrances, owners, faults, inspections and assessments, keeps it in
bench/out/ (gitignored), then times

  (a) reading the workbook with python-calamine alone, and
  (b) the full import (registry_import_file) into a fresh SQLite database, and into a fresh
      PostgreSQL database too when DATABASE_URL names a PostgreSQL server,

and prints rows per second and the ratio import / read (aim: at most 3).

    .venv/bin/python bench/bench_import.py                       # 100,000 elevators, 1,000,000 apartments
    .venv/bin/python bench/bench_import.py --elevators 2000 --apartments 20000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "src"))

# The template's headers (docs/registry-import.md); kept here so generating needs no Django.
HEADERS = {
    "小区": ["区", "街道", "社区", "小区名称", "地址"],
    "楼栋": ["小区", "楼栋", "地上层数"],
    "单元": ["小区", "楼栋", "单元"],
    "房屋": ["小区", "楼栋", "单元", "室号", "楼层", "建筑面积(平方米)", "建设单位持有"],
    "业主": ["小区", "楼栋", "单元", "室号", "业主姓名", "类型", "证件号码", "电话"],
    "电梯": [
        "设备代码",
        "使用登记证编号",
        "小区",
        "楼栋",
        "单元",
        "投用日期",
        "制造单位",
        "型号",
        "额定载重量(kg)",
        "额定速度(m/s)",
        "层站数",
        "维保单位",
    ],
    "故障": ["设备代码", "发生时间", "类型", "被困人数", "停梯时长(小时)"],
    "检验": ["设备代码", "检验日期", "结论", "检验机构"],
    "安全评估": ["设备代码", "评估日期", "评估机构", "风险等级", "评估结论"],
}
FAULT_KINDS = ["困人", "门系统故障", "停梯", "平层不准", "控制系统故障", "其他"]


def generate(path: Path, elevators: int, apartments: int, seed: int = 20240901) -> dict[str, int]:
    """Write the workbook (openpyxl write-only mode); returns rows per sheet."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    headers = HEADERS
    wb = Workbook(write_only=True)
    sheets = {name: wb.create_sheet(name) for name in headers}
    for name, ws in sheets.items():
        ws.append(headers[name])
    rows = dict.fromkeys(headers, 0)

    def put(name: str, row: list[Any]) -> None:
        sheets[name].append(row)
        rows[name] += 1

    entrances_per_building, buildings_per_estate, estates_per_community, communities_per_sub = 2, 25, 10, 10
    n_entrances = elevators  # one elevator per entrance
    per_entrance = max(1, apartments // n_entrances)
    estate_names: list[str] = []
    n_buildings = (n_entrances + entrances_per_building - 1) // entrances_per_building
    n_estates = (n_buildings + buildings_per_estate - 1) // buildings_per_estate
    for e in range(n_estates):
        community = e // estates_per_community
        sub = community // communities_per_sub
        name = f"小区{e:05d}"
        estate_names.append(name)
        put("小区", ["余杭区", f"街道{sub:03d}", f"社区{community:04d}", name, f"示例路{e}号"])
    floors_of = {}
    for b in range(n_buildings):
        estate = estate_names[b // buildings_per_estate]
        floors = rng.randint(6, 18)
        floors_of[b] = floors
        put("楼栋", [estate, f"{b % buildings_per_estate + 1}幢", floors])
    owner_serial = 0
    recent_owners: list[tuple[str, str]] = []
    apartment_count = 0
    for n in range(n_entrances):
        b = n // entrances_per_building
        estate = estate_names[b // buildings_per_estate]
        building = f"{b % buildings_per_estate + 1}幢"
        entrance = f"{n % entrances_per_building + 1}单元"
        put("单元", [estate, building, entrance])
        count = per_entrance if n < n_entrances - 1 else apartments - apartment_count
        floors = floors_of[b]
        per_floor = max(1, (count + floors - 1) // floors)
        for k in range(count):
            floor = k // per_floor + 1
            room = f"{floor}{k % per_floor + 1:02d}"
            area = f"{rng.randint(5000, 15000) / 100:.2f}"
            developer = "是" if rng.random() < 0.01 else "否"
            put("房屋", [estate, building, entrance, room, floor, area, developer])
            apartment_count += 1
            if developer == "是":
                put(
                    "业主",
                    [estate, building, entrance, room, "示例房地产开发有限公司", "建设单位", "91330110MA2B000001", ""],
                )
                continue
            if recent_owners and rng.random() < 0.08:  # an owner of several apartments
                name, identity = rng.choice(recent_owners)
            else:
                owner_serial += 1
                name, identity = f"业主{owner_serial}", f"3301101980{owner_serial:08d}"
                recent_owners.append((name, identity))
                if len(recent_owners) > 1000:
                    recent_owners.pop(0)
            put("业主", [estate, building, entrance, room, name, "个人", identity, f"138{owner_serial:08d}"])
            if rng.random() < 0.05:  # a co-owner
                owner_serial += 1
                put(
                    "业主",
                    [
                        estate,
                        building,
                        entrance,
                        room,
                        f"业主{owner_serial}",
                        "个人",
                        f"3301101985{owner_serial:08d}",
                        "",
                    ],
                )
        code = f"31103300{(n // 100000) % 10}{rng.randint(2000, 2012)}{n % 100000:05d}"
        commissioned = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randint(0, 4400))
        put(
            "电梯",
            [
                code,
                f"梯11浙A{n:06d}",
                estate,
                building,
                entrance,
                commissioned,
                "示例电梯有限公司",
                "TKJ1000/1.75",
                1000,
                1.75,
                floors,
                "示例维保有限公司",
            ],
        )
        for f in range(rng.choice((0, 1, 2, 2, 3))):
            when = dt.datetime(2023, 1, 1, 8) + dt.timedelta(  # noqa: DTZ001 - local time in Excel
                days=rng.randint(0, 700), minutes=f
            )
            kind = rng.choice(FAULT_KINDS)
            put("故障", [code, when, kind, rng.randint(1, 4) if kind == "困人" else 0, rng.randint(0, 48) / 2])
        put(
            "检验",
            [
                code,
                dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 300)),
                rng.choice(("合格", "合格", "复检合格", "不合格")),
                "示例检验机构",
            ],
        )
        if rng.random() < 0.05:
            put(
                "安全评估",
                [
                    code,
                    dt.date(2024, 3, 1),
                    "示例安全评估机构",
                    "C",
                    rng.choice(("更新", "改造", "重大修理", "一般修理")),
                ],
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.xlsx")
    wb.save(tmp)
    tmp.replace(path)
    return rows


def read_only(path: Path) -> tuple[float, int]:
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    wb = CalamineWorkbook.from_path(str(path))
    rows = 0
    for name in wb.sheet_names:
        rows += max(0, len(wb.get_sheet_by_name(name).to_python(skip_empty_area=False)) - 1)
    return time.perf_counter() - start, rows


def run_import(path: Path, label: str) -> float:
    import django

    django.setup()
    from django.core.management import call_command

    from gongzhi.core.actors import SYSTEM
    from gongzhi.elevators.registry import registry_import_file

    call_command("migrate", verbosity=0)
    marks: dict[str, float] = {}
    start = time.perf_counter()

    def progress(phase: str, done: int, total: int) -> None:
        if phase not in marks:
            marks[phase] = time.perf_counter() - start
            print(f"  [{label}] {phase} starts at {marks[phase]:.1f} s", file=sys.stderr)

    result = registry_import_file(actor=SYSTEM, path=path, progress=progress)
    seconds = time.perf_counter() - start
    print(f"  [{label}] counts: {json.dumps(result['counts'], ensure_ascii=False)}", file=sys.stderr)
    print(json.dumps({"seconds": seconds, "phases": marks}))
    return seconds


def _child(path: Path, label: str, env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run(  # noqa: S603 - this very script, with a fixed argument list
        [sys.executable, __file__, "--child", str(path), "--label", label],
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _postgres_database(url: str) -> tuple[str, str] | None:
    """Create a fresh database on the server named by `url`; returns (new url, name)."""
    import psycopg

    name = f"gongzhi_bench_{os.getpid()}"
    base, _sep, _db = url.rpartition("/")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}", name


def _drop_postgres(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--elevators", type=int, default=100_000)
    parser.add_argument("--apartments", type=int, default=1_000_000)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--label", default="sqlite", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.config.settings")
    if args.child:
        run_import(args.child, args.label)
        return

    path = OUT / f"registry-{args.elevators}e-{args.apartments}a.xlsx"
    if not path.exists():
        print(f"generating {path} …", file=sys.stderr)
        start = time.perf_counter()
        rows = generate(path, args.elevators, args.apartments)
        print(f"  generated in {time.perf_counter() - start:.1f} s: {rows}", file=sys.stderr)
    size_mb = path.stat().st_size / 1e6
    read_s, rows = read_only(path)
    print(f"workbook: {path.name}, {size_mb:.1f} MB, {rows:,} data rows")
    print(f"(a) read with calamine:  {read_s:8.1f} s  {rows / read_s:12,.0f} rows/s")

    targets: list[tuple[str, dict[str, str], tuple[str, str] | None]] = []
    with tempfile.TemporaryDirectory(prefix="gongzhi-bench-") as var:
        env = {
            **os.environ,
            "GONGZHI_DEBUG": "0",
            "GONGZHI_VAR_DIR": var,
            "DATABASE_URL": f"sqlite:///{var}/bench.sqlite3",
        }
        targets.append(("sqlite", env, None))
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith(("postgres://", "postgresql://")):
            created = _postgres_database(url)
            if created:
                targets.append(("postgresql", {**env, "DATABASE_URL": created[0]}, created))
        for label, target_env, pg in targets:
            try:
                result = _child(path, label, target_env)
            finally:
                if pg is not None:
                    _drop_postgres(url, pg[1])
            seconds = result["seconds"]
            print(
                f"(b) import into {label:10s} {seconds:8.1f} s  {rows / seconds:12,.0f} rows/s"
                f"  ratio import/read = {seconds / read_s:.1f}  (phases start at: "
                + ", ".join(f"{k} {v:.1f} s" for k, v in result["phases"].items())
                + ")"
            )


if __name__ == "__main__":
    main()
