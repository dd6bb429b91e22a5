"""Pages of the talent pool's people: the home page, a pool's page (members by category with the
quota and cap use, candidates, filters), its settings (categories, cycles), organisations, cadres'
profiles, entry and exit, and the dossier with its entries.

parse → access check → service → render. Pools come through access.access_pools and cadres
through access.access_cadres (404 outside them); acting without the right gives 403. Every GET of
a dossier is logged (access.log_dossier_view)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.forms import refusals_on
from gongzhi.talent.access import (
    DossierAccess,
    access_cadres,
    access_pools,
    administered_pool_ids,
    administers,
    dossier_access,
    log_dossier_view,
    organisation_ids,
)
from gongzhi.talent.models import Cadre, CadreStatus, Cycle, Note, Organisation, PoolCategory, TalentPool
from gongzhi.talent.nav import pool_tabs
from gongzhi.talent.people import selectors, services
from gongzhi.talent.people.forms import (
    AppraisalForm,
    CadreForm,
    CycleForm,
    EnterForm,
    ExitForm,
    HonourForm,
    NoteForm,
    OrganisationForm,
    PoolCategoryForm,
    PostingForm,
    SkillForm,
    TalentPoolForm,
)

# DomainError code → the form field it belongs to (the rest go to the form's top).
_FIELDS = {
    "name_required": "name",
    "name_taken": "name",
    "bad_cap": "cap",
    "bad_exit_below": "exit_below",
    "bad_scale_min": "skill_scale_min",
    "bad_scale_max": "skill_scale_max",
    "scale_excludes": "skill_scale_min",
    "bad_quota": "quota",
    "dates_reversed": "end",
    "bad_dob": "date_of_birth",
    "bad_gender": "gender",
    "bad_category": "category",
    "category_full": "category",
    "staff_number_taken": "staff_number",
    "bad_username": "username",
    "username_taken": "username",
    "reason_required": "reason",
    "place_required": "place",
    "bad_start": "start",
    "bad_end": "end",
    "title_required": "title",
    "bad_grade": "grade",
    "bad_year": "year",
    "bad_skill": "skill",
    "bad_score": "score",
    "text_required": "text",
}
# bad_date belongs to the date field of the form at hand.
_DATE_FIELDS = ("entered_on", "exited_on", "awarded_on", "assessed_on", "start")


def nominate_url(pool: TalentPool) -> str | None:
    """The nomination page of another area (brief C), when it is installed."""
    try:
        return reverse("talent_nominate", args=[pool.pk])
    except NoReverseMatch:
        return None


def _pool(request: HttpRequest, pool_id: int) -> TalentPool:
    pool: TalentPool = get_object_or_404(access_pools(request.user), pk=pool_id)
    return pool


def _admin_pool(request: HttpRequest, pool_id: int) -> TalentPool:
    pool = _pool(request, pool_id)
    if not administers(request.user, pool):
        raise PermissionDenied(_("您不是该人才库的管理员。"))
    return pool


def _cadre(request: HttpRequest, pk: int) -> Cadre:
    cadre: Cadre = get_object_or_404(
        access_cadres(request.user).select_related("pool", "organisation", "category"), pk=pk
    )
    return cadre


def _keeper(request: HttpRequest, cadre: Cadre) -> None:
    if not administers(request.user, cadre.pool_id):
        raise PermissionDenied(_("只有人才库管理员可以修改档案。"))
    if cadre.user_id is not None and cadre.user_id == request.user.pk:
        raise PermissionDenied(_("本人不能修改自己的档案。"))


def _fields(form: forms.Form) -> dict[str, str | None]:
    """Where a refusal goes on this form, by its code (a bad date: the form's first date field)."""
    return {**_FIELDS, "bad_date": next((f for f in _DATE_FIELDS if f in form.fields), None)}


def _form(
    request: HttpRequest,
    form: forms.Form,
    run: Callable[[dict[str, Any]], Any],
    *,
    title: str,
    back: str,
    done: str,
    pool: TalentPool,
    subtitle: str = "",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """The one form flow of this area: valid POST → service → message → redirect (303); a refusal
    shows at its field with status 400."""
    if request.method == "POST" and form.is_valid():
        with refusals_on(form, _fields(form)) as refused:
            result = run(form.cleaned_data)
        if not refused:
            messages.success(request, done)
            warning = getattr(result, "warning", None)
            if warning:
                messages.warning(request, warning)
            target = getattr(result, "redirect", None) or back
            return HttpResponseRedirect(target, status=303)
    context = {
        "form": form,
        "title": title,
        "subtitle": subtitle,
        "back": back,
        "pool": pool,
        "tabs": pool_tabs(request.user, pool),
        **(extra or {}),
    }
    return render(request, "talent/form.html", context, status=400 if request.method == "POST" else 200)


# --- home and pool ------------------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    pools = selectors.home_pools(request.user)
    for entry in pools:
        entry.nominate_url = nominate_url(entry.pool) if organisation_ids(request.user) else None  # type: ignore[attr-defined]
        entry.tabs = pool_tabs(request.user, entry.pool)  # type: ignore[attr-defined]
    context = {
        "pools": pools,
        "own": selectors.own_cadre(request.user),
        "may_add_organisation": bool(request.user.is_superuser or administered_pool_ids(request.user)),
    }
    return render(request, "talent/home.html", context)


@login_required
@require_GET
def pool_detail(request: HttpRequest, pool_id: int) -> HttpResponse:
    pool = _pool(request, pool_id)
    admin = administers(request.user, pool)
    context: dict[str, Any] = {"pool": pool, "admin": admin, "tabs": pool_tabs(request.user, pool)}
    if admin:
        get = request.GET
        filters = {k: get.get(k, "") for k in ("category", "organisation", "status", "q")}
        if not filters["organisation"]:  # a link bookmarked before the organisation was named so
            filters["organisation"] = get.get("unit", "")
        if "status" not in get:
            filters["status"] = CadreStatus.MEMBER
        page = Paginator(selectors.pool_cadres(pool, **filters), selectors.PAGE_SIZE).get_page(get.get("page"))
        summary = selectors.pool_summary(pool)
        query = request.GET.copy()
        query.pop("page", None)
        context |= {
            "summary": summary,
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "statuses": CadreStatus.choices,
            "organisations": Organisation.objects.filter(cadres__pool=pool).distinct().order_by("name"),
            "pending": list(selectors.pending_nominations(pool)),
        }
    else:
        context |= {
            "visible": selectors.visible_in_pool(request.user, pool),
            "nominate_url": nominate_url(pool) if organisation_ids(request.user) else None,
        }
    return render(request, "talent/pool_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def pool_edit(request: HttpRequest, pool_id: int) -> HttpResponse:
    pool = _admin_pool(request, pool_id)
    form = TalentPoolForm.for_pool(pool, request.POST or None)

    def run(data: dict[str, Any]) -> TalentPool:
        return services.pool_update(actor=request.user, pool=pool, **data)

    extra = {
        "categories": selectors.pool_summary(pool).categories,
        "cycles": list(Cycle.objects.filter(pool=pool).order_by("-start")),
        "settings_page": True,
    }
    back = reverse("talent_pool_edit", args=[pool.pk])
    return _form(
        request,
        form,
        run,
        title=_("人才库设置"),
        back=back,
        done=_("设置已保存。"),
        pool=pool,
        subtitle=pool.name,
        extra=extra,
    )


def _category_page(request: HttpRequest, pool: TalentPool, category: PoolCategory | None) -> HttpResponse:
    initial = {"name": category.name, "quota": category.quota} if category else None
    form = PoolCategoryForm(request.POST or None, initial=initial)

    def run(data: dict[str, Any]) -> Any:
        return services.category_save(actor=request.user, pool=pool, category=category, **data)

    return _form(
        request,
        form,
        run,
        title=_("编辑类别") if category else _("添加类别"),
        back=reverse("talent_pool_edit", args=[pool.pk]),
        done=_("类别已保存。"),
        pool=pool,
        subtitle=pool.name,
    )


@login_required
@require_http_methods(["GET", "POST"])
def category_create(request: HttpRequest, pool_id: int) -> HttpResponse:
    return _category_page(request, _admin_pool(request, pool_id), None)


@login_required
@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    category: PoolCategory = get_object_or_404(PoolCategory.objects.filter(pool__in=access_pools(request.user)), pk=pk)
    return _category_page(request, _admin_pool(request, category.pool_id), category)


def _cycle_page(request: HttpRequest, pool: TalentPool, cycle: Cycle | None) -> HttpResponse:
    initial = {"name": cycle.name, "start": cycle.start, "end": cycle.end} if cycle else None
    form = CycleForm(request.POST or None, initial=initial)

    def run(data: dict[str, Any]) -> Cycle:
        return services.cycle_save(actor=request.user, pool=pool, cycle=cycle, **data)

    return _form(
        request,
        form,
        run,
        title=_("编辑届次") if cycle else _("添加届次"),
        back=reverse("talent_pool_edit", args=[pool.pk]),
        done=_("届次已保存。"),
        pool=pool,
        subtitle=pool.name,
    )


@login_required
@require_http_methods(["GET", "POST"])
def cycle_create(request: HttpRequest, pool_id: int) -> HttpResponse:
    return _cycle_page(request, _admin_pool(request, pool_id), None)


@login_required
@require_http_methods(["GET", "POST"])
def cycle_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cycle: Cycle = get_object_or_404(Cycle.objects.filter(pool__in=access_pools(request.user)), pk=pk)
    return _cycle_page(request, _admin_pool(request, cycle.pool_id), cycle)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest, pool_id: int) -> HttpResponse:
    """Organisations are shared by all pools; the page hangs from a pool for its tabs and the way back."""
    pool = _admin_pool(request, pool_id)
    form = OrganisationForm(request.POST or None)

    def run(data: dict[str, Any]) -> Organisation:
        return services.organisation_create(actor=request.user, **data)

    return _form(
        request,
        form,
        run,
        title=_("登记单位"),
        back=reverse("talent_pool", args=[pool.pk]),
        done=_("单位已登记。"),
        pool=pool,
    )


# --- cadres -------------------------------------------------------------------------------------------


def _profile(data: dict[str, Any]) -> services.Profile:
    return services.Profile(**data)


class _Redirect:
    def __init__(self, url: str) -> None:
        self.redirect = url


@never_cache  # a person's private file: no copy in any browser or proxy cache
@login_required
@require_http_methods(["GET", "POST"])
def cadre_create(request: HttpRequest, pool_id: int) -> HttpResponse:
    pool = _admin_pool(request, pool_id)
    form = CadreForm(request.POST or None, pool=pool)

    def run(data: dict[str, Any]) -> _Redirect:
        cadre = services.cadre_create(actor=request.user, pool=pool, profile=_profile(data))
        return _Redirect(reverse("talent_cadre", args=[cadre.pk]))

    return _form(
        request,
        form,
        run,
        title=_("新建干部档案"),
        back=reverse("talent_pool", args=[pool.pk]),
        done=_("档案已建立。"),
        pool=pool,
        subtitle=pool.name,
    )


@never_cache  # a person's private file: no copy in any browser or proxy cache
@login_required
@require_http_methods(["GET", "POST"])
def cadre_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cadre = _cadre(request, pk)
    _keeper(request, cadre)
    initial = {
        "name": cadre.name,
        "gender": cadre.gender,
        "date_of_birth": cadre.date_of_birth,
        "organisation": cadre.organisation_id,
        "post": cadre.post,
        "category": cadre.category_id,
        "education": cadre.education,
        "political_status": cadre.political_status,
        "phone": cadre.phone,
        "staff_number": cadre.staff_number,
        "username": cadre.user.get_username() if cadre.user_id and cadre.user else "",
    }
    form = CadreForm(request.POST or None, pool=cadre.pool, initial=initial)

    def run(data: dict[str, Any]) -> Cadre:
        return services.cadre_update(actor=request.user, cadre=cadre, profile=_profile(data))

    return _form(
        request,
        form,
        run,
        title=_("编辑档案信息"),
        back=reverse("talent_cadre", args=[cadre.pk]),
        done=_("档案信息已保存。"),
        pool=cadre.pool,
        subtitle=cadre.name,
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_enter(request: HttpRequest, pk: int) -> HttpResponse:
    cadre = _cadre(request, pk)
    _keeper(request, cadre)
    form = EnterForm(request.POST or None, initial={"entered_on": timezone.localdate()})

    def run(data: dict[str, Any]) -> Any:
        return services.membership_enter(
            actor=request.user, cadre=cadre, entered_on=data["entered_on"], reason=data["reason"]
        )

    return _form(
        request,
        form,
        run,
        title=_("入库"),
        back=reverse("talent_cadre", args=[cadre.pk]),
        done=_("已入库。"),
        pool=cadre.pool,
        subtitle=cadre.name,
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_exit(request: HttpRequest, pk: int) -> HttpResponse:
    cadre = _cadre(request, pk)
    _keeper(request, cadre)
    form = ExitForm(request.POST or None, initial={"exited_on": timezone.localdate()})

    def run(data: dict[str, Any]) -> Any:
        return services.membership_exit(
            actor=request.user, cadre=cadre, exited_on=data["exited_on"], reason=data["reason"]
        )

    return _form(
        request,
        form,
        run,
        title=_("出库"),
        back=reverse("talent_cadre", args=[cadre.pk]),
        done=_("已出库。"),
        pool=cadre.pool,
        subtitle=cadre.name,
    )


# --- the dossier --------------------------------------------------------------------------------------


@never_cache  # a person's private file: no copy in any browser or proxy cache
@login_required
@require_GET
def cadre_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cadre = _cadre(request, pk)
    level = dossier_access(request.user, cadre)
    if level == DossierAccess.NONE:
        raise Http404
    log_dossier_view(request.user, cadre)
    admin = administers(request.user, cadre.pool_id)
    d = selectors.dossier(cadre, level, admin=admin)
    keeper = admin and cadre.user_id != request.user.pk
    context = {
        "cadre": cadre,
        "pool": cadre.pool,
        "d": d,
        "admin": admin,
        "keeper": keeper,
        "is_member": any(m.exited_on is None for m in d.memberships),
        "radar": selectors.radar(d, cadre.pool),
        "entry_kinds": _ENTRY_LABELS if keeper else {},
        "tabs": pool_tabs(request.user, cadre.pool),
    }
    return render(request, "talent/dossier_detail.html", context)


def _posting(request: HttpRequest, cadre: Cadre, data: dict[str, Any]) -> Any:
    return services.posting_add(actor=request.user, cadre=cadre, **data)


def _honour(request: HttpRequest, cadre: Cadre, data: dict[str, Any]) -> Any:
    return services.honour_add(actor=request.user, cadre=cadre, **data)


def _appraisal(request: HttpRequest, cadre: Cadre, data: dict[str, Any]) -> Any:
    return services.appraisal_record(actor=request.user, cadre=cadre, **data)


def _skill(request: HttpRequest, cadre: Cadre, data: dict[str, Any]) -> Any:
    return services.skill_assess(actor=request.user, cadre=cadre, **data)


def _note(request: HttpRequest, cadre: Cadre, data: dict[str, Any]) -> Any:
    return services.note_add(actor=request.user, cadre=cadre, **data)


_ENTRIES: dict[str, tuple[type[forms.Form], Callable[[HttpRequest, Cadre, dict[str, Any]], Any]]] = {
    "posting": (PostingForm, _posting),
    "honour": (HonourForm, _honour),
    "appraisal": (AppraisalForm, _appraisal),
    "skill": (SkillForm, _skill),
    "note": (NoteForm, _note),
}
_ENTRY_LABELS = {
    "posting": gettext_lazy("添加实践锻炼"),
    "honour": gettext_lazy("添加荣誉"),
    "appraisal": gettext_lazy("记录年度考核"),
    "skill": gettext_lazy("添加能力评估"),
    "note": gettext_lazy("添加备注"),
}


@never_cache  # a person's private file: no copy in any browser or proxy cache
@login_required
@require_http_methods(["GET", "POST"])
def entry_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    if kind not in _ENTRIES:
        raise Http404
    cadre = _cadre(request, pk)
    _keeper(request, cadre)
    form_class, call = _ENTRIES[kind]
    today = timezone.localdate()
    initial = {"assessed_on": today, "awarded_on": today, "start": today, "year": today.year - 1}
    form = form_class(request.POST or None, initial=initial)
    subtitle = cadre.name
    if kind == "skill":
        subtitle = _("%(name)s · 评分范围 %(low)s–%(high)s") % {
            "name": cadre.name,
            "low": services.plain(cadre.pool.skill_scale_min),
            "high": services.plain(cadre.pool.skill_scale_max),
        }
    return _form(
        request,
        form,
        lambda data: call(request, cadre, data),
        title=str(_ENTRY_LABELS[kind]),
        back=reverse("talent_cadre", args=[cadre.pk]),
        done=_("已保存。"),
        pool=cadre.pool,
        subtitle=subtitle,
    )


@login_required
@require_POST
def note_delete(request: HttpRequest, pk: int) -> HttpResponse:
    note: Note = get_object_or_404(
        Note.objects.filter(cadre__in=access_cadres(request.user)).select_related("cadre"), pk=pk
    )
    if dossier_access(request.user, note.cadre) != DossierAccess.WHOLE:
        raise Http404  # an organisation's view never shows notes, so it cannot name one either
    services.note_delete(actor=request.user, note=note)
    messages.success(request, _("备注已删除。"))
    return HttpResponseRedirect(reverse("talent_cadre", args=[note.cadre_id]), status=303)
