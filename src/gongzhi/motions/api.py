"""JSON API of owners' motions (docs/api.md, "Motions").

Two routers with two kinds of caller:

* `router`: staff and owners logged in through the site (the NinjaAPI's session auth, CSRF on
  POST). Parse → access check (selectors.access_motions; outside the scope is 404, inside it
  without the right is 403) → service → render, like elevators.api.
* `voter_router`: an owner voting through their personal link on a phone app (or the load
  benchmark). No Django session and no CSRF: the link token buys a one-time code to the phone on
  record, the code buys a short-lived bearer token (services.code_send / code_confirm), and the
  bearer token casts the ballot. Hangzhou 物业管理条例 (2021) Art. 20 makes electronic voting the
  norm; the code proves the voter holds the phone registered for the apartments.

Ballot casting is the hot path (100 concurrent clients in bench/): its authentication is one
indexed query (services.voter_for_session), then the service does the rest in one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Prefetch, Subquery
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.params import P, PathEx
from ninja.responses import Status
from ninja.security import HttpBearer

from gongzhi.core.errors import AccessDeniedError, DomainError, NotFoundError
from gongzhi.core.qr import absolute_url
from gongzhi.core.schemas import MAX_ID, NO_NUL, READ_ERRORS, WRITE_ERRORS, ErrorOut
from gongzhi.motions import selectors, services
from gongzhi.motions import thresholds as th
from gongzhi.motions.models import (
    BallotVersion,
    Motion,
    MotionResult,
    MotionStatus,
    RollEntry,
    Voter,
)
from gongzhi.motions.schemas import (
    BallotCastOut,
    BallotIn,
    BallotMotionOut,
    BallotOut,
    ChoiceTallyOut,
    CodeIn,
    DoorKnockingOut,
    DoorKnockingQuery,
    FiguresOut,
    MotionDetailOut,
    MotionListQuery,
    MotionPageOut,
    MotionRowOut,
    MotionRuleOut,
    OfferSummaryOut,
    OptionOut,
    PaperIn,
    PaperOut,
    PingOut,
    ResultOut,
    ScopeOut,
    TallyOut,
    ThresholdPairOut,
    VisitOut,
    VoterApartmentOut,
    VoterListQuery,
    VoterPageOut,
    VoterRowOut,
    VoterSessionOut,
)
from gongzhi.places.access import Action, require
from gongzhi.places.selectors import get_or_404

router = Router(tags=["motions"])

Id = PathEx[int, P(ge=1, le=MAX_ID)]
LinkToken = PathEx[str, P(min_length=1, max_length=64, pattern=NO_NUL)]
MAX_BEARER = 256  # session tokens are 43 characters; anything much longer is not one of ours


# ---- voting with bearer tokens -------------------------------------------------------------------


@dataclass(frozen=True)
class VoterAuth:
    """What a valid bearer token proves: the voter, and the token itself for the service."""

    voter: Voter
    token: str


class VoterBearer(HttpBearer):
    """`Authorization: Bearer <session>` → the voter (services.voter_for_session: one query).

    An unknown or expired token is not an error of the domain here but a missing credential:
    ninja answers 401 {"detail": "Unauthorized"} and the app asks for a new code."""

    def authenticate(self, request: HttpRequest, token: str) -> VoterAuth | None:
        if not token or len(token) > MAX_BEARER:
            return None
        try:
            voter = services.voter_for_session(token)
        except AccessDeniedError:
            return None
        return VoterAuth(voter, token)


voter_router = Router(tags=["voting"], auth=VoterBearer())
VOTER_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut}


def _voter_auth(request: HttpRequest) -> VoterAuth:
    auth: VoterAuth = request.auth  # type: ignore[attr-defined]  # set by ninja after VoterBearer
    return auth


@voter_router.get(
    "/vote/ping",
    auth=None,
    response=PingOut,
    summary="A trivial answer without the database (the load benchmark's baseline)",
)
def vote_ping(request: HttpRequest) -> PingOut:
    return PingOut(ok=True)


@voter_router.post(
    "/vote/{token}/code",
    auth=None,
    response={204: None, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Send a one-time code to the phone on record for the voter of a personal link",
    description="`token` is the secret of the personal link printed on the voter's notice. "
    "400 `no_phone`, `code_too_soon` (60 s between codes), `code_rate_limited`, `voting_closed`, "
    "`voting_not_open`, `cancelled`; 404 for an unknown link.",
)
def vote_code(request: HttpRequest, token: LinkToken) -> Status[None]:
    voter = services.voter_for_link(token)
    services.code_send(voter=voter)
    return Status(204, None)


@voter_router.post(
    "/vote/{token}/confirm",
    auth=None,
    response={200: VoterSessionOut, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Exchange the code for a bearer token valid for two hours",
    description="400 `code_wrong`, `code_expired`, `code_locked` (too many wrong tries: ask for a new code).",
)
def vote_confirm(request: HttpRequest, token: LinkToken, payload: CodeIn) -> VoterSessionOut:
    voter = services.voter_for_link(token)
    now = timezone.now()
    session = services.code_confirm(voter=voter, code=payload.code, now=now)
    return VoterSessionOut(session=session, expires_at=now + services.SESSION_TTL)


def _options_out(motion: Motion) -> list[OptionOut]:
    """A choice motion's options with the offers they stand for (selectors.options_shown: two
    queries); [] for a question (none)."""
    return [
        OptionOut(
            position=o.position,
            choice=o.choice,
            label=o.label,
            offer=None
            if o.offer is None
            else OfferSummaryOut(
                id=o.offer.id,
                vendor=o.offer.vendor,
                brand=o.offer.brand,
                model=o.offer.model,
                price_per_elevator=str(o.offer.price_per_elevator),
            ),
        )
        for o in selectors.options_shown(motion)
    ]


def _ballot_out(voter: Voter, now: dt.datetime) -> BallotOut:
    motion = voter.motion
    return BallotOut(
        motion=BallotMotionOut(
            title=motion.title,
            kind=motion.kind,  # type: ignore[arg-type]  # a MotionKind value, checked by the schema
            options=_options_out(motion),
            question=motion.question,
            status=motion.status,  # type: ignore[arg-type]  # a MotionStatus value, checked by the schema
            opens_at=motion.opens_at,
            closes_at=motion.closes_at,
            voting_open=selectors.voting_open(motion, now),
        ),
        number=voter.number,
        display_name=voter.display_name,
        choice=voter.choice or None,
        version=voter.version,
        area=str(voter.area),
        apartments=[
            VoterApartmentOut(label=label, area=str(area))
            for label, area in RollEntry.objects.filter(voter=voter).values_list("label", "area")
        ],
    )


@voter_router.get(
    "/vote/ballot",
    response={200: BallotOut, 401: ErrorOut},
    summary="The voter's motion, apartments and current choice",
)
def vote_ballot_get(request: HttpRequest) -> BallotOut:
    return _ballot_out(_voter_auth(request).voter, timezone.now())


@voter_router.post(
    "/vote/ballot",
    response={200: BallotCastOut, 201: BallotCastOut, **VOTER_ERRORS},
    summary="Cast or change the ballot for all of the voter's apartments",
    description="201 with `created: true` for a new version; 200 with `created: false` when the "
    "`request_key` was already recorded (a retry: nothing new is cast). 400 `bad_choice`, "
    "`request_key_reused`, `voting_closed`, `voting_not_open`, `cancelled`.",
)
def vote_ballot_post(request: HttpRequest, payload: BallotIn) -> Status[BallotCastOut]:
    auth = _voter_auth(request)
    result = services.ballot_cast_online(
        session_token=auth.token, voter=auth.voter, choice=payload.choice, request_key=payload.request_key
    )
    v = result.version
    body = BallotCastOut(
        version=v.version,
        choice=v.choice,
        cast_at=v.cast_at,
        created=result.created,
    )
    return Status(201 if result.created else 200, body)


# ---- motions for staff and owners (session auth) ----------------------------------------------


def _motion(request: HttpRequest, motion_id: int) -> Motion:
    motion: Motion = get_or_404(selectors.access_motions(request.user), id=motion_id)
    return motion


def _result(motion: Motion) -> MotionResult | None:
    try:
        return motion.result
    except MotionResult.DoesNotExist:
        return None


@router.get("/motions", response={200: MotionPageOut, **READ_ERRORS}, summary="Motions you may see")
def motions_list(request: HttpRequest, filters: Query[MotionListQuery]) -> MotionPageOut:
    services.motions_close_due()
    qs = selectors.access_motions(request.user)
    if filters.estate_id:
        qs = qs.filter(estate_id=filters.estate_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    count = qs.count()
    rows = qs.select_related("result")[filters.offset : filters.offset + filters.limit]
    items = []
    for m in rows:
        result = _result(m)
        items.append(
            MotionRowOut(
                id=m.id,
                title=m.title,
                estate_id=m.estate_id,
                estate_name=m.estate.name,
                community_name=m.estate.community.name,
                scope_kind=m.scope_kind,  # type: ignore[arg-type]  # a ScopeKind value, checked by the schema
                status=m.status,  # type: ignore[arg-type]
                opens_at=m.opens_at,
                closes_at=m.closes_at,
                anonymous=m.anonymous,
                passed=None if result is None else result.passed,
            )
        )
    return MotionPageOut(count=count, items=items)


def _scope_label(motion: Motion) -> str:
    if motion.scope_entrance is not None:
        return f"{motion.scope_entrance.building.name}{motion.scope_entrance.name}"
    if motion.scope_building is not None:
        return motion.scope_building.name
    return str(motion.get_scope_kind_display())


def _notice_url(request: HttpRequest, motion: Motion) -> str:
    try:
        path = reverse("motion_notice", args=[motion.public_id])
    except NoReverseMatch:  # the notice page's route, as docs/motions-voting.md gives it
        path = f"/notices/motions/{motion.public_id}/"
    return absolute_url(request, path)


@router.get("/motions/{id}", response={200: MotionDetailOut, **READ_ERRORS}, summary="One motion")
def motions_detail(request: HttpRequest, id: Id) -> MotionDetailOut:
    services.motions_close_due()
    motion: Motion = get_or_404(
        selectors.access_motions(request.user).select_related("result", "scope_building", "scope_entrance__building"),
        id=id,
    )
    result = _result(motion)
    opened = motion.status != MotionStatus.DRAFT
    if opened:
        apartments = RollEntry.objects.filter(motion=motion).count()
        owners: int | None = Voter.objects.filter(motion=motion).count()
    else:
        apartments = services.scope_apartments(motion).count()
        owners = None
    return MotionDetailOut(
        id=motion.id,
        public_id=str(motion.public_id),
        title=motion.title,
        question=motion.question,
        description=motion.description,
        estate_id=motion.estate_id,
        estate_name=motion.estate.name,
        community_name=motion.estate.community.name,
        kind=motion.kind,  # type: ignore[arg-type]  # a MotionKind value, checked by the schema
        options=_options_out(motion),
        scope=ScopeOut(
            kind=motion.scope_kind,  # type: ignore[arg-type]  # a ScopeKind value, checked by the schema
            label=_scope_label(motion),
            building_id=motion.scope_building_id,
            entrance_id=motion.scope_entrance_id,
            apartments=apartments,
            owners=owners,
        ),
        rule=MotionRuleOut(
            preset=motion.rule_preset or None,
            participation=ThresholdPairOut(area=motion.participation_area, owners=motion.participation_owners),
            approval=ThresholdPairOut(area=motion.approval_area, owners=motion.approval_owners),
        ),
        meeting_kind=motion.meeting_kind,  # type: ignore[arg-type]  # a MeetingKind value
        opens_at=motion.opens_at,
        closes_at=motion.closes_at,
        objection_days=motion.objection_days,
        anonymous=motion.anonymous,
        status=motion.status,  # type: ignore[arg-type]
        voting_open=selectors.voting_open(motion, timezone.now()),
        opened_at=motion.opened_at,
        closed_at=motion.closed_at,
        result=None
        if result is None
        else ResultOut(
            passed=result.passed,
            computed_at=result.computed_at,
            published_at=result.published_at,
            objection_until=result.objection_until,
            ballots_sha256=result.ballots_sha256,
        ),
        notice_url=_notice_url(request, motion) if motion.status == MotionStatus.CLOSED else None,
    )


def _live_tally(motion: Motion) -> th.Tally | selectors.ChoiceOutcome:
    """The tally now. A draft has no frozen roll yet, so there is nothing to count."""
    if motion.status == MotionStatus.DRAFT:
        raise DomainError(_("表决尚未公告，还没有名册。"), code="no_roll")
    try:
        return selectors.motion_outcome(motion)
    except th.TallyInputError as exc:  # an empty roll: motion_open refuses one, so never in practice
        raise DomainError(_("名册为空，无法计票。"), code="no_roll") from exc


@router.get(
    "/motions/{id}/tally",
    response={200: TallyOut | ChoiceTallyOut, 400: ErrorOut, **READ_ERRORS},
    by_alias=True,
    summary="The tally: live while open, the frozen result once closed (what the live page shows)",
    description="Participation and approval by area and by headcount, each against its threshold "
    '(Civil Code Art. 278), and `still_needed`. A choice motion answers `kind: "choice"` with '
    "each option's figures and `adopted` (an option needs a majority of the participating area and "
    "heads; plurality alone adopts nothing). 400 `no_roll` for a draft.",
)
def motions_tally(request: HttpRequest, id: Id) -> dict[str, Any]:
    services.motions_close_due()
    motion: Motion = get_or_404(selectors.access_motions(request.user).select_related("result"), id=id)
    result = _result(motion)
    if result is not None:
        return {**result.outcome, "at": result.computed_at, "final": True}
    return {**_live_tally(motion).as_json(), "at": timezone.now(), "final": False}


def _rooms(voter: Voter) -> list[str]:
    return [e.label for e in voter.roll_entries.all()]


_ROOMS = Prefetch("roll_entries", queryset=RollEntry.objects.only("id", "voter_id", "label"))


@router.get(
    "/motions/{id}/voters",
    response={200: VoterPageOut, **READ_ERRORS},
    summary="Who has voted, by sheet number (needs view_voters)",
    description="`choice` is given only once the motion is closed, and never for an anonymous motion.",
)
def motions_voters(request: HttpRequest, id: Id, filters: Query[VoterListQuery]) -> VoterPageOut:
    motion = _motion(request, id)
    require(request.user, Action.VIEW_VOTERS, motion)
    current = BallotVersion.objects.filter(voter=OuterRef("pk"), version=OuterRef("version"))
    qs = Voter.objects.filter(motion=motion)
    if filters.voted is True:
        qs = qs.exclude(choice="")
    elif filters.voted is False:
        qs = qs.filter(choice="")
    count = qs.count()
    rows = (
        qs.annotate(
            cast_channel=Subquery(current.values("channel")[:1]),
            cast_time=Subquery(current.values("cast_at")[:1]),
        )
        .prefetch_related(_ROOMS)
        .order_by("number")[filters.offset : filters.offset + filters.limit]
    )
    show_choice = motion.status == MotionStatus.CLOSED and not motion.anonymous
    return VoterPageOut(
        count=count,
        items=[
            VoterRowOut(
                number=v.number,
                display_name=v.display_name,
                rooms=_rooms(v),
                area=str(v.area),
                voted=bool(v.choice),
                channel=v.cast_channel if v.choice else None,  # annotated above
                cast_at=v.cast_time if v.choice else None,
                choice=(v.choice or None) if show_choice else None,
            )
            for v in rows
        ],
    )


@router.get(
    "/motions/{id}/door-knocking",
    response={200: DoorKnockingOut, 400: ErrorOut, **READ_ERRORS},
    summary="Owners who have not voted, largest area first (needs view_voters)",
    description="The order reaches the participation threshold by area with the fewest visits "
    "(selectors.door_knocking). 400 `no_roll` for a draft.",
)
def motions_door_knocking(request: HttpRequest, id: Id, filters: Query[DoorKnockingQuery]) -> DoorKnockingOut:
    motion = _motion(request, id)
    require(request.user, Action.VIEW_VOTERS, motion)
    outcome = _live_tally(motion)
    visits = selectors.door_knocking(motion, outcome, limit=filters.limit)
    needed = (
        outcome.participation_needed
        if isinstance(outcome, selectors.ChoiceOutcome)
        else outcome.still_needed.participation
    )
    return DoorKnockingOut(
        at=timezone.now(),
        still_needed=FiguresOut(area=str(needed.area), owners=needed.owners),
        not_voted=outcome.total.owners - outcome.participating.owners,
        visits=[
            VisitOut(
                number=x.voter.number,
                display_name=x.voter.display_name,
                rooms=_rooms(x.voter),
                area=str(x.voter.area),
                cumulative_area=str(x.cumulative_area),
                cumulative_owners=x.cumulative_owners,
                reaches_area=x.reaches_area,
                reaches_owners=x.reaches_owners,
            )
            for x in visits
        ],
    )


@router.post(
    "/motions/{id}/paper",
    response={200: PaperOut, **WRITE_ERRORS},
    summary="Key one paper ballot sheet (double entry; needs enter_ballots)",
    description="Two staff members key each sheet independently; the second matching entry casts the "
    "ballot (`counted`). Disagreeing entries are a `mismatch` to resolve against the sheet. 400 "
    "`bad_choice`, `second_entry_same_person`, `voting_closed`; 404 for an unknown sheet number.",
)
def motions_paper(request: HttpRequest, id: Id, payload: PaperIn) -> PaperOut:
    motion = _motion(request, id)
    require(request.user, Action.ENTER_BALLOTS, motion)
    voter = Voter.objects.filter(motion=motion, number=payload.sheet).select_related("motion").first()
    if voter is None:
        raise NotFoundError(_("没有第 %(number)s 号表决票。") % {"number": payload.sheet})
    result = services.paper_entry_add(actor=request.user, voter=voter, choice=payload.choice)
    return PaperOut(
        counted=result.counted is not None,
        mismatch=result.mismatch,
        version=None if result.counted is None else result.counted.version.version,
    )
