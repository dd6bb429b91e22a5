"""Forms of the council pages: shape of the input only; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.params import IdMultipleChoiceField
from gongzhi.core.widgets import DATETIME_LOCAL_FORMATS, DateInput, DateTimeLocalInput
from gongzhi.councils.models import CouncilRole, OutcomeKind, OutcomeStatus, Represents, Topic
from gongzhi.places.models import Estate

DATE = DateInput()


class CouncilForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=128)
    established_on = forms.DateField(label=_("成立日期"), widget=DATE)
    rules = forms.CharField(label=_("议事规则"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class TopicForm(forms.Form):
    title = forms.CharField(label=_("议题"), max_length=128)
    text = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 5}))
    proposer_name = forms.CharField(
        label=_("署名"), max_length=64, required=False, help_text=_("不填则使用您的账号名称。")
    )


class DecisionForm(forms.Form):
    decision = forms.CharField(required=False)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("不予受理理由"), widget=forms.Textarea(attrs={"rows": 2}))


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=64)
    role = forms.ChoiceField(label=_("职务"), choices=CouncilRole.choices)
    represents = forms.ChoiceField(label=_("代表"), choices=Represents.choices)
    term_start = forms.DateField(label=_("任期开始"), widget=DATE)
    term_end = forms.DateField(label=_("任期结束"), required=False, widget=DATE)


class EndTermForm(forms.Form):
    term_end = forms.DateField(label=_("任期结束"), widget=DATE)


class _TopicChoices(IdMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title}（{obj.proposer_name}）"


class SessionForm(forms.Form):
    estate = forms.ModelChoiceField(label=_("会议地点所在小区"), queryset=Estate.objects.none(), empty_label=None)
    starts_at = forms.DateTimeField(
        label=_("开始时间"), widget=DateTimeLocalInput(), input_formats=DATETIME_LOCAL_FORMATS
    )
    venue = forms.CharField(label=_("地点"), max_length=255)
    duration_minutes = forms.IntegerField(label=_("时长(分钟)"), min_value=1, max_value=1440, initial=120)
    topics = _TopicChoices(label=_("议题"), queryset=Topic.objects.none(), widget=forms.CheckboxSelectMultiple)


OUTCOMES_HELP = _(
    "每行一项：类型 | 事项 | 备注。类型为“建议”“表决”或“其他”；表决写表决编号，如“表决 | 12”；"
    "已登记的建议可写建议编号，如“建议 | 35”。"
)
_KINDS = {str(label): value for value, label in OutcomeKind.choices} | {v: v for v in OutcomeKind.values}


class ReportForm(forms.Form):
    summary = forms.CharField(label=_("会议纪要"), widget=forms.Textarea(attrs={"rows": 5}))
    outcomes = forms.CharField(
        label=_("会议成果"), required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text=OUTCOMES_HELP
    )

    def clean_outcomes(self) -> list[tuple[str, str, str]]:
        rows = []
        for n, line in enumerate(self.cleaned_data["outcomes"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("｜", "|").split("|")]
            kind = _KINDS.get(parts[0]) if len(parts) >= 2 else None
            if kind is None or not parts[1]:
                raise forms.ValidationError(_("第 %(n)s 行应写成“类型 | 事项 | 备注”。"), params={"n": n})
            if kind == OutcomeKind.MOTION and not parts[1].isdigit():
                raise forms.ValidationError(_("第 %(n)s 行的表决编号须为数字。"), params={"n": n})
            rows.append((kind, parts[1], parts[2] if len(parts) > 2 else ""))
        return rows


class OutcomeForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=OutcomeStatus.choices)
    note = forms.CharField(label=_("备注"), required=False, max_length=1000)
