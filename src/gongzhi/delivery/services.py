"""Writes of renewal delivery (DESIGN.md convention 1): renewals and their stages, documents,
construction schedules and their acceptance, estate notices. Every write checks the actor's action
on the object, runs in one transaction and appends one audit entry.

Rules between stages are delivery.stages.check_change (the Special Equipment Safety Law's order);
the schedule is delivery.scheduling (the issue's contract).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor, acting_user
from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.errors import DomainError
from gongzhi.core.files import sniff_upload, upload_sha256
from gongzhi.delivery import scheduling
from gongzhi.delivery import stages as st
from gongzhi.delivery.models import (
    ConstructionSchedule,
    EstateNotice,
    RenewalStage,
    ScheduleStatus,
    StageDocument,
)
from gongzhi.delivery.rules import DeliveryAction
from gongzhi.elevators.models import Campaign, CampaignEntry, CampaignStatus, Elevator
from gongzhi.places.access import Action, require
from gongzhi.places.models import Estate
from gongzhi.renewals.models import Renewal

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
STAGE_FIELDS = ("status", "planned_start", "planned_end", "actual_start", "actual_end", "responsible", "notes")
# Stages a vendor's people record (the works); the rest are the community's and the committee's.
VENDOR_STAGES = frozenset({st.NOTICE, st.CONSTRUCTION, st.INSPECTION, st.REGISTRATION, st.MAINTENANCE, st.IN_SERVICE})

RULE_MESSAGES = {
    "dates_reversed": "结束日期不能早于开始日期。",
    "notice_first": "施工前须先完成施工告知（《特种设备安全法》第二十三条）。",
    "inspection_first": "监督检验合格前不得交付使用（《特种设备安全法》第二十五条）。",
    "order": "请先完成前面的阶段。",
    "inspection_required": "监督检验不可跳过（《特种设备安全法》第二十五条）。",
    "required": "该阶段不可跳过。",
}


def _rule_message(code: str) -> str:
    return _(RULE_MESSAGES.get(code, "该变更不符合阶段顺序。"))


def refresh_renewal(renewal: Renewal) -> None:
    """Recompute the renewal's current stage and progress from its stages."""
    states = [s.state() for s in renewal.stages.all()]
    renewal.current_stage = st.current(states)
    renewal.progress = st.progress(states)
    renewal.save(update_fields=["current_stage", "progress", "updated_at"])


def renewal_create(
    *,
    actor: Actor,
    campaign: Campaign,
    elevator: Elevator,
    vendor: Any | None = None,
    offer: Any | None = None,
    works_days: int | None = None,
    decided_on: dt.date | None = None,
) -> Renewal:
    """Start tracking an elevator's renewal with its twelve stages. When the owners' decision is
    known (`decided_on`, e.g. a paper vote before the platform, or the consultation's motions), the
    stages up to the decision are recorded as done on that date."""
    require(actor, Action.MANAGE_DELIVERY, elevator)
    if campaign.status != CampaignStatus.OPEN:
        raise DomainError(_("活动已结束，不能再添加电梯。"), code="campaign_closed")
    if elevator.entrance.building.estate.community.subdistrict_id != campaign.subdistrict_id:
        raise DomainError(_("该电梯不在本活动的街道内。"), code="wrong_subdistrict")
    if offer is not None:
        vendor = offer.vendor
        if offer.campaign_id != campaign.pk:
            raise DomainError(_("报价不属于本活动。"), code="wrong_offer")
        works_days = works_days or offer.installation_days
    if vendor is not None and vendor.subdistrict_id != campaign.subdistrict_id:
        raise DomainError(_("品牌方不在本活动的街道内。"), code="wrong_vendor")
    if works_days is not None and not 1 <= works_days <= 365:
        raise DomainError(_("施工工期须在 1 至 365 天之间。"), code="bad_days")
    with transaction.atomic():
        if Renewal.objects.filter(campaign=campaign, elevator=elevator).exists():
            raise DomainError(_("该电梯已在本活动的实施清单中。"), code="duplicate")
        renewal = Renewal.objects.create(
            campaign=campaign, elevator=elevator, vendor=vendor, offer=offer, works_days=works_days
        )
        stages = []
        for position, kind in enumerate(st.ORDER, start=1):
            done = decided_on is not None and position <= st.ORDER.index(st.DECISION) + 1
            stages.append(
                RenewalStage(
                    renewal=renewal,
                    kind=kind,
                    position=position,
                    status=st.DONE if done else st.PENDING,
                    actual_end=decided_on if done else None,
                    updated_by=acting_user(actor),
                )
            )
        RenewalStage.objects.bulk_create(stages)
        refresh_renewal(renewal)
        audit_record(
            actor=actor,
            action="renewal_create",
            # A tag of delivery's audit entries, not a model label: it stayed when Renewal moved to
            # renewals (issue 14), so a renewal's history keeps one name.
            object_type="delivery.renewal",
            object_id=renewal.pk,
            summary=f"{elevator.device_code} {campaign.name}",
            after={"vendor": vendor.pk if vendor else None, "works_days": works_days},
        )
    return renewal


