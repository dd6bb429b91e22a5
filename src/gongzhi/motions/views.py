"""Staff pages of owners' motions: the list, creating a motion, its detail with the live tally,
the voters and the door-knocking list. Paper ballots (requests, double entry, mismatches) and
proxy votes are in views_entry.py.

parse → access check → service → render (DESIGN.md convention 2). A motion is looked up through
selectors.access_motions (404 outside the user's scope, so the page does not reveal that it
exists); pages for those who run the vote then check the finer action (403 inside the scope).
Legal frame: Civil Code Art. 278 and Art. 1259 (thresholds, see motions.thresholds), Hangzhou
物业管理条例 (2021) Art. 19-20 (notice and voting periods, paper ballots on request).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import OuterRef, Prefetch, Q, Subquery, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.forms import refusals_flashed, refusals_on
from gongzhi.core.params import parse_id
from gongzhi.motions import selectors as sel
from gongzhi.motions import services
from gongzhi.motions import thresholds as th
from gongzhi.motions.forms import (
    CancelForm,
    MotionForm,
    MotionRuleForm,
    VoterFilterForm,
    errors_text,
)
from gongzhi.motions.models import (
    BallotVersion,
    Channel,
    Motion,
    MotionKind,
    MotionStatus,
    RollEntry,
    ScopeKind,
    Voter,
)
from gongzhi.places.access import Action
from gongzhi.places.selectors import access_estates

PAGE_SIZE = 50
DOOR_KNOCKING_LIMIT = 1000
_HUNDRED = Decimal(100)
_ONE_PLACE = Decimal("0.1")


# --- helpers ------------------------------------------------------------------------------------


def _may(request: HttpRequest, action: Action, motion: Motion) -> bool:
    return bool(request.user.has_perm(f"places.{action.value}", motion))


def _motion_in_scope(request: HttpRequest, pk: int, action: Action | None = None) -> Motion:
    """The motion if the user may see it (else 404) and, when given, perform `action` on it (else 403)."""
    motion: Motion = get_object_or_404(
        sel.access_motions(request.user).select_related("scope_building", "scope_entrance__building"), pk=pk
    )
    if action is not None and not _may(request, action, motion):
        raise PermissionDenied(_("您无权执行此操作。"))
    return motion


def _close_due() -> None:
    """Close overdue motions lazily, so a page never shows an open vote after its closing time
    even if the worker has not run (Art. 278 counts only votes cast within the announced period)."""
    services.motions_close_due()


def _maybe_url(name: str, *args: Any) -> str | None:
    """A link to a page that may not be installed yet (the printable sheets, notice and workbook)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _percent(part: Decimal | int, whole: Decimal | int) -> Decimal:
    if not whole:
        return Decimal("0.0")
    value = (Decimal(part) * _HUNDRED / Decimal(whole)).quantize(_ONE_PLACE)
    return min(value, Decimal("100.0"))


def _fraction_percent(fraction: Fraction) -> Decimal:
    return (Decimal(fraction.numerator) * _HUNDRED / Decimal(fraction.denominator)).quantize(_ONE_PLACE)


def threshold_text(threshold: th.Threshold) -> str:
    """Threshold ">=2/3" as "≥ 2/3（含本数）", ">1/2" as "> 1/2（不含本数）" (Civil Code Art. 1259:
    "以上" includes the number, "过半数" does not)."""
    p, q = threshold.fraction.numerator, threshold.fraction.denominator
    if threshold.inclusive:
        return _("≥ %(p)s/%(q)s（含本数）") % {"p": p, "q": q}
    return _("> %(p)s/%(q)s（不含本数）") % {"p": p, "q": q}


@dataclasses.dataclass(frozen=True)
class Bar:
    """One of the four bars of the live tally: a share against its threshold."""

    key: str
    label: str
    value_text: str
    percent: str  # "62.5": for the width and aria-valuenow (text, so no locale formatting applies)
    threshold_percent: str
    threshold_text: str
    met: bool
    still_needed: str


def _area_text(area: Decimal) -> str:
    return f"{area:.2f}"


