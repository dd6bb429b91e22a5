"""Writing and verifying the hash-chained audit log (see core.models.AuditEntry, docs/audit.md).

The hash of an entry is the SHA-256 (hex) of one canonical UTF-8 JSON text of its content and the
previous entry's hash. "Canonical" means the same entry gives the same bytes whether it was just
built in Python or read back from SQLite or PostgreSQL:

- `at` is written as UTC ISO 8601 with microseconds; both databases keep microseconds.
- keys are sorted (PostgreSQL's jsonb reorders them anyway), no spaces, non-ASCII kept as UTF-8;
- numbers inside `before`/`after` are normalised the way jsonb normalises them: jsonb stores
  `1.0` as numeric and may return it as `1.0` or (for `1e16`) as `10000000000000000`, which Python
  then reads as an int. A float that is a whole number is therefore hashed as that whole number
  (taken from its shortest decimal form, as jsonb does, not from its binary value).

The migration 0002_audit_hash_chain carries a copy of entry_hash (migrations must not import app
code); tests/test_audit_chain.py checks the two agree.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, models, transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.models import GENESIS_HASH, AuditEntry, AuditHead


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The field values of obj as JSON-ready data, for before/after."""
    return {k: _jsonable(v) for k, v in model_to_dict(obj).items()}


# --- the hash -------------------------------------------------------------------------------


def _canonical(value: Any) -> Any:
    """value as the databases give it back: whole-number floats become ints (see module doc)."""
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            exact = Decimal(repr(value))
            if exact == exact.to_integral_value():
                return int(exact)
        return value
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value  # not JSON: json.dumps below refuses it, as the database write would


def entry_hash(
    *,
    seq: int,
    at: dt.datetime,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    summary: str,
    before: Any,
    after: Any,
    prev_hash: str,
) -> str:
    """SHA-256 (hex) of an entry's canonical serialisation. Keep in step with migration 0002's copy."""
    document = {
        "seq": seq,
        "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "summary": summary,
        "before": _canonical(before),
        "after": _canonical(after),
        "prev_hash": prev_hash,
    }
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    # surrogatepass: a lone surrogate (e.g. from a badly decoded file name) must not make the
    # audit write fail; it is hashed as its (invalid) UTF-8 bytes, the same way every time.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


# --- writing --------------------------------------------------------------------------------


def _locked_head() -> AuditHead:
    """The head row, locked until the surrounding transaction ends.

    The migration creates it; a database emptied since (a test flush, a partial restore) gets it
    back here, starting from the newest surviving entry so the chain does not fork. Two writers
    that both find it missing race on the primary key; the loser catches the IntegrityError and
    then waits for the winner's lock like any other writer.
    """
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    newest = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, last_hash = newest if newest is not None else (0, GENESIS_HASH)
    try:
        with transaction.atomic():
            AuditHead.objects.create(pk=1, seq=seq, hash=last_hash)
    except IntegrityError:
        pass
    return AuditHead.objects.select_for_update().get(pk=1)


