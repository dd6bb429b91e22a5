"""Campaign services (open, rank) and the registry selectors behind the dashboard."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.core.errors import AccessDeniedError, DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.elevators import eligibility as elig
from gongzhi.elevators.models import CampaignEntry, CampaignStatus
from gongzhi.elevators.selectors import campaign_entries, dashboard, explain, facts_for
from gongzhi.elevators.services import campaign_open, campaign_rank
from gongzhi.places.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db

REF = dt.date(2024, 9, 1)
TZ = dt.timezone(dt.timedelta(hours=8))


def at(y: int, m: int, d: int, h: int = 12) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=TZ)


@pytest.fixture
def liangzhu() -> dict[str, Any]:
    sub = f.SubdistrictFactory()
    estate = f.EstateFactory(community=f.CommunityFactory(subdistrict=sub), name="亲亲家园")
    entrance = f.EntranceFactory(building=f.BuildingFactory(estate=estate))
    for i in range(6):
        f.ApartmentFactory(entrance=entrance, room=f"{i + 1}01", floor=i + 1)
    old = f.ElevatorFactory(entrance=entrance, device_code="311033001200300001", commissioned_on=dt.date(2003, 5, 1))
    older_but_fine = f.ElevatorFactory(
        entrance=f.EntranceFactory(building=entrance.building),
        device_code="311033001200200002",
        commissioned_on=dt.date(2002, 5, 1),
    )
    middle = f.ElevatorFactory(entrance=entrance, device_code="311033001200800003", commissioned_on=dt.date(2008, 1, 1))
    young = f.ElevatorFactory(entrance=entrance, device_code="311033001201500004", commissioned_on=dt.date(2015, 1, 1))
    assessed = f.ElevatorFactory(
        entrance=entrance, device_code="311033001201400005", commissioned_on=dt.date(2014, 1, 1)
    )
    f.SafetyAssessmentFactory(elevator=assessed, assessed_on=dt.date(2024, 3, 1), conclusion="renew")
    # Faults: two inside the 12 months before 2024-09-01 (one an entrapment), one just outside.
    f.FaultRecordFactory(elevator=old, occurred_at=at(2024, 8, 31), kind="door")
    f.FaultRecordFactory(elevator=old, occurred_at=at(2023, 9, 1, 0), kind="entrapment", people_trapped=2)
    f.FaultRecordFactory(elevator=old, occurred_at=at(2023, 8, 31, 23), kind="door")
    f.FaultRecordFactory(elevator=old, occurred_at=at(2024, 9, 2), kind="door")  # after the reference date
    f.InspectionRecordFactory(elevator=old, inspected_on=dt.date(2023, 5, 1), result="pass")
    f.InspectionRecordFactory(elevator=old, inspected_on=dt.date(2024, 5, 1), result="fail")
    staff = f.user_with_role(Role.SUBDISTRICT_STAFF, subdistrict=sub)
    return {
        "sub": sub,
        "staff": staff,
        "old": old,
        "older_but_fine": older_but_fine,
        "middle": middle,
        "young": young,
        "assessed": assessed,
        "entrance": entrance,
    }


def test_facts_count_the_twelve_months_up_to_the_reference(liangzhu: dict[str, Any]) -> None:
    facts = facts_for([liangzhu["old"].id], REF)[liangzhu["old"].id]
    assert facts.faults_12m == 2
    assert facts.entrapments_12m == 1
    assert facts.last_inspection == "fail"
    assert facts.households == 6


def test_explain_gives_each_factor(liangzhu: dict[str, Any]) -> None:
    explanation = explain(liangzhu["old"], REF)
    assert explanation.eligibility.tier is elig.Tier.PRIORITY
    assert explanation.eligibility.age_years == 21
    points = {factor.key: factor.points for factor in explanation.score.factors}
    assert points == {
        "age": Decimal("42.0"),
        "faults": Decimal("6.0"),
        "entrapments": Decimal("5.0"),
        "inspection": Decimal("15.0"),
        "households": Decimal("0.6"),
    }
    assert explanation.score.total == Decimal("68.6")


def test_campaign_open_ranks_and_audits(liangzhu: dict[str, Any]) -> None:
    campaign = campaign_open(
        actor=liangzhu["staff"],
        subdistrict=liangzhu["sub"],
        name="2024年老旧电梯更新",
        reference_date=REF,
        deadline=dt.date(2025, 6, 30),
    )
    entries = list(CampaignEntry.objects.filter(campaign=campaign).select_related("elevator").order_by("rank"))
    assert [e.elevator.device_code for e in entries] == [
        "311033001200300001",  # priority, faults and a failed inspection
        "311033001200200002",  # priority, older but no faults
        "311033001200800003",  # eligible
        "311033001201400005",  # eligible by assessment
        "311033001201500004",  # not eligible
    ]
    assert [e.tier for e in entries] == ["priority", "priority", "eligible", "eligible", "not_eligible"]
    assert [e.by_assessment for e in entries] == [False, False, False, True, False]
    assert entries[0].score == Decimal("68.6")
    assert entries[0].factors[0] == {"key": "age", "value": "21", "weight": "2", "points": "42.0"}
    actions = list(AuditEntry.objects.filter(object_type="campaign").values_list("action", flat=True))
    assert sorted(actions) == ["campaign_open", "campaign_rank"]
    qualifying = campaign_entries(liangzhu["staff"], campaign)
    assert qualifying.count() == 4
    assert campaign_entries(liangzhu["staff"], campaign, tier="priority").count() == 2
    assert campaign_entries(liangzhu["staff"], campaign, search="200800003").count() == 1


def test_rerank_replaces_entries(liangzhu: dict[str, Any]) -> None:
    campaign = campaign_open(
        actor=liangzhu["staff"], subdistrict=liangzhu["sub"], name="行动", reference_date=REF, deadline=REF
    )
    for i in range(5):
        f.FaultRecordFactory(
            elevator=liangzhu["older_but_fine"], occurred_at=at(2024, 7, 1 + i), kind="entrapment", people_trapped=1
        )
    assert campaign_rank(actor=liangzhu["staff"], campaign=campaign) == 5
    first = CampaignEntry.objects.filter(campaign=campaign).order_by("rank").select_related("elevator").first()
    assert first is not None
    assert first.elevator.device_code == "311033001200200002"
    assert CampaignEntry.objects.filter(campaign=campaign).count() == 5


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"deadline": dt.date(2024, 8, 31)}, "deadline_before_reference"),
        ({"eligible_years": 21}, "bad_years"),
        ({"name": "  "}, "name_required"),
        ({"weights": {"per_year": "-2"}}, "bad_weights"),
    ],
)
def test_campaign_open_refuses_bad_input(liangzhu: dict[str, Any], changes: dict[str, Any], code: str) -> None:
    args: dict[str, Any] = {"name": "行动", "reference_date": REF, "deadline": dt.date(2025, 6, 30)} | changes
    with pytest.raises(DomainError) as info:
        campaign_open(actor=liangzhu["staff"], subdistrict=liangzhu["sub"], **args)
    assert info.value.code == code
    assert not CampaignEntry.objects.exists()


def test_only_subdistrict_staff_open_campaigns(liangzhu: dict[str, Any]) -> None:
    community_staff = f.user_with_role(Role.COMMUNITY_STAFF, community=liangzhu["entrance"].building.estate.community)
    with pytest.raises(AccessDeniedError):
        campaign_open(actor=community_staff, subdistrict=liangzhu["sub"], name="x", reference_date=REF, deadline=REF)
    other = f.user_with_role(Role.SUBDISTRICT_STAFF, subdistrict=f.SubdistrictFactory(name="仁和街道"))
    with pytest.raises(AccessDeniedError):
        campaign_open(actor=other, subdistrict=liangzhu["sub"], name="x", reference_date=REF, deadline=REF)


def test_closed_campaign_is_not_reranked(liangzhu: dict[str, Any]) -> None:
    campaign = campaign_open(
        actor=liangzhu["staff"], subdistrict=liangzhu["sub"], name="x", reference_date=REF, deadline=REF
    )
    campaign.status = CampaignStatus.CLOSED
    campaign.save()
    with pytest.raises(DomainError):
        campaign_rank(actor=liangzhu["staff"], campaign=campaign)


def test_dashboard_counts_agree_with_the_rule(liangzhu: dict[str, Any]) -> None:
    board = dashboard(liangzhu["staff"], reference=REF)
    assert board.total == 5
    assert board.tiers == {"priority": 2, "eligible": 2, "not_eligible": 1}
    assert board.by_assessment == 1
    assert board.faults_12m == 2
    assert board.entrapments_12m == 1
    assert len(board.estates) == 1
    row = board.estates[0]
    assert (row.priority, row.eligible, row.not_eligible, row.faults_12m) == (2, 2, 1, 2)
    histogram = dict(board.age_histogram)
    assert histogram[22] == 1
    assert histogram[21] == 1
    assert histogram[16] == 1
    assert sum(histogram.values()) == 5
    assert board.faults_by_month[-1] == ("2024-09", 0)
    assert dict(board.faults_by_month)["2024-08"] == 1


def test_dashboard_is_a_fixed_number_of_queries(liangzhu: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    staff = liangzhu["staff"]
    dashboard(staff, reference=REF)
    for i in range(30):
        e = f.ElevatorFactory(entrance=liangzhu["entrance"], commissioned_on=dt.date(2004 + i % 10, 1, 1))
        f.FaultRecordFactory(elevator=e, occurred_at=timezone.now() - dt.timedelta(days=i))
    with django_assert_max_num_queries(8):
        dashboard(staff, reference=REF)


def test_dashboard_is_scoped(liangzhu: dict[str, Any]) -> None:
    other_estate = f.EstateFactory(community=f.CommunityFactory(subdistrict=liangzhu["sub"]))
    f.ElevatorFactory(entrance=f.EntranceFactory(building=f.BuildingFactory(estate=other_estate)))
    manager = f.user_with_role(Role.PROPERTY_MANAGER, estate=other_estate)
    assert dashboard(manager, reference=REF).total == 1
    assert dashboard(liangzhu["staff"], reference=REF).total == 6
