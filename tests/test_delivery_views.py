"""Pages of renewal progress (issue 5, item 1): the campaign's progress rolled up with the renewals
and overdue stages, one renewal's twelve-stage timeline, recording a stage (who may, the law's order
refused at the form), stage documents, per role, with constant query counts and on a phone."""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongzhi.delivery import services as ds
from gongzhi.delivery import stages as st
from gongzhi.delivery.models import RenewalStage, StageDocument
from gongzhi.places.models import Role, RoleAssignment
from gongzhi.renewals.models import Renewal
from tests import factories as f
from tests.conftest import ROLES, DeliveryWorld, World

pytestmark = pytest.mark.django_db

# Playwright's sync API runs an event loop in this thread (the phone test at the end); Django's ORM
# would refuse to be called from it without this (as in test_renewal_views.py).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

RECORDERS = [Role.SUBDISTRICT_STAFF, Role.COMMUNITY_STAFF, Role.OWNERS_COMMITTEE, Role.PROPERTY_MANAGER]
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def outsider(world: World) -> Any:
    """An owner in the other district: sees nothing of the inside."""
    owner = f.OwnershipFactory(apartment=world.outside["apartment"]).owner
    return f.user_with_role(Role.OWNER, owner=owner)


def stage_of(renewal: Renewal, kind: str) -> RenewalStage:
    return RenewalStage.objects.get(renewal=renewal, kind=kind)


def stage_post(stage: RenewalStage, **changes: Any) -> dict[str, str]:
    """The stage form as the page would post it: the stage's current values with `changes`."""
    data: dict[str, str] = {}
    for name in ds.STAGE_FIELDS:
        value = changes[name] if name in changes else getattr(stage, name)
        data[name] = value.isoformat() if isinstance(value, dt.date) else ("" if value is None else str(value))
    return data


def overview_url(campaign: Any) -> str:
    return reverse("delivery_overview", args=[campaign.pk])


def detail_url(renewal: Renewal) -> str:
    return reverse("renewal_detail", args=[renewal.pk])


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- who sees what -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_pages_per_role(delivery_world: DeliveryWorld, role: str) -> None:
    """VIEW_CAMPAIGN: every role in scope sees the inside campaign's progress and the renewals of
    its entrances (an owner: their own entrance's only); nothing outside is found."""
    w = delivery_world
    client = client_for(w.world.users[role])
    first, _second, third = w.renewals
    overview = client.get(overview_url(w.world.campaign))
    assert overview.status_code == 200
    listed = {r.pk for r in overview.context["page"]}
    assert client.get(detail_url(first)).status_code == 200
    if role == Role.OWNER:  # the owner's apartment is in 1单元; the third renewal is in 2单元
        assert listed == {w.renewals[0].pk, w.renewals[1].pk}
        assert client.get(detail_url(third)).status_code == 404
    else:
        assert listed == {r.pk for r in w.renewals}
        assert client.get(detail_url(third)).status_code == 200
    assert client.get(overview_url(w.world.other_campaign)).status_code == 404
    assert client.get(detail_url(w.outside_renewal)).status_code == 404
    add = client.get(reverse("delivery_renewal_add", args=[w.world.campaign.pk]))
    assert add.status_code == (200 if role in (Role.SUBDISTRICT_STAFF, Role.COMMUNITY_STAFF) else 403)


def test_outsider_finds_nothing(delivery_world: DeliveryWorld) -> None:
    w = delivery_world
    client = client_for(outsider(w.world))
    stage = stage_of(w.renewals[0], st.CONTRACT)
    assert client.get(overview_url(w.world.campaign)).status_code == 404
    assert client.get(detail_url(w.renewals[0])).status_code == 404
    assert client.post(reverse("stage_edit", args=[stage.pk]), stage_post(stage, status=st.DONE)).status_code == 404
    assert client.post(reverse("delivery_from_decisions", args=[w.world.campaign.pk])).status_code == 404
    stage.refresh_from_db()
    assert stage.status == st.PENDING
    # The outsider's own campaign has its renewal.
    assert client.get(detail_url(w.outside_renewal)).status_code == 200


