"""URLs of renewal delivery (public): the estate's progress page and its public documents (no
login, short enough for a QR code), posting a notice to it, and district reporting."""

from __future__ import annotations

from django.urls import path

from gongzhi.delivery import views_public

urlpatterns = [
    path("progress/estates/<int:estate_id>/", views_public.public_estate_progress, name="public_estate_progress"),
    path("progress/documents/<int:document_id>/", views_public.public_stage_document, name="public_stage_document"),
    path("estates/<int:estate_id>/notices/new/", views_public.estate_notice_create, name="estate_notice_create"),
    path("campaigns/<int:campaign_id>/delivery/export.xlsx", views_public.delivery_export, name="delivery_export"),
    path("campaigns/<int:campaign_id>/delivery/dashboard/", views_public.delivery_dashboard, name="delivery_dashboard"),
]
