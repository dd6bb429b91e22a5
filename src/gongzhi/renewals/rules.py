"""Renewals' access beyond the role table, plugged into the access façade (places.access).

A vendor's offers are written by the vendor's own people only (Vendor.members), and only while
they hold SUBMIT_OFFERS where the vendor works: not even subdistrict staff write a vendor's offer.
`require(actor, VendorAction.WRITE_OFFERS, vendor)`."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor, acting_user
from gongzhi.places.access import Action, may, register_checker
from gongzhi.renewals.models import Vendor


class VendorAction(StrEnum):
    WRITE_OFFERS = "write_offers"  # create, edit, submit, withdraw the vendor's own offers


def _check(actor: Actor, action: VendorAction, vendor: Vendor) -> str | None:
    user = acting_user(actor)
    if user is None or not vendor.members.filter(pk=user.pk).exists():
        return _("只有该品牌方的账号可以编辑其报价。")
    return None if may(actor, Action.SUBMIT_OFFERS, vendor) else ""


register_checker(VendorAction, _check)
