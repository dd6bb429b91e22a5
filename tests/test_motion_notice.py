"""The public result notice (motions.views_notice) and the workbook of ballots (motions.exports)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.motions import services as s
from gongzhi.motions.models import Motion, MotionResult
from gongzhi.places.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db

OWNER_NAMES = ("王芳", "李强", "赵敏", "陈刚", "某置业有限公司")
CHOICE_CODES = {"同意": "for", "反对": "against", "弃权": "abstain"}
CHANNEL_CODES = {"线上": "online", "纸质": "paper", "委托": "proxy"}


def cast(voter: Any, choice: str, key: str) -> None:
    token = s.voter_session_issue(voter=voter)
    s.ballot_cast_online(session_token=token, choice=choice, request_key=key)


def close(mw: Any) -> MotionResult:
    return s.motion_close(actor=mw.staff, motion=mw.motion, now=mw.motion.closes_at + dt.timedelta(seconds=1))


@pytest.fixture
def passed(motion_world: Any) -> Any:
    """Wang 140 for, Chen 100 for, Li & Zhao 90 for, developer 140 against: 470/520 m² and 4/5
    heads take part (≥ 2/3); 330/470 m² and 3/4 heads agree (> 1/2): passed."""
    v = motion_world.voters
    cast(v["wang"], "for", "a")
    cast(v["chen"], "for", "b")
    cast(v["li_zhao"], "for", "c")
    cast(v["developer"], "against", "d")
    Motion.objects.filter(pk=motion_world.motion.pk).update(objection_days=7)
    motion_world.motion.refresh_from_db()
    motion_world.result = close(motion_world)
    return motion_world


def notice_url(motion: Motion) -> str:
    return reverse("motion_notice", args=[motion.public_id])


# --- the notice -------------------------------------------------------------------------------------


def test_notice_is_404_until_closed(motion_world):
    assert Client().get(notice_url(motion_world.motion)).status_code == 404


def test_notice_of_a_cancelled_motion_is_404(motion_world):
    s.motion_cancel(actor=motion_world.staff, motion=motion_world.motion, reason="撤回")
    assert Client().get(notice_url(motion_world.motion)).status_code == 404


def test_notice_after_closing_shows_the_result(passed):
    response = Client().get(notice_url(passed.motion))  # no login
    assert response.status_code == 200
    html = response.content.decode()
    assert "表决结果公告" in html
    assert "亲亲家园" in html
    assert passed.motion.question in html
    assert "亲亲家园1幢2单元全体业主" in html
    assert "<strong>通过</strong>" in html
    assert "未通过" not in html
    for figure in ("520.00", "470.00", "330.00", "140.00", "90.38%", "80.00%", "70.21%", "75.00%"):
        assert figure in html, figure
    assert "第二百七十八条" in html
    assert "第一千二百五十九条" in html
    assert passed.result.ballots_sha256 in html
    assert "异议期至" in html
    assert "<svg" in html
    assert f"http://testserver{notice_url(passed.motion)}" in html
    assert "print.css" in html


def test_notice_contains_no_personal_data(passed):
    html = Client().get(notice_url(passed.motion)).content.decode()
    for name in OWNER_NAMES:
        assert name not in html
    assert "1380000" not in html
    for room in ("2单元101", "2单元202", "2单元401"):
        assert room not in html


def test_notice_of_a_failed_motion(motion_world):
    v = motion_world.voters
    cast(v["wang"], "for", "a")
    cast(v["chen"], "against", "b")
    result = close(motion_world)
    assert not result.passed
    html = Client().get(notice_url(motion_world.motion)).content.decode()
    assert "<strong>未通过</strong>" in html
    assert "未达到门槛" in html  # 240/520 m² and 2/5 heads are short of two thirds
    assert "异议期至" not in html  # no objection window was set


def test_notice_of_a_custom_rule_shows_its_thresholds(motion_world):
    Motion.objects.filter(pk=motion_world.motion.pk).update(
        rule_preset="",
        participation_area=">=3/5",
        participation_owners=">=3/5",
        approval_area=">2/3",
        approval_owners=">=1/2",
    )
    motion_world.motion.refresh_from_db()
    close(motion_world)
    html = Client().get(notice_url(motion_world.motion)).content.decode()
    assert "&gt;=3/5" in html
    assert "&gt;2/3" in html
    assert "&gt;=1/2" in html
    assert "五分之三以上" in html
    assert "超过三分之二" in html
    assert "二分之一以上" in html
    assert "自定义门槛" in html


def test_notice_query_count(passed, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert Client().get(notice_url(passed.motion)).status_code == 200


def test_notice_closes_an_overdue_motion_lazily(motion_world):
    Motion.objects.filter(pk=motion_world.motion.pk).update(
        opens_at=motion_world.now - dt.timedelta(days=12), closes_at=motion_world.now - dt.timedelta(minutes=1)
    )
    assert Client().get(notice_url(motion_world.motion)).status_code == 200
    assert MotionResult.objects.filter(motion=motion_world.motion).exists()


# --- the workbook -----------------------------------------------------------------------------------


def export(client: Client, motion: Motion) -> Any:
    return client.get(reverse("motion_ballots_export", args=[motion.pk]))


def rows_of(content: bytes) -> tuple[Any, list[tuple[Any, ...]]]:
    wb = load_workbook(io.BytesIO(content))
    details = wb["表决明细"]
    return wb, list(details.iter_rows(min_row=4, values_only=True))


def test_workbook_rows(passed):
    client = Client()
    client.force_login(passed.staff)
    response = export(client, passed.motion)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    wb, rows = rows_of(response.content)
    assert wb.sheetnames == ["表决明细", "计票结果"]
    details = wb["表决明细"]
    assert details.freeze_panes == "A4"
    assert details.page_setup.orientation == "landscape"
    assert str(details.page_setup.paperSize) == "9"
    header = next(details.iter_rows(min_row=3, max_row=3, values_only=True))
    assert header[:7] == ("名册编号", "楼栋", "单元", "室号", "建筑面积(m²)", "表决票编号", "业主")
    assert len(rows) == 7  # one per apartment
    by_room = {r[3]: r for r in rows}
    assert by_room["101"][6] == "王芳"
    assert by_room["101"][7] == "是"
    assert by_room["101"][8] == "同意"
    assert by_room["102"][8] == "同意"
    assert by_room["102"][5] == 1
    assert by_room["301"][8] == "反对"
    assert by_room["302"][8] == "反对"
    assert by_room["401"][7] == "否"
    assert by_room["401"][8] in ("", None)
    assert by_room["101"][9] == "线上"
    assert by_room["101"][10] == 1
    assert isinstance(by_room["101"][11], dt.datetime)
    summary = [c for row in wb["计票结果"].iter_rows(values_only=True) for c in row if c is not None]
    assert passed.result.ballots_sha256 in summary
    assert "通过" in summary


def test_workbook_rows_reproduce_the_published_digest(passed):
    """The notice's digest can be recomputed from an open workbook (the recipe of sheet 计票结果)."""
    client = Client()
    client.force_login(passed.staff)
    _wb, rows = rows_of(export(client, passed.motion).content)
    lines = [
        f"{r[0]}|{CHOICE_CODES[r[8]]}|{CHANNEL_CODES[r[9]]}|{r[10]}\n"
        for r in sorted(rows, key=lambda r: r[0])
        if r[7] == "是"
    ]
    assert hashlib.sha256("".join(lines).encode()).hexdigest() == passed.result.ballots_sha256


