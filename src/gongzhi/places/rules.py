"""Object permissions for places (django-rules), derived from places.access.ROLE_ACTIONS.

Permission names: `places.<action>` with a Subdistrict, Estate, Building, Entrance or Apartment,
or any object with an `access_anchor` property naming one of those (Elevator → its Entrance,
Campaign → its Subdistrict), e.g. user.has_perm("places.view_registry", elevator). Load the chain of related places with
select_related (see places.selectors) so a check costs no query.
"""

from __future__ import annotations

from typing import Any

from rules.permissions import add_perm
from rules.predicates import predicate

from gongzhi.places.access import Action, Chain, allowed
from gongzhi.places.models import Apartment, Building, Entrance, Estate, Subdistrict


def chain_of(obj: Any) -> Chain | None:
    if isinstance(obj, Subdistrict):
        return Chain(district_id=obj.district_id, subdistrict_id=obj.id)
    if isinstance(obj, Estate):
        sub = obj.community.subdistrict
        return Chain(sub.district_id, sub.id, obj.community_id, obj.id)
    if isinstance(obj, Building):
        chain = chain_of(obj.estate)
        assert chain is not None  # noqa: S101 - an estate always has a chain
        entrances = frozenset(e.id for e in obj.entrances.all())
        return Chain(chain.district_id, chain.subdistrict_id, chain.community_id, chain.estate_id, entrances)
    if isinstance(obj, Entrance):
        chain = chain_of(obj.building.estate)
        assert chain is not None  # noqa: S101
        return Chain(chain.district_id, chain.subdistrict_id, chain.community_id, chain.estate_id, frozenset({obj.id}))
    if isinstance(obj, Apartment):
        chain = chain_of(obj.entrance)
        assert chain is not None  # noqa: S101
        return Chain(
            chain.district_id, chain.subdistrict_id, chain.community_id, chain.estate_id, chain.entrance_ids, obj.id
        )
    anchor = getattr(obj, "access_anchor", None)
    if anchor is not None:  # e.g. an Elevator is checked at its Entrance, a Campaign at its Subdistrict
        return chain_of(anchor)
    return None


def _predicate(action: Action) -> Any:
    @predicate(name=f"can_{action.value}")  # type: ignore[untyped-decorator,no-untyped-call]
    def check(user: Any, obj: Any = None) -> bool:
        if obj is None:
            return False
        chain = chain_of(obj)
        return chain is not None and allowed(user, action, chain)

    return check


PREDICATES = {action: _predicate(action) for action in Action}

for _action, _pred in PREDICATES.items():
    add_perm(f"places.{_action.value}", _pred)  # type: ignore[no-untyped-call]
