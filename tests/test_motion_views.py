"""Staff pages of owners' motions: access by role and scope, the create form, open / cancel /
close, the live tally's "still needed", voters (choices hidden while open), door-knocking,
paper double entry through the page, mismatch resolution, proxy upload and query counts."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.motions import services as s
from gongzhi.motions.models import Motion, MotionResult, MotionStatus, PaperEntry, ProxyAuthorisation, Voter
from gongzhi.places.models import Role
from tests import factories as f
from tests.conftest import MotionWorld

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, motion: Motion, *extra: Any) -> str:
    return reverse(name, args=[motion.pk, *extra])


def _online(voter: Voter, choice: str, key: str) -> None:
    token = s.voter_session_issue(voter=voter)
    s.ballot_cast_online(session_token=token, choice=choice, request_key=key)


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


# --- access ----------------------------------------------------------------------------------------

STAFF_PAGES = ["motion_detail", "motion_tally_fragment", "motion_voters", "motion_door_knocking"]
KEYING_PAGES = ["motion_paper_entry", "motion_mismatches", "motion_proxy"]


@pytest.mark.parametrize("page", STAFF_PAGES + KEYING_PAGES)
def test_community_staff_see_every_page(motion_world: MotionWorld, page: str) -> None:
    response = client_for(motion_world.staff).get(url(page, motion_world.motion))
    assert response.status_code == 200


@pytest.mark.parametrize("page", STAFF_PAGES + KEYING_PAGES)
def test_staff_of_another_community_get_404(motion_world: MotionWorld, page: str) -> None:
    other = f.user_with_role(Role.COMMUNITY_STAFF, community=motion_world.world.outside["community"])
    assert client_for(other).get(url(page, motion_world.motion)).status_code == 404


@pytest.mark.parametrize(
    ("page", "status"),
    [
        ("motion_detail", 200),
        ("motion_voters", 200),
        ("motion_door_knocking", 200),
        ("motion_paper_entry", 403),
        ("motion_proxy", 403),
        ("motion_mismatches", 403),
    ],
)
def test_property_manager_sees_voters_but_keys_nothing(motion_world: MotionWorld, page: str, status: int) -> None:
    pm = motion_world.world.users[Role.PROPERTY_MANAGER]
    assert client_for(pm).get(url(page, motion_world.motion)).status_code == status


@pytest.mark.parametrize(
    ("page", "status"),
    [
        ("motion_detail", 200),
        ("motion_tally_fragment", 200),
        ("motion_voters", 403),
        ("motion_door_knocking", 403),
        ("motion_paper_entry", 403),
    ],
)
def test_owner_sees_the_tally_not_the_voters(motion_world: MotionWorld, page: str, status: int) -> None:
    owner = motion_world.world.users[Role.OWNER]
    assert client_for(owner).get(url(page, motion_world.motion)).status_code == status


def test_vendor_does_not_see_the_motion(motion_world: MotionWorld) -> None:
    vendor = motion_world.world.users[Role.VENDOR]
    assert client_for(vendor).get(url("motion_detail", motion_world.motion)).status_code == 404
    assert "2单元电梯更新" not in client_for(vendor).get(reverse("motion_list")).content.decode()


def test_pages_need_login(motion_world: MotionWorld) -> None:
    response = Client().get(url("motion_detail", motion_world.motion))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_owner_cannot_open_cancel_or_key(motion_world: MotionWorld) -> None:
    client = client_for(motion_world.world.users[Role.OWNER])
    m = motion_world.motion
    assert client.post(url("motion_cancel", m), {"reason": "x"}).status_code == 403
    assert client.post(url("motion_paper_entry", m), {"number": 1, "choice": "for"}).status_code == 403
    m.refresh_from_db()
    assert m.status == MotionStatus.OPEN


# --- list and nav ---------------------------------------------------------------------------------


def test_list_shows_status_scope_and_participation(motion_world: MotionWorld) -> None:
    _online(motion_world.voters["wang"], "for", "k1")  # 140 of 520 m² = 26.9 %
    body = client_for(motion_world.staff).get(reverse("motion_list")).content.decode()
    assert "2单元电梯更新" in body
    assert "表决中" in body
    assert "1幢2单元" in body
    assert "26.9%" in body
    assert "新建表决" in body
    assert reverse("motion_list") in body  # the nav link


def test_list_has_no_create_button_for_those_who_cannot_manage(motion_world: MotionWorld) -> None:
    body = client_for(motion_world.world.users[Role.PROPERTY_MANAGER]).get(reverse("motion_list")).content.decode()
    assert "2单元电梯更新" in body
    assert "新建表决" not in body
    assert client_for(motion_world.world.users[Role.PROPERTY_MANAGER]).get(reverse("motion_create")).status_code == 404


def _more_motions(w: MotionWorld, n: int) -> None:
    entrance = w.motion.scope_entrance
    for i in range(n):
        opens = w.now + dt.timedelta(days=1)
        motion = s.motion_create(
            actor=w.staff,
            estate=w.world.inside["estate"],
            title=f"第{i}项",
            question="？",
            scope_kind="entrance",
            scope_entrance=entrance,
            opens_at=opens,
            closes_at=opens + dt.timedelta(days=10),
        )
        if i % 2 == 0:
            s.motion_open(actor=w.staff, motion=motion, now=opens - dt.timedelta(days=8))


def test_list_query_count_stays_flat(motion_world: MotionWorld, django_assert_max_num_queries: Any) -> None:
    client = client_for(motion_world.staff)
    client.get(reverse("motion_list"))  # warm the session
    with django_assert_max_num_queries(8):
        assert client.get(reverse("motion_list")).status_code == 200
    _more_motions(motion_world, 8)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("motion_list"))
    assert response.content.decode().count("/motions/") >= 9


# --- create -----------------------------------------------------------------------------------------


def _form_data(w: MotionWorld, **overrides: Any) -> dict[str, Any]:
    opens = timezone.now() + dt.timedelta(days=10)
    data = {
        "estate": w.world.inside["estate"].pk,
        "title": "加装电梯表决",
        "question": "是否同意更新电梯？",
        "description": "",
        "scope_kind": "entrance",
        "scope_entrance": w.motion.scope_entrance_id,
        "scope_building": "",
        "scope_rooms": "",
        "rule": "civil-code-ordinary",
        "participation_area": ">=2/3",
        "participation_owners": ">=2/3",
        "approval_area": ">1/2",
        "approval_owners": ">1/2",
        "meeting_kind": "extraordinary",
        "opens_at": _local(opens),
        "closes_at": _local(opens + dt.timedelta(days=20)),
        "objection_days": 7,
    }
    data.update(overrides)
    return data


def test_create_page_shows_legal_sources(motion_world: MotionWorld) -> None:
    body = client_for(motion_world.staff).get(reverse("motion_create")).content.decode()
    assert "第二百七十八条" in body
    assert "四分之三" in body
    assert 'type="datetime-local"' in body
    assert "亲亲家园" in body
    assert "之江花园" not in body


def test_create_motion_through_the_form(motion_world: MotionWorld) -> None:
    response = client_for(motion_world.staff).post(reverse("motion_create"), _form_data(motion_world))
    motion = Motion.objects.get(title="加装电梯表决")
    assert response.status_code == 302
    assert response["Location"] == url("motion_detail", motion)
    assert motion.status == MotionStatus.DRAFT
    assert motion.scope_entrance_id == motion_world.motion.scope_entrance_id
    assert motion.rule_preset == "civil-code-ordinary"
    assert motion.objection_days == 7


def test_create_custom_rule_and_room_list(motion_world: MotionWorld) -> None:
    data = _form_data(
        motion_world,
        scope_kind="apartments",
        scope_rooms="1幢2单元101\n 1幢2单元202 \n",
        rule="custom",
        approval_area=">=3/5",
    )
    response = client_for(motion_world.staff).post(reverse("motion_create"), data)
    assert response.status_code == 302
    motion = Motion.objects.get(title="加装电梯表决")
    assert motion.rule_preset == ""
    assert motion.approval_area == ">=3/5"
    assert sorted(motion.scope_apartments.values_list("room", flat=True)) == ["101", "202"]


def test_create_unknown_room_names_the_line(motion_world: MotionWorld) -> None:
    data = _form_data(motion_world, scope_kind="apartments", scope_rooms="1幢2单元101\n9幢9单元909")
    response = client_for(motion_world.staff).post(reverse("motion_create"), data)
    assert response.status_code == 200
    assert "9幢9单元909" in response.content.decode()
    assert not Motion.objects.filter(title="加装电梯表决").exists()


def test_create_bad_threshold_and_service_error_are_shown(motion_world: MotionWorld) -> None:
    client = client_for(motion_world.staff)
    bad_rule = client.post(reverse("motion_create"), _form_data(motion_world, rule="custom", approval_owners="half"))
    assert bad_rule.status_code == 200
    assert "门槛须写作" in bad_rule.content.decode()
    opens = timezone.now() + dt.timedelta(days=10)
    too_short = _form_data(motion_world, closes_at=_local(opens + dt.timedelta(days=2)))
    response = client.post(reverse("motion_create"), too_short)
    assert response.status_code == 200
    assert "表决期须在" in response.content.decode()  # the service's DomainError, shown on the form
    assert not Motion.objects.filter(title="加装电梯表决").exists()


def test_create_refuses_an_estate_outside_the_scope(motion_world: MotionWorld) -> None:
    data = _form_data(motion_world, estate=motion_world.world.outside["estate"].pk)
    response = client_for(motion_world.staff).post(reverse("motion_create"), data)
    assert response.status_code == 200
    assert not Motion.objects.filter(title="加装电梯表决").exists()


# --- detail flows -----------------------------------------------------------------------------------


def _draft(w: MotionWorld, opens_in_days: int = 10) -> Motion:
    opens = timezone.now() + dt.timedelta(days=opens_in_days)
    return s.motion_create(
        actor=w.staff,
        estate=w.world.inside["estate"],
        title="草稿表决",
        question="？",
        scope_kind="entrance",
        scope_entrance=w.motion.scope_entrance,
        opens_at=opens,
        closes_at=opens + dt.timedelta(days=10),
    )


def test_open_freezes_the_roll(motion_world: MotionWorld) -> None:
    draft = _draft(motion_world)
    client = client_for(motion_world.staff)
    assert "公告并冻结名册" in client.get(url("motion_detail", draft)).content.decode()
    response = client.post(url("motion_open", draft), follow=True)
    draft.refresh_from_db()
    assert draft.status == MotionStatus.OPEN
    assert Voter.objects.filter(motion=draft).count() == 5
    assert "名册已冻结" in response.content.decode()


def test_open_too_late_shows_the_notice_rule(motion_world: MotionWorld) -> None:
    draft = _draft(motion_world, opens_in_days=3)
    response = client_for(motion_world.staff).post(url("motion_open", draft), follow=True)
    draft.refresh_from_db()
    assert draft.status == MotionStatus.DRAFT
    assert "须在表决开始前至少 7 天公告" in response.content.decode()


def test_cancel_needs_a_reason(motion_world: MotionWorld) -> None:
    client = client_for(motion_world.staff)
    m = motion_world.motion
    response = client.post(url("motion_cancel", m), {"reason": ""}, follow=True)
    assert "请填写撤销原因" in response.content.decode()
    m.refresh_from_db()
    assert m.status == MotionStatus.OPEN
    client.post(url("motion_cancel", m), {"reason": "业主委员会决定延期"})
    m.refresh_from_db()
    assert m.status == MotionStatus.CANCELLED


def _overdue(w: MotionWorld) -> Motion:
    now = timezone.now()
    opens = now - dt.timedelta(days=10)
    motion = s.motion_create(
        actor=w.staff,
        estate=w.world.inside["estate"],
        title="已到期表决",
        question="？",
        scope_kind="entrance",
        scope_entrance=w.motion.scope_entrance,
        opens_at=opens,
        closes_at=now - dt.timedelta(hours=1),
    )
    return s.motion_open(actor=w.staff, motion=motion, now=opens - dt.timedelta(days=8))


def test_close_and_publish(motion_world: MotionWorld) -> None:
    overdue = _overdue(motion_world)
    response = client_for(motion_world.staff).post(url("motion_close", overdue), follow=True)
    overdue.refresh_from_db()
    assert overdue.status == MotionStatus.CLOSED
    assert MotionResult.objects.filter(motion=overdue).exists()
    assert "表决未通过" in response.content.decode()


def test_detail_closes_overdue_motions_lazily(motion_world: MotionWorld) -> None:
    overdue = _overdue(motion_world)
    body = client_for(motion_world.staff).get(url("motion_detail", overdue)).content.decode()
    overdue.refresh_from_db()
    assert overdue.status == MotionStatus.CLOSED
    assert "计票结果" in body
    assert 'hx-trigger="every 2s"' not in body  # polling stops once closed
    assert reverse("motion_notice", args=[overdue.public_id]) in body
    assert reverse("motion_ballots_export", args=[overdue.pk]) in body


def test_close_before_closing_time_is_refused(motion_world: MotionWorld) -> None:
    m = motion_world.motion
    client_for(motion_world.staff).post(url("motion_close", m))
    m.refresh_from_db()
    assert m.status == MotionStatus.OPEN


def test_detail_shows_rule_links_and_polls(motion_world: MotionWorld) -> None:
    body = client_for(motion_world.staff).get(url("motion_detail", motion_world.motion)).content.decode()
    assert 'hx-trigger="every 2s"' in body
    assert url("motion_tally_fragment", motion_world.motion) in body
    for name in ("motion_voters", "motion_door_knocking", "motion_paper_entry", "motion_proxy", "motion_mismatches"):
        assert url(name, motion_world.motion) in body
    assert "第二百七十八条" in body
    assert 'role="meter"' in body
    assert reverse("motion_sheets", args=[motion_world.motion.pk]) in body


def test_owner_detail_has_no_staff_links(motion_world: MotionWorld) -> None:
    owner = motion_world.world.users[Role.OWNER]
    body = client_for(owner).get(url("motion_detail", motion_world.motion)).content.decode()
    assert url("motion_voters", motion_world.motion) not in body
    assert url("motion_paper_entry", motion_world.motion) not in body
    assert "撤销表决" not in body


# --- live tally ---------------------------------------------------------------------------------------


def _meter(body: str, key: str) -> str:
    match = re.search(rf'bar-{key}[^"]*">.*?aria-valuenow="([0-9.]+)"', body, re.S)
    assert match is not None
    return match.group(1)


def test_tally_fragment_still_needed_changes_after_a_ballot(motion_world: MotionWorld) -> None:
    w = motion_world
    client = client_for(w.staff)
    before = client.get(url("motion_tally_fragment", w.motion)).content.decode()
    # 520 m², 5 heads, >= 2/3: 346.67 m² → 34667 hundredths; 4 heads.
    assert "还需至少 4 位业主、346.67 m² 参与表决" in before
    assert _meter(before, "participation-area") == "0.0"
    assert 'hx-trigger="every 2s"' in before
    _online(w.voters["wang"], "for", "a")  # 140 m², 1 head
    after = client.get(url("motion_tally_fragment", w.motion)).content.decode()
    assert "还需至少 3 位业主、206.67 m² 参与表决" in after
    assert _meter(after, "participation-area") == "26.9"
    assert _meter(after, "approval-owners") == "100.0"
    assert 'style="left: 66.7%"' in after  # the 2/3 threshold marker
    assert 'style="left: 50.0%"' in after


def test_tally_leaves_out_a_measure_already_met(motion_world: MotionWorld) -> None:
    w = motion_world
    _online(w.voters["wang"], "for", "a")  # 140 m²
    _online(w.voters["chen"], "against", "b")  # 100 m²: area approval 140/240 met, heads 1/2 not
    body = client_for(w.staff).get(url("motion_tally_fragment", w.motion)).content.decode()
    assert "还需至少 1 位业主 同意" in body
    assert "0.00 m² 同意" not in body


def test_tally_for_a_draft_says_it_starts_after_opening(motion_world: MotionWorld) -> None:
    draft = _draft(motion_world)
    body = client_for(motion_world.staff).get(url("motion_tally_fragment", draft)).content.decode()
    assert "公告并冻结名册后开始计票" in body


# --- voters and door-knocking ---------------------------------------------------------------------------


def test_voters_hide_choices_while_open(motion_world: MotionWorld) -> None:
    w = motion_world
    _online(w.voters["chen"], "against", "c")
    body = client_for(w.staff).get(url("motion_voters", w.motion)).content.decode()
    assert "陈刚" in body
    assert "已表决" in body
    assert "反对" not in body
    voted = client_for(w.staff).get(url("motion_voters", w.motion) + "?voted=yes").content.decode()
    assert "陈刚" in voted
    assert "王芳" not in voted
    search = client_for(w.staff).get(url("motion_voters", w.motion) + "?q=101").content.decode()
    assert "王芳" in search
    assert "陈刚" not in search


def test_voters_show_choices_after_closing_unless_anonymous(motion_world: MotionWorld) -> None:
    w = motion_world
    overdue = _overdue(w)
    voter = Voter.objects.get(motion=overdue, number=3)
    token = s.voter_session_issue(voter=voter)
    s.ballot_cast_online(
        session_token=token, choice="against", request_key="z", now=overdue.closes_at - dt.timedelta(hours=1)
    )
    client = client_for(w.staff)
    body = client.get(url("motion_voters", overdue)).content.decode()
    assert "反对" in body
    Motion.objects.filter(pk=overdue.pk).update(anonymous=True)
    assert "反对" not in client.get(url("motion_voters", overdue)).content.decode()


def test_paper_request_toggle(motion_world: MotionWorld) -> None:
    w = motion_world
    client_for(w.staff).post(url("motion_paper_request", w.motion), {"number": 3, "requested": "1"})
    assert Voter.objects.get(pk=w.voters["chen"].pk).paper_requested
    pm = w.world.users[Role.PROPERTY_MANAGER]
    response = client_for(pm).post(url("motion_paper_request", w.motion), {"number": 3, "requested": "0"})
    assert response.status_code == 403
    assert Voter.objects.get(pk=w.voters["chen"].pk).paper_requested


def _bigger_motion(w: MotionWorld, n: int) -> Motion:
    entrance = f.EntranceFactory(building=w.world.inside["building"], name="9单元")
    for i in range(n):
        apt = f.ApartmentFactory(entrance=entrance, room=f"{100 + i}", floor=1 + i // 4, area=Decimal("80.00"))
        f.OwnershipFactory(apartment=apt, owner=f.OwnerFactory(phone=f"1390000{i:04d}"))
    opens = w.now - dt.timedelta(days=1)
    motion = s.motion_create(
        actor=w.staff,
        estate=w.world.inside["estate"],
        title="9单元表决",
        question="？",
        scope_kind="entrance",
        scope_entrance=entrance,
        opens_at=opens,
        closes_at=opens + dt.timedelta(days=10),
    )
    return s.motion_open(actor=w.staff, motion=motion, now=opens - dt.timedelta(days=8))


@pytest.mark.parametrize(("page", "queries"), [("motion_voters", 8), ("motion_door_knocking", 9)])
def test_voter_lists_have_a_fixed_query_count(
    motion_world: MotionWorld, django_assert_max_num_queries: Any, page: str, queries: int
) -> None:
    client = client_for(motion_world.staff)
    client.get(url(page, motion_world.motion))
    with django_assert_max_num_queries(queries):
        small = client.get(url(page, motion_world.motion))
    assert small.status_code == 200
    big = _bigger_motion(motion_world, 30)
    with django_assert_max_num_queries(queries):
        response = client.get(url(page, big))
    assert response.content.decode().count("1幢9单元") >= 30


def test_door_knocking_orders_by_area_and_marks_the_threshold(motion_world: MotionWorld) -> None:
    body = client_for(motion_world.staff).get(url("motion_door_knocking", motion_world.motion)).content.decode()
    # Wang 140, developer 140, Chen 100, Li&Zhao 90, nobody 50: 2/3 of 520 m² (346.67) is reached
    # at the third visit, 2/3 of 5 heads (4) at the fourth: at least 4 visits.
    assert "至少还需走访 4 户" in body
    assert body.index("王芳") < body.index("陈刚") < body.index("李强")
    assert "138****0001" in body
    assert "13800000001" not in body
    assert body.count('class="threshold-row"') == 2


def test_door_knocking_marks_only_the_threshold_not_yet_met(motion_world: MotionWorld) -> None:
    w = motion_world
    for key, name in (("a", "wang"), ("b", "developer"), ("c", "chen")):
        _online(w.voters[name], "for", key)  # 380 m² of 520 (area met), 3 of 5 heads (4 needed)
    body = client_for(w.staff).get(url("motion_door_knocking", w.motion)).content.decode()
    assert "至少还需走访 1 户" in body
    assert body.count('class="threshold-row"') == 1
    assert "达到人数门槛" in body
    assert "达到面积门槛</strong>" not in body


# --- paper entry, mismatches, proxy --------------------------------------------------------------------


def test_paper_keying_by_two_staff_counts_the_ballot(motion_world: MotionWorld) -> None:
    w = motion_world
    first = client_for(w.staff).post(url("motion_paper_entry", w.motion), {"number": 3, "choice": "for"})
    text = first.content.decode()
    assert "已录入，等待第二人录入" in text
    assert "陈刚" in text
    assert "1幢2单元202" in text
    again = client_for(w.staff).post(url("motion_paper_entry", w.motion), {"number": 3, "choice": "for"})
    assert again.status_code == 400
    assert "须由另一位工作人员录入第二遍" in again.content.decode()
    second = client_for(w.staff2).post(url("motion_paper_entry", w.motion), {"number": 3, "choice": "for"})
    assert "两次录入一致，已计票" in second.content.decode()
    chen = Voter.objects.get(pk=w.voters["chen"].pk)
    assert chen.choice == "for"


def test_paper_page_is_phone_friendly(motion_world: MotionWorld) -> None:
    body = client_for(motion_world.staff).get(url("motion_paper_entry", motion_world.motion)).content.decode()
    assert 'inputmode="numeric"' in body
    assert "autofocus" in body
    for label in ("同意", "反对", "弃权"):
        assert f">{label}</button>" in body


def test_paper_unknown_sheet_and_missing_choice(motion_world: MotionWorld) -> None:
    client = client_for(motion_world.staff)
    unknown = client.post(url("motion_paper_entry", motion_world.motion), {"number": 99, "choice": "for"})
    assert unknown.status_code == 400
    assert "第 99 号" in unknown.content.decode()
    missing = client.post(url("motion_paper_entry", motion_world.motion), {"number": 1})
    assert missing.status_code == 400
    assert "请选择同意、反对或弃权" in missing.content.decode()
    assert not PaperEntry.objects.exists()


def test_mismatch_is_listed_and_resolved(motion_world: MotionWorld) -> None:
    w = motion_world
    client_for(w.staff).post(url("motion_paper_entry", w.motion), {"number": 1, "choice": "for"})
    second = client_for(w.staff2).post(url("motion_paper_entry", w.motion), {"number": 1, "choice": "against"})
    assert "与另一人录入不一致，已列入待裁定" in second.content.decode()
    listing = client_for(w.staff).get(url("motion_mismatches", w.motion)).content.decode()
    assert "王芳" in listing
    assert w.staff.get_username() in listing
    assert w.staff2.get_username() in listing
    response = client_for(w.staff).post(
        url("motion_mismatches", w.motion), {"number": 1, "choice": "for", "note": "核对原件，勾选同意"}, follow=True
    )
    assert "已裁定并计票" in response.content.decode()
    assert Voter.objects.get(pk=w.voters["wang"].pk).choice == "for"
    assert "没有待裁定的表决票" in response.content.decode()


def test_proxy_upload_and_scan_download(motion_world: MotionWorld, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    w = motion_world
    client = client_for(w.staff)
    form = client.get(url("motion_proxy", w.motion)).content.decode()
    key = re.search(r'name="request_key" value="([0-9a-f]{32})"', form)
    assert key is not None
    data = {
        "number": 3,
        "choice": "against",
        "proxy_name": "陈小刚",
        "proxy_id_last4": "123X",
        "request_key": key.group(1),
        "scan": SimpleUploadedFile("auth.pdf", PDF, content_type="application/pdf"),
    }
    response = client.post(url("motion_proxy", w.motion), data, follow=True)
    assert "已录入委托表决" in response.content.decode()
    proxy = ProxyAuthorisation.objects.get()
    assert Voter.objects.get(pk=w.voters["chen"].pk).choice == "against"
    scan = client.get(url("motion_proxy_scan", w.motion, proxy.pk))
    assert scan.status_code == 200
    assert scan["Content-Type"] == "application/pdf"
    assert scan["Content-Disposition"].startswith("attachment")
    assert b"".join(scan.streaming_content).startswith(b"%PDF")
    owner = w.world.users[Role.OWNER]
    assert client_for(owner).get(url("motion_proxy_scan", w.motion, proxy.pk)).status_code == 403
    pm = w.world.users[Role.PROPERTY_MANAGER]
    assert client_for(pm).get(url("motion_proxy_scan", w.motion, proxy.pk)).status_code == 200


def test_proxy_refuses_a_bad_scan(motion_world: MotionWorld, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    data = {
        "number": 3,
        "choice": "for",
        "proxy_name": "陈小刚",
        "request_key": "a" * 32,
        "scan": SimpleUploadedFile("auth.txt", b"hello world", content_type="text/plain"),
    }
    response = client_for(motion_world.staff).post(url("motion_proxy", motion_world.motion), data)
    assert response.status_code == 200
    assert "须为 PDF、JPEG 或 PNG" in response.content.decode()
    assert not ProxyAuthorisation.objects.exists()
