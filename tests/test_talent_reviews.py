"""Nominations and reviews of the talent pool (talent.reviews.services, talent.reviews.views): nominating
and withdrawing, a proposal in a hand-built world (cap, a full quota, a score exactly at the exit
line, a member and a candidate on equal scores), confirming in one transaction, the refusals, who
sees which lines, the permission table of every page and POST, and flat query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.core.errors import AccessDeniedError, DomainError
from gongzhi.talent.models import (
    Appraisal,
    Cadre,
    CadreStatus,
    LineOutcome,
    Membership,
    Nomination,
    NominationStatus,
    RerankReview,
    ResearchMember,
    ResearchProject,
    ReviewLine,
    ReviewStatus,
    SkillAssessment,
)
from gongzhi.talent.reviews import services as svc
from tests.talent_support import TalentWorld, make_cadre

pytestmark = pytest.mark.django_db
D = Decimal
ROLES = (
    "admin",
    "other_admin",
    "cadre",
    "organisation_a",
    "organisation_b",
    "instructor",
    "outsider",
    "anonymous",
    "superuser",
)


def client_for(tw: TalentWorld, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(tw.users[role])
    return client


def give(tw: TalentWorld, cadre: Cadre, score: str) -> None:
    """A scored research project of the cycle with this cadre as its only member."""
    project = ResearchProject.objects.create(cycle=tw.cycle, title=f"课题 {cadre.pk}", score=D(score))
    ResearchMember.objects.create(project=project, cadre=cadre)


def research_review(tw: TalentWorld, **kw: Any) -> RerankReview:
    """A review that only counts research, so the research score is the composite score."""
    return svc.review_create(
        actor=tw.users["admin"],
        pool=tw.pool,
        cycle=tw.cycle,
        title=kw.pop("title", "2025 年度动态调整"),
        held_on=kw.pop("held_on", dt.date(2025, 12, 20)),
        weight_skills=D(0),
        weight_courses=D(0),
        weight_appraisal=D(0),
        weight_research=D(1),
        **kw,
    )


def candidate(tw: TalentWorld, name: str, category: str, organisation: str = "a") -> Cadre:
    nomination = svc.nomination_create(
        actor=tw.users["admin"],
        pool=tw.pool,
        organisation=tw.organisations[organisation],
        reason="表现突出",
        profile=svc.CandidateProfile(name=name, date_of_birth=dt.date(1996, 5, 1), category=tw.categories[category]),
    )
    return nomination.cadre


class Hand:
    """cap 5, exit line 60, 行政执法类 quota 2. In rank order:
    1 张晓明 member 90 · 2 李思远 candidate 90 (tie: member first) · 3 执法甲 candidate 85 ·
    4 执法乙 candidate 80 · 5 王可 member 70 (行政执法类 full) · 6 刚好 member 60 (exactly the line, taken,
    5th) · 7 迟到 candidate 60 (past the cap) · — 差一点 member 59.99 (below the line)."""

    def __init__(self, tw: TalentWorld) -> None:
        self.tw = tw
        self.ce1 = candidate(tw, "执法甲", "enforcement")
        self.ce2 = candidate(tw, "执法乙", "enforcement", organisation="b")
        self.late = candidate(tw, "迟到", "general")
        self.exact = make_cadre(tw.pool, tw.organisations["b"], "刚好", member=True, category=tw.categories["general"])
        self.below = make_cadre(
            tw.pool, tw.organisations["b"], "差一点", member=True, category=tw.categories["general"]
        )
        for cadre, score in (
            (tw.cadres["self"], "90"),
            (tw.cadres["nominee"], "90"),
            (self.ce1, "85"),
            (self.ce2, "80"),
            (tw.cadres["other"], "70"),
            (self.exact, "60"),
            (self.late, "60"),
            (self.below, "59.99"),
        ):
            give(tw, cadre, score)
        self.review = research_review(tw, cap=5)

    def lines(self) -> dict[str, ReviewLine]:
        return {line.cadre.name: line for line in ReviewLine.objects.filter(review=self.review).select_related("cadre")}


@pytest.fixture
def hand(talent_world: TalentWorld) -> Hand:
    return Hand(talent_world)


# --- nominations -------------------------------------------------------------------------------


def test_a_organisation_nominates_a_new_candidate_for_itself(talent_world: TalentWorld) -> None:
    tw = talent_world
    n = svc.nomination_create(
        actor=tw.users["organisation_a"],
        pool=tw.pool,
        organisation=tw.organisations["a"],
        reason="  业务骨干  ",
        profile=svc.CandidateProfile(name="陈新", date_of_birth=dt.date(1997, 1, 2), gender="female", post="科员"),
    )
    assert n.status == NominationStatus.PENDING
    assert n.reason == "业务骨干"
    assert n.cadre.status == CadreStatus.CANDIDATE
    assert n.cadre.organisation == tw.organisations["a"]
    assert n.cadre.pool == tw.pool
    with pytest.raises(AccessDeniedError):
        svc.nomination_create(
            actor=tw.users["organisation_a"],
            pool=tw.pool,
            organisation=tw.organisations["b"],
            reason="x",
            profile=svc.CandidateProfile(name="某", date_of_birth=dt.date(1997, 1, 2)),
        )


def test_nomination_refusals_name_the_problem(talent_world: TalentWorld) -> None:
    tw = talent_world
    before = (Cadre.objects.count(), Nomination.objects.count())
    cases = [
        ({"reason": " ", "cadre": tw.cadres["nominee"]}, "请填写推荐理由。"),
        ({"reason": "x", "cadre": tw.cadres["nominee"]}, "该干部已有一条待评审的推荐。"),
        ({"reason": "x", "cadre": tw.cadres["self"]}, "该干部已在库中，无需推荐。"),
        ({"reason": "x"}, "请选择本单位的干部或填写新人选的信息（二者选一）。"),
        (
            {"reason": "x", "profile": svc.CandidateProfile(name="未来", date_of_birth=dt.date(2030, 1, 1))},
            "出生日期须早于今天。",
        ),
    ]
    for kwargs, message in cases:
        with pytest.raises(DomainError) as exc:
            svc.nomination_create(
                actor=tw.users["organisation_a"], pool=tw.pool, organisation=tw.organisations["a"], **kwargs
            )
        assert exc.value.message == message
    with pytest.raises(DomainError, match="不是本单位"):
        svc.nomination_create(
            actor=tw.users["admin"],
            pool=tw.pool,
            organisation=tw.organisations["a"],
            reason="x",
            cadre=tw.cadres["other"],
        )
    assert (Cadre.objects.count(), Nomination.objects.count()) == before


def test_withdraw_while_pending_then_nominate_again(talent_world: TalentWorld) -> None:
    tw = talent_world
    n = Nomination.objects.get(cadre=tw.cadres["nominee"])
    with pytest.raises(AccessDeniedError):
        svc.nomination_withdraw(actor=tw.users["organisation_b"], nomination=n)
    svc.nomination_withdraw(actor=tw.users["organisation_a"], nomination=n)
    n.refresh_from_db()
    assert n.status == NominationStatus.WITHDRAWN
    with pytest.raises(DomainError, match="只能撤回待评审的推荐"):
        svc.nomination_withdraw(actor=tw.users["organisation_a"], nomination=n)
    again = svc.nomination_create(
        actor=tw.users["organisation_a"],
        pool=tw.pool,
        organisation=tw.organisations["a"],
        reason="再次推荐",
        cadre=tw.cadres["nominee"],
    )
    assert again.status == NominationStatus.PENDING


def test_nominate_page_creates_the_dossier_and_shows_errors_at_the_field(talent_world: TalentWorld) -> None:
    tw = talent_world
    client = client_for(tw, "organisation_a")
    url = reverse("talent_nominate", args=[tw.pool.pk])
    r = client.post(url, {"organisation": tw.organisations["a"].pk, "cadre": tw.cadres["nominee"].pk, "reason": "x"})
    assert r.status_code == 400
    assert "该干部已有一条待评审的推荐。" in r.content.decode()
    r = client.post(
        url, {"organisation": tw.organisations["a"].pk, "name": "周到", "date_of_birth": "1998-02-03", "reason": "肯干"}
    )
    assert r.status_code == 303
    assert Nomination.objects.filter(cadre__name="周到", organisation=tw.organisations["a"], status="pending").exists()
    page = client.get(reverse("talent_nominations", args=[tw.pool.pk])).content.decode()
    assert "周到" in page
    assert "李思远" in page
    assert (
        "周到"
        not in client_for(tw, "organisation_b").get(reverse("talent_nominations", args=[tw.pool.pk])).content.decode()
    )


# --- the proposal ------------------------------------------------------------------------------


def test_the_proposal_in_a_hand_built_world(hand: Hand) -> None:
    tw = hand.tw
    svc.review_propose(actor=tw.users["admin"], review=hand.review)
    lines = hand.lines()
    got = {name: (line.rank, line.outcome, line.reason) for name, line in lines.items()}
    assert got == {
        "张晓明": (1, LineOutcome.STAY, "综合得分 90.00，排名第 1"),
        "李思远": (2, LineOutcome.ADMIT, "综合得分 90.00，排名第 2"),
        "执法甲": (3, LineOutcome.ADMIT, "综合得分 85.00，排名第 3"),
        "执法乙": (4, LineOutcome.ADMIT, "综合得分 80.00，排名第 4"),
        "王可": (5, LineOutcome.REMOVE, "类别“行政执法类”名额 2 已满"),
        "刚好": (6, LineOutcome.STAY, "综合得分 60.00，排名第 6"),
        "迟到": (7, LineOutcome.NOT_ADMITTED, "排名第 7，超出人数上限 5"),
        "差一点": (None, LineOutcome.REMOVE, "综合得分 59.99，低于退出分数线 60.00"),
    }
    assert lines["王可"].score == D("70.00")
    assert lines["王可"].category == "行政执法类"
    assert lines["张晓明"].member
    assert not lines["李思远"].member
    parts = {p["component"]: p for p in lines["张晓明"].components}
    assert parts["research"]["value"] == "90.00"
    assert parts["skills"]["weight"] == "0.00"
    hand.review.refresh_from_db()
    assert hand.review.status == ReviewStatus.PROPOSED
    assert hand.review.proposed_at is not None
    # re-proposing replaces the lines
    svc.review_propose(actor=tw.users["admin"], review=hand.review)
    assert ReviewLine.objects.filter(review=hand.review).count() == 8


def test_the_default_weights_use_every_component(talent_world: TalentWorld) -> None:
    tw = talent_world
    me = tw.cadres["self"]
    for skill in ("political", "research", "emergency", "public", "delivery"):
        SkillAssessment.objects.create(cadre=me, skill=skill, score=D("50"), assessed_on=dt.date(2025, 3, 1))
        SkillAssessment.objects.create(cadre=me, skill=skill, score=D("100"), assessed_on=dt.date(2026, 3, 1))
    Appraisal.objects.create(cadre=me, year=2024, grade="excellent")
    Appraisal.objects.create(cadre=me, year=2026, grade="incompetent")  # after the review date: not counted
    give(tw, me, "80")
    review = svc.review_create(
        actor=tw.users["admin"], pool=tw.pool, cycle=tw.cycle, title="年中", held_on=dt.date(2025, 6, 30)
    )
    assert (review.cap, review.exit_below) == (100, D("60.00"))
    svc.review_propose(actor=tw.users["admin"], review=review)
    line = ReviewLine.objects.get(review=review, cadre=me)
    # skills 50 (the 2026 assessments are after the date), courses 0 of 4, appraisal 2024 优秀 100, research 80:
    # (40·50 + 20·0 + 25·100 + 15·80) / 100 = 57.00
    assert line.score == D("57.00")
    assert line.outcome == LineOutcome.REMOVE


def test_review_create_refusals(talent_world: TalentWorld) -> None:
    tw = talent_world
    base = {
        "actor": tw.users["admin"],
        "pool": tw.pool,
        "cycle": tw.cycle,
        "title": "t",
        "held_on": dt.date(2025, 6, 1),
    }
    with pytest.raises(DomainError, match="四项权重不能全为 0"):
        svc.review_create(**base, weight_skills=D(0), weight_courses=D(0), weight_appraisal=D(0), weight_research=D(0))
    with pytest.raises(DomainError, match="能力权重不能为负数"):
        svc.review_create(**base, weight_skills=D(-1))
    with pytest.raises(DomainError, match="请填写名称"):
        svc.review_create(**{**base, "title": " "})
    with pytest.raises(AccessDeniedError):
        svc.review_create(**{**base, "actor": tw.users["other_admin"]})
    assert not RerankReview.objects.exists()


# --- confirming --------------------------------------------------------------------------------


def test_confirm_applies_the_proposal(hand: Hand) -> None:
    tw = hand.tw
    svc.review_propose(actor=tw.users["admin"], review=hand.review)
    with pytest.raises(DomainError, match="请填写确认理由"):
        svc.review_confirm(actor=tw.users["admin"], review=hand.review, reason=" ")
    svc.review_confirm(actor=tw.users["admin"], review=hand.review, reason="工委会议研究同意")
    review = RerankReview.objects.get(pk=hand.review.pk)
    assert review.status == ReviewStatus.CONFIRMED
    assert review.reason == "工委会议研究同意"
    assert review.confirmed_by == tw.users["admin"]
    assert review.confirmed_at is not None
    gone = Membership.objects.get(cadre=tw.cadres["other"])
    assert gone.exited_on == dt.date(2025, 12, 20)
    assert gone.exit_reason == "类别“行政执法类”名额 2 已满"
    assert gone.review == review
    assert Cadre.objects.get(pk=tw.cadres["other"].pk).status == CadreStatus.EXITED
    assert Membership.objects.get(cadre=hand.below).exited_on == dt.date(2025, 12, 20)
    entered = Membership.objects.get(cadre=tw.cadres["nominee"])
    assert entered.entered_on == dt.date(2025, 12, 20)
    assert entered.exited_on is None
    assert entered.review == review
    assert "综合得分 90.00" in entered.entry_reason
    assert Cadre.objects.get(pk=hand.ce2.pk).status == CadreStatus.MEMBER
    statuses = dict(Nomination.objects.values_list("cadre__name", "status"))
    assert statuses == {"李思远": "admitted", "执法甲": "admitted", "执法乙": "admitted", "迟到": "not_admitted"}
    assert set(Nomination.objects.values_list("review_id", flat=True)) == {review.pk}
    assert Membership.objects.get(cadre=tw.cadres["self"]).exited_on is None  # stays
    with pytest.raises(DomainError, match="该考评已确认，不能重复确认"):
        svc.review_confirm(actor=tw.users["admin"], review=review, reason="again")
    with pytest.raises(DomainError, match="不能重新生成方案"):
        svc.review_propose(actor=tw.users["admin"], review=review)


def _snapshot() -> tuple[Any, ...]:
    return (
        sorted(Membership.objects.values_list("cadre_id", "entered_on", "exited_on", "exit_reason")),
        sorted(Nomination.objects.values_list("cadre_id", "status", "review_id")),
        sorted(Cadre.objects.values_list("id", "status")),
        list(RerankReview.objects.values_list("status", "confirmed_at", "reason")),
    )


def test_a_failure_mid_way_leaves_nothing_changed(talent_world: TalentWorld) -> None:
    tw = talent_world
    give(tw, tw.cadres["nominee"], "95")  # admitted first (rank 1), written before the removal fails
    give(tw, tw.cadres["self"], "50")  # removed, but entered on 2025-01-06, after the review date
    review = research_review(tw, held_on=dt.date(2025, 1, 2))
    svc.review_propose(actor=tw.users["admin"], review=review)
    assert ReviewLine.objects.get(review=review, cadre=tw.cadres["nominee"]).outcome == LineOutcome.ADMIT
    before = _snapshot()
    with pytest.raises(DomainError, match="入库日期晚于考评日期"):
        svc.review_confirm(actor=tw.users["admin"], review=review, reason="同意")
    assert _snapshot() == before


def test_a_stale_proposal_is_refused(hand: Hand) -> None:
    tw = hand.tw
    svc.review_propose(actor=tw.users["admin"], review=hand.review)
    svc.nomination_withdraw(actor=tw.users["admin"], nomination=Nomination.objects.get(cadre=hand.late))
    with pytest.raises(DomainError, match="方案生成后人才库有变动，请重新生成"):
        svc.review_confirm(actor=tw.users["admin"], review=hand.review, reason="同意")
    svc.review_propose(actor=tw.users["admin"], review=hand.review)
    candidate(tw, "新来", "general")
    with pytest.raises(DomainError, match="请重新生成"):
        svc.review_confirm(actor=tw.users["admin"], review=hand.review, reason="同意")
    svc.review_propose(actor=tw.users["admin"], review=hand.review)
    Membership.objects.filter(cadre=hand.exact).update(exited_on=dt.date(2025, 6, 1), exit_reason="调离")
    with pytest.raises(DomainError, match="请重新生成"):
        svc.review_confirm(actor=tw.users["admin"], review=hand.review, reason="同意")
    assert RerankReview.objects.get(pk=hand.review.pk).status == ReviewStatus.PROPOSED


def test_cancel_a_draft_or_proposed_review_only(hand: Hand) -> None:
    tw = hand.tw
    with pytest.raises(DomainError, match="请先生成方案再确认"):
        svc.review_confirm(actor=tw.users["admin"], review=hand.review, reason="x")
    svc.review_cancel(actor=tw.users["admin"], review=hand.review)
    assert RerankReview.objects.get(pk=hand.review.pk).status == ReviewStatus.CANCELLED
    with pytest.raises(DomainError, match="只能取消草稿或已生成方案的考评"):
        svc.review_cancel(actor=tw.users["admin"], review=hand.review)


# --- pages -------------------------------------------------------------------------------------


def test_the_review_page_shows_counts_table_and_chart(hand: Hand) -> None:
    tw = hand.tw
    client = client_for(tw, "admin")
    assert client.post(reverse("talent_review_propose", args=[hand.review.pk])).status_code == 303
    page = client.get(reverse("talent_review", args=[hand.review.pk])).content.decode()
    assert '<strong id="count-stay">2</strong>' in page
    assert '<strong id="count-admit">3</strong>' in page
    assert '<strong id="count-remove">2</strong>' in page
    assert '<strong id="count-not-admitted">1</strong>' in page
    ranking = page[page.index('id="lines"') :]  # the full ranking, in rank order
    assert ranking.index("张晓明") < ranking.index("李思远") < ranking.index("王可") < ranking.index("差一点")
    changes = page[page.index('id="changes"') : page.index('id="lines"')]  # first: who comes and goes
    assert changes.count("<tr><td>") == 3 + 2 + 1  # admitted, removed, not admitted — not those who stay
    assert (
        page.index('id="changes"') < page.index("确认方案") < page.index('id="lines"')
    )  # confirm before the long list
    assert 'id="review-chart-data"' in page
    assert "talent/review.js" in page
    assert "排名第 7，超出人数上限 5" in page
    r = client.post(reverse("talent_review_confirm", args=[hand.review.pk]), {"reason": ""})
    assert r.status_code == 400
    r = client.post(reverse("talent_review_confirm", args=[hand.review.pk]), {"reason": "同意"})
    assert r.status_code == 303
    assert RerankReview.objects.get(pk=hand.review.pk).status == ReviewStatus.CONFIRMED


def test_review_create_page(talent_world: TalentWorld) -> None:
    tw = talent_world
    client = client_for(tw, "admin")
    url = reverse("talent_review_create", args=[tw.pool.pk])
    assert 'value="100"' in client.get(url).content.decode()  # the cap from the pool
    data = {
        "cycle": tw.cycle.pk,
        "title": "2025 年度",
        "held_on": "2025-12-20",
        "weight_skills": "0",
        "weight_courses": "0",
        "weight_appraisal": "0",
        "weight_research": "0",
        "cap": "100",
        "exit_below": "60",
    }
    r = client.post(url, data)
    assert r.status_code == 400
    assert "四项权重不能全为 0。" in r.content.decode()
    r = client.post(url, {**data, "weight_research": "15"})
    assert r.status_code == 303
    assert RerankReview.objects.get().weight_research == D("15")


def _who_sees(hand: Hand, role: str, name: str = "talent_review_mine") -> set[str]:
    r = client_for(hand.tw, role).get(reverse(name, args=[hand.review.pk]))
    if r.status_code != 200:
        return {f"status {r.status_code}"}
    page = r.content.decode()
    names = ("张晓明", "李思远", "执法甲", "执法乙", "王可", "刚好", "迟到", "差一点")
    return {n for n in names if f"{n}</strong>" in page}


def test_who_sees_which_lines(hand: Hand) -> None:
    tw = hand.tw
    svc.review_propose(actor=tw.users["admin"], review=hand.review)
    assert _who_sees(hand, "cadre") == {"status 404"}  # not before confirming
    assert len(_who_sees(hand, "admin")) == 8  # administrators: everything, also before
    svc.review_confirm(actor=tw.users["admin"], review=hand.review, reason="同意")
    assert _who_sees(hand, "cadre") == {"张晓明"}
    assert _who_sees(hand, "organisation_a") == {"张晓明", "李思远", "执法甲", "迟到"}
    assert _who_sees(hand, "organisation_b") == {"王可", "执法乙", "刚好", "差一点"}
    assert _who_sees(hand, "cadre", "talent_review") == {"张晓明"}
    assert _who_sees(hand, "instructor") == {"status 404"}
    assert _who_sees(hand, "other_admin") == {"status 404"}
    page = client_for(tw, "cadre").get(reverse("talent_review_mine", args=[hand.review.pk])).content.decode()
    assert "综合得分 90.00，排名第 1" in page
    assert "课题“课题" in page


# --- the permission table ----------------------------------------------------------------------

OK, LOGIN, FORBIDDEN, MISSING, REDIRECT, BAD = 200, 302, 403, 404, 303, 400

# role → status, in ROLES order
TABLE: dict[str, tuple[int, ...]] = {
    "GET nominations": (OK, MISSING, FORBIDDEN, OK, OK, MISSING, MISSING, LOGIN, OK),
    "GET nominate": (OK, MISSING, FORBIDDEN, OK, OK, MISSING, MISSING, LOGIN, OK),
    "POST nominate": (BAD, MISSING, FORBIDDEN, BAD, BAD, MISSING, MISSING, LOGIN, BAD),
    "POST withdraw": (REDIRECT, MISSING, MISSING, REDIRECT, MISSING, MISSING, MISSING, LOGIN, REDIRECT),
    "GET reviews": (OK, MISSING, OK, OK, OK, MISSING, MISSING, LOGIN, OK),
    "GET review_create": (OK, MISSING, FORBIDDEN, FORBIDDEN, FORBIDDEN, MISSING, MISSING, LOGIN, OK),
    "POST review_create": (BAD, MISSING, FORBIDDEN, FORBIDDEN, FORBIDDEN, MISSING, MISSING, LOGIN, BAD),
    "GET review (proposed)": (OK, MISSING, MISSING, MISSING, MISSING, MISSING, MISSING, LOGIN, OK),
    "GET mine (proposed)": (OK, MISSING, MISSING, MISSING, MISSING, MISSING, MISSING, LOGIN, OK),
    "POST propose (proposed)": (REDIRECT, MISSING, MISSING, MISSING, MISSING, MISSING, MISSING, LOGIN, REDIRECT),
    "POST confirm (proposed)": (REDIRECT, MISSING, MISSING, MISSING, MISSING, MISSING, MISSING, LOGIN, REDIRECT),
    "POST cancel (proposed)": (REDIRECT, MISSING, MISSING, MISSING, MISSING, MISSING, MISSING, LOGIN, REDIRECT),
    "GET review (confirmed)": (OK, MISSING, OK, OK, OK, MISSING, MISSING, LOGIN, OK),
    "GET mine (confirmed)": (OK, MISSING, OK, OK, OK, MISSING, MISSING, LOGIN, OK),
    "POST propose (confirmed)": (REDIRECT, MISSING, FORBIDDEN, FORBIDDEN, FORBIDDEN, MISSING, MISSING, LOGIN, REDIRECT),
}


def _request(tw: TalentWorld, key: str, role: str) -> int:
    method, _, what = key.partition(" ")
    page = what.split(" ")[0]
    review = None
    if "(" in what:
        give(tw, tw.cadres["self"], "80")
        review = research_review(tw)
        svc.review_propose(actor=tw.users["admin"], review=review)
        if "confirmed" in what:
            svc.review_confirm(actor=tw.users["admin"], review=review, reason="同意")
    pool_pages = {
        "nominations": "talent_nominations",
        "nominate": "talent_nominate",
        "reviews": "talent_reviews",
        "review_create": "talent_review_create",
    }
    data: dict[str, str] = {}
    if page in pool_pages:
        url = reverse(pool_pages[page], args=[tw.pool.pk])
    elif page == "withdraw":
        url = reverse("talent_nomination_withdraw", args=[Nomination.objects.get(cadre=tw.cadres["nominee"]).pk])
    else:
        assert review is not None
        names = {"review": "talent_review", "mine": "talent_review_mine", "propose": "talent_review_propose"}
        names |= {"confirm": "talent_review_confirm", "cancel": "talent_review_cancel"}
        url = reverse(names[page], args=[review.pk])
        data = {"reason": "同意"} if page == "confirm" else {}
    client = client_for(tw, role)
    response = client.get(url) if method == "GET" else client.post(url, data)
    return response.status_code


@pytest.mark.parametrize("key", list(TABLE))
@pytest.mark.parametrize("role", ROLES)
def test_permission_table(talent_world: TalentWorld, key: str, role: str) -> None:
    expected = TABLE[key][ROLES.index(role)]
    assert _request(talent_world, key, role) == expected


# --- query counts ------------------------------------------------------------------------------


def _world_of(tw: TalentWorld, n: int) -> RerankReview:
    for i in range(n - 2):  # "self" and "other" are members already
        cadre = make_cadre(tw.pool, tw.organisations["a" if i % 2 else "b"], f"成员{i:02d}", member=True)
        give(tw, cadre, str(50 + i))
        SkillAssessment.objects.create(cadre=cadre, skill="political", score=D(70), assessed_on=dt.date(2025, 3, 1))
    give(tw, tw.cadres["self"], "90")
    Nomination.objects.filter(cadre=tw.cadres["nominee"]).update(status=NominationStatus.WITHDRAWN)
    review = research_review(tw)
    svc.review_propose(actor=tw.users["admin"], review=review)
    assert ReviewLine.objects.filter(review=review).count() == n
    return review


@pytest.mark.parametrize("n", [3, 30])
def test_review_page_query_count_is_flat(talent_world: TalentWorld, n: int, django_assert_max_num_queries: Any) -> None:
    review = _world_of(talent_world, n)
    client = client_for(talent_world, "admin")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("talent_review", args=[review.pk])).status_code == 200
