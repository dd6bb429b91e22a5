"""The hash-chained audit log (core.audit, migration 0002) and `gongzhi audit-verify`.

Tampering is simulated with raw SQL, the way someone with database access would do it, since
the ORM refuses to update or delete entries. JSON values are ones PostgreSQL's jsonb gives back
unchanged or normalises (whole-number floats), so the tests hold on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
import json
import threading
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor

from gongzhi.cli import main as gongzhi_main
from gongzhi.core.audit import audit_record, audit_verify, entry_hash
from gongzhi.core.models import GENESIS_HASH, AuditEntry, AuditHead
from tests import factories as f

pytestmark = pytest.mark.django_db

migration_0002 = importlib.import_module("gongzhi.core.migrations.0002_audit_hash_chain")

CONTENT = ("at", "actor", "action", "object_type", "object_id", "summary", "before", "after")


def _payload(i: int) -> dict[str, Any]:
    return {
        "名称": f"亲亲家园 {i}幢",
        "count": i,
        "nested": {"b": [1, "二", {"c": None}], "a": True},
        "amount": "1234.50",
    }


@pytest.fixture
def log() -> list[AuditEntry]:
    """Five entries, the first by a user, with Chinese text and nested JSON."""
    user = f.UserFactory()
    return [
        audit_record(
            actor=user if i == 0 else None,
            action="campaign_open" if i % 2 else "registry_import",
            object_type="campaign",
            object_id=i + 1,
            summary=f"良渚街道 第{i + 1}条",
            before=_payload(i) if i % 2 else None,
            after=_payload(i + 10),
        )
        for i in range(5)
    ]


def _db_value(name: str, value: Any) -> tuple[str, Any]:
    field = AuditEntry._meta.get_field(name)
    return field.column, field.get_db_prep_value(value, connection, prepared=False)  # type: ignore[union-attr]


def raw_update(entry_id: int, **values: Any) -> None:
    """UPDATE bypassing the model (and its append-only guard)."""
    sets, params = [], []
    for name, value in values.items():
        column, db_value = _db_value(name, value)
        sets.append(f"{connection.ops.quote_name(column)} = %s")
        params.append(db_value)
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {', '.join(sets)} WHERE id = %s", [*params, entry_id])  # noqa: S608


def raw_delete(entry_id: int) -> None:
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [entry_id])  # noqa: S608


def stored(entry: AuditEntry) -> AuditEntry:
    return AuditEntry.objects.get(pk=entry.pk)


def hash_of(entry: AuditEntry, function: Any = entry_hash) -> str:
    return str(
        function(
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
    )


# --- the chain as written ---------------------------------------------------------------------


def test_entries_are_numbered_and_linked(log: list[AuditEntry]) -> None:
    assert [e.seq for e in log] == [1, 2, 3, 4, 5]
    assert log[0].prev_hash == GENESIS_HASH
    for before, entry in itertools.pairwise(log):
        assert entry.prev_hash == before.hash
    assert len({e.hash for e in log}) == 5
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (5, log[-1].hash)


def test_hash_read_back_from_the_database_is_the_hash_written(log: list[AuditEntry]) -> None:
    for entry in log:
        again = stored(entry)
        assert again.at == entry.at  # microseconds survive the round trip
        assert again.hash == entry.hash == hash_of(again)


def test_return_value_is_the_saved_entry(log: list[AuditEntry]) -> None:
    entry = log[0]
    assert isinstance(entry, AuditEntry)
    assert entry.pk is not None
    assert (entry.action, entry.object_id, entry.summary) == ("registry_import", "1", "良渚街道 第1条")
    assert entry.actor is not None


def test_summary_is_cut_to_the_column_and_hashed_as_stored() -> None:
    entry = audit_record(actor=None, action="x", object_type="t", summary="长" * 300)
    assert len(stored(entry).summary) == 255
    assert audit_verify().ok


def test_whole_number_floats_hash_like_the_integers_jsonb_returns() -> None:
    """PostgreSQL's jsonb may return 1e16 as 10000000000000000 and keeps key order its own way."""
    base = {
        "seq": 1,
        "at": dt.datetime(2024, 9, 1, 4, 5, 6, 789, tzinfo=dt.UTC),
        "actor_id": None,
        "action": "a",
        "object_type": "t",
        "object_id": "1",
        "summary": "",
        "before": None,
        "prev_hash": GENESIS_HASH,
    }
    as_written = entry_hash(**base, after={"z": 1.0, "a": [1e16, 0.5], "中": "文"})
    as_read_back = entry_hash(**base, after={"a": [10**16, 0.5], "中": "文", "z": 1})
    assert as_written == as_read_back
    assert entry_hash(**base, after={"z": 2}) != as_written


