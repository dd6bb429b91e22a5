"""What the apps above plug into the vote engine (issue 14: motions sit below renewals).

Motions knows motions, options, voters and ballots. An app above it (renewals, for an entrance's
three renewal decisions) adds what it knows by registering a function here from its
AppConfig.ready(); motions calls whatever is registered and never imports that app:

- ``register_motion_opening(hook)``: called inside motion_open's transaction, after the roll is
  frozen and before the motion is marked open; raising a DomainError refuses the opening and
  rolls everything back (renewals locks the offers a choice motion puts to the owners).
- ``register_motion_group(resolver)``: the motions put to the same owners together, in order
  (renewals: the consultation's replace, brand and funding motions), so that one confirmed code
  opens them all (services.sibling_voters).
- ``register_option_offers(resolver)``: the offer each option stands for, as the API and the tally
  show it (``offer`` of an option; docs/api.md keeps that contract).
- ``register_vote_panel(provider)``: panels on the owner's voting page (renewals: the three
  decisions' navigation, the offers side by side, the owner's own share of the funding plan).
  A provider returns nothing for a motion it does not know, so other motions show no panel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from gongzhi.core.actors import Actor
    from gongzhi.motions.models import Motion, RollEntry, Voter
    from gongzhi.motions.selectors import OptionShown


@dataclass(frozen=True)
class OfferSummary:
    """The offer an option stands for, as the motions API shows it (``OfferSummaryOut``), the staff
    page lists it and the voting page prints it under the option."""

    id: int
    campaign_id: int
    vendor: str
    brand: str
    model: str
    price_per_elevator: Decimal


@dataclass(frozen=True)
class VotePage:
    """What a panel provider gets: the voter's page being built (the motion, the voter's personal
    token for links, their own roll entries and the motion's options with their offers, already
    loaded)."""

    motion: Motion
    voter: Voter
    token: str
    entries: list[RollEntry]
    options: list[OptionShown]


PanelSlot = Literal["top", "main", "choice_links", "done"]


@dataclass(frozen=True)
class VotePanel:
    """One piece of the voting page, rendered from `template` with `context` (and the request).

    Slots, in page order: ``top`` under the title, ``main`` before the voting step,
    ``choice_links`` under the options of a choice motion (once the voter may choose), ``done`` in
    the confirmation after a ballot was recorded."""

    slot: PanelSlot
    template: str
    context: dict[str, Any] = field(default_factory=dict)


class OpeningHook(Protocol):
    def __call__(self, *, actor: Actor, motion: Motion, now: dt.datetime) -> None: ...


GroupResolver = Callable[["Motion"], Sequence[int] | None]
OptionOffersResolver = Callable[[Sequence[int]], dict[int, OfferSummary]]  # motion ids → {option pk: offer}
VotePanelProvider = Callable[[VotePage], Iterable[VotePanel]]

_opening: list[OpeningHook] = []
_groups: list[GroupResolver] = []
_option_offers: list[OptionOffersResolver] = []
_vote_panels: list[VotePanelProvider] = []


def _add(registry: list[Any], item: Any) -> None:
    if item not in registry:  # ready() may run twice (e.g. in a test re-populating apps)
        registry.append(item)


def register_motion_opening(hook: OpeningHook) -> None:
    _add(_opening, hook)


def register_motion_group(resolver: GroupResolver) -> None:
    _add(_groups, resolver)


def register_option_offers(resolver: OptionOffersResolver) -> None:
    _add(_option_offers, resolver)


def register_vote_panel(provider: VotePanelProvider) -> None:
    _add(_vote_panels, provider)


def motion_opening(*, actor: Actor, motion: Motion, now: dt.datetime) -> None:
    """Run the registered opening hooks (inside motion_open's transaction)."""
    for hook in _opening:
        hook(actor=actor, motion=motion, now=now)


def motion_group(motion: Motion) -> list[int]:
    """The ids of the motions put together with `motion` (itself included), in order; [] if none."""
    for resolver in _groups:
        ids = resolver(motion)
        if ids:
            return list(ids)
    return []


def option_offers(motion_ids: Sequence[int]) -> dict[int, OfferSummary]:
    """{option pk: the offer it stands for} over the options of `motion_ids` (options standing for
    nothing are left out). One query per registered resolver; none when there are no motions."""
    found: dict[int, OfferSummary] = {}
    if not motion_ids:
        return found
    for resolver in _option_offers:
        found.update(resolver(motion_ids))
    return found


def vote_panels(page: VotePage) -> list[VotePanel]:
    """Every registered provider's panels for this page, in registration order."""
    return [panel for provider in _vote_panels for panel in provider(page)]
