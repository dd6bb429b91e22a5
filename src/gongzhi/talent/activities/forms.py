"""Forms of the activities and feedback pages: the shape of the input only; the rules are
talent.activities.services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.params import IdMultipleChoiceField
from gongzhi.core.widgets import DateInput
from gongzhi.talent.models import ActivityKind, Cadre, Cycle

DATE = DateInput()


class ActivityForm(forms.Form):
    cycle = forms.ModelChoiceField(label=_("培养周期"), queryset=Cycle.objects.none(), empty_label=None)
    kind = forms.ChoiceField(label=_("类型"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("活动名称"), max_length=255)
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)
    location = forms.CharField(label=_("地点"), max_length=128, required=False)
    description = forms.CharField(
        label=pgettext_lazy("talent description", "说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    participants = IdMultipleChoiceField(
        label=_("参加人员"),
        queryset=Cadre.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=pgettext_lazy("talent feedback", "评分"),
        choices=[(str(i), str(i)) for i in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("意见建议"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
