"""Pages of the Excel import and exports (issue 7, item 7): the import page with its template and
result, the pool's export, and a dossier's export (logged as a dossier view)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core.audit import audit_record
from gongzhi.core.errors import AccessDeniedError, DomainError, ImportRefusedError
from gongzhi.talent import excel
from gongzhi.talent.access import (
    DossierAccess,
    access_cadres,
    access_pools,
    administers,
    dossier_access,
    log_dossier_view,
)
from gongzhi.talent.models import Cadre, Pool
from gongzhi.talent.nav import pool_tabs

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_IMPORT_BYTES = 20 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel 文件"), help_text=gettext_lazy("请使用导入模板（.xlsx）。"))


def _admin_pool(request: HttpRequest, pool_id: int) -> Pool:
    pool: Pool = get_object_or_404(access_pools(request.user), pk=pool_id)
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
    context: dict[str, Any] = {"pool": pool, "form": form, "tabs": pool_tabs(request.user, pool)}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_IMPORT_BYTES:
                form.add_error("file", _("文件：不能超过 20 MB。"))
            else:
                try:
                    result = excel.import_workbook(actor=request.user, pool=pool, file=upload)
                except AccessDeniedError as exc:
                    raise PermissionDenied(exc.message) from exc
                except ImportRefusedError as exc:
                    context["refused"] = exc.message
                    context["problems"] = [(p, excel.problem_text(p)) for p in exc.problems]
                except DomainError as exc:
                    form.add_error("file", exc.message)
                else:
                    status = 200
                    context["result"] = result.as_rows()
    return render(request, "talent/excel_page.html", context, status=status)


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
    cadre: Cadre = get_object_or_404(access_cadres(request.user).select_related("pool", "unit", "category"), pk=pk)
    access = dossier_access(request.user, cadre)
    if access != DossierAccess.WHOLE:
        raise PermissionDenied(_("只有人才库管理员和本人可以导出完整档案。"))
    log_dossier_view(request.user, cadre, what="excel")
    return _xlsx(excel.export_dossier(cadre, access), f"dossier-{cadre.pk}.xlsx")
