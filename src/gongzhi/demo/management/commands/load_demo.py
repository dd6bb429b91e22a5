"""`gongzhi load-demo [--json] [--seed N]`: load the Liangzhu sample data once (migrate first)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from gongzhi.demo.liangzhu import DemoSummary, load_liangzhu


def unapplied_migrations() -> int:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def render_summary(summary: DemoSummary, base_url: str = "") -> str:
    lines = [
        ("已载入" if summary.created else "示例数据已存在，未重复载入") + f"：{summary.subdistrict}（示例数据）",
        f"电梯 {summary.elevators} 台，房屋 {summary.apartments} 户，业主 {summary.owners} 人",
    ]
    lines += [
        f"  {e.community} / {e.name}：{e.buildings} 幢，{e.entrances} 个单元，"
        f"{e.elevators} 台电梯，{e.apartments} 户，{e.owners} 位业主"
        for e in summary.estates
    ]
    if summary.campaign:
        lines.append(f"更新行动：{summary.campaign}")
    lines.append("")
    lines.append("示例账号（仅用于演示，密码相同）：")
    width = max((len(x.username) for x in summary.logins), default=8)
    lines.append(f"  {'用户名'.ljust(width)}  密码                 角色")
    lines += [f"  {x.username.ljust(width)}  {x.password}    {x.role_label}（{x.scope}）" for x in summary.logins]
    if summary.motions:
        lines.append("")
        lines.append("表决事项（示例）：")
        for m in summary.motions:
            outcome = "" if m.passed is None else ("（通过）" if m.passed else "（未通过）")
            lines.append(f"  {m.estate} / {m.title}：{m.status_label}{outcome}")
    if summary.voting_path:
        lines.append(f"业主 {summary.voting_username} 的个人表决链接：{base_url}{summary.voting_path}")
        lines.append("  （点“获取验证码”后，验证码显示在运行网站的控制台中）")
    if summary.board_path:
        lines.append(f"更新协商进度看板（登录后查看）：{base_url}{summary.board_path}")
    if summary.affairs:
        lines.append("")
        lines.append("社区事务（示例数据）：")
        lines += [f"  {line}" for line in summary.affairs]
    if summary.talent:
        lines.append("")
        lines.append("青年干部人才库（示例数据）：")
        lines += [f"  {line}" for line in summary.talent]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "载入良渚街道示例数据（127 台电梯）。已载入时不重复写入。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="以 JSON 输出摘要")
        parser.add_argument("--seed", type=int, default=2024, help="随机种子（默认 2024）")

    def handle(self, *args: Any, **options: Any) -> None:
        if unapplied_migrations():
            raise CommandError("数据库尚未迁移：请先运行 gongzhi migrate", returncode=2)
        summary = load_liangzhu(seed=options["seed"])
        if options["json"]:
            self.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(render_summary(summary))
