"""A motion's life (DESIGN.md convention 1): create a draft, change its rule, open it (freeze the
roll), cancel it, close it and publish the result.

Legal frame: PRC Civil Code Art. 278 (thresholds, see motions.thresholds), SPC interpretation on
building ownership Art. 8-9 (area and headcount, applied when the roll is frozen), Hangzhou
物业管理条例 (2021) Art. 19-20 (notice period, voting period; settings GONGZHI_MOTION_*).
Owners who do not vote are never counted as agreeing: such "silence means consent" clauses are
contested in court, so there is no option for them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import SYSTEM, Actor, acting_user
from gongzhi.core.audit import audit_record
from gongzhi.core.errors import DomainError
from gongzhi.motions import codes, hooks
from gongzhi.motions import thresholds as th
from gongzhi.motions.models import (
    MAX_OPTIONS,
    MeetingKind,
    Motion,
    MotionKind,
    MotionOption,
    MotionResult,
    MotionStatus,
    RollEntry,
    ScopeKind,
    Voter,
)
from gongzhi.motions.selectors import ballots_digest, motion_outcome, motion_rule, scope_apartments
from gongzhi.motions.services._common import resolve_now
from gongzhi.places.access import Action, require
from gongzhi.places.models import Apartment, Building, Entrance, Estate, OwnerKind


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
    actor: Actor,
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
    puts two or more options with distinct labels to the owners (`options`: [{"label": …}], in
    order), e.g. the brand of the new elevator among the vendors' offers (renewals links each
    option to its offer: renewals.services.offer_motion_create). The adoption rule of a choice is
    selectors.choice_tally's."""
    require(actor, Action.MANAGE_MOTION, estate)
    option_labels = _clean_options(kind, options)
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
        created_by=acting_user(actor),
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
            MotionOption(motion=motion, position=position, label=label)
            for position, label in enumerate(option_labels, start=1)
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
                {"position": position, "label": label} for position, label in enumerate(option_labels, start=1)
            ],
            "rule": voting_rule.as_json(),
            "opens_at": opens_at,
            "closes_at": closes_at,
            "anonymous": anonymous,
        },
    )
    return motion


def _clean_options(kind: str, options: list[dict[str, Any]] | None) -> list[str]:
    """Check a motion's options: their labels in order, or [] for a question."""
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
    labels: list[str] = []
    for index, item in enumerate(items, start=1):
        unknown = set(item) - {"label"}
        if unknown:  # a caller's mistake, e.g. an offer: renewals.services.offer_motion_create links those
            raise TypeError(f"motion options take a label only, not {sorted(unknown)}")
        label = " ".join(str(item.get("label") or "").split())
        if not label:
            raise DomainError(_("请填写第 %(n)s 个方案的名称。") % {"n": index}, code="option_label_required")
        if len(label) > 128:
            raise DomainError(
                _("第 %(n)s 个方案的名称不能超过 128 个字。") % {"n": index}, code="option_label_too_long"
            )
        if label in labels:
            raise DomainError(_("方案名称重复：%(label)s") % {"label": label}, code="duplicate_option")
        labels.append(label)
    return labels


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
def motion_open(*, actor: Actor, motion: Motion, now: dt.datetime | None = None) -> Motion:
    """Announce the motion and freeze its roll (apartments, areas, owners) and its voters.

    Hangzhou 物业管理条例 Art. 19: a regular assembly is announced 15 days before voting starts, an
    extraordinary one 7 days before (settings.GONGZHI_MOTION_NOTICE_DAYS). Personal links and paper
    sheets are printed from the frozen voters, so later registry edits cannot change the vote."""
    now = resolve_now(now)
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    require(actor, Action.MANAGE_MOTION, motion)
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
    # What the apps above must do in the same transaction (renewals locks the offers a choice
    # motion puts to the owners); a refusal rolls the opening back, nothing is frozen.
    hooks.motion_opening(actor=actor, motion=motion, now=now)
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
def motion_rule_change(*, actor: Actor, motion: Motion, rule: str | dict[str, Any]) -> Motion:
    """Change a draft's voting rule (a preset or custom thresholds no looser than Art. 278): the
    template's presets are proposals; once announced the rule is fixed with the roll."""
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    require(actor, Action.MANAGE_MOTION, motion)
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
def motion_cancel(*, actor: Actor, motion: Motion, reason: str) -> Motion:
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    require(actor, Action.MANAGE_MOTION, motion)
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


@transaction.atomic
def motion_close(*, actor: Actor, motion: Motion, now: dt.datetime | None = None) -> MotionResult:
    """Compute, freeze and publish the result once voting has closed (never earlier: the closing
    time was announced, and Art. 278 counts every owner who votes within it).

    For a choice motion the outcome JSON is selectors.ChoiceOutcome.as_json() ("kind": "choice",
    per-option figures, "adopted": the adopted option's position or null) and `passed` says
    that an option was adopted."""
    now = resolve_now(now)
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    require(actor, Action.MANAGE_MOTION, motion)
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
    now = resolve_now(now)
    n = 0
    for motion in Motion.objects.filter(status=MotionStatus.OPEN, closes_at__lte=now):
        motion_close(actor=SYSTEM, motion=motion, now=now)
        n += 1
    return n
