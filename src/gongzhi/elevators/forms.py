"""Forms of the elevator pages: opening a campaign and filtering its ranked list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.core.actors import Actor
from gongzhi.core.widgets import DateInput
from gongzhi.elevators import eligibility as elig
from gongzhi.elevators.models import Campaign, Tier
from gongzhi.places.access import Action, may, user_access
from gongzhi.places.models import Estate, Subdistrict
from gongzhi.places.selectors import access_estates


def manageable_subdistricts(user: Actor) -> QuerySet[Subdistrict]:
    """Subdistricts in which the user may open campaigns (places.manage_campaign)."""
    ids = user_access(user).subdistricts(Action.MANAGE_CAMPAIGN)
    candidates = Subdistrict.objects.all() if ids is None else Subdistrict.objects.filter(id__in=ids)
    keep = [s.pk for s in candidates if may(user, Action.MANAGE_CAMPAIGN, s)]
    return Subdistrict.objects.filter(id__in=keep).order_by("name")


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("行动名称"), max_length=128)
    subdistrict = forms.ModelChoiceField(label=_("街道"), queryset=Subdistrict.objects.none(), empty_label=None)
    reference_date = forms.DateField(label=_("基准日期"), widget=DateInput(), help_text=_("梯龄按此日期计算。"))
    deadline = forms.DateField(label=_("截止日期"), widget=DateInput())
    eligible_years = forms.IntegerField(
        label=_("符合条件年限"), initial=elig.DEFAULT_ELIGIBLE_YEARS, min_value=1, max_value=100
    )
    priority_years = forms.IntegerField(
        label=_("优先年限"), initial=elig.DEFAULT_PRIORITY_YEARS, min_value=1, max_value=100
    )

    def __init__(self, *args: Any, subdistricts: QuerySet[Subdistrict], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["subdistrict"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrows the type for mypy
        field.queryset = subdistricts


class EntryFilterForm(forms.Form):
    """The filters of a campaign's ranked list (GET). Invalid values are ignored, not refused."""

    tier = forms.ChoiceField(
        label=_("等级"),
        required=False,
        choices=[
            ("", _("全部等级")),
            (Tier.PRIORITY.value, Tier.PRIORITY.label),
            (Tier.ELIGIBLE.value, Tier.ELIGIBLE.label),
        ],
    )
    estate = forms.ModelChoiceField(
        label=_("小区"), required=False, queryset=Estate.objects.none(), empty_label=_("全部小区")
    )
    q = forms.CharField(label=_("搜索"), required=False, max_length=64)
    min_score = forms.DecimalField(label=_("最低分"), required=False, min_value=0, max_digits=8, decimal_places=1)

    def __init__(self, *args: Any, user: Actor, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["estate"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = access_estates(user).filter(community__subdistrict_id=campaign.subdistrict_id).order_by("name")
        self.fields["q"].widget.attrs["placeholder"] = _("设备代码、登记证号或小区")

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for elevators.selectors.campaign_entries."""
        data: dict[str, Any] = {}
        if self.is_valid():
            cleaned = self.cleaned_data
        else:
            cleaned = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}
        if cleaned.get("tier"):
            data["tier"] = cleaned["tier"]
        if cleaned.get("estate") is not None:
            data["estate_id"] = cleaned["estate"].pk
        if cleaned.get("q"):
            data["search"] = cleaned["q"].strip()
        if cleaned.get("min_score") is not None:
            data["min_score"] = float(cleaned["min_score"])
        return data
