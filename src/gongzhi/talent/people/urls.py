"""URLs of the talent pool: home, pools, cadres and dossiers (included by talent/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path
from django.views.generic import RedirectView

from gongzhi.talent.people import views as v

urlpatterns: list[URLPattern] = [
    path("talent/", v.home, name="talent_home"),
    path("talent/pools/<int:pool_id>/", v.pool_detail, name="talent_pool"),
    path("talent/pools/<int:pool_id>/edit/", v.pool_edit, name="talent_pool_edit"),
    path("talent/pools/<int:pool_id>/categories/new/", v.category_create, name="talent_category_create"),
    path("talent/categories/<int:pk>/edit/", v.category_edit, name="talent_category_edit"),
    path("talent/pools/<int:pool_id>/cycles/new/", v.cycle_create, name="talent_cycle_create"),
    path("talent/cycles/<int:pk>/edit/", v.cycle_edit, name="talent_cycle_edit"),
    path("talent/pools/<int:pool_id>/organisations/new/", v.organisation_create, name="talent_organisation_create"),
    # the page's address before 推荐单位 was called Organisation in code, kept for bookmarks
    path(
        "talent/pools/<int:pool_id>/units/new/",
        RedirectView.as_view(pattern_name="talent_organisation_create", permanent=True, query_string=True),
    ),
    path("talent/pools/<int:pool_id>/cadres/new/", v.cadre_create, name="talent_cadre_create"),
    path("talent/cadres/<int:pk>/", v.cadre_detail, name="talent_cadre"),
    path("talent/cadres/<int:pk>/edit/", v.cadre_edit, name="talent_cadre_edit"),
    path("talent/cadres/<int:pk>/enter/", v.membership_enter, name="talent_membership_enter"),
    path("talent/cadres/<int:pk>/exit/", v.membership_exit, name="talent_membership_exit"),
    path("talent/cadres/<int:pk>/add/<slug:kind>/", v.entry_add, name="talent_entry_add"),
    path("talent/notes/<int:pk>/delete/", v.note_delete, name="talent_note_delete"),
]
