"""Pages of the public-revenue ledgers (issue 6 part 4): a ledger per estate with its figures and
chart, posting forms for those who keep the books, the owners' committee's approval queue, the
quarterly statement printed as an A4 notice with a QR code to its public online version, the annual
Excel export for the audit, and the roll-up of a subdistrict or a district.

parse → access check → service → render (DESIGN.md convention 2). Ledgers are looked up through
selectors.access_ledgers (VIEW_LEDGER): outside the user's scope a 404; in scope without the action a
403. The services decide again.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.actors import Actor
from gongzhi.core.files import private_file_response
from gongzhi.core.forms import refusals_on
from gongzhi.core.qr import absolute_url, qr_svg
from gongzhi.ledgers import exports, selectors, services
from gongzhi.ledgers.forms import (
    ApproveForm,
    BudgetForm,
    EntryForm,
    LedgerForm,
    PayForm,
    ReverseForm,
    StatementForm,
    TransferForm,
)
from gongzhi.ledgers.models import Entry, EntryKind, Ledger, SpendingStatus, Statement, Voucher
from gongzhi.motions.models import Motion, MotionStatus
from gongzhi.places.access import Action, require, user_access
from gongzhi.places.models import District, Estate, Subdistrict
from gongzhi.places.selectors import access_estates

PAGE_SIZE = 50
# Which field of the ledger form a refusal of services.ledger_open belongs next to, by its code.
_LEDGER_ERROR_FIELDS = {"bad_limit": "delegated_limit", "bad_share": "fund_share", "bad_opening": "opening_balance"}
# A spending's approval refused because of the motion it cites (services._check_motion).
_MOTION_ERROR_FIELDS = dict.fromkeys(("motion_required", "motion_other_estate", "motion_not_passed"), "motion")
ENTRY_KINDS = ("income", "cost", "spending")
# Which form field a service refusal belongs next to (None: the form as a whole).
ERROR_FIELDS = {
    "bad_money": "amount",
    "over_budget": "amount",
    "cost_exceeds_income": "amount",
    "bad_date": "date",
    "description_required": "description",
    "vouchers": "vouchers",
    "bad_category": "category",
    "bad_income": "against",
}


def _perm(action: Action) -> str:
    return f"places.{action.value}"


def _ledger(request: HttpRequest, pk: int) -> Ledger:
    ledger: Ledger = get_object_or_404(selectors.access_ledgers(request.user), pk=pk)
    return ledger


def _entry(request: HttpRequest, pk: int) -> Entry:
    entry: Entry = get_object_or_404(
        selectors.access_entries(request.user).select_related("ledger__estate__community__subdistrict", "motion"),
        pk=pk,
    )
    return entry


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError as exc:
        raise Http404 from exc
    if not 2000 <= year <= 2100:
        raise Http404
    return year


# --- list and ledger page ----------------------------------------------------------------------------


@login_required
@require_GET
def ledger_list(request: HttpRequest) -> HttpResponse:
    """The ledgers the user may read, and the way to the roll-up for those who see a whole area."""
    page = Paginator(selectors.access_ledgers(request.user).order_by("estate__name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    g = user_access(request.user).grants(Action.VIEW_LEDGER)
    return render(
        request,
        "ledgers/list.html",
        {
            "page": page,
            "may_rollup": g.everything or bool(g.district_ids or g.subdistrict_ids),
            "unopened": list(_estates(request.user, Action.APPROVE_SPENDING).filter(ledger__isnull=True)[:50]),
        },
    )


def _estates(user: Actor, action: Action) -> QuerySet[Estate]:
    """Estates where the user may perform `action` (owners: where they hold an apartment)."""
    return access_estates(user, action).select_related("community").order_by("name")


@login_required
def ledger_open(request: HttpRequest, estate_id: int) -> HttpResponse:
    """Open an estate's ledger (the owners' committee): the delegated limit, the share for the
    maintenance fund, the opening balance and date."""
    estate: Estate = get_object_or_404(_estates(request.user, Action.VIEW_LEDGER), pk=estate_id)
    require(request.user, Action.APPROVE_SPENDING, estate)
    existing = Ledger.objects.filter(estate=estate).values_list("pk", flat=True).first()
    if existing is not None:
        return HttpResponseRedirect(reverse("ledger_detail", args=[existing]))
    if request.method == "POST":
        form = LedgerForm(request.POST)
        if form.is_valid():
            with refusals_on(form, _LEDGER_ERROR_FIELDS) as refused:
                ledger = services.ledger_open(actor=request.user, estate=estate, **form.cleaned_data)
            if not refused:
                messages.success(request, _("已建账。"))
                return _back(ledger)
        status = 400
    else:
        form = LedgerForm(initial={"opened_on": timezone.localdate()})
        status = 200
    return render(request, "ledgers/open.html", {"estate": estate, "form": form}, status=status)


def _detail_context(request: HttpRequest, ledger: Ledger, year: int) -> dict[str, Any]:
    o = selectors.overview(ledger, year)
    entries = (
        Entry.objects.filter(ledger=ledger, date__year=year)
        .select_related("posted_by", "reverses", "against")
        .order_by("-date", "-id")
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    may_record = request.user.has_perm(_perm(Action.RECORD_LEDGER), ledger)
    may_approve = request.user.has_perm(_perm(Action.APPROVE_SPENDING), ledger)
    today = timezone.localdate()
    return {
        "ledger": ledger,
        "estate": ledger.estate,
        "o": o,
        "year": year,
        "year_str": str(year),
        "page": page,
        "charts": selectors.chart_data(o),
        "statements": list(Statement.objects.filter(ledger=ledger).order_by("-period_start")),
        "may_record": may_record,
        "may_approve": may_approve,
        "pending": Entry.objects.filter(
            ledger=ledger,
            kind=EntryKind.SPENDING,
            reversed=False,
            status__in=[SpendingStatus.PROPOSED, SpendingStatus.APPROVED],
        ).count()
        if (may_record or may_approve)
        else 0,
        "transfer_form": TransferForm(initial={"date": today}) if may_record else None,
        "statement_form": StatementForm(initial={"year": today.year}) if may_record else None,
        "budget_form": BudgetForm(initial={"year": year}) if may_approve else None,
    }


@login_required
@require_GET
def ledger_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An estate's ledger: its balance, the year's income by source (gross, costs, net), spending by
    category against the budget (a chart), the entries, statements, and the forms for those allowed."""
    ledger = _ledger(request, pk)
    return render(request, "ledgers/detail.html", _detail_context(request, ledger, _year(request)))