def _amounts(owners: int, area: Decimal) -> str:
    """Amounts such as 2 位业主、106.67 m², leaving out a measure that needs nothing more."""
    parts = []
    if owners:
        parts.append(_("%(n)s 位业主") % {"n": owners})
    if area:
        parts.append(f"{_area_text(area)} m²")
    return "、".join(parts) or _("0 位业主")


def needed(owners: int | None, area: Decimal | None, verb: str) -> str:
    if owners is not None:
        return _("已达到") if owners == 0 else _("还需 %(n)s 人%(verb)s") % {"n": owners, "verb": verb}
    assert area is not None  # noqa: S101 - one of the two is given
    return _("已达到") if area == 0 else _("还需 %(a)s m²%(verb)s") % {"a": _area_text(area), "verb": verb}


def _participation_bars(rule: th.VotingRule, total: th.Figures, part: th.Figures, need_p: th.Figures) -> list[Bar]:
    take_part = _("参与")
    return [
        Bar(
            "participation-area",
            _("参与面积"),
            _("%(a)s / %(t)s m²") % {"a": _area_text(part.area), "t": _area_text(total.area)},
            str(_percent(part.area, total.area)),
            str(_fraction_percent(rule.participation_area.fraction)),
            threshold_text(rule.participation_area),
            rule.participation_area.met(part.area, total.area),
            needed(None, need_p.area, take_part),
        ),
        Bar(
            "participation-owners",
            _("参与人数"),
            _("%(n)s / %(t)s 人") % {"n": part.owners, "t": total.owners},
            str(_percent(part.owners, total.owners)),
            str(_fraction_percent(rule.participation_owners.fraction)),
            threshold_text(rule.participation_owners),
            rule.participation_owners.met(part.owners, total.owners),
            needed(need_p.owners, None, take_part),
        ),
    ]


def _participation_sentence(quorum_met: bool, need_p: th.Figures) -> str:
    if quorum_met:
        return _("参与门槛已达到。")
    return _("还需至少 %(what)s 参与表决，才达到参与门槛。") % {"what": _amounts(need_p.owners, need_p.area)}


@dataclasses.dataclass(frozen=True)
class OptionBars:
    """One option of a choice motion on the live tally: its two approval bars."""

    position: int
    choice: str
    label: str
    adopted: bool
    approved: bool
    bars: list[Bar]


def choice_tally_view_model(motion: Motion, outcome: sel.ChoiceOutcome) -> dict[str, Any]:
    """The live tally of a choice motion: participation bars as for a question, then one pair of
    bars per option (its share of the participating area and heads, with the approval threshold
    marked). An option is adopted only when it meets the approval thresholds and participation
    is met (selectors.choice_tally); a plurality alone is not enough (Civil Code Art. 278)."""
    rule = outcome.rule
    total, part = outcome.total, outcome.participating
    anyone = part.owners > 0
    choose = _("选择")
    groups = []
    for option in outcome.options:
        mine, need = option.figures, option.outcome.still_needed.approval
        key = f"option-{option.position}"
        groups.append(
            OptionBars(
                option.position,
                option.choice,
                option.label,
                option.adopted,
                option.approved,
                [
                    Bar(
                        f"{key}-area",
                        _("选择面积（占参与面积）"),
                        _("%(a)s / %(t)s m²") % {"a": _area_text(mine.area), "t": _area_text(part.area)},
                        str(_percent(mine.area, part.area)),
                        str(_fraction_percent(rule.approval_area.fraction)),
                        threshold_text(rule.approval_area),
                        anyone and rule.approval_area.met(mine.area, part.area),
                        needed(None, need.area, choose),
                    ),
                    Bar(
                        f"{key}-owners",
                        _("选择人数（占参与人数）"),
                        _("%(n)s / %(t)s 人") % {"n": mine.owners, "t": part.owners},
                        str(_percent(mine.owners, part.owners)),
                        str(_fraction_percent(rule.approval_owners.fraction)),
                        threshold_text(rule.approval_owners),
                        anyone and rule.approval_owners.met(mine.owners, part.owners),
                        needed(need.owners, None, choose),
                    ),
                ],
            )
        )
    adopted = outcome.adopted
    if adopted is not None:
        approval_sentence = _("方案%(n)s“%(label)s”已获参与表决面积和人数的多数选择。") % {
            "n": adopted.position,
            "label": adopted.label,
        }
    else:
        approval_sentence = _("须有一个方案获得参与表决面积和人数均达到同意门槛的业主选择才算选定；只是票数最多不算。")
    return {
        "choice_mode": True,
        "bars": _participation_bars(rule, total, part, outcome.participation_needed),
        "option_groups": groups,
        "participation_sentence": _participation_sentence(outcome.quorum_met, outcome.participation_needed),
        "approval_sentence": approval_sentence,
        "counts": [
            *(
                (_("方案%(n)s：%(label)s") % {"n": o.position, "label": o.label}, o.choice, o.figures)
                for o in outcome.options
            ),
            (_("弃权"), "abstain", outcome.abstain),
        ],
        "not_voted": th.Figures.of(total.hundredths - part.hundredths, total.owners - part.owners),
    }


