"""Forms of the pool and dossier pages: the shape of the input only; the rules are
talent.people.services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.params import MAX_INT
from gongzhi.core.widgets import DateInput
from gongzhi.talent.models import AppraisalGrade, Gender, Organisation, PoolCategory, Skill, TalentPool

DATE = DateInput()
DECIMAL = forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"})


def _decimal(label: Any, **kw: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=6, decimal_places=2, widget=DECIMAL, **kw)


class TalentPoolForm(forms.Form):
    name = forms.CharField(label=_("人才库名称"), max_length=128)
    description = forms.CharField(
        label=pgettext_lazy("talent description", "说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    cap = forms.IntegerField(label=_("人数上限"), min_value=1)
    exit_below = _decimal(_("退出分数线"), help_text=_("动态调整时综合得分低于此分数的退出人才库。"))
    skill_scale_min = _decimal(_("能力评分下限"))
    skill_scale_max = _decimal(_("能力评分上限"), help_text=_("五项核心能力按此范围评分（含两端）。"))

    @classmethod
    def for_pool(cls, pool: TalentPool, data: Any = None) -> TalentPoolForm:
        initial = {
            "name": pool.name,
            "description": pool.description,
            "cap": pool.cap,
            "exit_below": pool.exit_below,
            "skill_scale_min": pool.skill_scale_min,
            "skill_scale_max": pool.skill_scale_max,
        }
        return cls(data, initial=initial)


class PoolCategoryForm(forms.Form):
    name = forms.CharField(label=_("类别名称"), max_length=64)
    quota = forms.IntegerField(
        label=_("名额"), min_value=0, max_value=MAX_INT, required=False, help_text=_("不填为不限名额。")
    )


class CycleForm(forms.Form):
    name = forms.CharField(label=_("届次名称"), max_length=64, help_text=_("如“2025—2026 届”，通常两年一届。"))
    start = forms.DateField(label=_("开始日期"), widget=DATE)
    end = forms.DateField(label=_("结束日期"), widget=DATE)


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("单位名称"), max_length=128)
    members = forms.CharField(
        label=_("单位联络人账号"),
        required=False,
        help_text=_("可推荐人选、查看本单位推荐人选档案的账号，多个用逗号分隔。"),
    )

    def clean_members(self) -> list[Any]:
        names = [n.strip() for n in self.cleaned_data["members"].replace("，", ",").split(",") if n.strip()]
        users = {u.get_username(): u for u in get_user_model().objects.filter(username__in=names)}
        missing = [n for n in names if n not in users]
        if missing:
            raise forms.ValidationError(_("找不到账号：%(names)s"), params={"names": "、".join(missing)})
        return [users[n] for n in names]


class CadreForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=64)
    gender = forms.ChoiceField(label=_("性别"), choices=[("", "—"), *Gender.choices], required=False)
    date_of_birth = forms.DateField(label=_("出生日期"), widget=DATE)
    organisation = forms.ModelChoiceField(label=pgettext_lazy("talent", "单位"), queryset=Organisation.objects.all())
    post = forms.CharField(label=_("职务"), max_length=128, required=False)
    category = forms.ModelChoiceField(label=_("类别"), queryset=PoolCategory.objects.none(), required=False)
    education = forms.CharField(label=_("学历"), max_length=64, required=False)
    political_status = forms.CharField(label=_("政治面貌"), max_length=32, required=False)
    phone = forms.CharField(label=_("手机"), max_length=32, required=False)
    staff_number = forms.CharField(
        label=pgettext_lazy("talent", "编号"), max_length=32, required=False, help_text=_("在本人才库内唯一。")
    )
    username = forms.CharField(
        label=_("本人账号"), max_length=150, required=False, help_text=_("填写后本人可登录查看自己的档案。")
    )

    def __init__(self, *args: Any, pool: TalentPool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = PoolCategory.objects.filter(pool=pool)  # type: ignore[attr-defined]


class EnterForm(forms.Form):
    entered_on = forms.DateField(label=_("入库日期"), widget=DATE)
    reason = forms.CharField(label=_("入库原因"), max_length=255)


class ExitForm(forms.Form):
    exited_on = forms.DateField(label=_("出库日期"), widget=DATE)
    reason = forms.CharField(label=_("出库原因"), max_length=255)


class PostingForm(forms.Form):
    place = forms.CharField(label=_("锻炼单位"), max_length=128)
    role = forms.CharField(label=_("岗位"), max_length=128, required=False)
    start = forms.DateField(label=_("开始日期"), widget=DATE)
    end = forms.DateField(label=_("结束日期"), widget=DATE, required=False)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class HonourForm(forms.Form):
    title = forms.CharField(label=_("荣誉名称"), max_length=255)
    awarded_on = forms.DateField(label=_("获得日期"), widget=DATE)
    awarded_by = forms.CharField(label=_("授予单位"), max_length=128, required=False)


class AppraisalForm(forms.Form):
    year = forms.IntegerField(label=_("年度"))
    grade = forms.ChoiceField(label=_("考核等次"), choices=AppraisalGrade.choices)


class SkillForm(forms.Form):
    skill = forms.ChoiceField(label=_("能力"), choices=Skill.choices)
    score = _decimal(_("评分"))
    assessed_on = forms.DateField(label=_("评估日期"), widget=DATE)
    assessor = forms.CharField(label=_("评估人"), max_length=64, required=False)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    text = forms.CharField(label=pgettext_lazy("talent", "备注"), widget=forms.Textarea(attrs={"rows": 3}))
