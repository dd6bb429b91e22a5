"""The dossier pages' permission table (tests/test_talent_dossier_views.py's PAGES), role by role.

The world is built once for the module, in a transaction rolled back when the module ends, and each
cell runs in its own savepoint (the `db` fixture), so an allowed POST leaves nothing for the next
cell. The table has its own module so that no test building its own world runs inside that
transaction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from tests.talent_support import TalentWorld, build_talent_world
from tests.test_talent_dossier_views import CASES, Args, Data, client_for


@pytest.fixture(scope="module")
def _module_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[TalentWorld]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_talent_world()
        transaction.set_rollback(True)


@pytest.fixture
def table_world(_module_world: TalentWorld, db: None) -> TalentWorld:
    return _module_world


@pytest.mark.parametrize(("name", "method", "args", "data", "role", "status"), CASES)
def test_permission_table(
    table_world: TalentWorld, name: str, method: str, args: Args, data: Data, role: str, status: int
) -> None:
    tw = table_world
    url = reverse(name, args=args(tw))
    client = client_for(tw, role)
    response = client.get(url) if method == "GET" else client.post(url, data(tw) if data else {})
    assert response.status_code == status, response.content.decode()[:500]
    if status == 302:
        assert response["Location"].startswith(reverse("login"))