def test_anonymous_is_sent_to_login(delivery_world: DeliveryWorld) -> None:
    w = delivery_world
    stage = stage_of(w.renewals[0], st.CONTRACT)
    client = Client()
    for response in (
        client.get(overview_url(w.world.campaign)),
        client.get(detail_url(w.renewals[0])),
        client.get(reverse("delivery_renewal_add", args=[w.world.campaign.pk])),
        client.post(reverse("stage_edit", args=[stage.pk]), stage_post(stage, status=st.DONE)),
        client.post(reverse("stage_document_add", args=[stage.pk]), {"title": "x"}),
        client.post(reverse("delivery_from_decisions", args=[w.world.campaign.pk])),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    stage.refresh_from_db()
    assert stage.status == st.PENDING


# --- the overview --------------------------------------------------------------------------------------


def test_overview_rolls_up_progress(delivery_world: DeliveryWorld) -> None:
    w = delivery_world
    response = client_for(w.manager).get(overview_url(w.world.campaign))
    page = response.content.decode()
    total = response.context["total"]
    assert (total.elevators, total.progress, total.done, total.overdue) == (3, 21, 0, 0)  # decided: 2+4+5+10
    assert response.context["total_stages"] == [("签订合同", 3)]
    assert [g.group.label for g in response.context["communities"]] == [w.world.inside["community"].name]
    assert [(g.group.label, g.group.elevators) for g in response.context["entrances"]] == [
        ("亲亲家园 1幢1单元", 2),
        ("亲亲家园 1幢2单元", 1),
    ]
    assert 'value="21" max="100"' in page
    for renewal in w.renewals:
        assert detail_url(renewal) in page
        assert renewal.elevator.device_code in page
    assert "甲电梯" in page
    assert "乙电梯" in page
    assert "没有逾期的阶段" in page


def test_overview_filters(delivery_world: DeliveryWorld) -> None:
    w = delivery_world
    client = client_for(w.manager)
    url = overview_url(w.world.campaign)

    def listed(**query: Any) -> set[int]:
        return {r.pk for r in client.get(url, query).context["page"]}

    everyone = {r.pk for r in w.renewals}
    assert listed(vendor=w.other_vendor.pk) == {w.renewals[2].pk}
    assert listed(vendor=w.vendor.pk) == {w.renewals[0].pk, w.renewals[1].pk}
    assert listed(estate=w.world.inside["estate"].pk) == everyone
    assert listed(stage=st.CONTRACT) == everyone
    assert listed(stage=st.CONSTRUCTION) == set()
    ds.stage_update(actor=w.manager, stage=stage_of(w.renewals[1], st.CONTRACT), status=st.DONE)
    assert listed(stage=st.NOTICE) == {w.renewals[1].pk}
    assert listed(overdue="on") == set()
    assert listed(estate="nonsense") == everyone  # a malformed query is the unfiltered list


def test_overdue_stages_listed_and_flagged(delivery_world: DeliveryWorld) -> None:
    w = delivery_world
    today = timezone.localdate()
    late = stage_of(w.renewals[0], st.CONTRACT)
    ds.stage_update(
        actor=w.manager,
        stage=late,
        planned_start=today - dt.timedelta(days=10),
        planned_end=today - dt.timedelta(days=3),
        responsible="街道城建办",
    )
    # Planned to end today: not overdue yet.
    ds.stage_update(actor=w.manager, stage=stage_of(w.renewals[1], st.CONTRACT), planned_end=today)
    client = client_for(w.world.users[Role.OWNER])
    response = client.get(overview_url(w.world.campaign))
    rows = response.context["overdue_rows"]
    assert [(r["stage"].pk, r["days_late"]) for r in rows] == [(late.pk, 3)]
    table = response.content.decode().split('id="overdue-list"')[1]
    assert "签订合同" in table
    assert "街道城建办" in table
    assert w.renewals[0].elevator.device_code in table
    assert response.context["total"].overdue == 1
    flagged = client.get(overview_url(w.world.campaign), {"overdue": "on"})
    assert [r.pk for r in flagged.context["page"]] == [w.renewals[0].pk]
    assert "badge overdue" in flagged.content.decode()


def test_overview_pages_by_fifty(delivery_world: DeliveryWorld) -> None:
    w = delivery_world
    _more_renewals(w, 50)
    client = client_for(w.manager)
    first = client.get(overview_url(w.world.campaign))
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].paginator.count == 53
    second = client.get(overview_url(w.world.campaign), {"page": 2, "vendor": w.vendor.pk})
    assert second.context["page"].paginator.count == 52  # all but 乙电梯's one
    assert len(second.context["page"].object_list) == 2
    assert "vendor=" in second.content.decode().split('class="pager"')[1]  # the pager keeps the filter


@pytest.mark.parametrize(
    ("role", "import_button", "add_link"),
    [
        (Role.SUBDISTRICT_STAFF, True, True),
        (Role.COMMUNITY_STAFF, False, True),  # MANAGE_DELIVERY in their community, not the campaign
        (Role.OWNERS_COMMITTEE, False, False),
        (Role.OWNER, False, False),
        (Role.VENDOR, False, False),
    ],
)
def test_manage_buttons_only_for_delivery_managers(
    delivery_world: DeliveryWorld, role: str, import_button: bool, add_link: bool
) -> None:
    w = delivery_world
    page = client_for(w.world.users[role]).get(overview_url(w.world.campaign)).content.decode()
    assert (reverse("delivery_from_decisions", args=[w.world.campaign.pk]) in page) is import_button
    assert (reverse("delivery_renewal_add", args=[w.world.campaign.pk]) in page) is add_link


