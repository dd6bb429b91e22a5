"""The migration pair that moves an option's offer from motions into renewals (issue 14):
renewals 0005 creates OptionOffer and copies every motions_motionoption.offer_id into it, motions
0003 drops the column. Existing links survive both ways."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from gongzhi.motions import services as ms
from gongzhi.motions.models import Motion
from gongzhi.places.models import Role
from gongzhi.renewals.models import Offer, OfferStatus, OptionOffer, Vendor
from tests.conftest import World

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("motions", "0002_motion_kind_and_options"), ("renewals", "0004_maintenance_fund_balance")]
AFTER = [("motions", "0003_remove_motionoption_offer"), ("renewals", "0005_option_offer")]


def _migrate(targets: list[tuple[str, str]]) -> Apps:
    """Migrate the test database to `targets` and return the historical models there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def latest() -> Any:
    """Whatever a test leaves the schema at, it ends at the newest migrations again."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _offers(world: World, n: int) -> list[Offer]:
    vendor = Vendor.objects.create(subdistrict=world.inside["subdistrict"], name="迁移电梯公司")
    assert world.campaign is not None
    return [
        Offer.objects.create(
            campaign=world.campaign,
            vendor=vendor,
            brand=f"品牌{i}",
            model="MRL-1000",
            rated_load_kg=1000,
            rated_speed_mps=Decimal("1.75"),
            warranty_years=2,
            delivery_days=45,
            installation_days=20,
            price_per_elevator=Decimal("265000.00"),
            status=OfferStatus.SUBMITTED,
        )
        for i in range(n)
    ]


def _choice_motion(world: World, title: str, labels: list[str]) -> Motion:
    opens = timezone.now() + dt.timedelta(days=8)
    return ms.motion_create(
        actor=world.users[Role.COMMUNITY_STAFF],
        estate=world.inside["estate"],
        title=title,
        question="选用哪个报价？",
        scope_kind="entrance",
        scope_entrance=world.inside["entrance"],
        opens_at=opens,
        closes_at=opens + dt.timedelta(days=11),
        kind="choice",
        options=[{"label": label} for label in labels],
    )


def test_links_survive_the_migration_forwards_and_backwards(personas: World, latest: Any) -> None:
    offers = _offers(personas, 3)
    brand = _choice_motion(personas, "品牌选择", ["甲", "乙", "另行招标"])
    plain = _choice_motion(personas, "另一表决", ["东", "西"])

    # The state before: the link is motions_motionoption.offer_id. Link two options of the first
    # motion, add a third option with an offer, leave the other motion's options without one.
    old = _migrate(BEFORE)
    old_option = old.get_model("motions", "MotionOption")
    old_option.objects.filter(motion_id=brand.pk, position=1).update(offer_id=offers[0].pk)
    old_option.objects.filter(motion_id=brand.pk, position=2).update(offer_id=offers[1].pk)
    old_option.objects.create(motion_id=plain.pk, position=3, label="南", offer_id=offers[2].pk)
    expected = dict(old_option.objects.exclude(offer_id=None).values_list("pk", "offer_id"))
    assert len(expected) == 3
    unlinked = set(old_option.objects.filter(offer_id=None).values_list("pk", flat=True))
    assert len(unlinked) == 3

    # Forwards: every link is in OptionOffer, the column is gone, nothing else moved.
    new = _migrate(AFTER)
    new_link = new.get_model("renewals", "OptionOffer")
    assert dict(new_link.objects.values_list("option_id", "offer_id")) == expected
    new_option = new.get_model("motions", "MotionOption")
    assert "offer" not in {f.name for f in new_option._meta.get_fields()}
    assert new_option.objects.count() == len(expected) + len(unlinked)
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, "motions_motionoption")}
    assert "offer_id" not in columns

    # Backwards: the links are copied back into the column before the table goes.
    old = _migrate(BEFORE)
    old_option = old.get_model("motions", "MotionOption")
    assert dict(old_option.objects.exclude(offer_id=None).values_list("pk", "offer_id")) == expected
    assert set(old_option.objects.filter(offer_id=None).values_list("pk", flat=True)) == unlinked
    assert "renewals_optionoffer" not in connection.introspection.table_names()


def test_the_newest_schema_reads_the_copied_links_through_the_app(personas: World, latest: Any) -> None:
    """After the migration, the app's own models and hooks see the links copied from the column."""
    from gongzhi.motions.selectors import options_shown

    offers = _offers(personas, 2)
    brand = _choice_motion(personas, "品牌选择", ["甲", "乙"])
    old = _migrate(BEFORE)
    old_option = old.get_model("motions", "MotionOption")
    for position, offer in enumerate(offers, start=1):
        old_option.objects.filter(motion_id=brand.pk, position=position).update(offer_id=offer.pk)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert [link.offer for link in OptionOffer.objects.order_by("option__position")] == offers
    shown = options_shown(brand)
    assert [o.offer.id if o.offer else None for o in shown] == [o.pk for o in offers]
    assert [o.offer.brand if o.offer else None for o in shown] == ["品牌0", "品牌1"]