def tally_view_model(motion: Motion, outcome: th.Tally) -> dict[str, Any]:
    """The bars and the "still needed" sentences of an outcome, ready for the template."""
    rule = outcome.rule
    total, part, agree = outcome.total, outcome.participating, outcome.for_
    need_p, need_a = outcome.still_needed.participation, outcome.still_needed.approval
    anyone = part.owners > 0
    agree_verb = _("同意")
    bars = [
        *_participation_bars(rule, total, part, need_p),
        Bar(
            "approval-area",
            _("同意面积（占参与面积）"),
            _("%(a)s / %(t)s m²") % {"a": _area_text(agree.area), "t": _area_text(part.area)},
            str(_percent(agree.area, part.area)),
            str(_fraction_percent(rule.approval_area.fraction)),
            threshold_text(rule.approval_area),
            anyone and rule.approval_area.met(agree.area, part.area),
            needed(None, need_a.area, agree_verb),
        ),
        Bar(
            "approval-owners",
            _("同意人数（占参与人数）"),
            _("%(n)s / %(t)s 人") % {"n": agree.owners, "t": part.owners},
            str(_percent(agree.owners, part.owners)),
            str(_fraction_percent(rule.approval_owners.fraction)),
            threshold_text(rule.approval_owners),
            anyone and rule.approval_owners.met(agree.owners, part.owners),
            needed(need_a.owners, None, agree_verb),
        ),
    ]
    participation_sentence = _participation_sentence(outcome.quorum_met, need_p)
    if outcome.approved:
        approval_sentence = _("同意门槛已达到。")
    else:
        approval_sentence = _("还需至少 %(what)s 同意，才达到同意门槛（按新参与的业主均投同意计）。") % {
            "what": _amounts(need_a.owners, need_a.area)
        }
    return {
        "bars": bars,
        "participation_sentence": participation_sentence,
        "approval_sentence": approval_sentence,
        "counts": [
            (_("同意"), "for", outcome.for_),
            (_("反对"), "against", outcome.against),
            (_("弃权"), "abstain", outcome.abstain),
        ],
        "not_voted": th.Figures.of(total.hundredths - part.hundredths, total.owners - part.owners),
    }


def _outcome(motion: Motion) -> th.Tally | sel.ChoiceOutcome | None:
    """The tally now, or None before the roll is frozen (a draft has no voters to count)."""
    if motion.status == MotionStatus.DRAFT:
        return None
    try:
        return sel.motion_outcome(motion)
    except th.TallyInputError:
        return None


def _tally_context(motion: Motion) -> dict[str, Any]:
    outcome = _outcome(motion)
    now = timezone.now()
    context: dict[str, Any] = {
        "motion": motion,
        "outcome": outcome,
        "polling": sel.voting_open(motion, now) or (motion.status == MotionStatus.OPEN and now < motion.opens_at),
        "tally_url": reverse("motion_tally_fragment", args=[motion.pk]),
        "updated_at": now,
    }
    if isinstance(outcome, sel.ChoiceOutcome):
        context.update(choice_tally_view_model(motion, outcome))
    elif outcome is not None:
        context.update(tally_view_model(motion, outcome))
    return context


