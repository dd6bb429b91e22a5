"""Forms of the ledger pages: they parse; the services decide (amounts stay text here so the
service's Chinese message about a bad amount is the one shown at the field)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.widgets import DateInput, MultipleFileInput
from gongzhi.ledgers.models import INCOME_SOURCES, SPENDING_CATEGORIES, EntryCategory


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(d, initial) for d in items]


def _choices(categories: tuple[str, ...]) -> list[tuple[str, Any]]:
    return [(c, EntryCategory(c).label) for c in categories]


class EntryForm(forms.Form):
    """Income (by source), a cost against an income, or proposed spending (by category)."""

    category = forms.ChoiceField(label=_("来源/类别"))
    against = forms.TypedChoiceField(label=_("对应收入"), coerce=int, required=False)
    amount = forms.CharField(label=_("金额(元)"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    date = forms.DateField(label=_("日期"), widget=DateInput())
    description = forms.CharField(label=_("摘要"), max_length=200, required=False)
    vouchers = MultipleFileField(label=_("凭证（PDF、JPEG、PNG，可多选）"))

    def _set_choices(self, name: str, choices: list[Any]) -> None:
        field: Any = self.fields[name]
        field.choices = choices

    def __init__(self, *args: Any, kind: str, incomes: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == "income":
            self._set_choices("category", _choices(INCOME_SOURCES))
            self.fields["category"].label = _("收入来源")
            del self.fields["against"]
        elif kind == "spending":
            self._set_choices("category", _choices(SPENDING_CATEGORIES))
            self.fields["category"].label = _("支出类别")
            self.fields["description"].required = True
            self.fields["description"].label = _("用途")
            del self.fields["against"]
        else:
            del self.fields["category"]
            self._set_choices("against", incomes or [])
            self.fields["against"].required = True


class ApproveForm(forms.Form):
    def _set_choices(self, name: str, choices: list[Any]) -> None:
        field: Any = self.fields[name]
        field.choices = choices

    motion = forms.TypedChoiceField(label=_("业主表决"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, motions: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_choices("motion", [("", "—"), *motions])


class PayForm(forms.Form):
    paid_on = forms.DateField(label=_("支付日期"), widget=DateInput())


class ReverseForm(forms.Form):
    date = forms.DateField(label=_("冲销日期"), widget=DateInput())
    reason = forms.CharField(label=_("冲销原因"), max_length=200)


class TransferForm(forms.Form):
    period_start = forms.DateField(label=_("所属期起"), widget=DateInput())
    period_end = forms.DateField(label=_("所属期止"), widget=DateInput())
    date = forms.DateField(label=_("转入日期"), widget=DateInput())


class StatementForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("季度"),
        coerce=int,
        choices=[(1, _("第一季度")), (2, _("第二季度")), (3, _("第三季度")), (4, _("第四季度"))],
    )


class BudgetForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    category = forms.ChoiceField(label=_("支出类别"), choices=_choices(SPENDING_CATEGORIES))
    amount = forms.CharField(
        label=_("预算金额(元)"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )


class LedgerForm(forms.Form):
    delegated_limit = forms.CharField(
        label=_("业委会审批限额(元)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("超过此金额的支出须经业主表决通过（《民法典》第二百七十八条）。"),
    )
    fund_share = forms.CharField(
        label=_("转入维修资金比例(%)"),
        max_length=8,
        initial="0",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    opening_balance = forms.CharField(
        label=_("期初余额(元)"), max_length=20, initial="0.00", widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    opened_on = forms.DateField(label=_("建账日期"), widget=DateInput())
