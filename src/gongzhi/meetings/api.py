"""JSON API of deliberation meetings (docs/meetings.md): the meetings a user may see, one meeting,
its public questions, and asking a question. Session auth and CSRF as the rest of the API.

Parse → access check (selectors.access_meetings: outside the scope is 404) → service → render.
The livestream address is returned only to those holding Action.VIEW_MEETING, which is everyone
who can reach these endpoints at all; it never appears in the public minutes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.params import P, PathEx
from ninja.responses import Status

from gongzhi.core.errors import DomainError
from gongzhi.core.schemas import MAX_ID, NO_NUL, READ_ERRORS, WRITE_ERRORS, PageQuery
from gongzhi.meetings import selectors, services
from gongzhi.meetings.models import QUESTION_MAX_LENGTH, Meeting, Question
from gongzhi.places.selectors import get_or_404
from gongzhi.renewals.models import Vendor

router = Router(tags=["meetings"])

Id = PathEx[int, P(ge=1, le=MAX_ID)]
StatusName = Literal["scheduled", "in_progress", "ended", "published"]


class MeetingListQuery(PageQuery):
    estate_id: int | None = Field(None, ge=1, le=MAX_ID)
    status: StatusName | None = None


class MeetingRowOut(Schema):
    id: int
    topic: str
    estate_id: int
    estate_name: str
    starts_at: dt.datetime
    duration_minutes: int
    venue: str
    status: StatusName


class MeetingPageOut(Schema):
    count: int
    items: list[MeetingRowOut]


class AgendaItemOut(Schema):
    position: int
    title: str
    duration_minutes: int
    presenter: str


class PitchOut(Schema):
    order: int
    vendor_id: int
    vendor_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    link: str
    offer_id: int | None


class MeetingDetailOut(MeetingRowOut):
    description: str
    livestream_url: str | None = Field(description="null when the meeting has no livestream")
    entrance_ids: list[int]
    campaign_id: int | None
    agenda: list[AgendaItemOut]
    pitches: list[PitchOut]
    minutes_published_at: dt.datetime | None


class QuestionOut(Schema):
    id: int
    text: str
    addressed_to_id: int | None
    pinned: bool
    answer: str
    answered_at: dt.datetime | None
    created_at: dt.datetime


class QuestionIn(Schema):
    text: str = Field(min_length=1, max_length=QUESTION_MAX_LENGTH, pattern=NO_NUL)
    addressed_to_id: int | None = Field(None, ge=1, le=MAX_ID)


def _row(m: Meeting) -> MeetingRowOut:
    return MeetingRowOut(
        id=m.pk,
        topic=m.topic,
        estate_id=m.estate_id,
        estate_name=m.estate.name,
        starts_at=m.starts_at,
        duration_minutes=m.duration_minutes,
        venue=m.venue,
        status=m.status,  # type: ignore[arg-type]  # a MeetingStatus value, checked by the schema
    )


def _question(q: Question) -> QuestionOut:
    return QuestionOut(
        id=q.pk,
        text=q.text,
        addressed_to_id=q.addressed_to_id,
        pinned=q.pinned,
        answer=q.answer,
        answered_at=q.answered_at,
        created_at=q.created_at,
    )


@router.get("/meetings", response={200: MeetingPageOut, **READ_ERRORS}, summary="Meetings you may see")
def meetings_list(request: HttpRequest, filters: Query[MeetingListQuery]) -> MeetingPageOut:
    qs = selectors.access_meetings(request.user)
    if filters.estate_id:
        qs = qs.filter(estate_id=filters.estate_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    count = qs.count()
    rows = qs.order_by("-starts_at", "-id")[filters.offset : filters.offset + filters.limit]
    return MeetingPageOut(count=count, items=[_row(m) for m in rows])


@router.get("/meetings/{meeting_id}", response={200: MeetingDetailOut, **READ_ERRORS}, summary="One meeting")
def meetings_detail(request: HttpRequest, meeting_id: Id) -> MeetingDetailOut:
    m: Meeting = get_or_404(selectors.access_meetings(request.user), id=meeting_id)
    row = _row(m)
    return MeetingDetailOut(
        **row.dict(),
        description=m.description,
        livestream_url=m.livestream_url or None,
        entrance_ids=sorted(m.entrances.values_list("id", flat=True)),
        campaign_id=m.campaign_id,
        agenda=[
            AgendaItemOut(
                position=a.position, title=a.title, duration_minutes=a.duration_minutes, presenter=a.presenter
            )
            for a in m.agenda.all()
        ],
        pitches=[
            PitchOut(
                order=p.order,
                vendor_id=p.vendor_id,
                vendor_name=p.vendor.name,
                starts_at=p.starts_at,
                ends_at=p.ends_at,
                link=p.link,
                offer_id=p.offer_id,
            )
            for p in m.pitches.select_related("vendor").order_by("order")
        ],
        minutes_published_at=m.published_at,
    )


@router.get(
    "/meetings/{meeting_id}/questions",
    response={200: list[QuestionOut], **READ_ERRORS},
    summary="Approved questions and their answers, pinned first",
)
def meetings_questions(request: HttpRequest, meeting_id: Id) -> list[QuestionOut]:
    m: Meeting = get_or_404(selectors.access_meetings(request.user), id=meeting_id)
    return [_question(q) for q in selectors.visible_questions(m)]


@router.post(
    "/meetings/{meeting_id}/questions",
    response={201: QuestionOut, **WRITE_ERRORS},
    summary="Ask a question or give an opinion (shown once approved)",
    description="400 `questions_closed`, `rate_limited` (5 a minute), `bad_vendor`, `text_required`.",
)
def meetings_question_submit(request: HttpRequest, meeting_id: Id, payload: QuestionIn) -> Status[QuestionOut]:
    m: Meeting = get_or_404(selectors.access_meetings(request.user), id=meeting_id)
    vendor = None
    if payload.addressed_to_id is not None:
        vendor = Vendor.objects.filter(pk=payload.addressed_to_id).first()
        if vendor is None:
            raise DomainError(_("所选品牌方未参加本次会议。"), code="bad_vendor")
    question = services.question_submit(actor=request.user, meeting=m, text=payload.text, addressed_to=vendor)
    return Status(201, _question(question))
