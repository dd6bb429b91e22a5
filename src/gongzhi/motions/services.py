"""Writes of owners' motions (DESIGN.md convention 1): create, open (freeze the roll), cast
ballots online, on paper (double entry) and by proxy, close and publish the result.

Legal frame: PRC Civil Code Art. 278 (thresholds, see motions.thresholds), SPC interpretation on
building ownership Art. 8-9 (area and headcount, applied when the roll is frozen), Hangzhou
物业管理条例 (2021) Art. 19-20 (notice period, voting period; settings GONGZHI_MOTION_*).
Owners who do not vote are never counted as agreeing: such "silence means consent" clauses are
contested in court, so there is no option for them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.errors import AccessDeniedError, DomainError
from gongzhi.core.files import sniff_document
from gongzhi.motions import codes
from gongzhi.motions import thresholds as th
from gongzhi.motions.models import (
    MAX_OPTIONS,
    Ballot,
    BallotVersion,
    Channel,
    Choice,
    MeetingKind,
    Motion,
    MotionKind,
    MotionOption,
    MotionResult,
    MotionStatus,
    OneTimeCode,
    PaperEntry,
    ProxyAuthorisation,
    RollEntry,
    ScopeKind,
    Voter,
    VoterSession,
    option_choice,
)
from gongzhi.places.access import Action, allowed
from gongzhi.places.models import Apartment, Building, Entrance, Estate, OwnerKind
from gongzhi.places.rules import chain_of

CODE_TTL = dt.timedelta(minutes=10)
CODE_RESEND_AFTER = dt.timedelta(seconds=60)
CODES_PER_HOUR = 5
CODE_ATTEMPTS = 5
SESSION_TTL = dt.timedelta(hours=2)


def _require(actor: Any, action: Action, obj: Any) -> None:
    chain = chain_of(obj)
    if chain is None or not allowed(actor, action, chain):
        raise AccessDeniedError(_("您无权执行此操作。"))


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else timezone.now()


def motion_rule(motion: Motion) -> th.VotingRule:
    return th.rule_from(
        {
            "participation": {"area": motion.participation_area, "owners": motion.participation_owners},
            "approval": {"area": motion.approval_area, "owners": motion.approval_owners},
        }
        if not motion.rule_preset
        else motion.rule_preset
    )


def _at_least_as_strict(rule: th.Threshold, floor: th.Threshold) -> bool:
    """Whether every count meeting `rule` also meets `floor`."""
    if rule.fraction != floor.fraction:
        return rule.fraction > floor.fraction
    return floor.inclusive or not rule.inclusive


def _parse_rule(rule: str | dict[str, Any]) -> th.VotingRule:
    """A preset, or custom thresholds no looser than the ordinary rule of Civil Code Art. 278: the
    law's thresholds are a floor (a management statute may ask for more, never less), so a looser
    custom rule would produce a decision a court could set aside (Art. 280)."""
    try:
        parsed = th.rule_from(rule)
    except th.TallyInputError as exc:
        raise DomainError(_("表决规则无效：%(error)s") % {"error": exc}, code="bad_rule") from exc
    floor = th.PRESETS["civil-code-ordinary"]
    pairs = (
        (parsed.participation_area, floor.participation_area),
        (parsed.participation_owners, floor.participation_owners),
        (parsed.approval_area, floor.approval_area),
        (parsed.approval_owners, floor.approval_owners),
    )
    if not all(_at_least_as_strict(r, f) for r, f in pairs):
        raise DomainError(
            _("自定义规则不能低于《民法典》第二百七十八条的要求（参与 ≥ 2/3，同意 > 1/2）。"), code="rule_below_law"
        )
    return parsed


@transaction.atomic
def motion_create(
    *,
    actor: Any,
    estate: Estate,
    title: str,
    question: str,
    scope_kind: str,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    rule: str | dict[str, Any] = "civil-code-ordinary",
    description: str = "",
    scope_building: Building | None = None,
    scope_entrance: Entrance | None = None,
    scope_apartments: Iterable[Apartment] = (),
    meeting_kind: str = MeetingKind.EXTRAORDINARY,
    objection_days: int = 0,
    anonymous: bool = False,
    kind: str = MotionKind.QUESTION,
    options: list[dict[str, Any]] | None = None,
) -> Motion:
    """Create a draft motion. The voting period must last between GONGZHI_MOTION_MIN_DAYS and
    GONGZHI_MOTION_MAX_DAYS (Hangzhou 物业管理条例 Art. 20: 5 to 60 days).

    kind "question" (the default) asks for / against / abstain and takes no options; kind "choice"
    puts two or more options with distinct labels to the owners (`options`: [{"label": …,
    "offer": Offer | None}], in order), e.g. the brand of the new elevator among the vendors'
    offers. An offer must be a submitted (or locked) offer of a campaign of the estate's
    subdistrict. The adoption rule of a choice is selectors.choice_tally's."""
    _require(actor, Action.MANAGE_MOTION, estate)
    option_rows = _clean_options(kind, options, estate)
    if not title.strip():
        raise DomainError(_("请填写标题。"), code="title_required")
    if not question.strip():
        raise DomainError(_("请填写表决事项。"), code="question_required")
    if scope_kind not in ScopeKind.values:
        raise DomainError(_("表决范围无效。"), code="bad_scope")
    if timezone.is_naive(opens_at) or timezone.is_naive(closes_at):
        raise DomainError(_("时间须带时区。"), code="naive_datetime")
    if closes_at <= opens_at:
        raise DomainError(_("截止时间须晚于开始时间。"), code="closes_before_opens")
    days = (closes_at - opens_at) / dt.timedelta(days=1)
    if days < settings.GONGZHI_MOTION_MIN_DAYS or days > settings.GONGZHI_MOTION_MAX_DAYS:
        raise DomainError(
            _("表决期须在 %(min)s 至 %(max)s 天之间（现为 %(days).1f 天）。")
            % {"min": settings.GONGZHI_MOTION_MIN_DAYS, "max": settings.GONGZHI_MOTION_MAX_DAYS, "days": days},
            code="bad_period",
        )
    if meeting_kind not in MeetingKind.values:
        raise DomainError(_("会议类型无效。"), code="bad_meeting_kind")
    if not 0 <= objection_days <= 60:
        raise DomainError(_("异议期须在 0 至 60 天之间。"), code="bad_objection_days")
    voting_rule = _parse_rule(rule)
    apartments = list(scope_apartments)
    if scope_kind == ScopeKind.BUILDING:
        if scope_building is None or scope_building.estate_id != estate.id:
            raise DomainError(_("请选择本小区的楼栋。"), code="bad_scope")
        scope_entrance = None
    elif scope_kind == ScopeKind.ENTRANCE:
        if scope_entrance is None or scope_entrance.building.estate_id != estate.id:
            raise DomainError(_("请选择本小区的单元。"), code="bad_scope")
        scope_building = None
    else:
        scope_building = scope_entrance = None
    if scope_kind == ScopeKind.APARTMENTS:
        if not apartments:
            raise DomainError(_("请至少选择一户。"), code="bad_scope")
        foreign = [a for a in apartments if a.entrance.building.estate_id != estate.id]
        if foreign:
            raise DomainError(_("所选房屋不属于本小区：%(room)s") % {"room": foreign[0]}, code="bad_scope")
    motion = Motion(
        estate=estate,
        title=title.strip(),
        kind=kind,
        question=question.strip(),
        description=description.strip(),
        scope_kind=scope_kind,
        scope_building=scope_building,
        scope_entrance=scope_entrance,
        rule_preset=voting_rule.preset or "",
        participation_area=str(voting_rule.participation_area),
        participation_owners=str(voting_rule.participation_owners),
        approval_area=str(voting_rule.approval_area),
        approval_owners=str(voting_rule.approval_owners),
        meeting_kind=meeting_kind,
        opens_at=opens_at,
        closes_at=closes_at,
        objection_days=objection_days,
        anonymous=anonymous,
        created_by=_user(actor),
    )
    try:
        motion.full_clean()
    except ValidationError as exc:
        raise DomainError("; ".join(exc.messages), code="invalid") from exc
    motion.save()
    if scope_kind == ScopeKind.APARTMENTS:
        motion.scope_apartments.set(apartments)
    MotionOption.objects.bulk_create(
        [
            MotionOption(motion=motion, position=position, label=label, offer=offer)
            for position, (label, offer) in enumerate(option_rows, start=1)
        ]
    )
    audit_record(
        actor=actor,
        action="motion_create",
        object_type="motion",
        object_id=motion.pk,
        summary=motion.title,
        after={
            "estate": estate.pk,
            "scope_kind": scope_kind,
            "kind": kind,
            "options": [
                {"position": position, "label": label, "offer": offer.pk if offer is not None else None}
                for position, (label, offer) in enumerate(option_rows, start=1)
            ],
            "rule": voting_rule.as_json(),
            "opens_at": opens_at,
            "closes_at": closes_at,
            "anonymous": anonymous,
        },
    )
    return motion


