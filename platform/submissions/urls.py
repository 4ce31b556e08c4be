"""URLs of the submission pages."""

from django.urls import path

from submissions import views

urlpatterns = [
    path("challenges/<slug:challenge_slug>/phases/<slug:phase_slug>/", views.phase_detail, name="phase-detail"),
    path(
        "challenges/<slug:challenge_slug>/phases/<slug:phase_slug>/submissions/",
        views.submission_list,
        name="submission-list",
    ),
    path("submissions/<int:pk>/", views.submission_detail, name="submission-detail"),
    path("submissions/<int:pk>/status.json", views.submission_status, name="submission-status"),
]