def renewals_from_decisions(*, actor: Actor, campaign: Campaign) -> list[Renewal]:
    """A renewal for every elevator of every entrance whose owners decided through the platform
    (replace passed, brand adopted): vendor, offer and works days from the adopted offer."""
    from gongzhi.delivery.selectors import decided_entrances

    require(actor, Action.MANAGE_DELIVERY, campaign)
    created = []
    decided = decided_entrances(campaign)
    existing = set(Renewal.objects.filter(campaign=campaign).values_list("elevator_id", flat=True))
    elevators = Elevator.objects.filter(entrance_id__in=list(decided)).select_related(
        "entrance__building__estate__community"
    )
    with transaction.atomic():
        for elevator in elevators:
            if elevator.pk in existing:
                continue
            offer = decided[elevator.entrance_id]
            closed = offer and _decision_day(campaign, elevator.entrance_id)
            created.append(
                renewal_create(
                    actor=actor, campaign=campaign, elevator=elevator, offer=offer, decided_on=closed or None
                )
            )
    return created


def _decision_day(campaign: Campaign, entrance_id: int) -> dt.date | None:
    from gongzhi.renewals.models import Consultation

    c = (
        Consultation.objects.filter(campaign=campaign, entrance_id=entrance_id)
        .select_related("brand_motion__result")
        .order_by("-created_at")
        .first()
    )
    if c is None or not hasattr(c.brand_motion, "result"):
        return None
    return timezone.localdate(c.brand_motion.result.computed_at)


def stage_update(*, actor: Actor, stage: RenewalStage, today: dt.date | None = None, **changes: Any) -> RenewalStage:
    """Change a stage's status, dates, responsible party or notes, keeping the law's order
    (delivery.stages.check_change). Actual dates are never in the future; finishing a stage
    without an actual end records today."""
    today = today or timezone.localdate()
    unknown = set(changes) - set(STAGE_FIELDS)
    if unknown:
        raise DomainError(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, code="unknown_field")
    with transaction.atomic():
        stage = (
            # Lock the stage row only: PostgreSQL refuses FOR UPDATE on the nullable side of the
            # outer join to the vendor.
            RenewalStage.objects.select_for_update(of=("self",))
            .select_related("renewal__vendor", "renewal__elevator")
            .get(pk=stage.pk)
        )
        require(actor, DeliveryAction.RECORD_STAGE, stage)
        before = {k: v for k, v in snapshot(stage).items() if k in STAGE_FIELDS}
        for name, value in changes.items():
            setattr(stage, name, value)
        if stage.status not in (st.PENDING, st.STARTED, st.DONE, st.FAILED, st.SKIPPED):
            raise DomainError(_("未知状态。"), code="bad_status")
        for name in ("actual_start", "actual_end"):
            value = getattr(stage, name)
            if value is not None and value > today:
                raise DomainError(_("实际日期不能晚于今天。"), code="future_date")
        if stage.status in (st.STARTED, st.DONE, st.FAILED) and stage.actual_start is None:
            stage.actual_start = stage.actual_end if stage.status == st.DONE and stage.actual_end else today
        if stage.status == st.DONE and stage.actual_end is None:
            stage.actual_end = today
        if stage.status in (st.PENDING,):
            stage.actual_start = stage.actual_start if "actual_start" in changes else None
            stage.actual_end = None
        siblings = {s.kind: s.state() for s in RenewalStage.objects.filter(renewal=stage.renewal).exclude(pk=stage.pk)}
        try:
            st.check_change(siblings, stage.state())
        except st.StageRuleError as exc:
            raise DomainError(_rule_message(exc.code), code=exc.code) from exc
        stage.updated_by = acting_user(actor)
        stage.save()
        refresh_renewal(stage.renewal)
        audit_record(
            actor=actor,
            action="stage_update",
            object_type="delivery.stage",
            object_id=stage.pk,
            summary=f"{stage.renewal.elevator.device_code} {stage.kind} {stage.status}",
            before=before,
            after={k: v for k, v in snapshot(stage).items() if k in STAGE_FIELDS},
        )
    return stage