def _clean_options(kind: str, options: list[dict[str, Any]] | None, estate: Estate) -> list[tuple[str, Any]]:
    """Check a motion's options: (label, offer) in order, or [] for a question."""
    from gongzhi.renewals.models import Offer, OfferStatus

    if kind not in MotionKind.values:
        raise DomainError(_("表决类型无效。"), code="bad_kind")
    if kind == MotionKind.QUESTION:
        if options:
            raise DomainError(_("是否表决不设方案；多个方案选一请选择“方案选择”。"), code="options_not_allowed")
        return []
    items = list(options or [])
    if len(items) < 2:
        raise DomainError(_("方案选择至少需要两个方案。"), code="too_few_options")
    if len(items) > MAX_OPTIONS:
        raise DomainError(_("方案不能超过 %(n)s 个。") % {"n": MAX_OPTIONS}, code="too_many_options")
    rows: list[tuple[str, Any]] = []
    seen_labels: set[str] = set()
    seen_offers: set[int] = set()
    subdistrict_id = estate.community.subdistrict_id
    for index, item in enumerate(items, start=1):
        offer = item.get("offer")
        if offer is not None and not isinstance(offer, Offer):
            raise DomainError(_("第 %(n)s 个方案的报价无效。") % {"n": index}, code="bad_offer")
        label = " ".join(str(item.get("label") or "").split())
        if not label and offer is not None:
            label = f"{offer.brand} {offer.model}"
        if not label:
            raise DomainError(_("请填写第 %(n)s 个方案的名称。") % {"n": index}, code="option_label_required")
        if len(label) > 128:
            raise DomainError(
                _("第 %(n)s 个方案的名称不能超过 128 个字。") % {"n": index}, code="option_label_too_long"
            )
        if label in seen_labels:
            raise DomainError(_("方案名称重复：%(label)s") % {"label": label}, code="duplicate_option")
        seen_labels.add(label)
        if offer is not None:
            offer = Offer.objects.select_related("campaign").get(pk=offer.pk)
            if offer.campaign.subdistrict_id != subdistrict_id:
                raise DomainError(_("第 %(n)s 个方案的报价不属于本街道的更新行动。") % {"n": index}, code="bad_offer")
            if offer.status not in {OfferStatus.SUBMITTED, OfferStatus.LOCKED}:
                raise DomainError(
                    _("只有已提交的报价可以作为方案：%(offer)s") % {"offer": offer}, code="offer_not_submitted"
                )
            if offer.pk in seen_offers:
                raise DomainError(_("同一报价不能作为两个方案：%(offer)s") % {"offer": offer}, code="duplicate_option")
            seen_offers.add(offer.pk)
        rows.append((label, offer))
    return rows


