"""Forms of the meeting pages. They parse and check the shape of the input only; the rules of the
domain (scope, vendors of the subdistrict, rate limits, status) are the services' (DESIGN.md
convention 2)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.core.params import IdMultipleChoiceField
from gongzhi.core.widgets import DATETIME_LOCAL_FORMATS, DateTimeLocalInput
from gongzhi.elevators.models import Campaign
from gongzhi.meetings.models import QUESTION_MAX_LENGTH, ParticipantRole, QuestionStatus
from gongzhi.meetings.services import ANSWER_MAX_LENGTH, MODERATION_DECISIONS, AgendaEntry
from gongzhi.motions.models import Motion
from gongzhi.places.models import Entrance, Estate

if TYPE_CHECKING:
    from django.contrib.auth.models import User
from gongzhi.renewals.models import Offer, Vendor

AGENDA_HELP = _("每行一项：议程 | 分钟 | 主讲，如“品牌方路演 | 60 | 各品牌方”。")


class _EntranceChoices(IdMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.building.estate.name} · {obj.building.name}{obj.name}"


def parse_agenda(text: str) -> list[AgendaEntry]:
    """Read the agenda textarea: one item a line, "title | minutes | presenter" (presenter optional)."""
    items = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        if len(parts) < 2 or not parts[0]:
            raise forms.ValidationError(_("第 %(n)s 行应写成“议程 | 分钟 | 主讲”。"), params={"n": number})
        try:
            minutes = int(parts[1])
        except ValueError:
            raise forms.ValidationError(_("第 %(n)s 行的分钟数不是整数。"), params={"n": number}) from None
        if not 1 <= minutes <= 1440:
            raise forms.ValidationError(_("第 %(n)s 行的分钟数须在 1 至 1440 之间。"), params={"n": number})
        items.append(AgendaEntry(parts[0][:128], minutes, (parts[2] if len(parts) > 2 else "")[:128]))
    return items


def agenda_text(items: Any) -> str:
    return "\n".join(f"{i.title} | {i.duration_minutes}" + (f" | {i.presenter}" if i.presenter else "") for i in items)


class MeetingForm(forms.Form):
    estate = forms.ModelChoiceField(label=_("小区"), queryset=Estate.objects.none(), empty_label=None)
    topic = forms.CharField(label=_("议题"), max_length=128)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    starts_at = forms.DateTimeField(
        label=_("开始时间"), widget=DateTimeLocalInput(), input_formats=DATETIME_LOCAL_FORMATS
    )
    duration_minutes = forms.IntegerField(label=_("时长(分钟)"), min_value=1, max_value=1440, initial=120)
    venue = forms.CharField(label=_("地点"), max_length=255)
    livestream_url = forms.URLField(
        label=_("直播地址"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("只向本小区范围内有权查看会议的人显示，不出现在公示的纪要上。"),
    )
    entrances = _EntranceChoices(
        label=_("涉及单元"),
        required=False,
        queryset=Entrance.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选即为整个小区。"),
    )
    campaign = forms.ModelChoiceField(
        label=_("更新行动"),
        required=False,
        queryset=Campaign.objects.none(),
        empty_label=_("（无）"),
    )
    agenda = forms.CharField(
        label=_("议程"), required=False, widget=forms.Textarea(attrs={"rows": 5}), help_text=AGENDA_HELP
    )

    def __init__(
        self,
        *args: Any,
        estates: QuerySet[Estate],
        campaigns: QuerySet[Any],
        fixed_estate: Estate | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        estate_field: Any = self.fields["estate"]
        estate_field.queryset = estates.order_by("name")
        entrance_field: Any = self.fields["entrances"]
        entrance_field.queryset = (
            Entrance.objects.filter(building__estate__in=estates)
            .select_related("building__estate")
            .order_by("building__estate__name", "building__name", "name")
        )
        if fixed_estate is not None:
            estate_field.queryset = Estate.objects.filter(pk=fixed_estate.pk)
            estate_field.disabled = True
            entrance_field.queryset = entrance_field.queryset.filter(building__estate=fixed_estate)
        campaign_field: Any = self.fields["campaign"]
        campaign_field.queryset = campaigns

    def clean_agenda(self) -> list[AgendaEntry]:
        return parse_agenda(self.cleaned_data.get("agenda") or "")


class InviteForm(forms.Form):
    role = forms.ChoiceField(label=_("身份"), choices=ParticipantRole.choices)
    username = forms.CharField(
        label=_("账号（用户名）"), required=False, max_length=150, help_text=_("有账号的参会人填写，可扫码一键签到。")
    )
    name = forms.CharField(label=_("姓名"), required=False, max_length=64)
    phone = forms.CharField(
        label=_("手机"), required=False, max_length=32, help_text=_("没有账号的参会人必填，签到时核对后四位。")
    )
    vendor = forms.ModelChoiceField(
        label=_("品牌方"),
        required=False,
        queryset=Vendor.objects.none(),
        empty_label=_("（非品牌方）"),
    )

    def __init__(self, *args: Any, vendors: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        vendor_field: Any = self.fields["vendor"]
        vendor_field.queryset = vendors
        self.user: User | None = None

    def clean_username(self) -> str:
        username = str(self.cleaned_data.get("username") or "").strip()
        if username:
            self.user = get_user_model().objects.filter(username=username).first()
            if self.user is None:
                raise forms.ValidationError(_("没有这个账号。"))
        return username


class PitchForm(forms.Form):
    vendor = forms.ModelChoiceField(label=_("品牌方"), queryset=Vendor.objects.none())
    order = forms.IntegerField(label=_("顺序"), min_value=1, max_value=100)
    starts_at = forms.DateTimeField(
        label=_("开始时间"), widget=DateTimeLocalInput(), input_formats=DATETIME_LOCAL_FORMATS
    )
    ends_at = forms.DateTimeField(
        label=_("结束时间"), widget=DateTimeLocalInput(), input_formats=DATETIME_LOCAL_FORMATS
    )
    link = forms.URLField(label=_("演示文稿或视频链接"), required=False, max_length=500, assume_scheme="https")
    offer = forms.ModelChoiceField(
        label=_("报价"),
        required=False,
        queryset=Offer.objects.none(),
        empty_label=_("（无）"),
    )

    def __init__(self, *args: Any, vendors: QuerySet[Any], offers: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        vendor_field: Any = self.fields["vendor"]
        vendor_field.queryset = vendors
        offer_field: Any = self.fields["offer"]
        offer_field.queryset = offers


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("问题或意见"),
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": QUESTION_MAX_LENGTH}),
    )
    addressed_to = forms.ModelChoiceField(
        label=_("提问对象"),
        required=False,
        queryset=Vendor.objects.none(),
        empty_label=_("（所有人）"),
    )

    def __init__(self, *args: Any, vendors: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["addressed_to"]
        field.queryset = vendors


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("回答"), max_length=ANSWER_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}))


class MinutesForm(forms.Form):
    conclusions = forms.CharField(label=_("会议结论"), widget=forms.Textarea(attrs={"rows": 6}))
    motions = IdMultipleChoiceField(
        label=_("相关表决"),
        required=False,
        queryset=Motion.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, motions: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["motions"]
        field.queryset = motions


class SignInForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=64)
    phone_last4 = forms.RegexField(
        label=_("手机号后四位"),
        regex=r"^\d{4}$",
        max_length=4,
        error_messages={"invalid": _("请输入 4 位数字。")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


_BAD_STEP = _("无效的操作。")


class TransitionForm(forms.Form):
    step = forms.ChoiceField(
        choices=[("start", "start"), ("end", "end")],
        error_messages={"required": _BAD_STEP, "invalid_choice": _BAD_STEP},
    )


class AttendanceForm(forms.Form):
    attended = forms.ChoiceField(
        choices=[("1", "1"), ("0", "0")], error_messages={"required": _BAD_STEP, "invalid_choice": _BAD_STEP}
    )


class SignInModeForm(forms.Form):
    """Which way a visitor signs in: one tap (logged-in invitee) or name and phone digits (the default)."""

    mode = forms.ChoiceField(
        choices=[("account", "account"), ("phone", "phone")],
        required=False,
        error_messages={"invalid_choice": _BAD_STEP},
    )


class ModerateForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(d, d) for d in MODERATION_DECISIONS],
        error_messages={"required": _("无效的审核操作。"), "invalid_choice": _("无效的审核操作。")},
    )
    status = forms.ChoiceField(choices=QuestionStatus.choices, required=False)
