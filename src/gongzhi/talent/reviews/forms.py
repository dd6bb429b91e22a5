"""Forms of the nomination and review pages: the shape of the input only; the rules are
talent.reviews.services'."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.widgets import DateInput
from gongzhi.talent.models import Cadre, Cycle, Gender, Organisation, PoolCategory

DATE = DateInput()


def _weight(label: Any, initial: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, min_value=Decimal(0), max_digits=5, decimal_places=2, initial=Decimal(initial)
    )


class NominationForm(forms.Form):
    """Either an existing cadre of the organisation (not a member) or a new candidate's profile."""

    organisation = forms.ModelChoiceField(label=_("推荐单位"), queryset=Organisation.objects.none(), empty_label=None)
    cadre = forms.ModelChoiceField(
        label=_("本单位已有档案的干部"),
        queryset=Cadre.objects.none(),
        required=False,
        help_text=_("选择已有档案的干部，或在下方填写新人选的信息。"),
    )
    name = forms.CharField(label=_("姓名"), max_length=64, required=False)
    gender = forms.ChoiceField(label=_("性别"), choices=[("", "—"), *Gender.choices], required=False)
    date_of_birth = forms.DateField(label=_("出生日期"), widget=DATE, required=False)
    post = forms.CharField(label=_("职务"), max_length=128, required=False)
    category = forms.ModelChoiceField(label=_("类别"), queryset=PoolCategory.objects.none(), required=False)
    education = forms.CharField(label=_("学历"), max_length=64, required=False)
    political_status = forms.CharField(label=_("政治面貌"), max_length=32, required=False)
    phone = forms.CharField(label=_("手机"), max_length=32, required=False)
    staff_number = forms.CharField(label=pgettext_lazy("talent", "编号"), max_length=32, required=False)
    reason = forms.CharField(label=_("推荐理由"), widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("cadre") is None:
            if not (data.get("name") or "").strip():
                self.add_error("name", _("请选择本单位的干部或填写新人选的姓名。"))
            if data.get("date_of_birth") is None:
                self.add_error("date_of_birth", _("请填写出生日期。"))
        return data


class RerankReviewForm(forms.Form):
    cycle = forms.ModelChoiceField(label=_("届次"), queryset=Cycle.objects.none(), empty_label=None)
    title = forms.CharField(label=_("名称"), max_length=128)
    held_on = forms.DateField(label=_("考评日期"), widget=DATE)
    weight_skills = _weight(_("能力权重"), "40")
    weight_courses = _weight(_("课程权重"), "20")
    weight_appraisal = _weight(_("考核权重"), "25")
    weight_research = _weight(_("课题权重"), "15")
    cap = forms.IntegerField(label=_("人数上限"), min_value=0)
    exit_below = forms.DecimalField(label=_("退出分数线"), min_value=Decimal(0), max_digits=6, decimal_places=2)


class ConfirmForm(forms.Form):
    reason = forms.CharField(label=_("确认理由"), widget=forms.Textarea(attrs={"rows": 3}))
