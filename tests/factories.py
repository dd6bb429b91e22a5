"""Factories for every model, in one place (DESIGN.md convention 7)."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

import factory
from django.contrib.auth import get_user_model

from gongzhi.elevators.models import (
    Campaign,
    Elevator,
    FaultRecord,
    InspectionRecord,
    SafetyAssessment,
)
from gongzhi.places.models import (
    Apartment,
    Building,
    Community,
    District,
    Entrance,
    Estate,
    Owner,
    Ownership,
    RoleAssignment,
    Subdistrict,
)


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("name",)

    name = "余杭区"


class SubdistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subdistrict
        django_get_or_create = ("district", "name")

    district = factory.SubFactory(DistrictFactory)
    name = "良渚街道"


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    subdistrict = factory.SubFactory(SubdistrictFactory)
    name = factory.Sequence(lambda n: f"社区{n}")


class EstateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Estate

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"小区{n}")
    address = "良渚街道某路1号"


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    estate = factory.SubFactory(EstateFactory)
    name = factory.Sequence(lambda n: f"{n + 1}幢")
    floors = 11


class EntranceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entrance

    building = factory.SubFactory(BuildingFactory)
    name = factory.Sequence(lambda n: f"{n + 1}单元")


class ApartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Apartment

    entrance = factory.SubFactory(EntranceFactory)
    floor = 3
    room = factory.Sequence(lambda n: f"{300 + n}")
    area = Decimal("89.50")


class OwnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Owner

    name = factory.Sequence(lambda n: f"业主{n}")
    id_hash = factory.Sequence(lambda n: hashlib.sha256(f"id-{n}".encode()).hexdigest())
    id_last4 = factory.Sequence(lambda n: f"{n % 10000:04d}")


class OwnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ownership

    owner = factory.SubFactory(OwnerFactory)
    apartment = factory.SubFactory(ApartmentFactory)


class ElevatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Elevator

    device_code = factory.Sequence(lambda n: f"3110330012005{n:05d}")
    registration_number = factory.Sequence(lambda n: f"梯11浙A{n:05d}(05)")
    entrance = factory.SubFactory(EntranceFactory)
    commissioned_on = dt.date(2005, 3, 1)
    maker = "某电梯有限公司"
    model = "TKJ1000/1.75"
    rated_load_kg = 1000
    rated_speed_mps = Decimal("1.75")
    stops = 11
    maintenance_company = "某维保公司"


class FaultRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FaultRecord

    elevator = factory.SubFactory(ElevatorFactory)
    occurred_at = factory.Sequence(lambda n: dt.datetime(2024, 6, 1, 8, tzinfo=dt.UTC) + dt.timedelta(days=n))
    kind = "door"
    people_trapped = 0
    hours_out_of_service = Decimal("2.00")


class InspectionRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InspectionRecord

    elevator = factory.SubFactory(ElevatorFactory)
    inspected_on = dt.date(2024, 5, 10)
    result = "pass"


class SafetyAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SafetyAssessment

    elevator = factory.SubFactory(ElevatorFactory)
    assessed_on = dt.date(2024, 4, 1)
    assessor = "浙江省特种设备科学研究院"
    grade = "C"
    conclusion = "renew"


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    subdistrict = factory.SubFactory(SubdistrictFactory)
    name = "2024年老旧电梯更新"
    reference_date = dt.date(2024, 9, 1)
    deadline = dt.date(2025, 6, 30)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pass-word-123")


def user_with_role(role: str, **scope: Any) -> Any:
    """A user holding one role over one scope (subdistrict=..., community=..., estate=..., owner=..., district=...)."""
    user = UserFactory()
    RoleAssignment.objects.create(user=user, role=role, **scope)
    return user
