"""An Excel import of a pool (issue 13, item 1): queued by the import page, run by the task worker
(talent/tasks.py, talent/excel/imports.py), shown with its progress and outcome on its own page."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.talent.models.people import TalentPool


class TalentImportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    REFUSED = "refused", _("已拒绝")
    FAILED = "failed", _("出错")


class TalentImport(models.Model):
    """One upload of the talent import workbook, its state and its outcome: the counts per sheet,
    or every problem by sheet, row and column (nothing is written then)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pool = models.ForeignKey(TalentPool, on_delete=models.CASCADE, related_name="imports", verbose_name=_("人才库"))
    file_name = models.CharField(_("文件名"), max_length=255)
    file_path = models.CharField(max_length=500, blank=True)  # emptied once the import has ended
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=TalentImportStatus.choices, default=TalentImportStatus.QUEUED
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    problems = models.JSONField(default=list, blank=True)  # [{"sheet", "row", "column", "message"}]
    counts = models.JSONField(default=list, blank=True)  # [[sheet, created, updated]]

    class Meta:
        verbose_name = _("人才库导入")
        verbose_name_plural = _("人才库导入")
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in {TalentImportStatus.DONE, TalentImportStatus.REFUSED, TalentImportStatus.FAILED}
