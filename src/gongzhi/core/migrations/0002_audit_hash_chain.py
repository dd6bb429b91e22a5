"""Chain the audit log: seq, prev_hash and hash on every entry, and the AuditHead row.

Existing entries are chained in id order (the order they were written). Written by hand:
fields are added nullable / with an empty default first, filled by RunPython, then seq is made
unique and required. Works on SQLite and PostgreSQL.
"""

import datetime as dt
import hashlib
import json
import math
from decimal import Decimal

import django.utils.timezone
from django.db import migrations, models

GENESIS_HASH = "0" * 64
BATCH = 2000


# A frozen copy of gongzhi.core.audit._canonical and entry_hash: a migration must not import app
# code (the app's version may change later, this one must keep hashing the way it did when the
# migration ran). tests/test_audit_chain.py checks that both give the same hash.
def _canonical(value):
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            exact = Decimal(repr(value))
            if exact == exact.to_integral_value():
                return int(exact)
        return value
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return value


def entry_hash(*, seq, at, actor_id, action, object_type, object_id, summary, before, after, prev_hash):
    document = {
        "seq": seq,
        "at": at.astimezone(dt.timezone.utc).isoformat(timespec="microseconds"),
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
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def chain_existing(apps, schema_editor):
    """Number and hash the existing entries in id order, then record the head.

    Pages by id instead of holding a cursor open while updating the same table (SQLite does not
    isolate the two within one connection).
    """
    AuditEntry = apps.get_model("core", "AuditEntry")
    AuditHead = apps.get_model("core", "AuditHead")
    db = schema_editor.connection.alias
    seq = 0
    prev_hash = GENESIS_HASH
    last_id = 0
    while True:
        batch = list(AuditEntry.objects.using(db).filter(id__gt=last_id).order_by("id")[:BATCH])
        if not batch:
            break
        for entry in batch:
            seq += 1
            entry.seq = seq
            entry.prev_hash = prev_hash
            entry.hash = entry_hash(
                seq=seq,
                at=entry.at,
                actor_id=entry.actor_id,
                action=entry.action,
                object_type=entry.object_type,
                object_id=entry.object_id,
                summary=entry.summary,
                before=entry.before,
                after=entry.after,
                prev_hash=prev_hash,
            )
            prev_hash = entry.hash
        AuditEntry.objects.using(db).bulk_update(batch, ["seq", "prev_hash", "hash"])
        last_id = batch[-1].id
    AuditHead.objects.using(db).update_or_create(pk=1, defaults={"seq": seq, "hash": prev_hash})


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, null=True, verbose_name="序号"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="前一条哈希"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="哈希"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, editable=False, verbose_name="时间"
            ),
        ),
        migrations.CreateModel(
            name="AuditHead",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, editable=False, primary_key=True, serialize=False)),
                ("seq", models.PositiveBigIntegerField(default=0, verbose_name="最新序号")),
                ("hash", models.CharField(default=GENESIS_HASH, max_length=64, verbose_name="最新哈希")),
            ],
            options={
                "verbose_name": "审计链头",
                "verbose_name_plural": "审计链头",
                "constraints": [models.CheckConstraint(condition=models.Q(id=1), name="core_audithead_single_row")],
            },
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditentry",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, unique=True, verbose_name="序号"),
        ),
    ]
