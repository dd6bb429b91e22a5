"""Spaces for services: the shortfall arithmetic at its boundaries (period end days, clipped
months, a short last period), agreements' dates and overlaps, who logs deliveries (a partner only
its own), evidence files, annual reviews; every write audited, nothing half-written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.core.actors import SYSTEM
from gongzhi.core.errors import AccessDeniedError, DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.places import access
from gongzhi.places.models import Role
from gongzhi.spaces import periods
from gongzhi.spaces import services as s
from gongzhi.spaces.models import Agreement, AgreementStatus, Evidence, Fulfilment, Partner, Space
from gongzhi.spaces.rules import SpaceAction
from gongzhi.spaces.selectors import access_agreements, access_spaces, obligation_statuses
from tests import factories as f
from tests.conftest import ROLES, World

D = dt.date
JAN_1 = D(2025, 1, 1)
DEC_31 = D(2025, 12, 31)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


# --- the arithmetic (pure) ------------------------------------------------------------------------------------


def test_month_periods_clip_to_month_end() -> None:
    rows = periods.periods(D(2024, 1, 31), D(2024, 5, 30), "month")
    assert [(a, b) for a, b, _ in rows] == [
        (D(2024, 1, 31), D(2024, 2, 28)),
        (D(2024, 2, 29), D(2024, 3, 30)),
        (D(2024, 3, 31), D(2024, 4, 29)),
        (D(2024, 4, 30), D(2024, 5, 30)),
    ]
    assert all(full for _, _, full in rows)


def test_quarter_and_year_periods() -> None:
    assert periods.periods(D(2025, 1, 1), D(2025, 12, 31), "quarter")[-1] == (D(2025, 10, 1), D(2025, 12, 31), True)
    assert periods.periods(D(2025, 3, 1), D(2027, 2, 28), "year") == [
        (D(2025, 3, 1), D(2026, 2, 28), True),
        (D(2026, 3, 1), D(2027, 2, 28), True),
    ]


def test_delivery_on_the_period_end_day_counts_in_that_period() -> None:
    rows = periods.shortfall(
        D(2025, 1, 1),
        D(2025, 3, 31),
        "month",
        Decimal(2),
        [(D(2025, 1, 31), Decimal(2)), (D(2025, 2, 1), Decimal(1)), (D(2025, 2, 28), Decimal("0.5"))],
        today=D(2025, 3, 1),
    )
    assert [(r.delivered, r.shortfall, r.ended, r.short) for r in rows] == [
        (Decimal(2), Decimal(0), True, False),
        (Decimal("1.5"), Decimal("0.5"), True, True),
        (Decimal(0), Decimal(2), False, False),
    ]


def test_a_period_is_flagged_only_after_its_end_day() -> None:
    args: tuple[Any, ...] = (D(2025, 1, 1), D(2025, 12, 31), "month", Decimal(1), [])
    assert not periods.shortfall(*args, today=D(2025, 1, 31))[0].short  # the end day: still time
    assert periods.shortfall(*args, today=D(2025, 2, 1))[0].short  # the day after: short
    assert not periods.shortfall(*args, today=D(2024, 12, 31))[0].ended


def test_quarter_and_year_end_days() -> None:
    q = periods.shortfall(
        D(2025, 1, 1),
        D(2025, 12, 31),
        "quarter",
        Decimal(2),
        [(D(2025, 3, 31), Decimal(2)), (D(2025, 4, 1), Decimal(1))],
        today=D(2025, 7, 1),
    )
    assert [(r.delivered, r.short) for r in q[:3]] == [(Decimal(2), False), (Decimal(1), True), (Decimal(0), False)]
    y = periods.shortfall(
        D(2024, 2, 29), D(2026, 2, 27), "year", Decimal(1), [(D(2025, 2, 27), Decimal(1))], today=D(2025, 2, 28)
    )
    assert [(r.start, r.end) for r in y] == [(D(2024, 2, 29), D(2025, 2, 27)), (D(2025, 2, 28), D(2026, 2, 27))]
    assert [r.short for r in y] == [False, False]


def test_over_delivery_is_no_negative_shortfall_and_does_not_carry() -> None:
    rows = periods.shortfall(
        D(2025, 1, 1), D(2025, 2, 28), "month", Decimal(1), [(D(2025, 1, 5), Decimal(3))], today=D(2025, 3, 1)
    )
    assert [(r.shortfall, r.short) for r in rows] == [(Decimal(0), False), (Decimal(1), True)]


def test_short_last_period_is_owed_pro_rata() -> None:
    rows = periods.shortfall(D(2025, 1, 1), D(2025, 2, 14), "month", Decimal(4), [], today=D(2025, 1, 1))
    assert rows[-1].owed == Decimal("2.00")  # 14 of February's 28 days
    rows = periods.shortfall(D(2025, 1, 1), D(2025, 1, 1), "year", Decimal(10), [], today=D(2025, 1, 1))
    assert rows[0].owed == Decimal("0.03")  # 1/365 of 10, rounded half up


def test_deliveries_outside_the_term_count_nowhere() -> None:
    rows = periods.shortfall(
        D(2025, 1, 1), D(2025, 1, 31), "month", Decimal(1), [(D(2024, 12, 31), Decimal(1))], today=D(2025, 2, 1)
    )
    assert rows[0].delivered == 0
    assert rows[0].short


# --- services ----------------------------------------------------------------------------------------------


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def make_space(w: World) -> Space:
    return s.space_create(
        actor=w.users[Role.COMMUNITY_STAFF],
        community=w.inside["community"],
        name="共享客厅",
        kind="room",
        area_m2="86.50",
        opening_hours="周一至周五 9:00-17:00",
    )


def make_partner(w: World, name: str = "青禾咖啡", members: tuple[Any, ...] = ()) -> Partner:
    return s.partner_create(
        actor=w.users[Role.COMMUNITY_STAFF],
        community=w.inside["community"],
        name=name,
        kind="business",
        members=members,
    )


def make_agreement(w: World, space: Space, partner: Partner, start: D = JAN_1, end: D = DEC_31) -> Agreement:
    return s.agreement_create(
        actor=w.users[Role.COMMUNITY_STAFF],
        space=space,
        partner=partner,
        start=start,
        end=end,
        obligations=[
            s.ObligationEntry("为老人提供免费早餐", "份", "30", "month"),
            s.ObligationEntry("公益讲座", "场", "2", "quarter"),
        ],
    )


@pytest.mark.django_db
def test_agreement_dates_and_overlap(personas: World) -> None:
    space, partner = make_space(personas), make_partner(personas)
    a = make_agreement(personas, space, partner)
    assert a.review_on == D(2026, 1, 1)
    assert AuditEntry.objects.filter(action="space_agreement_create", object_id=str(a.pk)).exists()
    with pytest.raises(DomainError) as e:  # shares 31 December
        make_agreement(personas, space, make_partner(personas, "乙"), D(2025, 12, 31), D(2026, 12, 31))
    assert e.value.code == "overlap"
    make_agreement(personas, space, make_partner(personas, "丙"), D(2026, 1, 1), D(2026, 12, 31))  # the day after
    with pytest.raises(DomainError) as e:
        make_agreement(personas, make_space_named(personas, "广场"), partner, D(2025, 2, 1), D(2025, 1, 31))
    assert e.value.code == "dates_reversed"
    with pytest.raises(DomainError) as e:
        s.agreement_create(
            actor=personas.users[Role.COMMUNITY_STAFF],
            space=space,
            partner=partner,
            start=D(2030, 1, 1),
            end=D(2030, 12, 31),
            obligations=[s.ObligationEntry("讲座", "场", "abc")],
        )
    assert e.value.code == "bad_quantity"
    assert "第 1 项" in e.value.message
    assert Agreement.objects.count() == 2


def make_space_named(w: World, name: str) -> Space:
    return s.space_create(
        actor=w.users[Role.COMMUNITY_STAFF], community=w.inside["community"], name=name, kind="area", area_m2="10"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", [Role.OWNERS_COMMITTEE, Role.OWNER, Role.VENDOR, Role.SUPERVISOR, Role.PROPERTY_MANAGER]
)
def test_only_staff_manage_spaces(personas: World, role: str) -> None:
    with pytest.raises(AccessDeniedError):
        s.space_create(
            actor=personas.users[role], community=personas.inside["community"], name="x", kind="room", area_m2="1"
        )
    assert not Space.objects.exists()


@pytest.mark.django_db
def test_a_partner_logs_only_its_own(personas: World, media: Any) -> None:
    member = f.UserFactory()
    other_member = f.UserFactory()
    space = make_space(personas)
    mine = make_agreement(personas, space, make_partner(personas, "甲", (member,)))
    theirs = make_agreement(personas, make_space_named(personas, "广场"), make_partner(personas, "乙", (other_member,)))
    breakfast = mine.obligations.get(unit="份")
    d = s.fulfilment_log(
        actor=member,
        obligation=breakfast,
        date=D(2025, 1, 31),
        quantity_delivered="30",
        files=[SimpleUploadedFile("a.pdf", PDF)],
        today=D(2025, 2, 1),
    )
    assert Evidence.objects.get(delivery=d).content_type == "application/pdf"
    with pytest.raises(AccessDeniedError):
        s.fulfilment_log(
            actor=member,
            obligation=theirs.obligations.first(),
            date=D(2025, 1, 5),
            quantity_delivered="1",
            today=D(2025, 2, 1),
        )
    with pytest.raises(AccessDeniedError):
        s.fulfilment_log(
            actor=personas.users[Role.OWNER],
            obligation=breakfast,
            date=D(2025, 1, 5),
            quantity_delivered="1",
            today=D(2025, 2, 1),
        )
    s.fulfilment_log(
        actor=personas.users[Role.SUBDISTRICT_STAFF],
        obligation=breakfast,
        date=D(2025, 1, 5),
        quantity_delivered="1",
        today=D(2025, 2, 1),
    )
    assert set(access_agreements(member)) == {mine}
    assert set(access_spaces(member)) == {space}
    assert set(access_agreements(personas.users[Role.COMMUNITY_STAFF])) == {mine, theirs}
    assert set(access_agreements(personas.users[Role.OWNER])) == set()
    outsider = f.user_with_role(Role.COMMUNITY_STAFF, community=personas.outside["community"])
    assert set(access_agreements(outsider)) == set()
    assert AuditEntry.objects.filter(action="space_delivery_log").count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_who_logs_a_delivery_for_each_role(personas: World, role: str) -> None:
    """Staff with MANAGE_SPACES in the community log against any of its agreements; any other role
    only as a member of the agreement's partner (SpaceAction.LOG_FULFILMENT through the façade)."""
    agreement = make_agreement(personas, make_space(personas), make_partner(personas))
    user = personas.users[role]
    if role in {Role.SUBDISTRICT_STAFF, Role.COMMUNITY_STAFF}:
        access.require(user, SpaceAction.LOG_FULFILMENT, agreement)
        return
    assert not access.may(user, SpaceAction.LOG_FULFILMENT, agreement)
    with pytest.raises(AccessDeniedError) as exc:
        access.require(user, SpaceAction.LOG_FULFILMENT, agreement)
    assert exc.value.message == "只有本协议的合作方或社区工作人员可以登记服务。"
    agreement.partner.members.add(user)
    assert access.may(user, SpaceAction.LOG_FULFILMENT, agreement)


