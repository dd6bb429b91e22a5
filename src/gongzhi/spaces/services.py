"""Writes of spaces for services (DESIGN.md convention 1): spaces, partners, agreements and their
obligations, deliveries with evidence, annual reviews. Staff with MANAGE_SPACES in the community
run them; a partner's members log deliveries of their own agreements. One transaction and one
audit entry per write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.actors import Actor, acting_user
from gongzhi.core.audit import audit_record
from gongzhi.core.errors import DomainError
from gongzhi.core.files import sniff_upload, upload_sha256
from gongzhi.places.access import Action, require
from gongzhi.places.models import Community
from gongzhi.spaces import periods
from gongzhi.spaces.models import (
    Agreement,
    AgreementReview,
    AgreementStatus,
    Evidence,
    Fulfilment,
    Obligation,
    Partner,
    PartnerKind,
    Period,
    ReviewOutcome,
    Space,
    SpaceKind,
)
from gongzhi.spaces.rules import SpaceAction

if TYPE_CHECKING:
    from django.contrib.auth.models import User

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
MAX_TERM_YEARS = 10


# The refusal of MANAGE_SPACES (services and pages alike).
MANAGE_REFUSAL = gettext_lazy("您无权管理本社区的空间。")


def quantity(value: Any, field: str = "") -> Decimal:
    """A positive quantity with at most two decimals, from user input; clear Chinese errors."""
    try:
        q = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(_("%(f)s须为数字。") % {"f": field or _("数量")}, code="bad_quantity") from None
    if not q.is_finite() or q <= 0:
        raise DomainError(_("%(f)s须大于 0。") % {"f": field or _("数量")}, code="bad_quantity")
    if q != q.quantize(periods.CENT):
        raise DomainError(_("%(f)s最多两位小数。") % {"f": field or _("数量")}, code="bad_quantity")
    if q >= Decimal("100000000"):
        raise DomainError(_("%(f)s过大。") % {"f": field or _("数量")}, code="bad_quantity")
    return q


@transaction.atomic
def space_create(
    *, actor: Actor, community: Community, name: str, kind: str, area_m2: Any, opening_hours: str = ""
) -> Space:
    require(actor, Action.MANAGE_SPACES, community, MANAGE_REFUSAL)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("请填写空间名称。"), code="name_required")
    if kind not in SpaceKind.values:
        raise DomainError(_("请选择类型。"), code="bad_kind")
    area = quantity(area_m2, _("面积"))
    if Space.objects.filter(community=community, name=name).exists():
        raise DomainError(_("本社区已有同名空间。"), code="duplicate")
    space = Space.objects.create(
        community=community, name=name, kind=kind, area_m2=area, opening_hours=opening_hours.strip()
    )
    audit_record(
        actor=actor,
        action="space_create",
        object_type="spaces.space",
        object_id=space.pk,
        summary=f"{community.name} {name}",
        after={"kind": kind, "area_m2": area},
    )
    return space


@transaction.atomic
def partner_create(
    *, actor: Actor, community: Community, name: str, kind: str, contact: str = "", members: Sequence[User] = ()
) -> Partner:
    require(actor, Action.MANAGE_SPACES, community, MANAGE_REFUSAL)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("请填写合作方名称。"), code="name_required")
    if kind not in PartnerKind.values:
        raise DomainError(_("请选择合作方类型。"), code="bad_kind")
    partner = Partner.objects.create(community=community, name=name, kind=kind, contact=contact.strip())
    partner.members.set(list(members))
    audit_record(
        actor=actor,
        action="partner_create",
        object_type="spaces.partner",
        object_id=partner.pk,
        summary=name,
        after={"kind": kind, "members": [m.pk for m in members]},
    )
    return partner


@dataclass(frozen=True)
class ObligationEntry:
    description: str
    unit: str
    quantity: Any
    period: str = Period.MONTH


@transaction.atomic
def agreement_create(
    *,
    actor: Actor,
    space: Space,
    partner: Partner,
    start: dt.date,
    end: dt.date,
    obligations: Sequence[ObligationEntry],
    review_on: dt.date | None = None,
) -> Agreement:
    """An agreement lending `space` to `partner` from `start` to `end` (inclusive) for services in
    kind. Dates must be sane (end not before start, at most ten years); the first review falls a
    year after the start unless given (within the term); a space has at most one active agreement
    at a time (terms of active agreements on the same space may not share a day)."""
    space = Space.objects.select_for_update().select_related("community__subdistrict").get(pk=space.pk)
    require(actor, Action.MANAGE_SPACES, space.community, MANAGE_REFUSAL)
    if partner.community_id != space.community_id:
        raise DomainError(_("合作方不属于本社区。"), code="bad_partner")
    if end < start:
        raise DomainError(_("结束日期不能早于开始日期。"), code="dates_reversed")
    if end > periods.add_months(start, 12 * MAX_TERM_YEARS):
        raise DomainError(_("协议期限不能超过 10 年。"), code="term_too_long")
    review_on = review_on or periods.add_months(start, 12)
    if not start < review_on:
        raise DomainError(_("年度评估日期须晚于开始日期。"), code="bad_review_on")
    if not obligations:
        raise DomainError(_("请至少填写一项服务义务。"), code="obligations_required")
    clash = Agreement.objects.filter(space=space, status=AgreementStatus.ACTIVE, start__lte=end, end__gte=start).first()
    if clash is not None:
        raise DomainError(
            _("该空间在 %(s)s 至 %(e)s 已有履约中的协议。") % {"s": clash.start, "e": clash.end}, code="overlap"
        )
    rows = []
    for n, o in enumerate(obligations, start=1):
        if not o.description.strip():
            raise DomainError(_("第 %(n)s 项服务义务缺少内容。") % {"n": n}, code="description_required")
        if not o.unit.strip():
            raise DomainError(_("第 %(n)s 项服务义务缺少单位。") % {"n": n}, code="unit_required")
        if o.period not in Period.values:
            raise DomainError(_("第 %(n)s 项服务义务的周期无效。") % {"n": n}, code="bad_period")
        qty = quantity(o.quantity, _("第 %(n)s 项服务义务的每期数量") % {"n": n})
        rows.append(Obligation(description=o.description.strip(), unit=o.unit.strip(), quantity=qty, period=o.period))
    agreement = Agreement.objects.create(
        space=space, partner=partner, start=start, end=end, review_on=review_on, created_by=acting_user(actor)
    )
    for row in rows:
        row.agreement = agreement
    Obligation.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action="space_agreement_create",
        object_type="spaces.agreement",
        object_id=agreement.pk,
        summary=f"{space.name} {partner.name} {start}..{end}",
        after={
            "start": start,
            "end": end,
            "review_on": review_on,
            "obligations": [[r.description, r.unit, r.quantity, r.period] for r in rows],
        },
    )
    return agreement


def _check_upload(upload: Any, n: int) -> tuple[str, str]:
    if not upload.size:
        raise DomainError(_("第 %(n)s 个文件是空的。") % {"n": n}, code="file_required")
    if upload.size > EVIDENCE_MAX_BYTES:
        raise DomainError(_("第 %(n)s 个文件超过 10 MB。") % {"n": n}, code="file_too_large")
    kind = sniff_upload(upload)
    if kind is None:
        raise DomainError(_("第 %(n)s 个文件须为 PDF、JPEG 或 PNG。") % {"n": n}, code="file_type")
    return kind[0], upload_sha256(upload)


@transaction.atomic
def fulfilment_log(
    *,
    actor: Actor,
    obligation: Obligation,
    date: dt.date,
    quantity_delivered: Any,
    note: str = "",
    files: Sequence[Any] = (),
    today: dt.date | None = None,
) -> Fulfilment:
    """Log what was delivered against an obligation, with evidence (PDF, JPEG, PNG up to 10 MB
    each). The date lies within the agreement and not in the future."""
    today = today or timezone.localdate()
    obligation = Obligation.objects.select_related(
        "agreement__space__community__subdistrict", "agreement__partner"
    ).get(pk=obligation.pk)
    agreement = obligation.agreement
    require(actor, SpaceAction.LOG_FULFILMENT, agreement)
    if agreement.status != AgreementStatus.ACTIVE:
        raise DomainError(_("协议已终止，不能再登记。"), code="agreement_ended")
    if not agreement.start <= date <= agreement.end:
        raise DomainError(
            _("日期须在协议期内（%(s)s 至 %(e)s）。") % {"s": agreement.start, "e": agreement.end}, code="bad_date"
        )
    if date > today:
        raise DomainError(_("日期不能晚于今天。"), code="future_date")
    qty = quantity(quantity_delivered)
    checked = [_check_upload(upload, n) for n, upload in enumerate(files, start=1)]
    delivery = Fulfilment.objects.create(
        obligation=obligation, date=date, quantity=qty, note=note.strip(), logged_by=acting_user(actor)
    )
    for upload, (content_type, sha) in zip(files, checked, strict=True):
        evidence = Evidence(delivery=delivery, content_type=content_type, sha256=sha)
        evidence.file.save(f"delivery{delivery.pk}.bin", upload, save=False)
        evidence.save()
    audit_record(
        actor=actor,
        action="space_delivery_log",
        object_type="spaces.delivery",
        object_id=delivery.pk,
        summary=f"{agreement} {obligation.description} {date} {qty}",
        after={"quantity": qty, "evidence": [sha for _t, sha in checked]},
    )
    return delivery


def review_due(agreement: Agreement, today: dt.date) -> bool:
    """The annual review is due (flagged) once its date has come: today on or after review_on,
    while the agreement is active."""
    return agreement.status == AgreementStatus.ACTIVE and today >= agreement.review_on


@transaction.atomic
def review_record(
    *, actor: Actor, agreement: Agreement, date: dt.date, outcome: str, note: str = "", today: dt.date | None = None
) -> AgreementReview:
    """The annual review: continue or adjust (the next review a year after this one's due date),
    or end (the agreement ends on the review date)."""
    today = today or timezone.localdate()
    agreement = (
        Agreement.objects.select_for_update().select_related("space__community__subdistrict").get(pk=agreement.pk)
    )
    require(actor, Action.MANAGE_SPACES, agreement.space.community, MANAGE_REFUSAL)
    if agreement.status != AgreementStatus.ACTIVE:
        raise DomainError(_("协议已终止。"), code="agreement_ended")
    if outcome not in ReviewOutcome.values:
        raise DomainError(_("请选择评估结论。"), code="bad_outcome")
    if date > today:
        raise DomainError(_("评估日期不能晚于今天。"), code="future_date")
    if date < agreement.start:
        raise DomainError(_("评估日期不能早于协议开始日期。"), code="bad_date")
    if outcome == ReviewOutcome.ADJUST and not note.strip():
        raise DomainError(_("调整须说明调整内容。"), code="note_required")
    before = {"status": agreement.status, "end": agreement.end, "review_on": agreement.review_on}
    review = AgreementReview.objects.create(
        agreement=agreement, date=date, outcome=outcome, note=note.strip(), reviewed_by=acting_user(actor)
    )
    if outcome == ReviewOutcome.END:
        agreement.status = AgreementStatus.ENDED
        agreement.end = max(min(agreement.end, date), agreement.start)
    else:
        agreement.review_on = periods.add_months(max(agreement.review_on, date), 12)
    agreement.save(update_fields=["status", "end", "review_on"])
    audit_record(
        actor=actor,
        action="space_agreement_review",
        object_type="spaces.agreement",
        object_id=agreement.pk,
        summary=f"{agreement} {outcome}",
        before=before,
        after={"status": agreement.status, "end": agreement.end, "review_on": agreement.review_on, "review": review.pk},
    )
    return review
