"""Staff pages for the ballots that do not come in online: an owner's request for a paper sheet,
the double keying of paper sheets (双人录入) and the settling of mismatches, votes by proxy and
the scans of their signed authorisations. The other staff pages of a motion are in views.py.

parse → access check → service → render (DESIGN.md convention 2); the motion is looked up and the
action checked as on the other staff pages (views._motion_in_scope). Legal frame: Hangzhou
物业管理条例 (2021) Art. 20 (paper ballots on request), Civil Code Art. 161-162 (agency).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.errors import DomainError
from gongzhi.core.files import private_file_response
from gongzhi.core.forms import refusals_caught, refusals_flashed, refusals_on
from gongzhi.motions import selectors as sel
from gongzhi.motions import services
from gongzhi.motions.forms import MismatchResolveForm, PaperEntryForm, PaperRequestForm, ProxyForm
from gongzhi.motions.models import Motion, MotionKind, ProxyAuthorisation, RollEntry, Voter
from gongzhi.motions.views import _may, _motion_in_scope  # the staff pages' one lookup and check
from gongzhi.places.access import Action


def _voter_by_number(motion: Motion, number: int) -> Voter:
    voter = Voter.objects.filter(motion=motion, number=number).select_related("motion__estate").first()
    if voter is None:
        raise DomainError(_("本表决没有第 %(number)s 号表决票。") % {"number": number}, code="unknown_sheet")
    return voter


# --- paper ballots: requests, double entry, mismatches ----------------------------------------


@login_required
@require_POST
def motion_paper_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Hangzhou 物业管理条例 Art. 20: an owner who asks for a paper ballot gets one."""
    motion = _motion_in_scope(request, pk, Action.ENTER_BALLOTS)
    form = PaperRequestForm(request.POST)
    if not form.is_valid() or form.cleaned_data.get("number") is None:
        messages.error(request, _("表决票编号无效。"))
    else:
        number = form.cleaned_data["number"]
        with refusals_flashed(request) as refused:
            voter = _voter_by_number(motion, number)
            services.paper_request(actor=request.user, voter=voter, requested=form.cleaned_data["requested"] == "1")
        if not refused:
            messages.success(request, _("已更新第 %(number)s 号的纸质票需求。") % {"number": number})
    back = QueryDict(form.cleaned_data.get("next", "")).urlencode()  # re-encoded: only a query string goes back
    url = reverse("motion_voters", args=[motion.pk])
    return HttpResponseRedirect(url + ("?" + back if back else ""))


@login_required
def motion_paper_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """Fast keying of paper sheets on a phone (double entry, 双人录入): the sheet number and one of
    three big buttons. Only two matching entries by different people count."""
    motion = _motion_in_scope(request, pk, Action.ENTER_BALLOTS)
    outcome_text: str | None = None
    outcome_kind = ""
    keyed_voter: Voter | None = None
    error: str | None = None
    choices = sel.choice_list(motion)
    labels = dict(choices)
    if request.method == "POST":
        form = PaperEntryForm(request.POST, choices=choices)
        if form.is_valid():
            number = form.cleaned_data["number"]
            choice = form.cleaned_data["choice"]
            with refusals_caught() as refused:
                keyed_voter = _voter_by_number(motion, number)
                result = services.paper_entry_add(actor=request.user, voter=keyed_voter, choice=choice)
            if refused:
                error = refused.message
                keyed_voter = None
            else:
                label = labels[choice]
                if result.counted is not None:
                    outcome_kind = "counted"
                    outcome_text = _("两次录入一致，已计票：第 %(n)s 号 %(c)s。") % {"n": number, "c": label}
                elif result.mismatch:
                    outcome_kind = "mismatch"
                    outcome_text = _("与另一人录入不一致，已列入待裁定：第 %(n)s 号。") % {"n": number}
                else:
                    outcome_kind = "once"
                    outcome_text = _("已录入，等待第二人录入：第 %(n)s 号 %(c)s。") % {"n": number, "c": label}
                form = PaperEntryForm(choices=choices)
        else:
            error = "；".join(str(e) for errors in form.errors.values() for e in errors)
    else:
        form = PaperEntryForm(choices=choices)
    rooms = (
        "、".join(RollEntry.objects.filter(voter=keyed_voter).order_by("floor", "room").values_list("label", flat=True))
        if keyed_voter is not None
        else ""
    )
    return render(
        request,
        "motions/motion_paper_entry.html",
        {
            "motion": motion,
            "form": form,
            "outcome_text": outcome_text,
            "outcome_kind": outcome_kind,
            "keyed_voter": keyed_voter,
            "rooms": rooms,
            "error": error,
            "progress": sel.paper_progress(motion),
            "choices": choices,
            "choice_mode": motion.kind == MotionKind.CHOICE,
        },
        status=400 if error else 200,
    )


