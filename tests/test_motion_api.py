"""The motions API (motions.api): every endpoint for roles allowed and refused, paging, the
voter's flow over bearer tokens (code → session → ballot), idempotent retries, and query counts."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.motions import services as s
from gongzhi.motions.codes import MemorySender, voter_token
from gongzhi.motions.models import BallotVersion, Motion, MotionStatus, PaperEntry, Voter
from gongzhi.places.models import Role
from tests import factories as f
from tests.conftest import ROLES

pytestmark = pytest.mark.django_db

CSRF = "abcdefghijklmnopqrstuvwxyzABCDEF"

# Who sees the motion (view_motion), who sees its voters (view_voters), who keys paper (enter_ballots).
SEE_MOTION = {r for r in ROLES if r != Role.VENDOR}
SEE_VOTERS = {
    Role.SUBDISTRICT_STAFF,
    Role.COMMUNITY_STAFF,
    Role.OWNERS_COMMITTEE,
    Role.PROPERTY_MANAGER,
    Role.SUPERVISOR,
}
ENTER_PAPER = {Role.SUBDISTRICT_STAFF, Role.COMMUNITY_STAFF, Role.OWNERS_COMMITTEE}


def client_for(user: Any) -> Client:
    c = Client(enforce_csrf_checks=True)
    c.force_login(user)
    c.cookies["csrftoken"] = CSRF
    return c


def post(c: Client, url: str, body: dict[str, Any], **headers: str) -> Any:
    return c.post(url, body, content_type="application/json", headers={"X-CSRFToken": CSRF, **headers})


def outsider(motion_world: Any) -> Any:
    """Community staff of another district: the motion is outside their scope."""
    return f.user_with_role(Role.COMMUNITY_STAFF, community=motion_world.world.outside["community"])


def cast(voter: Voter, choice: str, key: str, now: dt.datetime) -> None:
    token = s.voter_session_issue(voter=voter, now=now)
    s.ballot_cast_online(session_token=token, choice=choice, request_key=key, now=now)


def close(motion_world: Any) -> Motion:
    """Move the closing time into the past and close: the result is frozen and published."""
    w = motion_world
    Motion.objects.filter(pk=w.motion.pk).update(closes_at=w.now - dt.timedelta(minutes=1))
    s.motion_close(actor=w.staff, motion=Motion.objects.get(pk=w.motion.pk), now=w.now)
    return Motion.objects.get(pk=w.motion.pk)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def memory_sender(settings: Any) -> list[Any]:
    settings.GONGZHI_CODE_SENDER = "gongzhi.motions.codes.MemorySender"
    MemorySender.outbox.clear()
    return MemorySender.outbox


# ---- the list and one motion --------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_motion_list_by_role(motion_world: Any, role: str, django_assert_max_num_queries: Any) -> None:
    c = client_for(motion_world.world.users[role])
    with django_assert_max_num_queries(8):
        response = c.get("/api/motions")
    assert response.status_code == 200
    ids = [m["id"] for m in response.json()["items"]]
    assert ids == ([motion_world.motion.id] if role in SEE_MOTION else [])


def test_motion_list_hides_other_communities(motion_world: Any) -> None:
    data = client_for(outsider(motion_world)).get("/api/motions").json()
    assert data == {"count": 0, "items": []}


def test_motion_list_filters_pages_and_queries_stay_flat(motion_world: Any, django_assert_max_num_queries: Any) -> None:
    w = motion_world
    estate = w.world.inside["estate"]
    for i in range(6):
        s.motion_create(
            actor=w.staff,
            estate=estate,
            title=f"草稿{i}",
            question="是否同意？",
            scope_kind="estate",
            opens_at=w.now + dt.timedelta(days=10),
            closes_at=w.now + dt.timedelta(days=20),
        )
    c = client_for(w.staff)
    with django_assert_max_num_queries(8):
        page = c.get("/api/motions?limit=3&offset=0").json()
    assert page["count"] == 7
    assert len(page["items"]) == 3
    rest = (
        c.get("/api/motions?limit=3&offset=3").json()["items"] + c.get("/api/motions?limit=3&offset=6").json()["items"]
    )
    assert len({m["id"] for m in page["items"] + rest}) == 7
    drafts = c.get("/api/motions?status=draft").json()
    assert drafts["count"] == 6
    assert {m["status"] for m in drafts["items"]} == {"draft"}
    assert c.get("/api/motions?status=open").json()["items"][0]["id"] == w.motion.id
    assert c.get(f"/api/motions?estate_id={w.world.outside['estate'].id}").json()["count"] == 0
    assert c.get("/api/motions?status=bogus").status_code == 422


@pytest.mark.parametrize("role", ROLES)
def test_motion_detail_by_role(motion_world: Any, role: str) -> None:
    response = client_for(motion_world.world.users[role]).get(f"/api/motions/{motion_world.motion.id}")
    if role not in SEE_MOTION:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    data = response.json()
    assert data["title"] == "2单元电梯更新"
    assert data["status"] == "open"
    assert data["voting_open"] is True
    assert data["rule"] == {
        "preset": "civil-code-ordinary",
        "participation": {"area": ">=2/3", "owners": ">=2/3"},
        "approval": {"area": ">1/2", "owners": ">1/2"},
    }
    assert data["scope"]["kind"] == "entrance"
    assert data["scope"]["label"] == "1幢2单元"
    assert data["scope"]["apartments"] == 7
    assert data["scope"]["owners"] == 5
    assert data["result"] is None
    assert data["notice_url"] is None


def test_motion_detail_other_community_is_404(motion_world: Any) -> None:
    response = client_for(outsider(motion_world)).get(f"/api/motions/{motion_world.motion.id}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_closed_motion_detail_has_result_and_notice(motion_world: Any) -> None:
    motion = close(motion_world)
    data = client_for(motion_world.staff).get(f"/api/motions/{motion.id}").json()
    assert data["status"] == "closed"
    assert data["voting_open"] is False
    assert data["result"]["passed"] is False
    assert len(data["result"]["ballots_sha256"]) == 64
    assert data["notice_url"].endswith(f"/notices/motions/{motion.public_id}/")


def test_due_motion_is_closed_lazily_when_shown(motion_world: Any) -> None:
    w = motion_world
    Motion.objects.filter(pk=w.motion.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    data = client_for(w.staff).get(f"/api/motions/{w.motion.id}").json()
    assert data["status"] == "closed"
    assert data["result"] is not None


# ---- the tally -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_tally_by_role(motion_world: Any, role: str) -> None:
    w = motion_world
    cast(w.voters["wang"], "for", "a", w.now)
    response = client_for(w.world.users[role]).get(f"/api/motions/{w.motion.id}/tally")
    if role not in SEE_MOTION:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    data = response.json()
    assert data["final"] is False
    assert data["at"]
    assert data["total"] == {"area": "520.00", "owners": 5}
    assert data["for"] == {"area": "140.00", "owners": 1}
    assert data["participating"] == {"area": "140.00", "owners": 1}
    assert data["passed"] is False
    assert data["quorum_met"] is False
    # 2/3 of 520.00 m² is 346.67 (rounded up to the 0.01 grid); 206.67 more must take part.
    assert data["still_needed"]["participation"] == {"area": "206.67", "owners": 3}
    assert data["rule"]["approval"] == {"area": ">1/2", "owners": ">1/2"}


def test_tally_of_closed_motion_is_the_frozen_result(motion_world: Any) -> None:
    w = motion_world
    for key, choice in (("wang", "for"), ("chen", "for"), ("li_zhao", "for"), ("developer", "against")):
        cast(w.voters[key], choice, key, w.now)
    motion = close(w)
    data = client_for(w.world.users[Role.OWNER]).get(f"/api/motions/{motion.id}/tally").json()
    assert data["final"] is True
    assert data["passed"] is True
    assert data["for"] == {"area": "330.00", "owners": 3}
    assert data["against"] == {"area": "140.00", "owners": 1}


def test_tally_of_draft_is_400(motion_world: Any) -> None:
    w = motion_world
    draft = s.motion_create(
        actor=w.staff,
        estate=w.world.inside["estate"],
        title="草稿",
        question="是否同意？",
        scope_kind="estate",
        opens_at=w.now + dt.timedelta(days=10),
        closes_at=w.now + dt.timedelta(days=20),
    )
    c = client_for(w.staff)
    response = c.get(f"/api/motions/{draft.id}/tally")
    assert response.status_code == 400
    assert response.json()["code"] == "no_roll"
    assert c.get(f"/api/motions/{draft.id}/door-knocking").json()["code"] == "no_roll"
    detail = c.get(f"/api/motions/{draft.id}").json()
    assert detail["scope"]["owners"] is None
    assert detail["scope"]["apartments"] >= 8


# ---- voters and door-knocking -------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_voters_by_role(motion_world: Any, role: str, django_assert_max_num_queries: Any) -> None:
    w = motion_world
    cast(w.voters["chen"], "against", "c", w.now)
    c = client_for(w.world.users[role])
    with django_assert_max_num_queries(10):
        response = c.get(f"/api/motions/{w.motion.id}/voters")
    if role not in SEE_MOTION:
        assert response.status_code == 404
        return
    if role not in SEE_VOTERS:
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"
        return
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 5
    rows = {r["number"]: r for r in data["items"]}
    assert rows[1]["rooms"] == ["1幢2单元101", "1幢2单元102"]
    assert rows[1]["area"] == "140.00"
    assert rows[1]["voted"] is False
    assert rows[1]["channel"] is None
    assert rows[1]["cast_at"] is None
    assert rows[3]["voted"] is True
    assert rows[3]["channel"] == "online"
    assert rows[3]["cast_at"]
    assert rows[3]["choice"] is None  # open: individual choices stay hidden until closing


def test_voters_other_community_is_404(motion_world: Any) -> None:
    response = client_for(outsider(motion_world)).get(f"/api/motions/{motion_world.motion.id}/voters")
    assert response.status_code == 404


def test_voters_page_filter_and_queries_stay_flat(motion_world: Any, django_assert_max_num_queries: Any) -> None:
    w = motion_world
    cast(w.voters["wang"], "for", "a", w.now)
    cast(w.voters["chen"], "for", "b", w.now)
    cast(w.voters["chen"], "abstain", "b2", w.now)
    c = client_for(w.staff)
    with django_assert_max_num_queries(10):
        page = c.get(f"/api/motions/{w.motion.id}/voters?limit=2&offset=1").json()
    assert page["count"] == 5
    assert [r["number"] for r in page["items"]] == [2, 3]
    voted = c.get(f"/api/motions/{w.motion.id}/voters?voted=true").json()
    assert [r["number"] for r in voted["items"]] == [1, 3]
    not_voted = c.get(f"/api/motions/{w.motion.id}/voters?voted=false").json()
    assert [r["number"] for r in not_voted["items"]] == [2, 4, 5]


def test_voters_show_choices_once_closed_unless_anonymous(motion_world: Any) -> None:
    w = motion_world
    cast(w.voters["chen"], "against", "c", w.now)
    motion = close(w)
    c = client_for(w.staff)
    rows = {r["number"]: r for r in c.get(f"/api/motions/{motion.id}/voters").json()["items"]}
    assert rows[3]["choice"] == "against"
    assert rows[1]["choice"] is None
    Motion.objects.filter(pk=motion.pk).update(anonymous=True)
    rows = {r["number"]: r for r in c.get(f"/api/motions/{motion.id}/voters").json()["items"]}
    assert rows[3]["choice"] is None
    assert rows[3]["voted"] is True


@pytest.mark.parametrize("role", ROLES)
def test_door_knocking_by_role(motion_world: Any, role: str, django_assert_max_num_queries: Any) -> None:
    w = motion_world
    c = client_for(w.world.users[role])
    with django_assert_max_num_queries(10):
        response = c.get(f"/api/motions/{w.motion.id}/door-knocking?limit=3")
    expected = 200 if role in SEE_VOTERS else 403 if role in SEE_MOTION else 404
    assert response.status_code == expected
    if expected != 200:
        return
    data = response.json()
    assert data["not_voted"] == 5
    assert data["still_needed"] == {"area": "346.67", "owners": 4}
    # Largest area first: Wang 140, the developer 140 (sheet 4), Chen 100.
    assert [v["number"] for v in data["visits"]] == [1, 4, 3]
    assert [v["cumulative_area"] for v in data["visits"]] == ["140.00", "280.00", "380.00"]
    assert [v["reaches_area"] for v in data["visits"]] == [False, False, True]
    assert data["visits"][0]["rooms"] == ["1幢2单元101", "1幢2单元102"]


def test_door_knocking_limit_is_bounded(motion_world: Any) -> None:
    c = client_for(motion_world.staff)
    assert c.get(f"/api/motions/{motion_world.motion.id}/door-knocking?limit=0").status_code == 422
    assert c.get(f"/api/motions/{motion_world.motion.id}/door-knocking?limit=501").status_code == 422


# ---- paper ballots ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_paper_entry_by_role(motion_world: Any, role: str) -> None:
    w = motion_world
    response = post(client_for(w.world.users[role]), f"/api/motions/{w.motion.id}/paper", {"sheet": 3, "choice": "for"})
    expected = 200 if role in ENTER_PAPER else 403 if role in SEE_MOTION else 404
    assert response.status_code == expected, response.content
    assert PaperEntry.objects.filter(voter=w.voters["chen"]).count() == (1 if expected == 200 else 0)
    if expected == 200:
        assert response.json() == {"counted": False, "mismatch": False, "version": None}


def test_paper_double_entry_counts_and_mismatch(motion_world: Any) -> None:
    w = motion_world
    first, second = client_for(w.staff), client_for(w.staff2)
    url = f"/api/motions/{w.motion.id}/paper"
    assert post(first, url, {"sheet": 3, "choice": "for"}).json()["counted"] is False
    again = post(first, url, {"sheet": 3, "choice": "for"})
    assert again.status_code == 400
    assert again.json()["code"] == "second_entry_same_person"
    assert post(second, url, {"sheet": 3, "choice": "for"}).json() == {"counted": True, "mismatch": False, "version": 1}
    assert Voter.objects.get(pk=w.voters["chen"].pk).choice == "for"
    post(first, url, {"sheet": 1, "choice": "for"})
    assert post(second, url, {"sheet": 1, "choice": "against"}).json() == {
        "counted": False,
        "mismatch": True,
        "version": None,
    }


def test_paper_refusals(motion_world: Any) -> None:
    w = motion_world
    c = client_for(w.staff)
    url = f"/api/motions/{w.motion.id}/paper"
    bad = post(c, url, {"sheet": 3, "choice": "maybe"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "bad_choice"
    missing = post(c, url, {"sheet": 99, "choice": "for"})
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    no_csrf = c.post(url, {"sheet": 3, "choice": "for"}, content_type="application/json")
    assert no_csrf.status_code == 403
    assert PaperEntry.objects.count() == 0


# ---- voting with bearer tokens ------------------------------------------------------------------


def test_ping_needs_nothing(client: Client, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        response = client.get("/api/vote/ping")
    assert response.status_code == 200
    assert response.json() == {"ok": True}


def test_voter_flow_over_the_api(motion_world: Any, memory_sender: list[Any]) -> None:
    w = motion_world
    voter = w.voters["wang"]
    link = voter_token(voter.pk, str(w.motion.public_id))
    phone = Client(enforce_csrf_checks=True)  # a phone app: no session, no CSRF token
    sent = phone.post(f"/api/vote/{link}/code")
    assert sent.status_code == 204, sent.content
    assert memory_sender[-1].phone == "13800000001"
    code = re.search(r"\d{6}", memory_sender[-1].message).group(0)  # type: ignore[union-attr]
    wrong = phone.post(
        f"/api/vote/{link}/confirm",
        {"code": "000000" if code != "000000" else "111111"},
        content_type="application/json",
    )
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "code_wrong"
    confirmed = phone.post(f"/api/vote/{link}/confirm", {"code": code}, content_type="application/json")
    assert confirmed.status_code == 200, confirmed.content
    session = confirmed.json()["session"]
    assert confirmed.json()["expires_at"]

    ballot = phone.get("/api/vote/ballot", headers=bearer(session)).json()
    assert ballot["choice"] is None
    assert ballot["version"] == 0
    assert ballot["number"] == 1
    assert ballot["area"] == "140.00"
    assert ballot["motion"]["voting_open"] is True
    assert [a["label"] for a in ballot["apartments"]] == ["1幢2单元101", "1幢2单元102"]

    cast_ = phone.post(
        "/api/vote/ballot",
        {"choice": "for", "request_key": "k1"},
        content_type="application/json",
        headers=bearer(session),
    )
    assert cast_.status_code == 201, cast_.content
    body = cast_.json()
    assert set(body) == {"version", "choice", "cast_at", "created"}
    assert body["version"] == 1
    assert body["choice"] == "for"
    assert body["created"] is True
    changed = phone.post(
        "/api/vote/ballot",
        {"choice": "against", "request_key": "k2"},
        content_type="application/json",
        headers=bearer(session),
    )
    assert changed.status_code == 201
    assert changed.json()["version"] == 2
    after = phone.get("/api/vote/ballot", headers=bearer(session)).json()
    assert after["choice"] == "against"
    assert after["version"] == 2


def test_code_refusals(motion_world: Any, memory_sender: list[Any]) -> None:
    w = motion_world
    c = Client()
    assert c.post("/api/vote/not-a-link/code").status_code == 404
    nobody = voter_token(w.voters["nobody"].pk, str(w.motion.public_id))
    response = c.post(f"/api/vote/{nobody}/code")
    assert response.status_code == 400
    assert response.json()["code"] == "no_phone"
    link = voter_token(w.voters["chen"].pk, str(w.motion.public_id))
    assert c.post(f"/api/vote/{link}/code").status_code == 204
    too_soon = c.post(f"/api/vote/{link}/code")
    assert too_soon.status_code == 400
    assert too_soon.json()["code"] == "code_too_soon"
    assert len(memory_sender) == 1
    malformed = c.post(f"/api/vote/{link}/confirm", {"code": "12ab"}, content_type="application/json")
    assert malformed.status_code == 422


def test_retry_with_same_request_key_is_idempotent(motion_world: Any) -> None:
    w = motion_world
    token = s.voter_session_issue(voter=w.voters["chen"])
    c = Client()
    body = {"choice": "for", "request_key": "retry-me"}
    first = c.post("/api/vote/ballot", body, content_type="application/json", headers=bearer(token))
    retry = c.post("/api/vote/ballot", body, content_type="application/json", headers=bearer(token))
    assert first.status_code == 201
    assert first.json()["created"] is True
    assert retry.status_code == 200
    assert retry.json()["created"] is False
    assert retry.json()["version"] == first.json()["version"] == 1
    assert retry.json()["cast_at"] == first.json()["cast_at"]
    assert BallotVersion.objects.filter(voter=w.voters["chen"]).count() == 1
    reused = c.post(
        "/api/vote/ballot",
        {"choice": "against", "request_key": "retry-me"},
        content_type="application/json",
        headers=bearer(token),
    )
    assert reused.status_code == 400
    assert reused.json()["code"] == "request_key_reused"
    assert BallotVersion.objects.filter(voter=w.voters["chen"]).count() == 1


def test_bad_choice_and_bad_request_key(motion_world: Any) -> None:
    w = motion_world
    token = s.voter_session_issue(voter=w.voters["chen"])
    c = Client()
    bad = c.post(
        "/api/vote/ballot",
        {"choice": "yes", "request_key": "k"},
        content_type="application/json",
        headers=bearer(token),
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "bad_choice"
    assert bad.json()["detail"]
    for key in ("", "x" * 65):
        response = c.post(
            "/api/vote/ballot",
            {"choice": "for", "request_key": key},
            content_type="application/json",
            headers=bearer(token),
        )
        assert response.status_code == 422
    assert BallotVersion.objects.count() == 0


def test_missing_wrong_or_expired_bearer_is_401(motion_world: Any) -> None:
    w = motion_world
    expired = s.voter_session_issue(
        voter=w.voters["chen"], now=timezone.now() - s.SESSION_TTL - dt.timedelta(seconds=1)
    )
    c = Client()
    body = {"choice": "for", "request_key": "k"}
    cases: list[dict[str, str]] = [{}, bearer("nonsense"), bearer(expired), {"Authorization": f"Basic {expired}"}]
    for headers in cases:
        assert c.get("/api/vote/ballot", headers=headers).status_code == 401
        response = c.post("/api/vote/ballot", body, content_type="application/json", headers=headers)
        assert response.status_code == 401
        assert response.json()["detail"]
    assert BallotVersion.objects.count() == 0


def test_session_cookie_does_not_replace_the_bearer(motion_world: Any) -> None:
    c = client_for(motion_world.staff)
    assert c.get("/api/vote/ballot").status_code == 401


def test_closed_motion_refuses_ballots(motion_world: Any) -> None:
    w = motion_world
    token = s.voter_session_issue(voter=w.voters["chen"])
    close(w)
    c = Client()
    response = c.post(
        "/api/vote/ballot",
        {"choice": "for", "request_key": "late"},
        content_type="application/json",
        headers=bearer(token),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "voting_closed"
    assert BallotVersion.objects.count() == 0
    ballot = c.get("/api/vote/ballot", headers=bearer(token)).json()
    assert ballot["motion"]["status"] == MotionStatus.CLOSED
    assert ballot["motion"]["voting_open"] is False


def test_ballot_casting_queries_are_few(motion_world: Any, django_assert_max_num_queries: Any) -> None:
    """The load benchmark's path: one session lookup for the auth, then the service's transaction
    (13 on SQLite, savepoints included: session again, voter lock, retry check, version, ballots,
    voter, audit chain)."""
    w = motion_world
    token = s.voter_session_issue(voter=w.voters["wang"])
    c = Client()
    with django_assert_max_num_queries(13):
        response = c.post(
            "/api/vote/ballot",
            {"choice": "for", "request_key": "q"},
            content_type="application/json",
            headers=bearer(token),
        )
    assert response.status_code == 201
