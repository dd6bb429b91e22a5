"""Council pages: who sees and who runs them (per persona), the topic form's errors at the field,
deciding topics, members' terms, scheduling and reporting from the pages, query counts that do not
grow with rows, and the pages at 375 px on a phone."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongzhi.councils import services as s
from gongzhi.councils.models import Council, CouncilMember, Outcome, OutcomeStatus, Session, Topic, TopicStatus
from gongzhi.places.models import Role
from tests import factories as f
from tests.conftest import ROLES, World

pytestmark = pytest.mark.django_db
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the phone test (Playwright's event loop), as elsewhere


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def council(personas: World) -> Council:
    return s.council_create(
        actor=personas.users[Role.COMMUNITY_STAFF],
        community=personas.inside["community"],
        name="畅说昌硕事",
        established_on=dt.date(2024, 3, 1),
        rules="每月第一个周五召开。",
    )


def _topic(w: World, council: Council, title: str = "停车难", accept: bool = True) -> Topic:
    t = s.topic_propose(actor=w.users[Role.OWNER], council=council, title=title, text="晚上车位不够。")
    return s.topic_accept(actor=w.users[Role.COMMUNITY_STAFF], topic=t) if accept else t


def _session(w: World, council: Council, hours: int = -3) -> Session:
    return s.session_schedule(
        actor=w.users[Role.COMMUNITY_STAFF],
        council=council,
        estate=w.inside["estate"],
        starts_at=timezone.now() + dt.timedelta(hours=hours),
        venue="社区议事厅",
        topics=[_topic(w, council)],
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_role_in_the_community_sees_the_council(personas: World, council: Council, role: str) -> None:
    client = client_for(personas.users[role])
    page = client.get(reverse("council_detail", args=[council.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "畅说昌硕事" in body
    manage = role in {Role.SUBDISTRICT_STAFF, Role.COMMUNITY_STAFF}
    assert (reverse("council_session_schedule", args=[council.pk]) in body) is manage
    assert client.get(reverse("council_topic_propose", args=[council.pk])).status_code == 200
    assert "畅说昌硕事" in client.get(reverse("council_list")).content.decode()
    assert client.get(reverse("council_session_schedule", args=[council.pk])).status_code == (200 if manage else 403)


def test_outsiders_get_404(personas: World, council: Council) -> None:
    session = _session(personas, council)
    for user in (f.user_with_role(Role.COMMUNITY_STAFF, community=personas.outside["community"]), f.UserFactory()):
        client = client_for(user)
        assert client.get(reverse("council_detail", args=[council.pk])).status_code == 404
        assert client.get(reverse("council_session", args=[session.pk])).status_code == 404
        assert (
            client.post(reverse("council_topic_propose", args=[council.pk]), {"title": "x", "text": "y"}).status_code
            == 404
        )
        assert "畅说昌硕事" not in client.get(reverse("council_list")).content.decode()
    assert Client().get(reverse("council_detail", args=[council.pk])).status_code == 302


def test_resident_proposes_and_errors_show_at_the_field(personas: World, council: Council) -> None:
    client = client_for(personas.users[Role.OWNER])
    url = reverse("council_topic_propose", args=[council.pk])
    bad = client.post(url, {"title": "加装充电桩", "text": "   "})
    assert bad.status_code == 400
    assert "field-error" in bad.content.decode()
    assert not Topic.objects.exists()
    ok = client.post(url, {"title": "加装充电桩", "text": "电动车充电难。", "proposer_name": "3幢王阿姨"})
    assert ok.status_code == 302
    topic = Topic.objects.get()
    assert (topic.proposer_name, topic.status) == ("3幢王阿姨", TopicStatus.PROPOSED)


def test_staff_decide_topics_others_may_not(personas: World, council: Council) -> None:
    a, b = _topic(personas, council, "甲", accept=False), _topic(personas, council, "乙", accept=False)
    url = reverse("council_topic_decide", args=[a.pk])
    assert client_for(personas.users[Role.OWNERS_COMMITTEE]).post(url, {"decision": "accept"}).status_code == 403
    staff = client_for(personas.users[Role.COMMUNITY_STAFF])
    assert staff.post(url, {"decision": "accept"}).status_code == 302
    no_reason = staff.post(reverse("council_topic_decide", args=[b.pk]), {"decision": "decline", "reason": ""})
    assert no_reason.status_code == 400
    assert "field-error" in no_reason.content.decode()
    staff.post(reverse("council_topic_decide", args=[b.pk]), {"decision": "decline", "reason": "属物业合同事项"})
    assert dict(Topic.objects.values_list("title", "status")) == {
        "甲": TopicStatus.ACCEPTED,
        "乙": TopicStatus.DECLINED,
    }


def test_members_through_the_page(personas: World, council: Council) -> None:
    staff = client_for(personas.users[Role.COMMUNITY_STAFF])
    url = reverse("council_member_add", args=[council.pk])
    data = {
        "name": "张三",
        "role": "chair",
        "represents": "resident",
        "term_start": "2024-01-01",
        "term_end": "2024-12-31",
    }
    assert staff.post(url, data).status_code == 302
    clash = staff.post(url, {**data, "term_start": "2024-12-31", "term_end": ""})
    assert clash.status_code == 400
    assert "任期与已有任期" in clash.content.decode()
    assert client_for(personas.users[Role.OWNER]).post(url, data).status_code == 403
    member = CouncilMember.objects.get()
    assert staff.post(reverse("council_member_end", args=[member.pk]), {"term_end": "2023-01-01"}).status_code == 400
    assert staff.post(reverse("council_member_end", args=[member.pk]), {"term_end": "2024-06-30"}).status_code == 302
    member.refresh_from_db()
    assert member.term_end == dt.date(2024, 6, 30)
    body = client_for(personas.users[Role.OWNER]).get(reverse("council_detail", args=[council.pk])).content.decode()
    assert "往届成员" in body


def test_schedule_and_report_through_the_pages(personas: World, council: Council) -> None:
    topic = _topic(personas, council)
    staff = client_for(personas.users[Role.COMMUNITY_STAFF])
    starts = timezone.localtime() - dt.timedelta(hours=2)
    response = staff.post(
        reverse("council_session_schedule", args=[council.pk]),
        {
            "estate": personas.inside["estate"].pk,
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "venue": "社区议事厅",
            "duration_minutes": "90",
            "topics": [topic.pk],
        },
    )
    assert response.status_code == 302
    session = Session.objects.get()
    page = staff.get(reverse("council_session", args=[session.pk]))
    assert "report-form" in page.content.decode()
    bad = staff.post(
        reverse("council_session_report", args=[session.pk]), {"summary": "议定一项", "outcomes": "表决 | abc"}
    )
    assert bad.status_code == 400
    assert "第 1 行" in bad.content.decode()
    ok = staff.post(
        reverse("council_session_report", args=[session.pk]),
        {"summary": "议定一项", "outcomes": "建议 | 向物业转交停车建议 | 两周内答复"},
    )
    assert ok.status_code == 302
    outcome = Outcome.objects.get()
    assert (outcome.kind, outcome.note) == ("suggestion", "两周内答复")
    owner = client_for(personas.users[Role.OWNER])
    assert owner.post(reverse("council_outcome_update", args=[outcome.pk]), {"status": "done"}).status_code == 403
    staff.post(reverse("council_outcome_update", args=[outcome.pk]), {"status": "done", "note": "已答复"})
    outcome.refresh_from_db()
    assert outcome.status == OutcomeStatus.DONE
    body = owner.get(reverse("council_session", args=[session.pk])).content.decode()
    assert "已办结 1 / 1" in body
    assert "report-form" not in body
    assert reverse("meeting_detail", args=[session.meeting_id]) in body  # the owner may view the meeting
    # An owner in another estate of the community sees the session, not the estate's meeting.
    other = f.OwnershipFactory(
        apartment=f.ApartmentFactory(
            entrance=f.EntranceFactory(building=f.BuildingFactory(estate=f.EstateFactory(community=council.community)))
        )
    ).owner
    neighbour = client_for(f.user_with_role(Role.OWNER, owner=other)).get(reverse("council_session", args=[session.pk]))
    assert neighbour.status_code == 200
    assert reverse("meeting_detail", args=[session.meeting_id]) not in neighbour.content.decode()


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow(personas: World, council: Council, django_assert_max_num_queries: Any) -> None:
    staff = personas.users[Role.COMMUNITY_STAFF]
    session = _session(personas, council)
    s.session_report(actor=staff, session=session, summary="x", outcomes=[s.OutcomeEntry("甲")])
    urls = [
        reverse("council_detail", args=[council.pk]),
        reverse("council_session", args=[session.pk]),
        reverse("council_list"),
    ]
    clients = [client_for(personas.users[r]) for r in (Role.COMMUNITY_STAFF, Role.OWNER, Role.OWNERS_COMMITTEE)]
    few = [[_count(c, u) for u in urls] for c in clients]
    for k in range(4):
        _topic(personas, council, f"议题{k}")
        _topic(personas, council, f"待议{k}", accept=False)
        s.member_add(actor=staff, council=council, name=f"成员{k}", term_start=dt.date(2024, 1, 1))
        more = _session(personas, council, hours=24 + k)
        Topic.objects.filter(session=more).update(session=session)
    s.outcome_update(actor=staff, outcome=Outcome.objects.get(), status="done")
    assert [[_count(c, u) for u in urls] for c in clients] == few
    for c in clients:
        for u in urls:
            with django_assert_max_num_queries(12):
                c.get(u)


# --- on a phone ---------------------------------------------------------------------------------------------


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
def test_phone_propose_and_pages(live_server: Any, browser: Any, personas: World) -> None:
    from tests.browser_support import assert_fits_the_phone

    staff = personas.users[Role.COMMUNITY_STAFF]
    council = s.council_create(
        actor=staff, community=personas.inside["community"], name="畅说昌硕事", established_on=dt.date(2024, 3, 1)
    )
    s.member_add(actor=staff, council=council, name="张三", role="chair", term_start=dt.date(2024, 1, 1))
    session = _session(personas, council)
    s.session_report(
        actor=staff, session=session, summary="议定一项。", outcomes=[s.OutcomeEntry("向物业转交停车建议")]
    )
    errors: list[str] = []
    owner = _phone(browser, live_server, personas.users[Role.OWNER], errors)
    owner.goto(live_server.url + reverse("council_detail", args=[council.pk]))
    assert_fits_the_phone(owner)
    owner.click("#propose")
    owner.wait_for_url(live_server.url + reverse("council_topic_propose", args=[council.pk]))
    assert_fits_the_phone(owner)
    owner.fill("#id_title", "楼道堆物清理")
    owner.fill("#id_text", "3幢楼道堆满杂物，存在消防隐患。")
    owner.click("main button[type=submit]")
    owner.wait_for_url(live_server.url + reverse("council_detail", args=[council.pk]))
    assert Topic.objects.filter(title="楼道堆物清理", status=TopicStatus.PROPOSED).exists()
    owner.goto(live_server.url + reverse("council_session", args=[session.pk]))
    assert "向物业转交停车建议" in owner.locator("#outcomes").inner_text()
    assert_fits_the_phone(owner)
    manager = _phone(browser, live_server, staff, errors)
    manager.goto(live_server.url + reverse("council_detail", args=[council.pk]))
    manager.locator("#topics details").first.locator("summary").click()
    assert_fits_the_phone(manager)
    manager.goto(live_server.url + reverse("council_session", args=[session.pk]))
    assert_fits_the_phone(manager)
    assert errors == []
