"""The stages of one elevator's renewal and the rules between them (pure Python, no database).

Hangzhou's ten steps for renewing residential elevators (杭州市既有住宅电梯更新“十步法”) with the
duties of the Special Equipment Safety Law of the PRC (《中华人民共和国特种设备安全法》, 2014):

1. proposal (提出申请) — the entrance's owners or the property manager ask to renew;
2. safety assessment (安全评估) — by GB/T 42615-2023 《在用电梯安全评估规范》 where age alone does
   not qualify the elevator;
3. renewal plan (更新方案) — the offer, funding and apportionment put to the owners;
4. owners' decision (业主表决) — Civil Code Art. 278 (the consultation's three motions);
5. contract (签订合同) — with the chosen vendor;
6. construction notice (施工告知) — Art. 23: the installer notifies the special-equipment regulator
   in writing before work starts;
7. construction (拆除与安装) — the old unit is scrapped (Art. 48: an elevator past its service life or
   not worth repairing is scrapped and its registration cancelled) and the new one installed;
8. acceptance inspection (监督检验) — Art. 25: installation is supervised and inspected by an
   inspection body; an elevator that has not passed may not be handed over or used;
9. use registration (使用登记) — Art. 33: within 30 days before or after it is put into use;
10. maintenance handed over (维保移交) — to a maintenance company (Art. 45);
11. back in service (恢复使用);
12. subsidy claimed and paid (补助拨付) — some cities pay only after completion, registration and an
    audit, so it comes last.

Progress rolls up with WEIGHTS: the share of an elevator's renewal a stage stands for (construction
most). An entrance, estate, community or campaign is the mean of its elevators.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

PROPOSAL = "proposal"
ASSESSMENT = "assessment"
PLAN = "plan"
DECISION = "decision"
CONTRACT = "contract"
NOTICE = "notice"
CONSTRUCTION = "construction"
INSPECTION = "inspection"
REGISTRATION = "registration"
MAINTENANCE = "maintenance"
IN_SERVICE = "in_service"
SUBSIDY = "subsidy"

ORDER: tuple[str, ...] = (
    PROPOSAL,
    ASSESSMENT,
    PLAN,
    DECISION,
    CONTRACT,
    NOTICE,
    CONSTRUCTION,
    INSPECTION,
    REGISTRATION,
    MAINTENANCE,
    IN_SERVICE,
    SUBSIDY,
)

# Percent of one elevator's renewal each stage stands for; they sum to 100.
WEIGHTS: Mapping[str, int] = {
    PROPOSAL: 2,
    ASSESSMENT: 4,
    PLAN: 5,
    DECISION: 10,
    CONTRACT: 5,
    NOTICE: 2,
    CONSTRUCTION: 45,
    INSPECTION: 10,
    REGISTRATION: 4,
    MAINTENANCE: 3,
    IN_SERVICE: 5,
    SUBSIDY: 5,
}

# The elevator is out of service from the start of construction until it is back in service.
OUT_OF_SERVICE_FROM = CONSTRUCTION
OUT_OF_SERVICE_UNTIL = IN_SERVICE

# Art. 33: use registration within 30 days of being put into use.
REGISTRATION_DAYS = 30

PENDING = "pending"
STARTED = "started"
DONE = "done"
FAILED = "failed"  # an inspection that did not pass (it is redone: set back to started)
SKIPPED = "skipped"  # not needed here (e.g. no assessment when age alone qualifies)
FINISHED = frozenset({DONE, SKIPPED})


class StageRuleError(ValueError):
    """A change that breaks an order the law sets; `code` names the rule for the caller."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class StageState:
    kind: str
    status: str = PENDING
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    actual_start: dt.date | None = None
    actual_end: dt.date | None = None


def progress(states: Iterable[StageState]) -> int:
    """Percent of one elevator's renewal done: the weights of finished stages, plus half the weight
    of a started one."""
    total = 0.0
    for s in states:
        if s.status in FINISHED:
            total += WEIGHTS[s.kind]
        elif s.status in (STARTED, FAILED):
            total += WEIGHTS[s.kind] / 2
    return round(total)


