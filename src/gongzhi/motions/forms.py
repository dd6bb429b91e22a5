"""Forms of the staff pages of owners' motions: creating a motion, cancelling it, keying paper
ballots, resolving mismatches, entering proxy votes and filtering the voters' list.

Forms only parse and check the shape of the input; the rules of the domain (voting period,
notice period, scope within the estate) are the services' (DESIGN.md convention 2).
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.core.widgets import DATETIME_LOCAL_FORMATS, DateTimeLocalInput
from gongzhi.motions import thresholds as th
from gongzhi.motions.models import MAX_OPTIONS, Choice, MeetingKind, MotionKind, ScopeKind
from gongzhi.places.models import Apartment, Building, Entrance, Estate

RULE_CUSTOM = "custom"

# The legal source of each preset, shown next to the choice (Civil Code Art. 278, Art. 1259).
RULE_CHOICES = [
    (
        th.PRESET_ORDINARY,
        _("一般事项：参与面积和人数均达三分之二以上，同意面积和人数均过半数（《民法典》第二百七十八条第二款）"),
    ),
    (
        th.PRESET_SPECIAL,
        _(
            "特别事项（筹集维修资金、改建重建、改变共有部分用途或利用其经营）：参与同上，同意面积和人数均达"
            "四分之三以上（《民法典》第二百七十八条第一款第六至八项、第二款）"
        ),
    ),
    (RULE_CUSTOM, _("自定义门槛")),
]


class _BuildingChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.estate.name} · {obj.name}"


class _EntranceChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.building.estate.name} · {obj.building.name}{obj.name}"


def _normalise_room(text: str) -> str:
    return "".join(text.split())


def resolve_rooms(estate: Estate, text: str) -> tuple[list[Apartment], list[str]]:
    """Read one room per line, written as building + entrance + room ("1幢1单元101"), and find each
    in the estate. Returns the apartments found and the lines that name no apartment of it.
    One query for the whole estate: labels are compared after removing spaces."""
    rows = Apartment.objects.filter(entrance__building__estate=estate).values_list(
        "id", "entrance__building__name", "entrance__name", "room"
    )
    by_label = {_normalise_room(f"{b}{e}{r}"): pk for pk, b, e, r in rows}
    wanted: list[int] = []
    unknown: list[str] = []
    for line in text.splitlines():
        label = _normalise_room(line)
        if not label:
            continue
        pk = by_label.get(label)
        if pk is None:
            unknown.append(line.strip())
        elif pk not in wanted:
            wanted.append(pk)
    found = {a.pk: a for a in Apartment.objects.filter(pk__in=wanted).select_related("entrance__building")}
    return [found[pk] for pk in wanted], unknown


def _threshold_field(label: Any, initial: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=16,
        initial=initial,
        help_text=_("如 >=2/3（“以上”含本数）或 >1/2（“过半数”不含本数），《民法典》第一千二百五十九条"),
    )


class MotionForm(forms.Form):
    estate = forms.ModelChoiceField(label=_("小区"), queryset=Estate.objects.none(), empty_label=None)
    title = forms.CharField(label=_("标题"), max_length=128)
    kind = forms.ChoiceField(
        label=_("表决类型"),
        choices=MotionKind.choices,
        initial=MotionKind.QUESTION,
        required=False,  # absent: a yes/no question, as before there were choice motions
        widget=forms.RadioSelect,
    )
    question = forms.CharField(label=_("表决事项"), widget=forms.Textarea(attrs={"rows": 3}))
    options = forms.CharField(
        label=_("方案"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "奥的斯 GeN2-MRL\n通力 MonoSpace 700"}),
        help_text=_(
            "方案选择时填写：每行一个方案，至少两个。某一方案须获参与表决面积和人数均过半数（特别事项为四分之三以上）"
            "的业主选择才算选定；只是票数最多不算（《民法典》第二百七十八条）。"
        ),
    )
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    scope_kind = forms.ChoiceField(label=_("范围类型"), choices=ScopeKind.choices, initial=ScopeKind.ENTRANCE)
    scope_building = _BuildingChoice(
        label=_("楼栋"), required=False, queryset=Building.objects.none(), empty_label=_("（范围为一栋楼时选择）")
    )
    scope_entrance = _EntranceChoice(
        label=_("单元"), required=False, queryset=Entrance.objects.none(), empty_label=_("（范围为一个单元时选择）")
    )
    scope_rooms = forms.CharField(
        label=_("指定房屋"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "1幢1单元101\n1幢1单元102"}),
        help_text=_("范围为指定房屋时填写：每行一户，写楼栋、单元和室号，如 1幢1单元101。"),
    )
    rule = forms.ChoiceField(
        label=_("表决规则"), choices=RULE_CHOICES, initial=th.PRESET_ORDINARY, widget=forms.RadioSelect
    )
    participation_area = _threshold_field(_("参与面积门槛"), ">=2/3")
    participation_owners = _threshold_field(_("参与人数门槛"), ">=2/3")
    approval_area = _threshold_field(_("同意面积门槛"), ">1/2")
    approval_owners = _threshold_field(_("同意人数门槛"), ">1/2")
    meeting_kind = forms.ChoiceField(
        label=_("会议类型"),
        choices=MeetingKind.choices,
        initial=MeetingKind.EXTRAORDINARY,
        help_text=_("定期会议须提前15天公告，临时会议须提前7天（《杭州市物业管理条例》第十九条）。"),
    )
    opens_at = forms.DateTimeField(
        label=_("开始时间"), widget=DateTimeLocalInput(), input_formats=DATETIME_LOCAL_FORMATS
    )
    closes_at = forms.DateTimeField(
        label=_("截止时间"),
        widget=DateTimeLocalInput(),
        input_formats=DATETIME_LOCAL_FORMATS,
        help_text=_("表决期须在5至60天之间（《杭州市物业管理条例》第二十条）。时间为北京时间。"),
    )
    objection_days = forms.IntegerField(label=_("异议期(天)"), min_value=0, max_value=60, initial=0)
    anonymous = forms.BooleanField(
        label=_("不公开个人选择"), required=False, help_text=_("勾选后，结果公告和表决明细不显示每户的选择。")
    )

    THRESHOLDS = ("participation_area", "participation_owners", "approval_area", "approval_owners")

    def __init__(self, *args: Any, estates: QuerySet[Estate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_queryset("estate", estates.select_related("community").order_by("name"))
        self._set_queryset(
            "scope_building",
            Building.objects.filter(estate__in=estates).select_related("estate").order_by("estate__name", "name"),
        )
        self._set_queryset(
            "scope_entrance",
            Entrance.objects.filter(building__estate__in=estates)
            .select_related("building__estate")
            .order_by("building__estate__name", "building__name", "name"),
        )
        self.apartments: list[Apartment] = []
        self.option_labels: list[str] = []

    def _set_queryset(self, name: str, qs: QuerySet[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrows the type for mypy
        field.queryset = qs

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        estate = data.get("estate")
        kind = data.get("scope_kind")
        if kind == ScopeKind.BUILDING:
            building = data.get("scope_building")
            if building is None:
                self.add_error("scope_building", _("请选择楼栋。"))
            elif estate is not None and building.estate_id != estate.pk:
                self.add_error("scope_building", _("所选楼栋不属于所选小区。"))
        elif kind == ScopeKind.ENTRANCE:
            entrance = data.get("scope_entrance")
            if entrance is None:
                self.add_error("scope_entrance", _("请选择单元。"))
            elif estate is not None and entrance.building.estate_id != estate.pk:
                self.add_error("scope_entrance", _("所选单元不属于所选小区。"))
        elif kind == ScopeKind.APARTMENTS and estate is not None:
            apartments, unknown = resolve_rooms(estate, data.get("scope_rooms", ""))
            if unknown:
                self.add_error(
                    "scope_rooms",
                    _("本小区没有这些房屋：%(rooms)s") % {"rooms": "、".join(unknown[:10])},
                )
            elif not apartments:
                self.add_error("scope_rooms", _("请至少填写一户。"))
            self.apartments = apartments
        if not data.get("kind"):
            data["kind"] = MotionKind.QUESTION
        if data.get("kind") == MotionKind.CHOICE:
            labels = [" ".join(line.split()) for line in (data.get("options") or "").splitlines()]
            labels = [label for label in labels if label]
            if len(labels) < 2:
                self.add_error("options", _("方案选择至少需要两个方案，每行一个。"))
            elif len(labels) > MAX_OPTIONS:
                self.add_error("options", _("方案不能超过 %(n)s 个。") % {"n": MAX_OPTIONS})
            elif len(set(labels)) != len(labels):
                self.add_error("options", _("方案名称不能重复。"))
            elif any(len(label) > 128 for label in labels):
                self.add_error("options", _("每个方案的名称不能超过 128 个字。"))
            self.option_labels = labels
        if data.get("rule") == RULE_CUSTOM:
            for name in self.THRESHOLDS:
                text = (data.get(name) or "").strip()
                try:
                    th.Threshold.parse(text)
                except th.TallyInputError:
                    self.add_error(name, _("门槛须写作 >=分子/分母 或 >分子/分母，如 >=2/3，且不超过 1。"))
        return data

    def rule_spec(self) -> str | dict[str, Any]:
        """The rule as motions.services.motion_create takes it: a preset name or the custom object."""
        data = self.cleaned_data
        if data["rule"] != RULE_CUSTOM:
            return str(data["rule"])
        return {
            "participation": {
                "area": data["participation_area"].strip(),
                "owners": data["participation_owners"].strip(),
            },
            "approval": {"area": data["approval_area"].strip(), "owners": data["approval_owners"].strip()},
        }


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class SheetNumberField(forms.IntegerField):
    """The number printed on a paper ballot sheet (表决票编号); numeric keypad on phones."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("表决票编号"))
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"})