def valid_choices(motion: Motion) -> list[str]:
    """The ballot values a motion accepts: for / against / abstain for a question; "opt<n>" for
    each option, or abstain, for a choice (abstaining owners take part but choose nothing,
    Civil Code Art. 278). A question costs no query (the casting hot path)."""
    if motion.kind != MotionKind.CHOICE:
        return list(Choice.values)
    positions = MotionOption.objects.filter(motion_id=motion.pk).order_by("position").values_list("position", flat=True)
    return [*(option_choice(p) for p in positions), Choice.ABSTAIN.value]


def _check_choice(motion: Motion, choice: str) -> None:
    if choice not in valid_choices(motion):
        raise DomainError(_("选择无效：%(choice)s") % {"choice": choice}, code="bad_choice")


def scope_apartments(motion: Motion) -> Any:
    """The apartments a motion is put to, from the live registry (before the roll is frozen)."""
    qs = Apartment.objects.all()
    if motion.scope_kind == ScopeKind.ENTRANCE:
        return qs.filter(entrance_id=motion.scope_entrance_id or 0)
    if motion.scope_kind == ScopeKind.BUILDING:
        return qs.filter(entrance__building_id=motion.scope_building_id or 0)
    if motion.scope_kind == ScopeKind.APARTMENTS:
        return qs.filter(id__in=motion.scope_apartments.values("id"))
    return qs.filter(entrance__building__estate_id=motion.estate_id)


@dataclass(frozen=True)
class _Row:
    apartment: Apartment
    developer: bool
    owner_ids: tuple[int, ...]
    owner_names: tuple[str, ...]
    phones: tuple[str, ...]


def owner_key(*, developer_held: bool, owner_ids: tuple[int, ...], apartment_id: int) -> str:
    """Who counts as one head (SPC interpretation on building ownership, Art. 9).

    All of a developer's unsold or undelivered apartments count as one owner; one buyer of several
    apartments counts once, so apartments with the same set of registered owners share one key
    (co-owners of an apartment are one head for it). An apartment whose registry entry names no
    owner still counts as one exclusive part, so it gets a key of its own and can never vote
    until its owner is known."""
    if developer_held:
        return "developer"
    if owner_ids:
        return "owners:" + ",".join(str(i) for i in sorted(owner_ids))
    return f"apartment:{apartment_id}"


