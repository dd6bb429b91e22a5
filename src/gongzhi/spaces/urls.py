"""URLs of spaces for services (空间换服务)."""

from __future__ import annotations

from django.urls import URLPattern, path

from gongzhi.spaces import views

urlpatterns: list[URLPattern] = [
    path("spaces/", views.space_list, name="space_list"),
    path("spaces/new/<int:community_id>/", views.space_create, name="space_create"),
    path("spaces/partners/new/<int:community_id>/", views.partner_create, name="space_partner_create"),
    path("spaces/<int:space_id>/agreements/new/", views.agreement_create, name="space_agreement_create"),
    path("spaces/agreements/<int:pk>/", views.agreement_detail, name="space_agreement"),
    path("spaces/agreements/<int:pk>/deliveries/new/", views.fulfilment_log, name="space_delivery_log"),
    path("spaces/agreements/<int:pk>/review/", views.review_record, name="space_review"),
    path("spaces/evidence/<int:pk>/", views.evidence_download, name="space_evidence"),
]
