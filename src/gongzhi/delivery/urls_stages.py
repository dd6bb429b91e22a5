"""URLs of renewal delivery (stages): a campaign's progress, one renewal's timeline, recording a
stage's progress and its documents (delivery.views_stages)."""

from __future__ import annotations

from django.urls import URLPattern, path

from gongzhi.delivery import views_stages as views

urlpatterns: list[URLPattern] = [
    path("campaigns/<int:campaign_id>/delivery/", views.delivery_overview, name="delivery_overview"),
    path(
        "campaigns/<int:campaign_id>/delivery/from-decisions/",
        views.delivery_from_decisions,
        name="delivery_from_decisions",
    ),
    path("campaigns/<int:campaign_id>/delivery/add/", views.delivery_renewal_add, name="delivery_renewal_add"),
    path(
        "campaigns/<int:campaign_id>/delivery/elevators/<str:device_code>/",
        views.renewal_for_elevator,
        name="renewal_for_elevator",
    ),
    path("renewals/<int:pk>/", views.renewal_detail, name="renewal_detail"),
    path("stages/<int:pk>/edit/", views.stage_edit, name="stage_edit"),
    path("stages/<int:pk>/documents/", views.stage_document_add, name="stage_document_add"),
    path("stage-documents/<int:pk>/", views.stage_document_download, name="stage_document_download"),
]
