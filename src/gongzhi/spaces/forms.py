"""Forms of the spaces pages: the shape of the input only; the rules are the services'."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from gongzhi.core.widgets import DateInput, MultipleFileInput
from gongzhi.spaces.models import Obligation, Partner, PartnerKind, Period, ReviewOutcome, SpaceKind
from gongzhi.spaces.services import ObligationEntry

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DATE = DateInput()
_PERIODS = {str(label): value for value, label in Period.choices} | {v: v for v in Period.values}


class SpaceForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=128)
    kind = forms.ChoiceField(label=_("类型"), choices=SpaceKind.choices)
    area_m2 = forms.CharField(label=_("面积(平方米)"), max_length=16)
    opening_hours = forms.CharField(label=_("开放时间"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PartnerForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=128)
    kind = forms.ChoiceField(label=_("类型"), choices=PartnerKind.choices)
    contact = forms.CharField(label=_("联系方式"), max_length=128, required=False)
    members = forms.CharField(
        label=_("成员账号"), required=False, help_text=_("合作方登记服务所用的账号，多个用逗号分隔。")
    )

    def clean_members(self) -> list[User]:
        names = [n.strip() for n in self.cleaned_data["members"].replace("，", ",").split(",") if n.strip()]
        users = {u.get_username(): u for u in get_user_model().objects.filter(username__in=names)}
        missing = [n for n in names if n not in users]
        if missing:
            raise forms.ValidationError(_("找不到账号：%(names)s"), params={"names": "、".join(missing)})
        return [users[n] for n in names]


OBLIGATIONS_HELP = _(
    "每行一项：服务内容 | 单位 | 每期数量 | 周期（每月、每季度或每年），如“为老人提供早餐 | 份 | 30 | 每月”。"
)


class AgreementForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("合作方"), queryset=Partner.objects.none(), empty_label=None)
    start = forms.DateField(label=_("开始日期"), widget=DATE)
    end = forms.DateField(label=_("结束日期"), widget=DATE)
    review_on = forms.DateField(
        label=_("年度评估日期"), required=False, widget=DATE, help_text=_("不填则为开始日期满一年。")
    )
    obligations = forms.CharField(
        label=_("服务义务"), widget=forms.Textarea(attrs={"rows": 4}), help_text=OBLIGATIONS_HELP
    )

    def clean_obligations(self) -> list[ObligationEntry]:
        rows = []
        for n, line in enumerate(self.cleaned_data["obligations"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("｜", "|").split("|")]
            if len(parts) != 4 or parts[3] not in _PERIODS:
                raise forms.ValidationError(
                    _("第 %(n)s 行应写成“服务内容 | 单位 | 每期数量 | 周期”，周期为每月、每季度或每年。"),
                    params={"n": n},
                )
            rows.append(ObligationEntry(parts[0], parts[1], parts[2], _PERIODS[parts[3]]))
        if not rows:
            raise forms.ValidationError(_("请至少填写一项服务义务。"))
        return rows


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class _ObligationChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.description}（{obj.unit}，{obj.get_period_display()} {obj.quantity.normalize():f}）"


class FulfilmentForm(forms.Form):
    obligation = _ObligationChoice(label=_("服务内容"), queryset=Obligation.objects.none(), empty_label=None)
    date = forms.DateField(label=_("日期"), widget=DATE)
    quantity = forms.CharField(label=_("数量"), max_length=16, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = MultipleFileField(label=_("佐证材料（照片或 PDF）"), required=False)


class AgreementReviewForm(forms.Form):
    date = forms.DateField(label=_("评估日期"), widget=DATE)
    outcome = forms.ChoiceField(label=_("评估结论"), choices=ReviewOutcome.choices)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
