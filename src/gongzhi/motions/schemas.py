"""Typed shapes of the motions API (django-ninja schemas). See docs/api.md, section "Motions".

The conventions of core.schemas hold here too: datetimes ISO 8601 with offset, areas as
JSON strings with two decimals (``"89.50"``), thresholds as the strings of the tally contract
(``">=2/3"``, ``">1/2"``), every error ``{"detail": ..., "code": ...}``.

Choices are plain strings in the input schemas on purpose: the service checks them and answers
400 with the code ``bad_choice``, the same refusal the pages show, rather than a bare 422.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from gongzhi.core.schemas import MAX_ID, NO_NUL, PageQuery

StatusName = Literal["draft", "open", "closed", "cancelled"]
ChannelName = Literal["online", "paper", "proxy"]
ChoiceName = Literal["for", "against", "abstain"]
# A ballot's value: for / against / abstain on a question, "opt<position>" or abstain on a choice.
BallotChoice = Annotated[str, Field(pattern=r"^(for|against|abstain|opt[1-9][0-9]?)$")]
KindName = Literal["question", "choice"]
CHOICE_TEXT = (
    'on a question one of "for" (同意), "against" (反对), "abstain" (弃权); on a choice motion '
    '"opt<position>" of one option (e.g. "opt1") or "abstain"'
)


# ---- the tally (Tally.as_json(), the contract of docs/motions-tally.md) -----------------------


class FiguresOut(Schema):
    area: str = Field(description="m², two decimals")
    owners: int = Field(description="heads (SPC interpretation on building ownership, Art. 9)")


class StillNeededOut(Schema):
    participation: FiguresOut = Field(description="more area / heads that must take part")
    approval: FiguresOut = Field(description="more area / heads that must agree")


class ThresholdPairOut(Schema):
    area: str = Field(description='">=2/3" (以上, inclusive) or ">1/2" (过半数, strict)')
    owners: str


class RuleOut(Schema):
    participation: ThresholdPairOut
    approval: ThresholdPairOut


class TallyOut(Schema):
    """The tally at `at`: live while the motion is open, the frozen result once it is closed."""

    at: dt.datetime
    final: bool = Field(description="true: the frozen result published at closing")
    passed: bool
    quorum_met: bool
    approved: bool
    total: FiguresOut
    participating: FiguresOut
    for_: FiguresOut = Field(alias="for")
    against: FiguresOut
    abstain: FiguresOut
    still_needed: StillNeededOut
    rule: RuleOut


class OptionTallyOut(Schema):
    position: int
    choice: str = Field(description='the ballot value, "opt<position>"')
    label: str
    offer: int | None = Field(description="the renewals offer the option stands for, if any")
    votes: FiguresOut = Field(description="owners choosing this option")
    approved: bool = Field(description="meets the approval thresholds against the participating figures")
    adopted: bool = Field(description="approved and participation met: this option is decided")
    still_needed: FiguresOut = Field(description="more area / heads that must choose it (as new participants)")


class ChoiceStillNeededOut(Schema):
    participation: FiguresOut


class ChoiceTallyOut(Schema):
    """The tally of a choice motion (docs/motions-tally.md, "Choice motions"): an option is adopted
    only with a majority of the participating area and heads, never by plurality alone."""

    at: dt.datetime
    final: bool = Field(description="true: the frozen result published at closing")
    kind: Literal["choice"]
    passed: bool = Field(description="an option was adopted")
    quorum_met: bool
    approved: bool = Field(description="some option meets the approval thresholds")
    adopted: int | None = Field(description="position of the adopted option, or null")
    total: FiguresOut
    participating: FiguresOut
    abstain: FiguresOut
    options: list[OptionTallyOut]
    still_needed: ChoiceStillNeededOut
    rule: RuleOut


# ---- motions -----------------------------------------------------------------------------------


class OfferSummaryOut(Schema):
    id: int
    vendor: str
    brand: str
    model: str
    price_per_elevator: str = Field(description="yuan, two decimals")


class OptionOut(Schema):
    position: int
    choice: str = Field(description='the value to cast, "opt<position>"')
    label: str
    offer: OfferSummaryOut | None


class MotionListQuery(PageQuery):
    estate_id: int | None = Field(None, ge=1, le=MAX_ID)
    status: StatusName | None = None


class MotionRowOut(Schema):
    id: int
    title: str
    estate_id: int
    estate_name: str
    community_name: str
    scope_kind: Literal["estate", "building", "entrance", "apartments"]
    status: StatusName
    opens_at: dt.datetime
    closes_at: dt.datetime
    anonymous: bool
    passed: bool | None = Field(description="null until the result is published")


class MotionPageOut(Schema):
    count: int
    items: list[MotionRowOut]


class ScopeOut(Schema):
    kind: Literal["estate", "building", "entrance", "apartments"]
    label: str = Field(description="in the user's language, e.g. 1幢2单元")
    building_id: int | None
    entrance_id: int | None
    apartments: int = Field(description="apartments of the frozen roll (of the live scope while a draft)")
    owners: int | None = Field(description="heads of the frozen roll; null while a draft")


class MotionRuleOut(RuleOut):
    preset: str | None = Field(description="civil-code-ordinary | civil-code-special | null (custom)")


class ResultOut(Schema):
    passed: bool
    computed_at: dt.datetime
    published_at: dt.datetime
    objection_until: dt.datetime | None
    ballots_sha256: str


class MotionDetailOut(Schema):
    id: int
    public_id: str
    title: str
    question: str
    description: str
    estate_id: int
    estate_name: str
    community_name: str
    kind: KindName = Field(description="question (for / against / abstain) or choice (pick one option)")
    options: list[OptionOut] = Field(description="the options of a choice motion, in order; [] for a question")
    scope: ScopeOut
    rule: MotionRuleOut
    meeting_kind: Literal["regular", "extraordinary"]
    opens_at: dt.datetime
    closes_at: dt.datetime
    objection_days: int
    anonymous: bool
    status: StatusName
    voting_open: bool = Field(description="ballots are accepted now (open, opens_at <= now < closes_at)")
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    result: ResultOut | None
    notice_url: str | None = Field(description="the public result notice, once closed")


# ---- voters ------------------------------------------------------------------------------------


class VoterListQuery(PageQuery):
    voted: bool | None = Field(None, description="only voters who have (true) or have not (false) voted")


class VoterRowOut(Schema):
    number: int = Field(description="the paper ballot's sheet number")
    display_name: str
    rooms: list[str]
    area: str
    voted: bool
    channel: ChannelName | None
    cast_at: dt.datetime | None = Field(description="when the current choice was cast")
    choice: BallotChoice | None = Field(description="only once the motion is closed, and never when anonymous")


class VoterPageOut(Schema):
    count: int
    items: list[VoterRowOut]


class DoorKnockingQuery(Schema):
    limit: int = Field(50, ge=1, le=500)


class VisitOut(Schema):
    number: int
    display_name: str
    rooms: list[str]
    area: str
    cumulative_area: str = Field(description="participating area if this owner and those above vote")
    cumulative_owners: int
    reaches_area: bool = Field(description="participation by area is met from this visit on")
    reaches_owners: bool


class DoorKnockingOut(Schema):
    at: dt.datetime
    still_needed: FiguresOut = Field(description="participation still needed now")
    not_voted: int = Field(description="voters without a ballot")
    visits: list[VisitOut] = Field(description="largest area first")


class PaperIn(Schema):
    sheet: int = Field(ge=1, le=2**31 - 1, description="the sheet number printed on the paper ballot")
    choice: str = Field(max_length=16, pattern=NO_NUL, description=CHOICE_TEXT)


class PaperOut(Schema):
    counted: bool = Field(description="this entry matched another staff member's: the ballot is cast")
    mismatch: bool = Field(description="entries of this sheet disagree; someone must resolve it")
    version: int | None = Field(description="the ballot version cast, when counted")


# ---- voting (bearer tokens) --------------------------------------------------------------------


class PingOut(Schema):
    ok: bool


class CodeIn(Schema):
    code: str = Field(pattern=r"^\s*[0-9]{6}\s*$", description="the six digits sent to the phone")


class VoterSessionOut(Schema):
    session: str = Field(description="send as `Authorization: Bearer <session>`")
    expires_at: dt.datetime


class VoterApartmentOut(Schema):
    label: str
    area: str


class BallotMotionOut(Schema):
    title: str
    kind: KindName
    options: list[OptionOut] = Field(description="a choice motion's options; [] for a question")
    question: str
    status: StatusName
    opens_at: dt.datetime
    closes_at: dt.datetime
    voting_open: bool


class BallotOut(Schema):
    motion: BallotMotionOut
    number: int
    display_name: str
    choice: BallotChoice | None = Field(description="null before the first ballot")
    version: int = Field(description="0 before the first ballot")
    area: str
    apartments: list[VoterApartmentOut]


class BallotIn(Schema):
    choice: str = Field(max_length=16, pattern=NO_NUL, description=CHOICE_TEXT)
    request_key: str = Field(
        min_length=1,
        max_length=64,
        pattern=NO_NUL,
        description="a fresh random key per ballot (e.g. a uuid4 hex); resend the same key to retry safely",
    )


class BallotCastOut(Schema):
    version: int
    choice: BallotChoice
    cast_at: dt.datetime
    created: bool = Field(description="false: a retry of a request already recorded (nothing new was cast)")