def stage_document_add(
    *, actor: Actor, stage: RenewalStage, title: str, upload: Any, public: bool = False
) -> StageDocument:
    """Attach a photo or document (PDF, JPEG or PNG up to 10 MB, kept with its SHA-256)."""
    stage = RenewalStage.objects.select_related("renewal__vendor", "renewal__elevator").get(pk=stage.pk)
    require(actor, DeliveryAction.RECORD_STAGE, stage)
    if not title.strip():
        raise DomainError(_("请填写文件标题。"), code="title_required")
    if not upload or not upload.size:
        raise DomainError(_("请选择要上传的文件。"), code="file_required")
    if upload.size > DOCUMENT_MAX_BYTES:
        raise DomainError(_("文件不能超过 10 MB。"), code="file_too_large")
    kind = sniff_upload(upload)
    if kind is None:
        raise DomainError(_("文件须为 PDF、JPEG 或 PNG。"), code="file_type")
    sha256 = upload_sha256(upload)
    with transaction.atomic():
        document = StageDocument(
            stage=stage,
            title=title.strip()[:128],
            sha256=sha256,
            content_type=kind[0],
            public=public,
            uploaded_by=acting_user(actor),
        )
        document.file.save(f"stage{stage.pk}.bin", upload, save=False)
        document.save()
        audit_record(
            actor=actor,
            action="stage_document_add",
            object_type="delivery.stage_document",
            object_id=document.pk,
            summary=f"{stage.renewal.elevator.device_code} {stage.kind} {document.title}",
            after={"sha256": document.sha256, "public": public},
        )
    return document


# --------------------------------------------------------------------------------------------
# Construction schedules


def schedule_problem(
    *,
    renewals: Iterable[Renewal],
    start: dt.date,
    deadline: dt.date,
    crews: Mapping[int, int],
    blackouts: Iterable[tuple[dt.date, dt.date]] = (),
    max_down_per_entrance: int = 1,
    max_active_per_building: int | None = None,
    days: Mapping[int, int] | None = None,
) -> dict[str, Any]:
    """The scheduling contract's input for these renewals: job id = renewal id, vendor = vendor id,
    days = the override, else the renewal's works days, else its offer's installation days; weight =
    the elevator's priority score in the campaign, rounded, at least 1."""
    renewals = list(renewals)
    scores = {
        e.elevator_id: e.score
        for e in CampaignEntry.objects.filter(
            campaign_id__in={r.campaign_id for r in renewals}, elevator_id__in=[r.elevator_id for r in renewals]
        )
    }
    jobs = []
    for r in renewals:
        if r.vendor_id is None:
            raise DomainError(_("%(code)s 还没有承接的品牌方。") % {"code": r.elevator.device_code}, code="no_vendor")
        length = (days or {}).get(r.pk) or r.works_days or (r.offer.installation_days if r.offer else None)
        if not length:
            raise DomainError(_("%(code)s 没有施工工期。") % {"code": r.elevator.device_code}, code="no_days")
        score = scores.get(r.elevator_id)
        jobs.append(
            {
                "id": str(r.pk),
                "building": str(r.elevator.entrance.building_id),
                "entrance": str(r.elevator.entrance_id),
                "vendor": str(r.vendor_id),
                "days": int(length),
                "weight": max(1, round(score)) if score is not None else 1,
            }
        )
    problem: dict[str, Any] = {
        "start": start.isoformat(),
        "deadline": deadline.isoformat(),
        "crews": {str(v): int(n) for v, n in crews.items()},
        "jobs": jobs,
        "blackouts": [{"from": a.isoformat(), "to": b.isoformat()} for a, b in blackouts],
        "max_down_per_entrance": max_down_per_entrance,
    }
    if max_active_per_building is not None:
        problem["max_active_per_building"] = max_active_per_building
    scheduling.parse_problem(problem)  # the same checks the command makes
    return problem