@transaction.atomic
def motion_open(*, actor: Any, motion: Motion, now: dt.datetime | None = None) -> Motion:
    """Announce the motion and freeze its roll (apartments, areas, owners) and its voters.

    Hangzhou 物业管理条例 Art. 19: a regular assembly is announced 15 days before voting starts, an
    extraordinary one 7 days before (settings.GONGZHI_MOTION_NOTICE_DAYS). Personal links and paper
    sheets are printed from the frozen voters, so later registry edits cannot change the vote."""
    now = _now(now)
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    _require(actor, Action.MANAGE_MOTION, motion)
    if motion.status != MotionStatus.DRAFT:
        raise DomainError(_("只有草稿可以公告。"), code="not_draft")
    notice_days = settings.GONGZHI_MOTION_NOTICE_DAYS[motion.meeting_kind]
    if motion.opens_at - now < dt.timedelta(days=notice_days):
        raise DomainError(
            _("须在表决开始前至少 %(days)s 天公告（%(kind)s）。请推迟开始时间。")
            % {"days": notice_days, "kind": motion.get_meeting_kind_display()},
            code="notice_too_short",
        )
    apartments = list(
        scope_apartments(motion)
        .select_related("entrance__building")
        .prefetch_related("ownerships__owner")
        .order_by("entrance__building__name", "entrance__name", "floor", "room")
    )
    if not apartments:
        raise DomainError(_("表决范围内没有房屋。"), code="empty_roll")
    rows: list[_Row] = []
    for apt in apartments:
        owners = [o.owner for o in apt.ownerships.all()]
        developer = apt.developer_held or (bool(owners) and all(o.kind == OwnerKind.DEVELOPER for o in owners))
        rows.append(
            _Row(
                apt,
                developer,
                () if developer else tuple(sorted(o.id for o in owners)),
                tuple(o.name for o in owners),
                tuple(o.phone for o in owners if o.phone),
            )
        )
    groups: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        key = owner_key(
            developer_held=row.developer,
            owner_ids=row.owner_ids,
            apartment_id=row.apartment.id,
        )
        groups[key].append(row)
    voters: list[Voter] = []
    for number, (key, members) in enumerate(groups.items(), start=1):
        names = members[0].owner_names
        if key == "developer":
            display = _("建设单位") + (f"({names[0]})" if names else "")
        elif key.startswith("apartment:"):
            display = _("（登记册未载业主）")
        else:
            display = "、".join(names)
        voters.append(
            Voter(
                motion=motion,
                number=number,
                owner_key=key,
                display_name=display[:255],
                phone=next((p for r in members for p in r.phones), ""),
                area=sum((r.apartment.area for r in members), Decimal("0.00")),
                apartments=len(members),
                token_hash=f"pending:{motion.pk}:{number}",
            )
        )
    Voter.objects.bulk_create(voters, batch_size=2000)
    voters = list(Voter.objects.filter(motion=motion).order_by("number"))
    by_key = {v.owner_key: v for v in voters}
    for v in voters:
        v.token_hash = codes.sha256_hex(codes.voter_token(v.pk, str(motion.public_id)))
    Voter.objects.bulk_update(voters, ["token_hash"], batch_size=2000)
    through = Voter.owners.through
    through.objects.bulk_create(
        [
            through(voter_id=by_key[key].pk, owner_id=oid)
            for key, members in groups.items()
            for oid in members[0].owner_ids
        ],
        batch_size=2000,
    )
    RollEntry.objects.bulk_create(
        [
            RollEntry(
                motion=motion,
                apartment=r.apartment,
                voter=by_key[key],
                label=f"{r.apartment.entrance.building.name}{r.apartment.entrance.name}{r.apartment.room}",
                building_name=r.apartment.entrance.building.name,
                entrance_name=r.apartment.entrance.name,
                room=r.apartment.room,
                floor=r.apartment.floor,
                area=r.apartment.area,
                developer_held=key == "developer",
            )
            for key, members in groups.items()
            for r in members
        ],
        batch_size=2000,
    )
    _lock_option_offers(actor=actor, motion=motion, now=now)
    motion.status = MotionStatus.OPEN
    motion.opened_at = now
    motion.save(update_fields=["status", "opened_at"])
    total_area = sum((v.area for v in voters), Decimal("0.00"))
    audit_record(
        actor=actor,
        action="motion_open",
        object_type="motion",
        object_id=motion.pk,
        summary=f"{len(apartments)} apartments, {len(voters)} owners, {total_area} m²",
        after={"apartments": len(apartments), "owners": len(voters), "area": total_area},
    )
    _schedule_close(motion)
    return motion


def _lock_option_offers(*, actor: Any, motion: Motion, now: dt.datetime) -> None:
    """Lock the vendors' offers a choice motion puts to the owners, in the same transaction as the
    opening: owners vote on what they were shown, so a changed offer needs a new motion (issue 4,
    "Bad input and safety"). The actor already holds manage_motion on the estate, which is the
    right to put these offers to its owners; no subdistrict-wide renewal right is needed. An
    offer withdrawn since the motion was drafted makes the opening fail (nothing is frozen)."""
    if motion.kind != MotionKind.CHOICE:
        return
    offer_ids = list(MotionOption.objects.filter(motion=motion, offer__isnull=False).values_list("offer_id", flat=True))
    if not offer_ids:
        return
    from gongzhi.renewals.models import Offer  # renewals imports motions: import here, not at the top
    from gongzhi.renewals.services import _lock

    _lock(actor=actor, offers=[Offer(pk=pk) for pk in offer_ids], now=now)


def _schedule_close(motion: Motion) -> None:
    """Queue the automatic closing at closes_at (the worker runs it; views also close lazily)."""
    from gongzhi.motions.tasks import motion_close_task

    def enqueue() -> None:
        # A backend that cannot defer (the tests' immediate one) would run it now, before closing
        # time: there, motions_close_due() on the next page view closes it instead.
        if motion_close_task.get_backend().supports_defer:
            motion_close_task.using(run_after=motion.closes_at).enqueue(motion.pk)

    transaction.on_commit(enqueue)


@transaction.atomic
def motion_rule_change(*, actor: Any, motion: Motion, rule: str | dict[str, Any]) -> Motion:
    """Change a draft's voting rule (a preset or custom thresholds no looser than Art. 278): the
    template's presets are proposals; once announced the rule is fixed with the roll."""
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    _require(actor, Action.MANAGE_MOTION, motion)
    if motion.status != MotionStatus.DRAFT:
        raise DomainError(_("公告后不能再修改表决规则。"), code="not_draft")
    voting_rule = _parse_rule(rule)
    before = motion_rule(motion).as_json()
    motion.rule_preset = voting_rule.preset or ""
    motion.participation_area = str(voting_rule.participation_area)
    motion.participation_owners = str(voting_rule.participation_owners)
    motion.approval_area = str(voting_rule.approval_area)
    motion.approval_owners = str(voting_rule.approval_owners)
    motion.save(
        update_fields=["rule_preset", "participation_area", "participation_owners", "approval_area", "approval_owners"]
    )
    audit_record(
        actor=actor,
        action="motion_rule_change",
        object_type="motion",
        object_id=motion.pk,
        summary=motion.title,
        before={"rule": before},
        after={"rule": voting_rule.as_json()},
    )
    return motion


