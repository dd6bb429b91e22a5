"""The Excel import of a pool as a job (issue 13, item 1): the page keeps the upload and queues it
(talent_import_start), the task worker runs it (talent_import_run → excel.import_workbook, which
reads the workbook in a child process with memory and time limits), the page shows its state.

All or nothing as before. An import is refused (nothing written) when the file is not a workbook,
is beyond the reading limits or has any problem; it fails (nothing written) when the reading child
is killed or runs out of time, or on an internal error. An import left "running" by a worker that
died is marked failed by talent_imports_reap, so that it never shows as running forever.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor, acting_user
from gongzhi.core.errors import AccessDeniedError, DomainError, ImportRefusedError, RowProblem
from gongzhi.core.files import keep_import_upload
from gongzhi.core.workbooks import WorkbookReadFailedError
from gongzhi.talent.access import administers
from gongzhi.talent.excel import services as excel
from gongzhi.talent.models import TalentImport, TalentImportStatus, TalentPool

logger = logging.getLogger(__name__)

# Reading is bounded by excel.READ_LIMITS.seconds; checking and writing a pool's workbook take
# seconds. Silent longer than this, a running import's worker is gone.
STALE_AFTER = dt.timedelta(seconds=excel.READ_LIMITS.seconds) + dt.timedelta(minutes=10)


def imports_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / "talent"


def _problem(message: str) -> list[dict[str, object]]:
    return [RowProblem("", None, None, message).as_dict()]


def talent_import_start(*, actor: Actor, pool: TalentPool, data: bytes, file_name: str) -> TalentImport:
    """Keep the uploaded file, record the import and queue it (talent.tasks)."""
    if not getattr(actor, "pk", None) or not administers(actor, pool):
        raise AccessDeniedError(_("只有人才库管理员可以导入。"))
    import_id, path = keep_import_upload(data, imports_dir())
    imp = TalentImport.objects.create(
        id=import_id,
        pool=pool,
        file_name=Path(file_name).name[:255] or "talent.xlsx",
        file_path=str(path),
        created_by=acting_user(actor),
    )
    from gongzhi.talent.tasks import talent_import_task

    talent_import_task.enqueue(str(import_id), translation.get_language())
    imp.refresh_from_db()
    return imp


def talent_imports_reap(*, now: dt.datetime | None = None) -> int:
    """Mark failed the imports "running" for longer than STALE_AFTER (their worker died: nothing
    of theirs was written, the rows are written in one transaction). Called when the worker starts
    an import and when an import's page is shown. Returns how many were marked."""
    now = now or timezone.now()
    stale = TalentImport.objects.filter(status=TalentImportStatus.RUNNING, started_at__lt=now - STALE_AFTER)
    marked = 0
    for imp in stale:
        marked += TalentImport.objects.filter(pk=imp.pk, status=TalentImportStatus.RUNNING).update(
            status=TalentImportStatus.FAILED,
            problems=_problem(
                _(
                    "导入中断：处理导入的后台进程已停止（可能是文件过大或过于复杂），未写入任何数据。请检查文件后重新上传。"
                )
            ),
            finished_at=now,
            file_path="",
        )
        if imp.file_path:
            Path(imp.file_path).unlink(missing_ok=True)
        logger.warning("talent import %s was left running since %s: marked failed", imp.pk, imp.started_at)
    return marked


def talent_import_run(
    *, import_id: uuid.UUID, language: str | None = None, today: dt.date | None = None
) -> TalentImport:
    """Run a queued import (called by the task) and record its outcome on the TalentImport."""
    talent_imports_reap()
    imp = TalentImport.objects.select_related("created_by", "pool").get(pk=import_id)
    if imp.finished:
        return imp
    with translation.override(language or settings.LANGUAGE_CODE):
        actor = imp.created_by
        if actor is None or not actor.is_active:
            imp.status = TalentImportStatus.FAILED
            imp.problems = _problem(_("发起导入的用户已不存在或已停用。"))
        else:
            imp.status = TalentImportStatus.RUNNING
            imp.started_at = timezone.now()
            imp.save(update_fields=["status", "started_at"])
            _run(imp, actor, today)
        path = imp.file_path
        imp.file_path = ""  # the upload holds personal data: it is not kept once imported
        imp.finished_at = timezone.now()
        imp.save(update_fields=["status", "problems", "counts", "file_path", "finished_at"])
        if path:
            Path(path).unlink(missing_ok=True)
    return imp


def _run(imp: TalentImport, actor: Actor, today: dt.date | None) -> None:
    try:
        result = excel.import_workbook(actor=actor, pool=imp.pool, file=Path(imp.file_path), today=today)
    except ImportRefusedError as exc:
        imp.status = TalentImportStatus.REFUSED
        imp.problems = [p.as_dict() for p in exc.problems]
    except WorkbookReadFailedError as exc:  # the reading child was killed or ran out of time
        imp.status = TalentImportStatus.FAILED
        imp.problems = _problem(exc.message)
    except DomainError as exc:  # not a workbook, beyond the limits, no permission (any more)
        imp.status = TalentImportStatus.REFUSED
        imp.problems = _problem(exc.message)
    except Exception:
        logger.exception("talent import %s failed", imp.pk)
        imp.status = TalentImportStatus.FAILED
        imp.problems = _problem(_("导入时发生内部错误，未写入任何数据。请联系管理员。"))
    else:
        imp.status = TalentImportStatus.DONE
        imp.counts = [list(row) for row in result.as_rows()]


def pool_imports(pool: TalentPool) -> QuerySet[TalentImport]:
    """A pool's imports, newest first (the page checks that the user administers the pool)."""
    return TalentImport.objects.filter(pool=pool).select_related("created_by")
