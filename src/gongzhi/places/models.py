"""Places and owners: District → Subdistrict → Community → Estate → Building → Entrance →
Apartment, and Owner with Ownership. Names follow ../shared/GLOSSARY.md.

Natural keys (used by the registry import to update instead of duplicating):
estate name within its community; building name within its estate; entrance name within
its building; room within its entrance; owner by the hash of their identity number.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class District(models.Model):
    name = models.CharField(_("名称"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("区县")
        verbose_name_plural = _("区县")

    def __str__(self) -> str:
        return self.name


class Subdistrict(models.Model):
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="subdistricts")
    name = models.CharField(_("名称"), max_length=64)

    class Meta:
        verbose_name = _("街道")
        verbose_name_plural = _("街道")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["district", "name"], name="subdistrict_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Community(models.Model):
    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="communities")
    name = models.CharField(_("名称"), max_length=64)

    class Meta:
        verbose_name = _("社区")
        verbose_name_plural = _("社区")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["subdistrict", "name"], name="community_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Estate(models.Model):
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="estates")
    name = models.CharField(_("名称"), max_length=64)
    address = models.CharField(_("地址"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("小区")
        verbose_name_plural = _("小区")
        ordering: ClassVar[list[str]] = ["name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["community", "name"], name="estate_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Building(models.Model):
    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="buildings")
    name = models.CharField(_("楼栋"), max_length=32)
    floors = models.PositiveSmallIntegerField(_("地上层数"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering: ClassVar[list[str]] = ["estate_id", "name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["estate", "name"], name="building_unique_name"),
            models.CheckConstraint(condition=models.Q(floors__gte=1), name="building_floors_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.estate.name} {self.name}"


class Entrance(models.Model):
    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="entrances")
    name = models.CharField(_("单元"), max_length=32)

    class Meta:
        verbose_name = _("单元")
        verbose_name_plural = _("单元")
        ordering: ClassVar[list[str]] = ["building_id", "name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["building", "name"], name="entrance_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.building.name}{self.name}"


class Apartment(models.Model):
    """An exclusive part (专有部分) with its registered floor area.

    The registered area (不动产登记簿记载的面积) is what counts in owners' votes
    (SPC interpretation on building ownership, Art. 8), so it is kept exactly, in m² with
    two decimals, and must be positive.
    """

    entrance = models.ForeignKey(Entrance, on_delete=models.CASCADE, related_name="apartments")
    room = models.CharField(_("室号"), max_length=32)
    floor = models.SmallIntegerField(_("楼层"))
    area = models.DecimalField(
        _("建筑面积(m²)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    developer_held = models.BooleanField(_("建设单位持有"), default=False)
    owners: models.ManyToManyField[Owner, Ownership] = models.ManyToManyField(
        "Owner", through="Ownership", related_name="apartments"
    )

    class Meta:
        verbose_name = _("房屋")
        verbose_name_plural = _("房屋")
        ordering: ClassVar[list[str]] = ["entrance_id", "floor", "room"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["entrance", "room"], name="apartment_unique_room"),
            models.CheckConstraint(condition=models.Q(area__gt=0), name="apartment_area_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.entrance} {self.room}"


class OwnerKind(models.TextChoices):
    PERSON = "person", _("个人")
    ORGANISATION = "organisation", _("单位")
    DEVELOPER = "developer", _("建设单位")


class Owner(models.Model):
    """A person or organisation holding one or more apartments.

    The identity number itself is not stored (PIPL Art. 6, 28: sensitive personal information,
    minimum necessary): only a keyed hash, to recognise the same owner across imports, and
    its last four characters, to tell owners apart on screen.
    """

    name = models.CharField(_("姓名/名称"), max_length=128)
    kind = models.CharField(_("类型"), max_length=16, choices=OwnerKind.choices, default=OwnerKind.PERSON)
    id_hash = models.CharField(_("证件号摘要"), max_length=64, unique=True)
    id_last4 = models.CharField(_("证件号后四位"), max_length=4, blank=True)
    phone = models.CharField(_("电话"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("业主")
        verbose_name_plural = _("业主")
        ordering: ClassVar[list[str]] = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name}(*{self.id_last4})" if self.id_last4 else self.name


class Ownership(models.Model):
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="ownerships")
    apartment = models.ForeignKey(Apartment, on_delete=models.CASCADE, related_name="ownerships")

    class Meta:
        verbose_name = _("产权")
        verbose_name_plural = _("产权")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["owner", "apartment"], name="ownership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.owner} → {self.apartment}"


class Role(models.TextChoices):
    SUBDISTRICT_STAFF = "subdistrict_staff", _("街道工作人员")
    COMMUNITY_STAFF = "community_staff", _("社区工作人员")
    OWNERS_COMMITTEE = "owners_committee", _("业委会")
    PROPERTY_MANAGER = "property_manager", _("物业服务企业")
    OWNER = "owner", _("业主")
    VENDOR = "vendor", _("品牌方")
    SUPERVISOR = "supervisor", _("特约监察员")
    DISTRICT_REGULATOR = "district_regulator", _("区监管部门")


# Which scope field each role's assignment must name.
ROLE_SCOPE: dict[str, str] = {
    Role.SUBDISTRICT_STAFF: "subdistrict",
    Role.COMMUNITY_STAFF: "community",
    Role.OWNERS_COMMITTEE: "estate",
    Role.PROPERTY_MANAGER: "estate",
    Role.OWNER: "owner",
    Role.VENDOR: "subdistrict",
    Role.SUPERVISOR: "subdistrict",
    Role.DISTRICT_REGULATOR: "district",
}


class RoleAssignment(models.Model):
    """A user acting in one role over one scope (a district, subdistrict, community or estate,
    or, for an owner, their own apartments). A user may hold several."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    subdistrict = models.ForeignKey(Subdistrict, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    estate = models.ForeignKey(Estate, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(Owner, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    organisation = models.CharField(_("所属单位"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                name="role_assignment_one_scope",
                condition=(
                    models.Q(
                        role__in=["subdistrict_staff", "vendor", "supervisor"],
                        subdistrict__isnull=False,
                        district__isnull=True,
                        community__isnull=True,
                        estate__isnull=True,
                        owner__isnull=True,
                    )
                    | models.Q(
                        role="community_staff",
                        community__isnull=False,
                        district__isnull=True,
                        subdistrict__isnull=True,
                        estate__isnull=True,
                        owner__isnull=True,
                    )
                    | models.Q(
                        role__in=["owners_committee", "property_manager"],
                        estate__isnull=False,
                        district__isnull=True,
                        subdistrict__isnull=True,
                        community__isnull=True,
                        owner__isnull=True,
                    )
                    | models.Q(
                        role="owner",
                        owner__isnull=False,
                        district__isnull=True,
                        subdistrict__isnull=True,
                        community__isnull=True,
                        estate__isnull=True,
                    )
                    | models.Q(
                        role="district_regulator",
                        district__isnull=False,
                        subdistrict__isnull=True,
                        community__isnull=True,
                        estate__isnull=True,
                        owner__isnull=True,
                    )
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_role_display()}"
