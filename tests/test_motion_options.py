"""Motions with options (the brand choice, 换什么): creating and validating them, casting
"opt<n>" on every channel, the adoption rule at its boundaries (Civil Code Art. 278 and 1259: an
option needs MORE than half of the participating area AND heads; plurality alone adopts nothing),
closing with the notice and the workbook, the pages, the API, and permissions."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse
from openpyxl import load_workbook

from gongzhi.core.errors import AccessDeniedError, DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.motions import codes
from gongzhi.motions import services as s
from gongzhi.motions.models import Motion, MotionKind, MotionOption, MotionResult, Voter
from gongzhi.motions.selectors import ChoiceOutcome, choice_tally, motion_outcome, motion_recount, motion_tally
from gongzhi.motions.views_vote import SESSION_KEY
from gongzhi.places.models import Role
from gongzhi.renewals import services as rs
from gongzhi.renewals.models import Offer, OfferStatus, OptionOffer, Vendor
from tests import factories as f
from tests.conftest import MotionWorld, World

pytestmark = pytest.mark.django_db

CSRF = "abcdefghijklmnopqrstuvwxyzABCDEF"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _offer(world: World, brand: str, price: str = "265000.00", status: str = OfferStatus.SUBMITTED) -> Offer:
    vendor, _created = Vendor.objects.get_or_create(subdistrict=world.inside["subdistrict"], name=f"{brand}电梯公司")
    assert world.campaign is not None
    return Offer.objects.create(
        campaign=world.campaign,
        vendor=vendor,
        brand=brand,
        model="MRL-1000",
        rated_load_kg=1000,
        rated_speed_mps=Decimal("1.75"),
        warranty_years=2,
        delivery_days=45,
        installation_days=20,
        price_per_elevator=Decimal(price),
        status=status,
    )


def _create(world: World, staff: Any, entrance: Any, option_list: list[dict[str, Any]] | None, **extra: Any) -> Motion:
    from django.utils import timezone

    opens = timezone.now() - dt.timedelta(days=1)
    # Options standing for offers go through renewals, which keeps the link (OptionOffer).
    with_offers = any("offer" in item for item in option_list or [])
    create = partial(rs.offer_motion_create, options=option_list) if with_offers else s.motion_create
    return create(
        actor=staff,
        estate=world.inside["estate"],
        title="2单元电梯品牌选择",
        question="2单元新电梯选用哪个品牌？",
        scope_kind="entrance",
        scope_entrance=entrance,
        opens_at=opens,
        closes_at=opens + dt.timedelta(days=11),
        **({"kind": "choice", "options": option_list} if option_list is not None and not with_offers else {}),
        **extra,
    )


def _open(motion: Motion, staff: Any) -> Motion:
    return s.motion_open(actor=staff, motion=motion, now=motion.opens_at - dt.timedelta(days=7))


@pytest.fixture
def choice_world(motion_world: MotionWorld) -> dict[str, Any]:
    """A choice motion on motion_world's entrance (520.00 m², 5 heads): 方案1 奥的斯 (an offer),
    方案2 通力 (an offer), 方案3 日立 (a plain label)."""
    w = motion_world
    otis, kone = _offer(w.world, "奥的斯"), _offer(w.world, "通力", "248000.00")
    entrance = w.motion.scope_entrance
    motion = _create(
        w.world,
        w.staff,
        entrance,
        [{"label": "奥的斯", "offer": otis}, {"label": "", "offer": kone}, {"label": "日立"}],
    )
    motion = _open(motion, w.staff)
    voters = {v.number: v for v in Voter.objects.filter(motion=motion)}
    names = {"wang": 1, "li_zhao": 2, "chen": 3, "developer": 4, "nobody": 5}
    return {
        "w": w,
        "motion": motion,
        "voters": {k: voters[n] for k, n in names.items()},
        "otis": otis,
        "kone": kone,
    }


def cast(voter: Voter, choice: str, key: str) -> Any:
    token = s.voter_session_issue(voter=voter)
    return s.ballot_cast_online(session_token=token, choice=choice, request_key=key)


def _roll_motion(personas: World, plan: list[str], name: str = "9单元") -> tuple[Motion, list[Voter]]:
    """An entrance whose apartments have the given areas, one owner each, and an open choice
    motion on it with options 甲 乙 丙; voters in apartment order."""
    staff = personas.users[Role.COMMUNITY_STAFF]
    entrance = f.EntranceFactory(building=personas.inside["building"], name=name)
    for index, area in enumerate(plan, start=1):
        apt = f.ApartmentFactory(entrance=entrance, room=f"{index:02d}01", floor=index, area=area)
        f.OwnershipFactory(owner=f.OwnerFactory(name=f"业主{index}"), apartment=apt)
    motion = _create(personas, staff, entrance, [{"label": "甲"}, {"label": "乙"}, {"label": "丙"}])
    motion = _open(motion, staff)
    return motion, list(Voter.objects.filter(motion=motion).order_by("number"))


def _vote_all(voters: list[Voter], choices: list[str | None]) -> None:
    for index, (voter, choice) in enumerate(zip(voters, choices, strict=True)):
        if choice is not None:
            cast(voter, choice, f"k{index}")


# --- create and validate ---------------------------------------------------------------------------


def test_choice_motion_is_created_with_its_options_and_audited(choice_world: dict[str, Any]) -> None:
    motion = choice_world["motion"]
    assert motion.kind == MotionKind.CHOICE
    options = list(MotionOption.objects.filter(motion=motion).order_by("position"))
    offer_of = dict(OptionOffer.objects.filter(option__motion=motion).values_list("option_id", "offer_id"))
    assert [(o.position, o.label, offer_of.get(o.pk)) for o in options] == [
        (1, "奥的斯", choice_world["otis"].pk),
        (2, "通力 MRL-1000", choice_world["kone"].pk),  # a blank label takes the offer's brand and model
        (3, "日立", None),
    ]
    assert [o.choice for o in options] == ["opt1", "opt2", "opt3"]
    assert s.valid_choices(motion) == ["opt1", "opt2", "opt3", "abstain"]
    entry = AuditEntry.objects.filter(action="motion_create", object_id=str(motion.pk)).get()
    assert entry.after["kind"] == "choice"
    assert [o["label"] for o in entry.after["options"]] == ["奥的斯", "通力 MRL-1000", "日立"]
    link = AuditEntry.objects.filter(action="option_offers_link", object_id=str(motion.pk)).get()
    assert [o["offer"] for o in link.after["options"]] == [choice_world["otis"].pk, choice_world["kone"].pk, None]


def test_question_motion_stays_a_question(motion_world: MotionWorld) -> None:
    assert motion_world.motion.kind == MotionKind.QUESTION
    assert s.valid_choices(motion_world.motion) == ["for", "against", "abstain"]
    assert not MotionOption.objects.filter(motion=motion_world.motion).exists()


@pytest.mark.parametrize(
    ("kind", "options", "code"),
    [
        ("choice", [{"label": "甲"}], "too_few_options"),
        ("choice", [], "too_few_options"),
        ("choice", None, "too_few_options"),
        ("choice", [{"label": "甲"}, {"label": " 甲 "}], "duplicate_option"),
        ("choice", [{"label": "甲"}, {"label": "  "}], "option_label_required"),
        ("choice", [{"label": "甲"}, {"label": "乙" * 129}], "option_label_too_long"),
        ("choice", [{"label": str(n)} for n in range(21)], "too_many_options"),
        ("question", [{"label": "甲"}, {"label": "乙"}], "options_not_allowed"),
        ("poll", None, "bad_kind"),
    ],
)
def test_create_refuses_bad_options(motion_world: MotionWorld, kind: str, options: Any, code: str) -> None:
    w = motion_world
    with pytest.raises(DomainError) as exc:
        _create(w.world, w.staff, w.motion.scope_entrance, None, kind=kind, options=options)
    assert exc.value.code == code
    assert Motion.objects.count() == 1  # nothing stored beyond motion_world's own motion


def test_create_refuses_unsubmitted_or_foreign_offers(motion_world: MotionWorld) -> None:
    w = motion_world
    draft = _offer(w.world, "三菱", status=OfferStatus.DRAFT)
    with pytest.raises(DomainError) as exc:
        _create(w.world, w.staff, w.motion.scope_entrance, [{"label": "甲"}, {"label": "乙", "offer": draft}])
    assert exc.value.code == "offer_not_submitted"
    other_vendor = Vendor.objects.create(subdistrict=w.world.outside["subdistrict"], name="外区电梯")
    assert w.world.other_campaign is not None
    foreign = Offer.objects.create(
        campaign=w.world.other_campaign,
        vendor=other_vendor,
        brand="外区",
        model="X",
        rated_load_kg=1000,
        rated_speed_mps=Decimal("1.00"),
        warranty_years=1,
        delivery_days=1,
        installation_days=1,
        price_per_elevator=Decimal("1.00"),
        status=OfferStatus.SUBMITTED,
    )
    with pytest.raises(DomainError) as exc:
        _create(w.world, w.staff, w.motion.scope_entrance, [{"label": "甲"}, {"label": "乙", "offer": foreign}])
    assert exc.value.code == "bad_offer"
    same = _offer(w.world, "奥的斯")
    with pytest.raises(DomainError) as exc:
        _create(
            w.world, w.staff, w.motion.scope_entrance, [{"label": "甲", "offer": same}, {"label": "乙", "offer": same}]
        )
    assert exc.value.code == "duplicate_option"


def test_only_those_who_run_motions_create_choice_motions(motion_world: MotionWorld) -> None:
    w = motion_world
    for role in (Role.OWNER, Role.VENDOR, Role.PROPERTY_MANAGER):
        with pytest.raises(AccessDeniedError):
            _create(w.world, w.world.users[role], w.motion.scope_entrance, [{"label": "甲"}, {"label": "乙"}])


# --- casting ----------------------------------------------------------------------------------------


def test_casting_options_and_refusing_other_values(choice_world: dict[str, Any]) -> None:
    voters, motion = choice_world["voters"], choice_world["motion"]
    first = cast(voters["wang"], "opt1", "a")
    assert first.created
    assert first.version.choice == "opt1"
    assert cast(voters["wang"], "opt3", "b").version.version == 2
    assert cast(voters["chen"], "abstain", "c").created
    for bad in ("for", "against", "opt0", "opt4", "opt", "OPT1", ""):
        with pytest.raises(DomainError) as exc:
            cast(voters["li_zhao"], bad, f"bad-{bad}")
        assert exc.value.code == "bad_choice", bad
    Voter.objects.filter(pk=voters["li_zhao"].pk, choice="").get()  # nothing was recorded
    w = choice_world["w"]
    with pytest.raises(DomainError) as exc:
        s.paper_entry_add(actor=w.staff, voter=voters["developer"], choice="for")
    assert exc.value.code == "bad_choice"
    scan = SimpleUploadedFile("auth.pdf", PDF, content_type="application/pdf")
    with pytest.raises(DomainError) as exc:
        s.proxy_vote(
            actor=w.staff,
            voter=voters["developer"],
            choice="against",
            proxy_name="张三",
            proxy_id_last4="",
            scan=scan,
            request_key="p1",
        )
    assert exc.value.code == "bad_choice"
    # Paper double entry and proxy accept the options.
    s.paper_entry_add(actor=w.staff, voter=voters["developer"], choice="opt2")
    counted = s.paper_entry_add(actor=w.staff2, voter=voters["developer"], choice="opt2")
    assert counted.counted is not None
    assert counted.counted.version.choice == "opt2"
    proxy = s.proxy_vote(
        actor=w.staff,
        voter=voters["li_zhao"],
        choice="opt1",
        proxy_name="张三",
        proxy_id_last4="",
        scan=SimpleUploadedFile("auth.pdf", PDF, content_type="application/pdf"),
        request_key="p2",
    )
    assert proxy.version.choice == "opt1"
    outcome = choice_tally(motion)
    assert [o.figures.owners for o in outcome.options] == [1, 1, 1]  # 李赵 opt1, 开发商 opt2, 王 opt3
    assert outcome.abstain.owners == 1


def test_a_question_refuses_option_values(motion_world: MotionWorld) -> None:
    with pytest.raises(DomainError) as exc:
        cast(motion_world.voters["wang"], "opt1", "q")
    assert exc.value.code == "bad_choice"


# --- the adoption rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(("area", "adopted"), [("30.00", False), ("30.01", True)])
def test_adoption_needs_more_than_half_of_the_participating_area(personas: World, area: str, adopted: bool) -> None:
    """甲: 3 of 5 heads with 10 + 10 + area; 乙: 2 heads with 25 + 25. Everyone takes part.
    With 30.00, 甲 holds exactly half of the area (50.00 of 100.00): 过半数 excludes one half
    (Civil Code Art. 1259), so nothing is adopted; one more 0.01 m² and 甲 is adopted."""
    motion, voters = _roll_motion(personas, ["10.00", "10.00", area, "25.00", "25.00"])
    _vote_all(voters, ["opt1", "opt1", "opt1", "opt2", "opt2"])
    outcome = choice_tally(motion)
    first = outcome.options[0]
    assert outcome.quorum_met
    assert first.figures.owners == 3
    assert first.figures.area == Decimal("50.00") + (Decimal(area) - Decimal("30.00"))
    assert first.adopted is adopted
    assert (outcome.adopted is not None) is adopted
    assert outcome.passed is adopted
    assert motion_recount(motion).as_json() == outcome.as_json()


@pytest.mark.parametrize(("last", "adopted"), [("abstain", False), ("opt1", True)])
def test_adoption_needs_more_than_half_of_the_participating_heads(personas: World, last: str, adopted: bool) -> None:
    """甲 holds 120 of 140 m² but 2 of 4 heads (乙 one, one abstains): exactly half of the heads
    is not 过半数. An abstaining owner takes part and so counts in the base; if that owner picks
    甲 instead, 3 of 4 heads adopt it."""
    motion, voters = _roll_motion(personas, ["60.00", "60.00", "10.00", "10.00"])
    _vote_all(voters, ["opt1", "opt1", "opt2", last])
    outcome = choice_tally(motion)
    assert outcome.quorum_met
    assert outcome.options[0].figures.area >= Decimal("120.00")
    assert outcome.options[0].adopted is adopted
    assert outcome.passed is adopted
    assert motion_recount(motion).as_json() == outcome.as_json()


def test_three_options_splitting_adopt_nothing(personas: World) -> None:
    """甲 leads (2 of 5 heads, 40% of the area) but has no majority: plurality never adopts."""
    motion, voters = _roll_motion(personas, ["100.00"] * 5)
    _vote_all(voters, ["opt1", "opt1", "opt2", "opt3", "abstain"])
    outcome = choice_tally(motion)
    assert outcome.quorum_met
    assert [o.figures.owners for o in outcome.options] == [2, 1, 1]
    assert outcome.adopted is None
    assert not outcome.passed
    assert not outcome.approved
    standing = outcome.as_json()
    assert standing["kind"] == "choice"
    assert standing["adopted"] is None
    assert [o["votes"] for o in standing["options"]] == [  # type: ignore[index]
        {"area": "200.00", "owners": 2},
        {"area": "100.00", "owners": 1},
        {"area": "100.00", "owners": 1},
    ]
    # Everyone has voted: no new participant can help, only owners changing their choice.
    assert standing["still_needed"] == {"participation": {"area": "0.00", "owners": 0}}


def test_no_option_is_adopted_without_participation(personas: World) -> None:
    """Everyone voting picks 甲, but 3 of 5 heads is below two thirds (Art. 278(2))."""
    motion, voters = _roll_motion(personas, ["100.00"] * 5)
    _vote_all(voters, ["opt1", "opt1", "opt1", None, None])
    outcome = choice_tally(motion)
    assert not outcome.quorum_met
    assert outcome.options[0].approved
    assert not outcome.options[0].adopted
    assert outcome.adopted is None
    assert outcome.participation_needed.owners == 1  # 4 of 5 heads reach two thirds
    assert motion_recount(motion).as_json() == outcome.as_json()


def test_tally_dispatches_by_kind_and_recount_follows_versions(choice_world: dict[str, Any]) -> None:
    voters, motion = choice_world["voters"], choice_world["motion"]
    cast(voters["wang"], "opt2", "1")
    cast(voters["wang"], "opt1", "2")  # a later version replaces the earlier one
    cast(voters["chen"], "opt1", "3")
    cast(voters["developer"], "opt1", "4")
    cast(voters["li_zhao"], "opt2", "5")
    outcome = motion_outcome(motion)
    assert isinstance(outcome, ChoiceOutcome)
    assert outcome.options[0].figures.as_json() == {"area": "380.00", "owners": 3}
    assert outcome.participating.as_json() == {"area": "470.00", "owners": 4}
    assert outcome.adopted is not None
    assert outcome.adopted.position == 1
    recount = motion_recount(motion)
    assert isinstance(recount, ChoiceOutcome)
    assert [o.figures for o in recount.options] == [o.figures for o in outcome.options]
    assert recount.as_json() == outcome.as_json()
    assert not isinstance(motion_outcome(choice_world["w"].motion), ChoiceOutcome)
    assert motion_tally(choice_world["w"].motion).total.owners == 5


# --- closing, notice, workbook -----------------------------------------------------------------------


def _close(choice_world: dict[str, Any]) -> Motion:
    w = choice_world["w"]
    motion = choice_world["motion"]
    Motion.objects.filter(pk=motion.pk).update(closes_at=w.now - dt.timedelta(minutes=1))
    s.motion_close(actor=w.staff, motion=Motion.objects.get(pk=motion.pk), now=w.now)
    return Motion.objects.get(pk=motion.pk)


def test_close_freezes_the_adopted_option_and_publishes_it(choice_world: dict[str, Any]) -> None:
    voters = choice_world["voters"]
    cast(voters["wang"], "opt2", "1")
    cast(voters["chen"], "opt2", "2")
    cast(voters["developer"], "opt2", "3")
    cast(voters["li_zhao"], "abstain", "4")
    motion = _close(choice_world)
    result = MotionResult.objects.get(motion=motion)
    assert result.passed
    assert result.outcome["kind"] == "choice"
    assert result.outcome["adopted"] == 2
    assert [o["adopted"] for o in result.outcome["options"]] == [False, True, False]
    assert result.outcome["options"][1]["votes"] == {"area": "380.00", "owners": 3}

    notice = Client().get(reverse("motion_notice", args=[motion.public_id]))
    assert notice.status_code == 200
    html = notice.content.decode()
    assert "选定方案2：通力 MRL-1000" in html
    assert 'class="striped notice-options"' in html
    assert "80.85%" in html  # 380.00 of 470.00 m² participating
    assert "王芳" not in html  # aggregate figures only

    staff = Client()
    staff.force_login(choice_world["w"].staff)
    export = staff.get(reverse("motion_ballots_export", args=[motion.pk]))
    assert export.status_code == 200
    wb = load_workbook(io.BytesIO(export.content), read_only=True)
    details = list(wb["表决明细"].iter_rows(min_row=4, values_only=True))
    assert {row[8] for row in details if row[7] == "是"} == {"方案2：通力 MRL-1000", "弃权"}
    result_sheet = list(wb["计票结果"].iter_rows(values_only=True))
    assert ("表决结果", "方案2：通力 MRL-1000") in [tuple(r[:2]) for r in result_sheet]


def test_close_without_adoption_shows_the_standings(choice_world: dict[str, Any]) -> None:
    voters = choice_world["voters"]
    cast(voters["wang"], "opt1", "1")
    cast(voters["chen"], "opt2", "2")
    cast(voters["developer"], "opt3", "3")
    cast(voters["li_zhao"], "opt1", "4")
    motion = _close(choice_world)
    result = MotionResult.objects.get(motion=motion)
    assert not result.passed
    assert result.outcome["adopted"] is None
    html = Client().get(reverse("motion_notice", args=[motion.public_id])).content.decode()
    assert "没有方案获得选定" in html
    assert "方案1：奥的斯" in html
    staff = Client()
    staff.force_login(choice_world["w"].staff)
    detail = staff.get(reverse("motion_detail", args=[motion.pk])).content.decode()
    assert "没有方案获得选定" in detail


# --- pages --------------------------------------------------------------------------------------------


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_create_form_makes_a_choice_motion(motion_world: MotionWorld) -> None:
    from django.utils import timezone

    w = motion_world
    opens = timezone.localtime() + dt.timedelta(days=8)
    data = {
        "estate": w.world.inside["estate"].pk,
        "title": "品牌选择",
        "kind": "choice",
        "question": "选用哪个品牌？",
        "options": "奥的斯\n\n通力\n  日立  \n",
        "scope_kind": "entrance",
        "scope_entrance": w.motion.scope_entrance_id,
        "rule": "civil-code-ordinary",
        "meeting_kind": "extraordinary",
        "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (opens + dt.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
        "objection_days": 0,
    }
    c = _client(w.staff)
    response = c.post(reverse("motion_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    motion = Motion.objects.get(title="品牌选择")
    assert motion.kind == "choice"
    assert list(motion.options.order_by("position").values_list("label", flat=True)) == ["奥的斯", "通力", "日立"]
    one = c.post(reverse("motion_create"), {**data, "title": "只有一个", "options": "奥的斯"})
    assert one.status_code == 200
    assert "至少需要两个方案" in one.content.decode()
    assert not Motion.objects.filter(title="只有一个").exists()
    form = c.get(reverse("motion_create")).content.decode()
    assert 'name="kind"' in form
    assert 'name="options"' in form


def test_detail_and_tally_fragment_show_one_bar_pair_per_option(
    choice_world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    voters, motion = choice_world["voters"], choice_world["motion"]
    cast(voters["wang"], "opt1", "1")
    cast(voters["chen"], "opt1", "2")
    cast(voters["developer"], "opt1", "3")
    cast(voters["li_zhao"], "abstain", "4")
    c = _client(choice_world["w"].staff)
    with django_assert_max_num_queries(30):
        html = c.get(reverse("motion_detail", args=[motion.pk])).content.decode()
    assert "奥的斯电梯公司" in html  # the offer's vendor beside the option
    assert "每台 265000.00 元" in html
    for position in (1, 2, 3):
        assert f"bar-option-{position}-area" in html
        assert f"bar-option-{position}-owners" in html
    assert "bar-participation-area" in html
    fragment = c.get(reverse("motion_tally_fragment", args=[motion.pk])).content.decode()
    assert "目前已选定方案1：奥的斯" in fragment  # 380 of 470 m² and 3 of 4 heads taking part (4 of 5)
    assert "bar-option-1-area is-met" in fragment
    assert 'class="meter-threshold" style="left: 50.0%"' in fragment  # the approval threshold marked


def test_tally_fragment_says_when_nothing_is_adopted(choice_world: dict[str, Any]) -> None:
    voters, motion = choice_world["voters"], choice_world["motion"]
    cast(voters["wang"], "opt1", "1")
    cast(voters["chen"], "opt2", "2")
    html = _client(choice_world["w"].staff).get(reverse("motion_tally_fragment", args=[motion.pk])).content.decode()
    assert "目前没有方案达到选定条件" in html
    assert "还需至少" in html  # participation still needed


@pytest.fixture
def memory_sender(settings: Any) -> list[codes.SentMessage]:
    settings.GONGZHI_CODE_SENDER = "gongzhi.motions.codes.MemorySender"
    codes.MemorySender.outbox.clear()
    return codes.MemorySender.outbox


def test_voter_page_offers_each_option_with_its_offer(
    choice_world: dict[str, Any], memory_sender: list[codes.SentMessage], django_assert_max_num_queries: Any
) -> None:
    voter, motion = choice_world["voters"]["wang"], choice_world["motion"]
    token = codes.voter_token(voter.pk, str(motion.public_id))
    c = Client()
    c.post(reverse("vote_code_send", args=[token]))
    code = re.search(r"\b(\d{6})\b", memory_sender[-1].message).group(1)  # type: ignore[union-attr]
    c.post(reverse("vote_code_confirm", args=[token]), {"code": code})
    assert str(voter.pk) in c.session[SESSION_KEY]
    with django_assert_max_num_queries(20):
        html = c.get(reverse("vote_link", args=[token])).content.decode()
    for value in ("opt1", "opt2", "opt3", "abstain"):
        assert f'name="choice" value="{value}"' in html
    assert 'value="for"' not in html
    assert "方案2：通力 MRL-1000" in html
    assert "每台 248000.00 元" in html
    try:
        compare = reverse("offer_compare", args=[choice_world["otis"].campaign_id])
    except NoReverseMatch:
        compare = None
    if compare is not None:
        assert compare in html
    key = re.search(r'name="request_key" value="([0-9a-f]{32})"', html).group(1)  # type: ignore[union-attr]
    done = c.post(reverse("vote_cast", args=[token]), {"choice": "opt2", "request_key": key})
    assert done.status_code == 200
    assert "您的选择：<strong>方案2：通力 MRL-1000</strong>" in done.content.decode()
    assert Voter.objects.get(pk=voter.pk).choice == "opt2"
    again = c.get(reverse("vote_link", args=[token])).content.decode()
    assert "方案2：通力 MRL-1000</strong>（第 1 版" in again
    refused = c.post(reverse("vote_cast", args=[token]), {"choice": "for", "request_key": "x" * 32}, follow=True)
    assert "选择无效" in refused.content.decode()
    assert Voter.objects.get(pk=voter.pk).version == 1


def test_paper_entry_page_keys_option_buttons(choice_world: dict[str, Any]) -> None:
    w, motion = choice_world["w"], choice_world["motion"]
    page = _client(w.staff).get(reverse("motion_paper_entry", args=[motion.pk])).content.decode()
    assert 'name="choice" value="opt1"' in page
    assert 'value="against"' not in page
    first = _client(w.staff).post(reverse("motion_paper_entry", args=[motion.pk]), {"number": 3, "choice": "opt3"})
    assert first.status_code == 200
    assert "等待第二人录入：第 3 号 方案3：日立" in first.content.decode()
    second = _client(w.staff2).post(reverse("motion_paper_entry", args=[motion.pk]), {"number": 3, "choice": "opt3"})
    assert "已计票：第 3 号 方案3：日立" in second.content.decode()
    assert Voter.objects.get(motion=motion, number=3).choice == "opt3"
    bad = _client(w.staff).post(reverse("motion_paper_entry", args=[motion.pk]), {"number": 1, "choice": "for"})
    assert bad.status_code == 400
    # Keying disagreement: the mismatch page names the options.
    _client(w.staff).post(reverse("motion_paper_entry", args=[motion.pk]), {"number": 1, "choice": "opt1"})
    _client(w.staff2).post(reverse("motion_paper_entry", args=[motion.pk]), {"number": 1, "choice": "opt2"})
    mismatches = _client(w.staff).get(reverse("motion_mismatches", args=[motion.pk])).content.decode()
    assert "<strong>方案1：奥的斯</strong>" in mismatches
    assert 'name="choice" value="opt2"' in mismatches
    resolved = _client(w.staff).post(
        reverse("motion_mismatches", args=[motion.pk]), {"number": 1, "choice": "opt2", "note": "核对原件"}
    )
    assert resolved.status_code == 302
    assert Voter.objects.get(motion=motion, number=1).choice == "opt2"


def test_proxy_page_and_sheets_and_voters_use_the_options(choice_world: dict[str, Any]) -> None:
    w, motion = choice_world["w"], choice_world["motion"]
    c = _client(w.staff)
    form = c.get(reverse("motion_proxy", args=[motion.pk])).content.decode()
    assert 'value="opt3"' in form
    scan = SimpleUploadedFile("auth.pdf", PDF, content_type="application/pdf")
    response = c.post(
        reverse("motion_proxy", args=[motion.pk]),
        {"number": 2, "choice": "opt1", "proxy_name": "张三", "scan": scan, "request_key": "r" * 32},
    )
    assert response.status_code == 302
    assert Voter.objects.get(motion=motion, number=2).choice == "opt1"
    sheets = c.get(reverse("motion_sheets", args=[motion.pk])).content.decode()
    assert "☐ 方案1：奥的斯" in sheets
    assert "☐ 同意" not in sheets
    _close(choice_world)
    voters = c.get(reverse("motion_voters", args=[motion.pk])).content.decode()
    assert "<td>方案1：奥的斯</td>" in voters


def test_permissions_are_unchanged_for_choice_motions(choice_world: dict[str, Any]) -> None:
    w, motion = choice_world["w"], choice_world["motion"]
    pm = w.world.users[Role.PROPERTY_MANAGER]
    assert _client(pm).get(reverse("motion_detail", args=[motion.pk])).status_code == 200
    assert _client(pm).get(reverse("motion_paper_entry", args=[motion.pk])).status_code == 403
    assert _client(pm).get(reverse("motion_proxy", args=[motion.pk])).status_code == 403
    outsider = f.user_with_role(Role.COMMUNITY_STAFF, community=w.world.outside["community"])
    assert _client(outsider).get(reverse("motion_detail", args=[motion.pk])).status_code == 404
    vendor = w.world.users[Role.VENDOR]
    assert _client(vendor).get(reverse("motion_voters", args=[motion.pk])).status_code in {403, 404}


# --- API ----------------------------------------------------------------------------------------------


def _api(user: Any) -> Client:
    c = Client(enforce_csrf_checks=True)
    c.force_login(user)
    c.cookies["csrftoken"] = CSRF
    return c


def test_api_lists_options_and_returns_the_choice_tally(choice_world: dict[str, Any]) -> None:
    voters, motion = choice_world["voters"], choice_world["motion"]
    cast(voters["wang"], "opt1", "1")
    cast(voters["chen"], "opt1", "2")
    cast(voters["developer"], "opt1", "3")
    cast(voters["li_zhao"], "abstain", "4")
    c = _api(choice_world["w"].staff)
    detail = c.get(f"/api/motions/{motion.pk}").json()
    assert detail["kind"] == "choice"
    assert [(o["position"], o["choice"], o["label"]) for o in detail["options"]] == [
        (1, "opt1", "奥的斯"),
        (2, "opt2", "通力 MRL-1000"),
        (3, "opt3", "日立"),
    ]
    assert detail["options"][0]["offer"]["price_per_elevator"] == "265000.00"
    assert detail["options"][2]["offer"] is None
    tally = c.get(f"/api/motions/{motion.pk}/tally")
    assert tally.status_code == 200, tally.content
    body = tally.json()
    assert body["kind"] == "choice"
    assert body["final"] is False
    assert body["adopted"] == 1
    assert body["options"][0]["votes"] == {"area": "380.00", "owners": 3}
    assert body["still_needed"]["participation"] == {"area": "0.00", "owners": 0}
    question = c.get(f"/api/motions/{choice_world['w'].motion.pk}").json()
    assert question["kind"] == "question"
    assert question["options"] == []
    assert "for" in c.get(f"/api/motions/{choice_world['w'].motion.pk}/tally").json()
    knock = c.get(f"/api/motions/{motion.pk}/door-knocking").json()
    assert knock["not_voted"] == 1


def test_api_ballot_accepts_options(choice_world: dict[str, Any]) -> None:
    voter = choice_world["voters"]["chen"]
    session = s.voter_session_issue(voter=voter)
    phone = Client(enforce_csrf_checks=True)
    auth = {"Authorization": f"Bearer {session}"}
    ballot = phone.get("/api/vote/ballot", headers=auth).json()
    assert ballot["motion"]["kind"] == "choice"
    assert [o["choice"] for o in ballot["motion"]["options"]] == ["opt1", "opt2", "opt3"]
    cast_ = phone.post(
        "/api/vote/ballot", {"choice": "opt3", "request_key": "k1"}, content_type="application/json", headers=auth
    )
    assert cast_.status_code == 201, cast_.content
    assert cast_.json()["choice"] == "opt3"
    assert phone.get("/api/vote/ballot", headers=auth).json()["choice"] == "opt3"
    bad = phone.post(
        "/api/vote/ballot", {"choice": "for", "request_key": "k2"}, content_type="application/json", headers=auth
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "bad_choice"
    staff = _api(choice_world["w"].staff)
    paper = staff.post(
        f"/api/motions/{choice_world['motion'].pk}/paper",
        {"sheet": 1, "choice": "opt2"},
        content_type="application/json",
        headers={"X-CSRFToken": CSRF},
    )
    assert paper.status_code == 200, paper.content
    assert paper.json()["counted"] is False
