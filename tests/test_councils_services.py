"""Deliberation councils' services: who may run a council and who may propose, term overlaps at
their boundaries, topic decisions (a decline needs a reason), sessions as deliberation meetings,
reports closing topics and outcomes followed until done; every write audited, nothing half-written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from gongzhi.core.actors import SYSTEM
from gongzhi.core.errors import AccessDeniedError, DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.councils import services as s
from gongzhi.councils.models import Council, CouncilMember, OutcomeStatus, Session, Topic, TopicStatus
from gongzhi.councils.rules import CouncilAction
from gongzhi.meetings.models import AgendaItem, Meeting
from gongzhi.motions.services import motion_create
from gongzhi.places import access
from gongzhi.places.models import Role
from tests import factories as f
from tests.conftest import ROLES, World

pytestmark = pytest.mark.django_db

D = dt.date


def make_council(w: World, actor: Any = None) -> Council:
    return s.council_create(
        actor=actor or w.users[Role.COMMUNITY_STAFF],
        community=w.inside["community"],
        name="畅说昌硕事",
        established_on=D(2024, 3, 1),
        rules="每月第一个周五召开。",
    )


def accepted_topic(w: World, council: Council, title: str = "小区停车难") -> Topic:
    topic = s.topic_propose(actor=w.users[Role.OWNER], council=council, title=title, text="晚上车位不够。")
    return s.topic_accept(actor=w.users[Role.COMMUNITY_STAFF], topic=topic)


def schedule(w: World, council: Council, topics: list[Topic], when: dt.datetime | None = None) -> Session:
    return s.session_schedule(
        actor=w.users[Role.COMMUNITY_STAFF],
        council=council,
        estate=w.inside["estate"],
        starts_at=when or timezone.now() - dt.timedelta(hours=3),
        venue="社区议事厅",
        topics=topics,
    )


@pytest.mark.parametrize(
    ("role", "may"),
    [
        (Role.SUBDISTRICT_STAFF, True),
        (Role.COMMUNITY_STAFF, True),
        (Role.OWNERS_COMMITTEE, False),
        (Role.PROPERTY_MANAGER, False),
        (Role.OWNER, False),
        (Role.VENDOR, False),
        (Role.SUPERVISOR, False),
        (Role.DISTRICT_REGULATOR, False),
    ],
)
def test_who_creates_a_council(personas: World, role: str, may: bool) -> None:
    if may:
        council = make_council(personas, personas.users[role])
        assert AuditEntry.objects.filter(action="council_create", object_id=str(council.pk)).exists()
    else:
        with pytest.raises(AccessDeniedError):
            make_council(personas, personas.users[role])
        assert not Council.objects.exists()


def test_staff_elsewhere_may_not(personas: World) -> None:
    from tests import factories as f

    other = f.user_with_role(Role.COMMUNITY_STAFF, community=personas.outside["community"])
    with pytest.raises(AccessDeniedError):
        make_council(personas, other)


def test_duplicate_name_refused(personas: World) -> None:
    make_council(personas)
    with pytest.raises(DomainError) as e:
        make_council(personas)
    assert e.value.code == "duplicate"


def _member(w: World, council: Council, start: D, end: D | None, role: str = "chair", name: str = "张三") -> Any:
    return s.member_add(
        actor=w.users[Role.COMMUNITY_STAFF], council=council, name=name, role=role, term_start=start, term_end=end
    )


def test_terms_may_not_overlap_for_same_person_and_role(personas: World) -> None:
    council = make_council(personas)
    _member(personas, council, D(2024, 1, 1), D(2024, 12, 31))
    with pytest.raises(DomainError) as e:  # shares the last day
        _member(personas, council, D(2024, 12, 31), None)
    assert e.value.code == "term_overlap"
    _member(personas, council, D(2025, 1, 1), None)  # the day after: fine
    _member(personas, council, D(2024, 6, 1), None, role="member")  # another role: fine
    _member(personas, council, D(2024, 6, 1), None, name="李四")  # another person: fine
    with pytest.raises(DomainError):  # an open term overlaps everything after it
        _member(personas, council, D(2030, 1, 1), D(2030, 2, 1))
    assert CouncilMember.objects.count() == 4


def test_same_account_counts_as_same_person(personas: World) -> None:
    council = make_council(personas)
    user = personas.users[Role.OWNER]
    staff = personas.users[Role.COMMUNITY_STAFF]
    s.member_add(actor=staff, council=council, name="王五", user=user, term_start=D(2024, 1, 1))
    with pytest.raises(DomainError):
        s.member_add(actor=staff, council=council, name="王 五", user=user, term_start=D(2025, 1, 1))


def test_end_term(personas: World) -> None:
    council = make_council(personas)
    member = _member(personas, council, D(2024, 1, 1), None)
    staff = personas.users[Role.COMMUNITY_STAFF]
    with pytest.raises(DomainError) as e:
        s.member_end_term(actor=staff, member=member, term_end=D(2023, 12, 31))
    assert e.value.code == "term_reversed"
    s.member_end_term(actor=staff, member=member, term_end=D(2024, 1, 1))  # a one-day term
    member.refresh_from_db()
    assert member.term_end == D(2024, 1, 1)
    with pytest.raises(AccessDeniedError):
        s.member_end_term(actor=personas.users[Role.OWNER], member=member, term_end=D(2024, 1, 1))
    assert AuditEntry.objects.filter(action="council_member_end_term").count() == 1
    with pytest.raises(DomainError):
        s.member_add(actor=staff, council=council, name="赵六", term_start=D(2024, 2, 1), term_end=D(2024, 1, 1))


@pytest.mark.parametrize(
    "role",
    [Role.OWNER, Role.OWNERS_COMMITTEE, Role.PROPERTY_MANAGER, Role.COMMUNITY_STAFF, Role.SUPERVISOR, Role.VENDOR],
)
def test_residents_propose(personas: World, role: str) -> None:
    council = make_council(personas)
    topic = s.topic_propose(actor=personas.users[role], council=council, title="加装充电桩", text="电动车充电难。")
    assert topic.status == TopicStatus.PROPOSED
    assert topic.proposed_by == personas.users[role]
    assert AuditEntry.objects.filter(action="council_topic_propose", object_id=str(topic.pk)).exists()


def test_outsiders_may_not_propose(personas: World) -> None:
    from django.contrib.auth.models import AnonymousUser

    from tests import factories as f

    council = make_council(personas)
    for user in (
        f.user_with_role(Role.OWNERS_COMMITTEE, estate=personas.outside["estate"]),
        f.UserFactory(),
        AnonymousUser(),
    ):
        with pytest.raises(AccessDeniedError):
            s.topic_propose(actor=user, council=council, title="x", text="y")
    assert not Topic.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_every_role_in_the_community_may_propose_through_the_facade(personas: World, role: str) -> None:
    council = make_council(personas)
    user = personas.users[role]
    assert access.may(user, CouncilAction.PROPOSE_TOPIC, council)
    access.require(user, CouncilAction.PROPOSE_TOPIC, council)


def test_the_facade_refuses_outsiders_to_propose_with_the_councils_message(personas: World) -> None:
    council = make_council(personas)
    neighbour = f.EstateFactory(community=f.CommunityFactory(subdistrict=personas.inside["subdistrict"]))
    for user in (
        f.user_with_role(Role.OWNERS_COMMITTEE, estate=personas.outside["estate"]),
        f.user_with_role(Role.COMMUNITY_STAFF, community=personas.outside["community"]),
        f.user_with_role(Role.OWNERS_COMMITTEE, estate=neighbour),  # another community of the same subdistrict
        f.UserFactory(),
        AnonymousUser(),
    ):
        assert not access.may(user, CouncilAction.PROPOSE_TOPIC, council)
        with pytest.raises(AccessDeniedError) as exc:
            s.topic_propose(actor=user, council=council, title="x", text="y")
        assert exc.value.message == "只有本社区的居民和工作人员可以提议题。"
    # The platform passes the check, yet a topic is proposed by a person only.
    assert access.may(SYSTEM, CouncilAction.PROPOSE_TOPIC, council)
    with pytest.raises(AccessDeniedError) as exc:
        s.topic_propose(actor=SYSTEM, council=council, title="x", text="y")
    assert exc.value.code == "login_required"
    assert not Topic.objects.exists()


def test_propose_needs_title_and_text(personas: World) -> None:
    council = make_council(personas)
    with pytest.raises(DomainError) as e:
        s.topic_propose(actor=personas.users[Role.OWNER], council=council, title="  ", text="y")
    assert e.value.code == "title_required"
    with pytest.raises(DomainError) as e:
        s.topic_propose(actor=personas.users[Role.OWNER], council=council, title="x", text="")
    assert e.value.code == "text_required"


def test_decline_needs_a_reason_and_decides_once(personas: World) -> None:
    council = make_council(personas)
    staff = personas.users[Role.COMMUNITY_STAFF]
    topic = s.topic_propose(actor=personas.users[Role.OWNER], council=council, title="x", text="y")
    with pytest.raises(DomainError) as e:
        s.topic_decline(actor=staff, topic=topic, reason="  ")
    assert e.value.code == "reason_required"
    with pytest.raises(AccessDeniedError):
        s.topic_decline(actor=personas.users[Role.OWNER], topic=topic, reason="不归社区管")
    s.topic_decline(actor=staff, topic=topic, reason="属物业合同事项，请向物业反映。")
    topic.refresh_from_db()
    assert (topic.status, topic.reason) == (TopicStatus.DECLINED, "属物业合同事项，请向物业反映。")
    with pytest.raises(DomainError) as e:
        s.topic_accept(actor=staff, topic=topic)
    assert e.value.code == "already_decided"


def test_session_creates_a_meeting_with_the_topics_as_agenda(personas: World) -> None:
    council = make_council(personas)
    a, b = accepted_topic(personas, council, "停车"), accepted_topic(personas, council, "垃圾分类")
    session = schedule(personas, council, [a, b], timezone.now() + dt.timedelta(days=3))
    meeting = Meeting.objects.get(pk=session.meeting_id)
    assert meeting.estate == personas.inside["estate"]
    assert meeting.venue == "社区议事厅"
    assert list(AgendaItem.objects.filter(meeting=meeting).values_list("title", flat=True)) == ["停车", "垃圾分类"]
    assert set(session.topics.values_list("pk", flat=True)) == {a.pk, b.pk}
    assert AuditEntry.objects.filter(action="council_session_schedule", object_id=str(session.pk)).exists()


def test_session_refuses_unaccepted_or_taken_topics_and_writes_nothing(personas: World) -> None:
    council = make_council(personas)
    proposed = s.topic_propose(actor=personas.users[Role.OWNER], council=council, title="x", text="y")
    ok = accepted_topic(personas, council)
    with pytest.raises(DomainError) as e:
        schedule(personas, council, [ok, proposed])
    assert e.value.code == "bad_topic"
    assert not Meeting.objects.exists()
    assert not Session.objects.exists()
    schedule(personas, council, [ok])
    with pytest.raises(DomainError):
        schedule(personas, council, [ok])
    with pytest.raises(DomainError) as e:
        schedule(personas, council, [])
    assert e.value.code == "topics_required"
    with pytest.raises(DomainError) as e:
        s.session_schedule(
            actor=personas.users[Role.SUBDISTRICT_STAFF],
            council=council,
            estate=personas.outside["estate"],
            starts_at=timezone.now(),
            venue="x",
            topics=[accepted_topic(personas, council)],
        )
    assert e.value.code == "bad_estate"


def test_report_closes_topics_and_tracks_outcomes(personas: World) -> None:
    council = make_council(personas)
    staff = personas.users[Role.COMMUNITY_STAFF]
    session = schedule(personas, council, [accepted_topic(personas, council)])
    now = timezone.now()
    motion = motion_create(
        actor=staff,
        estate=personas.inside["estate"],
        title="增设停车位表决",
        question="是否同意？",
        scope_kind="estate",
        opens_at=now + dt.timedelta(days=8),
        closes_at=now + dt.timedelta(days=20),
    )
    with pytest.raises(DomainError) as e:
        s.session_report(
            actor=staff, session=session, summary="议定两项。", outcomes=[s.OutcomeEntry("x", kind="motion")]
        )
    assert e.value.code == "motion_required"
    report = s.session_report(
        actor=staff,
        session=session,
        summary="议定两项。",
        outcomes=[
            s.OutcomeEntry("", kind="motion", motion=motion),
            s.OutcomeEntry("向物业转交停车建议", kind="suggestion"),
        ],
    )
    outcomes = list(report.outcomes.all())
    assert [o.reference for o in outcomes] == ["增设停车位表决", "向物业转交停车建议"]
    assert all(o.status == OutcomeStatus.OPEN for o in outcomes)
    assert list(session.topics.values_list("status", flat=True)) == [TopicStatus.DISCUSSED]
    with pytest.raises(DomainError) as e:
        s.session_report(actor=staff, session=session, summary="again")
    assert e.value.code == "already_reported"
    s.outcome_update(actor=staff, outcome=outcomes[1], status=OutcomeStatus.DONE, note="物业已答复")
    outcomes[1].refresh_from_db()
    assert (outcomes[1].status, outcomes[1].note) == (OutcomeStatus.DONE, "物业已答复")
    with pytest.raises(AccessDeniedError):
        s.outcome_update(actor=personas.users[Role.OWNER], outcome=outcomes[1], status=OutcomeStatus.OPEN)
    assert AuditEntry.objects.filter(action__in=["council_session_report", "council_outcome_update"]).count() == 2


def test_report_waits_for_the_session(personas: World) -> None:
    council = make_council(personas)
    session = schedule(personas, council, [accepted_topic(personas, council)], timezone.now() + dt.timedelta(days=1))
    with pytest.raises(DomainError) as e:
        s.session_report(actor=personas.users[Role.COMMUNITY_STAFF], session=session, summary="x")
    assert e.value.code == "not_held"


def test_an_outcome_links_a_suggestion_of_the_community_and_shows_its_handling(personas: World) -> None:
    from django.test import Client
    from django.urls import reverse

    from gongzhi.suggestions.models import SuggestionCategory
    from gongzhi.suggestions.services import suggestion_submit

    council = make_council(personas)
    staff = personas.users[Role.COMMUNITY_STAFF]
    session = schedule(personas, council, [accepted_topic(personas, council)])
    category = SuggestionCategory.objects.create(
        subdistrict=personas.inside["subdistrict"], name="停车", time_limit_days=5
    )
    ours = suggestion_submit(
        actor=personas.users[Role.OWNER],
        category=category,
        title="夜间停车难",
        text="希望增设临时车位。",
        community=personas.inside["community"],
    )
    outside = suggestion_submit(
        actor=personas.users[Role.OWNER],
        category=SuggestionCategory.objects.create(subdistrict=personas.outside["subdistrict"], name="停车"),
        title="别处的建议",
        text="……",
    )
    with pytest.raises(DomainError) as e:
        s.session_report(
            actor=staff,
            session=session,
            summary="议定一项。",
            outcomes=[s.OutcomeEntry("", kind="suggestion", suggestion=outside)],
        )
    assert e.value.code == "bad_suggestion"
    from gongzhi.councils.models import SessionReport

    assert not SessionReport.objects.filter(session=session).exists()  # nothing half-written
    report = s.session_report(
        actor=staff,
        session=session,
        summary="议定一项。",
        outcomes=[s.OutcomeEntry("", kind="suggestion", suggestion=ours)],
    )
    outcome = report.outcomes.get()
    assert (outcome.suggestion_id, outcome.reference) == (ours.pk, "夜间停车难")
    client = Client()
    client.force_login(staff)
    page = client.get(reverse("council_session", args=[session.pk])).content.decode()
    assert f'id="suggestion-status-{outcome.pk}"' in page
    assert str(ours.get_status_display()) in page
    assert reverse("suggestion_detail", args=[ours.public_id]) in page


def test_the_report_form_links_a_suggestion_by_its_number(personas: World) -> None:
    from django.test import Client
    from django.urls import reverse

    from gongzhi.councils.models import Outcome
    from gongzhi.suggestions.models import SuggestionCategory
    from gongzhi.suggestions.services import suggestion_submit

    council = make_council(personas)
    staff = personas.users[Role.COMMUNITY_STAFF]
    session = schedule(personas, council, [accepted_topic(personas, council)])
    category = SuggestionCategory.objects.create(
        subdistrict=personas.inside["subdistrict"], name="停车", time_limit_days=5
    )
    ours = suggestion_submit(actor=staff, category=category, title="夜间停车难", text="……")
    client = Client()
    client.force_login(staff)
    url = reverse("council_session_report", args=[session.pk])
    missing = client.post(url, {"summary": "议定。", "outcomes": "建议 | 999999"})
    assert missing.status_code == 400
    assert "找不到建议 999999" in missing.content.decode()
    assert not Outcome.objects.exists()
    client.post(url, {"summary": "议定。", "outcomes": f"建议 | {ours.pk}\n其他 | 物业整改"})
    assert [(o.suggestion_id, o.kind) for o in Outcome.objects.order_by("position")] == [
        (ours.pk, "suggestion"),
        (None, "other"),
    ]
