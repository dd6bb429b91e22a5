"""Forms of the award pages: the shape of the input only; the rules are talent.awards.services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.params import IdMultipleChoiceField
from gongzhi.core.widgets import DateInput
from gongzhi.talent.models import AwardKind, AwardNomination, Cadre

DATE = DateInput()


class AwardNominationForm(forms.Form):
    kind = forms.ChoiceField(label=_("奖项"), choices=AwardKind.choices)
    cadre = forms.ModelChoiceField(
        label=pgettext_lazy("talent nominee", "推荐人选"), queryset=Cadre.objects.none(), empty_label=None
    )
    reason = forms.CharField(label=_("推荐理由"), widget=forms.Textarea(attrs={"rows": 3}))


class AwardDecisionForm(forms.Form):
    decided_on = forms.DateField(label=_("决定日期"), widget=DATE)
    basis = forms.CharField(
        label=_("决定依据"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如“2025 年 12 月 18 日工委会议研究决定”。"),
    )
    selected = IdMultipleChoiceField(
        label=_("当选人员"),
        queryset=AwardNomination.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
