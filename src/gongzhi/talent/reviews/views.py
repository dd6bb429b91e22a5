"""Pages of organisation nominations and reviews (issue 7, item 3).

parse → access check → service → render. Pools come from access.access_pools (for nominating:
reviews.nominating_pools), reviews from the user's visible reviews (404 outside them); acting
without the right gives 403."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.forms import refusals_flashed, refusals_on
from gongzhi.talent.access import access_pools, administers, organisation_ids
from gongzhi.talent.models import (
    Cadre,
    CadreStatus,
    Cycle,
    LineOutcome,
    Nomination,
    PoolCategory,
    RerankReview,
    ReviewLine,
    ReviewStatus,
    TalentPool,
)
from gongzhi.talent.nav import pool_tabs
from gongzhi.talent.reviews import services as svc
from gongzhi.talent.reviews.forms import ConfirmForm, NominationForm, RerankReviewForm

_NOMINATION_FIELDS = {
    "reason_required": "reason",
    "cadre_required": "cadre",
    "cadre_outside": "cadre",
    "cadre_other_organisation": "cadre",
    "cadre_member": "cadre",
    "already_pending": "cadre",
    "name_required": "name",
    "bad_birth_date": "date_of_birth",
    "bad_gender": "gender",
    "bad_category": "category",
    "staff_number_taken": "staff_number",
}
_REVIEW_FIELDS = {
    "title_required": "title",
    "bad_cycle": "cycle",
    "weight_skills": "weight_skills",
    "weight_courses": "weight_courses",
    "weight_appraisal": "weight_appraisal",
    "weight_research": "weight_research",
    "weights_zero": "weight_skills",
    "bad_cap": "cap",
    "bad_exit_below": "exit_below",
}


def _pool(request: HttpRequest, pool_id: int) -> TalentPool:
    pool: TalentPool = get_object_or_404(access_pools(request.user), pk=pool_id)
    return pool


def _admin(request: HttpRequest, pool: TalentPool | int) -> None:
    if not administers(request.user, pool):
        raise PermissionDenied(_("只有人才库管理员可以进行此操作。"))


def _review(request: HttpRequest, pk: int) -> RerankReview:
    """A review the user may see: any of the pools they administer, a confirmed one of the pools
    they have to do with (404 otherwise)."""
    review: RerankReview = get_object_or_404(
        RerankReview.objects.select_related("pool", "cycle", "confirmed_by").filter(
            pool__in=access_pools(request.user)
        ),
        pk=pk,
    )
    if review.status != ReviewStatus.CONFIRMED and not administers(request.user, review.pool):
        raise Http404  # an unconfirmed review does not exist for those who do not administer it
    return review


# --- nominations -------------------------------------------------------------------------------


@login_required
@require_GET
def nomination_list(request: HttpRequest, pool_id: int) -> HttpResponse:
    pool: TalentPool = get_object_or_404(svc.nominating_pools(request.user), pk=pool_id)
    if not svc.may_nominate(request.user, pool):
        raise PermissionDenied(_("只有人才库管理员和单位联络人可以查看推荐。"))
    nominations = list(svc.visible_nominations(request.user, pool).select_related("cadre__category"))
    context = {
        "pool": pool,
        "nominations": nominations,
        "admin": administers(request.user, pool),
        "tabs": pool_tabs(request.user, pool),
    }
    return render(request, "talent/nomination_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def nominate(request: HttpRequest, pool_id: int) -> HttpResponse:
    pool: TalentPool = get_object_or_404(svc.nominating_pools(request.user), pk=pool_id)
    if not svc.may_nominate(request.user, pool):
        raise PermissionDenied(_("只有人才库管理员和单位联络人可以推荐人选。"))
    form = NominationForm(request.POST or None)
    organisations = svc.nominable_organisations(request.user, pool)
    form.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
    form.fields["category"].queryset = PoolCategory.objects.filter(pool=pool)  # type: ignore[attr-defined]
    form.fields["cadre"].queryset = (  # type: ignore[attr-defined]
        Cadre.objects.filter(pool=pool, organisation__in=organisations)
        .exclude(status=CadreStatus.MEMBER)
        .order_by("name", "id")
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        profile = None
        if data["cadre"] is None:
            profile = svc.CandidateProfile(
                name=data["name"],
                date_of_birth=data["date_of_birth"],
                gender=data["gender"],
                post=data["post"],
                category=data["category"],
                education=data["education"],
                political_status=data["political_status"],
                phone=data["phone"],
                staff_number=data["staff_number"],
            )
        with refusals_on(form, _NOMINATION_FIELDS) as refused:
            svc.nomination_create(
                actor=request.user,
                pool=pool,
                organisation=data["organisation"],
                reason=data["reason"],
                cadre=data["cadre"],
                profile=profile,
            )
        if not refused:
            messages.success(request, _("推荐已提交。"))
            return HttpResponseRedirect(reverse("talent_nominations", args=[pool.pk]), status=303)
    status = 400 if request.method == "POST" else 200
    context = {"pool": pool, "form": form, "tabs": pool_tabs(request.user, pool)}
    return render(request, "talent/nomination_form.html", context, status=status)


@login_required
@require_POST
def nomination_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    scope = Nomination.objects.filter(pool_id__in=svc.nominating_pools(user).values("pk"))
    if not getattr(user, "is_superuser", False):
        scope = scope.filter(Q(pool__administrators=user) | Q(organisation_id__in=organisation_ids(user))).distinct()
    nomination: Nomination = get_object_or_404(scope, pk=pk)
    with refusals_flashed(request) as refused:
        svc.nomination_withdraw(actor=user, nomination=nomination)
    if not refused:
        messages.success(request, _("推荐已撤回。"))
    return HttpResponseRedirect(reverse("talent_nominations", args=[nomination.pool_id]), status=303)


# --- reviews -----------------------------------------------------------------------------------


@login_required
@require_GET
def review_list(request: HttpRequest, pool_id: int) -> HttpResponse:
    pool = _pool(request, pool_id)
    context = {
        "pool": pool,
        "reviews": list(svc.visible_reviews(request.user, pool)),
        "admin": administers(request.user, pool),
        "may_nominate": svc.may_nominate(request.user, pool),
        "tabs": pool_tabs(request.user, pool),
    }
    return render(request, "talent/review_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def review_create(request: HttpRequest, pool_id: int) -> HttpResponse:
    pool = _pool(request, pool_id)
    _admin(request, pool)
    cycles = Cycle.objects.filter(pool=pool).order_by("-start")
    initial = {"cap": pool.cap, "exit_below": pool.exit_below, "held_on": timezone.localdate()}
    form = RerankReviewForm(request.POST or None, initial=initial)
    form.fields["cycle"].queryset = cycles  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        with refusals_on(form, _REVIEW_FIELDS) as refused:
            review = svc.review_create(actor=request.user, pool=pool, **form.cleaned_data)
        if not refused:
            messages.success(request, _("考评已创建。"))
            return HttpResponseRedirect(reverse("talent_review", args=[review.pk]), status=303)
    status = 400 if request.method == "POST" else 200
    context = {"pool": pool, "form": form, "tabs": pool_tabs(request.user, pool)}
    return render(request, "talent/review_form.html", context, status=status)


BUCKETS = 10


def chart_data(review: RerankReview, lines: list[ReviewLine]) -> dict[str, Any]:
    """The score distribution in ten bands of 10 points (the last one 90–100), members and
    candidates apart, with the exit line."""
    members: dict[int, int] = defaultdict(int)
    candidates: dict[int, int] = defaultdict(int)
    for line in lines:
        band = min(int(line.score // 10), BUCKETS - 1) if line.score > 0 else 0
        (members if line.member else candidates)[band] += 1
    rows = [
        {
            "label": f"{b * 10}–{b * 10 + 10}",
            "start": b * 10,
            "members": members[b],
            "candidates": candidates[b],
        }
        for b in range(BUCKETS)
    ]
    return {
        "rows": rows,
        "exit_below": str(review.exit_below),
        "labels": {
            "members": _("原在库"),
            "candidates": _("候选人"),
            "exit": _("退出分数线"),
            "count": pgettext("talent", "人数"),
        },
    }


def _detail(request: HttpRequest, review: RerankReview, confirm_form: ConfirmForm | None = None) -> HttpResponse:
    lines = list(
        ReviewLine.objects.filter(review=review)
        .select_related("cadre__organisation")
        .order_by("rank", "-score", "cadre_id")
    )
    lines.sort(key=lambda line: (line.rank is None, line.rank or 0, -line.score, line.cadre_id))
    for line in lines:
        line.parts = svc.explain(line.components)  # type: ignore[attr-defined]
    chart = chart_data(review, lines)
    context = {
        "pool": review.pool,
        "review": review,
        "lines": lines,
        "counts": svc.line_counts(lines),
        "chart": chart,
        "bands": chart["rows"],
        "confirm_form": confirm_form or ConfirmForm(),
        "may_propose": review.status in (ReviewStatus.DRAFT, ReviewStatus.PROPOSED),
        "may_confirm": review.status == ReviewStatus.PROPOSED,
        "outcomes": LineOutcome,
        "tabs": pool_tabs(request.user, review.pool),
    }
    status = 400 if confirm_form is not None else 200
    return render(request, "talent/review_detail.html", context, status=status)


def _mine(request: HttpRequest, review: RerankReview) -> HttpResponse:
    lines = list(svc.visible_lines(request.user, review).order_by("rank", "-score", "cadre_id"))
    for line in lines:
        line.parts = svc.explain(line.components)  # type: ignore[attr-defined]
    context = {"pool": review.pool, "review": review, "lines": lines, "tabs": pool_tabs(request.user, review.pool)}
    return render(request, "talent/review_mine.html", context)


@login_required
@require_GET
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Administrators see the whole proposal; everyone else the lines they may see (as on /mine/)."""
    review = _review(request, pk)
    if administers(request.user, review.pool):
        return _detail(request, review)
    return _mine(request, review)