class _MotionChoices:
    """A form whose `choice` field offers the motion's own choices (selectors.choice_list):
    for / against / abstain, or the options of a choice motion and abstain."""

    fields: dict[str, Any]

    def _set_choices(self, choices: list[tuple[str, str]] | None) -> None:
        if choices is not None:
            field = self.fields["choice"]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101 - narrows the type for mypy
            field.choices = choices


class PaperEntryForm(_MotionChoices, forms.Form):
    number = SheetNumberField()
    choice = forms.ChoiceField(
        label=_("选择"), choices=Choice.choices, error_messages={"required": _("请选择同意、反对或弃权。")}
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_choices(choices)
        if choices is not None and Choice.FOR not in dict(choices):
            self.fields["choice"].error_messages["required"] = _("请选择一个方案或弃权。")
        self.fields["number"].widget.attrs["autofocus"] = True


class MismatchResolveForm(_MotionChoices, forms.Form):
    number = SheetNumberField(widget=forms.HiddenInput)
    choice = forms.ChoiceField(label=_("按纸质票认定为"), choices=Choice.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("裁定依据"), max_length=255)

    def __init__(self, *args: Any, choices: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_choices(choices)


class ProxyForm(_MotionChoices, forms.Form):
    number = SheetNumberField()
    choice = forms.ChoiceField(label=_("选择"), choices=Choice.choices, widget=forms.RadioSelect)
    proxy_name = forms.CharField(label=_("受托人姓名"), max_length=128)
    proxy_id_last4 = forms.CharField(label=_("受托人证件号后四位"), max_length=4, required=False)
    scan = forms.FileField(
        label=_("签字的委托书扫描件"),
        help_text=_("PDF、JPEG 或 PNG，不超过 5 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, choices: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("request_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self._set_choices(choices)


class VoterFilterForm(forms.Form):
    """Filters of the voters' list (GET); invalid values are ignored."""

    voted = forms.ChoiceField(
        label=_("表决情况"),
        required=False,
        choices=[("", _("全部")), ("yes", _("已表决")), ("no", _("未表决"))],
    )
    q = forms.CharField(label=_("搜索"), required=False, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("房号、姓名或编号")


class PaperRequestForm(forms.Form):
    """A paper ballot asked for (or no longer) on the voters' page, by sheet number."""

    number = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    requested = forms.CharField(required=False)
    next = forms.CharField(required=False)


def errors_text(form: forms.Form) -> str:
    """A form's errors as one flash message (the views of these small forms redirect back)."""
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


class MotionRuleForm(forms.Form):
    """A draft's rule changed on its page: a preset, or the four custom thresholds. The service
    checks the thresholds' meaning; here only their shape."""

    _BAD_THRESHOLD = _("门槛须写作 >=分子/分母 或 >分子/分母，如 >=2/3，且不超过 1。")

    rule = forms.ChoiceField(
        choices=RULE_CHOICES,
        error_messages={"required": _("请选择表决规则。"), "invalid_choice": _("请选择表决规则。")},
    )
    participation_area = forms.CharField(required=False, max_length=16, error_messages={"max_length": _BAD_THRESHOLD})
    participation_owners = forms.CharField(required=False, max_length=16, error_messages={"max_length": _BAD_THRESHOLD})
    approval_area = forms.CharField(required=False, max_length=16, error_messages={"max_length": _BAD_THRESHOLD})
    approval_owners = forms.CharField(required=False, max_length=16, error_messages={"max_length": _BAD_THRESHOLD})

    def rule_spec(self) -> str | dict[str, Any]:
        data = self.cleaned_data
        if data["rule"] != RULE_CUSTOM:
            return str(data["rule"])
        return {
            "participation": {"area": data["participation_area"], "owners": data["participation_owners"]},
            "approval": {"area": data["approval_area"], "owners": data["approval_owners"]},
        }


class VoteCodeForm(forms.Form):
    """The one-time code typed on the voting page."""

    code = forms.CharField(
        max_length=6,
        error_messages={"required": _("请输入短信中的 6 位验证码。"), "max_length": _("请输入短信中的 6 位验证码。")},
    )


class VoteCastForm(forms.Form):
    """An owner's choice on the voting page; the service checks it is one the motion offers."""

    choice = forms.CharField(
        max_length=8,
        error_messages={"required": _("请选择您的意见。"), "max_length": _("请选择您的意见。")},
    )
    request_key = forms.CharField(
        max_length=64, error_messages={"required": _("请求编号无效。"), "max_length": _("请求编号无效。")}
    )
