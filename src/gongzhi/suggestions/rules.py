"""Suggestions' access beyond the role table, plugged into the access façade (places.access).

A suggestion dispatched to a department is signed for, bounced, answered and extended by that
department's members only (Department.members), whatever roles they hold elsewhere.
`require(actor, SuggestionAction.HANDLE, suggestion)`."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor, acting_user
from gongzhi.places.access import register_checker
from gongzhi.suggestions.models import Department, Suggestion


class SuggestionAction(StrEnum):
    HANDLE = "handle"  # the department it was dispatched to: sign, bounce, answer, ask for more time


def _check(actor: Actor, action: SuggestionAction, s: Suggestion) -> str | None:
    user = acting_user(actor)
    if (
        s.department_id is None
        or user is None
        or not user.is_authenticated
        or not Department.objects.filter(pk=s.department_id, members=user).exists()
    ):
        return _("只有承办部门的工作人员可以执行此操作。")
    return None


register_checker(SuggestionAction, _check)
