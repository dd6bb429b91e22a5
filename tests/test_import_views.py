"""The registry import pages: template download, upload → progress → outcome, access."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gongzhi.elevators.models import Elevator, ImportStatus, RegistryImport
from gongzhi.places.models import Role
from tests.factories import CommunityFactory, SubdistrictFactory, UserFactory, user_with_role
from tests.test_registry_import import BASE, book

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _media(tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def staff() -> Any:
    return user_with_role(Role.SUBDISTRICT_STAFF, subdistrict=SubdistrictFactory())


def login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def test_anonymous_is_sent_to_login(client: Client) -> None:
    response = client.get(reverse("registry_import"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("role", [Role.OWNERS_COMMITTEE, Role.PROPERTY_MANAGER, Role.VENDOR])
def test_users_without_change_registry_are_refused(client: Client, role: str) -> None:
    sub = SubdistrictFactory()
    scope: dict[str, Any]
    if role == Role.VENDOR:
        scope = {"subdistrict": sub}
    else:
        from tests.factories import EstateFactory

        scope = {"estate": EstateFactory(community=CommunityFactory(subdistrict=sub))}
    login(client, user_with_role(role, **scope))
    assert client.get(reverse("registry_import")).status_code == 403
    assert client.get(reverse("registry_import_template")).status_code == 403
    upload = SimpleUploadedFile("r.xlsx", b"x", content_type=XLSX)
    assert client.post(reverse("registry_import"), {"file": upload}).status_code == 403
    assert RegistryImport.objects.count() == 0


def test_page_offers_template_and_upload_form(client: Client, staff: Any, django_assert_max_num_queries: Any) -> None:
    login(client, staff)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("registry_import"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("registry_import_template") in html
    assert 'enctype="multipart/form-data"' in html
    assert "csrfmiddlewaretoken" in html
    assert 'name="viewport"' in html  # mobile layout from base.html


def test_community_staff_may_open_the_page(client: Client) -> None:
    login(client, user_with_role(Role.COMMUNITY_STAFF, community=CommunityFactory()))
    assert client.get(reverse("registry_import")).status_code == 200


def test_template_download(client: Client, staff: Any) -> None:
    login(client, staff)
    response = client.get(reverse("registry_import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert "电梯" in wb.sheetnames
    assert "说明" in wb.sheetnames


def test_upload_progress_and_done(
    client: Client, staff: Any, tmp_path: Path, django_assert_max_num_queries: Any
) -> None:
    login(client, staff)
    data = book(tmp_path, BASE).read_bytes()
    response = client.post(reverse("registry_import"), {"file": SimpleUploadedFile("台账.xlsx", data, XLSX)})
    assert response.status_code == 302
    imp = RegistryImport.objects.get()
    assert response["Location"] == reverse("registry_import_detail", args=[imp.pk])
    assert imp.status == ImportStatus.DONE  # the immediate task backend ran it
    assert imp.created_by == staff
    assert Elevator.objects.count() == 3

    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "<progress" in html
    assert 'value="100"' in html
    assert "台账.xlsx" in html
    assert "已完成" in html
    assert "hx-trigger" not in html  # finished: no more polling

    with django_assert_max_num_queries(4):
        partial = client.get(reverse("registry_import_progress", args=[imp.pk]))
    assert partial.status_code == 200
    body = partial.content.decode()
    assert "<html" not in body
    assert "hx-trigger" not in body
    assert "电梯" in body  # the counts table

    listing = client.get(reverse("registry_import")).content.decode()
    assert reverse("registry_import_detail", args=[imp.pk]) in listing


def test_running_import_polls_every_second(client: Client, staff: Any, tmp_path: Path) -> None:
    imp = RegistryImport.objects.create(
        file_name="大文件.xlsx",
        file_path=str(tmp_path / "x.xlsx"),
        created_by=staff,
        status=ImportStatus.RUNNING,
        phase="check",
        done=250,
        total=1000,
    )
    login(client, staff)
    body = client.get(reverse("registry_import_progress", args=[imp.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in body
    assert f'hx-get="{reverse("registry_import_progress", args=[imp.pk])}"' in body
    assert 'value="25"' in body
    assert "250/1000" in body


def test_running_import_reads_progress_written_during_the_transaction(
    client: Client, staff: Any, tmp_path: Path
) -> None:
    path = tmp_path / "y.xlsx"
    path.with_suffix(".progress.json").write_text('{"phase": "write", "done": 600, "total": 1000}')
    imp = RegistryImport.objects.create(
        file_name="y.xlsx", file_path=str(path), created_by=staff, status=ImportStatus.RUNNING, phase="check"
    )
    login(client, staff)
    body = client.get(reverse("registry_import_progress", args=[imp.pk])).content.decode()
    assert 'value="60"' in body
    assert "写入数据" in body


def test_non_workbook_upload_shows_the_error(client: Client, staff: Any) -> None:
    login(client, staff)
    upload = SimpleUploadedFile("notes.xlsx", b"just some text", content_type=XLSX)
    response = client.post(reverse("registry_import"), {"file": upload}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "已拒绝" in html
    assert "不是有效的 Excel 工作簿" in html
    assert RegistryImport.objects.get().status == ImportStatus.REFUSED


def test_refused_import_lists_every_problem(client: Client, staff: Any, tmp_path: Path) -> None:
    from tests.test_registry_import import data

    sheets = data()
    sheets["房屋"][0][5] = -1
    sheets["电梯"][1][5] = "不是日期"
    login(client, staff)
    upload = SimpleUploadedFile("bad.xlsx", book(tmp_path, sheets).read_bytes(), content_type=XLSX)
    html = client.post(reverse("registry_import"), {"file": upload}, follow=True).content.decode()
    for header in ("工作表", "行", "列", "原因"):
        assert f'<th scope="col">{header}</th>' in html
    assert "<td>房屋</td><td>2</td><td>建筑面积(平方米)</td>" in html
    assert "<td>电梯</td><td>3</td><td>投用日期</td>" in html
    assert Elevator.objects.count() == 0


def test_missing_file_redisplays_the_form(client: Client, staff: Any) -> None:
    login(client, staff)
    response = client.post(reverse("registry_import"), {})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert RegistryImport.objects.count() == 0


def test_users_see_only_their_own_imports(client: Client, staff: Any, tmp_path: Path) -> None:
    imp = RegistryImport.objects.create(
        file_name="a.xlsx", file_path=str(tmp_path / "a.xlsx"), created_by=staff, status=ImportStatus.DONE
    )
    other = user_with_role(Role.SUBDISTRICT_STAFF, subdistrict=SubdistrictFactory())
    login(client, other)
    assert client.get(reverse("registry_import_detail", args=[imp.pk])).status_code == 404
    assert client.get(reverse("registry_import_progress", args=[imp.pk])).status_code == 404
    assert "a.xlsx" not in client.get(reverse("registry_import")).content.decode()
    root = UserFactory(is_superuser=True, is_staff=True)
    login(client, root)
    assert client.get(reverse("registry_import_detail", args=[imp.pk])).status_code == 200