def test_from_decisions_adds_the_decided_entrances(personas: World) -> None:
    """An entrance whose owners passed the replace motion and adopted an offer gets its renewal,
    with the offer's vendor and installation days; a second run adds nothing."""
    from gongzhi.motions.models import Motion, MotionResult, MotionStatus
    from gongzhi.renewals.models import OptionOffer
    from tests.test_motion_vote_consultation import build

    entrance = f.EntranceFactory(building=personas.inside["building"], name="3单元")
    elevator = f.ElevatorFactory(entrance=entrance)
    c = build(personas, entrance=entrance).consultation
    now = timezone.now()
    link = OptionOffer.objects.filter(option__motion=c.brand_motion).select_related("option", "offer__vendor")
    chosen = link.order_by("option__position")[1]
    option = chosen.option
    for motion, outcome in ((c.replace_motion, {}), (c.brand_motion, {"adopted": option.position})):
        Motion.objects.filter(pk=motion.pk).update(status=MotionStatus.CLOSED)
        MotionResult.objects.create(
            motion=motion, outcome=outcome, passed=True, computed_at=now, published_at=now, ballots_sha256="0" * 64
        )
    url = reverse("delivery_from_decisions", args=[personas.campaign.pk])
    # Community staff hold MANAGE_DELIVERY in their community only, not over the campaign.
    assert client_for(personas.users[Role.COMMUNITY_STAFF]).post(url).status_code == 403
    assert client_for(personas.users[Role.OWNER]).post(url).status_code == 403
    assert not Renewal.objects.exists()
    client = client_for(personas.users[Role.SUBDISTRICT_STAFF])
    response = client.post(url, follow=True)
    assert "已按业主表决结果添加 1 部电梯。" in response.content.decode()
    renewal = Renewal.objects.get()
    assert renewal.elevator == elevator
    assert renewal.vendor == chosen.offer.vendor
    assert renewal.works_days == chosen.offer.installation_days
    assert renewal.current_stage == st.CONTRACT
    again = client.post(url, follow=True)
    assert "没有新的已表决电梯可添加。" in again.content.decode()
    assert Renewal.objects.count() == 1


# --- adding an elevator ----------------------------------------------------------------------------------


def _add(client: Client, campaign: Any, **data: Any) -> Any:
    return client.post(reverse("delivery_renewal_add", args=[campaign.pk]), data)


def test_add_an_elevator(delivery_world: DeliveryWorld) -> None:
    w = delivery_world
    elevator = f.ElevatorFactory(entrance=w.world.inside["entrance"])
    client = client_for(w.world.users[Role.COMMUNITY_STAFF])
    response = _add(
        client,
        w.world.campaign,
        device_code=f" {elevator.device_code} ",
        vendor=w.vendor.pk,
        works_days=30,
        decided_on="2025-01-15",
    )
    renewal = Renewal.objects.get(elevator=elevator)
    assert response.status_code == 302
    assert response["Location"] == detail_url(renewal)
    assert (renewal.vendor, renewal.works_days, renewal.progress) == (w.vendor, 30, 21)
    assert stage_of(renewal, st.DECISION).actual_end == dt.date(2025, 1, 15)


def _field_error(response: Any, field: str) -> str:
    match = re.search(rf'id="id_{field}-errors">([^<]*)<', response.content.decode())
    assert match, f"no error next to {field}"
    return match.group(1)


def test_add_refusals_next_to_the_field(delivery_world: DeliveryWorld) -> None:
    w = delivery_world
    campaign = w.world.campaign
    client = client_for(w.world.users[Role.COMMUNITY_STAFF])
    before = Renewal.objects.count()

    unknown = _add(client, campaign, device_code="NO-SUCH-CODE")
    assert unknown.status_code == 400
    assert "没有找到设备代码为 NO-SUCH-CODE 的电梯" in _field_error(unknown, "device_code")

    # Outside the district: not visible at all, the same answer as unknown.
    hidden = _add(client, campaign, device_code=w.world.outside["elevator"].device_code)
    assert "没有找到设备代码" in _field_error(hidden, "device_code")

    # Another community of the same subdistrict: community staff do not even see it ...
    other_estate = f.EstateFactory(community=f.CommunityFactory(subdistrict=w.world.inside["subdistrict"]))
    elsewhere = f.ElevatorFactory(entrance=f.EntranceFactory(building=f.BuildingFactory(estate=other_estate)))
    assert "没有找到设备代码" in _field_error(_add(client, campaign, device_code=elsewhere.device_code), "device_code")
    # ... and one who also supervises the subdistrict sees it, but it is not in their charge.
    supervising = f.user_with_role(Role.COMMUNITY_STAFF, community=w.world.inside["community"])
    RoleAssignment.objects.create(user=supervising, role=Role.SUPERVISOR, subdistrict=w.world.inside["subdistrict"])
    assert "该电梯不在您负责的范围内" in _field_error(
        _add(client_for(supervising), campaign, device_code=elsewhere.device_code), "device_code"
    )

    duplicate = _add(client, campaign, device_code=w.renewals[0].elevator.device_code)
    assert "该电梯已在本活动的实施清单中" in _field_error(duplicate, "device_code")

    fresh = f.ElevatorFactory(entrance=w.world.inside["entrance"])
    days = _add(client, campaign, device_code=fresh.device_code, works_days=0)
    assert _field_error(days, "works_days")
    future = _add(client, campaign, device_code=fresh.device_code, decided_on="2999-01-01")
    assert "表决日期不能晚于今天" in _field_error(future, "decided_on")
    foreign_vendor = _add(client, campaign, device_code=fresh.device_code, vendor=w.outside_renewal.vendor_id)
    assert _field_error(foreign_vendor, "vendor")  # only the subdistrict's vendors are choices
    assert Renewal.objects.count() == before


