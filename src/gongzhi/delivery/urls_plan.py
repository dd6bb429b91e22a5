"""URLs of renewal delivery (plan): the construction planner's pages (delivery.views_plan)."""

from __future__ import annotations

from django.urls import URLPattern, path

from gongzhi.delivery import views_plan

urlpatterns: list[URLPattern] = [
    path("campaigns/<int:campaign_id>/schedules/", views_plan.schedule_list, name="schedule_list"),
    path("campaigns/<int:campaign_id>/schedules/new/", views_plan.schedule_create, name="schedule_create"),
    path("schedules/<uuid:pk>/", views_plan.schedule_detail, name="schedule_detail"),
    path("schedules/<uuid:pk>/progress/", views_plan.schedule_progress, name="schedule_progress"),
    path("schedules/<uuid:pk>/accept/", views_plan.schedule_accept, name="schedule_accept"),
]
