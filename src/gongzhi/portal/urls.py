from __future__ import annotations

from django.urls import path

from gongzhi.portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("affairs/", views.affairs, name="affairs"),
    path("campaigns/<int:campaign_id>/board/", views.board, name="campaign_board"),
]
