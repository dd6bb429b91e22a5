"""Forms of the suggestions pages: they check the shape of the input; the rules are the services'
(whose DomainError the views show at the form)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.core.params import parse_id
from gongzhi.core.widgets import DateInput
from gongzhi.places.models import Community
from gongzhi.suggestions.models import Department, Deputy, Source, Status, SuggestionCategory
from gongzhi.suggestions.services import STAFF_SOURCES

PHOTO_ACCEPT = "image/jpeg,image/png,application/pdf"


class SuggestionCategoryChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.subdistrict.name} · {obj.name}"


class SubmitForm(forms.Form):
    category = SuggestionCategoryChoiceField(
        label=_("类别"), queryset=SuggestionCategory.objects.none(), empty_label=_("请选择")
    )
    title = forms.CharField(label=_("标题"), max_length=100)
    text = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=32,
        required=False,
        help_text=_("仅承办人员可见，不会公开。"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    photo1 = forms.FileField(
        label=_("照片 1"), required=False, widget=forms.ClearableFileInput({"accept": PHOTO_ACCEPT})
    )
    photo2 = forms.FileField(
        label=_("照片 2"), required=False, widget=forms.ClearableFileInput({"accept": PHOTO_ACCEPT})
    )
    photo3 = forms.FileField(
        label=_("照片 3"), required=False, widget=forms.ClearableFileInput({"accept": PHOTO_ACCEPT})
    )

    def __init__(self, *args: Any, categories: QuerySet[SuggestionCategory], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]

    def photos(self) -> list[Any]:
        return [self.cleaned_data.get(k) for k in ("photo1", "photo2", "photo3") if self.cleaned_data.get(k)]


class RecordForm(SubmitForm):
    source = forms.ChoiceField(label=_("来源"), choices=[(k, v) for k, v in Source.choices if k in STAFF_SOURCES])
    name = forms.CharField(label=_("反映人"), max_length=64, required=False)
    received_on = forms.DateField(label=_("受理日期"), required=False, widget=DateInput())
    community = forms.ModelChoiceField(
        label=_("社区"),
        queryset=Community.objects.none(),
        required=False,
        empty_label=_("街道层面（不限社区）"),
        help_text=_("社区工作人员请选择本社区。"),
    )

    def __init__(self, *args: Any, communities: QuerySet[Community], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]

    field_order = ("source", "received_on", "category", "community", "title", "text", "place", "name", "phone")


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False)
    category = forms.TypedChoiceField(label=_("类别"), required=False, coerce=int, empty_value=None)
    department = forms.TypedChoiceField(label=_("承办部门"), required=False, coerce=int, empty_value=None)
    overdue = forms.BooleanField(label=_("只看超期"), required=False)
    due_soon = forms.BooleanField(label=_("只看即将到期"), required=False)

    def __init__(
        self, *args: Any, categories: list[tuple[int, str]], departments: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        everything = ("", _("全部"))
        self.fields["status"].choices = [everything, *Status.choices]  # type: ignore[attr-defined]
        self.fields["category"].choices = [everything, *categories]  # type: ignore[attr-defined]
        self.fields["department"].choices = [everything, *departments]  # type: ignore[attr-defined]


# --- the actions on a suggestion's page (views.act): each reads its POST through one of these ----------
# Texts the services check (a reason, an answer) stay optional here so the services' own messages show;
# the forms check the shape: strings without NUL, ids that are ids, a number that is a number.


class NoteForm(forms.Form):
    note = forms.CharField(required=False, strip=False)


class DepartmentForm(NoteForm):
    department = forms.ModelChoiceField(
        queryset=Department.objects.none(),
        error_messages={"required": _("请选择承办部门。"), "invalid_choice": _("请选择承办部门。")},
    )

    def __init__(self, *args: Any, departments: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(required=False, strip=False)


class AnswerForm(forms.Form):
    answer = forms.CharField(required=False, strip=False)


class RateForm(NoteForm):
    rating = forms.CharField(required=False)


class ExtendForm(ReasonForm):
    working_days = forms.IntegerField(
        error_messages={"required": _("请填写有效的数字。"), "invalid": _("请填写有效的数字。")},
    )


class DecideForm(forms.Form):
    extension = forms.CharField()
    approve = forms.CharField(required=False)

    def extension_id(self) -> int | None:
        return parse_id(self.cleaned_data.get("extension"))


class EscalateForm(NoteForm):
    deputy = forms.ModelChoiceField(
        queryset=Deputy.objects.none(),
        error_messages={"required": _("请选择人大代表。"), "invalid_choice": _("请选择人大代表。")},
    )

    def __init__(self, *args: Any, deputies: QuerySet[Deputy], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deputy"].queryset = deputies  # type: ignore[attr-defined]


class MergeForm(NoteForm):
    kept = forms.UUIDField(error_messages={"required": _("请选择保留的诉求。"), "invalid": _("请选择保留的诉求。")})
