"""The community affairs page: every signed-in role reaches it from the menu, and sees only the
links it may follow (suggestions inbox and dashboard, ledgers, spaces, a department's to-do)."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.places.models import Role, RoleAssignment
from gongzhi.suggestions.models import Department
from tests import factories as f

pytestmark = pytest.mark.django_db
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

EXPECTED = {
    # Per role, whether it sees the suggestions inbox and dashboard, the ledgers, the spaces.
    Role.SUBDISTRICT_STAFF: (True, True, True),
    Role.COMMUNITY_STAFF: (True, True, True),
    Role.OWNERS_COMMITTEE: (False, True, False),
    Role.PROPERTY_MANAGER: (False, True, False),
    Role.OWNER: (False, True, False),
    Role.VENDOR: (False, False, False),
    Role.SUPERVISOR: (True, True, False),
    Role.DISTRICT_REGULATOR: (True, True, False),
}


def href(url: str) -> str:
    return f'href="{url}"'


def page_for(user: Any) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("affairs"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("role", list(EXPECTED))
def test_links_follow_the_role_table(personas: Any, role: str) -> None:
    page = page_for(personas.users[role])
    inbox, ledgers, spaces = EXPECTED[role]
    assert href(reverse("suggestion_submit")) in page
    assert href(reverse("suggestion_mine")) in page
    assert href(reverse("suggestion_board")) in page
    assert href(reverse("council_list")) in page
    assert (href(reverse("suggestion_inbox")) in page) is inbox
    assert (href(reverse("suggestion_dashboard")) in page) is inbox
    assert (href(reverse("ledger_list")) in page) is ledgers
    assert (href(reverse("space_list")) in page) is spaces
    assert href(reverse("suggestion_department")) not in page  # nobody here is in a department
    assert f'href="{reverse("affairs")}"' in page  # the menu entry


def test_a_department_member_sees_the_department_link(personas: Any) -> None:
    user = personas.users[Role.VENDOR]
    department = Department.objects.create(subdistrict=personas.inside["subdistrict"], name="城管中队")
    department.members.add(user)
    assert href(reverse("suggestion_department")) in page_for(user)


def test_anonymous_is_sent_to_log_in(client: Client) -> None:
    response = client.get(reverse("affairs"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_query_count(personas: Any, django_assert_max_num_queries: Any) -> None:
    client = Client()
    client.force_login(personas.users[Role.COMMUNITY_STAFF])
    with django_assert_max_num_queries(9):
        assert client.get(reverse("affairs")).status_code == 200


def test_the_talent_pool_link_follows_talent_access(talent_world: Any) -> None:
    """Pool administrators, cadres with a dossier, organisations' contacts and instructors see the link to the
    talent pool; a login with nothing to do with it does not."""
    link = href(reverse("talent_home"))
    for name in ("admin", "cadre", "organisation_a", "instructor", "superuser"):
        assert link in page_for(talent_world.users[name]), name
    assert link not in page_for(talent_world.users["outsider"])


@pytest.mark.browser
def test_fits_the_phone(personas: Any, live_server: Any, browser: Any) -> None:
    from tests.browser_support import assert_fits_the_phone

    client = Client()
    client.force_login(personas.users[Role.SUBDISTRICT_STAFF])
    cookie = client.cookies["sessionid"].value
    context = browser.new_context(viewport={"width": 375, "height": 800})
    context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + reverse("affairs"))
    assert_fits_the_phone(page)
    context.close()


def test_home_takes_those_whose_business_is_a_talent_pool_there(talent_world: Any) -> None:
    """A cadre, an organisation's contact or an instructor with no role in any place lands on the talent pool;
    a pool administrator who also holds a place role keeps the dashboard; a login with nothing keeps
    the (empty) dashboard."""
    for name in ("cadre", "organisation_a", "instructor", "admin"):
        client = Client()
        client.force_login(talent_world.users[name])
        response = client.get(reverse("home"))
        assert response.status_code == 302, name
        assert response["Location"] == reverse("talent_home")
    client = Client()
    client.force_login(talent_world.users["outsider"])
    assert client.get(reverse("home")).status_code == 200
    staff = talent_world.users["admin"]
    RoleAssignment.objects.create(user=staff, role=Role.SUBDISTRICT_STAFF, subdistrict=f.SubdistrictFactory())
    client = Client()
    client.force_login(staff)
    assert client.get(reverse("home")).status_code == 200
