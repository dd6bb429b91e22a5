"""Running a registry import: synchronously (the CLI, tests) or as a queued task with its
progress recorded for the import pages, and the audit entry of each import."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor, acting_user
from gongzhi.core.audit import audit_record
from gongzhi.core.errors import AccessDeniedError, ImportRefusedError, RowProblem
from gongzhi.core.files import keep_import_upload
from gongzhi.core.workbooks import WorkbookReadFailedError
from gongzhi.elevators.models import ImportStatus, RegistryImport
from gongzhi.elevators.registry.access import require_may_import
from gongzhi.elevators.registry.check import check
from gongzhi.elevators.registry.read import READ_LIMITS, read_workbook
from gongzhi.elevators.registry.spec import SHEETS, Progress
from gongzhi.elevators.registry.write import write

logger = logging.getLogger(__name__)

# A running import whose worker went silent this long is marked failed (see registry_imports_reap):
# the read in the child is bounded by READ_LIMITS.seconds, every other phase reports progress often.
STALE_AFTER = dt.timedelta(seconds=READ_LIMITS.seconds) + dt.timedelta(minutes=10)


@dataclass
class ImportResult:
    counts: dict[str, dict[str, int]]
    warnings: list[dict[str, object]]
    subdistrict_ids: set[int]

    def as_dict(self) -> dict[str, Any]:
        return {"counts": self.counts, "warnings": self.warnings}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _import(
    *, actor: Actor, path: Path, file_name: str, progress: Progress | None, import_id: uuid.UUID | None = None
) -> ImportResult:
    require_may_import(actor)
    # Millions of small lists and tuples, none of them in a reference cycle: the cyclic
    # garbage collector would only scan them again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        result = _import_collected(actor=actor, path=path, file_name=file_name, progress=progress, import_id=import_id)
    finally:
        if collecting:
            gc.enable()
    if result.subdistrict_ids:
        from gongzhi.elevators.services import campaigns_rerank

        try:
            campaigns_rerank(subdistrict_ids=set(result.subdistrict_ids))
        except Exception:  # the registry is written; a failed re-rank must not report the import as failed
            logger.exception("re-ranking campaigns after a registry import failed")
            result.warnings.append(
                {
                    "sheet": "",
                    "row": None,
                    "column": None,
                    "message": _("数据已导入，但更新行动重新排序失败，请稍后手动重新排序。"),
                }
            )
    return result


def _import_collected(
    *, actor: Actor, path: Path, file_name: str, progress: Progress | None, import_id: uuid.UUID | None
) -> ImportResult:
    sheets, problems = read_workbook(path, progress)
    if problems.structural:
        raise ImportRefusedError(problems=problems.final())
    plan = check(actor, sheets, problems, progress)
    if problems:
        raise ImportRefusedError(problems=problems.final())
    digest = _sha256(path)
    with transaction.atomic():
        counts = write(sheets, plan, progress)
        audit_record(
            actor=actor,
            action="registry_import",
            object_type="registry_import",
            object_id=import_id or digest[:16],
            summary=file_name,
            after={"file_name": file_name, "sha256": digest, "counts": counts, "warnings": len(plan.warnings)},
        )
    return ImportResult(counts=counts, warnings=plan.warnings, subdistrict_ids=plan.subdistrict_ids)


def registry_import_file(*, actor: Actor, path: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Import a registry workbook synchronously (the CLI, tests, the task).

    Returns {"counts": {what: {"created": n, "updated": m}}, "warnings": [...]}.
    Raises ImportRefusedError (nothing written) listing every problem found, or the reason the
    file could not be read (too large or complex for the reading child's limits).
    """
    try:
        return _import(actor=actor, path=Path(path), file_name=Path(path).name, progress=progress).as_dict()
    except WorkbookReadFailedError as exc:
        raise ImportRefusedError(problems=[RowProblem("", None, None, exc.message)]) from exc


def imports_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def registry_import_start(*, actor: Actor, data: bytes, file_name: str) -> RegistryImport:
    """Keep the uploaded file, record the import and queue it (elevators.tasks)."""
    require_may_import(actor, saved_user=True)
    import_id, path = keep_import_upload(data, imports_dir())
    imp = RegistryImport.objects.create(
        id=import_id,
        file_name=Path(file_name).name[:255] or "registry.xlsx",
        file_path=str(path),
        created_by=acting_user(actor),
        status=ImportStatus.QUEUED,
    )
    from gongzhi.elevators.tasks import registry_import_task

    registry_import_task.enqueue(str(import_id), translation.get_language())
    imp.refresh_from_db()
    return imp


def _progress_path(imp: RegistryImport) -> Path:
    return Path(imp.file_path).with_suffix(".progress.json")


def registry_import_progress(imp: RegistryImport) -> tuple[str, int, int]:
    """(phase, done, total) of an import. While the rows are written inside the import's
    transaction the row cannot show progress to other connections, so the worker also keeps
    it in a small file beside the upload."""
    if imp.status == ImportStatus.RUNNING:
        try:
            data = json.loads(_progress_path(imp).read_text())
            return str(data["phase"]), int(data["done"]), int(data["total"])
        except (OSError, ValueError, KeyError, TypeError):
            pass  # not written yet, or caught half-written: the row's own figures below are shown
    return imp.phase, imp.done, imp.total