def _back(ledger: Ledger, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("ledger_detail", args=[ledger.pk]) + anchor)


# --- posting ------------------------------------------------------------------------------------------


def _incomes(ledger: Ledger) -> list[tuple[int, str]]:
    rows = Entry.objects.filter(ledger=ledger, kind=EntryKind.INCOME, reversed=False).order_by("-date", "-id")[:200]
    return [(e.pk, f"{e.date:%Y-%m-%d} {e.get_category_display()} {e.amount} {e.description}") for e in rows]


@login_required
def entry_new(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Post income, a cost against an income, or propose spending (RECORD_LEDGER)."""
    if kind not in ENTRY_KINDS:
        raise Http404
    ledger = _ledger(request, pk)
    require(request.user, Action.RECORD_LEDGER, ledger)
    incomes = _incomes(ledger) if kind == "cost" else None
    if request.method == "POST":
        form = EntryForm(request.POST, request.FILES, kind=kind, incomes=incomes)
        if form.is_valid():
            data = form.cleaned_data
            common = {
                "actor": request.user,
                "amount": data["amount"],
                "date": data["date"],
                "description": data["description"],
                "vouchers": request.FILES.getlist("vouchers"),
            }
            with refusals_on(form, ERROR_FIELDS) as refused:
                if kind == "income":
                    services.income_post(ledger=ledger, source=data["category"], **common)
                elif kind == "spending":
                    services.spending_propose(ledger=ledger, category=data["category"], **common)
                else:
                    income = get_object_or_404(Entry, pk=data["against"], ledger=ledger)
                    services.cost_post(income=income, **common)
            if not refused:
                messages.success(request, _("已记账。"))
                return _back(ledger)
        status = 400
    else:
        form = EntryForm(kind=kind, incomes=incomes, initial={"date": timezone.localdate()})
        status = 200
    titles = {"income": _("记收入"), "cost": _("记成本"), "spending": _("申请支出")}
    return render(
        request,
        "ledgers/entry_form.html",
        {"ledger": ledger, "estate": ledger.estate, "form": form, "kind": kind, "title": titles[kind]},
        status=status,
    )


# --- approvals ----------------------------------------------------------------------------------------


def _motions(ledger: Ledger) -> list[tuple[int, str]]:
    rows = Motion.objects.filter(estate_id=ledger.estate_id, status=MotionStatus.CLOSED, result__passed=True)
    return [(m.pk, m.title) for m in rows.order_by("-closes_at")[:100]]


def _approvals(
    request: HttpRequest, ledger: Ledger, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    may_record = request.user.has_perm(_perm(Action.RECORD_LEDGER), ledger)
    may_approve = request.user.has_perm(_perm(Action.APPROVE_SPENDING), ledger)
    if not (may_record or may_approve):
        raise PermissionDenied(_("您无权执行此操作。"))
    motions = _motions(ledger) if may_approve else []
    forms = forms or {}
    rows = []
    today = timezone.localdate()
    queue = (
        Entry.objects.filter(ledger=ledger, kind=EntryKind.SPENDING, reversed=False)
        .filter(status__in=[SpendingStatus.PROPOSED, SpendingStatus.APPROVED])
        .select_related("posted_by", "motion", "approved_by")
        .prefetch_related("vouchers")
        .order_by("date", "id")
    )
    for entry in queue:
        entry.ledger = ledger
        key = f"{entry.status}-{entry.pk}"
        form: Any = None
        if entry.status == SpendingStatus.PROPOSED and may_approve:
            form = forms.get(key) or ApproveForm(motions=motions, auto_id=f"approve{entry.pk}-%s")
        elif entry.status == SpendingStatus.APPROVED and may_record:
            form = forms.get(key) or PayForm(initial={"paid_on": today}, auto_id=f"pay{entry.pk}-%s")
        rows.append({"entry": entry, "form": form, "needs_motion": entry.needs_motion})
    return render(
        request,
        "ledgers/approvals.html",
        {"ledger": ledger, "estate": ledger.estate, "rows": rows, "may_approve": may_approve},
        status=status,
    )


@login_required
@require_GET
def approvals(request: HttpRequest, pk: int) -> HttpResponse:
    """The owners' committee's queue: proposed spending to approve (with the passed motion above the
    delegated limit), approved spending for the property manager to pay."""
    return _approvals(request, _ledger(request, pk))


@login_required
@require_POST
def entry_approve(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    ledger = _ledger(request, entry.ledger_id)
    require(request.user, Action.APPROVE_SPENDING, ledger)
    form = ApproveForm(request.POST, motions=_motions(ledger), auto_id=f"approve{entry.pk}-%s")
    if form.is_valid():
        motion = None
        if form.cleaned_data["motion"]:
            motion = Motion.objects.select_related("result").get(pk=form.cleaned_data["motion"])
        with refusals_on(form, _MOTION_ERROR_FIELDS) as refused:
            services.spending_approve(actor=request.user, entry=entry, motion=motion)
        if not refused:
            messages.success(request, _("已批准。"))
            return HttpResponseRedirect(reverse("ledger_approvals", args=[ledger.pk]))
    return _approvals(request, ledger, {f"{SpendingStatus.PROPOSED}-{entry.pk}": form}, status=400)


@login_required
@require_POST
def entry_pay(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    ledger = _ledger(request, entry.ledger_id)
    require(request.user, Action.RECORD_LEDGER, ledger)
    form = PayForm(request.POST, auto_id=f"pay{entry.pk}-%s")
    if form.is_valid():
        with refusals_on(form, {"bad_date": "paid_on"}) as refused:
            services.spending_pay(actor=request.user, entry=entry, paid_on=form.cleaned_data["paid_on"])
        if not refused:
            messages.success(request, _("已记录支付。"))
            return HttpResponseRedirect(reverse("ledger_approvals", args=[ledger.pk]))
    return _approvals(request, ledger, {f"{SpendingStatus.APPROVED}-{entry.pk}": form}, status=400)


@login_required
def entry_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct an entry by a reversal (RECORD_LEDGER): a new entry with the opposite effect."""
    entry = _entry(request, pk)
    ledger = _ledger(request, entry.ledger_id)
    require(request.user, Action.RECORD_LEDGER, ledger)
    if request.method == "POST":
        form = ReverseForm(request.POST)
        if form.is_valid():
            with refusals_on(form, {"bad_date": "date", "reason_required": "reason"}) as refused:
                services.entry_reverse(
                    actor=request.user, entry=entry, date=form.cleaned_data["date"], reason=form.cleaned_data["reason"]
                )
            if not refused:
                messages.success(request, _("已冲销。"))
                return _back(ledger)
        status = 400
    else:
        form = ReverseForm(initial={"date": timezone.localdate()})
        status = 200
    return render(
        request,
        "ledgers/reverse_form.html",
        {"ledger": ledger, "estate": ledger.estate, "entry": entry, "form": form},
        status=status,
    )


# --- transfers, budgets, statements ------------------------------------------------------------------


def _detail_with(request: HttpRequest, ledger: Ledger, name: str, form: Any) -> HttpResponse:
    context = _detail_context(request, ledger, _year(request))
    context[name] = form
    return render(request, "ledgers/detail.html", context, status=400)


@login_required
@require_POST
def transfer_create(request: HttpRequest, pk: int) -> HttpResponse:
    ledger = _ledger(request, pk)
    require(request.user, Action.RECORD_LEDGER, ledger)
    form = TransferForm(request.POST)
    if form.is_valid():
        with refusals_on(form) as refused:
            services.transfer_post(actor=request.user, ledger=ledger, **form.cleaned_data)
        if not refused:
            messages.success(request, _("已转入维修资金。"))
            return _back(ledger)
    return _detail_with(request, ledger, "transfer_form", form)


@login_required
@require_POST
def budget_set(request: HttpRequest, pk: int) -> HttpResponse:
    ledger = _ledger(request, pk)
    require(request.user, Action.APPROVE_SPENDING, ledger)
    form = BudgetForm(request.POST)
    if form.is_valid():
        with refusals_on(form, {"bad_money": "amount", "budget_below_committed": "amount"}) as refused:
            services.budget_set(actor=request.user, ledger=ledger, **form.cleaned_data)
        if not refused:
            messages.success(request, _("预算已保存。"))
            return HttpResponseRedirect(
                reverse("ledger_detail", args=[ledger.pk]) + f"?year={form.cleaned_data['year']}"
            )
    return _detail_with(request, ledger, "budget_form", form)


@login_required
@require_POST
def statement_create(request: HttpRequest, pk: int) -> HttpResponse:
    ledger = _ledger(request, pk)
    require(request.user, Action.RECORD_LEDGER, ledger)
    form = StatementForm(request.POST)
    if form.is_valid():
        with refusals_on(form) as refused:
            statement = services.statement_generate(actor=request.user, ledger=ledger, **form.cleaned_data)
        if not refused:
            return HttpResponseRedirect(reverse("ledger_statement_notice", args=[statement.pk]))
    return _detail_with(request, ledger, "statement_form", form)


def _statement_context(statement: Statement) -> dict[str, Any]:
    entries = selectors.statement_entries(statement)
    return {
        "statement": statement,
        "ledger": statement.ledger,
        "estate": statement.ledger.estate,
        "entries": entries,
        "vouchers": sum(len(e.vouchers.all()) for e in entries),
        "public_path": reverse("ledger_statement_public", args=[statement.public_id]),
    }


@login_required
@require_GET
def statement_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """The quarterly statement as a printable A4 notice (Civil Code Art. 943) with a QR code to its
    public online version."""
    statement: Statement = get_object_or_404(
        Statement.objects.filter(ledger__in=selectors.access_ledgers(request.user).values("pk")).select_related(
            "ledger__estate__community"
        ),
        pk=pk,
    )
    context = _statement_context(statement)
    url = absolute_url(request, context["public_path"])
    context |= {"public_url": url, "qr": qr_svg(url)}
    return render(request, "ledgers/statement_notice.html", context)


@require_GET
def statement_public(request: HttpRequest, public_id: str) -> HttpResponse:
    """The public online version of a statement: no login, the entries of the quarter and their
    vouchers (what the owners may check, Art. 943). No names of who posted."""
    statement: Statement = get_object_or_404(
        Statement.objects.select_related("ledger__estate__community"), public_id=public_id
    )
    response = render(request, "ledgers/statement_public.html", _statement_context(statement))
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def statement_voucher(request: HttpRequest, public_id: str, pk: int) -> HttpResponseBase:
    """A voucher listed on a public statement (only those of its entries)."""
    statement: Statement = get_object_or_404(Statement, public_id=public_id)
    voucher: Voucher = get_object_or_404(Voucher.objects.select_related("entry"), pk=pk)
    if voucher.entry.pk not in {e.pk for e in selectors.statement_entries(statement)}:
        raise Http404
    return private_file_response(voucher.file, f"voucher{voucher.pk}")


@login_required
@require_GET
def voucher_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    voucher: Voucher = get_object_or_404(
        Voucher.objects.filter(entry__in=selectors.access_entries(request.user).values("pk")), pk=pk
    )
    return private_file_response(voucher.file, f"voucher{voucher.pk}")


# --- export and roll-up -------------------------------------------------------------------------------


@login_required
@require_GET
def ledger_export(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """The year's entries and summary as an Excel workbook for the audit."""
    ledger = _ledger(request, pk)
    if not 2000 <= year <= 2100:
        raise Http404
    content = exports.ledger_workbook(ledger, year)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = quote(f"{ledger.estate.name}-{_('公共收益')}-{year}.xlsx")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


@login_required
@require_GET
def ledger_rollup(request: HttpRequest) -> HttpResponse:
    """All estates of a subdistrict (?subdistrict=) or a district (?district=): net income, spending
    and balance by estate, category and year. VIEW_LEDGER at that level (staff of one community or
    estate see their own ledgers, not the area's)."""
    access = user_access(request.user)
    g = access.grants(Action.VIEW_LEDGER)
    area: Any
    ledgers = Ledger.objects.all()
    if request.GET.get("district"):
        area = get_object_or_404(District, pk=_int(request.GET["district"]))
        require(request.user, Action.VIEW_LEDGER, area, _("您无权查看该区县的汇总。"))
        ledgers = ledgers.filter(estate__community__subdistrict__district=area)
    elif request.GET.get("subdistrict"):
        area = get_object_or_404(Subdistrict, pk=_int(request.GET["subdistrict"]))
        require(request.user, Action.VIEW_LEDGER, area, _("您无权查看该街道的汇总。"))
        ledgers = ledgers.filter(estate__community__subdistrict=area)
    elif g.district_ids:
        return HttpResponseRedirect(reverse("ledger_rollup") + f"?district={min(g.district_ids)}")
    elif g.subdistrict_ids:
        return HttpResponseRedirect(reverse("ledger_rollup") + f"?subdistrict={min(g.subdistrict_ids)}")
    else:
        raise PermissionDenied(_("您无权查看汇总。"))
    r = selectors.rollup(ledgers)
    return render(
        request,
        "ledgers/rollup.html",
        {"area": area, "r": r, "matrix": r.year_matrix(), "charts": selectors.rollup_chart(r)},
    )


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise Http404 from exc
