"""The append-only, hash-chained audit log.

Every change made through a service writes one AuditEntry: who, what, when, and the
state before and after. Entries are never updated or deleted through the ORM.

The log is tamper-evident (docs/audit.md): each entry has a position `seq` (1, 2, 3, …) and
carries the hash of the entry before it (`prev_hash`) and its own `hash`, a SHA-256 over its
content and `prev_hash` (core.audit.entry_hash). Changing, removing or reordering a stored row
therefore breaks the chain at that row, and `gongzhi audit-verify` reports where. The single
AuditHead row records the newest position and hash, so removing the newest entries is noticed
too, and it is the lock that makes concurrent writers append one after another.

Why: owners' decisions under Civil Code Art. 278 can be challenged in court (Art. 280 para. 2 lets
an owner whose rights a decision infringes ask for it to be annulled, within one year by the
Supreme People's Court interpretation on building ownership, Art. 12), and the record of who did
what is evidence there: it must show whether it was edited after the fact.
"""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64
"""The `prev_hash` of the first entry: there is nothing before it."""


def _append_only(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise RuntimeError("audit entries are append-only")


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    """Bulk update and delete would bypass the model's guards; refuse them as well."""

    def update(self, **kwargs: Any) -> int:
        _append_only()

    def delete(self) -> tuple[int, dict[str, int]]:
        _append_only()

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        _append_only()


class AuditEntry(models.Model):
    seq = models.PositiveBigIntegerField(_("序号"), unique=True, editable=False)
    # Set in Python (core.audit.audit_record) before hashing, so the hash covers the stored value.
    at = models.DateTimeField(_("时间"), default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("操作"), max_length=64)
    object_type = models.CharField(_("对象类型"), max_length=64)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    summary = models.CharField(_("摘要"), max_length=255, blank=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64, editable=False)
    hash = models.CharField(_("哈希"), max_length=64, editable=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering: ClassVar[list[str]] = ["-at", "-id"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            _append_only()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        _append_only()


class AuditHead(models.Model):
    """The end of the chain: one row (id 1) with the newest entry's seq and hash.

    audit_record locks this row (SELECT … FOR UPDATE) before appending, so on PostgreSQL two
    writers never take the same `seq` or `prev_hash`; SQLite serialises writers already
    (transaction_mode IMMEDIATE). audit_verify compares it with the newest row to notice
    entries deleted from the end. seq 0 and GENESIS_HASH mean "no entry yet".
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    seq = models.PositiveBigIntegerField(_("最新序号"), default=0)
    hash = models.CharField(_("最新哈希"), max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=models.Q(id=1), name="core_audithead_single_row"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class Throttle(models.Model):
    """One rate-limit counter (core.throttle): failures of one kind (`scope`) by one subject
    (`key`, an HMAC-SHA256 of e.g. the meeting and the client address, so no name or address is
    kept in clear), counted since `window_start`; `blocked_until` is set when the limit is reached.

    In the database rather than a per-process cache, so every worker process and every server
    behind the proxy counts the same failures without Redis. core.throttle increments under
    SELECT … FOR UPDATE, so concurrent failures on PostgreSQL each count once.
    """

    scope = models.CharField(_("限制类别"), max_length=64)
    key = models.CharField(_("对象摘要"), max_length=64)
    count = models.PositiveIntegerField(_("失败次数"), default=0)
    window_start = models.DateTimeField(_("计数开始"))
    blocked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)

    class Meta:
        verbose_name = _("尝试次数限制")
        verbose_name_plural = _("尝试次数限制")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["scope", "key"], name="core_throttle_one_counter_per_subject"),
        ]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["scope", "window_start"])]

    def __str__(self) -> str:
        return f"{self.scope} {self.key[:12]} × {self.count}"