def schedule_create(
    *, actor: Actor, campaign: Campaign, problem: dict[str, Any], time_limit: int = 10, name: str = ""
) -> ConstructionSchedule:
    """Record a planning run and queue the solver (delivery.tasks.schedule_task)."""
    require(actor, Action.MANAGE_DELIVERY, campaign)
    try:
        scheduling.parse_problem(problem)
    except scheduling.ScheduleInputError as exc:
        raise DomainError(str(exc), code="bad_problem") from exc
    if not 1 <= time_limit <= 600:
        raise DomainError(_("求解时限须在 1 至 600 秒之间。"), code="bad_time_limit")
    with transaction.atomic():
        schedule = ConstructionSchedule.objects.create(
            campaign=campaign,
            name=name[:128],
            problem=problem,
            time_limit=time_limit,
            created_by=acting_user(actor),
        )
        audit_record(
            actor=actor,
            action="schedule_create",
            object_type="delivery.schedule",
            object_id=schedule.pk,
            summary=f"{campaign.name} {len(problem['jobs'])} jobs",
        )

        def enqueue() -> None:
            from gongzhi.delivery.tasks import schedule_task

            schedule_task.enqueue(str(schedule.pk))

        transaction.on_commit(enqueue)
    return schedule


def schedule_run(schedule_id: Any) -> ConstructionSchedule:
    """Solve a queued schedule (the task's body; also callable directly)."""
    with transaction.atomic():
        schedule = ConstructionSchedule.objects.select_for_update().get(pk=schedule_id)
        if schedule.status not in (ScheduleStatus.QUEUED,):
            return schedule
        schedule.status = ScheduleStatus.RUNNING
        schedule.started_at = timezone.now()
        schedule.save(update_fields=["status", "started_at"])
    try:
        result = scheduling.solve(scheduling.parse_problem(schedule.problem), float(schedule.time_limit))
    except Exception as exc:  # the run is marked failed and the reason kept; nothing else is written
        schedule.status = ScheduleStatus.FAILED
        schedule.error = str(exc)[:2000]
        schedule.finished_at = timezone.now()
        schedule.save(update_fields=["status", "error", "finished_at"])
        raise
    payload = result.as_json()
    payload["seconds"] = round(result.seconds, 2)
    payload["greedy_objective"] = result.greedy_objective
    if result.jobs:
        payload["crews"] = scheduling.assign_crews(scheduling.parse_problem(schedule.problem), result.jobs)
    schedule.result = payload
    schedule.status = ScheduleStatus.DONE
    schedule.finished_at = timezone.now()
    schedule.save(update_fields=["result", "status", "finished_at"])
    return schedule


# Planned days around construction when a schedule is accepted.
NOTICE_DAYS_BEFORE = 7  # the notice is filed in the week before works start (Art. 23)
INSPECTION_DAYS = 7  # the inspection body's visit after installation
HANDOVER_DAYS = 3  # maintenance handed over and the elevator back in service
REGISTRATION_DAYS = st.REGISTRATION_DAYS