def current(states: Iterable[StageState]) -> str:
    """The stage an elevator stands at: the first one not finished (SUBSIDY done → SUBSIDY)."""
    by_kind = {s.kind: s for s in states}
    for kind in ORDER:
        s = by_kind.get(kind)
        if s is None or s.status not in FINISHED:
            return kind
    return ORDER[-1]


def overdue(state: StageState, today: dt.date) -> bool:
    """A stage is overdue when its planned end has passed and it is not finished."""
    return state.planned_end is not None and state.planned_end < today and state.status not in FINISHED


def check_change(states: Mapping[str, StageState], new: StageState) -> None:
    """Refuse a change that breaks the law's order (StageRuleError with a code):

    * no stage finishes before the stages before it have finished (the ten steps are a sequence),
      except that MAINTENANCE and IN_SERVICE need not wait for REGISTRATION (Art. 33 allows it
      within 30 days after the elevator is put into use);
    * construction does not start before the construction notice is done (Art. 23);
    * MAINTENANCE and IN_SERVICE not before INSPECTION passed (Art. 25: no handover before it);
    * dates: an end is not before its start, an actual date is not in the future (checked by the
      service against today), and construction's actual start is not before the notice's end.
    """
    if new.actual_start and new.actual_end and new.actual_end < new.actual_start:
        raise StageRuleError("dates_reversed", "actual end before actual start")
    if new.planned_start and new.planned_end and new.planned_end < new.planned_start:
        raise StageRuleError("dates_reversed", "planned end before planned start")
    index = ORDER.index(new.kind)
    if new.kind == CONSTRUCTION and new.status in (STARTED, DONE):
        notice = states.get(NOTICE)
        if notice is None or notice.status not in FINISHED:
            raise StageRuleError("notice_first", "construction before the regulator was notified")
        if notice.actual_end and new.actual_start and new.actual_start < notice.actual_end:
            raise StageRuleError("notice_first", "construction started before the notice")
    if new.kind in (MAINTENANCE, IN_SERVICE) and new.status in (STARTED, DONE):
        inspection = states.get(INSPECTION)
        if inspection is None or inspection.status != DONE:
            raise StageRuleError("inspection_first", "handover before the acceptance inspection passed")
    if new.status in FINISHED:
        for kind in ORDER[:index]:
            if kind == REGISTRATION and new.kind in (MAINTENANCE, IN_SERVICE):
                continue  # Art. 33 allows registration up to 30 days after the elevator is in use
            before = states.get(kind)
            if before is None or before.status not in FINISHED:
                raise StageRuleError("order", f"{kind} is not finished")
    if new.kind == INSPECTION and new.status == SKIPPED:
        raise StageRuleError("inspection_required", "the acceptance inspection cannot be skipped")
    if new.kind in (CONSTRUCTION, NOTICE, IN_SERVICE) and new.status == SKIPPED:
        raise StageRuleError("required", f"{new.kind} cannot be skipped")


def registration_due(states: Mapping[str, StageState]) -> dt.date | None:
    """Art. 33: the use registration is due 30 days after the elevator is back in service."""
    back = states.get(IN_SERVICE)
    if back is None or back.actual_end is None:
        return None
    return back.actual_end + dt.timedelta(days=REGISTRATION_DAYS)


def out_of_service(states: Mapping[str, StageState], today: dt.date) -> tuple[dt.date, dt.date] | None:
    """Days the elevator is (or is planned to be) out of service: from construction's start to the
    day before it is back in service; actual dates where known, planned otherwise."""
    build = states.get(CONSTRUCTION)
    back = states.get(IN_SERVICE)
    if build is None:
        return None
    first = build.actual_start or build.planned_start
    if first is None:
        return None
    last: dt.date | None
    if back is not None and back.actual_end is not None:
        last = back.actual_end - dt.timedelta(days=1)
    elif build.actual_start is not None and (back is None or back.status not in FINISHED):
        planned = (
            back.planned_end - dt.timedelta(days=1) if back is not None and back.planned_end else build.planned_end
        )
        last = max(today, planned) if planned else today
    else:
        last = (back.planned_end - dt.timedelta(days=1)) if back and back.planned_end else build.planned_end
    if last is None or last < first:
        return None
    return first, last
