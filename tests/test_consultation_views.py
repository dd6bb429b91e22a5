"""The campaign board and the consultation pages, for each role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.places.models import Role
from gongzhi.renewals import services as s
from gongzhi.renewals.models import Consultation
from tests import factories as f
from tests.test_consultation import setup  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_board_shows_each_entrance_and_links_to_start(setup):  # noqa: F811
    personas, entrance, _offers, _plan, staff = setup
    response = _client(staff).get(reverse("campaign_board", args=[personas.campaign.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert str(entrance) in body
    assert reverse("consultation_create", args=[entrance.pk]) in body
    outsider = f.user_with_role(Role.COMMUNITY_STAFF, community=personas.outside["community"])
    assert _client(outsider).get(reverse("campaign_board", args=[personas.campaign.pk])).status_code == 404


def test_create_and_open_through_the_pages(setup):  # noqa: F811
    personas, entrance, offers, plan, staff = setup
    client = _client(staff)
    url = reverse("consultation_create", args=[entrance.pk])
    assert client.get(url).status_code == 200
    now = timezone.localtime()
    data = {
        "plan": plan.pk,
        "offers": [o.pk for o in offers],
        "opens_at": (now + dt.timedelta(days=8)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + dt.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
    }
    bad = client.post(url, {**data, "offers": [offers[0].pk]})
    assert bad.status_code == 200
    assert "品牌表决至少需要两个报价" in bad.content.decode()
    response = client.post(url, data)
    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("consultation_detail", args=[consultation.pk])
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert reverse("funding_plan_detail", args=[plan.pk]) in detail.content.decode()
    opened = client.post(reverse("consultation_open", args=[consultation.pk]), follow=True)
    assert "名册已冻结" in opened.content.decode()
    consultation.replace_motion.refresh_from_db()
    assert consultation.replace_motion.status == "open"
    board = client.get(reverse("campaign_board", args=[personas.campaign.pk])).content.decode()
    assert "表决中" in board


def test_roles_on_consultation_pages(setup):  # noqa: F811
    personas, entrance, offers, plan, staff = setup
    now = timezone.now()
    c = s.consultation_create(
        actor=staff,
        plan=plan,
        offers=offers,
        opens_at=now + dt.timedelta(days=8),
        closes_at=now + dt.timedelta(days=20),
    )
    detail = reverse("consultation_detail", args=[c.pk])
    assert _client(personas.users[Role.OWNER]).get(detail).status_code == 200
    assert _client(personas.users[Role.PROPERTY_MANAGER]).get(detail).status_code == 200
    assert _client(personas.users[Role.VENDOR]).get(detail).status_code == 404  # vendors see no votes
    assert (
        _client(personas.users[Role.PROPERTY_MANAGER]).post(reverse("consultation_open", args=[c.pk])).status_code
        == 403
    )
    assert (
        _client(personas.users[Role.OWNER]).get(reverse("consultation_create", args=[entrance.pk])).status_code == 404
    )


def test_a_drafts_rule_can_be_changed_but_not_below_the_law(setup):  # noqa: F811
    personas, _entrance, offers, plan, staff = setup
    now = timezone.now()
    c = s.consultation_create(
        actor=staff,
        plan=plan,
        offers=offers,
        opens_at=now + dt.timedelta(days=8),
        closes_at=now + dt.timedelta(days=20),
    )
    client = _client(staff)
    url = reverse("motion_rule", args=[c.funding_motion.pk])
    assert "修改表决规则" in client.get(reverse("motion_detail", args=[c.funding_motion.pk])).content.decode()
    client.post(url, {"rule": "civil-code-ordinary"})
    c.funding_motion.refresh_from_db()
    assert c.funding_motion.rule_preset == "civil-code-ordinary"
    custom = {
        "rule": "custom",
        "participation_area": ">=1/2",
        "participation_owners": ">=2/3",
        "approval_area": ">1/2",
        "approval_owners": ">1/2",
    }
    refused = client.post(url, custom, follow=True).content.decode()
    assert "不能低于" in refused
    c.funding_motion.refresh_from_db()
    assert c.funding_motion.participation_area == ">=2/3"
    owner = _client(personas.users[Role.OWNER])
    assert owner.post(url, {"rule": "civil-code-special"}).status_code == 403
    s.consultation_open(actor=staff, consultation=c, now=now)
    after = client.post(url, {"rule": "civil-code-special"}, follow=True).content.decode()
    assert "公告后不能再修改表决规则" in after


def test_fund_balance_page(setup):  # noqa: F811
    personas, entrance, _offers, _plan, staff = setup
    client = _client(staff)
    url = reverse("fund_balance", args=[entrance.pk])
    assert "尚未登记" in client.get(url).content.decode()
    response = client.post(url, {"balance": "52000.00", "as_of": "2025-02-01", "source": "对账单"})
    assert response.status_code == 302
    assert "52000.00" in client.get(url).content.decode()
    assert entrance.fund_balances.get().balance == 52000
    assert _client(personas.users[Role.OWNER]).get(url).status_code == 404
    assert _client(personas.users[Role.PROPERTY_MANAGER]).get(url).status_code == 404