@login_required
def motion_mismatches(request: HttpRequest, pk: int) -> HttpResponse:
    """Sheets whose two keyings disagree; someone who runs the vote settles each against the sheet."""
    motion = _motion_in_scope(request, pk, Action.ENTER_BALLOTS)
    can_resolve = _may(request, Action.MANAGE_MOTION, motion)
    choices = sel.choice_list(motion)
    labels = dict(choices)
    if request.method == "POST":
        if not can_resolve:
            raise PermissionDenied(_("您无权执行此操作。"))
        form = MismatchResolveForm(request.POST, choices=choices)
        if form.is_valid():
            data = form.cleaned_data
            with refusals_flashed(request) as refused:
                voter = _voter_by_number(motion, data["number"])
                services.paper_mismatch_resolve(
                    actor=request.user, voter=voter, choice=data["choice"], note=data["note"]
                )
            if not refused:
                messages.success(request, _("已裁定并计票：第 %(n)s 号。") % {"n": data["number"]})
        else:
            messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return HttpResponseRedirect(reverse("motion_mismatches", args=[motion.pk]))
    mismatches = sel.paper_mismatches(motion)
    rooms: dict[int, list[str]] = {}
    for voter_id, label in RollEntry.objects.filter(voter_id__in=[m.voter.pk for m in mismatches]).values_list(
        "voter_id", "label"
    ):
        rooms.setdefault(voter_id, []).append(label)
    items = [
        {
            "mismatch": m,
            "rooms": "、".join(rooms.get(m.voter.pk, [])),
            "entries": [(e, labels.get(e.choice, e.choice)) for e in m.entries],
        }
        for m in mismatches
    ]
    return render(
        request,
        "motions/motion_mismatches.html",
        {"motion": motion, "items": items, "can_resolve": can_resolve, "choices": choices},
    )


# --- proxy votes ---------------------------------------------------------------------------------


@login_required
def motion_proxy(request: HttpRequest, pk: int) -> HttpResponse:
    """A vote cast on the strength of a signed authorisation (Civil Code Art. 161-162 on agency);
    the scan is kept and served only to those who may see the voters."""
    motion = _motion_in_scope(request, pk, Action.ENTER_BALLOTS)
    choices = sel.choice_list(motion)
    if request.method == "POST":
        form = ProxyForm(request.POST, request.FILES, choices=choices)
        if form.is_valid():
            data = form.cleaned_data
            with refusals_on(form) as refused:
                voter = _voter_by_number(motion, data["number"])
                cast = services.proxy_vote(
                    actor=request.user,
                    voter=voter,
                    choice=data["choice"],
                    proxy_name=data["proxy_name"],
                    proxy_id_last4=data["proxy_id_last4"].strip(),
                    scan=data["scan"],
                    request_key=data["request_key"],
                )
            if not refused:
                if cast.created:
                    messages.success(
                        request,
                        _("已录入委托表决：第 %(n)s 号 %(name)s。") % {"n": voter.number, "name": voter.display_name},
                    )
                else:
                    messages.info(request, _("该委托表决此前已录入，未重复计票。"))
                return HttpResponseRedirect(reverse("motion_proxy", args=[motion.pk]))
    else:
        form = ProxyForm(choices=choices)
    proxies = (
        ProxyAuthorisation.objects.filter(voter__motion=motion)
        .select_related("voter", "entered_by")
        .order_by("-entered_at", "-id")[:200]
    )
    return render(
        request,
        "motions/motion_proxy.html",
        {
            "motion": motion,
            "form": form,
            "proxies": proxies,
            "can_view_scans": _may(request, Action.VIEW_VOTERS, motion),
        },
    )


@login_required
@require_GET
def motion_proxy_scan(request: HttpRequest, pk: int, proxy_id: int) -> FileResponse:
    """The scan of a signed authorisation: personal data, so never under a public media URL."""
    motion = _motion_in_scope(request, pk, Action.VIEW_VOTERS)
    proxy = get_object_or_404(ProxyAuthorisation.objects.select_related("voter"), pk=proxy_id, voter__motion=motion)
    return private_file_response(proxy.scan, f"proxy-motion{motion.pk}-sheet{proxy.voter.number}")