@pytest.mark.django_db
def test_outsiders_anonymous_and_the_platform_logging_a_delivery(personas: World) -> None:
    agreement = make_agreement(personas, make_space(personas), make_partner(personas))
    for user in (f.user_with_role(Role.COMMUNITY_STAFF, community=personas.outside["community"]), AnonymousUser()):
        assert not access.may(user, SpaceAction.LOG_FULFILMENT, agreement)
    assert access.may(SYSTEM, SpaceAction.LOG_FULFILMENT, agreement)


@pytest.mark.django_db
def test_delivery_refusals_write_nothing(personas: World, media: Any) -> None:
    a = make_agreement(personas, make_space(personas), make_partner(personas))
    o = a.obligations.first()
    assert o is not None
    staff = personas.users[Role.COMMUNITY_STAFF]
    cases = [
        ({"date": D(2024, 12, 31)}, "bad_date"),
        ({"date": D(2025, 2, 2)}, "future_date"),
        ({"quantity_delivered": "0"}, "bad_quantity"),
        ({"quantity_delivered": "1.005"}, "bad_quantity"),
        ({"files": [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.exe", b"MZ\x90\x00")]}, "file_type"),
    ]
    for change, code in cases:
        kwargs: dict[str, Any] = {"date": D(2025, 1, 10), "quantity_delivered": "1", **change}
        with pytest.raises(DomainError) as e:
            s.fulfilment_log(actor=staff, obligation=o, today=D(2025, 2, 1), **kwargs)
        assert e.value.code == code
    assert not Fulfilment.objects.exists()
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_shortfall_from_the_database(personas: World) -> None:
    a = make_agreement(personas, make_space(personas), make_partner(personas))
    breakfast = a.obligations.get(unit="份")
    staff = personas.users[Role.COMMUNITY_STAFF]
    s.fulfilment_log(
        actor=staff, obligation=breakfast, date=D(2025, 1, 31), quantity_delivered="20", today=D(2025, 3, 1)
    )
    s.fulfilment_log(
        actor=staff, obligation=breakfast, date=D(2025, 2, 1), quantity_delivered="30", today=D(2025, 3, 1)
    )
    statuses = obligation_statuses(a, D(2025, 3, 1))
    by_unit = {st.obligation.unit: st for st in statuses}
    assert [r.shortfall for r in by_unit["份"].rows[:3]] == [Decimal(10), Decimal(0), Decimal(30)]
    assert [r.start for r in by_unit["份"].flagged] == [D(2025, 1, 1)]
    assert len(by_unit["场"].rows) == 4
    assert by_unit["场"].flagged == []


@pytest.mark.django_db
def test_annual_review(personas: World) -> None:
    a = make_agreement(personas, make_space(personas), make_partner(personas), D(2025, 1, 1), D(2027, 12, 31))
    staff = personas.users[Role.COMMUNITY_STAFF]
    assert not s.review_due(a, D(2025, 12, 31))
    assert s.review_due(a, D(2026, 1, 1))
    with pytest.raises(DomainError) as e:
        s.review_record(actor=staff, agreement=a, date=D(2026, 1, 5), outcome="adjust", today=D(2026, 1, 5))
    assert e.value.code == "note_required"
    with pytest.raises(AccessDeniedError):
        s.review_record(actor=f.UserFactory(), agreement=a, date=D(2026, 1, 5), outcome="continue", today=D(2026, 1, 5))
    s.review_record(actor=staff, agreement=a, date=D(2026, 1, 5), outcome="continue", today=D(2026, 1, 5))
    a.refresh_from_db()
    assert a.review_on == D(2027, 1, 5)
    assert not s.review_due(a, D(2026, 1, 6))
    s.review_record(actor=staff, agreement=a, date=D(2027, 1, 6), outcome="end", note="合作方搬离", today=D(2027, 1, 6))
    a.refresh_from_db()
    assert (a.status, a.end) == (AgreementStatus.ENDED, D(2027, 1, 6))
    assert not s.review_due(a, D(2028, 1, 1))
    with pytest.raises(DomainError) as e:
        s.fulfilment_log(
            actor=staff,
            obligation=a.obligations.first(),
            date=D(2027, 1, 6),
            quantity_delivered="1",
            today=D(2027, 1, 7),
        )
    assert e.value.code == "agreement_ended"
    assert AuditEntry.objects.filter(action="space_agreement_review", object_id=str(a.pk)).count() == 2
