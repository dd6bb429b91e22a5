"""Owners' access to their vote (DESIGN.md convention 1): one-time codes sent to the phone on
the roll, and the voter sessions a confirmed code opens (for the voter and the same owner in the
motions put together with theirs)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError
from gongzhi.motions import codes
from gongzhi.motions.models import OneTimeCode, Voter, VoterSession
from gongzhi.motions.selectors import sibling_voters
from gongzhi.motions.services._common import check_window, resolve_now

CODE_TTL = dt.timedelta(minutes=10)
CODE_RESEND_AFTER = dt.timedelta(seconds=60)
CODES_PER_HOUR = 5
CODE_ATTEMPTS = 5
SESSION_TTL = dt.timedelta(hours=2)


@transaction.atomic
def code_send(*, voter: Voter, now: dt.datetime | None = None) -> None:
    """Send a one-time code to the phone on record for the voter (rate-limited)."""
    now = resolve_now(now)
    voter = Voter.objects.select_for_update().select_related("motion").get(pk=voter.pk)
    check_window(voter.motion, now)
    if not voter.phone:
        raise DomainError(_("登记册中没有您的手机号，无法线上表决。请联系社区领取纸质表决票。"), code="no_phone")
    recent = list(OneTimeCode.objects.filter(voter=voter, created_at__gt=now - dt.timedelta(hours=1)))
    if any(c.created_at > now - CODE_RESEND_AFTER for c in recent):
        raise DomainError(_("验证码已发送，请 60 秒后再试。"), code="code_too_soon")
    if len(recent) >= CODES_PER_HOUR:
        raise DomainError(_("验证码发送过于频繁，请一小时后再试。"), code="code_rate_limited")
    code = codes.new_code()
    OneTimeCode.objects.create(
        voter=voter, code_hash=codes.sha256_hex(f"{voter.pk}:{code}"), created_at=now, expires_at=now + CODE_TTL
    )
    codes.sender().send(
        voter.phone,
        _("【共治】您的表决验证码为 %(code)s，10 分钟内有效。请勿告诉他人。") % {"code": code},
    )


def masked_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


def code_confirm(*, voter: Voter, code: str, now: dt.datetime | None = None) -> str:
    """Check a code; on success return a new session token (its hash is stored) valid for 2 hours."""
    now = resolve_now(now)
    with transaction.atomic():
        otp = (
            OneTimeCode.objects.select_for_update()
            .filter(voter=voter, used=False, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if otp is None:
            raise DomainError(_("验证码已过期，请重新获取。"), code="code_expired")
        if otp.attempts >= CODE_ATTEMPTS:
            raise DomainError(_("验证码错误次数过多，请重新获取。"), code="code_locked")
        if codes.sha256_hex(f"{voter.pk}:{code.strip()}") != otp.code_hash:
            otp.attempts += 1
            otp.save(update_fields=["attempts"])
            ok = False
        else:
            otp.used = True
            otp.save(update_fields=["used"])
            ok = True
    if not ok:
        raise DomainError(_("验证码不正确。"), code="code_wrong")
    return voter_session_issue(voter=voter, now=now)


def sibling_sessions_issue(*, voter: Voter, now: dt.datetime | None = None) -> dict[int, str]:
    """After the voter confirmed a code: a session for each sibling voter too ({voter pk: token}),
    so the owner votes on all three decisions of the entrance with one code.

    Only siblings with the same phone on record get one: the code proved possession of that phone,
    and nothing else (were the registry edited between the openings, the other motion asks for
    its own code)."""
    now = resolve_now(now)
    return {
        sibling.pk: voter_session_issue(voter=sibling, now=now)
        for sibling in sibling_voters(voter)
        if voter.phone and sibling.phone == voter.phone
    }


def voter_session_issue(*, voter: Voter, now: dt.datetime | None = None) -> str:
    """A bearer token proving the voter was verified (used after code_confirm; the bench uses it directly)."""
    now = resolve_now(now)
    token = codes.new_session_token()
    VoterSession.objects.create(voter=voter, token_hash=codes.sha256_hex(token), expires_at=now + SESSION_TTL)
    return token
