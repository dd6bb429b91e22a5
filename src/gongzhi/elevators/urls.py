from __future__ import annotations

from django.urls import path

from gongzhi.elevators import views

urlpatterns = [
    path("elevators/<str:device_code>/", views.elevator_detail, name="elevator_detail"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/rank/", views.campaign_rank_view, name="campaign_rank"),
    path("campaigns/<int:pk>/export.xlsx", views.campaign_export, name="campaign_export"),
]
