"""Owners' motions (表决事项), their frozen roll, voters, ballots and results.

A motion is put to the owners of a scope of one estate's apartments (an entrance, a building,
the estate or a hand-picked set). Opening it freezes the roll: one RollEntry per apartment with
the registered area (SPC interpretation on building ownership, Art. 8) and the key of the owner
who counts for the headcount (Art. 9), so later registry edits cannot change a running vote.

The owners of the roll are grouped into Voters: one per distinct owner key. A voter votes once
for all of their apartments in the scope; that is one BallotVersion (every version is kept) and
one current Ballot per apartment (one per apartment per motion is a database constraint).

A motion is either a yes/no question (kind "question": for, against, abstain) or a choice among
options (kind "choice", e.g. the brand of the new elevator, 换什么): then a ballot's choice is
"opt<position>" of one MotionOption, or "abstain". The choice fields keep `choices=Choice.choices`
for the question's labels; the values a motion accepts are checked by the services
(services.valid_choices), which is where every ballot is written.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.places.access import PlacePath
from gongzhi.places.models import Apartment, Building, Entrance, Estate, Owner


class MotionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("表决中")
    CLOSED = "closed", _("已结束")
    CANCELLED = "cancelled", _("已撤销")


class ScopeKind(models.TextChoices):
    ESTATE = "estate", _("整个小区")
    BUILDING = "building", _("一栋楼")
    ENTRANCE = "entrance", _("一个单元")
    APARTMENTS = "apartments", _("指定房屋")


class MeetingKind(models.TextChoices):
    """Hangzhou 物业管理条例 (2021) Art. 19: a regular owners' assembly is announced 15 days ahead,
    an extraordinary one 7 days ahead."""

    REGULAR = "regular", _("定期会议")
    EXTRAORDINARY = "extraordinary", _("临时会议")


class Choice(models.TextChoices):
    FOR = "for", _("同意")
    AGAINST = "against", _("反对")
    ABSTAIN = "abstain", _("弃权")


class MotionKind(models.TextChoices):
    QUESTION = "question", _("是否表决（同意、反对、弃权）")
    CHOICE = "choice", _("方案选择（多个方案选一）")


OPTION_PREFIX = "opt"
MAX_OPTIONS = 20  # "opt20" fits the 8 characters of the choice fields with room to spare


def option_choice(position: int) -> str:
    """The ballot value of an option: "opt1", "opt2", …"""
    return f"{OPTION_PREFIX}{position}"


class Channel(models.TextChoices):
    ONLINE = "online", _("线上")
    PAPER = "paper", _("纸质")
    PROXY = "proxy", _("委托")


class Motion(models.Model):
    # Where its rows sit in the place tree (places.access.scoped, chain_of).
    access_path: ClassVar[PlacePath] = PlacePath.via_estate("estate")
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="motions")
    title = models.CharField(_("标题"), max_length=128)
    kind = models.CharField(_("表决类型"), max_length=16, choices=MotionKind.choices, default=MotionKind.QUESTION)
    question = models.TextField(_("表决事项"))
    description = models.TextField(_("说明"), blank=True)
    scope_kind = models.CharField(_("表决范围"), max_length=16, choices=ScopeKind.choices)
    scope_building = models.ForeignKey(
        Building, verbose_name=_("楼栋"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scope_entrance = models.ForeignKey(
        Entrance, verbose_name=_("单元"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scope_apartments = models.ManyToManyField(Apartment, blank=True, related_name="+")
    rule_preset = models.CharField(_("表决规则"), max_length=32, blank=True)
    participation_area = models.CharField(_("参与面积门槛"), max_length=16)
    participation_owners = models.CharField(_("参与人数门槛"), max_length=16)
    approval_area = models.CharField(_("同意面积门槛"), max_length=16)
    approval_owners = models.CharField(_("同意人数门槛"), max_length=16)
    meeting_kind = models.CharField(
        _("会议类型"), max_length=16, choices=MeetingKind.choices, default=MeetingKind.EXTRAORDINARY
    )
    opens_at = models.DateTimeField(_("开始时间"))
    closes_at = models.DateTimeField(_("截止时间"))
    objection_days = models.PositiveSmallIntegerField(_("异议期(天)"), default=0)
    anonymous = models.BooleanField(_("不公开个人选择"), default=False)
    status = models.CharField(_("状态"), max_length=16, choices=MotionStatus.choices, default=MotionStatus.DRAFT)
    opened_at = models.DateTimeField(_("公告时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("计票时间"), null=True, blank=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("表决事项")
        verbose_name_plural = _("表决事项")
        ordering: ClassVar[list[str]] = ["-opens_at", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")), name="motion_closes_after"),
            models.CheckConstraint(
                name="motion_scope_fields",
                condition=(
                    models.Q(scope_kind="building", scope_building__isnull=False, scope_entrance__isnull=True)
                    | models.Q(scope_kind="entrance", scope_entrance__isnull=False, scope_building__isnull=True)
                    | models.Q(
                        scope_kind__in=["estate", "apartments"],
                        scope_building__isnull=True,
                        scope_entrance__isnull=True,
                    )
                ),
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["estate", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def access_anchor(self) -> Estate:
        return self.estate


class MotionOption(models.Model):
    """One option of a choice motion (方案), e.g. one vendor's offer in the brand choice. What an
    option stands for is the business of the app above that put it to the vote (renewals links an
    option to its offer, renewals.OptionOffer); the vote engine knows only the option.

    Owners pick one option or abstain; an option is adopted only when those choosing it meet the
    approval thresholds against everyone taking part (Civil Code Art. 278, see
    selectors.choice_tally), so a plurality alone never decides."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(_("序号"))
    label = models.CharField(_("方案"), max_length=128)

    class Meta:
        verbose_name = _("表决方案")
        verbose_name_plural = _("表决方案")
        ordering: ClassVar[list[str]] = ["motion_id", "position"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["motion", "position"], name="motion_option_unique_position"),
            models.UniqueConstraint(fields=["motion", "label"], name="motion_option_unique_label"),
            models.CheckConstraint(
                condition=models.Q(position__gte=1, position__lte=MAX_OPTIONS), name="motion_option_position_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.label}"

    @property
    def choice(self) -> str:
        return option_choice(self.position)


class RollEntry(models.Model):
    """One apartment of a motion's frozen roll (名册), as it stood when the motion opened."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="roll")
    apartment = models.ForeignKey(Apartment, null=True, on_delete=models.SET_NULL, related_name="+")
    voter = models.ForeignKey("Voter", on_delete=models.CASCADE, related_name="roll_entries")
    label = models.CharField(_("房屋"), max_length=128)
    building_name = models.CharField(_("楼栋"), max_length=32)
    entrance_name = models.CharField(_("单元"), max_length=32)
    room = models.CharField(_("室号"), max_length=32)
    floor = models.SmallIntegerField(_("楼层"))
    area = models.DecimalField(_("建筑面积(m²)"), max_digits=10, decimal_places=2)
    developer_held = models.BooleanField(_("建设单位持有"), default=False)

    class Meta:
        verbose_name = _("名册房屋")
        verbose_name_plural = _("名册房屋")
        ordering: ClassVar[list[str]] = ["building_name", "entrance_name", "floor", "room"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["motion", "apartment"], name="roll_unique_apartment"),
            models.CheckConstraint(condition=models.Q(area__gt=0), name="roll_area_positive"),
        ]

    def __str__(self) -> str:
        return self.label


class Voter(models.Model):
    """The owner (or co-owners, or the developer) who counts as one head for a motion.

    `owner_key` is "developer" for all developer-held apartments, "owners:<ids>" for one set of
    co-owners (a buyer of several apartments is one key), "apartment:<id>" where the registry
    names no owner. `number` is the sheet number printed on the paper ballot.
    """

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="voters")
    number = models.PositiveIntegerField(_("表决票编号"))
    owner_key = models.CharField(max_length=255)
    display_name = models.CharField(_("业主"), max_length=255)
    owners = models.ManyToManyField(Owner, blank=True, related_name="+")
    phone = models.CharField(_("电话"), max_length=32, blank=True)
    area = models.DecimalField(_("面积合计(m²)"), max_digits=12, decimal_places=2)
    apartments = models.PositiveIntegerField(_("房屋数"))
    token_hash = models.CharField(max_length=64, unique=True)
    paper_requested = models.BooleanField(_("要求纸质表决票"), default=False)
    choice = models.CharField(_("当前选择"), max_length=8, choices=Choice.choices, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=0)

    class Meta:
        verbose_name = _("表决人")
        verbose_name_plural = _("表决人")
        ordering: ClassVar[list[str]] = ["number"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["motion", "number"], name="voter_unique_number"),
            models.UniqueConstraint(fields=["motion", "owner_key"], name="voter_unique_owner_key"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.display_name}"


class ProxyAuthorisation(models.Model):
    """A signed authorisation (委托书) letting someone vote for a voter; the scan is kept."""

    voter = models.ForeignKey(Voter, on_delete=models.CASCADE, related_name="proxies")
    proxy_name = models.CharField(_("受托人"), max_length=128)
    proxy_id_last4 = models.CharField(_("受托人证件号后四位"), max_length=4, blank=True)
    scan = models.FileField(_("委托书扫描件"), upload_to="proxies/%Y/%m/")
    scan_sha256 = models.CharField(max_length=64)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("委托书")
        verbose_name_plural = _("委托书")

    def __str__(self) -> str:
        return f"{self.voter} → {self.proxy_name}"


class BallotVersion(models.Model):
    """Every ballot a voter has cast, in order; the highest version is the one that counts."""

    voter = models.ForeignKey(Voter, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    choice = models.CharField(_("选择"), max_length=8, choices=Choice.choices)
    channel = models.CharField(_("方式"), max_length=8, choices=Channel.choices)
    cast_at = models.DateTimeField(_("时间"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    second_entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proxy = models.ForeignKey(ProxyAuthorisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    request_key = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("表决记录")
        verbose_name_plural = _("表决记录")
        ordering: ClassVar[list[str]] = ["voter_id", "version"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["voter", "version"], name="ballot_version_unique"),
            models.UniqueConstraint(fields=["voter", "request_key"], name="ballot_version_idempotent"),
        ]

    def __str__(self) -> str:
        return f"{self.voter} v{self.version} {self.choice}"


class Ballot(models.Model):
    """The current choice for one apartment of the roll (选票). One per apartment per motion."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="ballots")
    roll_entry = models.OneToOneField(RollEntry, on_delete=models.CASCADE, related_name="ballot")
    voter = models.ForeignKey(Voter, on_delete=models.CASCADE, related_name="ballots")
    version = models.ForeignKey(BallotVersion, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(_("选择"), max_length=8, choices=Choice.choices)
    channel = models.CharField(_("方式"), max_length=8, choices=Channel.choices)
    area = models.DecimalField(max_digits=10, decimal_places=2)
    cast_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("选票")
        verbose_name_plural = _("选票")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["motion", "roll_entry"], name="ballot_one_per_apartment"),
        ]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["motion", "choice"])]

    def __str__(self) -> str:
        return f"{self.roll_entry} {self.choice}"


