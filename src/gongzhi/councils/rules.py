"""Councils' access beyond the role table, plugged into the access façade (places.access).

Anyone logged in who holds a role in the council's community (over it, over a place that contains
it, over one of its estates, or as an owner of an apartment in it: scope.in_community) may propose
a topic; running the council is MANAGE_COUNCILS in the table.
`require(actor, CouncilAction.PROPOSE_TOPIC, council)`."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.councils.models import Council
from gongzhi.councils.scope import in_community
from gongzhi.places.access import register_checker


class CouncilAction(StrEnum):
    PROPOSE_TOPIC = "propose_topic"  # a resident or staff member of the community proposes a topic


def _check(actor: Actor, action: CouncilAction, council: Council) -> str | None:
    if not actor.is_authenticated or not in_community(actor, council.community):
        return _("只有本社区的居民和工作人员可以提议题。")
    return None


register_checker(CouncilAction, _check)