def test_subdistrict_staff_cannot_add_an_elevator_of_another_subdistrict(delivery_world: DeliveryWorld) -> None:
    w = delivery_world
    sub2 = f.SubdistrictFactory(district=w.world.inside["district"], name="瓶窑镇")
    estate = f.EstateFactory(community=f.CommunityFactory(subdistrict=sub2))
    elevator = f.ElevatorFactory(entrance=f.EntranceFactory(building=f.BuildingFactory(estate=estate)))
    staff = f.user_with_role(Role.SUBDISTRICT_STAFF, subdistrict=w.world.inside["subdistrict"])
    _assign(staff, sub2)  # staff of both subdistricts: the elevator is in their charge, not in the campaign's
    response = _add(client_for(staff), w.world.campaign, device_code=elevator.device_code)
    assert "该电梯不在本活动的街道内" in _field_error(response, "device_code")
    assert not Renewal.objects.filter(elevator=elevator).exists()


def _assign(user: Any, subdistrict: Any) -> None:
    RoleAssignment.objects.create(user=user, role=Role.SUBDISTRICT_STAFF, subdistrict=subdistrict)


# --- the renewal's timeline ------------------------------------------------------------------------------


def test_detail_shows_the_twelve_stages_with_the_law(delivery_world: DeliveryWorld) -> None:
    w = delivery_world
    renewal = w.renewals[0]
    today = timezone.localdate()
    ds.stage_update(actor=w.manager, stage=stage_of(renewal, st.CONTRACT), status=st.DONE, responsible="业委会")
    ds.stage_update(
        actor=w.manager,
        stage=stage_of(renewal, st.NOTICE),
        planned_start=today - dt.timedelta(days=9),
        planned_end=today - dt.timedelta(days=2),
    )
    ds.stage_update(
        actor=w.manager,
        stage=stage_of(renewal, st.CONSTRUCTION),
        planned_start=today,
        planned_end=today + dt.timedelta(days=39),
    )
    response = client_for(w.world.users[Role.SUPERVISOR]).get(detail_url(renewal))
    page = response.content.decode()
    kinds = re.findall(r'data-kind="(\w+)"', page)
    assert kinds == list(st.ORDER)
    for label in ("提出申请", "施工告知", "拆除与安装", "监督检验", "使用登记", "补助拨付"):
        assert label in page
    assert "第二十三条" in page
    assert "第二十五条" in page
    assert "第三十三条" in page
    assert "不得交付使用" in page
    notice = page.split('data-kind="notice"')[1].split("</li>")[0]
    assert "逾期 2 天" in notice
    contract = page.split('data-kind="contract"')[1].split("</li>")[0]
    assert "已完成" in contract
    assert "业委会" in contract
    assert "逾期" not in contract
    assert response.context["outage"] == (today, today + dt.timedelta(days=39))
    assert "共 40 天" in page
    assert "（按计划）" in page
    assert 'id="current-stage">施工告知<' in page
    assert "恢复使用后 30 日内" in page
    assert 'action="/stages/' not in page  # a supervisor views, never records


def test_detail_flags_a_registration_past_due(delivery_world: DeliveryWorld) -> None:
    w = delivery_world
    renewal = w.renewals[0]
    back = timezone.localdate() - dt.timedelta(days=31)
    RenewalStage.objects.filter(renewal=renewal, position__lte=8).update(status=st.DONE, actual_end=back)
    RenewalStage.objects.filter(renewal=renewal, kind__in=[st.MAINTENANCE, st.IN_SERVICE]).update(
        status=st.DONE, actual_start=back, actual_end=back
    )
    response = client_for(w.manager).get(detail_url(renewal))
    assert response.context["registration_due"] == back + dt.timedelta(days=30)
    assert response.context["registration_late"] is True
    assert "已超期" in response.content.decode().split('id="registration-due"')[1].split("</dd>")[0]
    RenewalStage.objects.filter(renewal=renewal, kind=st.REGISTRATION).update(status=st.DONE, actual_end=back)
    again = client_for(w.manager).get(detail_url(renewal))
    assert again.context["registration_late"] is False
    assert "已登记" in again.content.decode()


