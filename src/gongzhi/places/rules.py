"""Object permissions for places (django-rules), registered through the access façade
(places.access.may).

Permission names: `places.<action>` with any place from a District to an Apartment, or any object
with an `access_anchor` property naming one of those (Elevator → its Entrance, Campaign → its
Subdistrict) or an `access_path`, e.g. user.has_perm("places.view_registry", elevator). Load the
chain of related places with select_related (see places.selectors) so a check costs no query.
"""

from __future__ import annotations

from typing import Any

from rules.permissions import add_perm
from rules.predicates import predicate

from gongzhi.core.actors import Actor
from gongzhi.places.access import Action, may


def _predicate(action: Action) -> Any:
    @predicate(name=f"can_{action.value}")  # type: ignore[untyped-decorator,no-untyped-call]
    def check(user: Actor, obj: object = None) -> bool:
        return obj is not None and may(user, action, obj)

    return check


PREDICATES = {action: _predicate(action) for action in Action}

for _action, _pred in PREDICATES.items():
    add_perm(f"places.{_action.value}", _pred)  # type: ignore[no-untyped-call]
