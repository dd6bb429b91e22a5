"""The meeting sign-in guessing limit on a shared counter (issue 13, item 6), and core.throttle.

Before: ten wrong name + last-four tries counted per REMOTE_ADDR in one process's LocMem cache, so
behind the reverse proxy one guesser locked out every arrival for 15 minutes, a name could be
guessed from many addresses, and each worker process counted on its own. Now the counter is in the
database (core.models.Throttle), per invitee (10, whatever the address) and per client address
(30), the address taken from the trusted proxy header when one is configured.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.models import Throttle
from gongzhi.core.throttle import Rule, throttle_blocked_until, throttle_fail, throttle_reset
from gongzhi.meetings import services as s
from gongzhi.meetings.models import Meeting, Participant, ParticipantRole
from gongzhi.meetings.views import SIGN_IN_PER_ADDRESS, SIGN_IN_PER_NAME
from gongzhi.places.models import Role
from tests.conftest import World

PER_NAME = 10
PER_ADDRESS = 30
WANG, LI, ZHANG = ("王芳", "13912345678"), ("李强", "13800001111"), ("张伟", "13700002222")
BLOCKED = "尝试次数过多"
PROXY = {"GONGZHI_CLIENT_IP_HEADER": "X-Forwarded-For", "GONGZHI_TRUSTED_PROXIES": ["10.0.0.1"]}


@dataclass
class SignInWorld:
    meeting: Meeting
    invitees: dict[str, Participant]


@pytest.fixture
def siw(personas: World) -> SignInWorld:
    staff = personas.users[Role.COMMUNITY_STAFF]
    meeting = s.meeting_create(
        actor=staff,
        estate=personas.inside["estate"],
        fields=s.MeetingFields(
            topic="1幢电梯更新众议事",
            starts_at=timezone.now() + dt.timedelta(hours=1),
            venue="社区党群服务中心",
            livestream_url="",
            entrances=[personas.inside["entrance"]],
            campaign=personas.campaign,
        ),
    )
    invitees = {
        name: s.participant_invite(
            actor=staff, meeting=meeting, role=ParticipantRole.RESIDENT_REPRESENTATIVE, name=name, phone=phone
        )
        for name, phone in (WANG, LI, ZHANG)
    }
    return SignInWorld(meeting, invitees)


def sign_in(siw: SignInWorld, name: str, last4: str, *, client: Client | None = None, **extra: Any) -> str:
    url = reverse("meeting_sign_in", args=[siw.meeting.public_id])
    response = (client or Client()).post(url, {"mode": "phone", "name": name, "phone_last4": last4}, **extra)
    assert response.status_code == 200
    return str(response.content.decode())


def signed_in(siw: SignInWorld, name: str) -> bool:
    siw.invitees[name].refresh_from_db()
    return siw.invitees[name].attended_at is not None


@pytest.mark.django_db
def test_the_limits() -> None:
    assert (SIGN_IN_PER_NAME.limit, SIGN_IN_PER_ADDRESS.limit) == (PER_NAME, PER_ADDRESS)
    assert SIGN_IN_PER_NAME.window == SIGN_IN_PER_ADDRESS.window == dt.timedelta(minutes=15)


@pytest.mark.django_db
def test_the_counter_is_shared_and_survives_a_fresh_cache(siw: SignInWorld) -> None:
    for guess in range(PER_NAME):  # each try from a new client, as from another worker process
        sign_in(siw, WANG[0], f"{guess:04d}", client=Client(REMOTE_ADDR="198.51.100.1"))
    cache.clear()  # whatever any process kept in memory is gone
    assert Throttle.objects.get(scope=SIGN_IN_PER_NAME.scope).count == PER_NAME
    assert BLOCKED in sign_in(siw, WANG[0], WANG[1][-4:], client=Client(REMOTE_ADDR="198.51.100.1"))
    assert not signed_in(siw, WANG[0])


@pytest.mark.django_db
def test_the_per_invitee_limit_holds_across_addresses(siw: SignInWorld) -> None:
    for guess in range(PER_NAME):
        sign_in(siw, WANG[0], f"{guess:04d}", REMOTE_ADDR=f"198.51.100.{guess + 1}")
    html = sign_in(siw, WANG[0], WANG[1][-4:], REMOTE_ADDR="198.51.100.99")
    assert BLOCKED in html
    assert not signed_in(siw, WANG[0])
    assert "已签到" not in html


@pytest.mark.django_db
def test_one_guesser_does_not_lock_out_others_behind_the_address_until_the_higher_limit(siw: SignInWorld) -> None:
    venue = "198.51.100.50"  # the venue's Wi-Fi: every arrival behind one address
    for guess in range(PER_NAME):
        sign_in(siw, WANG[0], f"{guess:04d}", REMOTE_ADDR=venue)
    assert BLOCKED in sign_in(siw, WANG[0], WANG[1][-4:], REMOTE_ADDR=venue)  # that name is locked...
    assert "已签到" in sign_in(siw, LI[0], LI[1][-4:], REMOTE_ADDR=venue)  # ...its neighbour is not
    assert signed_in(siw, LI[0])
    for n in range(PER_ADDRESS - PER_NAME):  # spraying other names up to the address's limit
        assert BLOCKED not in sign_in(siw, f"访客{n}", "0000", REMOTE_ADDR=venue)
    assert BLOCKED in sign_in(siw, ZHANG[0], ZHANG[1][-4:], REMOTE_ADDR=venue)
    assert not signed_in(siw, ZHANG[0])
    assert "已签到" in sign_in(siw, ZHANG[0], ZHANG[1][-4:], REMOTE_ADDR="198.51.100.51")


@pytest.mark.django_db
@override_settings(**PROXY)
def test_visitors_behind_the_trusted_proxy_are_counted_apart(siw: SignInWorld) -> None:
    def via_proxy(name: str, last4: str, visitor: str) -> str:
        return sign_in(siw, name, last4, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=visitor)

    for n in range(PER_ADDRESS):
        via_proxy(f"访客{n}", "0000", "198.51.100.7")
    assert BLOCKED in via_proxy(ZHANG[0], ZHANG[1][-4:], "198.51.100.7")
    assert "已签到" in via_proxy(LI[0], LI[1][-4:], "198.51.100.8")
    # An untrusted peer's forged header is ignored: its guesses count against its own address.
    for n in range(PER_ADDRESS):
        sign_in(siw, f"来客{n}", "0000", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert BLOCKED in sign_in(siw, ZHANG[0], ZHANG[1][-4:], REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="192.0.2.1")


@pytest.mark.django_db
def test_a_success_clears_the_name_and_a_block_ends_after_the_window(siw: SignInWorld) -> None:
    for guess in range(PER_NAME - 1):
        sign_in(siw, WANG[0], f"{guess:04d}")
    assert "已签到" in sign_in(siw, WANG[0], WANG[1][-4:])
    assert not Throttle.objects.filter(scope=SIGN_IN_PER_NAME.scope).exists()
    for guess in range(PER_NAME):
        sign_in(siw, LI[0], f"{guess:04d}", REMOTE_ADDR="198.51.100.3")
    assert BLOCKED in sign_in(siw, LI[0], LI[1][-4:], REMOTE_ADDR="198.51.100.4")
    past = timezone.now() - dt.timedelta(minutes=16)  # the clock moved on
    Throttle.objects.update(window_start=past - dt.timedelta(minutes=1), blocked_until=past)
    assert "已签到" in sign_in(siw, LI[0], LI[1][-4:], REMOTE_ADDR="198.51.100.4")


# --- core.throttle -------------------------------------------------------------------------------

RULE = Rule("test:guess", limit=3, window=dt.timedelta(minutes=10))
T0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_throttle_counts_blocks_and_starts_again() -> None:
    assert throttle_fail(RULE, 7, "王芳", now=T0) is None
    assert throttle_fail(RULE, 7, "王芳", now=T0 + dt.timedelta(minutes=1)) is None
    until = throttle_fail(RULE, 7, "王芳", now=T0 + dt.timedelta(minutes=2))
    assert until == T0 + dt.timedelta(minutes=12)  # a whole window from the blocking failure
    assert throttle_blocked_until(RULE, 7, "王芳", now=T0 + dt.timedelta(minutes=11)) == until
    assert throttle_blocked_until(RULE, 7, "李强", now=T0 + dt.timedelta(minutes=11)) is None
    assert throttle_fail(RULE, 7, "王芳", now=T0 + dt.timedelta(minutes=5)) == until  # not extended
    assert Throttle.objects.get().count == 3  # nor counted
    assert throttle_blocked_until(RULE, 7, "王芳", now=until) is None
    assert throttle_fail(RULE, 7, "王芳", now=until) is None  # a new window
    assert Throttle.objects.get().count == 1
    throttle_reset(RULE, 7, "王芳")
    assert not Throttle.objects.exists()


@pytest.mark.django_db
def test_throttle_window_expires_and_old_counters_are_purged() -> None:
    throttle_fail(RULE, "a", now=T0)
    throttle_fail(RULE, "a", now=T0 + dt.timedelta(minutes=1))
    assert throttle_fail(RULE, "a", now=T0 + dt.timedelta(minutes=11)) is None  # the window closed: 1 again
    assert Throttle.objects.get().count == 1
    throttle_fail(RULE, "b", now=T0 + dt.timedelta(minutes=30))  # a new subject sweeps finished ones
    assert Throttle.objects.count() == 1


@pytest.mark.django_db
def test_throttle_keeps_no_name_or_address_in_clear() -> None:
    throttle_fail(RULE, 7, "王芳", "198.51.100.7", now=T0)
    row = Throttle.objects.get()
    assert len(row.key) == 64
    assert "王芳" not in row.key
    assert "198.51.100.7" not in row.key


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises all writers, so concurrent failures cannot race there; runs against PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_failures_each_count_once_on_postgresql() -> None:
    rule = Rule("test:concurrent", limit=10_000, window=dt.timedelta(hours=1))
    threads, per_thread = 8, 25
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def hammer() -> None:
        try:
            start.wait()
            for _ in range(per_thread):
                throttle_fail(rule, "same subject")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=hammer) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert Throttle.objects.get(scope=rule.scope).count == threads * per_thread
