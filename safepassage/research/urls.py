from __future__ import annotations

from django.urls import path

from safepassage.research import views

app_name = "research"

urlpatterns = [
    path("", views.release_list, name="release_list"),
    path("new/", views.release_create, name="release_create"),
    path("<int:release_id>/", views.release_detail, name="release_detail"),
    path("<int:release_id>/download/", views.release_download, name="release_download"),
    path("<int:release_id>/utility/", views.release_utility, name="release_utility"),
]