def _rule_rows(motion: Motion) -> list[tuple[str, str]]:
    rule = services.motion_rule(motion)
    return [
        (_("参与面积"), threshold_text(rule.participation_area)),
        (_("参与人数"), threshold_text(rule.participation_owners)),
        (_("同意面积"), threshold_text(rule.approval_area)),
        (_("同意人数"), threshold_text(rule.approval_owners)),
    ]


RULE_SOURCES = {
    th.PRESET_ORDINARY: gettext_lazy("《民法典》第二百七十八条第二款（一般事项）"),
    th.PRESET_SPECIAL: gettext_lazy("《民法典》第二百七十八条第一款第六至八项、第二款（特别事项）"),
}


def rule_source(motion: Motion) -> str:
    source = RULE_SOURCES.get(motion.rule_preset)
    return str(source) if source is not None else _("自定义门槛")


def scope_text(motion: Motion) -> str:
    if motion.scope_kind == ScopeKind.ENTRANCE and motion.scope_entrance is not None:
        return f"{motion.scope_entrance.building.name}{motion.scope_entrance.name}"
    if motion.scope_kind == ScopeKind.BUILDING and motion.scope_building is not None:
        return motion.scope_building.name
    if motion.scope_kind == ScopeKind.APARTMENTS:
        return _("指定房屋")
    return _("整个小区")


# --- list and create ----------------------------------------------------------------------------


