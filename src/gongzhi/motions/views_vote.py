"""The owner's voting page behind a personal link (/v/<token>/), and the printable sheets.

No login for owners: the link printed on their sheet (and its QR code) identifies the voter, and a
one-time code sent to the phone on record proves it is them before a ballot is accepted (Hangzhou
物业管理条例 (2021) Art. 20: electronic voting is the norm, paper ballots on request). The flow works
without JavaScript (plain forms, Post/Redirect/Get), so it runs in WeChat's built-in browser and on
weak phones; Django's CSRF protection covers every form.

The page never shows another owner's data: only the motion, this voter's own apartments and a
masked phone number. The voter's own choice is shown only after the code is confirmed, so a
sheet left on a table does not reveal how its owner voted.

When the motion is one of an entrance's three renewal decisions (renewals.Consultation: replace
or not, which offer, the funding plan; issue 4), the page also links the owner's two other motions
(one confirmed code opens all three), puts the offers of a choice motion side by side, and shows
the owner's own share of the funding plan, so owners see what each decision costs them before
voting. Only the voter's own apartments' shares are shown, never another apartment's.

parse → access check → service → render (DESIGN.md convention 2); all rules (voting window,
rate limits, idempotent retries) live in motions.services.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gongzhi.core.errors import AccessDeniedError, DomainError, NotFoundError
from gongzhi.motions import codes, services
from gongzhi.motions.forms import VoteCastForm, VoteCodeForm, errors_text
from gongzhi.motions.models import (
    BallotVersion,
    Motion,
    MotionKind,
    MotionOption,
    MotionResult,
    MotionStatus,
    RollEntry,
    Voter,
    option_choice,
)
from gongzhi.motions.qr import absolute_url, qr_svg
from gongzhi.motions.selectors import access_motions, choice_list
from gongzhi.motions.views_notice import rule_text
from gongzhi.places.access import Action

# {str(voter.pk): SHA-256 of the session token from services.code_confirm}. Only the hash, as in
# VoterSession: a copy of the django_session table must not hold tokens that cast ballots.
SESSION_KEY = "gz_voter_sessions"
CODE_SENT_KEY = "gz_voter_codes_sent"  # [voter.pk, …] whose code was requested in this browser
SHEETS_PER_PAGE = 100  # one QR code costs a few ms: 100 sheets render well under a second


# --- the voter's page --------------------------------------------------------------------------


def _voter(token: str) -> Voter:
    try:
        return services.voter_for_link(token)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc


def phase_of(motion: Motion, now: dt.datetime) -> str:
    """Where the vote stands for an owner: open, not_open (yet), closed or cancelled.

    The closing time is decided here as in services._check_window: voting ends exactly at
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


@dataclass(frozen=True)
class OptionCard:
    """One option on the voter's page, with the offer it stands for (brand, model, price per
    elevator) so owners see what each option costs before choosing (issue 4)."""

    position: int
    choice: str
    label: str
    offer: Any  # renewals.Offer or None
    compare_url: str | None


def _compare_url(campaign_id: int) -> str | None:
    """The side-by-side offers page of the campaign, if the renewals pages are installed."""
    try:
        return reverse("offer_compare", args=[campaign_id])
    except NoReverseMatch:
        return None


def option_cards(motion: Motion) -> list[OptionCard]:
    """The options of a choice motion in order (one query, offers joined); [] for a question."""
    if motion.kind != MotionKind.CHOICE:
        return []
    urls: dict[int, str | None] = {}
    cards = []
    for option in MotionOption.objects.filter(motion=motion).select_related("offer__vendor").order_by("position"):
        offer = option.offer
        url = None
        if offer is not None:
            if offer.campaign_id not in urls:
                urls[offer.campaign_id] = _compare_url(offer.campaign_id)
            url = urls[offer.campaign_id]
        cards.append(OptionCard(option.position, option_choice(option.position), option.label, offer, url))
    return cards


# --- the three decisions of a renewal consultation -------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One of the three decisions in the page's "三项表决" navigation."""

    label: str
    title: str
    url: str | None  # the voter's personal link there (None: not on that roll)
    voted: bool
    current: bool


@dataclass(frozen=True)
class CompareCell:
    text: str
    best: bool


@dataclass(frozen=True)
class CompareLine:
    key: str
    label: str
    cells: list[CompareCell]
    differs: bool


@dataclass(frozen=True)
class ShareLine:
    """One of the voter's own apartments with its share of the owners' part of the plan."""

    label: str
    area: Decimal
    amount: str | None  # None: the apartment is no longer in the registry
    exempt: bool


def money(value: Decimal) -> str:
    """265000.00 as "265,000.00": yuan to the fen, thousands separated (as on the plan page)."""
    return f"{value:,.2f}"