@pytest.mark.parametrize(
    ("role", "kinds"),
    [
        *[(role, set(st.ORDER)) for role in RECORDERS],
        (Role.VENDOR, set(ds.VENDOR_STAGES)),  # its own renewal: the works only
        (Role.OWNER, set()),
        (Role.SUPERVISOR, set()),
        (Role.DISTRICT_REGULATOR, set()),
    ],
)
def test_edit_forms_only_where_the_role_may_record(delivery_world: DeliveryWorld, role: str, kinds: set[str]) -> None:
    w = delivery_world
    page = client_for(w.world.users[role]).get(detail_url(w.renewals[0])).content.decode()
    stages = {s.pk: s.kind for s in RenewalStage.objects.filter(renewal=w.renewals[0])}
    with_form = {stages[int(pk)] for pk in re.findall(r'action="/stages/(\d+)/edit/"', page)}
    assert with_form == kinds
    with_upload = {stages[int(pk)] for pk in re.findall(r'action="/stages/(\d+)/documents/"', page)}
    assert with_upload == kinds


def test_other_vendor_sees_no_forms_on_a_renewal_it_does_not_hold(delivery_world: DeliveryWorld) -> None:
    w = delivery_world
    page = client_for(w.other_vendor_user).get(detail_url(w.renewals[0])).content.decode()
    assert "/edit/" not in page
    own = client_for(w.other_vendor_user).get(detail_url(w.renewals[2])).content.decode()
    assert "/edit/" in own


# --- recording a stage -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [*[(r, 302) for r in RECORDERS], *[(r, 403) for r in ROLES[4:]]])
def test_stage_edit_per_role(delivery_world: DeliveryWorld, role: str, status: int) -> None:
    """The contract (not a works stage): the community's side records it; a vendor, an owner, a
    supervisor and the regulator may not."""
    w = delivery_world
    stage = stage_of(w.renewals[0], st.CONTRACT)
    response = client_for(w.world.users[role]).post(
        reverse("stage_edit", args=[stage.pk]), stage_post(stage, status=st.DONE, responsible="业委会")
    )
    assert response.status_code == status
    stage.refresh_from_db()
    if status == 302:
        assert response["Location"] == f"{detail_url(w.renewals[0])}#stage-{stage.pk}"
        assert (stage.status, stage.responsible, stage.actual_end) == (st.DONE, "业委会", timezone.localdate())
        assert Renewal.objects.get(pk=w.renewals[0].pk).current_stage == st.NOTICE
    else:
        assert (stage.status, stage.responsible) == (st.PENDING, "")


def test_vendor_records_the_works_of_its_own_renewals_only(delivery_world: DeliveryWorld) -> None:
    w = delivery_world
    vendor = client_for(w.world.users[Role.VENDOR])
    own = stage_of(w.renewals[0], st.NOTICE)
    assert vendor.post(reverse("stage_edit", args=[own.pk]), stage_post(own, status=st.STARTED)).status_code == 302
    own.refresh_from_db()
    assert own.status == st.STARTED
    others = stage_of(w.renewals[2], st.NOTICE)  # 乙电梯's renewal
    assert (
        vendor.post(reverse("stage_edit", args=[others.pk]), stage_post(others, status=st.STARTED)).status_code == 403
    )
    other_vendor = client_for(w.other_vendor_user)
    assert other_vendor.post(reverse("stage_edit", args=[own.pk]), stage_post(own, notes="x")).status_code == 403
    subsidy = stage_of(w.renewals[0], st.SUBSIDY)  # not a works stage
    assert vendor.post(reverse("stage_edit", args=[subsidy.pk]), stage_post(subsidy, notes="x")).status_code == 403
    others.refresh_from_db()
    subsidy.refresh_from_db()
    assert others.status == st.PENDING
    assert subsidy.notes == ""
    assert (
        other_vendor.post(reverse("stage_edit", args=[others.pk]), stage_post(others, status=st.STARTED)).status_code
        == 302
    )


def _record(client: Client, stage: RenewalStage, **changes: Any) -> Any:
    return client.post(reverse("stage_edit", args=[stage.pk]), stage_post(stage, **changes))