@login_required
@require_GET
def review_mine(request: HttpRequest, pk: int) -> HttpResponse:
    return _mine(request, _review(request, pk))


def _act(request: HttpRequest, pk: int) -> RerankReview:
    review = _review(request, pk)
    _admin(request, review.pool)
    return review


@login_required
@require_POST
def review_propose(request: HttpRequest, pk: int) -> HttpResponse:
    review = _act(request, pk)
    with refusals_flashed(request) as refused:
        svc.review_propose(actor=request.user, review=review)
    if not refused:
        messages.success(request, _("方案已生成。"))
    return HttpResponseRedirect(reverse("talent_review", args=[review.pk]), status=303)


@login_required
@require_POST
def review_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    review = _act(request, pk)
    form = ConfirmForm(request.POST)
    if form.is_valid():
        with refusals_on(form, other="reason") as refused:
            svc.review_confirm(actor=request.user, review=review, reason=form.cleaned_data["reason"])
        if not refused:
            messages.success(request, _("调整方案已确认。"))
            return HttpResponseRedirect(reverse("talent_review", args=[review.pk]), status=303)
    review.refresh_from_db()
    return _detail(request, review, confirm_form=form)


@login_required
@require_POST
def review_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    review = _act(request, pk)
    with refusals_flashed(request) as refused:
        svc.review_cancel(actor=request.user, review=review)
    if not refused:
        messages.success(request, _("考评已取消。"))
    return HttpResponseRedirect(reverse("talent_reviews", args=[review.pool_id]), status=303)