@transaction.atomic
def motion_cancel(*, actor: Any, motion: Motion, reason: str) -> Motion:
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    _require(actor, Action.MANAGE_MOTION, motion)
    if motion.status == MotionStatus.CLOSED:
        raise DomainError(_("已计票的表决不能撤销。"), code="closed")
    if motion.status == MotionStatus.CANCELLED:
        raise DomainError(_("表决已撤销。"), code="cancelled")
    if not reason.strip():
        raise DomainError(_("请填写撤销原因。"), code="reason_required")
    before = motion.status
    motion.status = MotionStatus.CANCELLED
    motion.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="motion_cancel",
        object_type="motion",
        object_id=motion.pk,
        summary=reason.strip(),
        before={"status": before},
        after={"status": motion.status, "reason": reason.strip()},
    )
    return motion


# --- casting ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CastResult:
    version: BallotVersion
    created: bool  # False when the request was a retry of one already recorded


def _check_window(motion: Motion, now: dt.datetime) -> None:
    if motion.status == MotionStatus.CANCELLED:
        raise DomainError(_("表决已撤销。"), code="cancelled")
    if motion.status != MotionStatus.OPEN or now >= motion.closes_at:
        raise DomainError(_("表决已截止。"), code="voting_closed")
    if now < motion.opens_at:
        raise DomainError(
            _("表决尚未开始（%(at)s 开始）。") % {"at": timezone.localtime(motion.opens_at).strftime("%Y-%m-%d %H:%M")},
            code="voting_not_open",
        )


def _cast(
    *,
    voter: Voter,
    choice: str,
    channel: str,
    request_key: str,
    now: dt.datetime,
    entered_by: Any = None,
    second_entered_by: Any = None,
    proxy: ProxyAuthorisation | None = None,
) -> CastResult:
    """Record one ballot for all of the voter's apartments. Must run inside transaction.atomic.

    The voter row is locked, so two casts for one voter apply one after the other and versions
    are dense; a retried request (same request_key) returns the version already recorded.
    The choice must be one the motion offers (valid_choices)."""
    if not isinstance(choice, str) or not choice or len(choice) > 8:
        raise DomainError(_("选择无效：%(choice)s") % {"choice": choice}, code="bad_choice")
    voter = Voter.objects.select_for_update().select_related("motion").get(pk=voter.pk)
    _check_choice(voter.motion, choice)
    if not request_key or len(request_key) > 64:
        raise DomainError(_("请求编号无效。"), code="bad_request_key")
    existing = BallotVersion.objects.filter(voter=voter, request_key=request_key).first()
    if existing is not None:
        if existing.choice != choice or existing.channel != channel:
            raise DomainError(_("同一请求编号已用于另一张选票。"), code="request_key_reused")
        return CastResult(existing, created=False)
    motion = voter.motion
    _check_window(motion, now)
    version = BallotVersion.objects.create(
        voter=voter,
        version=voter.version + 1,
        choice=choice,
        channel=channel,
        cast_at=now,
        entered_by=_user(entered_by),
        second_entered_by=_user(second_entered_by),
        proxy=proxy,
        request_key=request_key,
    )
    if voter.version == 0:
        Ballot.objects.bulk_create(
            [
                Ballot(
                    motion_id=motion.pk,
                    roll_entry_id=entry_id,
                    voter=voter,
                    version=version,
                    choice=choice,
                    channel=channel,
                    area=area,
                    cast_at=now,
                )
                for entry_id, area in RollEntry.objects.filter(voter=voter).values_list("id", "area")
            ]
        )
    else:
        Ballot.objects.filter(voter=voter).update(version=version, choice=choice, channel=channel, cast_at=now)
    before = voter.choice
    voter.choice = choice
    voter.version = version.version
    voter.save(update_fields=["choice", "version"])
    audit_record(
        actor=entered_by,
        action="ballot_cast",
        object_type="motion",
        object_id=motion.pk,
        summary=f"voter {voter.number} v{version.version} {channel}",
        before={"voter": voter.number, "choice": before or None},
        after={"voter": voter.number, "choice": choice, "channel": channel, "version": version.version},
    )
    return CastResult(version, created=True)


def ballot_cast_online(
    *,
    session_token: str = "",
    session_hash: str = "",
    choice: str,
    request_key: str,
    now: dt.datetime | None = None,
    voter: Voter | None = None,
) -> CastResult:
    """An owner's own vote through their personal link, after confirming a code (see code_confirm).

    The session is the token itself (the API's bearer) or its SHA-256 (the voting page keeps only
    the hash in the browser's Django session). `voter` may be passed when the caller has just
    resolved the session itself (the API's bearer authentication), to save the second lookup; it
    must be the session's voter."""
    now = _now(now)
    token_hash = session_hash or codes.sha256_hex(session_token)
    for attempt in range(3):
        try:
            with transaction.atomic():
                if voter is None:
                    voter = voter_for_session_hash(token_hash, now=now)
                return _cast(voter=voter, choice=choice, channel=Channel.ONLINE, request_key=request_key, now=now)
        except IntegrityError:
            # Two retries of one request racing: the other one recorded it; read it back.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def voter_for_session(session_token: str, *, now: dt.datetime | None = None) -> Voter:
    return voter_for_session_hash(codes.sha256_hex(session_token), now=now)


