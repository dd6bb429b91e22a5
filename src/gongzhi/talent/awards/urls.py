"""URLs of the talent pool's awards (included by talent/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from gongzhi.talent.awards import views

urlpatterns: list[URLPattern] = [
    path("talent/pools/<int:pool_id>/awards/", views.award_list, name="talent_awards"),
    path("talent/pools/<int:pool_id>/awards/print/", views.award_print, name="talent_awards_print"),
    path("talent/pools/<int:pool_id>/awards/nominate/", views.award_nominate, name="talent_award_nominate"),
    path("talent/pools/<int:pool_id>/awards/decide/", views.award_decide, name="talent_award_decide"),
]
