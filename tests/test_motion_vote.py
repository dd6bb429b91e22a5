"""The owner's voting page (/v/<token>/) and the printable ballot sheets (motions.views_vote)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from gongzhi.motions import codes
from gongzhi.motions import services as s
from gongzhi.motions.models import BallotVersion, Motion, Voter
from gongzhi.motions.views_vote import SESSION_KEY, parse_numbers
from gongzhi.places.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db

OTHER_OWNERS = ("王芳", "李强", "赵敏", "陈刚", "某置业有限公司")


@pytest.fixture(autouse=True)
def memory_sender(settings: Any) -> list[codes.SentMessage]:
    settings.GONGZHI_CODE_SENDER = "gongzhi.motions.codes.MemorySender"
    codes.MemorySender.outbox.clear()
    return codes.MemorySender.outbox


def link(voter: Voter) -> str:
    return reverse("vote_link", args=[codes.voter_token(voter.pk, str(voter.motion.public_id))])


def token_of(voter: Voter) -> str:
    return codes.voter_token(voter.pk, str(voter.motion.public_id))


def sent_code(outbox: list[codes.SentMessage]) -> str:
    match = re.search(r"\b(\d{6})\b", outbox[-1].message)
    assert match, outbox[-1].message
    return match.group(1)


def verify(client: Client, voter: Voter, outbox: list[codes.SentMessage]) -> None:
    """Steps 1 and 2 through the pages: request a code, type it in."""
    token = token_of(voter)
    client.post(reverse("vote_code_send", args=[token]))
    response = client.post(reverse("vote_code_confirm", args=[token]), {"code": sent_code(outbox)})
    assert response.status_code == 302
    assert str(voter.pk) in client.session[SESSION_KEY]


def request_key(html: str) -> str:
    match = re.search(r'name="request_key" value="([0-9a-f]{32})"', html)
    assert match, "the choice form carries a fresh request_key"
    return match.group(1)


def test_full_voting_flow_through_the_pages(motion_world, memory_sender):
    wang = motion_world.voters["wang"]
    token = token_of(wang)
    client = Client()

    page = client.get(link(wang))
    html = page.content.decode()
    assert page.status_code == 200
    assert motion_world.motion.title in html
    assert motion_world.motion.question in html
    assert "138****0001" in html
    assert "13800000001" not in html
    assert "2单元101" in html
    assert "2单元102" in html
    assert "140.00" in html
    assert "获取验证码" in html
    assert 'name="choice"' not in html
    assert "过半数" in html
    assert "三分之二以上" in html

    # Step 1: the code goes to the phone on record.
    response = client.post(reverse("vote_code_send", args=[token]), follow=True)
    assert [m.phone for m in memory_sender] == ["13800000001"]
    html = response.content.decode()
    assert "验证码已发送至 138****0001" in html
    assert 'autocomplete="one-time-code"' in html
    assert 'inputmode="numeric"' in html

    # Step 2: a wrong code is refused, the right one accepted.
    code = sent_code(memory_sender)
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(reverse("vote_code_confirm", args=[token]), {"code": wrong}, follow=True)
    assert "验证码不正确" in response.content.decode()
    assert SESSION_KEY not in client.session or str(wang.pk) not in client.session[SESSION_KEY]
    response = client.post(reverse("vote_code_confirm", args=[token]), {"code": code}, follow=True)
    assert str(wang.pk) in client.session[SESSION_KEY]
    html = response.content.decode()
    assert html.count('name="choice"') == 3

    # Step 3: vote.
    key = request_key(html)
    done = client.post(reverse("vote_cast", args=[token]), {"choice": "for", "request_key": key})
    assert done.status_code == 200
    html = done.content.decode()
    assert "表决已记录" in html
    assert "第 1 版" in html
    assert "您可在截止前修改" in html
    assert html.count('name="choice"') == 3  # the form again
    wang.refresh_from_db()
    assert (wang.choice, wang.version) == ("for", 1)

    # Change the vote: version 2.
    key2 = request_key(html)
    assert key2 != key
    changed = client.post(reverse("vote_cast", args=[token]), {"choice": "against", "request_key": key2})
    assert "第 2 版" in changed.content.decode()
    wang.refresh_from_db()
    assert (wang.choice, wang.version) == ("against", 2)

    # A retried submission (same request_key) adds no version.
    retry = client.post(reverse("vote_cast", args=[token]), {"choice": "against", "request_key": key2})
    assert "此前已记录" in retry.content.decode()
    assert BallotVersion.objects.filter(voter=wang).count() == 2

    # Coming back later: the current choice and version come first.
    html = client.get(link(wang)).content.decode()
    assert "您当前的选择" in html
    assert "第 2 版" in html
    assert "反对" in html


def test_unknown_token_is_404(motion_world):
    client = Client()
    assert client.get(reverse("vote_link", args=["0" * 32])).status_code == 404
    assert client.post(reverse("vote_code_send", args=["0" * 32])).status_code == 404
    assert client.post(reverse("vote_cast", args=["nope"]), {"choice": "for", "request_key": "k"}).status_code == 404


def test_casting_without_confirmed_code_is_refused(motion_world):
    wang = motion_world.voters["wang"]
    response = Client().post(
        reverse("vote_cast", args=[token_of(wang)]), {"choice": "for", "request_key": "a" * 32}, follow=True
    )
    assert "请重新获取验证码" in response.content.decode()
    assert not BallotVersion.objects.filter(voter=wang).exists()


def test_one_voters_session_does_not_vote_for_another(motion_world, memory_sender):
    w = motion_world
    client = Client()
    verify(client, w.voters["wang"], memory_sender)
    chen = w.voters["chen"]
    response = client.post(
        reverse("vote_cast", args=[token_of(chen)]), {"choice": "for", "request_key": "b" * 32}, follow=True
    )
    assert "请重新获取验证码" in response.content.decode()
    assert not BallotVersion.objects.filter(voter=chen).exists()


def test_closed_motion_refuses(motion_world, memory_sender):
    w = motion_world
    wang = w.voters["wang"]
    client = Client()
    verify(client, wang, memory_sender)
    html = client.get(link(wang)).content.decode()
    key = request_key(html)
    now = timezone.now()
    Motion.objects.filter(pk=w.motion.pk).update(opens_at=now - dt.timedelta(days=12), closes_at=now)
    response = client.post(
        reverse("vote_cast", args=[token_of(wang)]), {"choice": "for", "request_key": key}, follow=True
    )
    html = response.content.decode()
    assert "表决已截止。" in html
    assert not BallotVersion.objects.filter(voter=wang).exists()
    # The page itself closed the overdue motion lazily and links the notice.
    w.motion.refresh_from_db()
    assert w.motion.status == "closed"
    assert reverse("motion_notice", args=[w.motion.public_id]) in html
    assert 'name="choice"' not in html
    assert "获取验证码" not in html
    sent = len(memory_sender)
    response = client.post(reverse("vote_code_send", args=[token_of(wang)]), follow=True)
    assert "表决已截止" in response.content.decode()
    assert len(memory_sender) == sent


def test_cancelled_and_not_yet_open_motions_say_so(motion_world):
    w = motion_world
    wang = w.voters["wang"]
    Motion.objects.filter(pk=w.motion.pk).update(
        opens_at=timezone.now() + dt.timedelta(days=1), closes_at=timezone.now() + dt.timedelta(days=11)
    )
    html = Client().get(link(wang)).content.decode()
    assert "表决尚未开始" in html
    assert "获取验证码" not in html
    s.motion_cancel(actor=w.staff, motion=w.motion, reason="重新组织")
    html = Client().get(link(wang)).content.decode()
    assert "本表决已撤销" in html
    assert "获取验证码" not in html


def test_no_phone_on_record_points_to_paper(motion_world, memory_sender):
    developer = motion_world.voters["developer"]
    client = Client()
    html = client.get(link(developer)).content.decode()
    assert "纸质表决票" in html
    assert "获取验证码" not in html
    response = client.post(reverse("vote_code_send", args=[token_of(developer)]), follow=True)
    assert "没有您的手机号" in response.content.decode()
    assert memory_sender == []


def test_page_never_shows_other_owners_data(motion_world, memory_sender):
    w = motion_world
    s.voter_session_issue(voter=w.voters["chen"])
    token = s.voter_session_issue(voter=w.voters["chen"])
    s.ballot_cast_online(session_token=token, choice="against", request_key="chen-1")
    client = Client()
    verify(client, w.voters["li_zhao"], memory_sender)
    html = client.get(link(w.voters["li_zhao"])).content.decode()
    for name in OTHER_OWNERS:
        assert name not in html
    for phone in ("13800000001", "13800000003", "138****0001", "138****0003"):
        assert phone not in html
    assert "2单元201" in html
    for room in ("2单元101", "2单元102", "2单元202", "2单元301", "2单元401"):
        assert room not in html
    assert "您当前的选择" not in html  # li_zhao has not voted; Chen's choice is nowhere


def test_unverified_visitor_does_not_see_the_choice(motion_world):
    wang = motion_world.voters["wang"]
    token = s.voter_session_issue(voter=wang)
    s.ballot_cast_online(session_token=token, choice="against", request_key="w-1")
    html = Client().get(link(wang)).content.decode()
    assert "已有表决记录" in html
    assert "第 1 版" in html
    assert "您当前的选择" not in html
    assert "反对" not in html


def test_vote_page_query_count(motion_world, memory_sender, django_assert_max_num_queries):
    client = Client()
    verify(client, motion_world.voters["wang"], memory_sender)
    with django_assert_max_num_queries(7):
        assert client.get(link(motion_world.voters["wang"])).status_code == 200


# --- printable sheets -----------------------------------------------------------------------------


def sheet_tokens(html: str) -> list[str]:
    return re.findall(r"http://testserver(/v/[0-9a-f]{32}/)", html)


def test_sheets_as_staff(motion_world):
    w = motion_world
    client = Client()
    client.force_login(w.staff)
    response = client.get(reverse("motion_sheets", args=[w.motion.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="sheet"') == 5
    assert html.count("<svg") == 5
    assert "print.css" in html
    assert "王芳" in html
    assert "李强、赵敏" in html
    paths = sheet_tokens(html)
    assert len(paths) == 5
    for number, path in enumerate(paths, start=1):
        match = resolve(path)
        assert match.url_name == "vote_link"
        assert s.voter_for_link(match.kwargs["token"]).number == number
    assert "同意" in html
    assert "业主签名" in html
    assert "纸质表决票请于" in html


def test_sheets_filters(motion_world):
    w = motion_world
    s.paper_request(actor=w.staff, voter=w.voters["chen"])
    client = Client()
    client.force_login(w.staff)
    url = reverse("motion_sheets", args=[w.motion.pk])
    html = client.get(url, {"only": "paper"}).content.decode()
    assert html.count('class="sheet"') == 1
    assert 'id="sheet-3"' in html
    html = client.get(url, {"numbers": "2-3"}).content.decode()
    assert html.count('class="sheet"') == 2
    assert 'id="sheet-2"' in html
    assert 'id="sheet-4"' not in html
    html = client.get(url, {"numbers": "abc"}).content.decode()
    assert "编号范围" in html
    assert html.count('class="sheet"') == 5


def test_sheets_use_public_url_when_set(motion_world, settings):
    settings.GONGZHI_PUBLIC_URL = "https://gongzhi.example.cn/"
    client = Client()
    client.force_login(motion_world.staff)
    html = client.get(reverse("motion_sheets", args=[motion_world.motion.pk])).content.decode()
    assert html.count("https://gongzhi.example.cn/v/") == 5


def test_sheets_permissions(motion_world):
    w = motion_world
    url = reverse("motion_sheets", args=[w.motion.pk])
    client = Client()
    assert client.get(url).status_code == 302  # login first
    client.force_login(w.world.users[Role.PROPERTY_MANAGER])
    assert client.get(url).status_code == 403
    other = f.user_with_role(Role.COMMUNITY_STAFF, community=w.world.outside["community"])
    client.force_login(other)
    assert client.get(url).status_code == 404


def _big_motion(personas: Any, staff: Any, n: int) -> Motion:
    inside = personas.inside
    entrance = f.EntranceFactory(building=inside["building"], name=f"{n}单元")
    for i in range(n):
        apt = f.ApartmentFactory(entrance=entrance, room=f"{i + 1:03d}", floor=1 + i // 4, area="88.00")
        f.OwnershipFactory(owner=f.OwnerFactory(name=f"业主{i}", phone=f"139{i:08d}"), apartment=apt)
    opens = timezone.now() - dt.timedelta(days=1)
    motion = s.motion_create(
        actor=staff,
        estate=inside["estate"],
        title="大表决",
        question="是否同意？",
        scope_kind="entrance",
        scope_entrance=entrance,
        opens_at=opens,
        closes_at=opens + dt.timedelta(days=11),
    )
    return s.motion_open(actor=staff, motion=motion, now=opens - dt.timedelta(days=8))


def test_sheets_query_count_is_flat(motion_world, django_assert_max_num_queries):
    w = motion_world
    big = _big_motion(w.world, w.staff, 40)
    client = Client()
    client.force_login(w.staff)
    with django_assert_max_num_queries(8):
        small_page = client.get(reverse("motion_sheets", args=[w.motion.pk]))
    with django_assert_max_num_queries(8):
        big_page = client.get(reverse("motion_sheets", args=[big.pk]))
    assert small_page.content.decode().count('class="sheet"') == 5
    assert big_page.content.decode().count('class="sheet"') == 40


def test_parse_numbers():
    assert parse_numbers("1-20") == (1, 20)
    assert parse_numbers(" 7 ") == (7, 7)
    assert parse_numbers("3–5") == (3, 5)
    assert parse_numbers("5-3") is None
    assert parse_numbers("0") is None
    assert parse_numbers("a-b") is None


def test_sheets_are_paginated_in_chunks(motion_world, monkeypatch):
    from gongzhi.motions import views_vote

    monkeypatch.setattr(views_vote, "SHEETS_PER_PAGE", 2)
    client = Client()
    client.force_login(motion_world.staff)
    html = client.get(reverse("motion_sheets", args=[motion_world.motion.pk]), {"page": 2}).content.decode()
    assert html.count('class="sheet"') == 2
    assert 'id="sheet-3"' in html
    assert 'id="sheet-1"' not in html
    assert "第 2 / 3 批" in html
