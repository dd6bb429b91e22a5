"""Writes of the renewal consultation (DESIGN.md convention 1): vendors' offers and their locking.

A vendor edits only its own offers (membership of the Vendor plus the submit_offers action in the
campaign's subdistrict). Once a brand motion opens on an offer it is locked: owners vote on what
they were shown, so a change after that needs a new motion (issue 4, "Bad input and safety").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor, acting_user
from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.errors import AccessDeniedError, DomainError
from gongzhi.core.files import sniff_document
from gongzhi.core.money import is_fen_exact
from gongzhi.elevators.models import Campaign, CampaignStatus
from gongzhi.motions.models import Motion, MotionKind, MotionOption
from gongzhi.motions.services import motion_create, motion_open
from gongzhi.places.access import Action, require
from gongzhi.places.models import Apartment, Estate
from gongzhi.renewals import apportionment, funding
from gongzhi.renewals.funding import KNOWN_RULES, rule_from_spec
from gongzhi.renewals.models import (
    ApportionMethod,
    Consultation,
    FundingPlan,
    MaintenanceFundBalance,
    Offer,
    OfferDocument,
    OfferPrice,
    OfferStatus,
    OptionOffer,
    SubsidyRule,
    Vendor,
)
from gongzhi.renewals.rules import VendorAction

OFFER_FIELDS = (
    "brand",
    "model",
    "rated_load_kg",
    "rated_speed_mps",
    "machine_room_less",
    "energy_class",
    "warranty_years",
    "free_maintenance_years",
    "delivery_days",
    "installation_days",
    "price_per_elevator",
    "after_sales",
)


def _money(value: Any, label: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(_("%(field)s 不是金额。") % {"field": label}, code="bad_money") from exc
    if not is_fen_exact(amount) or amount <= 0:  # NaN and infinities are not fen-exact
        raise DomainError(_("%(field)s 须为正数，最多精确到分。") % {"field": label}, code="bad_money")
    return amount


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


@transaction.atomic
def offer_save(
    *,
    actor: Actor,
    vendor: Vendor,
    campaign: Campaign,
    data: dict[str, Any],
    prices: list[dict[str, Any]] | None = None,
    offer: Offer | None = None,
) -> Offer:
    """Create or edit a vendor's offer for a campaign (draft or submitted; never once locked).

    `prices` (optional) replaces the per-configuration prices: [{"configuration", "min_stops",
    "max_stops", "price"}]."""
    require(actor, VendorAction.WRITE_OFFERS, vendor)
    if campaign.subdistrict_id != vendor.subdistrict_id:
        raise DomainError(_("品牌方只能为本街道的更新行动报价。"), code="wrong_subdistrict")
    if campaign.status != CampaignStatus.OPEN:
        raise DomainError(_("更新行动已结束，不能再报价。"), code="campaign_closed")
    before = None
    if offer is None:
        offer = Offer(vendor=vendor, campaign=campaign)
    else:
        offer = Offer.objects.select_for_update().get(pk=offer.pk)
        if offer.vendor_id != vendor.pk or offer.campaign_id != campaign.pk:
            raise AccessDeniedError(_("只有该品牌方的账号可以编辑其报价。"))
        if offer.status == OfferStatus.LOCKED:
            raise DomainError(_("报价已锁定（品牌表决已开始），变更须重新发起表决。"), code="offer_locked")
        before = snapshot(offer)
    unknown = set(data) - set(OFFER_FIELDS)
    if unknown:
        raise DomainError(_("未知字段：%(fields)s") % {"fields": ", ".join(sorted(unknown))}, code="unknown_field")
    for name in OFFER_FIELDS:
        if name in data:
            setattr(offer, name, data[name])
    offer.price_per_elevator = _money(offer.price_per_elevator, _("每台价格"))
    twin = Offer.objects.filter(campaign=campaign, vendor=vendor, brand=offer.brand, model=offer.model)
    if twin.exclude(pk=offer.pk).exists():
        raise DomainError(
            _("本行动中已有 %(brand)s %(model)s 的报价，请编辑原报价。") % {"brand": offer.brand, "model": offer.model},
            code="duplicate_offer",
        )
    try:
        offer.full_clean(exclude=["campaign", "vendor"] if offer.pk is None else None)
    except ValidationError as exc:
        raise DomainError(_messages(exc), code="invalid") from exc
    if offer.pk is None:
        offer.save()
    else:
        offer.save()
    if prices is not None:
        _replace_prices(offer, prices)
    audit_record(
        actor=actor,
        action="offer_save",
        object_type="offer",
        object_id=offer.pk,
        summary=f"{vendor.name} {offer}",
        before=before,
        after={**snapshot(offer), "prices": list(offer.prices.values("configuration", "price"))},
    )
    return offer


def _replace_prices(offer: Offer, prices: list[dict[str, Any]]) -> None:
    rows = []
    for index, line in enumerate(prices, start=1):
        configuration = str(line.get("configuration") or "").strip()
        if not configuration:
            raise DomainError(_("第 %(n)s 个配置缺少名称。") % {"n": index}, code="bad_price")
        low, high = line.get("min_stops"), line.get("max_stops")
        if low is not None and high is not None and int(low) > int(high):
            raise DomainError(_("第 %(n)s 个配置的层站范围有误。") % {"n": index}, code="bad_price")
        rows.append(
            OfferPrice(
                offer=offer,
                configuration=configuration[:128],
                min_stops=low,
                max_stops=high,
                price=_money(line.get("price"), configuration),
            )
        )
    OfferPrice.objects.filter(offer=offer).delete()
    OfferPrice.objects.bulk_create(rows)


@transaction.atomic
def offer_submit(*, actor: Actor, offer: Offer, now: dt.datetime | None = None) -> Offer:
    """Make the offer visible to owners and staff (drafts are the vendor's own)."""
    offer = Offer.objects.select_for_update().select_related("vendor").get(pk=offer.pk)
    require(actor, VendorAction.WRITE_OFFERS, offer.vendor)
    if offer.status not in {OfferStatus.DRAFT, OfferStatus.WITHDRAWN}:
        raise DomainError(_("该报价已提交。"), code="already_submitted")
    offer.status = OfferStatus.SUBMITTED
    offer.submitted_at = now or timezone.now()
    offer.save(update_fields=["status", "submitted_at"])
    audit_record(actor=actor, action="offer_submit", object_type="offer", object_id=offer.pk, summary=str(offer))
    return offer


@transaction.atomic
def offer_withdraw(*, actor: Actor, offer: Offer) -> Offer:
    offer = Offer.objects.select_for_update().select_related("vendor").get(pk=offer.pk)
    require(actor, VendorAction.WRITE_OFFERS, offer.vendor)
    if offer.status == OfferStatus.LOCKED:
        raise DomainError(_("报价已锁定（品牌表决已开始），不能撤回。"), code="offer_locked")
    if offer.status != OfferStatus.SUBMITTED:
        raise DomainError(_("只有已提交的报价可以撤回。"), code="not_submitted")
    offer.status = OfferStatus.WITHDRAWN
    offer.save(update_fields=["status"])
    audit_record(actor=actor, action="offer_withdraw", object_type="offer", object_id=offer.pk, summary=str(offer))
    return offer


@transaction.atomic
def offers_lock(*, actor: Actor, offers: list[Offer], now: dt.datetime | None = None) -> int:
    """Lock submitted offers when a brand motion opens on them (the platform or subdistrict staff)."""
    for offer in Offer.objects.select_related("campaign__subdistrict").filter(pk__in=[o.pk for o in offers]):
        require(actor, Action.MANAGE_RENEWAL, offer.campaign.subdistrict)
    return _lock(actor=actor, offers=offers, now=now)


def _lock(*, actor: Actor, offers: list[Offer], now: dt.datetime | None) -> int:
    now = now or timezone.now()
    n = 0
    for offer in Offer.objects.select_for_update().filter(pk__in=[o.pk for o in offers]).order_by("pk"):
        if offer.status == OfferStatus.LOCKED:
            continue
        if offer.status != OfferStatus.SUBMITTED:
            raise DomainError(_("只有已提交的报价可以付诸表决：%(offer)s") % {"offer": offer}, code="not_submitted")
        offer.status = OfferStatus.LOCKED
        offer.locked_at = now
        offer.save(update_fields=["status", "locked_at"])
        audit_record(actor=actor, action="offer_lock", object_type="offer", object_id=offer.pk, summary=str(offer))
        n += 1
    return n


def offers_lock_for_motion(*, actor: Actor, motion: Motion, now: dt.datetime) -> None:
    """motions.hooks.register_motion_opening: lock the offers a choice motion puts to the owners, in
    the same transaction as its opening (a consultation's brand motion, or any motion made with
    offer_motion_create): owners vote on what they were shown, so a changed offer needs a new
    motion (issue 4, "Bad input and safety"). The actor already holds manage_motion on the estate,
    which is the right to put these offers to its owners; no subdistrict-wide renewal right is
    needed. An offer withdrawn since the motion was drafted refuses the opening (nothing is frozen)."""
    if motion.kind != MotionKind.CHOICE:
        return
    offer_ids = list(OptionOffer.objects.filter(option__motion=motion).values_list("offer_id", flat=True))
    if offer_ids:
        _lock(actor=actor, offers=[Offer(pk=pk) for pk in offer_ids], now=now)


@transaction.atomic
def offer_motion_create(*, actor: Actor, estate: Estate, options: list[dict[str, Any]], **fields: Any) -> Motion:
    """A choice motion (motions.services.motion_create, with `fields`) whose options may stand for
    vendors' offers: `options` is [{"label": …, "offer": Offer | None}], in order. An offer must be
    a submitted (or locked) offer of a campaign of the estate's subdistrict, at most once; an
    option without a label is named after its offer's brand and model. Each option's offer is kept
    in OptionOffer; opening the motion locks them (offers_lock_for_motion)."""
    require(actor, Action.MANAGE_MOTION, estate)
    rows: list[tuple[str, Offer | None]] = []
    seen: set[int] = set()
    subdistrict_id = estate.community.subdistrict_id
    for index, item in enumerate(options, start=1):
        offer = item.get("offer")
        label = str(item.get("label") or "")
        if offer is not None:
            if not isinstance(offer, Offer):
                raise DomainError(_("第 %(n)s 个方案的报价无效。") % {"n": index}, code="bad_offer")
            offer = Offer.objects.select_related("campaign").get(pk=offer.pk)
            if offer.campaign.subdistrict_id != subdistrict_id:
                raise DomainError(_("第 %(n)s 个方案的报价不属于本街道的更新行动。") % {"n": index}, code="bad_offer")
            if offer.status not in {OfferStatus.SUBMITTED, OfferStatus.LOCKED}:
                raise DomainError(
                    _("只有已提交的报价可以作为方案：%(offer)s") % {"offer": offer}, code="offer_not_submitted"
                )
            if offer.pk in seen:
                raise DomainError(_("同一报价不能作为两个方案：%(offer)s") % {"offer": offer}, code="duplicate_option")
            seen.add(offer.pk)
            if not label.strip():
                label = f"{offer.brand} {offer.model}"
        rows.append((label, offer))
    motion = motion_create(
        actor=actor, estate=estate, kind=MotionKind.CHOICE, options=[{"label": label} for label, _o in rows], **fields
    )
    by_position = {o.position: o for o in MotionOption.objects.filter(motion=motion)}
    OptionOffer.objects.bulk_create(
        [
            OptionOffer(option=by_position[position], offer=offer)
            for position, (_label, offer) in enumerate(rows, start=1)
            if offer is not None
        ]
    )
    audit_record(
        actor=actor,
        action="option_offers_link",
        object_type="motion",
        object_id=motion.pk,
        summary=motion.title,
        after={
            "options": [
                {"position": position, "offer": offer.pk if offer is not None else None}
                for position, (_label, offer) in enumerate(rows, start=1)
            ]
        },
    )
    return motion


# --- subsidy rules and funding plans ----------------------------------------------------------


def subsidy_rules_install_known() -> int:
    """Create the rules the programme names (renewals.funding.KNOWN_RULES) where missing, keeping
    their order (central first, then the cities). Existing rows are left as edited; a rule that
    should no longer apply is switched off (`active`), not deleted. Run after migrations."""
    created = 0
    for position, rule in enumerate(KNOWN_RULES, start=1):
        _row, was_created = SubsidyRule.objects.get_or_create(
            code=rule.code, defaults={"spec": rule.as_spec(), "position": position * 10}
        )
        created += was_created
    return created


def active_subsidy_rules() -> list[Any]:
    return [rule_from_spec(row.spec) for row in SubsidyRule.objects.filter(active=True).order_by("position", "code")]


def offer_price_for(offer: Offer, stops: int) -> Decimal:
    """The offer's price for one elevator serving `stops`: the configuration whose stop range
    covers it, else the per-elevator price."""
    for line in offer.prices.all():
        if (line.min_stops is None or line.min_stops <= stops) and (line.max_stops is None or stops <= line.max_stops):
            return line.price
    return offer.price_per_elevator


@transaction.atomic
def funding_plan_create(
    *,
    actor: Actor,
    entrance: Any,
    offer: Offer,
    stops: int,
    on: dt.date,
    elevators: int | None = None,
    maintenance_fund: Decimal = Decimal("0.00"),
    public_revenue: Decimal = Decimal("0.00"),
    method: str = "area",
    coefficients: dict[int, Decimal] | None = None,
    exempt: list[int] | None = None,
    city: str | None = None,
) -> Any:
    """Work out and store an entrance's funding plan (怎么换): the chosen offer's price, the
    subsidies in force on `on`, the maintenance fund and public revenue used, and what remains for
    the owners, to be split by `method` (Civil Code Art. 283: by area unless owners agree otherwise).

    The plan must balance exactly (renewals.funding.funding_plan), and the owners' part must be
    apportionable over the entrance's apartments (renewals.apportionment), or nothing is stored."""
    from django.conf import settings

    require(actor, Action.MANAGE_RENEWAL, entrance)
    offer = Offer.objects.select_related("campaign").prefetch_related("prices").get(pk=offer.pk)
    if offer.status not in {OfferStatus.SUBMITTED, OfferStatus.LOCKED}:
        raise DomainError(_("只能选用已提交的报价。"), code="offer_not_submitted")
    subdistrict_id = entrance.building.estate.community.subdistrict_id
    if offer.campaign.subdistrict_id != subdistrict_id:
        raise DomainError(_("该报价不属于本街道的更新行动。"), code="offer_elsewhere")
    if method not in ApportionMethod.values:
        raise DomainError(_("分摊方式无效。"), code="bad_method")
    # The fund's custodian reports the balance; where one is recorded, the plan may not use more.
    latest = entrance.fund_balances.order_by("-as_of", "-id").first()
    if latest is not None and maintenance_fund > latest.balance:
        raise DomainError(
            _("维修资金使用额 %(amount)s 元超过余额 %(balance)s 元（截至 %(date)s）。")
            % {"amount": maintenance_fund, "balance": latest.balance, "date": latest.as_of},
            code="fund_exceeds_balance",
        )
    if elevators is None:
        elevators = entrance.elevators.count()
    if elevators < 1:
        raise DomainError(_("该单元没有登记电梯。"), code="no_elevators")
    works_cost = offer_price_for(offer, stops)
    try:
        job = funding.SubsidyJob(
            elevators=elevators,
            stops=stops,
            works_cost=works_cost,
            on=on,
            city=city if city is not None else settings.GONGZHI_CITY or None,
        )
        inputs = funding.FundingInputs.for_job(
            job, active_subsidy_rules(), maintenance_fund=maintenance_fund, public_revenue=public_revenue
        )
        result = funding.funding_plan(inputs)
        lines = inputs.subsidies
    except funding.FundingInputError as exc:
        raise DomainError(exc.message.render(_), code="bad_plan") from exc
    plan = FundingPlan(
        entrance=entrance,
        campaign=offer.campaign,
        offer=offer,
        elevators=elevators,
        stops=stops,
        works_cost=works_cost,
        maintenance_fund=result.maintenance_fund,
        public_revenue=result.public_revenue,
        subsidies=[
            {
                "code": line.code,
                "name": line.name,
                "authority": line.authority,
                "source": line.source,
                "amount": str(line.amount),
                "explanation": line.explanation,
            }
            for line in lines
        ],
        owners_total=result.owners_remaining,
        method=method,
        coefficients={str(k): str(v) for k, v in (coefficients or {}).items()},
        exempt=[int(a) for a in (exempt or [])],
        created_by=acting_user(actor),
    )
    try:
        plan.full_clean()
        plan_shares(plan)  # refuse a plan whose owners' part cannot be apportioned
    except ValidationError as exc:
        raise DomainError(_messages(exc), code="invalid") from exc
    except apportionment.ApportionInputError as exc:
        raise DomainError(_("无法分摊：%(error)s") % {"error": exc}, code="bad_apportionment") from exc
    plan.save()
    audit_record(
        actor=actor,
        action="funding_plan_create",
        object_type="funding_plan",
        object_id=plan.pk,
        summary=f"{entrance} {offer} owners {plan.owners_total}",
        after=snapshot(plan),
    )
    return plan


def plan_shares(plan: Any) -> list[tuple[Any, Decimal]]:
    """Each apartment of the plan's entrance with its share of the owners' part, in room order:
    as frozen when the plan was put to the vote, else computed from the registry now."""
    if plan.frozen_shares:
        by_id = Apartment.objects.in_bulk([int(k) for k in plan.frozen_shares])
        frozen = [(by_id[int(k)], Decimal(v)) for k, v in plan.frozen_shares.items() if int(k) in by_id]
        return sorted(frozen, key=lambda item: (item[0].floor, item[0].room))
    apartments = list(Apartment.objects.filter(entrance_id=plan.entrance_id).order_by("floor", "room"))
    shares = apportionment.apportion(
        plan.owners_total,
        plan.method,
        [apportionment.ApartmentIn(id=str(a.pk), floor=a.floor, area=a.area) for a in apartments],
        coefficients={int(k): Decimal(v) for k, v in plan.coefficients.items()} or None,
        exempt={str(a) for a in plan.exempt},
    )
    return [(apartment, share.amount) for apartment, share in zip(apartments, shares, strict=True)]


# --- the three decisions per entrance ---------------------------------------------------------


@transaction.atomic
def consultation_create(
    *,
    actor: Actor,
    plan: Any,
    offers: list[Offer],
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    rules: dict[str, str | dict[str, Any]] | None = None,
    meeting_kind: str = "extraordinary",
) -> Any:
    """Create the entrance's three motions from the template: replace or not, which offer (a choice
    among `offers`), and the funding plan (`plan`) with its apportionment.

    Rule presets follow Civil Code Art. 278 and may be overridden by `rules` ({"replace": …, "brand": …,
    "funding": …}): replacing and choosing are ordinary matters; the funding plan is special (3/4)
    when it raises money from the owners (Art. 278(1)(6), 筹集维修资金), ordinary when it only uses
    the maintenance fund and public revenue (Art. 278(1)(5))."""
    entrance = plan.entrance
    require(actor, Action.MANAGE_RENEWAL, entrance)
    if len(offers) < 2:
        raise DomainError(_("品牌表决至少需要两个报价。"), code="too_few_offers")
    fresh = list(Offer.objects.filter(pk__in=[o.pk for o in offers]).select_related("vendor"))
    if len(fresh) != len(offers) or any(
        o.campaign_id != plan.campaign_id or o.status not in {OfferStatus.SUBMITTED, OfferStatus.LOCKED} for o in fresh
    ):
        raise DomainError(_("品牌表决只能包含本行动中已提交的报价。"), code="bad_offers")
    if plan.offer_id not in {o.pk for o in fresh}:
        raise DomainError(_("资金方案所用的报价须在品牌表决的选项中。"), code="plan_offer_missing")
    chosen = dict(rules or {})
    defaults: dict[str, str | dict[str, Any]] = {
        "replace": "civil-code-ordinary",
        "brand": "civil-code-ordinary",
        "funding": "civil-code-special" if plan.owners_total > 0 else "civil-code-ordinary",
    }
    unknown = set(chosen) - set(defaults)
    if unknown:
        raise DomainError(_("未知的表决：%(keys)s") % {"keys": ", ".join(sorted(unknown))}, code="bad_rules")
    rule = {**defaults, **chosen}
    estate = entrance.building.estate
    common = {
        "actor": actor,
        "estate": estate,
        "scope_kind": "entrance",
        "scope_entrance": entrance,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "meeting_kind": meeting_kind,
    }
    by_pk = {o.pk: o for o in fresh}
    replace = motion_create(
        title=_("%(entrance)s 电梯是否更新") % {"entrance": entrance},
        question=_("是否同意对本单元的电梯实施更新改造？"),
        rule=rule["replace"],
        **common,
    )
    brand = offer_motion_create(
        title=_("%(entrance)s 电梯品牌选择") % {"entrance": entrance},
        question=_("请从以下报价中选择一个（须获参与表决的专有部分面积过半数且人数过半数同意方为选定）。"),
        rule=rule["brand"],
        options=[
            {"label": f"{by_pk[o.pk].vendor.name} {by_pk[o.pk].brand} {by_pk[o.pk].model}", "offer": by_pk[o.pk]}
            for o in offers
        ],
        **common,
    )
    funding_motion = motion_create(
        title=_("%(entrance)s 电梯更新资金方案") % {"entrance": entrance},
        question=_("是否同意本资金方案及业主自筹部分 %(amount)s 元按所列方式分摊？") % {"amount": plan.owners_total},
        description=_("方案编号 %(id)s；每户分摊额见表决页面。") % {"id": plan.pk},
        rule=rule["funding"],
        **common,
    )
    consultation = Consultation.objects.create(
        entrance=entrance,
        campaign=plan.campaign,
        plan=plan,
        replace_motion=replace,
        brand_motion=brand,
        funding_motion=funding_motion,
        created_by=acting_user(actor),
    )
    audit_record(
        actor=actor,
        action="consultation_create",
        object_type="consultation",
        object_id=consultation.pk,
        summary=str(entrance),
        after={"plan": plan.pk, "motions": [replace.pk, brand.pk, funding_motion.pk], "offers": [o.pk for o in offers]},
    )
    return consultation


@transaction.atomic
def consultation_open(*, actor: Actor, consultation: Any, now: dt.datetime | None = None) -> Any:
    """Announce the three motions together (freezing their rolls), in one transaction. Opening the
    brand motion locks the offers put to the vote (offers_lock_for_motion, which motion_open runs
    as an opening hook inside this transaction: a withdrawn offer rolls back all three)."""
    require(actor, Action.MANAGE_RENEWAL, consultation.entrance)
    for motion in consultation.motions:
        motion_open(actor=actor, motion=motion, now=now)
    plan = consultation.plan
    if not plan.frozen_shares:  # the shares owners see while voting stay what they were shown
        plan.frozen_shares = {str(a.pk): str(amount) for a, amount in plan_shares(plan)}
        plan.frozen_at = now or timezone.now()
        plan.save(update_fields=["frozen_shares", "frozen_at"])
    return consultation


DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


@transaction.atomic
def offer_document_add(*, actor: Actor, offer: Offer, title: str, upload: Any) -> Any:
    """Attach a document (brochure, certificate, contract draft) to an offer: PDF, JPEG or PNG up to
    10 MB, kept with its SHA-256. Not once the offer is locked: owners vote on what they were shown."""
    import hashlib

    offer = Offer.objects.select_for_update().select_related("vendor").get(pk=offer.pk)
    require(actor, VendorAction.WRITE_OFFERS, offer.vendor)
    if offer.status == OfferStatus.LOCKED:
        raise DomainError(_("报价已锁定（品牌表决已开始），变更须重新发起表决。"), code="offer_locked")
    if not title.strip():
        raise DomainError(_("请填写文件标题。"), code="title_required")
    if not upload or not upload.size:
        raise DomainError(_("请选择要上传的文件。"), code="file_required")
    if upload.size > DOCUMENT_MAX_BYTES:
        raise DomainError(_("文件不能超过 10 MB。"), code="file_too_large")
    head = upload.read(8)
    upload.seek(0)
    if sniff_document(head) is None:
        raise DomainError(_("文件须为 PDF、JPEG 或 PNG。"), code="file_type")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    document = OfferDocument(offer=offer, title=title.strip()[:128], sha256=digest.hexdigest())
    document.file.save(f"offer{offer.pk}.bin", upload, save=False)
    document.save()
    audit_record(
        actor=actor,
        action="offer_document_add",
        object_type="offer",
        object_id=offer.pk,
        summary=document.title,
        after={"document": document.pk, "sha256": document.sha256},
    )
    return document


@transaction.atomic
def fund_balance_record(*, actor: Actor, entrance: Any, balance: Decimal, as_of: dt.date, source: str = "") -> Any:
    """Record the entrance's maintenance fund balance as the custodian reported it."""
    require(actor, Action.MANAGE_RENEWAL, entrance)
    try:
        amount = Decimal(str(balance))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(_("余额须为金额。"), code="bad_money") from exc
    if not is_fen_exact(amount) or amount < 0:
        raise DomainError(_("余额须为非负数，最多精确到分。"), code="bad_money")
    row = MaintenanceFundBalance.objects.create(
        entrance=entrance,
        balance=amount,
        as_of=as_of,
        source=source.strip()[:255],
        recorded_by=acting_user(actor),
    )
    audit_record(
        actor=actor,
        action="fund_balance_record",
        object_type="entrance",
        object_id=entrance.pk,
        summary=f"{amount} @ {as_of}",
        after={"balance": amount, "as_of": as_of, "source": row.source},
    )
    return row
