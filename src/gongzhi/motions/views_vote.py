"""The owner's voting page behind a personal link (/v/<token>/), and the printable sheets.

No login for owners: the link printed on their sheet (and its QR code) identifies the voter, and a
one-time code sent to the phone on record proves it is them before a ballot is accepted (Hangzhou
物业管理条例 (2021) Art. 20: electronic voting is the norm, paper ballots on request). The flow works
without JavaScript (plain forms, Post/Redirect/Get), so it runs in WeChat's built-in browser and on
weak phones; Django's CSRF protection covers every form.

The page never shows another owner's data: only the motion, this voter's own apartments and a
masked phone number. The voter's own choice is shown only after the code is confirmed, so a
sheet left on a table does not reveal how its owner voted.

The apps above add their panels through motions.hooks (register_vote_panel): for an entrance's
three renewal decisions, renewals links the owner's two other motions, puts the offers of a choice
motion side by side and shows the owner's own share of the funding plan (renewals.vote_panels).
One confirmed code opens every motion put together with this one (services.sibling_sessions_issue).

parse → access check → service → render (DESIGN.md convention 2); all rules (voting window,
rate limits, idempotent retries) live in motions.services.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, get_args

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gongzhi.core.errors import AccessDeniedError, DomainError
from gongzhi.core.forms import refusals_flashed
from gongzhi.core.qr import absolute_url, qr_svg
from gongzhi.motions import codes, hooks, services
from gongzhi.motions.forms import VoteCastForm, VoteCodeForm, errors_text
from gongzhi.motions.models import (
    BallotVersion,
    Motion,
    MotionKind,
    MotionResult,
    MotionStatus,
    RollEntry,
    Voter,
)
from gongzhi.motions.selectors import access_motions, choice_list, options_shown
from gongzhi.motions.views_notice import rule_text
from gongzhi.places.access import Action

# {str(voter.pk): SHA-256 of the session token from services.code_confirm}. Only the hash, as in
# VoterSession: a copy of the django_session table must not hold tokens that cast ballots.
SESSION_KEY = "gz_voter_sessions"
CODE_SENT_KEY = "gz_voter_codes_sent"  # [voter.pk, …] whose code was requested in this browser
SHEETS_PER_PAGE = 100  # one QR code costs a few ms: 100 sheets render well under a second


# --- the voter's page --------------------------------------------------------------------------


def _voter(token: str) -> Voter:
    return services.voter_for_link(token)  # an unknown link: NotFoundError, the 404 page (core.middleware)


def phase_of(motion: Motion, now: dt.datetime) -> str:
    """Where the vote stands for an owner: open, not_open (yet), closed or cancelled.

    The closing time is decided here as in services._common.check_window: voting ends exactly at
    closes_at, whether or not the closing task has run yet."""
    if motion.status == MotionStatus.CANCELLED:
        return "cancelled"
    if motion.status == MotionStatus.CLOSED or now >= motion.closes_at:
        return "closed"
    if motion.status != MotionStatus.OPEN or now < motion.opens_at:
        return "not_open"
    return "open"


def _session_hash(request: HttpRequest, voter: Voter) -> str | None:
    """The hash of the voter's confirmed session in this browser, if still valid (else forgotten)."""
    hashes: dict[str, str] = request.session.get(SESSION_KEY, {})
    token_hash = hashes.get(str(voter.pk))
    if not token_hash:
        return None
    try:
        verified = services.voter_for_session_hash(token_hash)
    except AccessDeniedError:
        _forget(request, voter)
        return None
    return token_hash if verified.pk == voter.pk else None


def _forget(request: HttpRequest, voter: Voter) -> None:
    tokens = dict(request.session.get(SESSION_KEY, {}))
    if tokens.pop(str(voter.pk), None) is not None:
        request.session[SESSION_KEY] = tokens


def _code_sent(request: HttpRequest, voter: Voter) -> bool:
    return voter.pk in request.session.get(CODE_SENT_KEY, [])


# The page's panel slots (hooks.VotePanel.slot), each a list of rendered panels.
PANEL_SLOTS = get_args(hooks.PanelSlot)


def _panels(request: HttpRequest, page: hooks.VotePage) -> dict[str, list[SafeString]]:
    """The registered providers' panels for this page, rendered, by slot (hooks.vote_panels)."""
    rendered: dict[str, list[SafeString]] = {slot: [] for slot in PANEL_SLOTS}
    for panel in hooks.vote_panels(page):
        rendered[panel.slot].append(render_to_string(panel.template, panel.context, request=request))
    return rendered