def test_the_laws_order_is_refused_at_the_form(delivery_world: DeliveryWorld) -> None:
    w = delivery_world
    renewal = w.renewals[0]
    client = client_for(w.world.users[Role.PROPERTY_MANAGER])
    build = stage_of(renewal, st.CONSTRUCTION)
    response = _record(client, build, status=st.STARTED)
    assert response.status_code == 400
    form = response.content.decode().split(f'id="stage-{build.pk}"')[1].split("</li>")[0]
    assert "施工前须先完成施工告知（《特种设备安全法》第二十三条）。" in form
    assert '<details class="stage-edit" open>' in form  # the form with the refusal is open
    back = stage_of(renewal, st.IN_SERVICE)
    refusal = _record(client, back, status=st.STARTED)
    assert refusal.status_code == 400
    assert "监督检验合格前不得交付使用" in refusal.content.decode()
    skip = _record(client, stage_of(renewal, st.INSPECTION), status=st.SKIPPED)
    assert "请先完成前面的阶段" in skip.content.decode()
    for stage in (build, back):
        stage.refresh_from_db()
        assert stage.status == st.PENDING
        assert stage.actual_start is None
    assert Renewal.objects.get(pk=renewal.pk).progress == 21


def test_future_actual_date_refused_next_to_the_field(delivery_world: DeliveryWorld) -> None:
    w = delivery_world
    stage = stage_of(w.renewals[0], st.CONTRACT)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = _record(client_for(w.manager), stage, status=st.DONE, actual_end=tomorrow)
    assert response.status_code == 400
    error = re.search(rf'id="stage{stage.pk}-actual_end-errors">([^<]*)<', response.content.decode())
    assert error
    assert "实际日期不能晚于今天" in error.group(1)
    reversed_dates = _record(
        client_for(w.manager), stage, planned_start=dt.date(2025, 5, 2), planned_end=dt.date(2025, 5, 1)
    )
    assert re.search(
        rf'id="stage{stage.pk}-planned_end-errors">结束日期不能早于开始日期', reversed_dates.content.decode()
    )
    malformed = client_for(w.manager).post(
        reverse("stage_edit", args=[stage.pk]), {**stage_post(stage), "planned_end": "2025-13-45", "status": "bogus"}
    )
    assert malformed.status_code == 400
    assert f'id="stage{stage.pk}-status-errors"' in malformed.content.decode()
    stage.refresh_from_db()
    assert (stage.status, stage.actual_end, stage.planned_end) == (st.PENDING, None, None)


def test_htmx_edit_swaps_the_timeline(delivery_world: DeliveryWorld) -> None:
    w = delivery_world
    stage = stage_of(w.renewals[0], st.CONTRACT)
    client = client_for(w.manager)
    response = client.post(
        reverse("stage_edit", args=[stage.pk]), stage_post(stage, status=st.DONE), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="renewal"' in page
    block = page.split(f'id="stage-{stage.pk}"')[1].split("</li>")[0]
    assert "已保存" in block
    assert 'id="current-stage">施工告知<' in page
    refused = _record(client, stage_of(w.renewals[0], st.CONSTRUCTION), status=st.DONE)
    assert refused.status_code == 400
    htmx_refused = client.post(
        reverse("stage_edit", args=[stage_of(w.renewals[0], st.CONSTRUCTION).pk]),
        stage_post(stage_of(w.renewals[0], st.CONSTRUCTION), status=st.DONE),
        headers={"HX-Request": "true"},
    )
    assert htmx_refused.status_code == 200  # so htmx swaps the refusal in
    assert "施工前须先完成施工告知" in htmx_refused.content.decode()


def test_stage_edit_needs_csrf(delivery_world: DeliveryWorld) -> None:
    w = delivery_world
    stage = stage_of(w.renewals[0], st.CONTRACT)
    client = Client(enforce_csrf_checks=True)
    client.force_login(w.manager)
    url = reverse("stage_edit", args=[stage.pk])
    assert client.post(url, stage_post(stage, status=st.DONE)).status_code == 403
    stage.refresh_from_db()
    assert stage.status == st.PENDING
    client.get(detail_url(w.renewals[0]))
    token = client.cookies["csrftoken"].value
    assert client.post(url, {**stage_post(stage, status=st.DONE), "csrfmiddlewaretoken": token}).status_code == 302
    stage.refresh_from_db()
    assert stage.status == st.DONE


def test_stage_edit_is_post_only(delivery_world: DeliveryWorld) -> None:
    stage = stage_of(delivery_world.renewals[0], st.CONTRACT)
    assert client_for(delivery_world.manager).get(reverse("stage_edit", args=[stage.pk])).status_code == 405


# --- documents -------------------------------------------------------------------------------------------


def _upload(client: Client, stage: RenewalStage, content: bytes = PDF, **data: Any) -> Any:
    upload = SimpleUploadedFile("notice.pdf", content, content_type="application/pdf")
    return client.post(
        reverse("stage_document_add", args=[stage.pk]), {"title": "施工告知回执", "file": upload, **data}
    )


def test_document_upload_and_download(delivery_world: DeliveryWorld, media: Any) -> None:
    w = delivery_world
    stage = stage_of(w.renewals[0], st.NOTICE)
    vendor = client_for(w.world.users[Role.VENDOR])
    response = _upload(vendor, stage)
    assert response.status_code == 302
    document = StageDocument.objects.get()
    assert (document.stage, document.public, document.content_type) == (stage, False, "application/pdf")
    page = client_for(w.world.users[Role.PROPERTY_MANAGER]).get(detail_url(w.renewals[0])).content.decode()
    url = reverse("stage_document_download", args=[document.pk])
    assert url in page
    assert "施工告知回执" in page
    assert "不公开" in page
    # Private: staff of the place and the renewal's own vendor only (tests/test_delivery_scopes.py).
    assert client_for(w.world.users[Role.OWNER]).get(url).status_code == 404
    download = client_for(w.world.users[Role.PROPERTY_MANAGER]).get(url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content).startswith(b"%PDF-1.4")  # type: ignore[attr-defined]
    # Outside the scope: not found; not logged in: the login page.
    assert client_for(outsider(w.world)).get(url).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))
    # An owner of another entrance of the estate does not see this renewal's private documents.
    neighbour = f.OwnershipFactory(
        apartment=f.ApartmentFactory(entrance=w.renewals[2].elevator.entrance, room="501", floor=5)
    ).owner
    assert client_for(f.user_with_role(Role.OWNER, owner=neighbour)).get(url).status_code == 404


