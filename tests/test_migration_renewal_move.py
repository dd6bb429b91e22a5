"""The migration pair that moves Renewal from delivery into renewals (issue 14): renewals 0006
creates it in Django's state on the same table (delivery_renewal) and moves its content type row,
delivery 0002 points RenewalStage.renewal at it and drops delivery.Renewal from the state. No row
is copied: renewals, their stages and the stages' documents are the same rows, both ways."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.apps.registry import Apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from gongzhi.delivery import stages as st
from gongzhi.delivery.models import RenewalStage
from gongzhi.renewals.models import Offer, OfferStatus, Renewal
from tests import factories as f
from tests.conftest import DeliveryWorld

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("delivery", "0001_initial"), ("renewals", "0005_option_offer")]
AFTER = [("delivery", "0002_renewal_moved_to_renewals"), ("renewals", "0006_renewal")]
RENEWAL_FIELDS = (
    "pk",
    "campaign_id",
    "elevator_id",
    "vendor_id",
    "offer_id",
    "works_days",
    "current_stage",
    "progress",
)


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


def _content_types() -> list[tuple[str, int]]:
    return list(ContentType.objects.filter(model="renewal").values_list("app_label", "pk"))


def _rows(renewal_model: Any) -> dict[int, tuple[Any, ...]]:
    return {row[0]: row for row in renewal_model.objects.values_list(*RENEWAL_FIELDS)}


def _offer(w: DeliveryWorld) -> Offer:
    assert w.world.campaign is not None
    return Offer.objects.create(
        campaign=w.world.campaign,
        vendor=w.vendor,
        brand="迁移牌",
        model="MRL-1000",
        rated_load_kg=1000,
        rated_speed_mps=Decimal("1.75"),
        warranty_years=2,
        delivery_days=45,
        installation_days=20,
        price_per_elevator=Decimal("265000.00"),
        status=OfferStatus.SUBMITTED,
    )


def test_renewals_stages_and_documents_survive_forwards_and_backwards(
    delivery_world: DeliveryWorld, latest: Any
) -> None:
    w = delivery_world
    assert w.world.campaign is not None
    offer = _offer(w)
    Renewal.objects.filter(pk=w.renewals[0].pk).update(offer=offer)
    late_elevator = f.ElevatorFactory(entrance=w.world.inside["entrance"])
    # A permission granted through the content type must keep pointing at the renewal model.
    [(app_label, ct_id)] = _content_types()
    assert app_label == "renewals"
    view = Permission.objects.get(content_type_id=ct_id, codename="view_renewal")
    w.manager.user_permissions.add(view)

    # The state before: Renewal is delivery's. Add one more renewal there, with its twelve stages
    # and a document on one of them, through the historical models.
    old = _migrate(BEFORE)
    with pytest.raises(LookupError):
        old.get_model("renewals", "Renewal")
    assert _content_types() == [("delivery", ct_id)]
    old_renewal = old.get_model("delivery", "Renewal")
    old_stage = old.get_model("delivery", "RenewalStage")
    added = old_renewal.objects.create(
        campaign_id=w.world.campaign.pk,
        elevator_id=late_elevator.pk,
        vendor_id=w.vendor.pk,
        works_days=30,
        current_stage=st.CONTRACT,
        progress=21,
    )
    old_stage.objects.bulk_create(
        old_stage(renewal_id=added.pk, kind=kind, position=n, status=st.DONE if n <= 4 else st.PENDING)
        for n, kind in enumerate(st.ORDER, start=1)
    )
    contract = old_stage.objects.get(renewal_id=added.pk, kind=st.CONTRACT)
    document = old.get_model("delivery", "StageDocument").objects.create(
        stage_id=contract.pk,
        title="合同扫描件",
        file="stages/2025/01/contract.pdf",
        content_type="application/pdf",
        sha256="0" * 64,
    )
    renewals = _rows(old_renewal)
    stages = dict(old_stage.objects.values_list("pk", "renewal_id"))
    assert len(renewals) == 5
    assert len(stages) == 5 * len(st.ORDER)
    assert renewals[w.renewals[0].pk][4] == offer.pk

    # Forwards: the same rows through renewals.Renewal, the stages pointing at it, no new table.
    new = _migrate(AFTER)
    with pytest.raises(LookupError):
        new.get_model("delivery", "Renewal")
    new_renewal = new.get_model("renewals", "Renewal")
    new_stage = new.get_model("delivery", "RenewalStage")
    assert new_stage._meta.get_field("renewal").related_model is new_renewal
    assert _rows(new_renewal) == renewals
    assert dict(new_stage.objects.values_list("pk", "renewal_id")) == stages
    assert new_stage.objects.filter(renewal__elevator_id=late_elevator.pk).count() == len(st.ORDER)
    assert new.get_model("delivery", "StageDocument").objects.get(pk=document.pk).stage.renewal_id == added.pk
    tables = connection.introspection.table_names()
    assert "delivery_renewal" in tables
    assert "renewals_renewal" not in tables
    assert _content_types() == [("renewals", ct_id)]
    assert Permission.objects.filter(content_type_id=ct_id).count() == 4
    assert w.manager.user_permissions.filter(pk=view.pk).exists()

    # Backwards: the same rows through delivery.Renewal again, the content type back with them.
    old = _migrate(BEFORE)
    assert _rows(old.get_model("delivery", "Renewal")) == renewals
    assert dict(old.get_model("delivery", "RenewalStage").objects.values_list("pk", "renewal_id")) == stages
    assert _content_types() == [("delivery", ct_id)]
    assert w.manager.user_permissions.filter(pk=view.pk).exists()


def test_the_app_reads_the_moved_rows(delivery_world: DeliveryWorld, latest: Any) -> None:
    """After a round trip through the state before, the app's own models see every renewal, its
    stages (the reverse relation from renewals.Renewal) and its place in the access path."""
    w = delivery_world
    before = {r.pk: (r.current_stage, r.progress) for r in Renewal.objects.all()}
    _migrate(BEFORE)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert {r.pk: (r.current_stage, r.progress) for r in Renewal.objects.all()} == before
    renewal = Renewal.objects.get(pk=w.renewals[0].pk)
    assert [s.kind for s in renewal.stages.all()] == list(st.ORDER)
    assert renewal.get_current_stage_display() == "签订合同"
    assert RenewalStage.objects.filter(renewal__campaign=w.world.campaign).count() == 3 * len(st.ORDER)
    assert renewal.access_anchor == w.world.inside["entrance"]


def test_a_content_type_already_at_the_new_home_gives_way(delivery_world: DeliveryWorld, latest: Any) -> None:
    """If post_migrate made a (renewals, renewal) row while the model was delivery's (after an
    earlier migration back and forth), the old row, with the permissions granted on it, is kept."""
    [(_, ct_id)] = _content_types()
    view = Permission.objects.get(content_type_id=ct_id, codename="view_renewal")
    delivery_world.manager.user_permissions.add(view)
    _migrate(BEFORE)
    newcomer = ContentType.objects.create(app_label="renewals", model="renewal")
    Permission.objects.create(content_type=newcomer, codename="view_renewal", name="Can view 电梯更新")

    _migrate(AFTER)
    assert _content_types() == [("renewals", ct_id)]
    assert list(Permission.objects.filter(codename="view_renewal").values_list("pk", flat=True)) == [view.pk]
    assert delivery_world.manager.user_permissions.filter(pk=view.pk).exists()