def voter_for_session_hash(token_hash: str, *, now: dt.datetime | None = None) -> Voter:
    """The voter of a valid session, looked up by the token's SHA-256 (what VoterSession stores)."""
    now = _now(now)
    session = (
        VoterSession.objects.select_related("voter__motion").filter(token_hash=token_hash, expires_at__gt=now).first()
    )
    if session is None:
        raise AccessDeniedError(_("验证已过期，请重新获取验证码。"), code="session_expired")
    return session.voter


def voter_for_link(token: str) -> Voter:
    voter = Voter.objects.select_related("motion__estate").filter(token_hash=codes.sha256_hex(token)).first()
    if voter is None:
        from gongzhi.core.errors import NotFoundError

        raise NotFoundError(_("链接无效。"))
    return voter


@transaction.atomic
def code_send(*, voter: Voter, now: dt.datetime | None = None) -> None:
    """Send a one-time code to the phone on record for the voter (rate-limited)."""
    now = _now(now)
    voter = Voter.objects.select_for_update().select_related("motion").get(pk=voter.pk)
    _check_window(voter.motion, now)
    if not voter.phone:
        raise DomainError(_("登记册中没有您的手机号，无法线上表决。请联系社区领取纸质表决票。"), code="no_phone")
    recent = list(OneTimeCode.objects.filter(voter=voter, created_at__gt=now - dt.timedelta(hours=1)))
    if any(c.created_at > now - CODE_RESEND_AFTER for c in recent):
        raise DomainError(_("验证码已发送，请 60 秒后再试。"), code="code_too_soon")
    if len(recent) >= CODES_PER_HOUR:
        raise DomainError(_("验证码发送过于频繁，请一小时后再试。"), code="code_rate_limited")
    code = codes.new_code()
    OneTimeCode.objects.create(
        voter=voter, code_hash=codes.sha256_hex(f"{voter.pk}:{code}"), created_at=now, expires_at=now + CODE_TTL
    )
    codes.sender().send(
        voter.phone,
        _("【共治】您的表决验证码为 %(code)s，10 分钟内有效。请勿告诉他人。") % {"code": code},
    )


def masked_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


