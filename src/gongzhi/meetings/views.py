"""Pages of deliberation meetings: the list, scheduling and editing (staff), the meeting page with
its agenda, livestream, pitches and live questions, invitations and attendance, the printable
sign-in QR code, the sign-in page, moderation, a vendor's answer, the minutes form and the public
minutes notice.

parse → access check → service → render (DESIGN.md convention 2). A meeting is looked up through
selectors.access_meetings (404 outside the user's scope, so the page does not reveal it exists);
staff pages then check Action.MANAGE_MEETING (403 inside the scope). The sign-in page and the
minutes notice are keyed by the meeting's random public_id and need no login: the QR code is
posted at the door, and the minutes are a public notice (公示).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.clients import client_ip
from gongzhi.core.forms import refusals_flashed, refusals_on
from gongzhi.core.qr import absolute_url, qr_svg
from gongzhi.core.throttle import Rule, throttle_blocked_until, throttle_fail, throttle_reset
from gongzhi.elevators.selectors import access_campaigns
from gongzhi.meetings import selectors as sel
from gongzhi.meetings import services
from gongzhi.meetings.forms import (
    AnswerForm,
    AttendanceForm,
    InviteForm,
    MeetingForm,
    MinutesForm,
    ModerateForm,
    PitchForm,
    QuestionForm,
    SignInForm,
    SignInModeForm,
    TransitionForm,
    agenda_text,
)
from gongzhi.meetings.models import Meeting, MeetingStatus, Participant, Pitch, Question, QuestionStatus
from gongzhi.motions.models import Motion
from gongzhi.places.access import Action
from gongzhi.places.selectors import access_estates
from gongzhi.renewals.models import Offer, Vendor

PAGE_SIZE = 30
POLL_SECONDS = 3
# Failed name + last-four attempts at one meeting, counted in the database (core.throttle) so all
# worker processes share them: per invitee (the name tried), whatever the address, and per client
# address (core.clients.client_ip), higher, since a venue's Wi-Fi puts many arrivals behind one address.
SIGN_IN_WINDOW = dt.timedelta(minutes=15)
SIGN_IN_PER_NAME = Rule("meeting-sign-in:name", limit=10, window=SIGN_IN_WINDOW)
SIGN_IN_PER_ADDRESS = Rule("meeting-sign-in:address", limit=30, window=SIGN_IN_WINDOW)


# --- helpers ---------------------------------------------------------------------------------------


def _may(request: HttpRequest, action: Action, meeting: Meeting) -> bool:
    return bool(request.user.has_perm(f"places.{action.value}", meeting))


def _meeting(request: HttpRequest, pk: int, action: Action | None = None) -> Meeting:
    """The meeting if the user may see it (else 404) and, when given, perform `action` (else 403)."""
    meeting: Meeting = get_object_or_404(sel.access_meetings(request.user).select_related("campaign"), pk=pk)
    if action is not None and not _may(request, action, meeting):
        raise PermissionDenied(_("您无权执行此操作。"))
    return meeting


def _redirect(name: str, *args: Any) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse(name, args=args))


def _errors(form: forms.Form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _act(request: HttpRequest, call: Any, success: str) -> bool:
    """Run a service call; a domain refusal becomes a message (an access refusal a 403)."""
    with refusals_flashed(request) as refused:
        call()
    if refused:
        return False
    messages.success(request, success)
    return True


def _vendors_of(meeting: Meeting) -> Any:
    return Vendor.objects.filter(subdistrict_id=meeting.estate.community.subdistrict_id).order_by("name")


def _https(url: str) -> bool:
    return url.lower().startswith("https://")


# --- list, create, edit ----------------------------------------------------------------------------


@login_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    meetings = (
        sel.access_meetings(request.user)
        .annotate(
            invited=Count("participants", distinct=True),
            attended=Count("participants", filter=Q(participants__attended_at__isnull=False), distinct=True),
        )
        .order_by("-starts_at", "-id")
    )
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    can_create = access_estates(request.user, Action.MANAGE_MEETING).exists()
    return render(request, "meetings/meeting_list.html", {"page": page, "can_create": can_create})


def _fields(data: dict[str, Any]) -> services.MeetingFields:
    return services.MeetingFields(
        topic=data["topic"],
        starts_at=data["starts_at"],
        venue=data["venue"],
        duration_minutes=data["duration_minutes"],
        description=data["description"],
        livestream_url=data["livestream_url"] or "",
        entrances=list(data["entrances"]),
        campaign=data["campaign"],
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponse:
    estates = access_estates(request.user, Action.MANAGE_MEETING)
    if not estates.exists():
        raise Http404(_("未找到，或您无权查看。"))
    campaigns = access_campaigns(request.user).order_by("-id")
    form = MeetingForm(request.POST or None, estates=estates, campaigns=campaigns)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusals_on(form) as refused:
            meeting = services.meeting_create(actor=request.user, estate=data["estate"], fields=_fields(data))
            services.agenda_set(actor=request.user, meeting=meeting, items=data["agenda"])
        if not refused:
            messages.success(request, _("已安排议事会。"))
            return _redirect("meeting_detail", meeting.pk)
    if request.method == "GET":
        start = timezone.localtime().replace(hour=19, minute=0, second=0, microsecond=0) + dt.timedelta(days=7)
        form = MeetingForm(estates=estates, campaigns=campaigns, initial={"starts_at": start, "duration_minutes": 120})
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": None})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, Action.MANAGE_MEETING)
    if meeting.status == MeetingStatus.PUBLISHED:
        messages.error(request, _("纪要已公示，会议记录不能再修改。"))
        return _redirect("meeting_detail", meeting.pk)
    estates = access_estates(request.user, Action.MANAGE_MEETING)
    campaigns = access_campaigns(request.user).order_by("-id")
    initial = {
        "estate": meeting.estate,
        "topic": meeting.topic,
        "description": meeting.description,
        "starts_at": timezone.localtime(meeting.starts_at),
        "duration_minutes": meeting.duration_minutes,
        "venue": meeting.venue,
        "livestream_url": meeting.livestream_url,
        "entrances": list(meeting.entrances.all()),
        "campaign": meeting.campaign,
        "agenda": agenda_text(meeting.agenda.all()),
    }
    form = MeetingForm(
        request.POST or None, estates=estates, campaigns=campaigns, fixed_estate=meeting.estate, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusals_on(form) as refused:
            services.meeting_update(actor=request.user, meeting=meeting, fields=_fields(data))
            services.agenda_set(actor=request.user, meeting=meeting, items=data["agenda"])
        if not refused:
            messages.success(request, _("已保存。"))
            return _redirect("meeting_detail", meeting.pk)
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": meeting})


# --- the meeting page and its live questions -------------------------------------------------------


def _questions_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    vendor_ids = sel.user_vendor_ids(request.user)
    can_manage = _may(request, Action.MANAGE_MEETING, meeting)
    questions = list(sel.visible_questions(meeting))
    answerable = {
        q.pk
        for q in questions
        if meeting.status != MeetingStatus.PUBLISHED
        and ((q.addressed_to_id in vendor_ids) or (q.addressed_to_id is None and can_manage))
    }
    return {
        "meeting": meeting,
        "questions": questions,
        "answerable": answerable,
        "polling": meeting.status != MeetingStatus.PUBLISHED,
        "poll_seconds": POLL_SECONDS,
        "pending": (
            Question.objects.filter(meeting=meeting, status=QuestionStatus.PENDING).count() if can_manage else None
        ),
    }


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    can_manage = _may(request, Action.MANAGE_MEETING, meeting)
    vendors = services.meeting_vendors(meeting).order_by("name")
    context = {
        **_questions_context(request, meeting),
        "agenda": list(meeting.agenda.all()),
        "entrances": list(meeting.entrances.select_related("building").order_by("building__name", "name")),
        "pitches": list(meeting.pitches.select_related("vendor", "offer").order_by("order")),
        "attendance": sel.attendance_by_role(meeting),
        "ends_at": sel.meeting_ends_at(meeting),
        # The page itself needs VIEW_MEETING, the right that also covers the livestream; checked
        # again here so the rule stays visible where the link is rendered.
        "show_livestream": bool(meeting.livestream_url) and _may(request, Action.VIEW_MEETING, meeting),
        "embed_livestream": _https(meeting.livestream_url),
        "can_manage": can_manage,
        "can_ask": meeting.status in services.OPEN_FOR_QUESTIONS,
        "question_form": QuestionForm(vendors=vendors),
        "minutes_url": (
            reverse("meeting_minutes_notice", args=[meeting.public_id])
            if meeting.status == MeetingStatus.PUBLISHED
            else None
        ),
    }
    return render(request, "meetings/meeting_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_questions(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the questions panel (htmx polls it every POLL_SECONDS). POST: submit a question."""
    meeting = _meeting(request, pk)
    if request.method == "POST":
        form = QuestionForm(request.POST, vendors=services.meeting_vendors(meeting))
        if form.is_valid():
            _act(
                request,
                lambda: services.question_submit(
                    actor=request.user,
                    meeting=meeting,
                    text=form.cleaned_data["text"],
                    addressed_to=form.cleaned_data["addressed_to"],
                ),
                _("已提交，工作人员审核后显示。"),
            )
        else:
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return _redirect("meeting_detail", meeting.pk)
    return render(request, "meetings/_questions.html", _questions_context(request, meeting))


