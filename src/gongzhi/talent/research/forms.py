"""Forms of the research pages: the shape of the input only; the rules are talent.research.services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from gongzhi.core.params import parse_id
from gongzhi.core.widgets import DateInput, DateTimeLocalInput
from gongzhi.talent.models import Cadre
from gongzhi.talent.research.services import AgendaEntry

DATE = DateInput()
DATETIME = DateTimeLocalInput()


class CadreChoices(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.organisation.name}）"


class LeaderChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.organisation.name}）"


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("课题名称"), max_length=255)
    topic = forms.CharField(label=_("研究内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    mentor = forms.CharField(label=_("导师"), max_length=64, required=False)
    mentor_login = forms.CharField(
        label=_("导师账号"), max_length=150, required=False, help_text=_("可选；填写后导师可查看本课题。")
    )
    members = CadreChoices(label=_("课题组成员"), queryset=Cadre.objects.none(), widget=forms.CheckboxSelectMultiple)
    leader = LeaderChoice(label=_("组长"), queryset=Cadre.objects.none())

    def __init__(self, *args: Any, members: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if members is not None:
            self.fields["members"].queryset = members  # type: ignore[attr-defined]
            self.fields["leader"].queryset = members  # type: ignore[attr-defined]

    def clean_mentor_login(self) -> Any:
        name = self.cleaned_data["mentor_login"].strip()
        if not name:
            return None
        user = get_user_model().objects.filter(username=name).first()
        if user is None:
            raise forms.ValidationError(_("找不到账号：%(name)s"), params={"name": name})
        return user


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("节点"), max_length=128)
    due_on = forms.DateField(label=_("计划完成"), widget=DATE)


class MilestoneDoneForm(forms.Form):
    done_on = forms.DateField(label=_("实际完成"), widget=DATE)


class ReportForm(forms.Form):
    report = forms.FileField(label=_("研究报告"), help_text=_("PDF 文件，不超过 20 MB。"))


class ScoreForm(forms.Form):
    score = forms.CharField(label=_("评分"), max_length=16, help_text=_("0 到 100，最多两位小数。"))
    comment = forms.CharField(label=_("评语"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("会议名称"), max_length=128)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME)
    venue = forms.CharField(label=_("地点"), max_length=128)


class RecordForm(forms.Form):
    minutes = forms.CharField(label=_("会议纪要"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    held = forms.BooleanField(label=_("已召开"), required=False)


class AgendaForm(forms.Form):
    """The summary meeting's agenda: for each posted `project` id, its `position_<id>`,
    `presenter_<id>` and `minutes_<id>`. Posted ids that are not ids are ignored (the service
    then asks for every project); the numbers are checked here, their meaning by the service."""

    def __init__(self, data: Any) -> None:
        super().__init__(data)
        self.project_ids: list[int] = []
        for raw in data.getlist("project"):
            pid = parse_id(raw)
            if pid is None:
                continue
            self.project_ids.append(pid)
        n = len(self.project_ids)
        bad_position = _("序号须为 1 到 %(n)d，每个序号用一次。") % {"n": n}
        bad_minutes = _("时长须为 1 到 600 分钟。")
        for pid in self.project_ids:
            self.fields[f"position_{pid}"] = forms.IntegerField(
                required=False,
                min_value=0,
                max_value=99_999,
                error_messages={"invalid": bad_position, "min_value": bad_position, "max_value": bad_position},
            )
            self.fields[f"presenter_{pid}"] = forms.CharField(
                required=False, max_length=64, error_messages={"max_length": _("汇报人不能超过 64 个字。")}
            )
            self.fields[f"minutes_{pid}"] = forms.IntegerField(
                required=False,
                min_value=0,
                max_value=99_999,
                error_messages={"invalid": bad_minutes, "min_value": bad_minutes, "max_value": bad_minutes},
            )

    def error_text(self) -> str:
        return " ".join(dict.fromkeys(str(e) for errors in self.errors.values() for e in errors))

    def entries(self) -> list[AgendaEntry]:
        data = self.cleaned_data
        return [
            AgendaEntry(
                project_id=pid,
                position=data[f"position_{pid}"] or 0,
                presenter=data[f"presenter_{pid}"],
                minutes=data[f"minutes_{pid}"] or 0,
            )
            for pid in self.project_ids
        ]
