"""The yearly awards (talent.awards.services, talent.awards.views): nominating, the refusals, the decision
with its honours, the list of awardees (everyone with access, names only; also printable), and the
permission table of every page and POST."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.core.errors import AccessDeniedError, DomainError
from gongzhi.talent.awards import services as svc
from gongzhi.talent.models import AwardDecision, AwardNomination, AwardNominationStatus, Honour
from tests.talent_support import TalentWorld

pytestmark = pytest.mark.django_db
ROLES = (
    "admin",
    "other_admin",
    "cadre",
    "organisation_a",
    "organisation_b",
    "instructor",
    "outsider",
    "anonymous",
    "superuser",
)
TODAY = dt.date(2025, 12, 31)


def client_for(tw: TalentWorld, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(tw.users[role])
    return client


def nominate(
    tw: TalentWorld, role: str, cadre: str, kind: str = "trainee", reason: str = "学习认真"
) -> AwardNomination:
    return svc.award_nominate(
        actor=tw.users[role], pool=tw.pool, year=2025, kind=kind, cadre=tw.cadres[cadre], reason=reason
    )


def decide(tw: TalentWorld, selected: list[AwardNomination], **kw: Any) -> AwardDecision:
    args: dict[str, Any] = {
        "actor": tw.users["admin"],
        "pool": tw.pool,
        "year": 2025,
        "kind": "trainee",
        "decided_on": dt.date(2025, 12, 18),
        "basis": "2025 年 12 月 18 日工委会议研究决定",
        "today": TODAY,
    }
    return svc.award_decide(**(args | kw), selected=selected)


def test_nominations_who_for_whom(talent_world: TalentWorld) -> None:
    tw = talent_world
    mine = nominate(tw, "organisation_a", "self")
    assert mine.organisation == tw.organisations["a"]
    assert mine.status == AwardNominationStatus.PENDING
    with pytest.raises(AccessDeniedError):
        nominate(tw, "organisation_a", "other")  # organisation B's member
    with pytest.raises(AccessDeniedError):
        nominate(tw, "cadre", "self")
    with pytest.raises(DomainError, match="张晓明 已被推荐参评 2025 年度优秀学员"):
        nominate(tw, "admin", "self")
    with pytest.raises(DomainError, match="只能推荐本人才库的在库干部"):
        nominate(tw, "admin", "nominee")  # a candidate, not a member
    with pytest.raises(DomainError, match="请填写推荐理由"):
        nominate(tw, "admin", "other", reason="  ")
    with pytest.raises(DomainError, match="奖项无效"):
        nominate(tw, "admin", "other", kind="best")
    nominate(tw, "admin", "self", kind="writer")  # another award, same year: fine
    nominate(tw, "admin", "other")
    assert AwardNomination.objects.count() == 3


def test_the_decision_awards_the_selected_and_adds_honours(talent_world: TalentWorld) -> None:
    tw = talent_world
    a = nominate(tw, "organisation_a", "self")
    b = nominate(tw, "admin", "other")
    writer = nominate(tw, "admin", "other", kind="writer")
    with pytest.raises(DomainError, match="请填写决定依据"):
        decide(tw, [a], basis=" ")
    with pytest.raises(DomainError, match="请至少选择一名当选人员"):
        decide(tw, [])
    with pytest.raises(DomainError, match="不在本奖项本年度的推荐名单中"):
        decide(tw, [writer])
    with pytest.raises(DomainError, match="决定日期不能晚于今天"):
        decide(tw, [a], decided_on=dt.date(2026, 1, 1))
    with pytest.raises(AccessDeniedError):
        decide(tw, [a], actor=tw.users["organisation_a"])
    assert not AwardDecision.objects.exists()
    decision = decide(tw, [a])
    a.refresh_from_db()
    b.refresh_from_db()
    writer.refresh_from_db()
    assert (a.status, a.decision) == (AwardNominationStatus.AWARDED, decision)
    assert (b.status, b.decision) == (AwardNominationStatus.NOT_AWARDED, decision)
    assert writer.status == AwardNominationStatus.PENDING  # another award: untouched
    honour = Honour.objects.get()
    assert (honour.cadre, honour.title, honour.awarded_on) == (
        tw.cadres["self"],
        "2025 年度优秀学员",
        dt.date(2025, 12, 18),
    )
    assert honour.awarded_by == tw.pool.name
    with pytest.raises(DomainError, match="已有评选决定"):
        decide(tw, [b])
    with pytest.raises(DomainError, match="已评选决定，不再接受推荐"):
        nominate(tw, "admin", "other", kind="trainee", reason="补报")
    results = {r.kind: r.awardees for r in svc.awardees(tw.pool, 2025)}
    assert results == {"lecturer": [], "writer": [], "trainee": ["张晓明"]}


def test_the_pages_show_awardees_to_everyone_and_reasons_to_nominators(talent_world: TalentWorld) -> None:
    tw = talent_world
    admin = client_for(tw, "admin")
    url = reverse("talent_award_nominate", args=[tw.pool.pk]) + "?year=2025"
    r = admin.post(url, {"kind": "trainee", "cadre": tw.cadres["self"].pk, "reason": ""})
    assert r.status_code == 400
    r = admin.post(url, {"kind": "trainee", "cadre": tw.cadres["self"].pk, "reason": "学风扎实"})
    assert r.status_code == 303
    r = admin.post(url, {"kind": "trainee", "cadre": tw.cadres["self"].pk, "reason": "再报"})
    assert r.status_code == 400
    assert "已被推荐参评" in r.content.decode()
    nomination = AwardNomination.objects.get()
    decide_url = reverse("talent_award_decide", args=[tw.pool.pk]) + "?year=2025&kind=trainee"
    assert "学风扎实" in admin.get(decide_url).content.decode()
    r = admin.post(decide_url, {"decided_on": "2025-12-18", "basis": "工委会议研究决定", "selected": [nomination.pk]})
    assert r.status_code == 303
    list_url = reverse("talent_awards", args=[tw.pool.pk]) + "?year=2025"
    for role in ("cadre", "organisation_b"):
        page = client_for(tw, role).get(list_url).content.decode()
        assert "张晓明" in page
        assert "学风扎实" not in page  # names only
    assert (
        "学风扎实" in client_for(tw, "organisation_a").get(list_url).content.decode()
    )  # their own organisation's nomination
    printed = client_for(tw, "cadre").get(reverse("talent_awards_print", args=[tw.pool.pk]) + "?year=2025")
    assert "张晓明" in printed.content.decode()
    assert "工委会议研究决定" in printed.content.decode()
    assert admin.get(decide_url).status_code == 303  # decided already


OK, LOGIN, FORBIDDEN, MISSING, BAD = 200, 302, 403, 404, 400
TABLE: dict[str, tuple[int, ...]] = {
    "GET talent_awards": (OK, MISSING, OK, OK, OK, MISSING, MISSING, LOGIN, OK),
    "GET talent_awards_print": (OK, MISSING, OK, OK, OK, MISSING, MISSING, LOGIN, OK),
    "GET talent_award_nominate": (OK, MISSING, FORBIDDEN, OK, OK, MISSING, MISSING, LOGIN, OK),
    "POST talent_award_nominate": (BAD, MISSING, FORBIDDEN, BAD, BAD, MISSING, MISSING, LOGIN, BAD),
    "GET talent_award_decide": (OK, MISSING, FORBIDDEN, FORBIDDEN, FORBIDDEN, MISSING, MISSING, LOGIN, OK),
    "POST talent_award_decide": (BAD, MISSING, FORBIDDEN, FORBIDDEN, FORBIDDEN, MISSING, MISSING, LOGIN, BAD),
}


@pytest.mark.parametrize("key", list(TABLE))
@pytest.mark.parametrize("role", ROLES)
def test_permission_table(talent_world: TalentWorld, key: str, role: str) -> None:
    method, name = key.split(" ")
    url = reverse(name, args=[talent_world.pool.pk]) + "?year=2025&kind=trainee"
    client = client_for(talent_world, role)
    response = client.get(url) if method == "GET" else client.post(url, {})
    assert response.status_code == TABLE[key][ROLES.index(role)]


def test_a_bad_year_is_not_found(talent_world: TalentWorld) -> None:
    client = client_for(talent_world, "admin")
    assert client.get(reverse("talent_awards", args=[talent_world.pool.pk]) + "?year=abc").status_code == 404
    assert client.get(reverse("talent_awards", args=[talent_world.pool.pk]) + "?year=1800").status_code == 404


@pytest.mark.parametrize("n", [3, 30])
def test_awards_page_query_count_is_flat(talent_world: TalentWorld, n: int, django_assert_max_num_queries: Any) -> None:
    from tests.talent_support import make_cadre

    tw = talent_world
    for i in range(n):
        cadre = make_cadre(tw.pool, tw.organisations["a"], f"学员{i:02d}", member=True)
        svc.award_nominate(actor=tw.users["admin"], pool=tw.pool, year=2025, kind="trainee", cadre=cadre, reason="好")
    client = client_for(tw, "admin")
    url = reverse("talent_awards", args=[tw.pool.pk]) + "?year=2025"
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