def audit_record(
    *,
    actor: Actor | None,
    action: str,
    object_type: str,
    object_id: object = "",
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the chain and return it.

    Runs in the caller's transaction (or its own): the entry and the head move together or not at
    all. The head lock is held until that transaction commits, so services should write the audit
    entry last, after their own row locks, to keep the lock short and the lock order the same.
    """
    user = actor if isinstance(actor, User) else None
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        entry = AuditEntry(
            seq=head.seq + 1,
            at=timezone.now(),
            actor=user,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            summary=summary[:255],
            before=_jsonable(before) if before is not None else None,
            after=_jsonable(after) if after is not None else None,
            prev_hash=head.hash,
        )
        entry.hash = entry_hash(
            seq=entry.seq,
            at=entry.at,
            actor_id=entry.actor_id,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            summary=entry.summary,
            before=entry.before,
            after=entry.after,
            prev_hash=entry.prev_hash,
        )
        entry.save(force_insert=True)
        AuditHead.objects.filter(pk=1).update(seq=entry.seq, hash=entry.hash)
    return entry


# --- verifying ------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of audit_verify.

    `entries` counts the entries found intact, in order from seq 1: all of them when `ok`, those
    before the first problem otherwise. `first_problem` has keys seq, id, kind, message; kind is
    one of "altered", "missing", "broken_link", "truncated", "head_missing", "head_mismatch".
    """

    ok: bool
    entries: int
    first_problem: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


_FIELDS = (
    "id",
    "seq",
    "at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "summary",
    "before",
    "after",
    "prev_hash",
    "hash",
)


def audit_verify(*, progress: Callable[[int], None] | None = None, chunk_size: int = 2000) -> VerifyReport:
    """Walk the chain from seq 1 and report the first entry that is altered, missing or out of place.

    Streams the rows (memory stays flat for millions of entries). `progress(n)` is called every
    `chunk_size` entries with the number read so far.

    Safe to run while the platform writes: the head is read first and only the entries up to it
    are checked (every writer moves the head in the same transaction as its entry, so those are
    all committed); entries appended meanwhile are left for the next run. Afterwards the head is
    read again, and any entry beyond it was written without moving the head: reported too.
    """
    head = AuditHead.objects.filter(pk=1).values_list("seq", "hash").first()
    expected_seq = 1
    prev_hash = GENESIS_HASH
    last_id: int | None = None
    intact = 0

    def fail(seq: int, entry_id: int | None, kind: str, message: str) -> VerifyReport:
        return VerifyReport(
            ok=False, entries=intact, first_problem={"seq": seq, "id": entry_id, "kind": kind, "message": message}
        )

    rows = AuditEntry.objects.order_by("seq")
    if head is not None:
        rows = rows.filter(seq__lte=head[0])
    for row in rows.values_list(*_FIELDS).iterator(chunk_size=chunk_size):
        entry_id, seq, at, actor_id, action, object_type, object_id, summary, before, after, stored_prev, stored = row
        if seq != expected_seq:
            # seq is unique and the rows come in order, so a larger number means a gap.
            return fail(expected_seq, None, "missing", _("第 %(seq)d 条记录缺失。") % {"seq": expected_seq})
        computed = entry_hash(
            seq=seq,
            at=at,
            actor_id=actor_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            summary=summary,
            before=before,
            after=after,
            prev_hash=stored_prev,
        )
        if computed != stored:
            return fail(seq, entry_id, "altered", _("第 %(seq)d 条记录的内容与其哈希不符，已被改动。") % {"seq": seq})
        if stored_prev != prev_hash:
            return fail(
                seq, entry_id, "broken_link", _("第 %(seq)d 条记录的前一条哈希与上一条记录不符。") % {"seq": seq}
            )
        prev_hash = stored
        last_id = entry_id
        intact += 1
        expected_seq += 1
        if progress is not None and intact % chunk_size == 0:
            progress(intact)
    if progress is not None:
        progress(intact)
    last_seq = expected_seq - 1
    if head is None:
        if intact == 0:
            return VerifyReport(ok=True, entries=0, first_problem=None)
        return fail(last_seq, None, "head_missing", _("审计链头记录缺失，无法确认末尾的记录是否被删除。"))
    head_seq, head_hash = head
    if head_seq > last_seq:
        return fail(
            last_seq + 1,
            None,
            "truncated",
            _("链头记录到第 %(head)d 条，但最后一条是第 %(last)d 条：末尾的记录已被删除。")
            % {"head": head_seq, "last": last_seq},
        )
    if head_hash != prev_hash:
        return fail(
            last_seq, last_id, "head_mismatch", _("第 %(seq)d 条记录与链头记录的哈希不符。") % {"seq": last_seq}
        )
    head_now = AuditHead.objects.filter(pk=1).values_list("seq", flat=True).first()
    if head_now is None:
        return fail(last_seq, None, "head_missing", _("审计链头记录缺失，无法确认末尾的记录是否被删除。"))
    beyond = AuditEntry.objects.filter(seq__gt=head_now).order_by("seq").values_list("seq", "id").first()
    if beyond is not None:
        return fail(
            beyond[0],
            beyond[1],
            "head_mismatch",
            _("第 %(seq)d 条记录在链头记录之后，不是经由审计服务写入的。") % {"seq": beyond[0]},
        )
    return VerifyReport(ok=True, entries=intact, first_problem=None)