def code_confirm(*, voter: Voter, code: str, now: dt.datetime | None = None) -> str:
    """Check a code; on success return a new session token (its hash is stored) valid for 2 hours."""
    now = _now(now)
    with transaction.atomic():
        otp = (
            OneTimeCode.objects.select_for_update()
            .filter(voter=voter, used=False, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if otp is None:
            raise DomainError(_("验证码已过期，请重新获取。"), code="code_expired")
        if otp.attempts >= CODE_ATTEMPTS:
            raise DomainError(_("验证码错误次数过多，请重新获取。"), code="code_locked")
        if codes.sha256_hex(f"{voter.pk}:{code.strip()}") != otp.code_hash:
            otp.attempts += 1
            otp.save(update_fields=["attempts"])
            ok = False
        else:
            otp.used = True
            otp.save(update_fields=["used"])
            ok = True
    if not ok:
        raise DomainError(_("验证码不正确。"), code="code_wrong")
    return voter_session_issue(voter=voter, now=now)


def consultation_of(motion: Motion) -> Any:
    """The renewal consultation (renewals.Consultation: 换不换, 换什么, 怎么换 of one entrance) the
    motion is one of, or None. One query, with the plan and the three motions joined."""
    from gongzhi.renewals.models import Consultation  # renewals imports motions: import here

    return (
        Consultation.objects.filter(
            Q(replace_motion_id=motion.pk) | Q(brand_motion_id=motion.pk) | Q(funding_motion_id=motion.pk)
        )
        .select_related("plan__offer__vendor", "replace_motion", "brand_motion", "funding_motion")
        .first()
    )


def sibling_voters(voter: Voter, *, consultation: Any = None) -> list[Voter]:
    """The same owner (the same owner_key: one head, SPC interpretation Art. 9) in the other
    motions of the voter's consultation, in the order replace, brand, funding; [] when the motion
    is not part of one. The three motions of an entrance are opened together over the same
    apartments, so an owner has one voter in each (two queries; one when the caller passes the
    consultation it already looked up with consultation_of)."""
    if consultation is None:
        consultation = consultation_of(voter.motion)
    if consultation is None:
        return []
    order = [m.pk for m in consultation.motions]
    others = [pk for pk in order if pk != voter.motion_id]
    siblings = Voter.objects.filter(motion_id__in=others, owner_key=voter.owner_key).select_related("motion")
    return sorted(siblings, key=lambda v: order.index(v.motion_id))


def sibling_sessions_issue(*, voter: Voter, now: dt.datetime | None = None) -> dict[int, str]:
    """After the voter confirmed a code: a session for each sibling voter too ({voter pk: token}),
    so the owner votes on all three decisions of the entrance with one code.

    Only siblings with the same phone on record get one: the code proved possession of that phone,
    and nothing else (were the registry edited between the openings, the other motion asks for
    its own code)."""
    now = _now(now)
    return {
        sibling.pk: voter_session_issue(voter=sibling, now=now)
        for sibling in sibling_voters(voter)
        if voter.phone and sibling.phone == voter.phone
    }


def voter_session_issue(*, voter: Voter, now: dt.datetime | None = None) -> str:
    """A bearer token proving the voter was verified (used after code_confirm; the bench uses it directly)."""
    now = _now(now)
    token = codes.new_session_token()
    VoterSession.objects.create(voter=voter, token_hash=codes.sha256_hex(token), expires_at=now + SESSION_TTL)
    return token


@transaction.atomic
def paper_request(*, actor: Any, voter: Voter, requested: bool = True) -> Voter:
    """Hangzhou 物业管理条例 Art. 20: paper ballots are given to owners who ask for them."""
    _require(actor, Action.ENTER_BALLOTS, voter.motion)
    Voter.objects.filter(pk=voter.pk).update(paper_requested=requested)
    voter.paper_requested = requested
    return voter


@dataclass(frozen=True)
class PaperResult:
    entry: PaperEntry
    counted: CastResult | None  # the ballot cast when this entry matched another
    mismatch: bool


def paper_entry_add(*, actor: Any, voter: Voter, choice: str, now: dt.datetime | None = None) -> PaperResult:
    """Key one paper sheet (double entry). Two staff members key each sheet independently; when two
    entries of the current batch by different people agree, the ballot is cast (channel paper) and
    both are recorded on it. Entries that disagree stay listed as a mismatch until a third keying
    agrees with one of them or someone who runs the vote resolves it against the sheet."""
    now = _now(now)
    _require(actor, Action.ENTER_BALLOTS, voter.motion)
    _check_choice(voter.motion, choice)
    with transaction.atomic():
        voter = Voter.objects.select_for_update().select_related("motion").get(pk=voter.pk)
        _check_window(voter.motion, now)
        batch = _current_batch(voter)
        if PaperEntry.objects.filter(voter=voter, batch=batch, entered_by=actor, resolution=False).exists():
            raise DomainError(
                _("您已录入过第 %(number)s 号表决票，须由另一位工作人员录入第二遍。") % {"number": voter.number},
                code="second_entry_same_person",
            )
        entry = PaperEntry.objects.create(voter=voter, choice=choice, entered_by=actor, batch=batch)
        others = list(PaperEntry.objects.filter(voter=voter, batch=batch, counted=False).exclude(pk=entry.pk))
        match = next((o for o in others if o.choice == choice and o.entered_by_id != actor.pk), None)
        if match is None:
            return PaperResult(entry, None, mismatch=bool(others))
        result = _cast(
            voter=voter,
            choice=choice,
            channel=Channel.PAPER,
            request_key=f"paper:{entry.pk}",
            now=now,
            entered_by=match.entered_by,
            second_entered_by=actor,
        )
        PaperEntry.objects.filter(voter=voter, batch=batch).update(counted=True)
        entry.counted = True
        return PaperResult(entry, result, mismatch=False)


def _current_batch(voter: Voter) -> int:
    """Each paper sheet a voter hands in is a batch; a new sheet starts after one was counted."""
    last = PaperEntry.objects.filter(voter=voter, counted=True).order_by("-batch").values_list("batch", flat=True)
    counted = last.first()
    return (counted or 0) + 1


def paper_mismatch_resolve(
    *, actor: Any, voter: Voter, choice: str, note: str, now: dt.datetime | None = None
) -> PaperResult:
    """Settle disagreeing entries by reading the sheet: recorded with the reason, then cast."""
    now = _now(now)
    _require(actor, Action.MANAGE_MOTION, voter.motion)
    _check_choice(voter.motion, choice)
    if not note.strip():
        raise DomainError(_("请说明裁定依据。"), code="note_required")
    with transaction.atomic():
        voter = Voter.objects.select_for_update().select_related("motion").get(pk=voter.pk)
        _check_window(voter.motion, now)
        batch = _current_batch(voter)
        pending = list(PaperEntry.objects.filter(voter=voter, batch=batch, counted=False))
        if len({p.choice for p in pending}) < 2:
            raise DomainError(_("该表决票没有待裁定的不一致录入。"), code="no_mismatch")
        entry = PaperEntry.objects.create(
            voter=voter, choice=choice, entered_by=actor, batch=batch, resolution=True, note=note.strip()[:255]
        )
        first = pending[0]
        result = _cast(
            voter=voter,
            choice=choice,
            channel=Channel.PAPER,
            request_key=f"paper:{entry.pk}",
            now=now,
            entered_by=first.entered_by,
            second_entered_by=actor,
        )
        PaperEntry.objects.filter(voter=voter, batch=batch).update(counted=True)
        return PaperResult(entry, result, mismatch=False)


PROXY_TYPES = {"application/pdf", "image/jpeg", "image/png"}
PROXY_MAX_BYTES = 5 * 1024 * 1024


def proxy_vote(
    *,
    actor: Any,
    voter: Voter,
    choice: str,
    proxy_name: str,
    proxy_id_last4: str,
    scan: UploadedFile,
    request_key: str,
    now: dt.datetime | None = None,
) -> CastResult:
    """A vote by someone holding the voter's signed authorisation (Civil Code Art. 161-162 on agency):
    the scan is kept with who entered it."""
    now = _now(now)
    _require(actor, Action.ENTER_BALLOTS, voter.motion)
    _check_choice(voter.motion, choice)  # before the scan is stored
    if not proxy_name.strip():
        raise DomainError(_("请填写受托人姓名。"), code="proxy_name_required")
    if proxy_id_last4 and (len(proxy_id_last4) != 4 or not proxy_id_last4.isalnum()):
        raise DomainError(_("证件号后四位须为 4 位数字或字母。"), code="bad_id_last4")
    if scan.size is None or scan.size == 0:
        raise DomainError(_("请上传签字的委托书扫描件。"), code="scan_required")
    if scan.size > PROXY_MAX_BYTES:
        raise DomainError(_("委托书扫描件不能超过 5 MB。"), code="scan_too_large")
    head = scan.read(8)
    scan.seek(0)
    if sniff_document(head) is None:
        raise DomainError(_("委托书扫描件须为 PDF、JPEG 或 PNG 文件。"), code="scan_type")
    digest = hashlib.sha256()
    for chunk in scan.chunks():
        digest.update(chunk)
    scan.seek(0)
    with transaction.atomic():
        voter = Voter.objects.select_for_update().select_related("motion").get(pk=voter.pk)
        _check_window(voter.motion, now)
        retry = BallotVersion.objects.filter(voter=voter, request_key=request_key).first()
        if retry is not None:
            return _cast(
                voter=voter, choice=choice, channel=Channel.PROXY, request_key=request_key, now=now, entered_by=actor
            )
        proxy = ProxyAuthorisation(
            voter=voter,
            proxy_name=proxy_name.strip()[:128],
            proxy_id_last4=proxy_id_last4.upper(),
            scan_sha256=digest.hexdigest(),
            entered_by=actor,
        )
        proxy.scan.save(f"motion{voter.motion_id}-voter{voter.number}.bin", scan, save=False)
        proxy.save()
        return _cast(
            voter=voter,
            choice=choice,
            channel=Channel.PROXY,
            request_key=request_key,
            now=now,
            entered_by=actor,
            proxy=proxy,
        )


# --- closing ------------------------------------------------------------------------------------


def ballots_digest(motion: Motion) -> str:
    """SHA-256 over the per-apartment ballots at closing, printed on the notice so the published
    workbook can be checked against the frozen result."""
    digest = hashlib.sha256()
    rows = (
        Ballot.objects.filter(motion=motion)
        .order_by("roll_entry_id")
        .values_list("roll_entry_id", "choice", "channel", "version__version")
    )
    for row in rows.iterator(chunk_size=5000):
        digest.update(("|".join(str(x) for x in row) + "\n").encode())
    return digest.hexdigest()


@transaction.atomic
def motion_close(*, actor: Any, motion: Motion, now: dt.datetime | None = None) -> MotionResult:
    """Compute, freeze and publish the result once voting has closed (never earlier: the closing
    time was announced, and Art. 278 counts every owner who votes within it).

    For a choice motion the outcome JSON is selectors.ChoiceOutcome.as_json() ("kind": "choice",
    per-option figures, "adopted": the adopted option's position or null) and `passed` says
    that an option was adopted."""
    from gongzhi.motions.selectors import motion_outcome

    now = _now(now)
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    _require(actor, Action.MANAGE_MOTION, motion)
    if motion.status == MotionStatus.CLOSED:
        return motion.result
    if motion.status != MotionStatus.OPEN:
        raise DomainError(_("只有表决中的事项可以计票。"), code="not_open")
    if now < motion.closes_at:
        raise DomainError(_("表决尚未截止，不能计票。"), code="not_closed_yet")
    outcome = motion_outcome(motion)
    result = MotionResult.objects.create(
        motion=motion,
        outcome=outcome.as_json(),
        passed=outcome.passed,
        computed_at=now,
        published_at=now,
        objection_until=motion.closes_at + dt.timedelta(days=motion.objection_days) if motion.objection_days else None,
        ballots_sha256=ballots_digest(motion),
    )
    motion.status = MotionStatus.CLOSED
    motion.closed_at = now
    motion.save(update_fields=["status", "closed_at"])
    audit_record(
        actor=actor,
        action="motion_close",
        object_type="motion",
        object_id=motion.pk,
        summary=_("通过") if outcome.passed else _("未通过"),
        after={"outcome": result.outcome, "ballots_sha256": result.ballots_sha256},
    )
    return result


def motions_close_due(*, now: dt.datetime | None = None) -> int:
    """Close every open motion whose closing time has passed (the worker and views call this)."""
    from gongzhi.elevators.services import SYSTEM

    now = _now(now)
    n = 0
    for motion in Motion.objects.filter(status=MotionStatus.OPEN, closes_at__lte=now):
        motion_close(actor=SYSTEM, motion=motion, now=now)
        n += 1
    return n
