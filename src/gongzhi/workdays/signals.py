"""Install the shipped years of the official calendar after migrating (idempotent; edits kept)."""

from __future__ import annotations

from typing import Any


def install_shipped_calendar(**kwargs: Any) -> None:
    from gongzhi.workdays.services import calendar_install_shipped

    calendar_install_shipped()
