from __future__ import annotations

from django.urls import path

from safepassage.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("password/", views.password_change, name="password_change"),
    path("users/", views.users, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_id>/", views.user_detail, name="user_detail"),
    path(
        "users/<int:user_id>/two-factor/reset/",
        views.user_reset_two_factor,
        name="user_reset_two_factor",
    ),
    path("users/<int:user_id>/active/", views.user_set_active, name="user_set_active"),
    path(
        "memberships/<int:membership_id>/revoke/", views.membership_revoke, name="membership_revoke"
    ),
]