@login_required
@require_POST
def meeting_transition(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, Action.MANAGE_MEETING)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return _redirect("meeting_detail", meeting.pk)
    step = form.cleaned_data["step"]
    done = {"start": _("会议已开始。"), "end": _("会议已结束。")}.get(step, "")
    _act(request, lambda: services.meeting_transition(actor=request.user, meeting=meeting, step=step), done)
    return _redirect("meeting_detail", meeting.pk)


# --- participants and sign-in ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_participants(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, Action.MANAGE_MEETING)
    form = InviteForm(request.POST or None, vendors=_vendors_of(meeting))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _act(
            request,
            lambda: services.participant_invite(
                actor=request.user,
                meeting=meeting,
                role=data["role"],
                user=form.user,
                name=data["name"],
                phone=data["phone"],
                vendor=data["vendor"],
            ),
            _("已加入邀请名单。"),
        ):
            return _redirect("meeting_participants", meeting.pk)
    participants = Participant.objects.filter(meeting=meeting).select_related("vendor", "user").order_by("role", "name")
    return render(
        request,
        "meetings/meeting_participants.html",
        {
            "meeting": meeting,
            "form": form,
            "participants": participants,
            "attendance": sel.attendance_by_role(meeting),
            "editable": meeting.status != MeetingStatus.PUBLISHED,
        },
    )


