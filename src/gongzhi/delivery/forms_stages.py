"""Forms of the renewal progress pages: the overview's filters, adding an elevator to the delivery
list, a stage's status and dates, and a stage document.

Forms check the shape of the input only; the law's order between stages and who may record what
are the services' (delivery.services.stage_update, DESIGN.md convention 2), whose DomainError the
views show at the form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.core.widgets import DateInput
from gongzhi.delivery.models import StageStatus
from gongzhi.renewals.models import StageKind, Vendor


class OverviewFilterForm(forms.Form):
    """?estate=&stage=&vendor=&overdue=1 on the campaign's progress page (all optional)."""

    estate = forms.TypedChoiceField(label=_("小区"), required=False, coerce=int, empty_value=None)
    stage = forms.ChoiceField(label=_("当前阶段"), required=False)
    vendor = forms.TypedChoiceField(label=_("品牌方"), required=False, coerce=int, empty_value=None)
    overdue = forms.BooleanField(label=_("只看逾期"), required=False)

    def __init__(
        self,
        *args: Any,
        estates: Iterable[tuple[int, str]],
        vendors: Iterable[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        everything = ("", _("全部"))
        self.fields["estate"].choices = [everything, *estates]  # type: ignore[attr-defined]
        self.fields["stage"].choices = [everything, *StageKind.choices]  # type: ignore[attr-defined]
        self.fields["vendor"].choices = [everything, *vendors]  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """The valid filters ({} when the query is malformed: the unfiltered list, as elsewhere)."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


class RenewalAddForm(forms.Form):
    """Add one elevator to the campaign's delivery list by its device code (e.g. an entrance that
    decided on paper before the platform). The lookup and the rules are the view's and the service's."""

    device_code = forms.CharField(label=_("设备代码"), max_length=32)
    vendor = forms.ModelChoiceField(label=_("承接品牌方"), queryset=Vendor.objects.none(), required=False)
    works_days = forms.IntegerField(label=_("施工工期(天)"), required=False, min_value=1, max_value=365)
    decided_on = forms.DateField(
        label=_("业主表决日期"),
        required=False,
        widget=DateInput(),
        help_text=_("已表决的，填写表决通过的日期：表决及之前的阶段记为已完成。"),
    )

    def __init__(self, *args: Any, vendors: QuerySet[Vendor], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = vendors  # type: ignore[attr-defined]

    def clean_device_code(self) -> str:
        code: str = self.cleaned_data["device_code"]
        return code.strip()

    def clean_decided_on(self) -> dt.date | None:
        from django.utils import timezone

        day: dt.date | None = self.cleaned_data.get("decided_on")
        if day is not None and day > timezone.localdate():
            raise forms.ValidationError(_("表决日期不能晚于今天。"))
        return day


class StageForm(forms.Form):
    """A stage's status, planned and actual dates, responsible party and notes
    (delivery.services.STAGE_FIELDS)."""

    status = forms.ChoiceField(label=_("状态"), choices=StageStatus.choices)
    planned_start = forms.DateField(label=_("计划开始"), required=False, widget=DateInput())
    planned_end = forms.DateField(label=_("计划完成"), required=False, widget=DateInput())
    actual_start = forms.DateField(label=_("实际开始"), required=False, widget=DateInput())
    actual_end = forms.DateField(label=_("实际完成"), required=False, widget=DateInput())
    responsible = forms.CharField(label=_("责任方"), max_length=128, required=False)
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["responsible"] = data["responsible"].strip()
        data["notes"] = data["notes"].strip()
        return data


class StageDocumentForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=128)
    file = forms.FileField(label=_("文件（PDF、JPEG 或 PNG，≤ 10 MB）"))
    public = forms.BooleanField(label=_("公开（显示在小区进度公示页）"), required=False)
