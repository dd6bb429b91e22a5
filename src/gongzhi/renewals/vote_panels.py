"""Renewals' panels on the owner's voting page (motions.hooks.register_vote_panel, issue 14).

When the motion is one of an entrance's three renewal decisions (Consultation: replace or not,
which offer, the funding plan; issue 4), the page links the owner's two other motions (one
confirmed code opens all three, motions.services.sibling_voters), puts the offers of a choice
motion side by side, and shows the owner's own share of the funding plan, so owners see what each
decision costs them before voting. Only the voter's own apartments' shares are shown, never
another apartment's. A motion outside any consultation gets the offers side by side only when
two or more of its options stand for offers, and no other panel.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.core.money import format_yuan
from gongzhi.motions import codes
from gongzhi.motions.hooks import VotePage, VotePanel
from gongzhi.motions.models import RollEntry, Voter
from gongzhi.motions.services import sibling_voters
from gongzhi.renewals.apportionment import ApportionInputError
from gongzhi.renewals.models import Consultation, FundingPlan, Offer
from gongzhi.renewals.selectors import compare_offers, consultation_of
from gongzhi.renewals.services import plan_shares


@dataclass(frozen=True)
class Step:
    """One of the three decisions in the page's "三项表决" navigation."""

    label: str
    title: str
    url: str | None  # the voter's personal link there (None: not on that roll)
    voted: bool
    current: bool


@dataclass(frozen=True)
class ComparedOffer:
    """One column of the side-by-side table: the option's position and its offer."""

    position: int
    offer: Offer


@dataclass(frozen=True)
class CompareCell:
    text: str
    best: bool


@dataclass(frozen=True)
class CompareLine:
    key: str
    label: str
    cells: list[CompareCell]
    differs: bool


@dataclass(frozen=True)
class ShareLine:
    """One of the voter's own apartments with its share of the owners' part of the plan."""

    label: str
    area: Decimal
    amount: str | None  # None: the apartment is no longer in the registry
    exempt: bool


def _cell_text(key: str, value: Any) -> str:
    if value in ("", None):
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if key == "price_per_elevator":
        return format_yuan(value)
    return str(value)


def offer_comparison(compared: list[ComparedOffer]) -> list[CompareLine]:
    """The options' offers side by side (selectors.compare_offers): one column per option, rows
    whose values differ flagged, the best value of each marked. [] for fewer than two offers."""
    if len(compared) < 2:
        return []
    return [
        CompareLine(
            key=row.key,
            label=str(getattr(Offer._meta.get_field(row.key), "verbose_name", row.key)),
            cells=[CompareCell(_cell_text(row.key, value), i in row.best) for i, value in enumerate(row.values)],
            differs=row.differs,
        )
        for row in compare_offers([c.offer for c in compared])
    ]


def _compared(page: VotePage) -> list[ComparedOffer]:
    """The options standing for offers, in order, with the whole offer (one query, none unless two
    or more options stand for offers)."""
    linked = [(o.position, o.offer.id) for o in page.options if o.offer is not None]
    if len(linked) < 2:
        return []
    offers = Offer.objects.select_related("vendor").in_bulk([pk for _position, pk in linked])
    return [ComparedOffer(position, offers[pk]) for position, pk in linked if pk in offers]


def _compare_url(page: VotePage) -> str | None:
    """The campaign's side-by-side offers page, for the first option standing for an offer."""
    campaign_id = next((o.offer.campaign_id for o in page.options if o.offer is not None), None)
    return reverse("offer_compare", args=[campaign_id]) if campaign_id is not None else None


def _steps(voter: Voter, token: str, consultation: Consultation, siblings: list[Voter]) -> list[Step]:
    by_motion = {s.motion_id: s for s in siblings}
    labels = (_("一、换不换"), _("二、换什么"), _("三、怎么换"))
    steps = []
    for label, motion in zip(labels, consultation.motions, strict=True):
        if motion.pk == voter.motion_id:
            steps.append(Step(label, str(motion), reverse("vote_link", args=[token]), bool(voter.choice), True))
            continue
        sibling = by_motion.get(motion.pk)
        url = (
            reverse("vote_link", args=[codes.voter_token(sibling.pk, str(sibling.motion.public_id))])
            if sibling is not None
            else None
        )
        steps.append(Step(label, str(motion), url, bool(sibling and sibling.choice), False))
    return steps


def _share_context(entries: list[RollEntry], plan: FundingPlan) -> dict[str, Any]:
    """The voter's own apartments with their shares (services.plan_shares, one query), and the
    plan's totals: what the works cost, what subsidies and funds cover, what remains for the
    owners, and how it is split (Civil Code Art. 283 when by area)."""
    try:
        amounts = {apartment.pk: amount for apartment, amount in plan_shares(plan)}
    except ApportionInputError:
        # The registry changed since the plan was made (e.g. a floor outside its coefficient
        # table): say so rather than fail the voting page.
        return {"plan": plan, "share_error": True}
    exempt = {int(a) for a in plan.exempt}
    lines = []
    own_total = Decimal("0.00")
    for entry in entries:
        amount = amounts.get(entry.apartment_id) if entry.apartment_id is not None else None
        if amount is not None:
            own_total += amount
        lines.append(
            ShareLine(
                f"{entry.building_name}{entry.entrance_name}{entry.room}",
                entry.area,
                format_yuan(amount) if amount is not None else None,
                entry.apartment_id in exempt,
            )
        )
    subsidies = [
        (str(line.get("name", "")), format_yuan(Decimal(str(line.get("amount", "0"))))) for line in plan.subsidies
    ]
    return {
        "plan": plan,
        "share_lines": lines,
        "share_total": format_yuan(own_total),
        "plan_total": format_yuan(plan.works_cost * plan.elevators),
        "plan_subsidies": subsidies,
        "plan_maintenance_fund": format_yuan(plan.maintenance_fund),
        "plan_public_revenue": format_yuan(plan.public_revenue),
        "plan_owners_total": format_yuan(plan.owners_total),
    }


def vote_panels(page: VotePage) -> list[VotePanel]:
    """The panels for one voter's page, in a fixed number of queries: the offers of the options
    (when two or more stand for offers), the consultation with its plan and motions, the sibling
    voters, the plan's shares."""
    panels: list[VotePanel] = []
    compared = _compared(page)
    comparison = offer_comparison(compared)
    compare_url = _compare_url(page)
    consultation = consultation_of(page.motion)
    steps: list[Step] = []
    if consultation is not None:
        group = [m.pk for m in consultation.motions]
        steps = _steps(page.voter, page.token, consultation, sibling_voters(page.voter, group=group))
        panels.append(VotePanel("top", "renewals/vote_steps.html", {"steps": steps}))
    if comparison:
        panels.append(VotePanel("main", "renewals/vote_compare.html", {"comparison": comparison, "compared": compared}))
    if consultation is not None:
        panels.append(VotePanel("main", "renewals/vote_share.html", _share_context(page.entries, consultation.plan)))
    if comparison or compare_url:
        panels.append(
            VotePanel(
                "choice_links",
                "renewals/vote_choice_links.html",
                {"comparison": bool(comparison), "compare_url": compare_url},
            )
        )
    next_step = next((s for s in steps if not s.voted and not s.current and s.url), None)
    if next_step is not None:
        panels.append(VotePanel("done", "renewals/vote_next_step.html", {"next_step": next_step}))
    return panels