class _ProgressRecorder:
    """Writes an import's progress at most every ~1% of a phase (few writes)."""

    def __init__(self, imp: RegistryImport) -> None:
        self.imp = imp
        self.path = _progress_path(imp)
        self.phase = ""
        self.last = 0
        self.total = 0

    def __call__(self, phase: str, done: int, total: int) -> None:
        step = max(total // 100, 1) if phase == "read" else max(total // 100, 2000)
        if phase == self.phase and done - self.last < step and done != total:
            return
        self.phase, self.last, self.total = phase, done, total
        try:
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"phase": phase, "done": done, "total": total}))
            tmp.replace(self.path)
        except OSError:
            logger.warning("cannot write import progress to %s", self.path)
        if phase != "write":  # outside the import's transaction: the row itself can show it
            RegistryImport.objects.filter(pk=self.imp.pk).update(phase=phase, done=done, total=total)

    def cleanup(self) -> None:
        self.path.unlink(missing_ok=True)


_FINISHED = {ImportStatus.DONE, ImportStatus.REFUSED, ImportStatus.FAILED}


def _heartbeat(imp: RegistryImport) -> dt.datetime:
    """When a running import last showed life: its progress file, written at the start and at
    every step of each phase (registry_import_run, _ProgressRecorder)."""
    try:
        touched = dt.datetime.fromtimestamp(_progress_path(imp).stat().st_mtime, tz=dt.UTC)
    except OSError:
        return imp.created_at
    return max(imp.created_at, touched)


def registry_imports_reap(*, now: dt.datetime | None = None) -> int:
    """Mark failed the imports left "running" by a worker that died (killed, out of memory, the
    machine restarted): silent for longer than STALE_AFTER. Nothing of theirs was written (the
    rows are written in one transaction). Called when a worker starts an import and when the
    import pages are shown. Returns how many were marked."""
    now = now or timezone.now()
    marked = 0
    for imp in RegistryImport.objects.filter(status=ImportStatus.RUNNING):
        if now - _heartbeat(imp) <= STALE_AFTER:
            continue
        problem = RowProblem(
            "",
            None,
            None,
            _("导入中断：处理导入的后台进程已停止（可能是文件过大或过于复杂），未写入任何数据。请检查文件后重新上传。"),
        )
        marked += RegistryImport.objects.filter(pk=imp.pk, status=ImportStatus.RUNNING).update(
            status=ImportStatus.FAILED, problems=[problem.as_dict()], finished_at=now
        )
        _progress_path(imp).unlink(missing_ok=True)
        logger.warning("registry import %s was left running since %s: marked failed", imp.pk, _heartbeat(imp))
    return marked


def registry_import_run(*, import_id: uuid.UUID, language: str | None = None) -> RegistryImport:
    """Run a queued import (called by the task) and record its outcome on the RegistryImport."""
    registry_imports_reap()
    imp = RegistryImport.objects.select_related("created_by").get(pk=import_id)
    if imp.status in _FINISHED:
        return imp
    with translation.override(language or settings.LANGUAGE_CODE):
        actor = imp.created_by
        if actor is None or not actor.is_active:
            imp.status = ImportStatus.FAILED
            imp.problems = [RowProblem("", None, None, _("发起导入的用户已不存在或已停用。")).as_dict()]
            imp.finished_at = timezone.now()
            imp.save(update_fields=["status", "problems", "finished_at"])
            return imp
        imp.status = ImportStatus.RUNNING
        imp.save(update_fields=["status"])
        recorder = _ProgressRecorder(imp)
        recorder("read", 0, len(SHEETS))  # the first heartbeat (registry_imports_reap)
        try:
            result = _import(
                actor=actor, path=Path(imp.file_path), file_name=imp.file_name, progress=recorder, import_id=imp.pk
            )
        except ImportRefusedError as exc:
            imp.status = ImportStatus.REFUSED
            imp.problems = [p.as_dict() for p in exc.problems]
        except AccessDeniedError as exc:
            imp.status = ImportStatus.REFUSED
            imp.problems = [RowProblem("", None, None, exc.message).as_dict()]
        except WorkbookReadFailedError as exc:  # the reading child was killed or ran out of time
            imp.status = ImportStatus.FAILED
            imp.problems = [RowProblem("", None, None, exc.message).as_dict()]
        except Exception:
            logger.exception("registry import %s failed", import_id)
            imp.status = ImportStatus.FAILED
            imp.problems = [
                RowProblem("", None, None, _("导入时发生内部错误，未写入任何数据。请联系管理员。")).as_dict()
            ]
        else:
            imp.status = ImportStatus.DONE
            imp.counts = result.counts
            imp.warnings = result.warnings
            if len(result.subdistrict_ids) == 1:
                imp.subdistrict_id = next(iter(result.subdistrict_ids))
        imp.phase, imp.done, imp.total = recorder.phase, recorder.last, recorder.total
        recorder.cleanup()
        imp.finished_at = timezone.now()
        fields = ["status", "problems", "counts", "warnings", "subdistrict", "phase", "done", "total", "finished_at"]
        imp.save(update_fields=fields)
    return imp