def test_same_instant_in_another_time_zone_hashes_the_same() -> None:
    utc = dt.datetime(2024, 9, 1, 4, 0, 0, 123456, tzinfo=dt.UTC)
    shanghai = utc.astimezone(dt.timezone(dt.timedelta(hours=8)))
    kwargs: dict[str, Any] = {
        "seq": 1,
        "actor_id": 3,
        "action": "a",
        "object_type": "t",
        "object_id": "1",
        "summary": "s",
        "before": None,
        "after": None,
        "prev_hash": GENESIS_HASH,
    }
    assert entry_hash(at=utc, **kwargs) == entry_hash(at=shanghai, **kwargs)
    assert entry_hash(at=utc, **kwargs) != entry_hash(at=utc + dt.timedelta(microseconds=1), **kwargs)


def test_head_row_is_recreated_when_missing() -> None:
    """A flushed database (TransactionTestCase, a partial restore) has no head row."""
    AuditHead.objects.all().delete()
    first = audit_record(actor=None, action="x", object_type="t")
    AuditHead.objects.all().delete()
    second = audit_record(actor=None, action="y", object_type="t")
    assert (first.seq, second.seq) == (1, 2)
    assert second.prev_hash == first.hash
    assert audit_verify().ok


# --- verification -----------------------------------------------------------------------------


def test_untouched_log_verifies(log: list[AuditEntry]) -> None:
    report = audit_verify()
    assert report.ok
    assert report.entries == 5
    assert report.first_problem is None


def test_empty_log_verifies() -> None:
    assert audit_verify().as_dict() == {"ok": True, "entries": 0, "first_problem": None}


def test_verify_streams_in_chunks(log: list[AuditEntry]) -> None:
    seen: list[int] = []
    report = audit_verify(progress=seen.append, chunk_size=2)
    assert report.ok
    assert seen == [2, 4, 5]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("summary", "良渚街道 第3条（改）"),
        ("after", {**_payload(12), "count": 13}),
        ("after", None),
        ("before", {"名称": "伪造"}),
        ("action", "campaign_close"),
        ("object_id", "99"),
        ("at", "plus_one_second"),
        ("actor", "another_user"),
    ],
)
def test_altered_middle_row_is_reported(log: list[AuditEntry], field: str, value: Any) -> None:
    middle = log[2]
    if value == "plus_one_second":
        value = middle.at + dt.timedelta(seconds=1)
    elif value == "another_user":
        value = f.UserFactory().pk
    raw_update(middle.pk, **{field: value})
    assert getattr(stored(middle), f"{field}_id" if field == "actor" else field) != getattr(
        middle, f"{field}_id" if field == "actor" else field
    )
    report = audit_verify()
    assert not report.ok
    assert report.first_problem is not None
    assert report.first_problem["kind"] == "altered"
    assert (report.first_problem["seq"], report.first_problem["id"]) == (3, middle.pk)
    assert report.entries == 2
    assert "3" in report.first_problem["message"]


def test_actor_removed_from_a_row_is_reported(log: list[AuditEntry]) -> None:
    raw_update(log[0].pk, actor=None)
    report = audit_verify()
    assert report.first_problem is not None
    assert (report.first_problem["kind"], report.first_problem["seq"]) == ("altered", 1)


def test_deleted_middle_row_is_missing(log: list[AuditEntry]) -> None:
    raw_delete(log[1].pk)
    report = audit_verify()
    assert not report.ok
    assert report.first_problem is not None
    assert report.first_problem["kind"] == "missing"
    assert report.first_problem["seq"] == 2
    assert report.first_problem["id"] is None
    assert report.entries == 1


def test_deleted_first_row_is_missing(log: list[AuditEntry]) -> None:
    raw_delete(log[0].pk)
    report = audit_verify()
    assert report.first_problem is not None
    assert (report.first_problem["kind"], report.first_problem["seq"]) == ("missing", 1)


