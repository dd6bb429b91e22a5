"""Voters' links and public notices (mounted at the site root), plus the two staff pages of
helper B that print or export a motion (sheets, ballots workbook), under /motions/<pk>/."""

from __future__ import annotations

from django.urls import path

from gongzhi.motions import views_notice, views_vote

urlpatterns = [
    path("v/<str:token>/", views_vote.vote_link, name="vote_link"),
    path("v/<str:token>/code/", views_vote.vote_code_send, name="vote_code_send"),
    path("v/<str:token>/confirm/", views_vote.vote_code_confirm, name="vote_code_confirm"),
    path("v/<str:token>/cast/", views_vote.vote_cast, name="vote_cast"),
    path("notices/motions/<uuid:public_id>/", views_notice.motion_notice, name="motion_notice"),
    path("motions/<int:pk>/sheets/", views_vote.motion_sheets, name="motion_sheets"),
    path("motions/<int:pk>/ballots.xlsx", views_vote.motion_ballots_export, name="motion_ballots_export"),
]
