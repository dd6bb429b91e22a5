"""Reads of deliberation meetings, scoped to the user (DESIGN.md convention 3).

Everyone with a role in a meeting's estate sees it (Action.VIEW_MEETING): staff and the owners'
committee by their scope, vendors and supervisors by their subdistrict, owners when they hold an
apartment in the estate. The same predicate gates the livestream link and asking a question.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from gongzhi.meetings.models import Meeting, Participant, ParticipantRole, Question, QuestionStatus
from gongzhi.places.access import Action, estate_q
from gongzhi.places.models import Entrance
from gongzhi.renewals.models import Vendor


def access_meetings(user: Any, action: Action = Action.VIEW_MEETING) -> QuerySet[Meeting]:
    """Meetings the user may see (or, with another action, act on)."""

    def owner_q(entrances: set[int], _owners: set[int]) -> Q:
        return Q(estate_id__in=Entrance.objects.filter(id__in=entrances).values("building__estate_id"))

    q = estate_q(user, action, "estate", owner_q)
    qs = Meeting.objects.select_related("estate__community__subdistrict")
    return qs if q is None else qs.filter(q)


def user_vendor_ids(user: Any) -> set[int]:
    """The vendors the user answers for (Vendor.members)."""
    if not getattr(user, "pk", None):
        return set()
    return set(Vendor.objects.filter(members=user).values_list("id", flat=True))


def visible_questions(meeting: Meeting, *, moderator: bool = False) -> QuerySet[Question]:
    """Approved questions (pinned first, then oldest first); a moderator sees every question."""
    qs = Question.objects.filter(meeting=meeting).select_related("addressed_to")
    if not moderator:
        qs = qs.filter(status=QuestionStatus.APPROVED)
    return qs.order_by("-pinned", "created_at", "id")


def questions_for_vendors(meeting: Meeting, vendor_ids: set[int]) -> QuerySet[Question]:
    """Approved questions addressed to one of `vendor_ids`: what a vendor's member may answer."""
    return visible_questions(meeting).filter(addressed_to_id__in=vendor_ids)


@dataclass(frozen=True)
class RoleCount:
    role: str
    label: str
    invited: int
    attended: int


def attendance_by_role(meeting: Meeting) -> list[RoleCount]:
    """Invited and signed-in participants per role, in the order of ParticipantRole: one query."""
    rows = {
        r["role"]: r
        for r in Participant.objects.filter(meeting=meeting)
        .order_by()
        .values("role")
        .annotate(invited=Count("id"), attended=Count("id", filter=Q(attended_at__isnull=False)))
    }
    return [
        RoleCount(role.value, str(role.label), rows[role.value]["invited"], rows[role.value]["attended"])
        for role in ParticipantRole
        if role.value in rows
    ]


def meeting_ends_at(meeting: Meeting) -> dt.datetime:
    return meeting.starts_at + dt.timedelta(minutes=meeting.duration_minutes)