@login_required
@require_POST
def participant_attendance(request: HttpRequest, pk: int, participant_id: int) -> HttpResponse:
    meeting = _meeting(request, pk, Action.MANAGE_MEETING)
    participant = get_object_or_404(Participant.objects.select_related("meeting"), pk=participant_id, meeting=meeting)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return _redirect("meeting_participants", meeting.pk)
    attended = form.cleaned_data["attended"] == "1"
    _act(
        request,
        lambda: services.attendance_mark(actor=request.user, participant=participant, attended=attended),
        _("已登记签到。") if attended else _("已取消签到。"),
    )
    return _redirect("meeting_participants", meeting.pk)


@login_required
@require_GET
def meeting_sign_in_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable sign-in sheet with the QR code, posted at the door."""
    meeting = _meeting(request, pk, Action.MANAGE_MEETING)
    link = absolute_url(request, reverse("meeting_sign_in", args=[meeting.public_id]))
    return render(request, "meetings/sign_in_qr.html", {"meeting": meeting, "link": link, "qr": qr_svg(link, scale=6)})


def _sign_in_by_phone(request: HttpRequest, meeting: Meeting, form: SignInForm) -> Participant | None:
    name = str(form.cleaned_data["name"]).strip()
    address = client_ip(request)
    if throttle_blocked_until(SIGN_IN_PER_NAME, meeting.pk, name) or throttle_blocked_until(
        SIGN_IN_PER_ADDRESS, meeting.pk, address
    ):
        form.add_error(None, _("尝试次数过多，请稍后再试或联系现场工作人员。"))
        return None
    with refusals_on(form) as refused:
        signed = services.sign_in_by_phone(meeting=meeting, name=name, phone_last4=form.cleaned_data["phone_last4"])
    if refused:
        if refused.code == "not_invited":
            throttle_fail(SIGN_IN_PER_ADDRESS, meeting.pk, address)
            throttle_fail(SIGN_IN_PER_NAME, meeting.pk, name)
        return None
    throttle_reset(SIGN_IN_PER_NAME, meeting.pk, name)  # the invitee proved the digits; the address keeps its count
    return signed


@require_http_methods(["GET", "POST"])
def meeting_sign_in(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Sign in on arrival: a logged-in invitee with one tap, anyone else with name and last four
    digits of the phone on the invitation. Failed attempts are limited per invitee and, higher, per
    client address (shared counters in the database) so the four digits cannot be guessed at the door."""
    meeting = get_object_or_404(Meeting.objects.select_related("estate"), public_id=public_id)
    user = request.user if request.user.is_authenticated else None
    invited = Participant.objects.filter(meeting=meeting, user=user).first() if user is not None else None
    form = SignInForm()
    form.cleaned_data = {}  # an unbound form takes a refusal (add_error) only with this in place
    signed: Participant | None = invited if invited is not None and invited.attended_at else None
    mode = SignInModeForm(request.POST or None)
    if request.method == "POST" and not mode.is_valid():
        form.add_error(None, _errors(mode))
    elif request.method == "POST":
        if mode.cleaned_data["mode"] == "account" and user is not None:
            with refusals_on(form):
                signed = services.sign_in_account(meeting=meeting, user=user)
        else:
            form = SignInForm(request.POST)
            if form.is_valid():
                signed = _sign_in_by_phone(request, meeting, form)
    return render(
        request,
        "meetings/sign_in.html",
        {
            "meeting": meeting,
            "form": form,
            "invited": invited,
            "signed": signed,
            "open": meeting.status in services.OPEN_FOR_SIGN_IN,
        },
    )


