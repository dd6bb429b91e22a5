"""URLs of the talent pool (青年干部人才库), all under /talent/, names prefixed talent_."""

from __future__ import annotations

from django.urls import URLPattern

from gongzhi.talent import urls_courses, urls_dossier, urls_imports, urls_research, urls_reviews

urlpatterns: list[URLPattern] = [
    *urls_dossier.urlpatterns,
    *urls_courses.urlpatterns,
    *urls_reviews.urlpatterns,
    *urls_research.urlpatterns,
    *urls_imports.urlpatterns,
]