class PaperEntry(models.Model):
    """One staff member's keying of one paper ballot sheet (double entry, 双人录入).

    Two entries of the same sheet by different staff that agree cast the ballot; entries that
    disagree are listed until someone with the right resolves them against the sheet."""

    voter = models.ForeignKey(Voter, on_delete=models.CASCADE, related_name="paper_entries")
    choice = models.CharField(_("选择"), max_length=8, choices=Choice.choices)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)
    batch = models.PositiveIntegerField(_("批次"), default=1)
    resolution = models.BooleanField(_("裁定"), default=False)
    note = models.CharField(_("说明"), max_length=255, blank=True)
    counted = models.BooleanField(_("已计入"), default=False)

    class Meta:
        verbose_name = _("纸质票录入")
        verbose_name_plural = _("纸质票录入")
        ordering: ClassVar[list[str]] = ["voter_id", "entered_at", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["voter", "entered_by", "batch"],
                condition=models.Q(resolution=False),
                name="paper_entry_one_per_staff",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voter} {self.choice} ({self.entered_by})"


class OneTimeCode(models.Model):
    """A code sent to the voter's phone on record before they may vote through their link."""

    voter = models.ForeignKey(Voter, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("验证码")
        verbose_name_plural = _("验证码")
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.voter} {self.created_at:%H:%M}"


class VoterSession(models.Model):
    """Proof that someone confirmed the voter's code: the hash of a bearer token, valid until."""

    voter = models.ForeignKey(Voter, on_delete=models.CASCADE, related_name="sessions")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("表决会话")
        verbose_name_plural = _("表决会话")

    def __str__(self) -> str:
        return f"{self.voter} → {self.expires_at:%H:%M}"


class MotionResult(models.Model):
    """The frozen tally at closing (计票结果), published as a notice."""

    motion = models.OneToOneField(Motion, on_delete=models.PROTECT, related_name="result")
    outcome = models.JSONField(_("计票结果"))
    passed = models.BooleanField(_("通过"))
    computed_at = models.DateTimeField(_("计票时间"))
    published_at = models.DateTimeField(_("公告时间"))
    objection_until = models.DateTimeField(_("异议期截止"), null=True, blank=True)
    ballots_sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("表决结果")
        verbose_name_plural = _("表决结果")

    def __str__(self) -> str:
        return f"{self.motion} {'✓' if self.passed else '✗'}"