def _page_context(request: HttpRequest, voter: Voter, token: str) -> dict[str, Any]:
    motion = voter.motion
    now = timezone.now()
    phase = phase_of(motion, now)
    session_hash = _session_hash(request, voter) if phase == "open" else None
    current = BallotVersion.objects.filter(voter=voter, version=voter.version).first() if voter.version else None
    entries = list(RollEntry.objects.filter(motion=motion, voter=voter))
    notice_url = None
    if phase == "closed" and MotionResult.objects.filter(motion=motion).exists():
        notice_url = reverse("motion_notice", args=[motion.public_id])
    choices = choice_list(motion)
    labels = dict(choices)
    cards = options_shown(motion)
    page = hooks.VotePage(motion=motion, voter=voter, token=token, entries=entries, options=cards)
    return {
        "voter": voter,
        "motion": motion,
        "estate": motion.estate,
        "token": token,
        "phase": phase,
        "verified": session_hash is not None,
        "code_sent": _code_sent(request, voter),
        "masked_phone": services.masked_phone(voter.phone) if voter.phone else "",
        "entries": entries,
        "total_area": sum((e.area for e in entries), Decimal("0.00")),
        "rule": rule_text(motion),
        "current": current,
        "choices": choices,
        "choice_labels": labels,
        "current_label": labels.get(current.choice, current.choice) if current is not None else "",
        "choice_mode": motion.kind == MotionKind.CHOICE,
        "option_cards": cards,
        "request_key": uuid.uuid4().hex,
        "notice_url": notice_url,
        "panels": _panels(request, page),
    }


@never_cache
def vote_link(request: HttpRequest, token: str) -> HttpResponse:
    """Step 1-3 on one page: get a code, confirm it, choose. What shows depends on the state."""
    services.motions_close_due()
    voter = _voter(token)
    return render(request, "motions/vote.html", _page_context(request, voter, token))


def _back(token: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("vote_link", args=[token]))


@never_cache
@require_POST
def vote_code_send(request: HttpRequest, token: str) -> HttpResponse:
    voter = _voter(token)
    with refusals_flashed(request) as refused:
        services.code_send(voter=voter)
    if refused:
        if refused.code not in {"code_too_soon", "code_rate_limited"}:  # else a recent code may still be valid
            return _back(token)
    else:
        messages.success(
            request,
            _("验证码已发送至 %(phone)s，10 分钟内有效。") % {"phone": services.masked_phone(voter.phone)},
        )
    sent = [pk for pk in request.session.get(CODE_SENT_KEY, []) if pk != voter.pk]
    request.session[CODE_SENT_KEY] = [*sent[-9:], voter.pk]
    return _back(token)


@never_cache
@require_POST
def vote_code_confirm(request: HttpRequest, token: str) -> HttpResponse:
    voter = _voter(token)
    form = VoteCodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_text(form))
        return _back(token)
    with refusals_flashed(request) as refused:
        session_token = services.code_confirm(voter=voter, code=form.cleaned_data["code"])
    if refused:
        return _back(token)
    hashes = dict(request.session.get(SESSION_KEY, {}))
    hashes[str(voter.pk)] = codes.sha256_hex(session_token)
    # One code for the entrance's three decisions: the same owner in the sibling motions.
    siblings = services.sibling_sessions_issue(voter=voter)
    for sibling_pk, sibling_token in siblings.items():
        hashes[str(sibling_pk)] = codes.sha256_hex(sibling_token)
    request.session[SESSION_KEY] = hashes
    request.session.cycle_key()  # a new session id once the browser holds a voting right
    if siblings:
        messages.success(request, _("验证成功，请选择您的意见。本单元的其他表决事项无需再次验证。"))
    else:
        messages.success(request, _("验证成功，请选择您的意见。"))
    return _back(token)