def test_anonymous_workbook_hides_names_and_choices(motion_world):
    Motion.objects.filter(pk=motion_world.motion.pk).update(anonymous=True)
    motion_world.motion.refresh_from_db()
    cast(motion_world.voters["wang"], "against", "x")
    close(motion_world)
    client = Client()
    client.force_login(motion_world.staff)
    content = export(client, motion_world.motion).content
    _wb, rows = rows_of(content)
    assert len(rows) == 7
    assert {r[6] for r in rows} == {"—"}
    by_room = {r[3]: r for r in rows}
    assert by_room["101"][7] == "是"
    assert by_room["101"][8] == "—"
    assert by_room["202"][7] == "否"
    cells = {c for r in rows for c in r}
    assert not cells & {"反对", "同意", "弃权", *OWNER_NAMES}


def test_workbook_only_once_closed_and_for_view_voters(motion_world):
    w = motion_world
    client = Client()
    client.force_login(w.staff)
    assert export(client, w.motion).status_code == 404  # still open
    close(w)
    assert export(client, w.motion).status_code == 200
    client.force_login(w.world.users[Role.PROPERTY_MANAGER])  # VIEW_VOTERS: may
    assert export(client, w.motion).status_code == 200
    client.force_login(w.world.users[Role.OWNER])  # sees the motion, not the voters
    assert export(client, w.motion).status_code == 403
    client.force_login(f.user_with_role(Role.COMMUNITY_STAFF, community=w.world.outside["community"]))
    assert export(client, w.motion).status_code == 404
    client.logout()
    assert export(client, w.motion).status_code == 302


def test_workbook_query_count_is_flat(passed, django_assert_max_num_queries):
    client = Client()
    client.force_login(passed.staff)
    with django_assert_max_num_queries(10):
        assert export(client, passed.motion).status_code == 200


def test_notice_figures_match_the_frozen_outcome(passed):
    html = Client().get(notice_url(passed.motion)).content.decode()
    outcome = passed.result.outcome
    for key in ("total", "participating", "for", "against", "abstain"):
        assert outcome[key]["area"] in html
    assert re.search(r"<td class=\"num\">4</td>", html)  # participating heads
