"""Reads of spaces for services: agreements in scope (staff with MANAGE_SPACES in the community,
or a partner's members for their own), and each obligation's periods with their shortfall."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from gongzhi.core.actors import Actor
from gongzhi.councils import scope
from gongzhi.places.access import Action, user_access
from gongzhi.spaces import periods
from gongzhi.spaces.models import Agreement, Fulfilment, Obligation, Space


def _community_q(user: Actor, path: str) -> Q | None:
    if user_access(user).superuser:
        return None
    ids = scope.visible_communities(user, Action.MANAGE_SPACES).values("pk")
    return Q(**{f"{path}__in": ids})


def access_agreements(user: Actor) -> QuerySet[Agreement]:
    q = _community_q(user, "space__community")
    qs = Agreement.objects.all()
    if q is None:
        return qs
    own = Q(partner__members=user) if getattr(user, "pk", None) else Q(pk__in=[])
    return qs.filter(pk__in=Agreement.objects.filter(q | own).values("pk"))


def access_spaces(user: Actor) -> QuerySet[Space]:
    """Spaces in the communities where the user manages spaces, and those of the user's partners'
    agreements."""
    q = _community_q(user, "community")
    qs = Space.objects.all()
    if q is None:
        return qs
    return qs.filter(q | Q(pk__in=access_agreements(user).values("space_id")))


@dataclass(frozen=True)
class ObligationStatus:
    obligation: Obligation
    rows: list[periods.PeriodRow]

    @property
    def flagged(self) -> list[periods.PeriodRow]:
        return [r for r in self.rows if r.short]


def obligation_statuses(agreement: Agreement, today: dt.date) -> list[ObligationStatus]:
    """Each obligation's periods (owed, delivered, shortfall, flag). Two queries."""
    obligations = list(agreement.obligations.all())
    by_obligation: dict[int, list[tuple[dt.date, Any]]] = {o.pk: [] for o in obligations}
    for oid, day, qty in Fulfilment.objects.filter(obligation__agreement=agreement).values_list(
        "obligation_id", "date", "quantity"
    ):
        by_obligation[oid].append((day, qty))
    return [
        ObligationStatus(
            o,
            periods.shortfall(agreement.start, agreement.end, o.period, o.quantity, by_obligation[o.pk], today),
        )
        for o in obligations
    ]
