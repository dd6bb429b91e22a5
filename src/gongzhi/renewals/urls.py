"""Pages of the renewal consultation: offers, their comparison, funding plans (renewals.views)."""

from __future__ import annotations

from django.urls import path

from gongzhi.renewals import views, views_board

urlpatterns = [
    path("campaigns/<int:campaign_id>/offers/", views.offer_list, name="offer_list"),
    path("campaigns/<int:campaign_id>/offers/new/", views.offer_create, name="offer_create"),
    path("campaigns/<int:campaign_id>/offers/compare/", views.offer_compare, name="offer_compare"),
    path("offers/<int:pk>/edit/", views.offer_edit, name="offer_edit"),
    path("offers/<int:pk>/submit/", views.offer_submit, name="offer_submit"),
    path("offers/<int:pk>/withdraw/", views.offer_withdraw, name="offer_withdraw"),
    path("offers/<int:pk>/documents/", views.offer_documents, name="offer_documents"),
    path(
        "offers/<int:pk>/documents/<int:document_id>/",
        views.offer_document_download,
        name="offer_document_download",
    ),
    path("entrances/<int:entrance_id>/funding-plans/new/", views.funding_plan_create, name="funding_plan_create"),
    path("funding-plans/<int:pk>/", views.funding_plan_detail, name="funding_plan_detail"),
    path(
        "entrances/<int:entrance_id>/consultations/new/",
        views_board.consultation_create,
        name="consultation_create",
    ),
    path("consultations/<int:pk>/", views_board.consultation_detail, name="consultation_detail"),
    path("entrances/<int:entrance_id>/maintenance-fund/", views_board.fund_balance, name="fund_balance"),
    path("consultations/<int:pk>/open/", views_board.consultation_open, name="consultation_open"),
]
