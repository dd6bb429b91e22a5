"""The pages of places (estate → building → entrance), which show their elevators."""

from __future__ import annotations

from django.urls import path

from gongzhi.elevators import views_places as views

urlpatterns = [
    path("estates/<int:pk>/", views.estate_detail, name="estate_detail"),
    path("buildings/<int:pk>/", views.building_detail, name="building_detail"),
    path("entrances/<int:pk>/", views.entrance_detail, name="entrance_detail"),
]
