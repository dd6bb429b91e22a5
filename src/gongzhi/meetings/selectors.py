"""Reads of deliberation meetings, scoped to the user (DESIGN.md convention 3).

Everyone with a role in a meeting's estate sees it (Action.VIEW_MEETING): staff and the owners'
committee by their scope, vendors and supervisors by their subdistrict, owners when they hold an
apartment in the estate. The same predicate gates the livestream link and asking a question.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from gongzhi.core.actors import Actor, acting_user
from gongzhi.meetings.models import Meeting, Participant, ParticipantRole, Question, QuestionStatus
from gongzhi.places.access import Action, scoped
from gongzhi.renewals.models import Vendor


def access_meetings(user: Actor, action: Action = Action.VIEW_MEETING) -> QuerySet[Meeting]:
    """Meetings the user may see (or, with another action, act on)."""
    return scoped(user, action, Meeting.objects.select_related("estate__community__subdistrict"))


def user_vendor_ids(user: Actor) -> set[int]:
    """The vendors the user answers for (Vendor.members)."""
    member = acting_user(user)
    if member is None:
        return set()
    return set(Vendor.objects.filter(members=member).values_list("id", flat=True))


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