@never_cache
@require_POST
def vote_cast(request: HttpRequest, token: str) -> HttpResponse:
    """Record the choice, then show the confirmation (with the form again: the vote may be
    changed until closing; every version is kept). A resubmitted form carries the same
    request_key, so it returns the version already recorded instead of adding one."""
    voter = _voter(token)
    session_hash = _session_hash(request, voter)
    if session_hash is None:
        messages.error(request, _("验证已过期，请重新获取验证码。"))
        return _back(token)
    form = VoteCastForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_text(form))
        return _back(token)
    try:
        result = services.ballot_cast_online(
            session_hash=session_hash,
            choice=form.cleaned_data["choice"],
            request_key=form.cleaned_data["request_key"],
        )
    except AccessDeniedError as exc:
        _forget(request, voter)
        messages.error(request, exc.message)
        return _back(token)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(token)
    voter.refresh_from_db(fields=["choice", "version"])
    context = _page_context(request, voter, token)
    context.update(
        {
            "cast": result.version,
            "created": result.created,
            "cast_label": context["choice_labels"].get(result.version.choice, result.version.choice),
        }
    )
    return render(request, "motions/vote_done.html", context)


# --- printable sheets ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    voter: Voter
    entries: list[RollEntry]
    url: str
    qr: SafeString


def parse_numbers(text: str) -> tuple[int, int] | None:
    """Parse "1-20" or "7" as an inclusive range of sheet numbers; anything else → None."""
    text = text.strip().replace("—", "-").replace("–", "-").replace("~", "-")
    low, sep, high = text.partition("-")
    try:
        first = int(low)
        last = int(high) if sep else first
    except ValueError:
        return None
    if first < 1 or last < first:
        return None
    return first, last


@login_required
def motion_sheets(request: HttpRequest, pk: int) -> HttpResponse:
    """One A4 sheet per voter: personal link and QR code, and a paper ballot (纸质表决票) for those
    who vote on paper (Hangzhou 物业管理条例 Art. 20). Needs MANAGE_MOTION: the sheets carry every
    voter's secret link."""
    motion: Motion = get_object_or_404(access_motions(request.user), pk=pk)
    if not request.user.has_perm(f"places.{Action.MANAGE_MOTION.value}", motion):
        raise PermissionDenied(_("您无权打印表决票。"))
    voters = Voter.objects.filter(motion=motion).order_by("number")
    only_paper = request.GET.get("only") == "paper"
    if only_paper:
        voters = voters.filter(paper_requested=True)
    numbers_text = request.GET.get("numbers", "").strip()
    numbers_error = ""
    if numbers_text:
        numbers = parse_numbers(numbers_text)
        if numbers is None:
            numbers_error = _("编号范围应写成“1-20”或单个编号。")
        else:
            voters = voters.filter(number__gte=numbers[0], number__lte=numbers[1])
    voters = voters.prefetch_related(
        Prefetch("roll_entries", queryset=RollEntry.objects.order_by("building_name", "entrance_name", "floor", "room"))
    )
    page = Paginator(voters, SHEETS_PER_PAGE).get_page(request.GET.get("page"))
    public_id = str(motion.public_id)
    sheets = []
    for voter in page:
        url = absolute_url(request, reverse("vote_link", args=[codes.voter_token(voter.pk, public_id)]))
        sheets.append(Sheet(voter, list(voter.roll_entries.all()), url, qr_svg(url)))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "motions/sheets.html",
        {
            "motion": motion,
            "choices": choice_list(motion),
            "choice_mode": motion.kind == MotionKind.CHOICE,
            "estate": motion.estate,
            "sheets": sheets,
            "page": page,
            "query": query.urlencode(),
            "only_paper": only_paper,
            "numbers": numbers_text,
            "numbers_error": numbers_error,
            "drafted": motion.status == MotionStatus.DRAFT,
        },
    )


# --- the Excel of ballots --------------------------------------------------------------------------


@login_required
def motion_ballots_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Per-apartment ballots of a closed motion (open or anonymised per motion.anonymous)."""
    from gongzhi.motions.exports import XLSX_CONTENT_TYPE, ballots_file_name, ballots_workbook

    motion: Motion = get_object_or_404(access_motions(request.user), pk=pk)
    if not request.user.has_perm(f"places.{Action.VIEW_VOTERS.value}", motion):
        raise PermissionDenied(_("您无权查看表决明细。"))
    if motion.status != MotionStatus.CLOSED or not MotionResult.objects.filter(motion=motion).exists():
        raise Http404(_("表决结束并计票后才能下载选票明细。"))
    response = HttpResponse(ballots_workbook(motion), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{ballots_file_name(motion)}"
    return response
