"""Forms of the renewal consultation pages: a vendor's offer with its configuration prices, and an
entrance's funding plan.

Forms parse and check the shape of the input only; the rules of the domain (an offer locked once a
brand motion opens, a plan that balances exactly, shares that can be apportioned) are the
services' (DESIGN.md convention 2), whose DomainError the views show on the form.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.core.money import FEN, format_yuan
from gongzhi.core.widgets import DateInput
from gongzhi.renewals.models import ApportionMethod, Offer, OfferPrice
from gongzhi.renewals.services import OFFER_FIELDS

MAX_PRICE_LINES = 5
FLOOR_METHODS = frozenset({ApportionMethod.FLOOR.value, ApportionMethod.FLOOR_AREA.value})


class OfferForm(forms.ModelForm):  # type: ignore[type-arg]
    """All the fields of an offer a vendor fills in (services.OFFER_FIELDS). The campaign and the
    vendor come from the page, never from the form."""

    class Meta:
        model = Offer
        fields = OFFER_FIELDS
        widgets = {  # noqa: RUF012 - Django's Meta convention
            "after_sales": forms.Textarea(attrs={"rows": 3}),
            "rated_speed_mps": forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
            "price_per_elevator": forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        }

    def __init__(self, *args: Any, duplicates: QuerySet[Offer] | None = None, **kwargs: Any) -> None:
        """`duplicates`: the vendor's other offers in the campaign, to refuse a second offer of the
        same brand and model with a message instead of a database error."""
        super().__init__(*args, **kwargs)
        self._duplicates = duplicates
        self.fields["price_per_elevator"].help_text = _("含设备、拆除、安装和验收的每台总价（元，精确到分）。")

    def clean_price_per_elevator(self) -> Decimal:
        price: Decimal = self.cleaned_data["price_per_elevator"]
        if price <= 0:
            raise forms.ValidationError(_("价格须为正数。"))
        return price

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        brand, model = data.get("brand"), data.get("model")
        if (
            self._duplicates is not None
            and brand
            and model
            and self._duplicates.filter(brand=brand, model=model).exists()
        ):
            raise forms.ValidationError(_("您已为本行动报过同一品牌型号，请编辑原报价。"))
        return data

    def offer_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in OFFER_FIELDS}


class OfferPriceForm(forms.Form):
    """One configuration price (e.g. by the stops served). A line left empty is ignored; an
    existing line emptied is removed."""

    configuration = forms.CharField(label=_("配置"), max_length=128, required=False)
    min_stops = forms.IntegerField(label=_("最少层站"), min_value=1, max_value=200, required=False)
    max_stops = forms.IntegerField(label=_("最多层站"), min_value=1, max_value=200, required=False)
    price = forms.DecimalField(
        label=_("价格(元)"),
        max_digits=12,
        decimal_places=2,
        min_value=FEN,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        filled = [name for name in ("configuration", "min_stops", "max_stops", "price") if data.get(name)]
        if not filled:
            return data
        if not (data.get("configuration") or "").strip():
            self.add_error("configuration", _("请填写配置名称。"))
        if data.get("price") is None:
            self.add_error("price", _("请填写价格。"))
        low, high = data.get("min_stops"), data.get("max_stops")
        if low is not None and high is not None and low > high:
            self.add_error("max_stops", _("最多层站不能少于最少层站。"))
        return data

    def line(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not (data.get("configuration") or "").strip():
            return None
        return {
            "configuration": data["configuration"].strip(),
            "min_stops": data.get("min_stops"),
            "max_stops": data.get("max_stops"),
            "price": data["price"],
        }


OfferPriceFormSet = forms.formset_factory(
    OfferPriceForm, extra=MAX_PRICE_LINES, max_num=MAX_PRICE_LINES, absolute_max=MAX_PRICE_LINES, validate_max=True
)


def price_initial(prices: Iterable[OfferPrice]) -> list[dict[str, Any]]:
    return [
        {"configuration": p.configuration, "min_stops": p.min_stops, "max_stops": p.max_stops, "price": p.price}
        for p in prices
    ]


def price_lines(formset: Any) -> list[dict[str, Any]]:
    """The filled lines of a valid price formset, in page order."""
    return [line for form in formset.forms if (line := form.line()) is not None]


class _OfferChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.vendor.name} · {obj.brand} {obj.model} · {format_yuan(obj.price_per_elevator, unit=True)}"


class FundingPlanForm(forms.Form):
    """An entrance's funding plan (怎么换). The method defaults to area: Civil Code Art. 283 splits
    the costs of the common parts by the share of exclusive area unless the owners agree
    otherwise; floor coefficients are a proposal owners may adopt by their motion."""

    offer = _OfferChoice(label=_("选用的报价"), queryset=Offer.objects.none(), empty_label=None)
    stops = forms.IntegerField(
        label=_("层站数"), min_value=2, max_value=200, help_text=_("决定适用的配置价格和按层站分档的补助。")
    )
    on = forms.DateField(
        label=_("补助判定日期"),
        widget=DateInput(),
        help_text=_("按此日期（合同或批准日期）判断哪些补助政策有效。"),
    )
    maintenance_fund = forms.DecimalField(
        label=_("使用维修资金(元)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal(0),
        initial=Decimal("0.00"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        help_text=_("不超过本单元维修资金可用余额。"),
    )
    public_revenue = forms.DecimalField(
        label=_("公共收益列支(元)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal(0),
        initial=Decimal("0.00"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    method = forms.ChoiceField(
        label=_("分摊方式"),
        choices=ApportionMethod.choices,
        initial=ApportionMethod.AREA,
        widget=forms.RadioSelect,
        help_text=_(
            "《民法典》第二百八十三条：建筑物及其附属设施的费用分摊，有约定的按照约定；没有约定或者约定不明确的，"
            "按照业主专有部分面积所占比例确定。楼层系数须经业主表决采纳。"
        ),
    )
    exempt = forms.MultipleChoiceField(
        label=_("免摊房屋"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("例如一层住户经业主约定不分摊。"),
    )

    def __init__(
        self,
        *args: Any,
        offers: QuerySet[Offer],
        apartments: Iterable[Any],
        floors: Iterable[int],
        default_coefficients: Mapping[int, Decimal],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        offer_field = self.fields["offer"]
        assert isinstance(offer_field, forms.ModelChoiceField)  # noqa: S101 - declared above
        offer_field.queryset = offers
        exempt = self.fields["exempt"]
        assert isinstance(exempt, forms.MultipleChoiceField)  # noqa: S101 - declared above
        exempt.choices = [(str(a.pk), f"{a.room}（{a.floor}层，{a.area} m²）") for a in apartments]
        self.floors = sorted(set(floors))
        for floor in self.floors:
            self.fields[self.coefficient_name(floor)] = forms.DecimalField(
                label=_("%(floor)s 层") % {"floor": floor},
                max_digits=8,
                decimal_places=4,
                min_value=Decimal(0),
                required=False,
                initial=default_coefficients.get(floor, Decimal(0)),
                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
            )

    @staticmethod
    def coefficient_name(floor: int) -> str:
        return f"coefficient_{floor}".replace("-", "m")

    def coefficient_fields(self) -> list[Any]:
        return [self[self.coefficient_name(floor)] for floor in self.floors]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("method") in FLOOR_METHODS:
            for floor in self.floors:
                name = self.coefficient_name(floor)
                if name not in self.errors and data.get(name) is None:
                    self.add_error(name, _("按楼层系数分摊时每层都须填写系数。"))
        return data

    def coefficients(self) -> dict[int, Decimal] | None:
        """The table for the floor methods, None for area and equal (it would not be used)."""
        if self.cleaned_data.get("method") not in FLOOR_METHODS:
            return None
        return {floor: self.cleaned_data[self.coefficient_name(floor)] for floor in self.floors}

    def exempt_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data.get("exempt") or []]