# --- pitches ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_pitches(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, Action.MANAGE_MEETING)
    vendors = _vendors_of(meeting)
    offers = Offer.objects.filter(vendor__in=vendors).select_related("vendor")
    if meeting.campaign_id is not None:
        offers = offers.filter(campaign_id=meeting.campaign_id)
    pitches = list(meeting.pitches.select_related("vendor", "offer").order_by("order"))
    start = timezone.localtime(meeting.starts_at)
    form = PitchForm(
        request.POST or None,
        vendors=vendors,
        offers=offers,
        initial={"order": len(pitches) + 1, "starts_at": start, "ends_at": start + dt.timedelta(minutes=10)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _act(
            request,
            lambda: services.pitch_add(
                actor=request.user,
                meeting=meeting,
                vendor=data["vendor"],
                order=data["order"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                link=data["link"] or "",
                offer=data["offer"],
            ),
            _("已安排路演。"),
        ):
            return _redirect("meeting_pitches", meeting.pk)
    return render(
        request,
        "meetings/meeting_pitches.html",
        {"meeting": meeting, "form": form, "pitches": pitches, "editable": meeting.status != MeetingStatus.PUBLISHED},
    )


@login_required
@require_POST
def pitch_remove(request: HttpRequest, pk: int, pitch_id: int) -> HttpResponse:
    meeting = _meeting(request, pk, Action.MANAGE_MEETING)
    pitch = get_object_or_404(Pitch.objects.select_related("meeting"), pk=pitch_id, meeting=meeting)
    _act(request, lambda: services.pitch_remove(actor=request.user, pitch=pitch), _("已取消路演。"))
    return _redirect("meeting_pitches", meeting.pk)


# --- moderation and answers ------------------------------------------------------------------------


@login_required
@require_GET
def meeting_moderation(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, Action.MANAGE_MEETING)
    status = request.GET.get("status", QuestionStatus.PENDING)
    if status not in QuestionStatus.values:
        status = QuestionStatus.PENDING
    questions = (
        Question.objects.filter(meeting=meeting, status=status)
        .select_related("addressed_to", "author")
        .order_by("-pinned", "created_at", "id")
    )
    page = Paginator(questions, PAGE_SIZE * 2).get_page(request.GET.get("page"))
    counts = dict(Question.objects.filter(meeting=meeting).order_by().values_list("status").annotate(n=Count("id")))
    tabs = [(value, label, counts.get(value, 0)) for value, label in QuestionStatus.choices]
    return render(
        request,
        "meetings/meeting_moderation.html",
        {
            "meeting": meeting,
            "page": page,
            "status": status,
            "tabs": tabs,
            "query": f"status={status}",
            "editable": meeting.status != MeetingStatus.PUBLISHED,
        },
    )


@login_required
@require_POST
def question_moderate(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    meeting = _meeting(request, pk, Action.MANAGE_MEETING)
    question = get_object_or_404(Question.objects.select_related("meeting"), pk=question_id, meeting=meeting)
    form = ModerateForm(request.POST)
    if form.is_valid():
        decision = form.cleaned_data["decision"]
        _act(
            request,
            lambda: services.question_moderate(actor=request.user, question=question, decision=decision),
            _("已处理。"),
        )
    elif "decision" in form.errors:
        messages.error(request, " ".join(str(e) for e in form.errors["decision"]))
    back = form.cleaned_data.get("status") or QuestionStatus.PENDING
    return HttpResponseRedirect(reverse("meeting_moderation", args=[meeting.pk]) + f"?status={back}")


@login_required
@require_http_methods(["GET", "POST"])
def question_answer(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    """A vendor's member answers a question addressed to the vendor (staff: one addressed to no one)."""
    meeting = _meeting(request, pk)
    question = get_object_or_404(
        Question.objects.select_related("meeting__estate__community__subdistrict", "addressed_to"),
        pk=question_id,
        meeting=meeting,
        status=QuestionStatus.APPROVED,
    )
    if not services.may_answer(request.user, question):
        raise PermissionDenied(_("只有被提问的品牌方可以回答此问题。"))
    form = AnswerForm(request.POST or None, initial={"answer": question.answer})
    if (
        request.method == "POST"
        and form.is_valid()
        and _act(
            request,
            lambda: services.question_answer(actor=request.user, question=question, text=form.cleaned_data["answer"]),
            _("已回答。"),
        )
    ):
        return _redirect("meeting_detail", meeting.pk)
    return render(request, "meetings/question_answer.html", {"meeting": meeting, "question": question, "form": form})


# --- minutes ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, Action.MANAGE_MEETING)
    if meeting.status == MeetingStatus.PUBLISHED:
        return HttpResponseRedirect(reverse("meeting_minutes_notice", args=[meeting.public_id]))
    motions = Motion.objects.filter(estate=meeting.estate).order_by("-created_at", "-id")
    form = MinutesForm(request.POST or None, motions=motions, initial={"conclusions": meeting.conclusions})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _act(
            request,
            lambda: services.minutes_publish(
                actor=request.user, meeting=meeting, conclusions=data["conclusions"], motions=data["motions"]
            ),
            _("纪要已公示。"),
        ):
            return HttpResponseRedirect(reverse("meeting_minutes_notice", args=[meeting.public_id]))
    return render(
        request,
        "meetings/meeting_minutes_form.html",
        {**_minutes_context(meeting), "form": form, "ready": meeting.status == MeetingStatus.ENDED},
    )


def _minutes_context(meeting: Meeting, *, public: bool = False) -> dict[str, Any]:
    """What the minutes show: counts by role, pitches, approved questions and their answers; never
    the livestream address or a phone. The staff's page names those who attended with their role;
    the public notice (`public`) names no one: attendance by role and number (业主代表 23 人、业委会
    3 人), and residents' questions and the answers masked (core.masking), since a notice is posted
    and shared (Personal Information Protection Law Art. 6: no more than the purpose needs)."""
    attendance = sel.attendance_by_role(meeting)
    return {
        "meeting": meeting,
        "public": public,
        "attendance": attendance,
        "attended_total": sum(r.attended for r in attendance),
        "invited_total": sum(r.invited for r in attendance),
        "attended_by_role": [r for r in attendance if r.attended],
        "attendees": []
        if public
        else list(
            Participant.objects.filter(meeting=meeting, attended_at__isnull=False)
            .select_related("vendor")
            .only("name", "role", "vendor__name", "attended_at")
            .order_by("role", "name")
        ),
        "pitches": list(meeting.pitches.select_related("vendor", "offer").order_by("order")),
        "questions": list(sel.visible_questions(meeting)),
        "agenda": list(meeting.agenda.all()),
        "ends_at": sel.meeting_ends_at(meeting),
    }


@require_GET
def meeting_minutes_notice(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The public minutes notice (会议纪要公示), printable on A4. No login: it is meant to be posted
    and shared; it exists only once published."""
    meeting = get_object_or_404(
        Meeting.objects.select_related("estate__community").prefetch_related(
            Prefetch("motions", queryset=Motion.objects.order_by("created_at", "id"))
        ),
        public_id=public_id,
        status=MeetingStatus.PUBLISHED,
    )
    link = absolute_url(request, reverse("meeting_minutes_notice", args=[meeting.public_id]))
    return render(
        request,
        "meetings/minutes_notice.html",
        {
            **_minutes_context(meeting, public=True),
            "link": link,
            "qr": qr_svg(link),
            "motions": list(meeting.motions.all()),
        },
    )
