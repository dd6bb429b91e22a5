"""Pages of the yearly awards (issue 7, item 4): per year the nominations, the decisions and the
awardees (also as a printable page).

parse → access check → service → render. Pools come from access.access_pools (404 outside it);
nominating needs to be an administrator or an organisation's member, deciding an administrator (403)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core.forms import refusals_on
from gongzhi.core.params import parse_int
from gongzhi.talent.access import access_pools, administers
from gongzhi.talent.awards import services as svc
from gongzhi.talent.awards.forms import AwardDecisionForm, AwardNominationForm
from gongzhi.talent.models import AwardDecision, AwardKind, AwardNomination, AwardNominationStatus, TalentPool
from gongzhi.talent.nav import pool_tabs

_NOMINATE_FIELDS = {
    "reason_required": "reason",
    "cadre_outside": "cadre",
    "duplicate": "cadre",
    "decided": "kind",
    "bad_kind": "kind",
}
_DECIDE_FIELDS = {"basis_required": "basis", "future_date": "decided_on", "selected_required": "selected"}


def _pool(request: HttpRequest, pool_id: int) -> TalentPool:
    pool: TalentPool = get_object_or_404(access_pools(request.user), pk=pool_id)
    return pool


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year") or request.POST.get("year")
    if not raw:
        return timezone.localdate().year
    year = parse_int(raw, minimum=svc.MIN_YEAR, maximum=svc.MAX_YEAR)
    if year is None:
        raise Http404
    return year


def _url(name: str, pool: TalentPool, year: int, **extra: str) -> str:
    query = "&".join([f"year={year}", *(f"{k}={v}" for k, v in extra.items())])
    return f"{reverse(name, args=[pool.pk])}?{query}"


@login_required
@require_GET
def award_list(request: HttpRequest, pool_id: int) -> HttpResponse:
    pool = _pool(request, pool_id)
    year = _year(request)
    results = svc.awardees(pool, year)
    admin = administers(request.user, pool)
    nominations = list(svc.visible_nominations(request.user, pool, year))
    by_kind: dict[str, list[AwardNomination]] = {k: [] for k in AwardKind.values}
    for n in nominations:
        by_kind[n.kind].append(n)
    sections = [
        {
            "result": r,
            "nominations": by_kind[r.kind],
            "decide_url": _url("talent_award_decide", pool, year, kind=r.kind) if admin and not r.decision else "",
        }
        for r in results
    ]
    context = {
        "pool": pool,
        "year": year,
        "years": svc.award_years(pool, timezone.localdate()),
        "sections": sections,
        "admin": admin,
        "may_nominate": svc.may_nominate(request.user, pool) and any(not r.decision for r in results),
        "nominate_url": _url("talent_award_nominate", pool, year),
        "print_url": _url("talent_awards_print", pool, year),
        "tabs": pool_tabs(request.user, pool),
    }
    return render(request, "talent/award_list.html", context)


@login_required
@require_GET
def award_print(request: HttpRequest, pool_id: int) -> HttpResponse:
    pool = _pool(request, pool_id)
    year = _year(request)
    return render(request, "talent/award_print.html", {"pool": pool, "year": year, "results": svc.awardees(pool, year)})


def _form_page(request: HttpRequest, pool: TalentPool, form: Any, title: str, year: int) -> HttpResponse:
    status = 400 if request.method == "POST" else 200
    context = {
        "pool": pool,
        "form": form,
        "title": title,
        "year": year,
        "back": _url("talent_awards", pool, year),
        "tabs": pool_tabs(request.user, pool),
    }
    return render(request, "talent/award_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def award_nominate(request: HttpRequest, pool_id: int) -> HttpResponse:
    pool = _pool(request, pool_id)
    year = _year(request)
    if not svc.may_nominate(request.user, pool):
        raise PermissionDenied(_("只有人才库管理员和单位联络人可以推荐。"))
    form = AwardNominationForm(request.POST or None)
    form.fields["cadre"].queryset = svc.nominable_cadres(request.user, pool)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusals_on(form, _NOMINATE_FIELDS) as refused:
            svc.award_nominate(
                actor=request.user, pool=pool, year=year, kind=data["kind"], cadre=data["cadre"], reason=data["reason"]
            )
        if not refused:
            messages.success(request, _("推荐已提交。"))
            return HttpResponseRedirect(_url("talent_awards", pool, year), status=303)
    return _form_page(request, pool, form, _("%(year)s 年度评选推荐") % {"year": year}, year)


@login_required
@require_http_methods(["GET", "POST"])
def award_decide(request: HttpRequest, pool_id: int) -> HttpResponse:
    pool = _pool(request, pool_id)
    if not administers(request.user, pool):
        raise PermissionDenied(_("只有人才库管理员可以进行此操作。"))
    year = _year(request)
    kind = request.GET.get("kind") or request.POST.get("kind") or ""
    if kind not in AwardKind.values:
        raise Http404
    if AwardDecision.objects.filter(pool=pool, year=year, kind=kind).exists():
        messages.error(request, _("本奖项本年度已有评选决定。"))
        return HttpResponseRedirect(_url("talent_awards", pool, year), status=303)
    form = AwardDecisionForm(request.POST or None, initial={"decided_on": timezone.localdate()})
    field = form.fields["selected"]
    field.queryset = (  # type: ignore[attr-defined]
        AwardNomination.objects.filter(pool=pool, year=year, kind=kind, status=AwardNominationStatus.PENDING)
        .select_related("cadre", "organisation")
        .order_by("cadre__name", "id")
    )
    field.label_from_instance = lambda n: f"{n.cadre.name}（{n.organisation or '—'}）：{n.reason}"  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusals_on(form, _DECIDE_FIELDS) as refused:
            svc.award_decide(
                actor=request.user,
                pool=pool,
                year=year,
                kind=kind,
                decided_on=data["decided_on"],
                basis=data["basis"],
                selected=list(data["selected"]),
            )
        if not refused:
            messages.success(request, _("评选决定已记录。"))
            return HttpResponseRedirect(_url("talent_awards", pool, year), status=303)
    title = _("%(year)s 年度%(kind)s评选决定") % {"year": year, "kind": AwardKind(kind).label}
    return _form_page(request, pool, form, title, year)
