"""URLs of the talent pool: nominations, reviews and awards (included by talent/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from gongzhi.talent import views_awards, views_reviews

urlpatterns: list[URLPattern] = [
    path("talent/pools/<int:pool_id>/nominations/", views_reviews.nomination_list, name="talent_nominations"),
    path("talent/pools/<int:pool_id>/nominate/", views_reviews.nominate, name="talent_nominate"),
    path("talent/nominations/<int:pk>/withdraw/", views_reviews.nomination_withdraw, name="talent_nomination_withdraw"),
    path("talent/pools/<int:pool_id>/reviews/", views_reviews.review_list, name="talent_reviews"),
    path("talent/pools/<int:pool_id>/reviews/new/", views_reviews.review_create, name="talent_review_create"),
    path("talent/reviews/<int:pk>/", views_reviews.review_detail, name="talent_review"),
    path("talent/reviews/<int:pk>/mine/", views_reviews.review_mine, name="talent_review_mine"),
    path("talent/reviews/<int:pk>/propose/", views_reviews.review_propose, name="talent_review_propose"),
    path("talent/reviews/<int:pk>/confirm/", views_reviews.review_confirm, name="talent_review_confirm"),
    path("talent/reviews/<int:pk>/cancel/", views_reviews.review_cancel, name="talent_review_cancel"),
    path("talent/pools/<int:pool_id>/awards/", views_awards.award_list, name="talent_awards"),
    path("talent/pools/<int:pool_id>/awards/print/", views_awards.award_print, name="talent_awards_print"),
    path("talent/pools/<int:pool_id>/awards/nominate/", views_awards.award_nominate, name="talent_award_nominate"),
    path("talent/pools/<int:pool_id>/awards/decide/", views_awards.award_decide, name="talent_award_decide"),
]