def test_public_document_downloads_without_login(delivery_world: DeliveryWorld, media: Any) -> None:
    w = delivery_world
    stage = stage_of(w.renewals[0], st.CONTRACT)
    assert _upload(client_for(w.manager), stage, public="on").status_code == 302
    document = StageDocument.objects.get()
    assert document.public
    response = Client().get(reverse("stage_document_download", args=[document.pk]))
    assert response.status_code == 200
    assert "公开" in client_for(w.manager).get(detail_url(w.renewals[0])).content.decode()


def test_document_refusals(delivery_world: DeliveryWorld, media: Any) -> None:
    w = delivery_world
    stage = stage_of(w.renewals[0], st.NOTICE)
    manager = client_for(w.manager)
    text = _upload(manager, stage, content=b"just text, not a PDF")
    assert text.status_code == 400
    assert re.search(rf'id="doc{stage.pk}-file-errors">文件须为 PDF、JPEG 或 PNG。', text.content.decode())
    untitled = manager.post(
        reverse("stage_document_add", args=[stage.pk]),
        {"title": "", "file": SimpleUploadedFile("a.pdf", PDF)},
    )
    assert untitled.status_code == 400
    assert f'id="doc{stage.pk}-title-errors"' in untitled.content.decode()
    assert _upload(client_for(w.world.users[Role.OWNER]), stage).status_code == 403
    assert _upload(client_for(w.other_vendor_user), stage).status_code == 403
    assert _upload(client_for(outsider(w.world)), stage).status_code == 404
    assert not StageDocument.objects.exists()


# --- links from the elevator and campaign pages -------------------------------------------------------------


def test_links_from_the_campaign_and_the_elevator(delivery_world: DeliveryWorld) -> None:
    w = delivery_world
    client = client_for(w.world.users[Role.OWNER])
    campaign_page = client.get(reverse("campaign_detail", args=[w.world.campaign.pk])).content.decode()
    assert overview_url(w.world.campaign) in campaign_page
    elevator = w.renewals[0].elevator
    elevator_page = client.get(reverse("elevator_detail", args=[elevator.device_code])).content.decode()
    link = reverse("renewal_for_elevator", args=[w.world.campaign.pk, elevator.device_code])
    assert link in elevator_page
    assert client.get(link)["Location"] == detail_url(w.renewals[0])
    # An elevator not (yet) in delivery: back to the overview with a note.
    pending = f.ElevatorFactory(entrance=w.world.inside["entrance"])
    response = client.get(reverse("renewal_for_elevator", args=[w.world.campaign.pk, pending.device_code]), follow=True)
    assert response.redirect_chain[-1][0] == overview_url(w.world.campaign)
    assert "尚未进入本行动的实施清单" in response.content.decode()
    assert client.get(reverse("renewal_for_elevator", args=[w.world.other_campaign.pk, "x"])).status_code == 404


# --- query counts ------------------------------------------------------------------------------------------