def test_deleted_newest_row_is_truncated(log: list[AuditEntry]) -> None:
    raw_delete(log[-1].pk)
    report = audit_verify()
    assert not report.ok
    assert report.first_problem is not None
    assert report.first_problem["kind"] == "truncated"
    assert report.first_problem["seq"] == 5
    assert report.entries == 4


def test_every_row_deleted_is_truncated(log: list[AuditEntry]) -> None:
    for entry in log:
        raw_delete(entry.pk)
    report = audit_verify()
    assert report.first_problem is not None
    assert (report.first_problem["kind"], report.first_problem["seq"]) == ("truncated", 1)


def test_swapped_contents_are_reported(log: list[AuditEntry]) -> None:
    second, third = stored(log[1]), stored(log[2])
    raw_update(second.pk, **{name: getattr(third, name if name != "actor" else "actor_id") for name in CONTENT})
    raw_update(third.pk, **{name: getattr(second, name if name != "actor" else "actor_id") for name in CONTENT})
    assert stored(log[1]).summary == third.summary
    report = audit_verify()
    assert report.first_problem is not None
    assert (report.first_problem["kind"], report.first_problem["seq"]) == ("altered", 2)


def test_swapped_positions_are_reported(log: list[AuditEntry]) -> None:
    """Reordering: entries 2 and 3 exchange their seq (through a free number, seq is unique)."""
    raw_update(log[1].pk, seq=1000)
    raw_update(log[2].pk, seq=2)
    raw_update(log[1].pk, seq=3)
    report = audit_verify()
    assert report.first_problem is not None
    assert (report.first_problem["kind"], report.first_problem["seq"]) == ("altered", 2)
    assert report.first_problem["id"] == log[2].pk


def test_rehashed_forgery_breaks_the_next_link(log: list[AuditEntry]) -> None:
    """Someone who knows the algorithm changes a row and recomputes its hash: the next row notices."""
    forged = stored(log[2])
    forged.summary = "伪造的摘要"
    raw_update(forged.pk, summary=forged.summary, hash=hash_of(forged))
    report = audit_verify()
    assert report.first_problem is not None
    assert report.first_problem["kind"] == "broken_link"
    assert (report.first_problem["seq"], report.first_problem["id"]) == (4, log[3].pk)
    assert report.entries == 3


def test_rehashed_newest_row_disagrees_with_the_head(log: list[AuditEntry]) -> None:
    forged = stored(log[-1])
    forged.summary = "伪造的摘要"
    raw_update(forged.pk, summary=forged.summary, hash=hash_of(forged))
    report = audit_verify()
    assert report.first_problem is not None
    assert report.first_problem["kind"] == "head_mismatch"
    assert (report.first_problem["seq"], report.first_problem["id"]) == (5, forged.pk)


def test_row_appended_behind_the_heads_back_is_reported(log: list[AuditEntry]) -> None:
    """A well-chained row inserted without moving the head did not come through audit_record."""
    head_before = AuditHead.objects.get(pk=1)
    appended = audit_record(actor=None, action="x", object_type="t")
    AuditHead.objects.filter(pk=1).update(seq=head_before.seq, hash=head_before.hash)
    report = audit_verify()
    assert report.first_problem is not None
    assert report.first_problem["kind"] == "head_mismatch"
    assert (report.first_problem["seq"], report.first_problem["id"]) == (6, appended.pk)


def test_missing_head_is_reported(log: list[AuditEntry]) -> None:
    AuditHead.objects.all().delete()
    report = audit_verify()
    assert report.first_problem is not None
    assert report.first_problem["kind"] == "head_missing"
    assert report.entries == 5


# --- the command ------------------------------------------------------------------------------


def run_command(capsys: Any, *args: str) -> tuple[int, str, str]:
    code = 0
    try:
        call_command("audit_verify", *args)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_command_ok(capsys: Any, log: list[AuditEntry]) -> None:
    code, out, err = run_command(capsys)
    assert (code, err) == (0, "")
    assert json.loads(out) == {"ok": True, "entries": 5, "first_problem": None}


def test_command_reports_the_problem_and_exits_1(capsys: Any, log: list[AuditEntry]) -> None:
    raw_update(log[3].pk, summary="改")
    code, out, _err = run_command(capsys)
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False
    assert report["entries"] == 3
    assert report["first_problem"]["seq"] == 4
    assert report["first_problem"]["id"] == log[3].pk
    assert report["first_problem"]["kind"] == "altered"
    assert set(report["first_problem"]) == {"seq", "id", "kind", "message"}


