"""Helpers shared by the motions services modules: the clock and the voting window."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError
from gongzhi.motions.models import Motion, MotionStatus


def resolve_now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else timezone.now()


def check_window(motion: Motion, now: dt.datetime) -> None:
    if motion.status == MotionStatus.CANCELLED:
        raise DomainError(_("表决已撤销。"), code="cancelled")
    if motion.status != MotionStatus.OPEN or now >= motion.closes_at:
        raise DomainError(_("表决已截止。"), code="voting_closed")
    if now < motion.opens_at:
        raise DomainError(
            _("表决尚未开始（%(at)s 开始）。") % {"at": timezone.localtime(motion.opens_at).strftime("%Y-%m-%d %H:%M")},
            code="voting_not_open",
        )
