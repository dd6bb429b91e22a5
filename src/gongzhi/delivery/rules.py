"""Delivery's access beyond the role table, plugged into the access façade (places.access).

Recording a renewal stage needs RECORD_PROGRESS over the renewal's elevator. Through a role other
than a vendor's (staff of the place): any stage. Otherwise only through the vendor role, as one of
the renewal's own vendor's people, and only the works stages (selectors.recordable_kinds): a
vendor's employee who is property manager of another estate gains nothing here from that role.
`require(actor, DeliveryAction.RECORD_STAGE, stage)`."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.delivery.models import RenewalStage
from gongzhi.places.access import Action, may, register_checker


class DeliveryAction(StrEnum):
    RECORD_STAGE = "record_stage"  # a stage's dates, status, notes and documents


def _check(actor: Actor, action: DeliveryAction, stage: RenewalStage) -> str | None:
    from gongzhi.delivery.selectors import recordable_kinds

    renewal = stage.renewal
    if not may(actor, Action.RECORD_PROGRESS, renewal.elevator):
        return ""
    kinds = recordable_kinds(actor, renewal)
    if not kinds:
        return _("品牌方只能记录本单位承接的电梯。")
    if stage.kind not in kinds:
        return _("品牌方只能记录施工相关阶段。")
    return None


register_checker(DeliveryAction, _check)