def test_command_quiet(capsys: Any, log: list[AuditEntry]) -> None:
    code, out, _err = run_command(capsys, "--quiet")
    assert code == 0
    assert out.count("\n") == 1
    assert "5" in out
    raw_delete(log[1].pk)
    code, out, _err = run_command(capsys, "--quiet")
    assert code == 1
    assert out.count("\n") == 1
    assert "missing" in out


def test_gongzhi_audit_verify_with_a_hyphen(capsys: Any, log: list[AuditEntry]) -> None:
    raw_delete(log[-1].pk)
    with pytest.raises(SystemExit) as exc:
        gongzhi_main(["gongzhi", "audit-verify"])
    assert exc.value.code == 1
    assert json.loads(capsys.readouterr().out)["first_problem"]["kind"] == "truncated"


# --- the migration ----------------------------------------------------------------------------


def test_migration_hash_equals_the_app_hash(log: list[AuditEntry]) -> None:
    odd = audit_record(
        actor=None,
        action="x",
        object_type="t",
        after={"f": 2.0, "big": 1e16, "small": 0.25, "list": [1, 1.5, "中文", {"k": None}], "neg": -3},
    )
    for entry in [*log, odd]:
        again = stored(entry)
        assert hash_of(again, migration_0002.entry_hash) == hash_of(again) == entry.hash
        assert hash_of(entry, migration_0002.entry_hash) == hash_of(entry)
    assert migration_0002.GENESIS_HASH == GENESIS_HASH


def test_migration_chains_existing_rows_as_the_app_would(log: list[AuditEntry]) -> None:
    """Run the migration's RunPython over rows written by the app: same seq, links and hashes."""
    state_apps = MigrationExecutor(connection).loader.project_state(("core", "0002_audit_hash_chain")).apps
    raw_update(log[0].pk, hash="", prev_hash="")
    AuditHead.objects.all().delete()
    migration_0002.chain_existing(state_apps, SimpleNamespace(connection=connection))
    assert [stored(e).hash for e in log] == [e.hash for e in log]
    assert [stored(e).seq for e in log] == [1, 2, 3, 4, 5]
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (5, log[-1].hash)
    assert audit_verify().ok


# --- the append-only guards -------------------------------------------------------------------


def test_append_only_guards_still_raise(log: list[AuditEntry]) -> None:
    entry = stored(log[0])
    entry.summary = "改"
    with pytest.raises(RuntimeError, match="append-only"):
        entry.save()
    with pytest.raises(RuntimeError, match="append-only"):
        entry.delete()
    with pytest.raises(RuntimeError, match="append-only"):
        AuditEntry.objects.filter(pk=entry.pk).update(summary="改")
    with pytest.raises(RuntimeError, match="append-only"):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(RuntimeError, match="append-only"):
        AuditEntry.objects.bulk_update([entry], ["summary"])
    assert stored(log[0]).summary == log[0].summary
    assert audit_verify().ok


# --- concurrent writers (PostgreSQL) ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain() -> None:
    """Threads append at once; the head lock makes them take turns (SQLite serialises anyway)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite's test database is one in-memory connection")
    threads, per_thread = 8, 25
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                audit_record(actor=None, action="concurrent", object_type="t", object_id=f"{n}-{i}")
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    report = audit_verify()
    assert report.ok, report.first_problem
    assert report.entries == threads * per_thread
    assert set(AuditEntry.objects.values_list("seq", flat=True)) == set(range(1, threads * per_thread + 1))


# --- the back office --------------------------------------------------------------------------


def test_back_office_shows_the_chain_read_only(client: Any, log: list[AuditEntry]) -> None:
    admin_user = f.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    listing = client.get("/admin/core/auditentry/")
    assert listing.status_code == 200
    assert log[2].hash[:12] in listing.content.decode()
    page = client.get(f"/admin/core/auditentry/{log[2].pk}/change/")
    assert page.status_code == 200
    assert log[2].hash in page.content.decode()
    assert log[2].prev_hash in page.content.decode()
    refused = client.post(f"/admin/core/auditentry/{log[2].pk}/change/", {"summary": "改"})
    assert refused.status_code == 403
    assert client.post(f"/admin/core/auditentry/{log[2].pk}/delete/", {"post": "yes"}).status_code == 403
    assert audit_verify().ok
