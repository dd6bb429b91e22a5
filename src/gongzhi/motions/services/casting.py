"""Casting ballots (DESIGN.md convention 1): an owner's own vote online, paper sheets keyed twice
by staff (double entry, with mismatches resolved against the sheet), and votes by proxy. Every
channel records one ballot version for all of the voter's apartments (`_cast`)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor, acting_user, person
from gongzhi.core.audit import audit_record
from gongzhi.core.errors import DomainError
from gongzhi.core.files import sniff_document
from gongzhi.motions import codes
from gongzhi.motions.models import (
    Ballot,
    BallotVersion,
    Channel,
    Motion,
    PaperEntry,
    ProxyAuthorisation,
    RollEntry,
    Voter,
)
from gongzhi.motions.selectors import valid_choices, voter_for_session_hash
from gongzhi.motions.services._common import check_window, resolve_now
from gongzhi.places.access import Action, require


@dataclass(frozen=True)
class CastResult:
    version: BallotVersion
    created: bool  # False when the request was a retry of one already recorded


def _check_choice(motion: Motion, choice: str) -> None:
    if choice not in valid_choices(motion):
        raise DomainError(_("选择无效：%(choice)s") % {"choice": choice}, code="bad_choice")


def _cast(
    *,
    voter: Voter,
    choice: str,
    channel: str,
    request_key: str,
    now: dt.datetime,
    entered_by: Any = None,
    second_entered_by: Any = None,
    proxy: ProxyAuthorisation | None = None,
) -> CastResult:
    """Record one ballot for all of the voter's apartments. Must run inside transaction.atomic.

    The voter row is locked, so two casts for one voter apply one after the other and versions
    are dense; a retried request (same request_key) returns the version already recorded.
    The choice must be one the motion offers (valid_choices)."""
    if not isinstance(choice, str) or not choice or len(choice) > 8:
        raise DomainError(_("选择无效：%(choice)s") % {"choice": choice}, code="bad_choice")
    voter = Voter.objects.select_for_update().select_related("motion").get(pk=voter.pk)
    _check_choice(voter.motion, choice)
    if not request_key or len(request_key) > 64:
        raise DomainError(_("请求编号无效。"), code="bad_request_key")
    existing = BallotVersion.objects.filter(voter=voter, request_key=request_key).first()
    if existing is not None:
        if existing.choice != choice or existing.channel != channel:
            raise DomainError(_("同一请求编号已用于另一张选票。"), code="request_key_reused")
        return CastResult(existing, created=False)
    motion = voter.motion
    check_window(motion, now)
    version = BallotVersion.objects.create(
        voter=voter,
        version=voter.version + 1,
        choice=choice,
        channel=channel,
        cast_at=now,
        entered_by=acting_user(entered_by),
        second_entered_by=acting_user(second_entered_by),
        proxy=proxy,
        request_key=request_key,
    )
    if voter.version == 0:
        Ballot.objects.bulk_create(
            [
                Ballot(
                    motion_id=motion.pk,
                    roll_entry_id=entry_id,
                    voter=voter,
                    version=version,
                    choice=choice,
                    channel=channel,
                    area=area,
                    cast_at=now,
                )
                for entry_id, area in RollEntry.objects.filter(voter=voter).values_list("id", "area")
            ]
        )
    else:
        Ballot.objects.filter(voter=voter).update(version=version, choice=choice, channel=channel, cast_at=now)
    before = voter.choice
    voter.choice = choice
    voter.version = version.version
    voter.save(update_fields=["choice", "version"])
    audit_record(
        actor=entered_by,
        action="ballot_cast",
        object_type="motion",
        object_id=motion.pk,
        summary=f"voter {voter.number} v{version.version} {channel}",
        before={"voter": voter.number, "choice": before or None},
        after={"voter": voter.number, "choice": choice, "channel": channel, "version": version.version},
    )
    return CastResult(version, created=True)


def ballot_cast_online(
    *,
    session_token: str = "",
    session_hash: str = "",
    choice: str,
    request_key: str,
    now: dt.datetime | None = None,
    voter: Voter | None = None,
) -> CastResult:
    """An owner's own vote through their personal link, after confirming a code (see code_confirm).

    The session is the token itself (the API's bearer) or its SHA-256 (the voting page keeps only
    the hash in the browser's Django session). `voter` may be passed when the caller has just
    resolved the session itself (the API's bearer authentication), to save the second lookup; it
    must be the session's voter."""
    now = resolve_now(now)
    token_hash = session_hash or codes.sha256_hex(session_token)
    for attempt in range(3):
        try:
            with transaction.atomic():
                if voter is None:
                    voter = voter_for_session_hash(token_hash, now=now)
                return _cast(voter=voter, choice=choice, channel=Channel.ONLINE, request_key=request_key, now=now)
        except IntegrityError:
            # Two retries of one request racing: the other one recorded it; read it back.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


@transaction.atomic
def paper_request(*, actor: Actor, voter: Voter, requested: bool = True) -> Voter:
    """Hangzhou 物业管理条例 Art. 20: paper ballots are given to owners who ask for them."""
    require(actor, Action.ENTER_BALLOTS, voter.motion)
    Voter.objects.filter(pk=voter.pk).update(paper_requested=requested)
    voter.paper_requested = requested
    return voter


@dataclass(frozen=True)
class PaperResult:
    entry: PaperEntry
    counted: CastResult | None  # the ballot cast when this entry matched another
    mismatch: bool


def paper_entry_add(*, actor: Actor, voter: Voter, choice: str, now: dt.datetime | None = None) -> PaperResult:
    """Key one paper sheet (double entry). Two staff members key each sheet independently; when two
    entries of the current batch by different people agree, the ballot is cast (channel paper) and
    both are recorded on it. Entries that disagree stay listed as a mismatch until a third keying
    agrees with one of them or someone who runs the vote resolves it against the sheet."""
    now = resolve_now(now)
    require(actor, Action.ENTER_BALLOTS, voter.motion)
    _check_choice(voter.motion, choice)
    with transaction.atomic():
        voter = Voter.objects.select_for_update().select_related("motion").get(pk=voter.pk)
        check_window(voter.motion, now)
        batch = _current_batch(voter)
        if PaperEntry.objects.filter(voter=voter, batch=batch, entered_by=person(actor), resolution=False).exists():
            raise DomainError(
                _("您已录入过第 %(number)s 号表决票，须由另一位工作人员录入第二遍。") % {"number": voter.number},
                code="second_entry_same_person",
            )
        entry = PaperEntry.objects.create(voter=voter, choice=choice, entered_by=person(actor), batch=batch)
        others = list(PaperEntry.objects.filter(voter=voter, batch=batch, counted=False).exclude(pk=entry.pk))
        match = next((o for o in others if o.choice == choice and o.entered_by_id != actor.pk), None)
        if match is None:
            return PaperResult(entry, None, mismatch=bool(others))
        result = _cast(
            voter=voter,
            choice=choice,
            channel=Channel.PAPER,
            request_key=f"paper:{entry.pk}",
            now=now,
            entered_by=match.entered_by,
            second_entered_by=actor,
        )
        PaperEntry.objects.filter(voter=voter, batch=batch).update(counted=True)
        entry.counted = True
        return PaperResult(entry, result, mismatch=False)


def _current_batch(voter: Voter) -> int:
    """Each paper sheet a voter hands in is a batch; a new sheet starts after one was counted."""
    last = PaperEntry.objects.filter(voter=voter, counted=True).order_by("-batch").values_list("batch", flat=True)
    counted = last.first()
    return (counted or 0) + 1


def paper_mismatch_resolve(
    *, actor: Actor, voter: Voter, choice: str, note: str, now: dt.datetime | None = None
) -> PaperResult:
    """Settle disagreeing entries by reading the sheet: recorded with the reason, then cast."""
    now = resolve_now(now)
    require(actor, Action.MANAGE_MOTION, voter.motion)
    _check_choice(voter.motion, choice)
    if not note.strip():
        raise DomainError(_("请说明裁定依据。"), code="note_required")
    with transaction.atomic():
        voter = Voter.objects.select_for_update().select_related("motion").get(pk=voter.pk)
        check_window(voter.motion, now)
        batch = _current_batch(voter)
        pending = list(PaperEntry.objects.filter(voter=voter, batch=batch, counted=False))
        if len({p.choice for p in pending}) < 2:
            raise DomainError(_("该表决票没有待裁定的不一致录入。"), code="no_mismatch")
        entry = PaperEntry.objects.create(
            voter=voter, choice=choice, entered_by=person(actor), batch=batch, resolution=True, note=note.strip()[:255]
        )
        first = pending[0]
        result = _cast(
            voter=voter,
            choice=choice,
            channel=Channel.PAPER,
            request_key=f"paper:{entry.pk}",
            now=now,
            entered_by=first.entered_by,
            second_entered_by=actor,
        )
        PaperEntry.objects.filter(voter=voter, batch=batch).update(counted=True)
        return PaperResult(entry, result, mismatch=False)


PROXY_TYPES = {"application/pdf", "image/jpeg", "image/png"}
PROXY_MAX_BYTES = 5 * 1024 * 1024


def proxy_vote(
    *,
    actor: Actor,
    voter: Voter,
    choice: str,
    proxy_name: str,
    proxy_id_last4: str,
    scan: UploadedFile,
    request_key: str,
    now: dt.datetime | None = None,
) -> CastResult:
    """A vote by someone holding the voter's signed authorisation (Civil Code Art. 161-162 on agency):
    the scan is kept with who entered it."""
    now = resolve_now(now)
    require(actor, Action.ENTER_BALLOTS, voter.motion)
    _check_choice(voter.motion, choice)  # before the scan is stored
    if not proxy_name.strip():
        raise DomainError(_("请填写受托人姓名。"), code="proxy_name_required")
    if proxy_id_last4 and (len(proxy_id_last4) != 4 or not proxy_id_last4.isalnum()):
        raise DomainError(_("证件号后四位须为 4 位数字或字母。"), code="bad_id_last4")
    if scan.size is None or scan.size == 0:
        raise DomainError(_("请上传签字的委托书扫描件。"), code="scan_required")
    if scan.size > PROXY_MAX_BYTES:
        raise DomainError(_("委托书扫描件不能超过 5 MB。"), code="scan_too_large")
    head = scan.read(8)
    scan.seek(0)
    if sniff_document(head) is None:
        raise DomainError(_("委托书扫描件须为 PDF、JPEG 或 PNG 文件。"), code="scan_type")
    digest = hashlib.sha256()
    for chunk in scan.chunks():
        digest.update(chunk)
    scan.seek(0)
    with transaction.atomic():
        voter = Voter.objects.select_for_update().select_related("motion").get(pk=voter.pk)
        check_window(voter.motion, now)
        retry = BallotVersion.objects.filter(voter=voter, request_key=request_key).first()
        if retry is not None:
            return _cast(
                voter=voter, choice=choice, channel=Channel.PROXY, request_key=request_key, now=now, entered_by=actor
            )
        proxy = ProxyAuthorisation(
            voter=voter,
            proxy_name=proxy_name.strip()[:128],
            proxy_id_last4=proxy_id_last4.upper(),
            scan_sha256=digest.hexdigest(),
            entered_by=acting_user(actor),
        )
        proxy.scan.save(f"motion{voter.motion_id}-voter{voter.number}.bin", scan, save=False)
        proxy.save()
        return _cast(
            voter=voter,
            choice=choice,
            channel=Channel.PROXY,
            request_key=request_key,
            now=now,
            entered_by=actor,
            proxy=proxy,
        )
