"""URLs of councils (议事会)."""

from __future__ import annotations

from django.urls import URLPattern, path

from gongzhi.councils import views

urlpatterns: list[URLPattern] = [
    path("councils/", views.council_list, name="council_list"),
    path("councils/new/<int:community_id>/", views.council_create, name="council_create"),
    path("councils/<int:pk>/", views.council_detail, name="council_detail"),
    path("councils/<int:pk>/topics/new/", views.topic_propose, name="council_topic_propose"),
    path("councils/<int:pk>/members/", views.member_add, name="council_member_add"),
    path("councils/<int:pk>/sessions/new/", views.session_schedule, name="council_session_schedule"),
    path("councils/topics/<int:pk>/decide/", views.topic_decide, name="council_topic_decide"),
    path("councils/members/<int:pk>/end/", views.member_end_term, name="council_member_end"),
    path("councils/sessions/<int:pk>/", views.session_detail, name="council_session"),
    path("councils/sessions/<int:pk>/report/", views.session_report, name="council_session_report"),
    path("councils/outcomes/<int:pk>/", views.outcome_update, name="council_outcome_update"),
]
