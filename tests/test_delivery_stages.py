"""The pure rules of a renewal's twelve stages (delivery.stages): weights, progress, the current stage,
overdue stages, the law's order between stages (Special Equipment Safety Law Arts. 23, 25, 33), the
use-registration deadline and the days an elevator is out of service. Every rule at its boundary."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.delivery import stages as st
from gongzhi.delivery.stages import StageRuleError, StageState

D = dt.date
TODAY = D(2025, 4, 10)


def done(kind: str, **dates: dt.date) -> StageState:
    return StageState(kind, st.DONE, **dates)


def states_up_to(last: str, status: str = st.DONE) -> dict[str, StageState]:
    """Every stage before `last` (exclusive) with `status`, the rest pending."""
    index = st.ORDER.index(last)
    return {kind: StageState(kind, status if i < index else st.PENDING) for i, kind in enumerate(st.ORDER)}


def refused(states: dict[str, StageState], new: StageState) -> str:
    with pytest.raises(StageRuleError) as info:
        st.check_change(states, new)
    return info.value.code


# --- weights and progress ------------------------------------------------------------------------


def test_weights_sum_to_100_and_cover_the_order() -> None:
    assert sum(st.WEIGHTS.values()) == 100
    assert set(st.WEIGHTS) == set(st.ORDER)
    assert len(st.ORDER) == len(set(st.ORDER)) == 12


def test_the_stage_choices_are_the_order() -> None:
    """renewals.models.StageKind spells the stage names itself (renewals sits a floor below delivery
    and may not import delivery.stages): the choices must be the same names in the same order."""
    from gongzhi.renewals.models import StageKind

    assert tuple(StageKind.values) == st.ORDER
    assert all(w > 0 for w in st.WEIGHTS.values())
    assert max(st.WEIGHTS, key=lambda k: st.WEIGHTS[k]) == st.CONSTRUCTION  # the works weigh most


def test_progress_of_none_all_and_half() -> None:
    assert st.progress([]) == 0
    assert st.progress(StageState(k) for k in st.ORDER) == 0
    assert st.progress(StageState(k, st.DONE) for k in st.ORDER) == 100
    assert st.progress(StageState(k, st.SKIPPED) for k in st.ORDER) == 100  # skipped counts as finished
    assert st.progress(StageState(k, st.STARTED) for k in st.ORDER) == 50  # half of every weight
    assert st.progress(StageState(k, st.FAILED) for k in st.ORDER) == 50  # a failed inspection is being redone


def test_progress_is_the_weights_of_finished_stages_plus_half_of_started() -> None:
    decided = states_up_to(st.CONTRACT).values()  # proposal 2 + assessment 4 + plan 5 + decision 10
    assert st.progress(decided) == 21
    with_contract_started = [*decided]
    with_contract_started[st.ORDER.index(st.CONTRACT)] = StageState(st.CONTRACT, st.STARTED)
    assert st.progress(with_contract_started) == 24  # 21 + 5 / 2 = 23.5, rounded half to even
    assert st.progress([StageState(st.CONSTRUCTION, st.STARTED)]) == 22  # 45 / 2 = 22.5 → 22


# --- current -------------------------------------------------------------------------------------


def test_current_is_the_first_stage_not_finished() -> None:
    assert st.current([]) == st.PROPOSAL
    assert st.current(states_up_to(st.CONTRACT).values()) == st.CONTRACT
    skipped_assessment = {**states_up_to(st.PLAN), st.ASSESSMENT: StageState(st.ASSESSMENT, st.SKIPPED)}
    assert st.current(skipped_assessment.values()) == st.PLAN
    # A gap: a later stage done does not move the current stage past an unfinished earlier one.
    gap = {**states_up_to(st.NOTICE), st.PLAN: StageState(st.PLAN, st.STARTED)}
    assert st.current(gap.values()) == st.PLAN
    assert st.current(StageState(k, st.DONE) for k in st.ORDER) == st.SUBSIDY  # all done: the last


# --- overdue -------------------------------------------------------------------------------------


def test_overdue_on_the_planned_end_day_and_the_day_after() -> None:
    on_the_day = StageState(st.CONSTRUCTION, st.STARTED, planned_end=TODAY)
    assert not st.overdue(on_the_day, TODAY)
    assert st.overdue(on_the_day, TODAY + dt.timedelta(days=1))
    assert st.overdue(StageState(st.NOTICE, st.PENDING, planned_end=TODAY - dt.timedelta(days=1)), TODAY)
    assert st.overdue(StageState(st.INSPECTION, st.FAILED, planned_end=TODAY - dt.timedelta(days=1)), TODAY)


@pytest.mark.parametrize("status", [st.DONE, st.SKIPPED])
def test_finished_stage_is_never_overdue(status: str) -> None:
    assert not st.overdue(StageState(st.CONSTRUCTION, status, planned_end=D(2020, 1, 1)), TODAY)


def test_stage_without_planned_end_is_not_overdue() -> None:
    assert not st.overdue(StageState(st.CONSTRUCTION, st.STARTED, planned_start=D(2020, 1, 1)), TODAY)


# --- check_change: the law's order ---------------------------------------------------------------


def test_dates_reversed_refused_and_the_same_day_accepted() -> None:
    states = states_up_to(st.CONTRACT)
    bad = StageState(st.CONTRACT, st.DONE, actual_start=D(2025, 1, 2), actual_end=D(2025, 1, 1))
    assert refused(states, bad) == "dates_reversed"
    planned = StageState(st.CONTRACT, st.PENDING, planned_start=D(2025, 1, 2), planned_end=D(2025, 1, 1))
    assert refused(states, planned) == "dates_reversed"
    st.check_change(states, StageState(st.CONTRACT, st.DONE, actual_start=D(2025, 1, 1), actual_end=D(2025, 1, 1)))
    st.check_change(states, StageState(st.CONTRACT, st.PENDING, planned_start=D(2025, 1, 1), planned_end=D(2025, 1, 1)))


@pytest.mark.parametrize("status", [st.STARTED, st.DONE])
def test_construction_needs_the_notice_first(status: str) -> None:
    """Art. 23: the regulator is notified in writing before the works start."""
    states = states_up_to(st.NOTICE)
    assert refused(states, StageState(st.CONSTRUCTION, status)) == "notice_first"
    states[st.NOTICE] = StageState(st.NOTICE, st.STARTED)
    assert refused(states, StageState(st.CONSTRUCTION, status)) == "notice_first"
    states[st.NOTICE] = done(st.NOTICE, actual_end=D(2025, 3, 1))
    st.check_change(states, StageState(st.CONSTRUCTION, st.STARTED, actual_start=D(2025, 3, 1)))  # the same day
    st.check_change(states, StageState(st.CONSTRUCTION, st.PENDING))  # planning is not starting


def test_construction_may_not_start_before_the_notice_day() -> None:
    states = {**states_up_to(st.CONSTRUCTION), st.NOTICE: done(st.NOTICE, actual_end=D(2025, 3, 1))}
    early = StageState(st.CONSTRUCTION, st.STARTED, actual_start=D(2025, 2, 28))
    assert refused(states, early) == "notice_first"


@pytest.mark.parametrize("kind", [st.MAINTENANCE, st.IN_SERVICE])
@pytest.mark.parametrize("inspection", [st.PENDING, st.STARTED, st.FAILED])
def test_no_handover_before_the_inspection_passed(kind: str, inspection: str) -> None:
    """Art. 25: an elevator that has not passed the acceptance inspection is not handed over."""
    states = {**states_up_to(kind), st.INSPECTION: StageState(st.INSPECTION, inspection)}
    assert refused(states, StageState(kind, st.STARTED)) == "inspection_first"
    assert refused(states, StageState(kind, st.DONE)) == "inspection_first"
    states[st.INSPECTION] = StageState(st.INSPECTION, st.DONE)
    st.check_change(states, StageState(kind, st.STARTED))


def test_a_stage_finishes_only_after_those_before_it() -> None:
    states = states_up_to(st.DECISION)  # proposal, assessment, plan done; decision pending
    assert refused(states, StageState(st.CONTRACT, st.DONE)) == "order"
    assert refused(states, StageState(st.CONTRACT, st.SKIPPED)) == "order"
    st.check_change(states, StageState(st.CONTRACT, st.STARTED))  # starting early is allowed
    states[st.DECISION] = StageState(st.DECISION, st.DONE)
    st.check_change(states, StageState(st.CONTRACT, st.DONE))
    states[st.ASSESSMENT] = StageState(st.ASSESSMENT, st.SKIPPED)  # skipped counts as finished
    st.check_change(states, StageState(st.CONTRACT, st.DONE))


def test_the_inspection_cannot_be_skipped_but_the_assessment_can() -> None:
    states = states_up_to(st.INSPECTION)
    assert refused(states, StageState(st.INSPECTION, st.SKIPPED)) == "inspection_required"
    st.check_change(states, StageState(st.INSPECTION, st.DONE))
    st.check_change(states_up_to(st.ASSESSMENT), StageState(st.ASSESSMENT, st.SKIPPED))


@pytest.mark.parametrize("kind", [st.NOTICE, st.CONSTRUCTION, st.IN_SERVICE])
def test_required_stages_cannot_be_skipped(kind: str) -> None:
    states = states_up_to(kind)
    assert refused(states, StageState(kind, st.SKIPPED)) == "required"
    st.check_change(states, StageState(kind, st.DONE))


@pytest.mark.parametrize("kind", [st.PLAN, st.MAINTENANCE, st.SUBSIDY])
def test_other_stages_may_be_skipped(kind: str) -> None:
    st.check_change(states_up_to(kind), StageState(kind, st.SKIPPED))


@pytest.mark.parametrize("kind", [st.MAINTENANCE, st.IN_SERVICE])
def test_registration_may_come_after_the_elevator_is_back_in_service(kind: str) -> None:
    """Art. 33: use registration within 30 days after the elevator is put into use."""
    states = {**states_up_to(kind), st.REGISTRATION: StageState(st.REGISTRATION, st.PENDING)}
    st.check_change(states, StageState(kind, st.DONE))
    # But the subsidy (paid after registration) still waits for it.
    states = {**states_up_to(st.SUBSIDY), st.REGISTRATION: StageState(st.REGISTRATION, st.PENDING)}
    assert refused(states, StageState(st.SUBSIDY, st.DONE)) == "order"


def test_registration_itself_waits_for_the_inspection() -> None:
    states = {**states_up_to(st.REGISTRATION), st.INSPECTION: StageState(st.INSPECTION, st.FAILED)}
    assert refused(states, StageState(st.REGISTRATION, st.DONE)) == "order"


# --- registration due and out of service ---------------------------------------------------------


def test_registration_due_is_30_days_after_back_in_service() -> None:
    assert st.registration_due({}) is None
    assert st.registration_due({st.IN_SERVICE: StageState(st.IN_SERVICE, st.STARTED)}) is None
    back = {st.IN_SERVICE: done(st.IN_SERVICE, actual_end=D(2025, 3, 10))}
    assert st.registration_due(back) == D(2025, 4, 9)
    assert st.REGISTRATION_DAYS == 30


def test_out_of_service_from_planned_dates() -> None:
    build = StageState(st.CONSTRUCTION, planned_start=D(2025, 3, 1), planned_end=D(2025, 4, 10))
    back = StageState(st.IN_SERVICE, planned_start=D(2025, 4, 18), planned_end=D(2025, 4, 20))
    assert st.out_of_service({st.CONSTRUCTION: build, st.IN_SERVICE: back}, TODAY) == (D(2025, 3, 1), D(2025, 4, 19))
    # Without a planned return to service, until construction's planned end.
    assert st.out_of_service({st.CONSTRUCTION: build}, TODAY) == (D(2025, 3, 1), D(2025, 4, 10))


def test_out_of_service_from_actual_dates() -> None:
    build = StageState(st.CONSTRUCTION, st.DONE, D(2025, 3, 1), D(2025, 4, 10), D(2025, 3, 3), D(2025, 4, 12))
    back = done(st.IN_SERVICE, planned_end=D(2025, 4, 20), actual_start=D(2025, 4, 25), actual_end=D(2025, 4, 25))
    assert st.out_of_service({st.CONSTRUCTION: build, st.IN_SERVICE: back}, TODAY) == (D(2025, 3, 3), D(2025, 4, 24))


def test_out_of_service_while_the_works_run() -> None:
    build = StageState(st.CONSTRUCTION, st.STARTED, D(2025, 3, 1), D(2025, 4, 10), actual_start=D(2025, 3, 3))
    back = StageState(st.IN_SERVICE, planned_end=D(2025, 4, 20))
    states = {st.CONSTRUCTION: build, st.IN_SERVICE: back}
    # Back on the planned day, so out until the day before (as with planned and actual dates).
    assert st.out_of_service(states, TODAY) == (D(2025, 3, 3), D(2025, 4, 19))
    assert st.out_of_service(states, D(2025, 5, 1)) == (D(2025, 3, 3), D(2025, 5, 1))  # late: until today
    unplanned = StageState(st.CONSTRUCTION, st.STARTED, actual_start=D(2025, 3, 3))
    assert st.out_of_service({st.CONSTRUCTION: unplanned}, TODAY) == (D(2025, 3, 3), TODAY)


def test_no_out_of_service_without_construction_dates() -> None:
    assert st.out_of_service({}, TODAY) is None
    assert st.out_of_service({st.CONSTRUCTION: StageState(st.CONSTRUCTION)}, TODAY) is None
    inverted = StageState(st.CONSTRUCTION, planned_start=D(2025, 3, 1), planned_end=D(2025, 2, 1))
    assert st.out_of_service({st.CONSTRUCTION: inverted}, TODAY) is None