def _cell_text(key: str, value: Any) -> str:
    if value in ("", None):
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if key == "price_per_elevator":
        return money(value)
    return str(value)


def offer_comparison(cards: list[OptionCard]) -> list[CompareLine]:
    """The options' offers side by side (renewals.selectors.compare_offers): one column per option,
    rows whose values differ flagged, the best value of each marked. [] unless two or more
    options stand for offers. No query: the offers came with the options."""
    from gongzhi.renewals.models import Offer
    from gongzhi.renewals.selectors import compare_offers

    offers = [c.offer for c in cards if c.offer is not None]
    if len(offers) < 2:
        return []
    return [
        CompareLine(
            key=row.key,
            label=str(getattr(Offer._meta.get_field(row.key), "verbose_name", row.key)),
            cells=[CompareCell(_cell_text(row.key, value), i in row.best) for i, value in enumerate(row.values)],
            differs=row.differs,
        )
        for row in compare_offers(offers)
    ]


def _steps(voter: Voter, token: str, consultation: Any, siblings: list[Voter]) -> list[Step]:
    by_motion = {s.motion_id: s for s in siblings}
    labels = (_("一、换不换"), _("二、换什么"), _("三、怎么换"))
    steps = []
    for label, motion in zip(labels, consultation.motions, strict=True):
        if motion.pk == voter.motion_id:
            steps.append(Step(label, motion.title, reverse("vote_link", args=[token]), bool(voter.choice), True))
            continue
        sibling = by_motion.get(motion.pk)
        url = (
            reverse("vote_link", args=[codes.voter_token(sibling.pk, str(motion.public_id))])
            if sibling is not None
            else None
        )
        steps.append(Step(label, motion.title, url, bool(sibling and sibling.choice), False))
    return steps


def _share_context(entries: list[RollEntry], plan: Any) -> dict[str, Any]:
    """The voter's own apartments with their shares (renewals.services.plan_shares, one query),
    and the plan's totals: what the works cost, what subsidies and funds cover, what remains for
    the owners, and how it is split (Civil Code Art. 283 when by area)."""
    from gongzhi.renewals.apportionment import ApportionInputError
    from gongzhi.renewals.services import plan_shares

    try:
        amounts = {apartment.pk: amount for apartment, amount in plan_shares(plan)}
    except ApportionInputError:
        # The registry changed since the plan was made (e.g. a floor outside its coefficient
        # table): say so rather than fail the voting page.
        return {"plan": plan, "share_error": True}
    exempt = {int(a) for a in plan.exempt}
    lines = []
    own_total = Decimal("0.00")
    for entry in entries:
        amount = amounts.get(entry.apartment_id) if entry.apartment_id is not None else None
        if amount is not None:
            own_total += amount
        lines.append(
            ShareLine(
                f"{entry.building_name}{entry.entrance_name}{entry.room}",
                entry.area,
                money(amount) if amount is not None else None,
                entry.apartment_id in exempt,
            )
        )
    subsidies = [(str(line.get("name", "")), money(Decimal(str(line.get("amount", "0"))))) for line in plan.subsidies]
    return {
        "plan": plan,
        "share_lines": lines,
        "share_total": money(own_total),
        "plan_total": money(plan.works_cost * plan.elevators),
        "plan_subsidies": subsidies,
        "plan_maintenance_fund": money(plan.maintenance_fund),
        "plan_public_revenue": money(plan.public_revenue),
        "plan_owners_total": money(plan.owners_total),
    }


def _consultation_context(voter: Voter, token: str, entries: list[RollEntry]) -> dict[str, Any]:
    """The consultation's part of the page in a fixed number of queries (the consultation with its
    plan and motions, the sibling voters, the entrance's apartments for the shares)."""
    consultation = services.consultation_of(voter.motion)
    if consultation is None:
        return {"consultation": None}
    siblings = services.sibling_voters(voter, consultation=consultation)
    steps = _steps(voter, token, consultation, siblings)
    return {
        "consultation": consultation,
        "steps": steps,
        "next_step": next((s for s in steps if not s.voted and not s.current and s.url), None),
        **_share_context(entries, consultation.plan),
    }


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
    cards = option_cards(motion)
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
        "compare_url": next((c.compare_url for c in cards if c.compare_url), None),
        "comparison": offer_comparison(cards),
        "compared_cards": [c for c in cards if c.offer is not None],
        "request_key": uuid.uuid4().hex,
        "notice_url": notice_url,
        **_consultation_context(voter, token, entries),
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
    try:
        services.code_send(voter=voter)
    except DomainError as exc:
        messages.error(request, exc.message)
        if exc.code not in {"code_too_soon", "code_rate_limited"}:  # else a recent code may still be valid
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
    try:
        session_token = services.code_confirm(voter=voter, code=form.cleaned_data["code"])
    except DomainError as exc:
        messages.error(request, exc.message)
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
