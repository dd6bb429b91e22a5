"""talent 0003 renames models and fields to the glossary's words (Pool → TalentPool, Category →
PoolCategory, Unit → Organisation, Review → RerankReview, the `unit` foreign keys → `organisation`,
feedback respondent "unit" → "organisation") and keeps every row, both ways."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from gongzhi.talent.models import (
    Cadre,
    Feedback,
    Nomination,
    Organisation,
    RerankReview,
    RespondentKind,
    TalentPool,
)
from tests.talent_support import TalentWorld

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("talent", "0002_talent_import_job")]
AFTER = [("talent", "0003_glossary_names")]


def _migrate(targets: list[tuple[str, str]]) -> Apps:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def latest() -> Any:
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_rows_survive_the_renames_backwards_and_forwards(talent_world: TalentWorld, latest: Any) -> None:
    tw = talent_world
    Feedback.objects.create(
        cycle=tw.cycle,
        author=tw.users["organisation_a"],
        respondent=RespondentKind.ORGANISATION,
        organisation=tw.organisations["a"],
        rating=4,
    )
    Feedback.objects.create(cycle=tw.cycle, author=tw.users["cadre"], respondent=RespondentKind.PARTICIPANT, rating=5)
    RerankReview.objects.create(
        pool=tw.pool, cycle=tw.cycle, title="2025 年度动态调整", held_on=dt.date(2025, 12, 1), cap=100, exit_below=60
    )
    reviews = list(RerankReview.objects.values_list("pk", "title"))
    cadres = dict(Cadre.objects.values_list("pk", "organisation_id"))
    nominations = dict(Nomination.objects.values_list("pk", "organisation_id"))
    contacts = {o.pk: {u.pk for u in o.members.all()} for o in Organisation.objects.all()}
    pools = {p.pk: {u.pk for u in p.administrators.all()} for p in TalentPool.objects.all()}
    categories = set(tw.pool.categories.values_list("pk", "name"))

    old = _migrate(BEFORE)
    assert "talent_unit" in connection.introspection.table_names()
    assert dict(old.get_model("talent", "Cadre").objects.values_list("pk", "unit_id")) == cadres
    assert dict(old.get_model("talent", "Nomination").objects.values_list("pk", "unit_id")) == nominations
    unit = old.get_model("talent", "Unit")
    assert {u.pk: {m.pk for m in u.members.all()} for u in unit.objects.all()} == contacts
    pool = old.get_model("talent", "Pool")
    assert {p.pk: {m.pk for m in p.administrators.all()} for p in pool.objects.all()} == pools
    assert set(old.get_model("talent", "Category").objects.filter(pool_id=tw.pool.pk).values_list("pk", "name")) == (
        categories
    )
    assert list(old.get_model("talent", "Review").objects.values_list("pk", "title")) == reviews
    assert sorted(old.get_model("talent", "Feedback").objects.values_list("respondent", flat=True)) == [
        "participant",
        "unit",
    ]

    _migrate(AFTER)
    assert "talent_unit" not in connection.introspection.table_names()
    assert dict(Cadre.objects.values_list("pk", "organisation_id")) == cadres
    assert dict(Nomination.objects.values_list("pk", "organisation_id")) == nominations
    assert {o.pk: {u.pk for u in o.members.all()} for o in Organisation.objects.all()} == contacts
    assert {p.pk: {u.pk for u in p.administrators.all()} for p in TalentPool.objects.all()} == pools
    assert set(tw.pool.categories.values_list("pk", "name")) == categories
    assert sorted(Feedback.objects.values_list("respondent", flat=True)) == ["organisation", "participant"]
    assert Feedback.objects.get(respondent="organisation").organisation == tw.organisations["a"]
    assert tw.users["organisation_a"].talent_organisations.get() == tw.organisations["a"]
    assert list(RerankReview.objects.values_list("pk", "title")) == reviews
