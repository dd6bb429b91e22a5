"""Spaces' access beyond the role table, plugged into the access façade (places.access).

What a partner delivered against an agreement is logged by staff with MANAGE_SPACES in the space's
community, or by the partner's own people (Partner.members), whatever roles they hold elsewhere.
`require(actor, SpaceAction.LOG_FULFILMENT, agreement)`."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor, acting_user
from gongzhi.places.access import Action, may, register_checker
from gongzhi.spaces.models import Agreement


class SpaceAction(StrEnum):
    LOG_FULFILMENT = "log_fulfilment"  # log a delivery against the agreement's obligations, with evidence


def _check(actor: Actor, action: SpaceAction, agreement: Agreement) -> str | None:
    if may(actor, Action.MANAGE_SPACES, agreement.space.community):
        return None
    user = acting_user(actor)
    if user is not None and agreement.partner.members.filter(pk=user.pk).exists():
        return None
    return _("只有本协议的合作方或社区工作人员可以登记服务。")


register_checker(SpaceAction, _check)