def _more_renewals(w: DeliveryWorld, n: int) -> list[Renewal]:
    """`n` more renewals of 甲电梯 in new entrances of the inside building, each with an overdue
    contract stage and a document on its notice."""
    today = timezone.localdate()
    made = []
    for i in range(n):
        entrance = f.EntranceFactory(building=w.world.inside["building"], name=f"{i + 3}单元")
        renewal = ds.renewal_create(
            actor=w.manager,
            campaign=w.world.campaign,
            elevator=f.ElevatorFactory(entrance=entrance),
            vendor=w.vendor,
            works_days=40,
            decided_on=dt.date(2024, 12, 1),
        )
        RenewalStage.objects.filter(renewal=renewal, kind=st.CONTRACT).update(
            planned_end=today - dt.timedelta(days=i + 1), responsible="业委会"
        )
        made.append(renewal)
    return made


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("role", [Role.SUBDISTRICT_STAFF, Role.COMMUNITY_STAFF, Role.OWNER, Role.VENDOR])
def test_overview_query_count_does_not_grow(
    delivery_world: DeliveryWorld, role: str, django_assert_max_num_queries: Any
) -> None:
    w = delivery_world
    client = client_for(w.world.users[role])
    url = overview_url(w.world.campaign)
    few = _count(client, url)
    _more_renewals(w, 12)
    assert _count(client, url) == few
    with django_assert_max_num_queries(14):
        assert client.get(url, {"overdue": "on", "vendor": w.vendor.pk}).status_code == 200


def test_detail_query_count_does_not_grow(
    delivery_world: DeliveryWorld, media: Any, django_assert_max_num_queries: Any
) -> None:
    w = delivery_world
    url = detail_url(w.renewals[0])
    clients = [client_for(w.world.users[role]) for role in (Role.VENDOR, Role.PROPERTY_MANAGER, Role.OWNER)]
    few = [_count(client, url) for client in clients]
    _more_renewals(w, 5)
    notice = stage_of(w.renewals[0], st.NOTICE)
    for k in range(3):
        ds.stage_document_add(
            actor=w.manager, stage=notice, title=f"现场照片{k}", upload=SimpleUploadedFile("p.pdf", PDF)
        )
    assert [_count(client, url) for client in clients] == few
    assert "现场照片2" in clients[1].get(url).content.decode()
    for client in clients:
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200


# --- on a phone -----------------------------------------------------------------------------------------------


def _phone(browser: Any, live_server: Any, user: Any, errors: list[str]) -> Any:
    user.set_password("pass-word-123")
    user.save(update_fields=["password"])
    page = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN").new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pass-word-123")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_phone_overview_and_detail(live_server: Any, browser: Any, delivery_world: DeliveryWorld) -> None:
    """At 375 px both pages fit (tables scroll inside their wrappers, tap targets ≥ 40 px); a vendor
    records a works stage through htmx and the timeline updates in place; a refusal shows at the form."""
    from tests.browser_support import assert_fits_the_phone

    w = delivery_world
    _more_renewals(w, 4)
    errors: list[str] = []
    manager = _phone(browser, live_server, w.manager, errors)
    manager.goto(live_server.url + overview_url(w.world.campaign))
    assert manager.locator("h1").inner_text() == "实施进度"
    assert manager.locator("#overdue-list tbody tr").count() == 4
    assert_fits_the_phone(manager)
    manager.locator("details summary").first.click()  # the entrances' rollup
    assert_fits_the_phone(manager)

    # The manager records the contract so the works can start; then the vendor takes over.
    contract = stage_of(w.renewals[0], st.CONTRACT)
    manager.goto(live_server.url + detail_url(w.renewals[0]))
    assert_fits_the_phone(manager)
    manager.click(f"#stage-{contract.pk} summary")
    assert_fits_the_phone(manager)  # the open form fits too
    manager.select_option(f"#stage{contract.pk}-status", st.DONE)
    manager.click(f"#stage-{contract.pk} .stage-form button[type=submit]")
    manager.wait_for_selector(f"#stage-{contract.pk} .stage-saved")
    assert manager.locator("#current-stage").inner_text() == "施工告知"

    vendor = _phone(browser, live_server, w.world.users[Role.VENDOR], errors)
    vendor.goto(live_server.url + detail_url(w.renewals[0]))
    assert_fits_the_phone(vendor)
    build = stage_of(w.renewals[0], st.CONSTRUCTION)
    vendor.click(f"#stage-{build.pk} summary")
    vendor.select_option(f"#stage{build.pk}-status", st.STARTED)
    vendor.click(f"#stage-{build.pk} .stage-form button[type=submit]")
    vendor.wait_for_selector(f"#stage-{build.pk} .message-error")
    assert "施工前须先完成施工告知" in vendor.locator(f"#stage-{build.pk} .message-error").inner_text()
    assert_fits_the_phone(vendor)
    notice = stage_of(w.renewals[0], st.NOTICE)
    vendor.click(f"#stage-{notice.pk} summary")
    vendor.select_option(f"#stage{notice.pk}-status", st.DONE)
    vendor.click(f"#stage-{notice.pk} .stage-form button[type=submit]")
    vendor.wait_for_selector(f"#stage-{notice.pk} .stage-saved")
    assert vendor.url.endswith(detail_url(w.renewals[0]))  # swapped in place, no navigation
    assert stage_of(w.renewals[0], st.NOTICE).status == st.DONE
    assert_fits_the_phone(vendor)
    assert errors == []