def schedule_accept(*, actor: Actor, schedule: ConstructionSchedule) -> int:
    """Adopt a schedule: each job's renewal gets planned dates for the notice, construction, the
    inspection, handover, return to service and registration. Renewals whose construction has
    already started keep their dates. Returns how many renewals were planned."""
    require(actor, Action.MANAGE_DELIVERY, schedule.campaign)
    with transaction.atomic():
        schedule = ConstructionSchedule.objects.select_for_update().get(pk=schedule.pk)
        result = schedule.result or {}
        if schedule.status != ScheduleStatus.DONE or result.get("status") not in (
            scheduling.OPTIMAL,
            scheduling.FEASIBLE,
        ):
            raise DomainError(_("只能采用已求出的可行排程。"), code="not_feasible")
        placed = {int(j["id"]): j for j in result["jobs"]}
        stages = RenewalStage.objects.select_for_update().filter(
            renewal_id__in=list(placed), renewal__campaign=schedule.campaign
        )
        by_renewal: dict[int, dict[str, RenewalStage]] = {}
        for s in stages:
            by_renewal.setdefault(s.renewal_id, {})[s.kind] = s
        planned = 0
        day = dt.timedelta(days=1)
        for renewal_id, kinds in by_renewal.items():
            build = kinds.get(st.CONSTRUCTION)
            if build is None or build.status != st.PENDING:
                continue
            start = dt.date.fromisoformat(placed[renewal_id]["start"])
            end = dt.date.fromisoformat(placed[renewal_id]["end"])
            dates = {
                st.NOTICE: (start - NOTICE_DAYS_BEFORE * day, start - day),
                st.CONSTRUCTION: (start, end),
                st.INSPECTION: (end + day, end + INSPECTION_DAYS * day),
                st.MAINTENANCE: (end + (INSPECTION_DAYS + 1) * day, end + (INSPECTION_DAYS + HANDOVER_DAYS) * day),
                st.IN_SERVICE: (end + (INSPECTION_DAYS + 1) * day, end + (INSPECTION_DAYS + HANDOVER_DAYS) * day),
                st.REGISTRATION: (
                    end + (INSPECTION_DAYS + 1) * day,
                    end + (INSPECTION_DAYS + HANDOVER_DAYS + REGISTRATION_DAYS) * day,
                ),
            }
            for kind, (first, last) in dates.items():
                target = kinds.get(kind)
                if target is None or target.status in st.FINISHED:
                    continue
                target.planned_start, target.planned_end = first, last
                target.save(update_fields=["planned_start", "planned_end", "updated_at"])
            planned += 1
        schedule.accepted_at = timezone.now()
        schedule.accepted_by = acting_user(actor)
        schedule.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(
            actor=actor,
            action="schedule_accept",
            object_type="delivery.schedule",
            object_id=schedule.pk,
            summary=f"{schedule.campaign.name}: {planned} renewals planned",
            after={"objective": result.get("objective"), "status": result.get("status")},
        )
    return planned


def notice_post(*, actor: Actor, estate: Estate, campaign: Campaign, title: str, body: str) -> EstateNotice:
    """Post a notice about the works to the estate's public progress page."""
    require(actor, Action.MANAGE_DELIVERY, estate)
    if not title.strip() or not body.strip():
        raise DomainError(_("请填写公告标题和内容。"), code="notice_empty")
    with transaction.atomic():
        notice = EstateNotice.objects.create(
            estate=estate,
            campaign=campaign,
            title=title.strip()[:128],
            body=body.strip(),
            posted_at=timezone.now(),
            posted_by=acting_user(actor),
        )
        audit_record(
            actor=actor,
            action="notice_post",
            object_type="delivery.notice",
            object_id=notice.pk,
            summary=f"{estate.name} {notice.title}",
        )
    return notice


__all__ = [
    "notice_post",
    "renewal_create",
    "renewals_from_decisions",
    "schedule_accept",
    "schedule_create",
    "schedule_problem",
    "schedule_run",
    "stage_document_add",
    "stage_update",
]
