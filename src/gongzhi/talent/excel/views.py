"""Pages of the Excel import and exports (issue 7, item 7): the import page with its template, the
page of one import with its progress and result, the pool's export, and a dossier's export (logged
as a dossier view). The import itself runs in the task worker (talent/excel/imports.py, issue 13)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core.audit import audit_record
from gongzhi.core.errors import RowProblem
from gongzhi.talent.access import (
    DossierAccess,
    access_cadres,
    access_pools,
    administers,
    dossier_access,
    log_dossier_view,
)
from gongzhi.talent.excel import services as excel
from gongzhi.talent.excel.imports import pool_imports, talent_import_start, talent_imports_reap
from gongzhi.talent.models import Cadre, TalentImport, TalentImportStatus, TalentPool
from gongzhi.talent.nav import pool_tabs

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_IMPORT_BYTES = 20 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel 文件"), help_text=gettext_lazy("请使用导入模板（.xlsx）。"))


def _admin_pool(request: HttpRequest, pool_id: int) -> TalentPool:
    pool: TalentPool = get_object_or_404(access_pools(request.user), pk=pool_id)
    if not administers(request.user, pool):
        raise PermissionDenied(_("只有人才库管理员可以导入导出。"))
    return pool


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def excel_page(request: HttpRequest, pool_id: int) -> HttpResponse:
    pool = _admin_pool(request, pool_id)
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_IMPORT_BYTES:
                form.add_error("file", _("文件：不能超过 20 MB。"))
            else:
                data = upload.read()
                if not data.startswith(excel.XLSX_MAGIC):
                    form.add_error("file", _("文件：只接受 Excel 工作簿（.xlsx），请用模板填写后上传。"))
                else:
                    imp = talent_import_start(actor=request.user, pool=pool, data=data, file_name=upload.name or "")
                    return redirect("talent_import", pool_id=pool.pk, import_id=imp.pk)
    talent_imports_reap()
    context: dict[str, Any] = {
        "pool": pool,
        "form": form,
        "tabs": pool_tabs(request.user, pool),
        "recent": list(pool_imports(pool)[:10]),
    }
    return render(request, "talent/excel_page.html", context, status=status)


def _import_context(imp: TalentImport) -> dict[str, Any]:
    percent = {TalentImportStatus.QUEUED.value: 0, TalentImportStatus.RUNNING.value: 50}.get(str(imp.status), 100)
    problems = [RowProblem(p["sheet"], p["row"], p["column"], p["message"]) for p in imp.problems]
    return {
        "imp": imp,
        "pool": imp.pool,
        "percent": percent,
        "problems": [(p, excel.problem_text(p)) for p in problems],
        "result": [tuple(row) for row in imp.counts],
    }


def _pool_import(request: HttpRequest, pool_id: int, import_id: uuid.UUID) -> TalentImport:
    pool = _admin_pool(request, pool_id)
    talent_imports_reap()
    imp: TalentImport = get_object_or_404(pool_imports(pool).select_related("pool"), pk=import_id)
    return imp


@login_required
@require_GET
def import_detail(request: HttpRequest, pool_id: int, import_id: uuid.UUID) -> HttpResponse:
    imp = _pool_import(request, pool_id, import_id)
    context = {**_import_context(imp), "tabs": pool_tabs(request.user, imp.pool)}
    return render(request, "talent/import_detail.html", context)


@login_required
@require_GET
def import_progress(request: HttpRequest, pool_id: int, import_id: uuid.UUID) -> HttpResponse:
    imp = _pool_import(request, pool_id, import_id)
    return render(request, "talent/import_progress.html", _import_context(imp))


@login_required
@require_GET
def excel_template(request: HttpRequest, pool_id: int) -> HttpResponse:
    pool = _admin_pool(request, pool_id)
    return _xlsx(excel.template_bytes(pool), f"talent-import-template-{pool.pk}.xlsx")


@login_required
@require_GET
def export_pool(request: HttpRequest, pool_id: int) -> HttpResponse:
    pool = _admin_pool(request, pool_id)
    today = timezone.localdate()
    content = excel.export_pool(pool, today)
    # The roster carries every member's scores and appraisals: who took it is on record.
    audit_record(
        actor=request.user,
        action="talent_pool_exported",
        object_type="talent.pool",
        object_id=pool.pk,
        summary=pool.name,
    )
    return _xlsx(content, f"talent-pool-{pool.pk}-{today:%Y%m%d}.xlsx")


@login_required
@require_GET
def export_dossier(request: HttpRequest, pk: int) -> HttpResponse:
    cadre: Cadre = get_object_or_404(
        access_cadres(request.user).select_related("pool", "organisation", "category"), pk=pk
    )
    access = dossier_access(request.user, cadre)
    if access != DossierAccess.WHOLE:
        raise PermissionDenied(_("只有人才库管理员和本人可以导出完整档案。"))
    log_dossier_view(request.user, cadre, what="excel")
    return _xlsx(excel.export_dossier(cadre, access), f"dossier-{cadre.pk}.xlsx")
