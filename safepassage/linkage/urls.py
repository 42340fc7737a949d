from __future__ import annotations

from django.urls import path

from safepassage.linkage import views

app_name = "linkage"

urlpatterns = [
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:pair_id>/", views.pair_detail, name="pair_detail"),
    path("review/<int:pair_id>/decide/", views.pair_decide, name="pair_decide"),
    path("review/<int:pair_id>/undo/", views.pair_undo, name="pair_undo"),
]
