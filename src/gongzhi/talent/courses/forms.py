"""Forms of the courses and graduation pages: the shape of the input only; the rules are
talent.courses.services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.widgets import DateInput
from gongzhi.talent.models import Cadre, CompletionRule, Course, Cycle, GraduationOutcome

DATE = DateInput()


class CourseForm(forms.Form):
    name = forms.CharField(label=_("课程名称"), max_length=128)
    rule = forms.ChoiceField(label=_("结业条件"), choices=CompletionRule.choices)
    min_sessions = forms.IntegerField(
        label=_("最少出勤次数"), required=False, min_value=0, help_text=_("按出勤结业时必填，至少 1 次。")
    )
    pass_score = forms.CharField(
        label=_("及格分"), required=False, max_length=8, help_text=_("按成绩结业时必填，0 到 100。")
    )
    instructors = forms.CharField(label=_("授课教师账号"), required=False, help_text=_("多个账号用逗号分隔。"))

    def clean_instructors(self) -> list[Any]:
        raw = self.cleaned_data["instructors"].replace("，", ",").replace("、", ",")
        names = [n.strip() for n in raw.split(",") if n.strip()]
        users = {u.get_username(): u for u in get_user_model().objects.filter(username__in=names)}
        missing = [n for n in names if n not in users]
        if missing:
            raise forms.ValidationError(_("找不到账号：%(names)s"), params={"names": "、".join(missing)})
        return [users[n] for n in dict.fromkeys(names)]


class SessionForm(forms.Form):
    course = forms.ModelChoiceField(label=_("课程"), queryset=Course.objects.none(), empty_label=None)
    cycle = forms.ModelChoiceField(label=_("培养周期"), queryset=Cycle.objects.none(), empty_label=None)
    title = forms.CharField(label=pgettext_lazy("talent course session", "课题"), max_length=255)
    held_on = forms.DateField(label=_("日期"), widget=DATE)
    location = forms.CharField(label=_("地点"), max_length=128, required=False)
    lecturer = forms.CharField(label=_("主讲人"), max_length=64, required=False)


class GraduationForm(forms.Form):
    cadre = forms.ModelChoiceField(label=_("学员"), queryset=Cadre.objects.none(), widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=pgettext_lazy("talent", "结论"), choices=GraduationOutcome.choices)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ScoresForm(forms.Form):
    """Bulk score entry: one optional `score-<cadre id>` text per member of the cycle; the service
    parses each score (0–100, two decimals) and names the row it refuses."""

    SCORE_MAX_LENGTH = 16

    def __init__(self, *args: Any, members: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for pk in members:
            self.fields[f"score-{pk}"] = forms.CharField(
                required=False,
                strip=False,
                max_length=self.SCORE_MAX_LENGTH,
                error_messages={"max_length": _("考核成绩须为数字。")},
            )

    def posted(self) -> dict[int, str]:
        """Cadre id → the text posted (only the rows present in the post), as typed."""
        return {
            int(name.removeprefix("score-")): str(self.data[name])[: self.SCORE_MAX_LENGTH]
            for name in self.fields
            if name in self.data
        }

    def row_errors(self) -> dict[int, str]:
        return {int(name.removeprefix("score-")): " ".join(str(e) for e in errs) for name, errs in self.errors.items()}


class ResultMarkForm(forms.Form):
    """An instructor's completion mark (1: complete, 0: withdrawn) with an optional note."""

    complete = forms.ChoiceField(
        choices=[("1", "1"), ("0", "0")],
        error_messages={"required": _("无效的操作。"), "invalid_choice": _("无效的操作。")},
    )
    note = forms.CharField(
        required=False, max_length=2000, error_messages={"max_length": _("说明不能超过 2000 个字。")}
    )
