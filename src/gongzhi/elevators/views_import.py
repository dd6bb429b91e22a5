"""Pages of the registry import: template download, upload, progress and outcome.

Parse → access check → service → render (DESIGN.md convention 2). The import itself runs in a
task (elevators.tasks); the detail page polls a small partial with htmx until it is finished.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.elevators.models import ImportStatus, RegistryImport
from gongzhi.elevators.registry import (
    access_registry_imports,
    may_import,
    registry_import_progress,
    registry_import_start,
    registry_imports_reap,
    registry_template_bytes,
)

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("登记册工作簿（.xlsx）"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件过大：最大 200 MB。"))
        return upload


def _phase_label(phase: str) -> str:
    labels = {"read": _("读取文件"), "check": _("检查数据"), "write": _("写入数据")}
    return labels.get(phase, _("等待开始"))


_COUNT_LABELS = {
    "districts": gettext_lazy("区县"),
    "subdistricts": gettext_lazy("街道"),
    "communities": gettext_lazy("社区"),
    "estates": gettext_lazy("小区"),
    "buildings": gettext_lazy("楼栋"),
    "entrances": gettext_lazy("单元"),
    "apartments": gettext_lazy("房屋"),
    "owners": gettext_lazy("业主"),
    "ownerships": gettext_lazy("产权（业主与房屋）"),
    "elevators": gettext_lazy("电梯"),
    "faults": gettext_lazy("故障记录"),
    "inspections": gettext_lazy("定期检验"),
    "assessments": gettext_lazy("安全评估"),
}


def _context(imp: RegistryImport) -> dict[str, Any]:
    phase, done, total = registry_import_progress(imp)
    finished = imp.status in {ImportStatus.DONE, ImportStatus.REFUSED, ImportStatus.FAILED}
    percent = min(100, int(done * 100 / total)) if total else 0
    if imp.status == ImportStatus.DONE:
        percent = 100
    counts = [
        {
            "label": str(label),
            "created": imp.counts[key].get("created", 0),
            "updated": imp.counts[key].get("updated", 0),
        }
        for key, label in _COUNT_LABELS.items()
        if key in imp.counts
    ]
    return {
        "imp": imp,
        "finished": finished,
        "phase_label": _phase_label(phase),
        "done": done,
        "total": total,
        "percent": percent,
        "counts": counts,
    }


@login_required
@require_http_methods(["GET", "POST"])
def registry_import(request: HttpRequest) -> HttpResponse:
    if not may_import(request.user):
        raise PermissionDenied
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        imp = registry_import_start(actor=request.user, data=upload.read(), file_name=upload.name or "")
        return redirect("registry_import_detail", import_id=imp.pk)
    registry_imports_reap()  # an import whose worker died shows as failed, not running forever
    recent = list(access_registry_imports(request.user)[:10])
    return render(request, "elevators/import_page.html", {"form": form, "recent": recent})


@login_required
@require_GET
def registry_import_template(request: HttpRequest) -> HttpResponse:
    if not may_import(request.user):
        raise PermissionDenied
    response = HttpResponse(registry_template_bytes(), content_type=XLSX)
    name = "电梯登记册导入模板.xlsx"
    response["Content-Disposition"] = f"attachment; filename=\"registry-template.xlsx\"; filename*=UTF-8''{quote(name)}"
    return response


@login_required
@require_GET
def registry_import_detail(request: HttpRequest, import_id: uuid.UUID) -> HttpResponse:
    registry_imports_reap()
    imp = get_object_or_404(access_registry_imports(request.user), pk=import_id)
    return render(request, "elevators/import_detail.html", _context(imp))


@login_required
@require_GET
def registry_import_progress_partial(request: HttpRequest, import_id: uuid.UUID) -> HttpResponse:
    registry_imports_reap()
    imp = get_object_or_404(access_registry_imports(request.user), pk=import_id)
    return render(request, "elevators/import_progress.html", _context(imp))
