"""URLs of the challenge and account pages."""

from django.contrib.auth import views as auth_views
from django.urls import path

from challenges import accounts, views

urlpatterns = [
    path("", views.challenge_list, name="challenge-list"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", accounts.profile, name="profile"),
    path("accounts/profile/token/", accounts.create_token, name="profile-token"),
    path("challenges/<slug:slug>/", views.challenge_detail, name="challenge-detail"),
    path("challenges/<slug:slug>/join/", views.join, name="challenge-join"),
]