@login_required
@require_GET
def motion_list(request: HttpRequest) -> HttpResponse:
    _close_due()
    motions = (
        sel.access_motions(request.user)
        .select_related("scope_building", "scope_entrance__building")
        .order_by("-created_at", "-id")
    )
    page = Paginator(motions, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    # Participation by area of every motion on the page: one grouped query.
    sums = {
        row["motion_id"]: row
        for row in Voter.objects.filter(motion_id__in=[m.pk for m in rows])
        .order_by()
        .values("motion_id")
        .annotate(total=Sum("area"), voted=Sum("area", filter=~Q(choice="")))
    }
    items = []
    for motion in rows:
        row = sums.get(motion.pk)
        share = _percent(row["voted"] or 0, row["total"]) if row and row["total"] else None
        items.append({"motion": motion, "scope": scope_text(motion), "participation": share})
    can_create = access_estates(request.user, Action.MANAGE_MOTION).exists()
    return render(request, "motions/motion_list.html", {"page": page, "items": items, "can_create": can_create})


@login_required
def motion_create(request: HttpRequest) -> HttpResponse:
    estates = access_estates(request.user, Action.MANAGE_MOTION)
    if not estates.exists():
        raise Http404(_("未找到，或您无权查看。"))
    if request.method == "POST":
        form = MotionForm(request.POST, estates=estates)
        if form.is_valid():
            data = form.cleaned_data
            with refusals_on(form) as refused:
                motion = services.motion_create(
                    actor=request.user,
                    estate=data["estate"],
                    title=data["title"],
                    question=data["question"],
                    description=data["description"],
                    scope_kind=data["scope_kind"],
                    scope_building=data["scope_building"] if data["scope_kind"] == ScopeKind.BUILDING else None,
                    scope_entrance=data["scope_entrance"] if data["scope_kind"] == ScopeKind.ENTRANCE else None,
                    scope_apartments=form.apartments if data["scope_kind"] == ScopeKind.APARTMENTS else (),
                    rule=form.rule_spec(),
                    meeting_kind=data["meeting_kind"],
                    opens_at=data["opens_at"],
                    closes_at=data["closes_at"],
                    objection_days=data["objection_days"],
                    anonymous=data["anonymous"],
                    kind=data["kind"],
                    options=[{"label": label} for label in form.option_labels]
                    if data["kind"] == MotionKind.CHOICE
                    else None,
                )
            if not refused:
                messages.success(request, _("已创建表决草稿。核对无误后请公告并冻结名册。"))
                return HttpResponseRedirect(reverse("motion_detail", args=[motion.pk]))
    else:
        today = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
        form = MotionForm(
            estates=estates,
            initial={"opens_at": today + dt.timedelta(days=8), "closes_at": today + dt.timedelta(days=38)},
        )
    return render(request, "motions/motion_form.html", {"form": form})


# --- detail, actions and the live tally ---------------------------------------------------------


@login_required
@require_GET
def motion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _close_due()
    motion = _motion_in_scope(request, pk)
    now = timezone.now()
    can_manage = _may(request, Action.MANAGE_MOTION, motion)
    can_enter = _may(request, Action.ENTER_BALLOTS, motion)
    can_view_voters = _may(request, Action.VIEW_VOTERS, motion)
    status = motion.status
    result = getattr(motion, "result", None) if status == MotionStatus.CLOSED else None
    options = sel.options_shown(motion)
    adopted = None
    if result is not None and result.outcome.get("kind") == MotionKind.CHOICE:
        adopted = next((o for o in options if o.position == result.outcome.get("adopted")), None)
    context = {
        **_tally_context(motion),
        "options": options,
        "adopted": adopted,
        "scope": scope_text(motion),
        "rule_rows": _rule_rows(motion),
        "rule_source": rule_source(motion),
        "result": result,
        "can_manage": can_manage,
        "can_enter": can_enter,
        "can_view_voters": can_view_voters,
        "can_open": can_manage and status == MotionStatus.DRAFT,
        "can_cancel": can_manage and status in (MotionStatus.DRAFT, MotionStatus.OPEN),
        "can_close": can_manage and status == MotionStatus.OPEN and now >= motion.closes_at,
        "voting_open": sel.voting_open(motion, now),
        "cancel_form": CancelForm(),
        "frozen": status != MotionStatus.DRAFT,
        "sheets_url": _maybe_url("motion_sheets", motion.pk) if can_enter and status == MotionStatus.OPEN else None,
        "notice_url": _maybe_url("motion_notice", motion.public_id) if status == MotionStatus.CLOSED else None,
        "export_url": (
            _maybe_url("motion_ballots_export", motion.pk)
            if can_view_voters and status == MotionStatus.CLOSED
            else None
        ),
    }
    return render(request, "motions/motion_detail.html", context)


@login_required
@require_GET
def motion_tally_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """The live tally, polled by htmx every 2 s while voting is open (issue 3: updates within 2 s)."""
    _close_due()
    motion = _motion_in_scope(request, pk)
    return render(request, "motions/_tally.html", _tally_context(motion))


def _act(request: HttpRequest, motion: Motion, call: Any, success: str) -> HttpResponse:
    with refusals_flashed(request) as refused:
        call()
    if not refused:
        messages.success(request, success)
    return HttpResponseRedirect(reverse("motion_detail", args=[motion.pk]))


@login_required
@require_POST
def motion_open(request: HttpRequest, pk: int) -> HttpResponse:
    motion = _motion_in_scope(request, pk, Action.MANAGE_MOTION)
    return _act(
        request,
        motion,
        lambda: services.motion_open(actor=request.user, motion=motion),
        _("已公告，名册已冻结。"),
    )


@login_required
@require_POST
def motion_rule(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a draft's rule: a preset, or the four custom thresholds (e.g. ">=2/3")."""
    motion = _motion_in_scope(request, pk, Action.MANAGE_MOTION)
    form = MotionRuleForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_text(form))
        return HttpResponseRedirect(reverse("motion_detail", args=[motion.pk]))
    rule = form.rule_spec()
    return _act(
        request,
        motion,
        lambda: services.motion_rule_change(actor=request.user, motion=motion, rule=rule),
        _("表决规则已修改。"),
    )


@login_required
@require_POST
def motion_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    motion = _motion_in_scope(request, pk, Action.MANAGE_MOTION)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _act(
        request,
        motion,
        lambda: services.motion_cancel(actor=request.user, motion=motion, reason=reason),
        _("表决已撤销。"),
    )


@login_required
@require_POST
def motion_close(request: HttpRequest, pk: int) -> HttpResponse:
    motion = _motion_in_scope(request, pk, Action.MANAGE_MOTION)
    return _act(
        request,
        motion,
        lambda: services.motion_close(actor=request.user, motion=motion),
        _("已计票并公布结果。"),
    )


# --- voters and door-knocking -------------------------------------------------------------------


def _last_version(field: str) -> Subquery:
    return Subquery(BallotVersion.objects.filter(voter=OuterRef("pk")).order_by("-version").values(field)[:1])


@never_cache  # owners' names, areas and phones: no copy in any cache
@login_required
@require_GET
def motion_voters(request: HttpRequest, pk: int) -> HttpResponse:
    """Who has voted (and how, once the motion is closed and not anonymous). While voting is open the
    choices stay hidden even from staff, so the running count cannot be used to pressure owners."""
    _close_due()
    motion = _motion_in_scope(request, pk, Action.VIEW_VOTERS)
    form = VoterFilterForm(request.GET or None)
    voters = Voter.objects.filter(motion=motion)
    if form.is_valid():
        voted = form.cleaned_data["voted"]
        if voted == "yes":
            voters = voters.exclude(choice="")
        elif voted == "no":
            voters = voters.filter(choice="")
        q = form.cleaned_data["q"].strip()
        if q:
            match = Q(display_name__icontains=q) | Q(
                pk__in=RollEntry.objects.filter(motion=motion, label__icontains=q).values("voter_id")
            )
            if (number := parse_id(q)) is not None:  # ASCII digits in range ("²" is a digit to isdigit)
                match |= Q(number=number)
            voters = voters.filter(match)
    voters = (
        voters.annotate(last_channel=_last_version("channel"), last_cast_at=_last_version("cast_at"))
        .prefetch_related(Prefetch("roll_entries", queryset=RollEntry.objects.order_by("floor", "room")))
        .order_by("number")
    )
    page = Paginator(voters, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(sel.choice_list(motion))
    rows = list(page.object_list)
    for voter in rows:
        voter.choice_label = labels.get(voter.choice, voter.choice)
    page.object_list = rows
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "motions/motion_voters.html",
        {
            "motion": motion,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "show_choice": motion.status == MotionStatus.CLOSED and not motion.anonymous,
            "can_enter": _may(request, Action.ENTER_BALLOTS, motion) and motion.status == MotionStatus.OPEN,
            "channels": dict(Channel.choices),
        },
    )


@never_cache  # owners' names, areas and phones: no copy in any cache
@login_required
@require_GET
def motion_door_knocking(request: HttpRequest, pk: int) -> HttpResponse:
    """Owners who have not voted, largest area first (selectors.door_knocking): the fewest visits
    that can reach the participation thresholds of Civil Code Art. 278(2)."""
    _close_due()
    motion = _motion_in_scope(request, pk, Action.VIEW_VOTERS)
    outcome = _outcome(motion)
    visits = sel.door_knocking(motion, outcome, DOOR_KNOCKING_LIMIT) if outcome is not None else []
    rule = services.motion_rule(motion)
    area_met = outcome is None or rule.participation_area.met(outcome.participating.area, outcome.total.area)
    owners_met = outcome is None or rule.participation_owners.met(outcome.participating.owners, outcome.total.owners)
    already = outcome is not None and outcome.quorum_met
    rows = []
    reach_area: int | None = 0 if area_met else None
    reach_owners: int | None = 0 if owners_met else None
    for index, visit in enumerate(visits, start=1):
        # The row where the cumulative figure first reaches a threshold that is not met yet.
        first_area = visit.reaches_area and reach_area is None
        first_owners = visit.reaches_owners and reach_owners is None
        if first_area:
            reach_area = index
        if first_owners:
            reach_owners = index
        rows.append(
            {
                "order": index,
                "visit": visit,
                "phone": services.masked_phone(visit.voter.phone) if visit.voter.phone else "—",
                "rooms": "、".join(e.label for e in visit.voter.roll_entries.all()),
                "marks_area": first_area,
                "marks_owners": first_owners,
            }
        )
    # None: the thresholds are not reached within the rows listed (more than DOOR_KNOCKING_LIMIT visits).
    at_least = None if reach_area is None or reach_owners is None else max(reach_area, reach_owners)
    return render(
        request,
        "motions/motion_door_knocking.html",
        {
            "motion": motion,
            "outcome": outcome,
            "rows": rows,
            "at_least": at_least,
            "already": already,
            "limit": DOOR_KNOCKING_LIMIT,
            "truncated": len(visits) == DOOR_KNOCKING_LIMIT,
        },
    )
