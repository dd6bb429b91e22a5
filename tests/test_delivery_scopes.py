"""Scopes that hold in renewal delivery (issue 13, item 4).

- Private (不公开) stage documents, e.g. the contract, are listed and downloaded only by staff of the
  renewal's place (those who may record or manage delivery over it through a role other than a
  vendor's) and by the people of the renewal's own vendor. A rival vendor, which sees the renewal
  through VIEW_CAMPAIGN over its subdistrict, gets 404 and no listing; public documents stay public.
- Recording a stage checks the role over THIS renewal's elevator: a vendor's employee who is also
  property manager of another estate gains nothing from that role on a rival vendor's renewal, while
  the property manager of this estate records any stage.
Every role of the personas world in both cases (places.access.allowed_other_than underneath)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gongzhi.core.errors import AccessDeniedError
from gongzhi.delivery import services as ds
from gongzhi.delivery import stages as st
from gongzhi.delivery.models import RenewalStage, StageDocument
from gongzhi.places.access import Action, allowed, allowed_other_than, chain_of
from gongzhi.places.models import Role, RoleAssignment
from gongzhi.renewals.models import Renewal
from tests import factories as f
from tests.conftest import ROLES, DeliveryWorld

pytestmark = pytest.mark.django_db

STAFF_OF_THE_PLACE = {Role.SUBDISTRICT_STAFF, Role.COMMUNITY_STAFF, Role.OWNERS_COMMITTEE, Role.PROPERTY_MANAGER}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TODAY = dt.date(2025, 4, 10)


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def stage_of(renewal: Renewal, kind: str) -> RenewalStage:
    return RenewalStage.objects.get(renewal=renewal, kind=kind)


def add_document(w: DeliveryWorld, renewal: Renewal, title: str, *, public: bool) -> StageDocument:
    return ds.stage_document_add(
        actor=w.manager,
        stage=stage_of(renewal, st.CONTRACT),
        title=title,
        upload=SimpleUploadedFile("contract.pdf", PDF, content_type="application/pdf"),
        public=public,
    )


def download_url(document: StageDocument) -> str:
    return reverse("stage_document_download", args=[document.pk])


def detail_url(renewal: Renewal) -> str:
    return reverse("renewal_detail", args=[renewal.pk])


def stage_post(stage: RenewalStage, **changes: Any) -> dict[str, str]:
    data: dict[str, str] = {}
    for name in ds.STAGE_FIELDS:
        value = changes[name] if name in changes else getattr(stage, name)
        data[name] = value.isoformat() if isinstance(value, dt.date) else ("" if value is None else str(value))
    return data


def property_manager_elsewhere(w: DeliveryWorld, user: Any) -> Any:
    """Make `user` also property manager of another estate of the same community."""
    estate = f.EstateFactory(community=w.world.inside["community"], name="望山苑")
    RoleAssignment.objects.create(user=user, role=Role.PROPERTY_MANAGER, estate=estate)
    return estate


# --- private documents -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_private_document_per_role(delivery_world: DeliveryWorld, media: Any, role: str) -> None:
    """甲电梯's renewal (the vendor persona's own): staff of the place and 甲电梯 see the contract;
    the owner, the supervisor and the regulator see the renewal but not its private files."""
    w = delivery_world
    renewal = w.renewals[0]
    private = add_document(w, renewal, "更新改造合同（甲）", public=False)
    public = add_document(w, renewal, "合同公示", public=True)
    client = client_for(w.world.users[role])
    page = client.get(detail_url(renewal))
    assert page.status_code == 200
    html = page.content.decode()
    sees = role in STAFF_OF_THE_PLACE or role == Role.VENDOR
    assert ("更新改造合同（甲）" in html) is sees
    assert (download_url(private) in html) is sees
    assert client.get(download_url(private)).status_code == (200 if sees else 404)
    assert "合同公示" in html
    assert client.get(download_url(public)).status_code == 200


def test_rival_vendor_neither_lists_nor_downloads(delivery_world: DeliveryWorld, media: Any) -> None:
    """乙电梯 sees 甲电梯's renewal (VIEW_CAMPAIGN over the subdistrict) but not its contract, and
    the other way round; each keeps its own."""
    w = delivery_world
    ours = add_document(w, w.renewals[0], "甲合同", public=False)
    theirs = add_document(w, w.renewals[2], "乙合同", public=False)
    rival = client_for(w.other_vendor_user)
    page = rival.get(detail_url(w.renewals[0]))
    assert page.status_code == 200
    assert "甲合同" not in page.content.decode()
    assert rival.get(download_url(ours)).status_code == 404
    assert rival.get(download_url(theirs)).status_code == 200
    assert "乙合同" in rival.get(detail_url(w.renewals[2])).content.decode()
    persona = client_for(w.world.users[Role.VENDOR])
    assert "乙合同" not in persona.get(detail_url(w.renewals[2])).content.decode()
    assert persona.get(download_url(theirs)).status_code == 404
    assert persona.get(download_url(ours)).status_code == 200


def test_public_documents_stay_public(delivery_world: DeliveryWorld, media: Any) -> None:
    w = delivery_world
    public = add_document(w, w.renewals[2], "施工告知", public=True)
    assert Client().get(download_url(public)).status_code == 200
    assert client_for(w.world.users[Role.VENDOR]).get(download_url(public)).status_code == 200
    estate = w.world.inside["estate"]
    assert "施工告知" in Client().get(reverse("public_estate_progress", args=[estate.pk])).content.decode()


def test_a_second_role_elsewhere_opens_no_rivals_files(delivery_world: DeliveryWorld, media: Any) -> None:
    """The vendor persona, also property manager of another estate, still sees no rival's contract;
    made property manager of THIS estate, it is staff of the place and does."""
    w = delivery_world
    user = w.world.users[Role.VENDOR]
    theirs = add_document(w, w.renewals[2], "乙合同", public=False)
    property_manager_elsewhere(w, user)
    assert client_for(user).get(download_url(theirs)).status_code == 404
    RoleAssignment.objects.create(user=user, role=Role.PROPERTY_MANAGER, estate=w.world.inside["estate"])
    assert client_for(user).get(download_url(theirs)).status_code == 200


def test_anonymous_is_sent_to_login_for_a_private_document(delivery_world: DeliveryWorld, media: Any) -> None:
    document = add_document(delivery_world, delivery_world.renewals[0], "合同", public=False)
    response = Client().get(download_url(document))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- recording a stage -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", [st.CONTRACT, st.CONSTRUCTION])
def test_recording_per_role(delivery_world: DeliveryWorld, role: str, kind: str) -> None:
    """On 甲电梯's renewal: staff of the place record any stage, 甲电梯's people the works only,
    everyone else nothing; the service and the page agree."""
    w = delivery_world
    user = w.world.users[role]
    stage = stage_of(w.renewals[0], kind)
    may = role in STAFF_OF_THE_PLACE or (role == Role.VENDOR and kind in ds.VENDOR_STAGES)
    if may:
        ds.stage_update(actor=user, stage=stage, today=TODAY, notes="服务记录")
    else:
        with pytest.raises(AccessDeniedError):
            ds.stage_update(actor=user, stage=stage, today=TODAY, notes="服务记录")
    stage.refresh_from_db()
    assert stage.notes == ("服务记录" if may else "")
    response = client_for(user).post(reverse("stage_edit", args=[stage.pk]), stage_post(stage, notes="页面记录"))
    assert response.status_code == (302 if may else 403)
    stage.refresh_from_db()
    assert stage.notes == ("页面记录" if may else "")


@pytest.mark.parametrize("kind", [st.CONTRACT, st.CONSTRUCTION])
def test_property_manager_elsewhere_records_no_rivals_stage(delivery_world: DeliveryWorld, kind: str) -> None:
    """The finding: 甲电梯's employee, property manager of 望山苑, recorded stages of 乙电梯's renewal in
    亲亲家园 because that role grants RECORD_PROGRESS somewhere. Refused by the service and the page."""
    w = delivery_world
    user = w.world.users[Role.VENDOR]
    property_manager_elsewhere(w, user)
    stage = stage_of(w.renewals[2], kind)
    with pytest.raises(AccessDeniedError):
        ds.stage_update(actor=user, stage=stage, today=TODAY, notes="越权")
    response = client_for(user).post(reverse("stage_edit", args=[stage.pk]), stage_post(stage, notes="越权"))
    assert response.status_code == 403
    upload = SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf")
    refused = client_for(user).post(reverse("stage_document_add", args=[stage.pk]), {"title": "越权", "file": upload})
    assert refused.status_code == 403
    page = client_for(user).get(detail_url(w.renewals[2])).content.decode()
    assert "/edit/" not in page
    stage.refresh_from_db()
    assert stage.notes == ""
    assert not StageDocument.objects.exists()
    # Its own vendor's works stay its to record.
    own = stage_of(w.renewals[0], st.CONSTRUCTION)
    ds.stage_update(actor=user, stage=own, today=TODAY, notes="本单位")
    own.refresh_from_db()
    assert own.notes == "本单位"


@pytest.mark.parametrize("kind", [st.CONTRACT, st.CONSTRUCTION])
def test_property_manager_of_this_estate_records_any_stage(delivery_world: DeliveryWorld, kind: str) -> None:
    """The property manager persona (亲亲家园) records any stage of 乙电梯's renewal; so does a vendor's
    employee who is property manager of this very estate (staff of the place)."""
    w = delivery_world
    stage = stage_of(w.renewals[2], kind)
    manager = client_for(w.world.users[Role.PROPERTY_MANAGER])
    assert manager.post(reverse("stage_edit", args=[stage.pk]), stage_post(stage, notes="物业记录")).status_code == 302
    stage.refresh_from_db()
    assert stage.notes == "物业记录"
    user = w.world.users[Role.VENDOR]
    RoleAssignment.objects.create(user=user, role=Role.PROPERTY_MANAGER, estate=w.world.inside["estate"])
    ds.stage_update(actor=user, stage=stage, today=TODAY, notes="兼任物业")
    stage.refresh_from_db()
    assert stage.notes == "兼任物业"


# --- the access layer --------------------------------------------------------------------------------


def test_allowed_other_than_leaves_out_one_role(delivery_world: DeliveryWorld) -> None:
    w = delivery_world
    user = w.world.users[Role.VENDOR]
    chain = chain_of(w.renewals[2].elevator)
    assert chain is not None
    assert allowed(user, Action.RECORD_PROGRESS, chain)  # through the vendor role over the subdistrict
    assert not allowed_other_than(user, Action.RECORD_PROGRESS, chain, Role.VENDOR)
    property_manager_elsewhere(w, user)
    user = type(user).objects.get(pk=user.pk)  # a fresh request: role assignments are cached per user object
    assert not allowed_other_than(user, Action.RECORD_PROGRESS, chain, Role.VENDOR)
    assert allowed_other_than(user, Action.RECORD_PROGRESS, chain, Role.OWNER)  # the vendor role still counts
    manager = w.world.users[Role.PROPERTY_MANAGER]
    assert allowed_other_than(manager, Action.RECORD_PROGRESS, chain, Role.VENDOR)
    assert not allowed_other_than(manager, Action.RECORD_PROGRESS, chain, Role.PROPERTY_MANAGER)
