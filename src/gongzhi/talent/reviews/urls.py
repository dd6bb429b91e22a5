"""URLs of the talent pool's nominations and reviews (included by talent/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from gongzhi.talent.reviews import views

urlpatterns: list[URLPattern] = [
    path("talent/pools/<int:pool_id>/nominations/", views.nomination_list, name="talent_nominations"),
    path("talent/pools/<int:pool_id>/nominate/", views.nominate, name="talent_nominate"),
    path("talent/nominations/<int:pk>/withdraw/", views.nomination_withdraw, name="talent_nomination_withdraw"),
    path("talent/pools/<int:pool_id>/reviews/", views.review_list, name="talent_reviews"),
    path("talent/pools/<int:pool_id>/reviews/new/", views.review_create, name="talent_review_create"),
    path("talent/reviews/<int:pk>/", views.review_detail, name="talent_review"),
    path("talent/reviews/<int:pk>/mine/", views.review_mine, name="talent_review_mine"),
    path("talent/reviews/<int:pk>/propose/", views.review_propose, name="talent_review_propose"),
    path("talent/reviews/<int:pk>/confirm/", views.review_confirm, name="talent_review_confirm"),
    path("talent/reviews/<int:pk>/cancel/", views.review_cancel, name="talent_review_cancel"),
]
